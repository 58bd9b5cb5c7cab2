#!/usr/bin/env python3
"""kafka_queue under PHP-FPM behind nginx, loaded by wrk on loopback.

    python3 bench/fpm.py [--bootstrap HOST:PORT] [--json PATH] [--children N]

Measures requests/s and latency p50/p99 (wrk --latency) of three pages: an empty one, one
strict createItem() and one fast createItem(), each with FPM's pm.max_requests=0 (children
never recycled) and 50 (a new child every 50 requests), and the throughput with recycling as
% of without. After each run of an enqueuing page it checks that the queue gained exactly one
item per request that reached PHP.

Installs nginx-light, php8.2-fpm and wrk with apt-get when they are missing. nginx and php-fpm
run as the current user from a temporary directory with their own configuration
(bench/fpm/*.in): no system service, nothing under /etc changes. Needs the built extension
and a broker (the project's local one by default); the topic is provisioned if missing.
Standard library only. Environment: BENCH_BOOTSTRAP, BENCH_FPM_PORT, BENCH_REPS.
"""

import argparse
import datetime
import grp
import json
import os
import platform
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from common import BENCH, PHP_DIR, ROOT, BenchError, busy_fraction, copy_extension, median

FPM_DIR = os.path.join(BENCH, "fpm")

# (command, Debian package)
PACKAGES = (("nginx", "nginx-light"), ("php-fpm8.2", "php8.2-fpm"), ("wrk", "wrk"))
# nginx and php-fpm live in sbin, which a normal user's PATH may lack.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])

# (id, label, path); "bare" runs without the extension loaded: what recycling costs PHP itself.
PAGES = (
    ("bare", "empty page, no extension", "/empty.php"),
    ("empty", "empty page", "/empty.php"),
    ("strict", "one strict createItem()", "/enqueue.php?delivery=strict"),
    ("fast", "one fast createItem()", "/enqueue.php?delivery=fast"),
)
ENQUEUING = ("strict", "fast")
MAX_REQUESTS = (0, 50)
QUEUE = "benchfpm"
WRK_THREADS = 2
WRK_CONNECTIONS = 16


def log(msg):
    print(f"fpm: {msg}", file=sys.stderr, flush=True)


def run(cmd, timeout, env=None, check=True):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"timed out after {timeout} s: {' '.join(cmd)}") from e
    if check and p.returncode != 0:
        raise BenchError(f"exit {p.returncode}: {' '.join(cmd)}\n"
                         f"{(p.stdout + p.stderr).strip()[-2000:]}")
    return p


def ensure_packages():
    """apt-get install what is missing; apt-get update only when the lists lack a package."""
    missing = [pkg for cmd, pkg in PACKAGES
               if not shutil.which(cmd, path=SEARCH_PATH)
               or run(["dpkg", "-s", pkg], 30, check=False).returncode != 0]
    if not missing:
        return
    sudo = ["sudo", "-n"] if os.geteuid() != 0 else []
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = sudo + ["apt-get", "install", "-y", *missing]
    log(f"installing {' '.join(missing)}")
    p = run(install, 900, env=env, check=False)
    if p.returncode != 0 and re.search(r"Unable to locate package|has no installation candidate",
                                       p.stdout + p.stderr):
        run(sudo + ["apt-get", "update"], 600, env=env)
        p = run(install, 900, env=env, check=False)
    if p.returncode != 0:
        raise BenchError(f"apt-get install {' '.join(missing)} failed:\n{p.stderr[-2000:]}")


def render(template, out, **values):
    with open(os.path.join(FPM_DIR, template)) as fh:
        text = fh.read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    with open(out, "w") as fh:
        fh.write(text)
    return out


def wait_connectable(family, address, proc, what, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with {proc.returncode} at start")
        with socket.socket(family, socket.SOCK_STREAM) as s:
            try:
                s.connect(address)
                return
            except OSError:
                time.sleep(0.05)
    raise BenchError(f"{what} did not listen within {timeout} s")


def stop(proc, timeout=10):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def to_ms(value, unit):
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}[unit]


def parse_wrk(out):
    """Requests/s, p50/p99 in ms (with --latency), non-2xx responses and socket errors."""
    def num(pattern, default=None):
        m = re.search(pattern, out, re.M)
        return float(m.group(1)) if m else default

    pct = {int(q): to_ms(v, u) for q, v, u in
           re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    rps = num(r"^Requests/sec:\s+([\d.]+)")
    if rps is None:
        raise BenchError(f"unexpected wrk output:\n{out}")
    return {
        "rps": rps,
        "p50": pct.get(50),
        "p99": pct.get(99),
        "non2xx": int(num(r"Non-2xx or 3xx responses: (\d+)", 0)),
        "socket_errors": sum(map(int, m.groups())) if m else 0,
    }


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="kafka-queue-fpm-")
        self.ext, self.ext_sha = copy_extension(args.ext, self.tmp)
        self.env = dict(os.environ, BENCH_BOOTSTRAP=args.bootstrap)
        self.nginx = self.fpm = None
        self.log_offset = 0
        self.figures = []
        self.runs = {}  # (page, max_requests) -> list of per-repetition results

    # ------------------------------------------------------------------ servers

    def php(self, script, timeout=60, **kv):
        cmd = [self.args.php, "-d", f"extension={self.ext}", script] + [
            f"{k}={v}" for k, v in kv.items()]
        out = run(cmd, timeout, env=self.env).stdout
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def owner_lines(self, fmt):
        """php-fpm and nginx switch to another user only when started as root: stay root."""
        if os.geteuid() != 0:
            return ""
        return fmt.format(user=pwd.getpwuid(os.geteuid()).pw_name,
                          group=grp.getgrgid(os.getegid()).gr_name)

    def start_nginx(self):
        with socket.socket() as s:
            # As nginx does: connections of an earlier run in TIME_WAIT do not hold the port.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", self.args.port))
            except OSError as e:
                raise BenchError(f"127.0.0.1:{self.args.port} is taken ({e}): "
                                 "set BENCH_FPM_PORT or --port") from e
        conf = render("nginx.conf.in", os.path.join(self.tmp, "nginx.conf"),
                      TMP=self.tmp, PORT=self.args.port, WWW=os.path.join(FPM_DIR, "www"),
                      USER_LINE=self.owner_lines("user {user} {group};"))
        with open(os.path.join(self.tmp, "nginx.out"), "w") as out:
            self.nginx = subprocess.Popen(
                [shutil.which("nginx", path=SEARCH_PATH), "-p", self.tmp, "-c", conf],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_connectable(socket.AF_INET, ("127.0.0.1", self.args.port), self.nginx, "nginx")

    def start_fpm(self, max_requests, extension):
        sock = os.path.join(self.tmp, "php-fpm.sock")
        conf = render("php-fpm.conf.in", os.path.join(self.tmp, "php-fpm.conf"),
                      TMP=self.tmp, CHILDREN=self.args.children, MAX_REQUESTS=max_requests,
                      BOOTSTRAP=self.args.bootstrap, QUEUE=QUEUE,
                      USER_LINES=self.owner_lines("user = {user}\ngroup = {group}"))
        cmd = [shutil.which("php-fpm8.2", path=SEARCH_PATH), "-F", "-y", conf]
        if extension:
            cmd += ["-d", f"extension={self.ext}"]
        if os.geteuid() == 0:
            cmd.append("-R")
        with open(os.path.join(self.tmp, "php-fpm.out"), "a") as out:
            self.fpm = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        wait_connectable(socket.AF_UNIX, sock, self.fpm, "php-fpm")

    def tail(self, name, lines=20):
        try:
            with open(os.path.join(self.tmp, name)) as fh:
                return "".join(fh.readlines()[-lines:])
        except OSError:
            return ""

    def smoke(self, path):
        """One request before the runs: a page that fails fails the bench, with PHP's log."""
        url = f"http://127.0.0.1:{self.args.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
        except (urllib.error.URLError, OSError) as e:
            raise BenchError(f"{url}: {e}\n{self.tail('php-errors.log')}"
                             f"{self.tail('php-fpm.log')}{self.tail('nginx-error.log')}") from e

    def close(self):
        stop(self.fpm)
        stop(self.nginx)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------------ runs

    def statuses(self):
        """HTTP statuses nginx logged since the last call, counted."""
        counts = {}
        with open(os.path.join(self.tmp, "access.log")) as fh:
            fh.seek(self.log_offset)
            for line in fh:
                counts[line.strip()] = counts.get(line.strip(), 0) + 1
            self.log_offset = fh.tell()
        return counts

    def items(self):
        return self.php(os.path.join(FPM_DIR, "count.php"), queue=QUEUE)[0]["items"]

    def wrk(self, path, seconds, latency):
        cmd = [shutil.which("wrk", path=SEARCH_PATH), f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}",
               f"-d{seconds}s", "--timeout", "10s", f"http://127.0.0.1:{self.args.port}{path}"]
        if latency:
            cmd.insert(1, "--latency")
        return parse_wrk(run(cmd, seconds + 30).stdout)

    def check_items(self, before, page, max_requests):
        """Items the queue gained against the requests that reached PHP.

        Requests wrk abandons at the end of a run (nginx logs 499) still run in PHP and
        enqueue: expected items = 2xx + 499. Fast items may land a moment after the response,
        and nginx logs an abandoned request only once PHP is done with it, so both are read
        again for a few seconds until they agree.
        """
        codes = {}
        deadline = time.monotonic() + 5
        while True:
            for code, n in self.statuses().items():
                codes[code] = codes.get(code, 0) + n
            ok = sum(n for code, n in codes.items() if code.startswith("2"))
            abandoned = codes.get("499", 0)
            items = self.items() - before
            if items == ok + abandoned or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if items != ok + abandoned:
            log(f"warning: {page}, max_requests={max_requests}: {items} items for {ok} 2xx + "
                f"{abandoned} abandoned requests (statuses {codes})")
        return {"ok": ok, "abandoned": abandoned, "items": items,
                "difference": items - ok - abandoned}

    def one(self, page, path, max_requests):
        before = self.items() if page in ENQUEUING else None
        self.statuses()
        warm = self.wrk(path, self.args.warmup, latency=False)
        res = self.wrk(path, self.args.duration, latency=True)
        res["non2xx"] += warm["non2xx"]
        res["socket_errors"] += warm["socket_errors"]
        if before is not None:
            res.update(self.check_items(before, page, max_requests))
        if res["non2xx"] or res["socket_errors"]:
            log(f"warning: {page}, max_requests={max_requests}: {res['non2xx']} non-2xx "
                f"responses, {res['socket_errors']} socket errors\n{self.tail('php-errors.log')}")
        self.runs.setdefault((page, max_requests), []).append(res)
        log(f"{page}, max_requests={max_requests}: {res['rps']:.0f} requests/s, "
            f"p50 {res['p50']:.2f} ms, p99 {res['p99']:.2f} ms")

    def measure(self):
        provisioned = self.php(os.path.join(PHP_DIR, "provision.php"), partitions=2,
                               queue=QUEUE)
        if not provisioned or provisioned[0].get("action") not in ("created", "exists"):
            raise BenchError(f"could not provision {QUEUE}: {provisioned}")
        self.start_nginx()
        for _ in range(self.args.reps):
            for max_requests in MAX_REQUESTS:
                for extension in (False, True):
                    self.start_fpm(max_requests, extension)
                    try:
                        for page, _, path in PAGES:
                            if (page != "bare") == extension:
                                self.smoke(path)
                                self.one(page, path, max_requests)
                    finally:
                        stop(self.fpm)

    # ------------------------------------------------------------------ figures

    def add(self, fid, label, unit, better, reps, note=None):
        """A figure in the shape of bench/bench.py's Runner.add()."""
        fig = {"id": fid, "group": "fpm", "label": label, "unit": unit, "better": better,
               "value": median(reps), "reps": reps}
        if note:
            fig["note"] = note
        self.figures.append(fig)

    def build_figures(self):
        setup = (f"pm=static, {self.args.children} children; wrk {WRK_THREADS} threads, "
                 f"{WRK_CONNECTIONS} connections, {self.args.duration} s after "
                 f"{self.args.warmup} s of warm-up")
        for page, label, _ in PAGES:
            for mr in MAX_REQUESTS:
                runs = self.runs[(page, mr)]
                name = f"FPM, {label}, pm.max_requests={mr}"
                errors = (f"{sum(r['non2xx'] for r in runs)} non-2xx responses, "
                          f"{sum(r['socket_errors'] for r in runs)} socket errors")
                if page in ENQUEUING:
                    errors += (f"; {sum(r['items'] for r in runs)} items enqueued for "
                               f"{sum(r['ok'] for r in runs)} 2xx + "
                               f"{sum(r['abandoned'] for r in runs)} abandoned requests "
                               f"(difference {sum(r['difference'] for r in runs)})")
                self.add(f"fpm.{page}.r{mr}", name, "requests/s", "higher",
                         [r["rps"] for r in runs], note=f"{setup}; {errors}")
                for q in ("p50", "p99"):
                    self.add(f"fpm.{page}.r{mr}.{q}", f"{name}: latency {q}", "ms", "lower",
                             [r[q] for r in runs])
        for page, label, _ in PAGES:
            pairs = zip(self.runs[(page, 50)], self.runs[(page, 0)])
            self.add(f"fpm.recycle.{page}", f"FPM, {label}: requests/s with "
                     "pm.max_requests=50 as % of pm.max_requests=0", "%", "higher",
                     [round(100 * a["rps"] / b["rps"], 1) for a, b in pairs],
                     note="100 % = recycling costs nothing; issue 10's target: >= 90 %")

    def table(self):
        head = (f"{'page':<26} {'max_req':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'non-2xx':>7} {'sock.err':>8}  items (2xx + abandoned, difference)")
        rows = [head, "-" * len(head)]
        for page, label, _ in PAGES:
            for mr in MAX_REQUESTS:
                runs = self.runs[(page, mr)]
                fig = {f["id"]: f["value"] for f in self.figures}
                base = f"fpm.{page}.r{mr}"
                check = ""
                if page in ENQUEUING:
                    check = (f"{sum(r['items'] for r in runs)} ("
                             f"{sum(r['ok'] for r in runs)} + {sum(r['abandoned'] for r in runs)}"
                             f", {sum(r['difference'] for r in runs):+d})")
                rows.append(f"{label:<26} {mr:>7} {fig[base]:>8.0f} {fig[base + '.p50']:>8.2f} "
                            f"{fig[base + '.p99']:>8.2f} {sum(r['non2xx'] for r in runs):>7} "
                            f"{sum(r['socket_errors'] for r in runs):>8}  {check}")
        rows.append("")
        for f in self.figures:
            if f["id"].startswith("fpm.recycle."):
                rows.append(f"{f['label']}: {f['value']:.0f} %")
        return "\n".join(rows)

    def meta(self, started, busy):
        def version(cmd):
            p = run(cmd, 30, check=False)
            return (p.stdout + p.stderr).strip().splitlines()[0]

        return {
            "started": started,
            "busy_before": busy,
            "cores": os.cpu_count(),
            "machine": platform.platform(),
            "extension_sha256": self.ext_sha,
            "bootstrap": self.args.bootstrap,
            "children": self.args.children,
            "wrk": {"threads": WRK_THREADS, "connections": WRK_CONNECTIONS,
                    "duration_s": self.args.duration, "warmup_s": self.args.warmup},
            "reps": self.args.reps,
            "nginx": version([shutil.which("nginx", path=SEARCH_PATH), "-v"]),
            "php_fpm": version([shutil.which("php-fpm8.2", path=SEARCH_PATH), "-v"]),
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ext", default=os.path.join(ROOT, "target", "release",
                                                  "libkafka_queue.so"))
    ap.add_argument("--php", default=os.environ.get("PHP", "php"))
    ap.add_argument("--bootstrap", default=os.environ.get("BENCH_BOOTSTRAP", "127.0.0.1:19092"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_FPM_PORT", "18080")))
    ap.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "1")))
    ap.add_argument("--children", type=int, default=8, help="php-fpm children (pm=static)")
    ap.add_argument("--duration", type=int, default=8, help="seconds per measured run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of load before each run")
    ap.add_argument("--json", default=os.path.join(BENCH, "out", "fpm.json"))
    a = ap.parse_args()
    if not os.path.exists(a.ext):
        sys.exit(f"fpm: no extension at {a.ext}: run `cargo build --release` first")

    started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    b = None
    try:
        ensure_packages()
        b = Bench(a)
        busy = busy_fraction()
        if busy > 0.15:
            log(f"warning: the machine was {busy:.0%} busy before the run: expect lower, "
                "noisier figures")
        b.measure()
        b.build_figures()
        result = {"meta": b.meta(started, busy), "figures": b.figures}
    except BenchError as e:
        sys.exit(f"fpm: {e}")
    finally:
        if b:
            b.close()
    print(b.table())
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json, "w") as fh:
        json.dump(result, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    log(f"wrote {a.json}")


if __name__ == "__main__":
    main()
