#!/usr/bin/env python3
"""Prints the figures of a bench.json (default docs/bench.json) as Markdown tables, for
docs/benchmarks.md and the README: ours, reference, ratio, target; then CPU per item."""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fmt(v, unit):
    if v is None:
        return "–"
    if unit in ("items/s", "records/s"):
        return f"{v:,.0f}/s"
    if unit in ("ms", "ms/item", "ms/record"):
        return f"{v:.2f} ms" if v < 10 else f"{v:,.0f} ms"
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


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "bench.json")
    with open(path) as fh:
        data = json.load(fh)
    figs = {f["id"]: f for f in data["figures"]}
    print("| figure (median of the repetitions) | ours | reference | ours ÷ reference | target |")
    print("|---|---|---|---|---|")
    for f in data["figures"]:
        if f["group"] == "reference":
            continue
        ref = figs.get(f.get("ref", ""))
        ratio = f"{f['ratio']:.2f}× ({f['better']} is better)" if "ratio" in f else ""
        tgt = ""
        if "target" in f:
            tgt = f"{target(f['target'], f['unit'])}: **{'met' if f['met'] else 'missed'}**"
        reps = ""
        if len(f["reps"]) > 1:
            reps = " (" + ", ".join(fmt(r, f["unit"]).replace("/s", "") for r in f["reps"]) + ")"
        print(f"| {f['label']} | {fmt(f['value'], f['unit'])}{reps} | "
              f"{fmt(ref['value'], ref['unit']) if ref else ''} | {ratio} | {tgt} |")
    print()
    print("| reference (Kafka's own tools) | figure | repetitions | settings |")
    print("|---|---|---|---|")
    for f in data["figures"]:
        if f["group"] == "reference":
            reps = ", ".join(fmt(r, f["unit"]) for r in f["reps"])
            print(f"| {f['label']} | {fmt(f['value'], f['unit'])} | {reps} | "
                  f"{f.get('note', '')} |")
    rows = data.get("cpu_per_item") or []
    if rows:
        print()
        print("| CPU µs per item (medians) | PHP thread | librdkafka threads | tool JVM | "
              "broker JVM |")
        print("|---|---|---|---|---|")
        for r in rows:
            cell = lambda k: f"{r[k] / 1000:.2f}" if r.get(k) is not None else ""
            print(f"| {r['label']} | {cell('php_thread')} | {cell('librdkafka_threads')} | "
                  f"{cell('tool_jvm')} | {cell('broker')} |")


if __name__ == "__main__":
    main()
