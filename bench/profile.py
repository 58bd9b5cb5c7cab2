#!/usr/bin/env python3
"""Profiles the two hot paths of kafka_queue: createItem (fast delivery) and the drain
(claimItem + deleteItem, fast commit). Run by `make bench-profile`.

For each path it measures, on the PHP thread of one PHP process against the local broker:
  - system calls per item, by kind (perf stat on syscall tracepoints);
  - where the time goes (perf record, cpu-clock sampling; threads told apart by name);
  - instructions per item by function, inclusive (valgrind --tool=callgrind, main thread only).
Raw files go to bench/out/profile/; a summary in Markdown is printed and saved there.
Needs perf (Debian's linux-perf) and valgrind; either may be missing: its part is skipped.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PHP_DIR = os.path.join(BENCH, "php")


def log(msg):
    print(f"profile: {msg}", file=sys.stderr, flush=True)


class Profiler:
    def __init__(self, a):
        self.a = a
        self.out = a.out
        os.makedirs(self.out, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="kafka-queue-profile-")
        self.ext = os.path.join(self.tmp, "libkafka_queue.so")
        shutil.copyfile(a.ext, self.ext)
        self.env = dict(os.environ, BENCH_BOOTSTRAP=a.bootstrap)
        self.run_id = time.strftime("%Y%m%d%H%M%S")
        self.md = []
        self.topics = []

    def php_cmd(self, script, **kv):
        return [self.a.php, "-d", f"extension={self.ext}", "-d", "memory_limit=512M",
                os.path.join(PHP_DIR, script)] + [f"{k}={v}" for k, v in kv.items()]

    def run(self, cmd, timeout=900, check=True):
        p = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=timeout)
        if check and p.returncode != 0:
            sys.exit(f"profile: exit {p.returncode}: {' '.join(cmd)}\n{p.stderr[-3000:]}")
        return p

    def topic(self, role, items):
        name = f"profile-{self.run_id}-{role}"
        p = self.run(self.php_cmd("provision.php", partitions=2, queue=name))
        topic = json.loads(p.stdout.splitlines()[0])["topic"]
        self.topics.append(topic)
        if items:
            self.run(self.php_cmd("produce.php", queue=topic, items=items - 1, reps=1,
                                  delivery="fast", group="profile"))
        return topic

    def workload(self, path, topic, items):
        if path == "produce":
            return self.php_cmd("produce.php", queue=topic, items=items, reps=1,
                                delivery="fast", size=100, data="string", group="profile")
        return self.php_cmd("drain.php", queue=topic, group=f"profile-{time.monotonic_ns()}",
                            commit="fast", idle_ms=2000, claim_wait_ms=5000)

    # -------------------------------------------------------------- perf stat: syscalls

    def syscalls(self, path, topic, items):
        events = ["raw_syscalls:sys_enter", "syscalls:sys_enter_getpid",
                  "syscalls:sys_enter_futex", "syscalls:sys_enter_clock_gettime",
                  "syscalls:sys_enter_poll", "syscalls:sys_enter_sendmsg",
                  "syscalls:sys_enter_recvmsg"]
        out = os.path.join(self.out, f"{path}.syscalls.txt")
        p = self.run(["perf", "stat", "-x", ",", "-o", out, "-e", ",".join(events), "--"]
                     + self.workload(path, topic, items), check=False)
        if p.returncode != 0:
            return f"perf stat failed: {p.stderr.strip()[-300:]}"
        rows = []
        with open(out) as fh:
            for line in fh:
                parts = line.strip().split(",")
                if len(parts) > 2 and parts[0].replace(".", "").isdigit():
                    rows.append((parts[2].split(":")[-1], int(float(parts[0]))))
        return "\n".join(f"| {name} | {count:,} | {count / items:.2f} |" for name, count in rows)

    # -------------------------------------------------------------- perf record: time

    def perf_record(self, path, topic, items):
        data = os.path.join(self.out, f"{path}.perf.data")
        p = self.run(["perf", "record", "-F", "1999", "-o", data, "--"]
                     + self.workload(path, topic, items), check=False)
        if p.returncode != 0:
            return f"perf record failed: {p.stderr.strip()[-300:]}", ""
        threads = self.run(["perf", "report", "-i", data, "--stdio", "--sort", "comm",
                            "-g", "none"], check=False).stdout
        main = self.run(["perf", "report", "-i", data, "--stdio", "--comms", "php",
                         "--sort", "dso,sym", "-g", "none", "--percentage", "relative",
                         "--percent-limit", "0.7"], check=False).stdout
        with open(os.path.join(self.out, f"{path}.perf.txt"), "w") as fh:
            fh.write(threads + "\n" + main)
        pick = lambda text: [l.rstrip() for l in text.splitlines()
                             if l.strip() and not l.startswith("#")]
        return "\n".join(pick(threads)), "\n".join(pick(main)[:40])

    # -------------------------------------------------------------- callgrind: instructions

    def callgrind(self, path, topic, items):
        base = os.path.join(self.out, f"{path}.callgrind")
        for f in glob.glob(base + "*"):
            os.remove(f)
        p = self.run(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                      f"--callgrind-out-file={base}"] + self.workload(path, topic, items),
                     check=False)
        if p.returncode != 0:
            return f"callgrind failed: {p.stderr.strip()[-300:]}"
        # With --separate-threads, thread 1 (the PHP thread) is written to <base>-01.
        main = base + "-01" if os.path.exists(base + "-01") else base
        ann = self.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99.9", main],
                       check=False).stdout
        with open(os.path.join(self.out, f"{path}.callgrind.txt"), "w") as fh:
            fh.write(ann)
        rows = []
        for line in ann.splitlines():
            m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S.*)$", line)
            if not m:
                continue
            ir = int(m.group(1).replace(",", ""))
            name = re.sub(r"^\?\?\?:", "", m.group(2))
            name = re.sub(r" \[[^\]]*\]$", "", name)
            if ir / items < 150 or not re.search(r"kafka_queue|rd_kafka|ext_php_rs|zend_|"
                                                  r"rdkafka|registry|malloc|free|fmt|hash|"
                                                  r"execute_ex", name):
                continue
            rows.append(f"| {ir / items:,.0f} | `{name[:110]}` |")
        return "\n".join(rows[:45])

    def profile(self, path, items, cg_items):
        what = ("createItem, fast delivery, 100 B string" if path == "produce"
                else "claimItem + deleteItem, fast commit, 100 B items")
        self.md.append(f"\n## {path}: {what}\n")
        log(f"{path}: syscalls per item ({items} items)")
        topic = self.topic(path, 0 if path == "produce" else items)
        sc = self.syscalls(path, topic, items)
        self.md.append(f"System calls of the whole process per item ({items:,} items; "
                       "perf stat on syscall tracepoints):\n\n| syscall | count | per item |\n"
                       "|---|---|---|\n" + sc + "\n")
        if path == "drain":
            topic = self.topic(path + "2", items)
        log(f"{path}: perf record ({items} items)")
        threads, main = self.perf_record(path, topic, items)
        self.md.append("CPU samples by thread (perf record, cpu-clock):\n\n```\n" + threads
                       + "\n```\n\nPHP thread, by function (share of that thread's samples):"
                       "\n\n```\n" + main + "\n```\n")
        if path == "drain":
            topic = self.topic(path + "3", cg_items)
        log(f"{path}: callgrind ({cg_items} items)")
        cg = self.callgrind(path, topic, cg_items)
        self.md.append(f"Instructions per item on the PHP thread, inclusive, by function "
                       f"(callgrind, {cg_items:,} items; whole-run totals divided by the item "
                       "count, so set-up costs appear as small fractions):\n\n"
                       "| Ir per item | function |\n|---|---|\n" + cg + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ext", default=os.path.join(ROOT, "target", "release",
                                                  "libkafka_queue.so"))
    ap.add_argument("--php", default=os.environ.get("PHP", "php"))
    ap.add_argument("--bootstrap", default=os.environ.get("BENCH_BOOTSTRAP", "127.0.0.1:19092"))
    ap.add_argument("--out", default=os.path.join(BENCH, "out", "profile"))
    ap.add_argument("--items", type=int, default=200_000)
    ap.add_argument("--callgrind-items", type=int, default=30_000)
    ap.add_argument("--label", default="", help="what is profiled, if not this commit's build")
    a = ap.parse_args()
    for tool in ("perf", "valgrind"):
        if not shutil.which(tool):
            sys.exit(f"profile: {tool} not found (Debian: linux-perf, valgrind)")
    pr = Profiler(a)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    pr.md.append(f"# kafka_queue hot-path profile\n\n{a.label or 'Commit ' + commit}, "
                 f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores.\n")
    try:
        pr.profile("produce", a.items, a.callgrind_items)
        pr.profile("drain", a.items, a.callgrind_items)
    finally:
        shutil.rmtree(pr.tmp, ignore_errors=True)
        for t in pr.topics:
            pr.run([os.path.join(ROOT, "scripts", "kafka", "kafka.sh"), "topics", "--delete",
                    "--topic", t], check=False)
    text = "\n".join(pr.md)
    with open(os.path.join(a.out, "summary.md"), "w") as fh:
        fh.write(text + "\n")
    print(text)
    log(f"raw files and summary.md in {os.path.relpath(a.out, ROOT)}/")


if __name__ == "__main__":
    main()
