#!/usr/bin/env python3
"""kafka_queue benchmarks, side by side with Kafka's own tools, on one machine in one run.

Run by `make bench` (see mk/bench.mk and docs/benchmarks.md). Needs a running local broker
(scripts/kafka/kafka.sh start), the built extension, php and java. Standard library only; the
chart is drawn by bench/chart.py when matplotlib is available.

Every figure is the median of --reps repetitions unless its label says otherwise; every figure
of ours is printed with its ratio to the Kafka tool that measures the same thing.
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import time

import drain
import edges
import figures
import latency
import memory
import produce
from common import ROOT, BenchError, busy_fraction, log, machine_cpu, process_cpu_ns
from runner import Runner


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
    steps = [("produce", produce.create_items), ("produce", produce.producer_references),
             ("drain", drain.drains), ("latency", latency.latencies), ("cold", edges.cold_starts),
             ("idle", edges.idle_worker), ("fpm", edges.fpm), ("memory", memory.memory)]
    try:
        for name, step in steps:
            if not only or name in only:
                step(r)
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
    figures.judge(r.figures)
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
    print(figures.markdown(result))
    print(f"\n{len(r.figures)} figures in {result['meta']['duration_s']} s; "
          f"machine: {result['meta']['cores']} cores, {result['meta']['cpu']}")
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as fh:
        json.dump(result, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    log(f"wrote {os.path.relpath(a.json, ROOT)}")


if __name__ == "__main__":
    main()
