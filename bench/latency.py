"""End-to-end latency, createItem in one process to claimItem in another, and
EndToEndLatency as the reference."""

import json
import os
import re
import statistics
import subprocess
import time

from common import END_TO_END, BenchError, log, percentile

def latency_once(runner, topic, delivery):
    a = runner.args
    group = runner.group("latency")
    ready = os.path.join(runner.tmp, f"ready-{time.monotonic_ns()}")
    consumer = subprocess.Popen(
        runner.php_cmd("latency.php", role="consumer", queue=topic, group=group,
                     count=a.latency_items, ready_file=ready),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=runner.env)
    deadline = time.monotonic() + 60
    while not os.path.exists(ready):
        if consumer.poll() is not None or time.monotonic() > deadline:
            consumer.kill()
            raise BenchError(f"latency consumer did not get ready: "
                             f"{consumer.communicate()[1][-2000:]}")
        time.sleep(0.02)
    prod = runner.php("latency.php", role="producer", queue=topic, group=group,
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


def latencies(runner):
    a = runner.args
    topic = runner.topic("latency", 1)
    for delivery in ("strict", "fast"):
        runs = []
        for i in range(a.reps):
            log(f"latency, delivery {delivery}, {a.latency_items} items at "
                f"{a.latency_rate}/s ({i + 1}/{a.reps})")
            runs.append(latency_once(runner, topic, delivery))
        label = f"latency createItem→claimItem, {delivery}, {a.latency_rate}/s"
        note = (f"{a.latency_items} items of 100 B per repetition (after 20 warm-up items); "
                "an empty claim is retried after 50 µs")
        for stat in ("p50", "p99", "max", "mean"):
            ref = f"ref.e2e.{'avg' if stat == 'mean' else stat}"
            runner.add(f"latency.{delivery}.{stat}", "latency", f"{label}: {stat}", "ms",
                     "lower", [r[stat] for r in runs],
                     ref=ref if ref != "ref.e2e.max" else None, note=note)
        runner.series[f"latency.{delivery}"] = runs
        runner.add(f"latency.{delivery}.create", "latency",
                 f"createItem {delivery} at {a.latency_rate}/s: call duration p50", "ms",
                 "lower", [r["create_p50"] for r in runs])
        runner.add(f"latency.{delivery}.empty_claim", "latency",
                 f"empty claimItem (queue drained) during that run: mean duration", "ms",
                 "lower", [r["empty_claim_ms"] for r in runs])
    topic = runner.topic("ref-latency", 1)
    stats = {"p50": [], "p99": [], "avg": []}
    for i in range(a.reps):
        log(f"EndToEndLatency, {a.e2e_records} records ({i + 1}/{a.reps})")
        out = runner.tool(END_TO_END, "--bootstrap-server", a.bootstrap, "--topic", topic,
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
        runner.add(f"ref.e2e.{stat}", "reference", f"EndToEndLatency: {stat}", "ms", "lower",
                 reps, note=note)
