"""What every part of the benchmarks shares: paths, errors, CPU accounting, statistics."""

import hashlib
import os
import shutil
import statistics
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PHP_DIR = os.path.join(BENCH, "php")
KAFKA_SH = os.path.join(ROOT, "scripts", "kafka", "kafka.sh")

# Kafka's own tools, the references of our figures.
PRODUCER_PERF = "org.apache.kafka.tools.ProducerPerformance"
CONSUMER_PERF = "org.apache.kafka.tools.ConsumerPerformance"
END_TO_END = "org.apache.kafka.tools.EndToEndLatency"


class BenchError(Exception):
    pass


def copy_extension(path, folder):
    """A private copy of the extension in `folder`, and its SHA-256: a rebuild during the run
    cannot swap it under us."""
    copy = os.path.join(folder, "libkafka_queue.so")
    shutil.copyfile(path, copy)
    with open(copy, "rb") as fh:
        return copy, hashlib.sha256(fh.read()).hexdigest()


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
