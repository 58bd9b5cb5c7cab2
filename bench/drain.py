"""Draining a full queue (claimItem + deleteItem) with one and two workers, and
ConsumerPerformance as the reference."""

import json
import re
import subprocess

from common import CONSUMER_PERF, BenchError, cpu_breakdown, log, median

# librdkafka waits fetch.queue.backoff.ms (1000 ms by default) before fetching again for a
# partition whose pre-fetch queue was over its thresholds.
FETCH_BACKOFF_FIX = "fetch.queue.backoff.ms:10"


def fill(runner, topic, items):
    log(f"filling {topic} with {items} items")
    rows = runner.php("produce.php", queue=topic, items=items - 1, size=100, data="string",
                    delivery="fast", reps=1, group=runner.group("fill"), timeout=600)
    if rows[0]["failed"]:
        raise BenchError(f"filling {topic}: {rows[0]['failed']} items failed")


def drain_once(runner, topic, processes, commit, limit, props=""):
    group = runner.group("drain")
    procs = [subprocess.Popen(runner.php_cmd("drain.php", queue=topic, group=group,
                                           commit=commit, limit=limit, props=props,
                                           broker_pid=runner.broker_pid),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=runner.env)
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


def drains(runner):
    a = runner.args
    topic = runner.topic("drain", 2)
    fill(runner, topic, a.drain_items)
    for commit in ("fast", "strict"):
        for processes in (1, 2):
            limit = 0 if commit == "fast" else a.strict_drain_items // processes
            runs = []
            for i in range(a.reps):
                log(f"drain, commit {commit}, {processes} process(es) ({i + 1}/{a.reps})")
                runs.append(drain_once(runner, topic, processes, commit, limit))
            fid = f"drain.{commit}.{processes}p"
            n = a.drain_items if commit == "fast" else a.strict_drain_items
            runner.add(fid, "drain", f"drain (claim+delete), commit {commit}, "
                     f"{processes} process{'es' if processes > 1 else ''}", "items/s",
                     "higher", [r["items_per_s"] for r in runs], ref="ref.consumer",
                     note=f"{n} items of 100 B per repetition, new group each time, timed "
                          "from the first claimed item to the last deletion")
            runner.series[fid] = runs
    # What-if: librdkafka's fetch.queue.backoff.ms (default 1000 ms) stalls a fast
    # worker that empties its pre-fetch queue; see docs/benchmarks.md.
    runs = []
    for i in range(a.reps):
        log(f"drain, commit fast, 1 process, fetch.queue.backoff.ms=10 ({i + 1}/{a.reps})")
        runs.append(drain_once(runner, topic, 1, "fast", 0, props=FETCH_BACKOFF_FIX))
    runner.add("drain.fast.1p.backoff10", "drain",
             "drain, commit fast, 1 process, with fetch.queue.backoff.ms=10", "items/s",
             "higher", [r["items_per_s"] for r in runs], ref="ref.consumer",
             note="not the extension's default: the fix proposed in docs/benchmarks.md, "
                  "set through the queue's configuration")
    runner.series["drain.fast.1p.backoff10"] = runs
    reps, cpu = [], []
    for i in range(a.reps):
        log(f"ConsumerPerformance, {a.drain_items} records ({i + 1}/{a.reps})")
        out = runner.tool(CONSUMER_PERF, "--bootstrap-server", a.bootstrap, "--topic", topic,
                        "--num-records", a.drain_items, "--group", runner.group("refcons"),
                        "--command-property", "group.protocol=consumer")
        reps.append(parse_consumer_perf(out)["fetch.nMsg.sec"])
        cpu.append({k: v / a.drain_items * 1e9 for k, v in runner.last_tool_cpu.items()})
    runner.add("ref.consumer", "reference", "ConsumerPerformance, one consumer", "records/s",
             "higher", reps, note="fetch.nMsg.sec (group join excluded), "
                                  "group.protocol=consumer, same topic and records")
    runner.series["ref.consumer.cpu"] = {
        "tool_ns_per_record": median([c["tool_s"] for c in cpu]),
        "broker_ns_per_record": median([c["broker_s"] for c in cpu]),
        "note": "whole JVM run (start-up, JIT and group join included)"}


def parse_consumer_perf(out):
    lines = [l for l in out.splitlines() if l.strip()]
    for i, line in enumerate(lines):
        if line.startswith("start.time") and i + 1 < len(lines):
            keys = [k.strip() for k in line.split(",")]
            values = [v.strip() for v in lines[i + 1].split(",")]
            row = dict(zip(keys, values))
            return {k: float(v) for k, v in row.items() if re.fullmatch(r"-?[\d.]+", v)}
    raise BenchError(f"unexpected ConsumerPerformance output:\n{out}")
