"""A worker's memory over a long drain: RSS spread, drift and trend, and the PHP heap."""

import statistics

from common import BenchError, cpu_breakdown, log
from drain import FETCH_BACKOFF_FIX, fill

def memory(runner):
    a = runner.args
    topic = runner.topic("memory", 2)
    fill(runner, topic, a.memory_items)
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
        rows = runner.php("drain.php", queue=topic, group=runner.group("memory"),
                        commit="fast", rss_every=a.memory_every, props=props,
                        broker_pid=runner.broker_pid, timeout=900)
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
        runner.add(f"memory.spread{sfx}", "memory", f"worker RSS, max − min{lbl}", "MiB",
                 "lower", [max(rss) - min(rss)], note=note)
        runner.add(f"memory.drift{sfx}", "memory",
                 f"worker RSS, last fifth − first fifth{lbl}", "MiB", "lower",
                 [statistics.median(rss[-fifth:]) - statistics.median(rss[:fifth])],
                 note="medians of the first and last fifth of the samples")
        runner.add(f"memory.rss.max{sfx}", "memory", f"worker RSS, maximum{lbl}", "MiB",
                 "lower", [max(rss)])
        # The trend, insensitive to the pre-fetch buffer filling and emptying: a least
        # squares line through the samples, in MiB per million items.
        xs = [s[0] / 1e6 for s in steady]
        mx, my = statistics.fmean(xs), statistics.fmean(rss)
        var = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, rss)) / var if var else 0.0
        runner.add(f"memory.slope{sfx}", "memory", f"worker RSS, trend{lbl}",
                 "MiB/M items", "lower", [slope],
                 note="least-squares slope of VmRSS against items drained")
        php_mem = [s[2] / 1024 / 1024 for s in steady]
        runner.add(f"memory.php.growth{sfx}", "memory",
                 f"PHP heap (memory_get_usage), last − first{lbl}", "MiB", "lower",
                 [php_mem[-1] - php_mem[0]])
        runner.add(f"drain.fast.1p.long{sfx}", "drain",
                 f"drain, commit fast, 1 process, {row['count']} items in one run{lbl}",
                 "items/s", "higher", [row["items_per_s"]], ref="ref.consumer")
        runner.series["memory" + sfx] = {"samples": samples, "count": row["count"],
                                       "props": props, "cpu": cpu_breakdown([row])}
