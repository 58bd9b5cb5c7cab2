#!/usr/bin/env python3
"""kafka_queue benchmarks, side by side with Kafka's own tools, on one machine in one run.

Run by `make bench` (see mk/bench.mk and docs/benchmarks.md). Needs a running local broker
(scripts/kafka/kafka.sh start), the built extension, php and java. Standard library only; the
chart is drawn by bench/chart.py when matplotlib is available.

Every figure is the median of --reps repetitions unless its label says otherwise; every figure
of ours is printed with its ratio to the Kafka tool that measures the same thing.
"""

import argparse
import collections
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PHP_DIR = os.path.join(BENCH, "php")
KAFKA_SH = os.path.join(ROOT, "scripts", "kafka", "kafka.sh")

PRODUCER_PERF = "org.apache.kafka.tools.ProducerPerformance"
CONSUMER_PERF = "org.apache.kafka.tools.ConsumerPerformance"
END_TO_END = "org.apache.kafka.tools.EndToEndLatency"

# Targets of issue 4. Memory: 5 MB read as 5,000,000 bytes (4883 KiB), the stricter reading.
TARGETS = {
    "create.fast.100.string": {"min": 1_000_000, "min_ratio": 0.9},
    "drain.fast.1p": {"min": 500_000, "min_ratio": 0.6},
    "drain.fast.2p": {"min": 500_000, "min_ratio": 0.6},
    "latency.strict.p50": {"max": 1.5},
    "latency.strict.p99": {"max": 5.0},
    "cold.claim": {"max": 1000.0},
    "cold.produce.over_bare": {"max": 25.0},
    "cold.produce.exit_cost": {"max": 5.0},
    "idle.empty_claim.p50": {"max": 0.5},
    "idle.empty_claim.requests": {"max": 1.0},
    "idle.polling_cpu": {"max": 3.0},
    "fpm.recycle.strict": {"min": 90.0},
    "fpm.recycle.fast": {"min": 90.0},
    "memory.spread": {"max": 5_000_000 / 1024 / 1024},
}


class BenchError(Exception):
    pass


def process_cpu_ns(pid):
    """CPU nanoseconds used so far by every thread of `pid` (0 if it cannot be read)."""
    total = 0
    if not pid:
        return 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def broker_pid():
    """The local broker's pid, from kafka.sh's pid file, if it is running."""
    try:
        with open(os.path.join(ROOT, ".kafka", "data", "single", "broker.pid")) as fh:
            pid = fh.read().strip()
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return pid if b"kafka.Kafka" in fh.read() else ""
    except OSError:
        return ""


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# librdkafka waits fetch.queue.backoff.ms (1000 ms by default) before fetching again for a
# partition whose pre-fetch queue was over its thresholds.
FETCH_BACKOFF_FIX = "fetch.queue.backoff.ms:10"


def cpu_breakdown(rows, weights=None):
    """CPU nanoseconds per item by party, the median over repetitions (or the weighted sum
    over the concurrent processes of one run when `weights` is given)."""
    def one(r):
        threads = r.get("thread_cpu_ns_per_item") or {}
        return {
            "php_thread": threads.get("php", 0.0),
            "librdkafka_threads": sum(v for k, v in threads.items() if k != "php"),
            "broker": r.get("broker_cpu_ns_per_item") or 0.0,
        }

    parts = [one(r) for r in rows]
    if weights:
        total = sum(weights) or 1
        out = {k: sum(p[k] * w for p, w in zip(parts, weights)) / total for k in parts[0]}
        # The broker's CPU is counted by every process over the same window: take one.
        out["broker"] = max(p["broker"] * w for p, w in zip(parts, weights)) / total
        return out
    return {k: median([p[k] for p in parts]) for k in parts[0]}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(sorted_values, q):
    """Nearest-rank percentile (q in 0..100) of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


class Runner:
    def __init__(self, args):
        self.args = args
        self.figures = []
        self.series = {}
        self.notes = []
        self.run_id = time.strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}"
        self.topics = []
        self.tmp = tempfile.mkdtemp(prefix="kafka-queue-bench-")
        # A private copy of the extension: a rebuild during the run cannot swap it under us.
        self.ext = os.path.join(self.tmp, "libkafka_queue.so")
        shutil.copyfile(args.ext, self.ext)
        with open(self.ext, "rb") as fh:
            self.ext_sha = hashlib.sha256(fh.read()).hexdigest()
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

    # ------------------------------------------------------------------ 1. createItem

    def create_items(self):
        a = self.args
        topic = self.topic("produce", 2)
        for size in a.sizes:
            for data in ("string", "array"):
                for delivery in ("fast", "strict"):
                    if delivery == "fast":
                        items = a.fast_items if size <= 100 else a.fast_items_1k
                    else:
                        items = a.strict_items
                    log(f"createItem {delivery} {size} B {data}: {a.reps} x {items} items")
                    rows = self.php("produce.php", queue=topic, items=items, size=size,
                                    data=data, delivery=delivery, reps=a.reps,
                                    group=self.group("produce"), broker_pid=self.broker_pid)
                    if any(r["failed"] for r in rows):
                        raise BenchError(f"createItem {delivery} {size} {data}: items failed")
                    fid = f"create.{delivery}.{size}.{data}"
                    if delivery == "fast":
                        self.add(fid, "createItem",
                                 f"createItem {delivery}, {size} B {data}", "items/s", "higher",
                                 [r["items_per_s"] for r in rows], ref=f"ref.producer.{size}",
                                 note=f"{items} items per repetition, flush included")
                    else:
                        self.add(fid, "createItem",
                                 f"createItem {delivery}, {size} B {data}, time per call", "ms/item",
                                 "lower",
                                 [r["us_per_item"] / 1000 for r in rows],
                                 ref=f"ref.producer.ack.{size}",
                                 note=f"{items} acknowledged createItem calls in a row")
                        self.add(fid + ".rate", "createItem",
                                 f"createItem {delivery}, {size} B {data}, rate", "items/s",
                                 "higher",
                                 [r["items_per_s"] for r in rows])
                    self.series[fid + ".cpu"] = cpu_breakdown(rows)

    def producer_references(self):
        a = self.args
        topic = self.topic("ref-produce", 2)
        for size in a.sizes:
            n = a.ref_items if size <= 100 else a.ref_items_1k
            reps, overall, cpu = [], [], []
            for i in range(a.reps):
                log(f"ProducerPerformance {size} B: {n} records ({i + 1}/{a.reps})")
                out = self.tool(PRODUCER_PERF, "--bootstrap-server", a.bootstrap,
                                "--topic", topic, "--num-records", n, "--record-size", size,
                                "--throughput", -1, "--warmup-records", n // 10,
                                "--command-property", "acks=all", "linger.ms=5",
                                "batch.size=1000000")
                steady = re.search(r"steady state records sent, ([\d.]+) records/sec", out)
                total = re.search(r"^\d+ records sent, ([\d.]+) records/sec", out, re.M)
                if not steady or not total:
                    raise BenchError(f"unexpected ProducerPerformance output:\n{out}")
                reps.append(float(steady.group(1)))
                overall.append(float(total.group(1)))
                cpu.append({k: v / n * 1e9 for k, v in self.last_tool_cpu.items()})
            self.add(f"ref.producer.{size}", "reference",
                     f"ProducerPerformance, {size} B, steady state", "records/s", "higher", reps,
                     note="acks=all linger.ms=5 batch.size=1000000 (librdkafka's default); "
                          "first 10% of records are warm-up")
            self.series[f"ref.producer.{size}.overall"] = overall
            self.series[f"ref.producer.{size}.cpu"] = {
                "tool_ns_per_record": median([c["tool_s"] for c in cpu]),
                "broker_ns_per_record": median([c["broker_s"] for c in cpu]),
                "note": "whole JVM run (start-up, JIT and warm-up records included)"}
            # Acknowledgement time of one record at low load: the reference of strict delivery.
            rate, n_ack = 1000, a.ref_ack_records
            reps = []
            for i in range(a.reps):
                log(f"ProducerPerformance {size} B at {rate}/s, linger.ms=0 ({i + 1}/{a.reps})")
                out = self.tool(PRODUCER_PERF, "--bootstrap-server", a.bootstrap,
                                "--topic", topic, "--num-records", n_ack, "--record-size", size,
                                "--throughput", rate, "--warmup-records", n_ack // 2,
                                "--command-property", "acks=all", "linger.ms=0")
                m = re.search(r"steady state records sent, [\d.]+ records/sec "
                              r"\([\d.]+ MB/sec\), ([\d.]+) ms avg latency", out)
                if not m:
                    raise BenchError(f"unexpected ProducerPerformance output:\n{out}")
                reps.append(float(m.group(1)))
            self.add(f"ref.producer.ack.{size}", "reference",
                     f"ProducerPerformance, {size} B at {rate}/s: ack time", "ms/record", "lower",
                     reps, note="average send-to-acknowledgement time, acks=all linger.ms=0, "
                                "steady state (the first half of the records warm the JIT up)")

    # ------------------------------------------------------------------ 2. drain

    def fill(self, topic, items):
        log(f"filling {topic} with {items} items")
        rows = self.php("produce.php", queue=topic, items=items - 1, size=100, data="string",
                        delivery="fast", reps=1, group=self.group("fill"), timeout=600)
        if rows[0]["failed"]:
            raise BenchError(f"filling {topic}: {rows[0]['failed']} items failed")

    def drain_once(self, topic, processes, commit, limit, props=""):
        group = self.group("drain")
        procs = [subprocess.Popen(self.php_cmd("drain.php", queue=topic, group=group,
                                               commit=commit, limit=limit, props=props,
                                               broker_pid=self.broker_pid),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=self.env)
                 for _ in range(processes)]
        rows = []
        for p in procs:
            out, err = p.communicate(timeout=600)
            if p.returncode != 0:
                raise BenchError(f"drain.php exit {p.returncode}: {err.strip()[-2000:]}")
            rows.append(json.loads(out.strip().splitlines()[-1]))
        workers = [r for r in rows if r["count"] > 0]
        count = sum(r["count"] for r in rows)
        first = min(r["first_claim_ns"] for r in workers)
        last = max(r["last_delete_ns"] for r in workers)
        return {
            "items_per_s": (count - 1) / ((last - first) / 1e9),
            "count": count,
            "per_process": [r["count"] for r in rows],
            "join_ms": [r["join_ms"] for r in rows],
            "cpu": cpu_breakdown(rows, weights=[r["count"] for r in rows]),
        }

    def drains(self):
        a = self.args
        topic = self.topic("drain", 2)
        self.fill(topic, a.drain_items)
        for commit in ("fast", "strict"):
            for processes in (1, 2):
                limit = 0 if commit == "fast" else a.strict_drain_items // processes
                runs = []
                for i in range(a.reps):
                    log(f"drain, commit {commit}, {processes} process(es) ({i + 1}/{a.reps})")
                    runs.append(self.drain_once(topic, processes, commit, limit))
                fid = f"drain.{commit}.{processes}p"
                n = a.drain_items if commit == "fast" else a.strict_drain_items
                self.add(fid, "drain", f"drain (claim+delete), commit {commit}, "
                         f"{processes} process{'es' if processes > 1 else ''}", "items/s",
                         "higher", [r["items_per_s"] for r in runs], ref="ref.consumer",
                         note=f"{n} items of 100 B per repetition, new group each time, timed "
                              "from the first claimed item to the last deletion")
                self.series[fid] = runs
        # What-if: librdkafka's fetch.queue.backoff.ms (default 1000 ms) stalls a fast
        # worker that empties its pre-fetch queue; see docs/benchmarks.md.
        runs = []
        for i in range(a.reps):
            log(f"drain, commit fast, 1 process, fetch.queue.backoff.ms=10 ({i + 1}/{a.reps})")
            runs.append(self.drain_once(topic, 1, "fast", 0, props=FETCH_BACKOFF_FIX))
        self.add("drain.fast.1p.backoff10", "drain",
                 "drain, commit fast, 1 process, with fetch.queue.backoff.ms=10", "items/s",
                 "higher", [r["items_per_s"] for r in runs], ref="ref.consumer",
                 note="not the extension's default: the fix proposed in docs/benchmarks.md, "
                      "set through the queue's configuration")
        self.series["drain.fast.1p.backoff10"] = runs
        reps, cpu = [], []
        for i in range(a.reps):
            log(f"ConsumerPerformance, {a.drain_items} records ({i + 1}/{a.reps})")
            out = self.tool(CONSUMER_PERF, "--bootstrap-server", a.bootstrap, "--topic", topic,
                            "--num-records", a.drain_items, "--group", self.group("refcons"),
                            "--command-property", "group.protocol=consumer")
            reps.append(self.parse_consumer_perf(out)["fetch.nMsg.sec"])
            cpu.append({k: v / a.drain_items * 1e9 for k, v in self.last_tool_cpu.items()})
        self.add("ref.consumer", "reference", "ConsumerPerformance, one consumer", "records/s",
                 "higher", reps, note="fetch.nMsg.sec (group join excluded), "
                                      "group.protocol=consumer, same topic and records")
        self.series["ref.consumer.cpu"] = {
            "tool_ns_per_record": median([c["tool_s"] for c in cpu]),
            "broker_ns_per_record": median([c["broker_s"] for c in cpu]),
            "note": "whole JVM run (start-up, JIT and group join included)"}

    @staticmethod
    def parse_consumer_perf(out):
        lines = [l for l in out.splitlines() if l.strip()]
        for i, line in enumerate(lines):
            if line.startswith("start.time") and i + 1 < len(lines):
                keys = [k.strip() for k in line.split(",")]
                values = [v.strip() for v in lines[i + 1].split(",")]
                row = dict(zip(keys, values))
                return {k: float(v) for k, v in row.items() if re.fullmatch(r"-?[\d.]+", v)}
        raise BenchError(f"unexpected ConsumerPerformance output:\n{out}")

    # ------------------------------------------------------------------ 3. latency

    def latency_once(self, topic, delivery):
        a = self.args
        group = self.group("latency")
        ready = os.path.join(self.tmp, f"ready-{time.monotonic_ns()}")
        consumer = subprocess.Popen(
            self.php_cmd("latency.php", role="consumer", queue=topic, group=group,
                         count=a.latency_items, ready_file=ready),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        deadline = time.monotonic() + 60
        while not os.path.exists(ready):
            if consumer.poll() is not None or time.monotonic() > deadline:
                consumer.kill()
                raise BenchError(f"latency consumer did not get ready: "
                                 f"{consumer.communicate()[1][-2000:]}")
            time.sleep(0.02)
        prod = self.php("latency.php", role="producer", queue=topic, group=group,
                        delivery=delivery, rate=a.latency_rate, count=a.latency_items)
        out, err = consumer.communicate(timeout=120)
        if consumer.returncode != 0:
            raise BenchError(f"latency consumer exit {consumer.returncode}: {err[-2000:]}")
        cons = json.loads(out.strip().splitlines()[-1])
        lat = sorted(v / 1000 for v in cons["latency_us"])
        if len(lat) < a.latency_items:
            raise BenchError(f"latency: {len(lat)} of {a.latency_items} items arrived")
        create = sorted(v / 1000 for v in prod[0]["create_us"])
        return {
            "p50": percentile(lat, 50), "p99": percentile(lat, 99), "max": lat[-1],
            "mean": statistics.fmean(lat), "create_p50": percentile(create, 50),
            "create_p99": percentile(create, 99), "samples": len(lat),
            "empty_claim_ms": (cons["empty_claim_us_avg"] or 0) / 1000,
        }

    def latencies(self):
        a = self.args
        topic = self.topic("latency", 1)
        for delivery in ("strict", "fast"):
            runs = []
            for i in range(a.reps):
                log(f"latency, delivery {delivery}, {a.latency_items} items at "
                    f"{a.latency_rate}/s ({i + 1}/{a.reps})")
                runs.append(self.latency_once(topic, delivery))
            label = f"latency createItem→claimItem, {delivery}, {a.latency_rate}/s"
            note = (f"{a.latency_items} items of 100 B per repetition (after 20 warm-up items); "
                    "an empty claim is retried after 50 µs")
            for stat in ("p50", "p99", "max", "mean"):
                ref = f"ref.e2e.{'avg' if stat == 'mean' else stat}"
                self.add(f"latency.{delivery}.{stat}", "latency", f"{label}: {stat}", "ms",
                         "lower", [r[stat] for r in runs],
                         ref=ref if ref != "ref.e2e.max" else None, note=note)
            self.series[f"latency.{delivery}"] = runs
            self.add(f"latency.{delivery}.create", "latency",
                     f"createItem {delivery} at {a.latency_rate}/s: call duration p50", "ms",
                     "lower", [r["create_p50"] for r in runs])
            self.add(f"latency.{delivery}.empty_claim", "latency",
                     f"empty claimItem (queue drained) during that run: mean duration", "ms",
                     "lower", [r["empty_claim_ms"] for r in runs])
        topic = self.topic("ref-latency", 1)
        stats = {"p50": [], "p99": [], "avg": []}
        for i in range(a.reps):
            log(f"EndToEndLatency, {a.e2e_records} records ({i + 1}/{a.reps})")
            out = self.tool(END_TO_END, "--bootstrap-server", a.bootstrap, "--topic", topic,
                            "--num-records", a.e2e_records, "--producer-acks", "all",
                            "--record-size", 100)
            avg = re.search(r"Avg latency: ([\d.]+) ms", out)
            pct = re.search(r"Percentiles: 50th = (\d+), 99th = (\d+)", out)
            if not avg or not pct:
                raise BenchError(f"unexpected EndToEndLatency output:\n{out}")
            stats["avg"].append(float(avg.group(1)))
            stats["p50"].append(float(pct.group(1)))
            stats["p99"].append(float(pct.group(2)))
        note = ("one record at a time, acks=all, 100 B; the tool prints its percentiles "
                "truncated to whole milliseconds (and no maximum)")
        for stat, reps in stats.items():
            self.add(f"ref.e2e.{stat}", "reference", f"EndToEndLatency: {stat}", "ms", "lower",
                     reps, note=note)

    # ------------------------------------------------------------------ 4. cold start

    def cold_once(self, role, topic):
        t0 = time.time()
        p = subprocess.run(self.php_cmd("cold.php", role=role, queue=topic,
                                        group=self.group("cold")),
                           capture_output=True, text=True, env=self.env, timeout=60)
        t1 = time.time()
        if p.returncode != 0:
            raise BenchError(f"cold.php {role}: exit {p.returncode}: {p.stderr[-2000:]}")
        row = json.loads(p.stdout.strip().splitlines()[-1])
        return {
            "done_ms": (row["done"] - t0) * 1000,
            "php_start_ms": (row["script_start"] - t0) * 1000,
            "exit_ms": (t1 - t0) * 1000,
        }

    def cold_starts(self):
        a = self.args
        topic = self.topic("cold", 2)
        self.php("produce.php", queue=topic, items=9, size=100, data="string",
                 delivery="strict", reps=1, group=self.group("cold"))
        for role, label, target_label in (
                ("produce", "first createItem acknowledged", "ref.cold.produce"),
                ("claim", "first item claimed (group join included)", "ref.cold.consume")):
            runs = []
            count = a.cold_produce_reps if role == "produce" else a.cold_reps
            for i in range(count):
                log(f"cold start, {role} ({i + 1}/{count})")
                runs.append(self.cold_once(role, topic))
            self.add(f"cold.{role}", "cold start", f"cold start → {label}", "ms", "lower",
                     [r["done_ms"] for r in runs],
                     note="from starting `php` to the moment the call returned")
            self.add(f"cold.{role}.exit", "cold start",
                     f"cold start → {label}, process exited", "ms", "lower",
                     [r["exit_ms"] for r in runs], ref=target_label,
                     note="from starting `php` to its exit: comparable with the reference")
            self.series[f"cold.{role}"] = runs
            self.add(f"cold.{role}.exit_cost", "cold start",
                     f"cold start → {label}: from the call's return to the process's exit",
                     "ms", "lower", [r["exit_ms"] - r["done_ms"] for r in runs],
                     note="the clients' close, the producer's final flush and PHP's own "
                          "shutdown")
        bare = []
        for i in range(a.cold_produce_reps):
            t0 = time.time()
            self.run([a.php, "-r", "echo 1;"], timeout=60)
            bare.append((time.time() - t0) * 1000)
        self.add("cold.bare", "cold start", "bare `php -r 'echo 1;'`, no extension: start to exit",
                 "ms", "lower", bare)
        produce = self.figure("cold.produce.exit")
        self.add("cold.produce.over_bare", "cold start",
                 "cold process enqueueing one durable item, beyond bare `php -r`", "ms", "lower",
                 [produce["value"] - median(bare)],
                 note="medians of the two; target ≤ 25 ms")
        reps = []
        for i in range(a.reps):
            log(f"ProducerPerformance, 1 record, fresh JVM ({i + 1}/{a.reps})")
            t0 = time.time()
            self.tool(PRODUCER_PERF, "--bootstrap-server", a.bootstrap, "--topic", topic,
                      "--num-records", 1, "--record-size", 100, "--throughput", -1,
                      "--command-property", "acks=all")
            reps.append((time.time() - t0) * 1000)
        self.add("ref.cold.produce", "reference",
                 "ProducerPerformance, 1 record, fresh JVM: start to exit", "ms", "lower", reps)
        reps = []
        for i in range(a.reps):
            log(f"ConsumerPerformance, 1 record, fresh JVM and group ({i + 1}/{a.reps})")
            t0 = time.time()
            self.tool(CONSUMER_PERF, "--bootstrap-server", a.bootstrap, "--topic", topic,
                      "--num-records", 1, "--group", self.group("refcold"),
                      "--command-property", "group.protocol=consumer")
            reps.append((time.time() - t0) * 1000)
        self.add("ref.cold.consume", "reference",
                 "ConsumerPerformance, 1 record, fresh JVM and group: start to exit", "ms",
                 "lower", reps, note="group.protocol=consumer, as kafka_queue's workers")

    # ------------------------------------------------------------------ 5. idle worker

    def broker_requests(self, topic, group):
        """Runs idle.php's empty claims under strace; returns its JSON row, how many requests
        its threads sent to the brokers during the claims, by Kafka API key (read from each
        request's header: bytes 4-5 of the first buffer librdkafka's plaintext transport hands
        to sendmsg), and how long the claims took, in seconds."""
        a = self.args
        trace = os.path.join(self.tmp, f"strace-{time.monotonic_ns()}")
        out = self.run(["strace", "-f", "-qq", "-ttt", "-x", "-s", "16",
                        "-e", "trace=sendmsg,write", "-o", trace]
                       + self.php_cmd("idle.php", mode="empty", queue=topic, group=group,
                                      count=a.empty_claims, gap_ms=150), timeout=120)
        keys, during, marks = collections.Counter(), False, []
        with open(trace) as fh:
            for line in fh:
                if "claims: " in line:
                    during = "claims: start" in line
                    marks.append(float(line.split()[1]))
                    continue
                m = re.search(r'sendmsg\(.*?iov_base="((?:\\x[0-9a-f]{2}){6})', line)
                if during and m:
                    header = bytes.fromhex(m.group(1).replace("\\x", ""))
                    keys[int.from_bytes(header[4:6], "big")] += 1
        row = [json.loads(line) for line in out.splitlines() if line.startswith("{")][0]
        return row, keys, marks[-1] - marks[0]

    def idle_worker(self):
        a = self.args
        topic = self.topic("idle", 2)
        self.php("produce.php", queue=topic, items=10, size=100, data="string",
                 delivery="strict", reps=1, group=self.group("idle"))
        # The consumer's own background requests: Fetch (long polls) and
        # ConsumerGroupHeartbeat; the rest is what the claims asked.
        background = {1, 68}
        times, requests, fetches = [], [], []
        for i in range(a.reps):
            log(f"empty claims, {a.empty_claims} of them 150 ms apart ({i + 1}/{a.reps})")
            row, sent, seconds = self.broker_requests(topic, self.group("idle"))
            times.append(sorted(v / 1000 for v in row["claim_us"]))
            asked = sum(n for k, n in sent.items() if k not in background)
            requests.append(asked / a.empty_claims)
            fetches.append(sent[1] / seconds)
        self.add("idle.empty_claim.p50", "idle worker",
                 "empty claimItem on a drained queue (after a pause): p50", "ms", "lower",
                 [percentile(t, 50) for t in times],
                 note="claim_wait_ms 100, one claim every 150 ms, 2 partitions, both owned")
        self.add("idle.empty_claim.p99", "idle worker",
                 "empty claimItem on a drained queue (after a pause): p99", "ms", "lower",
                 [percentile(t, 99) for t in times])
        self.add("idle.empty_claim.requests", "idle worker",
                 "broker requests per empty claimItem", "requests", "lower", requests,
                 note="what the process sent during the claims (strace), its consumer's "
                      "Fetch long polls and heartbeats left out")
        self.add("idle.fetches", "idle worker",
                 "an idle worker's Fetch requests (long polls, librdkafka's own)", "per s",
                 "lower", fetches)
        shares = []
        for i in range(a.reps):
            log(f"polling worker, {a.idle_seconds} s ({i + 1}/{a.reps})")
            rows = self.php("idle.php", mode="loop", queue=topic, group=self.group("idle"),
                            seconds=a.idle_seconds, timeout=60 + a.idle_seconds)
            shares.append(rows[0]["cpu_share"] * 100)
        self.add("idle.polling_cpu", "idle worker",
                 "a worker calling claimItem() in a loop on a drained queue: CPU", "% of a core",
                 "lower", shares, note="PHP's thread and librdkafka's, from getrusage()")

    # ------------------------------------------------------------------ 6. PHP-FPM

    def fpm(self):
        """bench/fpm.py: nginx + php-fpm + wrk on loopback; its figures join this run's."""
        a = self.args
        out = os.path.join(self.tmp, "fpm.json")
        timing = ["--duration", "3", "--warmup", "1"] if a.quick else []
        log("PHP-FPM behind nginx, wrk on loopback (bench/fpm.py)")
        p = subprocess.run([sys.executable, os.path.join(BENCH, "fpm.py"), "--ext", self.ext,
                            "--php", a.php, "--bootstrap", a.bootstrap, "--json", out] + timing,
                           env=self.env, timeout=900)
        if p.returncode != 0:
            raise BenchError(f"bench/fpm.py: exit {p.returncode}")
        with open(out) as fh:
            self.figures.extend(json.load(fh)["figures"])

    # ------------------------------------------------------------------ 7. memory

    def memory(self):
        a = self.args
        topic = self.topic("memory", 2)
        self.fill(topic, a.memory_items)
        # librdkafka pre-fetches up to queued.min.messages (100000) records per partition and
        # queued.max.messages.kbytes (65536) in all: that buffer, not the worker, dominates the
        # RSS. The second run bounds it, to tell a bounded buffer from a leak.
        small = ("queued.min.messages:10000;queued.max.messages.kbytes:8192;"
                 + FETCH_BACKOFF_FIX)
        for variant, props, label in (("", "", "librdkafka's default pre-fetch"),
                                      (".small_prefetch", small,
                                       "pre-fetch bounded to 10000 records / 8 MiB per "
                                       "partition, fetch.queue.backoff.ms=10")):
            log(f"memory ({label}): one worker drains {a.memory_items} items, VmRSS every "
                f"{a.memory_every} items")
            rows = self.php("drain.php", queue=topic, group=self.group("memory"),
                            commit="fast", rss_every=a.memory_every, props=props,
                            broker_pid=self.broker_pid, timeout=900)
            row = rows[-1]
            samples = row["rss"]
            if row["count"] < a.memory_items:
                raise BenchError(f"memory: drained {row['count']} of {a.memory_items} items")
            # The first sample is taken before the first claim: skip it (start-up).
            steady = [s for s in samples if s[0] >= a.memory_every]
            rss = [s[1] / 1024 for s in steady]
            fifth = max(1, len(rss) // 5)
            note = (f"one run of {row['count']} items, {label}; VmRSS every "
                    f"{a.memory_every} items")
            sfx = variant
            lbl = "" if not variant else " (small pre-fetch)"
            self.add(f"memory.spread{sfx}", "memory", f"worker RSS, max − min{lbl}", "MiB",
                     "lower", [max(rss) - min(rss)], note=note)
            self.add(f"memory.drift{sfx}", "memory",
                     f"worker RSS, last fifth − first fifth{lbl}", "MiB", "lower",
                     [statistics.median(rss[-fifth:]) - statistics.median(rss[:fifth])],
                     note="medians of the first and last fifth of the samples")
            self.add(f"memory.rss.max{sfx}", "memory", f"worker RSS, maximum{lbl}", "MiB",
                     "lower", [max(rss)])
            # The trend, insensitive to the pre-fetch buffer filling and emptying: a least
            # squares line through the samples, in MiB per million items.
            xs = [s[0] / 1e6 for s in steady]
            mx, my = statistics.fmean(xs), statistics.fmean(rss)
            var = sum((x - mx) ** 2 for x in xs)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, rss)) / var if var else 0.0
            self.add(f"memory.slope{sfx}", "memory", f"worker RSS, trend{lbl}",
                     "MiB/M items", "lower", [slope],
                     note="least-squares slope of VmRSS against items drained")
            php_mem = [s[2] / 1024 / 1024 for s in steady]
            self.add(f"memory.php.growth{sfx}", "memory",
                     f"PHP heap (memory_get_usage), last − first{lbl}", "MiB", "lower",
                     [php_mem[-1] - php_mem[0]])
            self.add(f"drain.fast.1p.long{sfx}", "drain",
                     f"drain, commit fast, 1 process, {row['count']} items in one run{lbl}",
                     "items/s", "higher", [row["items_per_s"]], ref="ref.consumer")
            self.series["memory" + sfx] = {"samples": samples, "count": row["count"],
                                           "props": props, "cpu": cpu_breakdown([row])}

    # ------------------------------------------------------------------ results

    def ratios_and_targets(self):
        for f in self.figures:
            ref = self.figure(f["ref"]) if f.get("ref") else None
            if ref and ref["value"] and f["value"] is not None:
                f["ratio"] = f["value"] / ref["value"]
            t = TARGETS.get(f["id"])
            if t and f["value"] is not None:
                ok = True
                if "min" in t:
                    ok &= f["value"] >= t["min"]
                if "max" in t:
                    ok &= f["value"] <= t["max"]
                if "min_ratio" in t:
                    ok &= f.get("ratio") is not None and f["ratio"] >= t["min_ratio"]
                f["target"] = t
                f["met"] = bool(ok)

    def table(self):
        def fmt(v, unit):
            if v is None:
                return "-"
            if unit in ("items/s", "records/s"):
                return f"{v:,.0f}/s"
            if unit in ("ms", "ms/item", "ms/record"):
                return f"{v:.3f} ms" if v < 10 else f"{v:,.0f} ms"
            return f"{v:.2f} {unit}"

        def target(t, unit):
            parts = []
            if "min" in t:
                parts.append("≥ " + fmt(t["min"], unit))
            if "max" in t:
                parts.append("≤ " + fmt(t["max"], unit))
            if "min_ratio" in t:
                parts.append(f"≥ {t['min_ratio']}×")
            return ", ".join(parts)

        rows = [("figure (median of reps)", "ours", "reference", "ratio", "target")]
        for f in self.figures:
            if f["group"] == "reference":
                continue
            ref = self.figure(f["ref"]) if f.get("ref") else None
            ratio = ""
            if "ratio" in f:
                ratio = f"{f['ratio']:.2f}× ({f['better']} is better)"
            tgt = ""
            if "target" in f:
                tgt = f"{target(f['target'], f['unit'])}: {'met' if f['met'] else 'MISSED'}"
            rows.append((f["label"], fmt(f["value"], f["unit"]),
                         fmt(ref["value"], ref["unit"]) if ref else "", ratio, tgt))
        rows.append(("", "", "", "", ""))
        rows.append(("reference (Kafka's tools)", "", "", "", ""))
        for f in self.figures:
            if f["group"] == "reference":
                rows.append(("  " + f["label"], "", fmt(f["value"], f["unit"]), "", ""))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = []
        for r in rows:
            lines.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
            if r is rows[0]:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def cpu_rows(self):
        """CPU time per item by party: where the cores go (evidence for the limits)."""
        rows = []

        def add(label, cpu):
            if cpu:
                rows.append({"label": label, **{k: v for k, v in cpu.items() if k != "note"}})

        for size in self.args.sizes:
            add(f"createItem fast, {size} B string", self.series.get(f"create.fast.{size}.string.cpu"))
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

    def cpu_table(self, rows):
        cols = [("php_thread", "PHP thread"), ("librdkafka_threads", "librdkafka threads"),
                ("tool_jvm", "tool JVM"), ("broker", "broker JVM")]
        head = ["CPU µs per item (medians)"] + [c[1] for c in cols] + ["sum"]
        table = [head]
        for r in rows:
            vals = [r.get(k) for k, _ in cols]
            table.append([r["label"]] + [f"{v / 1000:.2f}" if v is not None else "" for v in vals]
                         + [f"{sum(v for v in vals if v) / 1000:.2f}"])
        widths = [max(len(t[i]) for t in table) for i in range(len(head))]
        lines = ["  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                           for i, c in enumerate(t)) for t in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

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


def machine_cpu():
    """(total, busy) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    return sum(v) / tick, (sum(v) - v[3] - v[4]) / tick


def busy_fraction(seconds=1.0):
    """Share of the machine's CPU time spent busy over `seconds`, before the run starts."""
    def snap():
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
        return sum(v), v[3] + v[4]

    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return round(1 - (i1 - i0) / max(1, t1 - t0), 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ext", default=os.path.join(ROOT, "target", "release",
                                                  "libkafka_queue.so"))
    ap.add_argument("--php", default=os.environ.get("PHP", "php"))
    ap.add_argument("--bootstrap", default=os.environ.get("BENCH_BOOTSTRAP", "127.0.0.1:19092"))
    ap.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "3")))
    ap.add_argument("--quick", action="store_true",
                    default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
                    help="a tenth of the items and one repetition: checks the harness only")
    ap.add_argument("--ref-jvm", choices=("full", "lean"),
                    default=os.environ.get("BENCH_REF_JVM", "full"),
                    help="full: Kafka's tools with the JVM options of Kafka's bin scripts; "
                         "lean: kafka.sh tool's own (C1 only)")
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                    help="comma-separated subset of: produce,drain,latency,cold,idle,fpm,memory")
    ap.add_argument("--json", default=os.path.join(ROOT, "docs", "bench.json"))
    ap.add_argument("--png", default=os.path.join(ROOT, "docs", "bench.png"))
    ap.add_argument("--label", default="",
                    help="what was measured, when it is not the repository's own build")
    ap.add_argument("--keep-topics", action="store_true",
                    default=os.environ.get("BENCH_KEEP_TOPICS", "") not in ("", "0"))
    a = ap.parse_args()

    scale = 10 if a.quick else 1
    if a.quick:
        a.reps = 1
    a.sizes = (100, 1024)
    a.fast_items = 500_000 // scale
    a.fast_items_1k = 200_000 // scale
    a.strict_items = 2000 // scale
    a.ref_items = 1_000_000 // scale
    a.ref_items_1k = 300_000 // scale
    a.ref_ack_records = 4000 // scale
    a.drain_items = 300_000 // scale
    a.strict_drain_items = 3000 // scale
    a.latency_rate = 100
    a.latency_items = 500 // scale
    a.e2e_records = 2000 // scale
    a.cold_reps = 5 if not a.quick else 1
    a.cold_produce_reps = 50 if not a.quick else 5
    a.empty_claims = 100 // scale
    a.idle_seconds = 10 if not a.quick else 2
    a.memory_items = 1_000_000 // scale
    a.memory_every = 10_000 // scale
    if not os.path.exists(a.ext):
        sys.exit(f"bench: no extension at {a.ext}: run `make build` first")
    only = set(filter(None, a.only.split(",")))

    r = Runner(a)
    started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    t_start = time.monotonic()
    busy = busy_fraction()
    if busy > 0.15:
        note = (f"the machine was {busy:.0%} busy before the run started: other processes "
                "compete for its cores and the figures are lower and noisier than on an idle "
                "machine")
        r.notes.append(note)
        log("warning: " + note)
    m0, c0, b0 = machine_cpu(), os.times(), process_cpu_ns(r.broker_pid)
    steps = [("produce", r.create_items), ("produce", r.producer_references),
             ("drain", r.drains), ("latency", r.latencies), ("cold", r.cold_starts),
             ("idle", r.idle_worker), ("fpm", r.fpm), ("memory", r.memory)]
    try:
        for name, step in steps:
            if not only or name in only:
                step()
    except BenchError as e:
        sys.exit(f"bench: {e}")
    finally:
        if not a.keep_topics:
            r.delete_topics()
        shutil.rmtree(r.tmp, ignore_errors=True)
    finished = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    m1, c1, b1 = machine_cpu(), os.times(), process_cpu_ns(r.broker_pid)
    ours = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    broker = (b1 - b0) / 1e9
    foreign = max(0.0, (m1[1] - m0[1]) - ours - broker)
    other_share = foreign / max(1e-9, m1[0] - m0[0])
    if other_share > 0.05:
        note = (f"other processes used {other_share:.0%} of the machine's CPU during the run "
                f"({foreign:.0f} CPU-seconds besides the benchmark's processes and the broker)")
        r.notes.append(note)
        log("warning: " + note)
    r.ratios_and_targets()
    result = {
        "meta": r.meta(started, finished, busy),
        "figures": r.figures,
        "series": r.series,
    }
    result["meta"]["duration_s"] = round(time.monotonic() - t_start, 1)
    result["meta"]["cpu_seconds"] = {"benchmark_processes": round(ours, 1),
                                     "broker": round(broker, 1),
                                     "other_processes": round(foreign, 1),
                                     "machine_capacity": round(m1[0] - m0[0], 1)}
    result["cpu_per_item"] = r.cpu_rows()
    print(r.table())
    if result["cpu_per_item"]:
        print()
        print(r.cpu_table(result["cpu_per_item"]))
    print(f"\n{len(r.figures)} figures in {result['meta']['duration_s']} s; "
          f"machine: {result['meta']['cores']} cores, {result['meta']['cpu']}")
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as fh:
        json.dump(result, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    log(f"wrote {os.path.relpath(a.json, ROOT)}")


if __name__ == "__main__":
    main()
