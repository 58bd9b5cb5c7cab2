#!/usr/bin/env python3
"""A/B comparison of extension builds on one hot path, runs interleaved so that the machine's
load hits every build alike.

    python3 bench/ab.py produce A.so B.so [...]      createItem, fast, 100 B, 500000 items
    python3 bench/ab.py drain A.so B.so [...]        claimItem + deleteItem, fast commit,
                                                     300000 items, a new group per run
    --props 'name:value;name:value'                  librdkafka properties for the drain

Prints, per build, the median items/s and the CPU nanoseconds per item of the PHP thread, of
librdkafka's threads and of the broker. CPU per item moves far less with the machine's load than items/s: on a busy
machine, compare those. Used for the prototype measurements in docs/benchmarks.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from common import KAFKA_SH, PHP_DIR, broker_pid, cpu_breakdown


def php(ext, script, **kv):
    cmd = [os.environ.get("PHP", "php"), "-d", f"extension={ext}",
           os.path.join(PHP_DIR, script)] + [f"{k}={v}" for k, v in kv.items()]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"ab: {script} with {ext}: exit {p.returncode}\n{p.stderr[-2000:]}")
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", choices=("produce", "drain"))
    ap.add_argument("builds", nargs="+", help="paths of libkafka_queue.so builds")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--props", default="", help="drain only: extra librdkafka properties")
    a = ap.parse_args()
    bpid = broker_pid()
    topic = f"ab-{a.path}-{time.strftime('%Y%m%d%H%M%S')}"
    rows = php(a.builds[0], "provision.php", partitions=2, queue=topic)
    topic = rows[0]["topic"]
    results = {b: [] for b in a.builds}
    try:
        if a.path == "drain":
            php(a.builds[0], "produce.php", queue=topic, items=299_999, reps=1, delivery="fast")
        for r in range(a.rounds):
            for build in a.builds:
                if a.path == "produce":
                    out = php(build, "produce.php", queue=topic, items=500_000, reps=2,
                              broker_pid=bpid)
                else:
                    out = php(build, "drain.php", queue=topic, group=f"ab-{time.time_ns()}",
                              props=a.props, broker_pid=bpid)
                for x in out:
                    cpu = cpu_breakdown([x])
                    results[build].append((x["items_per_s"], cpu["php_thread"],
                                           cpu["librdkafka_threads"], cpu["broker"]))
                print(f"ab: round {r + 1}, {os.path.basename(build)}: "
                      + ", ".join(f"{x[0]:,.0f}/s" for x in results[build][-len(out):]),
                      file=sys.stderr, flush=True)
    finally:
        subprocess.run([KAFKA_SH, "topics", "--delete", "--topic", topic],
                       capture_output=True, timeout=60)
    print(f"{a.path}{' with ' + a.props if a.props else ''}: medians of "
          f"{len(next(iter(results.values())))} runs")
    for build, v in results.items():
        print(f"  {build}: {statistics.median(x[0] for x in v):,.0f} items/s "
              f"(runs: {', '.join(f'{x[0] / 1000:.0f}k' for x in v)}); CPU per item: PHP thread "
              f"{statistics.median(x[1] for x in v):,.0f} ns, librdkafka's threads "
              f"{statistics.median(x[2] for x in v):,.0f} ns, broker "
              f"{statistics.median(x[3] for x in v):,.0f} ns")


if __name__ == "__main__":
    main()
