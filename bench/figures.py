"""The figures of a run: their targets, the ratios to the references, and the Markdown tables
that `make bench` prints and bench/report.py prints again from a saved bench.json."""

# Targets of issue 4. Memory: 5 MB read as 5,000,000 bytes (4883 KiB), the stricter reading.
TARGETS = {
    "create.fast.100.string": {"min": 1_000_000, "min_ratio": 0.9},
    "drain.fast.1p": {"min": 500_000, "min_ratio": 0.6},
    "drain.fast.2p": {"min": 500_000, "min_ratio": 0.6},
    "latency.strict.p50": {"max": 1.5},
    "latency.strict.p99": {"max": 5.0},
    "cold.claim": {"max": 1000.0},
    "cold.produce.over_bare": {"max": 25.0},
    "cold.produce.exit_cost": {"max": 5.0},
    "idle.empty_claim.p50": {"max": 0.5},
    "idle.empty_claim.requests": {"max": 1.0},
    "idle.polling_cpu": {"max": 3.0},
    "fpm.recycle.strict": {"min": 90.0},
    "fpm.recycle.fast": {"min": 90.0},
    "memory.spread": {"max": 5_000_000 / 1024 / 1024},
}


def judge(figures):
    """Sets each figure's ratio to its reference and, where it has a target, whether it met it."""
    by_id = {f["id"]: f for f in figures}
    for f in figures:
        ref = by_id.get(f.get("ref", ""))
        if ref and ref["value"] and f["value"] is not None:
            f["ratio"] = f["value"] / ref["value"]
        t = TARGETS.get(f["id"])
        if t and f["value"] is not None:
            ok = True
            if "min" in t:
                ok &= f["value"] >= t["min"]
            if "max" in t:
                ok &= f["value"] <= t["max"]
            if "min_ratio" in t:
                ok &= f.get("ratio") is not None and f["ratio"] >= t["min_ratio"]
            f["target"] = t
            f["met"] = bool(ok)


def fmt(v, unit):
    if v is None:
        return "–"
    if unit in ("items/s", "records/s"):
        return f"{v:,.0f}/s"
    if unit in ("ms", "ms/item", "ms/record"):
        return f"{v:.2f} ms" if v < 10 else f"{v:,.0f} ms"
    return f"{v:.2f} {unit}"


def target_text(t, unit):
    parts = []
    if "min" in t:
        parts.append("≥ " + fmt(t["min"], unit))
    if "max" in t:
        parts.append("≤ " + fmt(t["max"], unit))
    if "min_ratio" in t:
        parts.append(f"≥ {t['min_ratio']}×")
    return ", ".join(parts)


def markdown(data):
    """The figures of a bench.json as Markdown tables: ours with reference, ratio and target;
    Kafka's tools; then CPU per item by party."""
    figs = {f["id"]: f for f in data["figures"]}
    out = ["| figure (median of the repetitions) | ours | reference | ours ÷ reference | target |",
           "|---|---|---|---|---|"]
    for f in data["figures"]:
        if f["group"] == "reference":
            continue
        ref = figs.get(f.get("ref", ""))
        ratio = f"{f['ratio']:.2f}× ({f['better']} is better)" if "ratio" in f else ""
        tgt = ""
        if "target" in f:
            tgt = f"{target_text(f['target'], f['unit'])}: **{'met' if f['met'] else 'missed'}**"
        reps = ""
        if len(f["reps"]) > 1:
            reps = " (" + ", ".join(fmt(r, f["unit"]).replace("/s", "") for r in f["reps"]) + ")"
        out.append(f"| {f['label']} | {fmt(f['value'], f['unit'])}{reps} | "
                   f"{fmt(ref['value'], ref['unit']) if ref else ''} | {ratio} | {tgt} |")
    out += ["", "| reference (Kafka's own tools) | figure | repetitions | settings |",
            "|---|---|---|---|"]
    for f in data["figures"]:
        if f["group"] == "reference":
            reps = ", ".join(fmt(r, f["unit"]) for r in f["reps"])
            out.append(f"| {f['label']} | {fmt(f['value'], f['unit'])} | {reps} | "
                       f"{f.get('note', '')} |")
    rows = data.get("cpu_per_item") or []
    if rows:
        cols = ("php_thread", "librdkafka_threads", "tool_jvm", "broker")
        out += ["", "| CPU µs per item (medians) | PHP thread | librdkafka threads | tool JVM | "
                "broker JVM | sum |", "|---|---|---|---|---|---|"]
        for r in rows:
            vals = [r.get(k) for k in cols]
            cells = [f"{v / 1000:.2f}" if v is not None else "" for v in vals]
            total = sum(v for v in vals if v) / 1000
            out.append(f"| {r['label']} | " + " | ".join(cells) + f" | {total:.2f} |")
    return "\n".join(out)
