"""The edges of a queue's life: cold processes and their exit, empty claims and idle workers,
PHP-FPM requests (bench/fpm.py)."""

import collections
import json
import os
import re
import subprocess
import sys
import time

from common import (BENCH, CONSUMER_PERF, PRODUCER_PERF, BenchError, log, median,
                    percentile)

def cold_once(runner, role, topic):
    t0 = time.time()
    p = subprocess.run(runner.php_cmd("cold.php", role=role, queue=topic,
                                    group=runner.group("cold")),
                       capture_output=True, text=True, env=runner.env, timeout=60)
    t1 = time.time()
    if p.returncode != 0:
        raise BenchError(f"cold.php {role}: exit {p.returncode}: {p.stderr[-2000:]}")
    row = json.loads(p.stdout.strip().splitlines()[-1])
    return {
        "done_ms": (row["done"] - t0) * 1000,
        "php_start_ms": (row["script_start"] - t0) * 1000,
        "exit_ms": (t1 - t0) * 1000,
    }


def cold_starts(runner):
    a = runner.args
    topic = runner.topic("cold", 2)
    runner.php("produce.php", queue=topic, items=9, size=100, data="string",
             delivery="strict", reps=1, group=runner.group("cold"))
    for role, label, target_label in (
            ("produce", "first createItem acknowledged", "ref.cold.produce"),
            ("claim", "first item claimed (group join included)", "ref.cold.consume")):
        runs = []
        count = a.cold_produce_reps if role == "produce" else a.cold_reps
        for i in range(count):
            log(f"cold start, {role} ({i + 1}/{count})")
            runs.append(cold_once(runner, role, topic))
        runner.add(f"cold.{role}", "cold start", f"cold start → {label}", "ms", "lower",
                 [r["done_ms"] for r in runs],
                 note="from starting `php` to the moment the call returned")
        runner.add(f"cold.{role}.exit", "cold start",
                 f"cold start → {label}, process exited", "ms", "lower",
                 [r["exit_ms"] for r in runs], ref=target_label,
                 note="from starting `php` to its exit: comparable with the reference")
        runner.series[f"cold.{role}"] = runs
        runner.add(f"cold.{role}.exit_cost", "cold start",
                 f"cold start → {label}: from the call's return to the process's exit",
                 "ms", "lower", [r["exit_ms"] - r["done_ms"] for r in runs],
                 note="the clients' close, the producer's final flush and PHP's own "
                      "shutdown")
    bare = []
    for i in range(a.cold_produce_reps):
        t0 = time.time()
        runner.run([a.php, "-r", "echo 1;"], timeout=60)
        bare.append((time.time() - t0) * 1000)
    runner.add("cold.bare", "cold start", "bare `php -r 'echo 1;'`, no extension: start to exit",
             "ms", "lower", bare)
    produce = runner.figure("cold.produce.exit")
    runner.add("cold.produce.over_bare", "cold start",
             "cold process enqueueing one durable item, beyond bare `php -r`", "ms", "lower",
             [produce["value"] - median(bare)],
             note="medians of the two; target ≤ 25 ms")
    reps = []
    for i in range(a.reps):
        log(f"ProducerPerformance, 1 record, fresh JVM ({i + 1}/{a.reps})")
        t0 = time.time()
        runner.tool(PRODUCER_PERF, "--bootstrap-server", a.bootstrap, "--topic", topic,
                  "--num-records", 1, "--record-size", 100, "--throughput", -1,
                  "--command-property", "acks=all")
        reps.append((time.time() - t0) * 1000)
    runner.add("ref.cold.produce", "reference",
             "ProducerPerformance, 1 record, fresh JVM: start to exit", "ms", "lower", reps)
    reps = []
    for i in range(a.reps):
        log(f"ConsumerPerformance, 1 record, fresh JVM and group ({i + 1}/{a.reps})")
        t0 = time.time()
        runner.tool(CONSUMER_PERF, "--bootstrap-server", a.bootstrap, "--topic", topic,
                  "--num-records", 1, "--group", runner.group("refcold"),
                  "--command-property", "group.protocol=consumer")
        reps.append((time.time() - t0) * 1000)
    runner.add("ref.cold.consume", "reference",
             "ConsumerPerformance, 1 record, fresh JVM and group: start to exit", "ms",
             "lower", reps, note="group.protocol=consumer, as kafka_queue's workers")


def broker_requests(runner, topic, group):
    """Runs idle.php's empty claims under strace; returns its JSON row, how many requests
    its threads sent to the brokers during the claims, by Kafka API key (read from each
    request's header: bytes 4-5 of the first buffer librdkafka's plaintext transport hands
    to sendmsg), and how long the claims took, in seconds."""
    a = runner.args
    trace = os.path.join(runner.tmp, f"strace-{time.monotonic_ns()}")
    out = runner.run(["strace", "-f", "-qq", "-ttt", "-x", "-s", "16",
                    "-e", "trace=sendmsg,write", "-o", trace]
                   + runner.php_cmd("idle.php", mode="empty", queue=topic, group=group,
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


def idle_worker(runner):
    a = runner.args
    topic = runner.topic("idle", 2)
    runner.php("produce.php", queue=topic, items=10, size=100, data="string",
             delivery="strict", reps=1, group=runner.group("idle"))
    # The consumer's own background requests: Fetch (long polls) and
    # ConsumerGroupHeartbeat; the rest is what the claims asked.
    background = {1, 68}
    times, requests, fetches = [], [], []
    for i in range(a.reps):
        log(f"empty claims, {a.empty_claims} of them 150 ms apart ({i + 1}/{a.reps})")
        row, sent, seconds = broker_requests(runner, topic, runner.group("idle"))
        times.append(sorted(v / 1000 for v in row["claim_us"]))
        asked = sum(n for k, n in sent.items() if k not in background)
        requests.append(asked / a.empty_claims)
        fetches.append(sent[1] / seconds)
    runner.add("idle.empty_claim.p50", "idle worker",
             "empty claimItem on a drained queue (after a pause): p50", "ms", "lower",
             [percentile(t, 50) for t in times],
             note="claim_wait_ms 100, one claim every 150 ms, 2 partitions, both owned")
    runner.add("idle.empty_claim.p99", "idle worker",
             "empty claimItem on a drained queue (after a pause): p99", "ms", "lower",
             [percentile(t, 99) for t in times])
    runner.add("idle.empty_claim.requests", "idle worker",
             "broker requests per empty claimItem", "requests", "lower", requests,
             note="what the process sent during the claims (strace), its consumer's "
                  "Fetch long polls and heartbeats left out")
    runner.add("idle.fetches", "idle worker",
             "an idle worker's Fetch requests (long polls, librdkafka's own)", "per s",
             "lower", fetches)
    shares = []
    for i in range(a.reps):
        log(f"polling worker, {a.idle_seconds} s ({i + 1}/{a.reps})")
        rows = runner.php("idle.php", mode="loop", queue=topic, group=runner.group("idle"),
                        seconds=a.idle_seconds, timeout=60 + a.idle_seconds)
        shares.append(rows[0]["cpu_share"] * 100)
    runner.add("idle.polling_cpu", "idle worker",
             "a worker calling claimItem() in a loop on a drained queue: CPU", "% of a core",
             "lower", shares, note="PHP's thread and librdkafka's, from getrusage()")


def fpm(runner):
    """bench/fpm.py: nginx + php-fpm + wrk on loopback; its figures join this run's."""
    a = runner.args
    out = os.path.join(runner.tmp, "fpm.json")
    timing = ["--duration", "3", "--warmup", "1"] if a.quick else []
    log("PHP-FPM behind nginx, wrk on loopback (bench/fpm.py)")
    p = subprocess.run([sys.executable, os.path.join(BENCH, "fpm.py"), "--ext", runner.ext,
                        "--php", a.php, "--bootstrap", a.bootstrap, "--json", out] + timing,
                       env=runner.env, timeout=900)
    if p.returncode != 0:
        raise BenchError(f"bench/fpm.py: exit {p.returncode}")
    with open(out) as fh:
        runner.figures.extend(json.load(fh)["figures"])
