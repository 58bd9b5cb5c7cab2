"""The Runner: one benchmark run's extension copy, processes, topics and figures.

The workloads (produce, drain, latency, edges, memory) are functions of a Runner."""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from common import (BENCH, KAFKA_SH, PHP_DIR, ROOT, BenchError, broker_pid, copy_extension, log,
                    median, process_cpu_ns)


class Runner:
    def __init__(self, args):
        self.args = args
        self.figures = []
        self.series = {}
        self.notes = []
        self.run_id = time.strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}"
        self.topics = []
        self.tmp = tempfile.mkdtemp(prefix="kafka-queue-bench-")
        self.ext, self.ext_sha = copy_extension(args.ext, self.tmp)
        self.env = dict(os.environ, BENCH_BOOTSTRAP=args.bootstrap)
        if args.ref_jvm == "full":
            self.env["JAVA"] = os.path.join(BENCH, "java-full-jit")
        self.broker_pid = broker_pid() if args.bootstrap == "127.0.0.1:19092" else ""

    # ------------------------------------------------------------------ processes

    def php_cmd(self, script, **kv):
        return [
            self.args.php, "-d", f"extension={self.ext}", "-d", "memory_limit=512M",
            os.path.join(PHP_DIR, script),
        ] + [f"{k}={v}" for k, v in kv.items()]

    def run(self, cmd, timeout=300):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env)
        except subprocess.TimeoutExpired as e:
            raise BenchError(f"timed out after {timeout} s: {' '.join(cmd[:6])} ...") from e
        if p.returncode != 0:
            raise BenchError(
                f"exit {p.returncode}: {' '.join(cmd)}\n{p.stderr.strip()[-2000:]}")
        return p.stdout

    def php(self, script, timeout=300, **kv):
        out = self.run(self.php_cmd(script, **kv), timeout)
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def tool(self, cls, *args, timeout=300):
        """Runs one of Kafka's tools; self.last_tool_cpu then holds the CPU seconds of the
        tool's JVM (start-up and JIT included) and of the broker while it ran."""
        b0 = process_cpu_ns(self.broker_pid)
        r0 = os.times()
        out = self.run([KAFKA_SH, "tool", cls, *map(str, args)], timeout)
        r1 = os.times()
        self.last_tool_cpu = {
            "tool_s": (r1.children_user - r0.children_user) + (r1.children_system
                                                              - r0.children_system),
            "broker_s": (process_cpu_ns(self.broker_pid) - b0) / 1e9,
        }
        return out

    # ------------------------------------------------------------------ figures

    def add(self, fid, group, label, unit, better, reps, ref=None, note=None, value=None):
        fig = {
            "id": fid,
            "group": group,
            "label": label,
            "unit": unit,
            "better": better,
            "value": median(reps) if value is None else value,
            "reps": reps,
        }
        if ref:
            fig["ref"] = ref
        if note:
            fig["note"] = note
        self.figures.append(fig)
        return fig

    def figure(self, fid):
        for f in self.figures:
            if f["id"] == fid:
                return f
        return None

    # ------------------------------------------------------------------ topics

    def topic(self, role, partitions):
        name = f"bench-{self.run_id}-{role}"
        rows = self.php("provision.php", partitions=partitions, queue=name)
        if not rows or rows[0].get("action") not in ("created", "exists"):
            raise BenchError(f"could not provision {name}: {rows}")
        self.topics.append(rows[0]["topic"])
        return rows[0]["topic"]

    def group(self, role):
        return f"bench-{self.run_id}-{role}-{time.monotonic_ns()}"

    def delete_topics(self):
        for t in self.topics:
            try:
                self.run([KAFKA_SH, "topics", "--delete", "--topic", t], timeout=60)
            except BenchError as e:
                log(f"could not delete topic {t}: {e}")

    # ------------------------------------------------------------------ results

    def cpu_rows(self):
        """CPU time per item by party: where the cores go (evidence for the limits)."""
        rows = []

        def add(label, cpu):
            if cpu:
                rows.append({"label": label, **{k: v for k, v in cpu.items() if k != "note"}})

        for size in self.args.sizes:
            add(f"createItem fast, {size} B string",
                self.series.get(f"create.fast.{size}.string.cpu"))
        for fid in ("drain.fast.1p", "drain.fast.2p", "drain.fast.1p.backoff10"):
            runs = self.series.get(fid)
            if runs:
                keys = runs[0]["cpu"].keys()
                add(self.figure(fid)["label"], {k: median([r["cpu"][k] for r in runs])
                                                 for k in keys})
        for size in self.args.sizes:
            ref = self.series.get(f"ref.producer.{size}.cpu")
            if ref:
                add(f"ProducerPerformance, {size} B (whole JVM run)",
                    {"tool_jvm": ref["tool_ns_per_record"], "broker": ref["broker_ns_per_record"]})
        ref = self.series.get("ref.consumer.cpu")
        if ref:
            add("ConsumerPerformance (whole JVM run)",
                {"tool_jvm": ref["tool_ns_per_record"], "broker": ref["broker_ns_per_record"]})
        return rows

    def meta(self, started, finished, load_before):
        def cmd(*c):
            try:
                return subprocess.run(c, capture_output=True, text=True, cwd=ROOT,
                                      timeout=30).stdout.strip()
            except (OSError, subprocess.TimeoutExpired):
                return ""

        cpu = ""
        try:
            with open("/proc/cpuinfo") as fh:
                cpu = next((l.split(":", 1)[1].strip() for l in fh
                            if l.startswith("model name")), "")
        except OSError:
            pass
        mem = ""
        try:
            with open("/proc/meminfo") as fh:
                kb = int(fh.readline().split()[1])
                mem = f"{kb / 1024 / 1024:.1f} GiB"
        except (OSError, ValueError, IndexError):
            pass
        jars = os.listdir(os.path.join(ROOT, ".kafka", "libs"))
        kafka = next((j[len("kafka_2.13-"):-4] for j in jars if j.startswith("kafka_2.13-")), "")
        return {
            "command": "make bench",
            "label": self.args.label,
            "argv": [os.path.relpath(x, ROOT) if os.path.isabs(x) else x
                     for x in sys.argv[1:]],
            "started": started,
            "finished": finished,
            "git_commit": cmd("git", "rev-parse", "--short", "HEAD"),
            "git_dirty_src": bool(cmd("git", "status", "--porcelain", "--", "src", "Cargo.toml",
                                      "Cargo.lock")),
            "extension_sha256": self.ext_sha,
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory": mem,
            "os": cmd("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
            "kernel": platform.release(),
            "php": cmd(self.args.php, "-r", "echo PHP_VERSION;"),
            "java": cmd("sh", "-c", "java -version 2>&1 | head -n 1"),
            "kafka": kafka,
            "broker": f"one KRaft node on {self.args.bootstrap}, scripts/kafka/kafka.sh, "
                      "broker defaults",
            "reference_jvm": ("C2 JIT, G1 (bench/java-full-jit)" if self.args.ref_jvm == "full"
                              else "kafka.sh tool defaults: C1 JIT only, serial GC"),
            "reps": self.args.reps,
            "busy_cpu_before": load_before,
            "loadavg_after": open("/proc/loadavg").read().split()[:3],
            "notes": self.notes,
        }
