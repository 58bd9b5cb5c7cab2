#!/usr/bin/env python3
"""Draws docs/bench.png from docs/bench.json (written by bench/bench.py). Needs matplotlib;
`make bench` installs it into bench/.venv."""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS, OURS2, REF, TARGET = "#1f77b4", "#9ecae1", "#ff7f0e", "#d62728"


def fig_of(data, fid):
    for f in data["figures"]:
        if f["id"] == fid:
            return f
    return None


def value(data, fid):
    f = fig_of(data, fid)
    return f["value"] if f else None


def bars(ax, labels, series, ylabel, log=False, fmt="{:,.0f}"):
    """Grouped bars: series is [(name, color, [values per label])]."""
    n = len(series)
    width = 0.8 / n
    for i, (name, color, values) in enumerate(series):
        xs = [x + (i - (n - 1) / 2) * width for x in range(len(labels))]
        vals = [v if v is not None else 0 for v in values]
        rects = ax.bar(xs, vals, width, label=name, color=color)
        for r, v in zip(rects, values):
            if v:
                ax.annotate(fmt.format(v), (r.get_x() + r.get_width() / 2, r.get_height()),
                            ha="center", va="bottom", fontsize=7, rotation=90 if n > 2 else 0,
                            xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    else:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: f"{v:,.0f}"))
    ax.margins(y=0.25)
    ax.grid(axis="y", alpha=0.3)


def target_line(ax, y, text):
    ax.axhline(y, color=TARGET, linestyle="--", linewidth=1)
    ax.annotate(text, (0.01, y), xycoords=("axes fraction", "data"), color=TARGET, fontsize=7,
                va="bottom")


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "bench.json")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "bench.png")
    with open(src) as fh:
        data = json.load(fh)
    meta = data["meta"]
    fig, axes = plt.subplots(2, 3, figsize=(17, 10))
    fig.suptitle(
        f"kafka_queue benchmarks vs Kafka's own tools — {meta['started'][:16]}, commit "
        f"{meta['git_commit']}, {meta['cores']} cores ({meta['cpu']}), Kafka {meta['kafka']}, "
        f"PHP {meta['php']}; medians of {meta['reps']} repetitions", fontsize=11)

    # createItem throughput
    ax = axes[0][0]
    labels, ours, refs = [], [], []
    for size in (100, 1024):
        for data_kind in ("string", "array"):
            labels.append(f"{size} B\n{data_kind}")
            ours.append(value(data, f"create.fast.{size}.{data_kind}"))
            refs.append(value(data, f"ref.producer.{size}"))
    bars(ax, labels, [("createItem, fast delivery", OURS, ours),
                      ("ProducerPerformance (steady state)", REF, refs)], "items/s")
    target_line(ax, 1_000_000, "target 100 B: 1,000,000/s")
    ax.set_title("createItem throughput, one PHP process")
    ax.legend(fontsize=7, loc="upper right")

    # drain throughput
    ax = axes[0][1]
    ids = [("drain.fast.1p", "fast\n1 proc"), ("drain.fast.2p", "fast\n2 procs"),
           ("drain.fast.1p.backoff10", "fast, 1 proc\nbackoff 10 ms*"),
           ("drain.strict.1p", "strict\n1 proc"), ("drain.strict.2p", "strict\n2 procs")]
    ids = [(i, l) for i, l in ids if fig_of(data, i)]
    ref = value(data, "ref.consumer")
    bars(ax, [l for _, l in ids], [("claimItem + deleteItem (commit mode)", OURS,
                                    [value(data, i) for i, _ in ids]),
                                   ("ConsumerPerformance", REF, [ref] * len(ids))],
         "items/s", log=True)
    target_line(ax, 500_000, "target: 500,000/s")
    ax.set_title("Drain throughput (log scale)")
    ax.legend(fontsize=7, loc="lower left")
    ax.annotate("* not the default: proposed fix", (0.99, 0.98), xycoords="axes fraction",
                ha="right", va="top", fontsize=7)

    # latency
    ax = axes[0][2]
    stats = [("p50", "p50"), ("p99", "p99"), ("mean", "mean / avg"), ("max", "max")]
    bars(ax, [s[1] for s in stats], [
        ("createItem strict → claimItem", OURS,
         [value(data, f"latency.strict.{s}") for s, _ in stats]),
        ("createItem fast → claimItem", OURS2,
         [value(data, f"latency.fast.{s}") for s, _ in stats]),
        ("EndToEndLatency (whole ms)", REF,
         [value(data, f"ref.e2e.{'avg' if s == 'mean' else s}") if s != "max" else None
          for s, _ in stats])], "ms", log=True, fmt="{:.1f}")
    ax.plot([-0.4, 0.4], [2, 2], color=TARGET, linestyle="--", linewidth=1)
    ax.plot([0.6, 1.4], [10, 10], color=TARGET, linestyle="--", linewidth=1)
    ax.annotate("targets: p50 ≤ 2 ms, p99 ≤ 10 ms", (0.01, 0.98), xycoords="axes fraction",
                color=TARGET, fontsize=7, va="top")
    rate = (fig_of(data, "latency.strict.p50") or {}).get("label", "").split(", ")[-1]
    ax.set_title(f"Latency at low load ({rate.split(':')[0]}), log scale")
    ax.legend(fontsize=7, loc="upper right")

    # cold start
    ax = axes[1][0]
    labels = ["first createItem\nacknowledged", "first item\nclaimed"]
    bars(ax, labels, [
        ("PHP: start → call returned", OURS, [value(data, "cold.produce"),
                                               value(data, "cold.claim")]),
        ("PHP: start → process exit", OURS2, [value(data, "cold.produce.exit"),
                                               value(data, "cold.claim.exit")]),
        ("Kafka tool, fresh JVM: start → exit", REF, [value(data, "ref.cold.produce"),
                                                      value(data, "ref.cold.consume")])],
        "ms")
    target_line(ax, 1000, "target first claim: 1000 ms")
    ax.set_title("Cold start of a fresh process (broker defaults)")
    ax.legend(fontsize=7, loc="upper left")

    # memory
    ax = axes[1][1]
    for key, color, name in (("memory", OURS, "default pre-fetch"),
                             ("memory.small_prefetch", OURS2,
                              "pre-fetch 10k records / 8 MiB, backoff 10 ms")):
        series = data["series"].get(key)
        if not series:
            continue
        xs = [s[0] / 1000 for s in series["samples"]]
        ys = [s[1] / 1024 for s in series["samples"]]
        spread = value(data, "memory.spread" + key[len("memory"):])
        ax.plot(xs, ys, color=color, label=f"{name} (spread {spread:.1f} MiB)")
    ax.set_xlabel("items drained (thousands)")
    ax.set_ylabel("worker RSS (MiB)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.set_title("Worker memory over a long drain (VmRSS)")
    ax.legend(fontsize=7, loc="lower right")

    # CPU per item
    ax = axes[1][2]
    rows = [r for r in data.get("cpu_per_item", []) if "PHP thread" not in r["label"]]
    parts = [("php_thread", "PHP thread", OURS), ("librdkafka_threads", "librdkafka threads",
                                                   OURS2),
             ("tool_jvm", "Kafka tool JVM", REF), ("broker", "broker JVM", "#7f7f7f")]
    rows = [r for r in rows if "whole JVM run" not in r["label"]]
    short = {"createItem fast, 100 B string": "createItem\nfast, 100 B",
             "createItem fast, 1024 B string": "createItem\nfast, 1 KB",
             "drain (claim+delete), commit fast, 1 process": "drain, fast\n1 process",
             "drain (claim+delete), commit fast, 2 processes": "drain, fast\n2 processes",
             "drain, commit fast, 1 process, with fetch.queue.backoff.ms=10":
                 "drain, fast, 1 p.\nbackoff 10 ms*"}
    labels = [short.get(r["label"], r["label"]) for r in rows]
    bottom = [0.0] * len(rows)
    for key, name, color in parts:
        vals = [(r.get(key) or 0) / 1000 for r in rows]
        if any(vals):
            ax.bar(range(len(rows)), vals, 0.6, bottom=bottom, label=name, color=color)
            bottom = [b + v for b, v in zip(bottom, vals)]
    for x, b in enumerate(bottom):
        ax.annotate(f"{b:.2f}", (x, b), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("CPU µs per item")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title("Where the CPU goes, per item (both cores shared)")
    ax.legend(fontsize=7, loc="upper left")

    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(dst, dpi=90)
    print(f"chart: wrote {os.path.relpath(dst, ROOT)}")


if __name__ == "__main__":
    main()
