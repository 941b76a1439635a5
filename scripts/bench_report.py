#!/usr/bin/env python3
"""Turns one run of clm_bench (Google Benchmark JSON) and of the peer benchmarks
into the ratios of docs/performance.md: a Markdown table and a log-log SVG chart
of portfolio-wide recommendation time against the number of customers.

Called by scripts/bench-peers; standard library only."""

import argparse
import datetime
import json
import math
import re
import sys

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load_clm(path):
    """Benchmark name -> the run (the median of repetitions, by wall time)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    runs = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        runs.setdefault(b["run_name"] if "run_name" in b else b["name"], []).append(b)
    out = {}
    for name, rs in runs.items():
        rs.sort(key=lambda r: r["real_time"] * UNIT[r["time_unit"]])
        out[name] = rs[len(rs) // 2]
    return doc.get("context", {}), out


def seconds(run, which="real_time"):
    return run[which] * UNIT[run["time_unit"]]


def find(runs, prefix, arg=None):
    """The run whose name is `prefix` or `prefix/arg/...`."""
    for name, run in runs.items():
        parts = name.split("/")
        if parts[0] != prefix:
            continue
        if arg is None and len(parts) >= 1 and (len(parts) == 1 or not parts[1].isdigit()):
            return run
        if arg is not None and len(parts) > 1 and parts[1] == str(arg):
            return run
    return None


def series(runs, prefix):
    """(N, seconds) of every `prefix/N` run, by N."""
    pts = []
    for name, run in runs.items():
        parts = name.split("/")
        if parts[0] == prefix and len(parts) > 1 and parts[1].isdigit():
            pts.append((int(parts[1]), seconds(run)))
    return sorted(pts)


def peer(path, pattern):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(pattern, text)
    if not m:
        sys.exit(f"bench_report: cannot read {path}: no match for {pattern!r} in {text!r}")
    return m


def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            v = s / scale
            return f"{v:,.1f} {unit}" if v < 100 else f"{v:,.0f} {unit}"
    return f"{s} s"


def fmt_x(v):
    return f"{v:,.0f}×" if v >= 100 else f"{v:,.1f}×" if v >= 10 else f"{v:,.2f}×"


def yes(ok):
    return "yes" if ok else "**no**"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clm", required=True)
    ap.add_argument("--xstate", required=True)
    ap.add_argument("--jre", required=True)
    ap.add_argument("--load", default="?,?")
    ap.add_argument("--cores", default="?")
    ap.add_argument("--table", required=True)
    ap.add_argument("--svg", required=True)
    a = ap.parse_args()

    context, runs = load_clm(a.clm)
    xs = peer(a.xstate, r"xstate (\d+) transitions: ([\d.]+) ns/transition")
    xstate_ns = float(xs.group(2))
    xt = re.search(r"transition\(\) (\d+): ([\d.]+) ns/transition", open(a.xstate, encoding="utf-8").read())
    jr = peer(a.jre, r"json-rules-engine (\d+) customers x (\d+) rules: ([\d.]+) us/customer, fired=(\d+)")
    jre_us, jre_fired, jre_n = float(jr.group(3)), int(jr.group(4)), int(jr.group(1))

    rows = []  # (measure, clm, peer/target, ratio, target, met)
    missing = []

    def need(run, what):
        if run is None:
            missing.append(what)
        return run

    apply = need(find(runs, "BM_Apply_Sales6"), "BM_Apply_Sales6")
    if apply:
        t = seconds(apply)
        ratio = xstate_ns * 1e-9 / t
        rows.append(("apply one recorded transition by indexes (`BM_Apply_Sales6`: `portfolio::move`) vs XState 5 `getNextSnapshot`",
                     fmt_time(t), fmt_time(xstate_ns * 1e-9), f"{fmt_x(ratio)} faster", "≥ 1000× faster", yes(ratio >= 1000)))
    nxt, floor = need(find(runs, "BM_NextStage_Sales6"), "BM_NextStage_Sales6"), need(find(runs, "BM_SwitchFloor_Sales6"), "BM_SwitchFloor_Sales6")
    if nxt and floor:
        ratio = seconds(nxt) / seconds(floor)
        rows.append(("next stage, `model::next` (`BM_NextStage_Sales6`) vs a hand-written switch (`BM_SwitchFloor_Sales6`)",
                     fmt_time(seconds(nxt)), fmt_time(seconds(floor)), f"{fmt_x(ratio)} the floor", "≤ 3× the floor", yes(ratio <= 3)))
    rec = need(find(runs, "BM_Recommend_30Rules"), "BM_Recommend_30Rules")
    if rec:
        t = seconds(rec)
        ratio = jre_us * 1e-6 / t
        rows.append(("30 rules for one customer (`BM_Recommend_30Rules`) vs json-rules-engine 7 `run`",
                     fmt_time(t), fmt_time(jre_us * 1e-6), f"{fmt_x(ratio)} faster", "≥ 300× faster", yes(ratio >= 300)))
    for prefix, what in (("BM_PortfolioRecommend", "every customer's action ranked as a 32-byte record (`rank_all`)"),
                         ("BM_PortfolioRecommendTop1000", "the best 1000, explained (`recommend_all` with a limit)")):
        big = find(runs, prefix, 10000000)
        if big is None:
            missing.append(f"{prefix}/10000000")
            continue
        t = seconds(big)
        rows.append((f"10^7 customers, 30 rules, {what} (`{prefix}/10000000`, {a.cores} cores)",
                     fmt_time(t), "5 s", f"{t / 5:.2f} of the budget", "< 5 s", yes(t < 5)))
    mem = need(find(runs, "BM_Memory"), "BM_Memory")
    if mem:
        b = mem["B_per_customer_per_model"]
        rows.append(("bytes per customer per model: `membership` + `customer_state` / models + id index (one model)",
                     f"{b:.1f} B", "64 B", f"{b / 64:.2f} of the budget", "≤ 64 B", yes(b <= 64)))
        rows.append(("the same with the customer id's text (a `std::string` in the pool)",
                     f"{b + mem.get('id_text_B_per_customer', 0):.1f} B", "64 B", f"{(b + mem.get('id_text_B_per_customer', 0)) / 64:.2f} of the budget", "(information)", "–"))
        j = mem["B_per_journal_event"]
        rows.append((f"bytes per journal event: the 24-byte `journal_event`, a has-details bit, and the side record of the {mem['details_share'] * 100:.1f}% of events with details, amortised",
                     f"{j:.1f} B", "32 B", f"{j / 32:.2f} of the budget", "≤ 32 B", yes(j <= 32)))
    real = need(find(runs, "BM_ImportCSV_RealData"), "BM_ImportCSV_RealData")
    if real:
        mbs = real["MB"] / seconds(real)
        rows.append((f"event-log CSV import of the real CRM data (`BM_ImportCSV_RealData`, {real['MB']:.0f} MB, "
                     f"{real.get('items_per_second', 0) * seconds(real, 'cpu_time') / 1e3:,.0f}k rows, {real['MB'] * 1e6 / (real.get('items_per_second', 1) * seconds(real, 'cpu_time')):.0f} B per row)",
                     f"{mbs:,.0f} MB/s", "100 MB/s", f"{mbs / 100:.2f} of the target", "≥ 100 MB/s", yes(mbs >= 100)))
    imp = need(find(runs, "BM_ImportCSV"), "BM_ImportCSV")
    if imp:
        mbs = imp["MB"] / seconds(imp)
        nrows = imp.get('items_per_second', 0) * seconds(imp, 'cpu_time')
        rows.append((f"the same on the generated log of the jre customers (`BM_ImportCSV`, {imp['MB']:.0f} MB, {nrows / 1e3:,.0f}k rows, "
                     f"{imp['MB'] * 1e6 / max(nrows, 1):.0f} B per row: {imp.get('items_per_second', 0) / 1e6:.2f} million rows/s)",
                     f"{mbs:,.0f} MB/s", "100 MB/s", f"{mbs / 100:.2f} of the target", "(information)", "–"))

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = []
    out.append("# Performance figures {#performance_table}")
    out.append("")
    out.append(f"Generated by `scripts/bench-peers` on {date} from one run on {a.cores} cores "
               f"({context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz), load average "
               f"{a.load.split(',')[0]} before and {a.load.split(',')[1]} after. "
               "Ratios compare wall-clock times on both sides (the peers measure wall-clock time). "
               "See [Performance](performance.md) for the method.")
    out.append("")
    out.append("| measure | clm | peer or target | ratio | target | met |")
    out.append("|---|---|---|---|---|---|")
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    out.append("")
    checks = []
    if rec:
        fired = int(rec.get("fired", -1))
        checks.append(f"- Like for like: over the same {jre_n:,} generated customers, clm fires {fired:,} recommendations and "
                      f"json-rules-engine {jre_fired:,} events ({'the same' if fired == jre_fired else '**different**'}).")
    if xt:
        checks.append(f"- XState's `transition()` takes {fmt_time(float(xt.group(2)) * 1e-9)} per transition; the ratio uses `getNextSnapshot`, the faster.")
    if apply and find(runs, "BM_Apply_Sales6_ByName"):
        b = find(runs, "BM_Apply_Sales6_ByName")
        checks.append(f"- The same transitions by name through `portfolio::apply` (`BM_Apply_Sales6_ByName`: customer id and event name "
                      f"looked up as strings, as an event-log row arrives): {fmt_time(seconds(b))} per event, "
                      f"{fmt_x(xstate_ns * 1e-9 / seconds(b))} faster than XState.")
    if apply and find(runs, "BM_ApplyBatch_Sales6"):
        b = find(runs, "BM_ApplyBatch_Sales6")
        checks.append(f"- Applying the same transitions as one all-or-nothing batch (`BM_ApplyBatch_Sales6`): "
                      f"{fmt_time(1 / b['items_per_second'] if b.get('items_per_second') else 0)} per event (CPU time).")
    if find(runs, "BM_Recommend_30Rules_WithFacts"):
        w = find(runs, "BM_Recommend_30Rules_WithFacts")
        checks.append(f"- Collecting the customer's facts from the journal first (`BM_Recommend_30Rules_WithFacts`): {fmt_time(seconds(w))} per customer.")
    if checks:
        out.append("Checks and details:")
        out.append("")
        out.extend(checks)
        out.append("")

    full, top = series(runs, "BM_PortfolioRecommend"), dict(series(runs, "BM_PortfolioRecommendTop1000"))
    if full:
        out.append(f"Portfolio-wide recommendation (30 rules, {a.cores} cores) by number of customers: every action ranked as "
                   "32-byte records (`rank_all`), and the best 1000 ranked and explained (`recommend_all` with a limit):")
        out.append("")
        out.append("| customers | every action ranked | per customer | best 1000, explained | per customer | actions |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        for n, t in full:
            run = find(runs, "BM_PortfolioRecommend", n)
            tt = top.get(n)
            out.append(f"| {n:,} | {fmt_time(t)} | {fmt_time(t / n)} | {fmt_time(tt) if tt else '–'} | "
                       f"{fmt_time(tt / n) if tt else '–'} | {int(run.get('recommendations', 0)):,} |")
        out.append("")
    rules = series(runs, "BM_PortfolioRecommend_Rules")
    if rules:
        out.append("By number of rules (10^6 customers, `recommend_all`: every recommendation ranked and explained):")
        out.append("")
        out.append("| rules | time | per customer and rule |")
        out.append("|---:|---:|---:|")
        for r, t in rules:
            out.append(f"| {r} | {fmt_time(t)} | {fmt_time(t / 1e6 / r)} |")
        out.append("")
    if missing:
        out.append("Not run: " + ", ".join(f"`{m}`" for m in missing) + ".")
        out.append("")
    with open(a.table, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    write_svg(a.svg, full, sorted(top.items()))


def write_svg(path, full, top):
    """A log-log chart of recommend_all time against customers."""
    w, h, left, right, top_m, bottom = 640, 400, 70, 20, 30, 50
    pts = full + top + [(10 ** 7, 5.0)]
    if not full:
        pts = [(1000, 1e-3), (10 ** 7, 5.0)]
    xmin, xmax = 3, 7
    ys = [math.log10(t) for _, t in pts if t > 0]
    ymin, ymax = math.floor(min(ys)), math.ceil(max(ys))
    if ymax == ymin:
        ymax += 1

    def X(n):
        return left + (math.log10(n) - xmin) / (xmax - xmin) * (w - left - right)

    def Y(t):
        return top_m + (ymax - math.log10(t)) / (ymax - ymin) * (h - top_m - bottom)

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
         '<title>recommend_all time against customers (log-log)</title>',
         f'<rect x="0" y="0" width="{w}" height="{h}" fill="white"/>']
    for e in range(xmin, xmax + 1):
        x = X(10 ** e)
        s.append(f'<line x1="{x:.1f}" y1="{top_m}" x2="{x:.1f}" y2="{h - bottom}" stroke="#ddd"/>')
        s.append(f'<text x="{x:.1f}" y="{h - bottom + 18}" text-anchor="middle">10<tspan dy="-6" font-size="9">{e}</tspan></text>')
    for e in range(ymin, ymax + 1):
        y = Y(10 ** e)
        label = fmt_time(10 ** e).replace(".0 ", " ")
        s.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#ddd"/>')
        s.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    s.append(f'<text x="{(left + w - right) / 2:.1f}" y="{h - 10}" text-anchor="middle">customers</text>')
    s.append(f'<text x="16" y="{(top_m + h - bottom) / 2:.1f}" text-anchor="middle" transform="rotate(-90 16 {(top_m + h - bottom) / 2:.1f})">wall-clock time</text>')
    # Linear reference through the smallest full-ranking point, and the target.
    if full:
        n0, t0 = full[0]
        s.append(f'<line x1="{X(n0):.1f}" y1="{Y(t0):.1f}" x2="{X(10 ** 7):.1f}" y2="{Y(t0 * 10 ** 7 / n0):.1f}" '
                 'stroke="#999" stroke-dasharray="4 4"/>')
    ty = Y(5.0)
    s.append(f'<line x1="{X(10 ** 6.6):.1f}" y1="{ty:.1f}" x2="{w - right}" y2="{ty:.1f}" stroke="#d62728" stroke-dasharray="6 3"/>')
    s.append(f'<text x="{X(10 ** 6.6) - 4:.1f}" y="{ty + 4:.1f}" text-anchor="end" fill="#d62728">target: 10^7 in 5 s</text>')
    for data, colour, name in ((full, "#1f77b4", "every recommendation ranked"), (top, "#2ca02c", "best 1000 only")):
        if not data:
            continue
        s.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (colour, " ".join(f"{X(n):.1f},{Y(t):.1f}" for n, t in data)))
        for n, t in data:
            s.append(f'<circle cx="{X(n):.1f}" cy="{Y(t):.1f}" r="3.5" fill="{colour}"><title>{n:,} customers: {fmt_time(t)}</title></circle>')
    ly = top_m + 8
    for colour, name, dash in (("#1f77b4", "every recommendation ranked", ""), ("#2ca02c", "best 1000 only", ""), ("#999", "linear in customers", ' stroke-dasharray="4 4"')):
        s.append(f'<line x1="{left + 10}" y1="{ly}" x2="{left + 34}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>')
        s.append(f'<text x="{left + 40}" y="{ly + 4}">{name}</text>')
        ly += 16
    s.append('</svg>')
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(s) + "\n")


if __name__ == "__main__":
    main()
