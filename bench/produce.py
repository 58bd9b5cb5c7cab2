"""createItem throughput and acknowledgement time, and ProducerPerformance as their reference."""

import re

from common import PRODUCER_PERF, BenchError, cpu_breakdown, log, median

def create_items(runner):
    a = runner.args
    topic = runner.topic("produce", 2)
    for size in a.sizes:
        for data in ("string", "array"):
            for delivery in ("fast", "strict"):
                if delivery == "fast":
                    items = a.fast_items if size <= 100 else a.fast_items_1k
                else:
                    items = a.strict_items
                log(f"createItem {delivery} {size} B {data}: {a.reps} x {items} items")
                rows = runner.php("produce.php", queue=topic, items=items, size=size,
                                data=data, delivery=delivery, reps=a.reps,
                                group=runner.group("produce"), broker_pid=runner.broker_pid)
                if any(r["failed"] for r in rows):
                    raise BenchError(f"createItem {delivery} {size} {data}: items failed")
                fid = f"create.{delivery}.{size}.{data}"
                if delivery == "fast":
                    runner.add(fid, "createItem",
                             f"createItem {delivery}, {size} B {data}", "items/s", "higher",
                             [r["items_per_s"] for r in rows], ref=f"ref.producer.{size}",
                             note=f"{items} items per repetition, flush included")
                else:
                    runner.add(fid, "createItem",
                             f"createItem {delivery}, {size} B {data}, time per call", "ms/item",
                             "lower",
                             [r["us_per_item"] / 1000 for r in rows],
                             ref=f"ref.producer.ack.{size}",
                             note=f"{items} acknowledged createItem calls in a row")
                    runner.add(fid + ".rate", "createItem",
                             f"createItem {delivery}, {size} B {data}, rate", "items/s",
                             "higher",
                             [r["items_per_s"] for r in rows])
                runner.series[fid + ".cpu"] = cpu_breakdown(rows)


def producer_references(runner):
    a = runner.args
    topic = runner.topic("ref-produce", 2)
    for size in a.sizes:
        n = a.ref_items if size <= 100 else a.ref_items_1k
        reps, overall, cpu = [], [], []
        for i in range(a.reps):
            log(f"ProducerPerformance {size} B: {n} records ({i + 1}/{a.reps})")
            out = runner.tool(PRODUCER_PERF, "--bootstrap-server", a.bootstrap,
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
            cpu.append({k: v / n * 1e9 for k, v in runner.last_tool_cpu.items()})
        runner.add(f"ref.producer.{size}", "reference",
                 f"ProducerPerformance, {size} B, steady state", "records/s", "higher", reps,
                 note="acks=all linger.ms=5 batch.size=1000000 (librdkafka's default); "
                      "first 10% of records are warm-up")
        runner.series[f"ref.producer.{size}.overall"] = overall
        runner.series[f"ref.producer.{size}.cpu"] = {
            "tool_ns_per_record": median([c["tool_s"] for c in cpu]),
            "broker_ns_per_record": median([c["broker_s"] for c in cpu]),
            "note": "whole JVM run (start-up, JIT and warm-up records included)"}
        # Acknowledgement time of one record at low load: the reference of strict delivery.
        rate, n_ack = 1000, a.ref_ack_records
        reps = []
        for i in range(a.reps):
            log(f"ProducerPerformance {size} B at {rate}/s, linger.ms=0 ({i + 1}/{a.reps})")
            out = runner.tool(PRODUCER_PERF, "--bootstrap-server", a.bootstrap,
                            "--topic", topic, "--num-records", n_ack, "--record-size", size,
                            "--throughput", rate, "--warmup-records", n_ack // 2,
                            "--command-property", "acks=all", "linger.ms=0")
            m = re.search(r"steady state records sent, [\d.]+ records/sec "
                          r"\([\d.]+ MB/sec\), ([\d.]+) ms avg latency", out)
            if not m:
                raise BenchError(f"unexpected ProducerPerformance output:\n{out}")
            reps.append(float(m.group(1)))
        runner.add(f"ref.producer.ack.{size}", "reference",
                 f"ProducerPerformance, {size} B at {rate}/s: ack time", "ms/record", "lower",
                 reps, note="average send-to-acknowledgement time, acks=all linger.ms=0, "
                            "steady state (the first half of the records warm the JIT up)")
