#!/usr/bin/env python3
"""A synthetic event log for examples/data/crm-pipeline.json: N customers
(deals) prospected between 2015 and 2017, most engaged, many won (with a
purchase of a non-integer amount, so that sums are not exact by luck) or lost
(with a reason); one in five belongs to one of N/10 accounts, one in five
names a product. Deterministic for a given seed (the same file every run).

    gen_events.py -n 1000000 -o FILE [--seed 19]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys

HEADER = "customer_id,timestamp,type,value,manager,amount,reason\n"  # the optional columns it needs only
REASONS = ("price", "competitor", "no budget", "timing", "")


def generate(n: int, out, seed: int = 19) -> int:
    """Writes the log of ``n`` customers to ``out``; returns the number of rows."""
    rng = random.Random(seed)
    start = dt.date(2015, 1, 1)
    days = [(start + dt.timedelta(days=k)).isoformat() for k in range(1400)]
    accounts = max(1, n // 10)
    rows = 0
    chunk: list[str] = []
    for c in range(n):
        cid = f"C{c:07d}"
        mgr = f"M{rng.randrange(50)}"
        d = rng.randrange(1095)
        chunk.append(f"{cid},{days[d]},stage,prospecting,{mgr},,\n")
        rows += 1
        r = rng.random()
        if r < 0.2:
            chunk.append(f"{cid},{days[d]},attribute,account=A{rng.randrange(accounts):06d},,,\n")
            rows += 1
        elif r < 0.4:
            chunk.append(f"{cid},{days[d]},attribute,product=P{rng.randrange(10)},,,\n")
            rows += 1
        r = rng.random()
        if r < 0.7:
            d += rng.randrange(40)
            chunk.append(f"{cid},{days[d]},stage,engaging,{mgr},,\n")
            rows += 1
            r = rng.random()
            if r < 0.5:
                d += rng.randrange(1, 120)
                chunk.append(f"{cid},{days[d]},stage,won,{mgr},,\n")
                chunk.append(f"{cid},{days[d]},purchase,P{rng.randrange(10)},{mgr},{rng.randrange(5000, 2000000) / 100:.2f},\n")
                rows += 2
            elif r < 0.8:
                d += rng.randrange(1, 150)
                chunk.append(f"{cid},{days[d]},stage,lost,{mgr},,{rng.choice(REASONS)}\n")
                rows += 1
        elif r < 0.85:
            d += rng.randrange(60)
            chunk.append(f"{cid},{days[d]},stage,lost,{mgr},,{rng.choice(REASONS)}\n")
            rows += 1
        if len(chunk) >= 20000:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000000, help="customers (default 10^6)")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    with open(a.output, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        rows = generate(a.n, f, a.seed)
    print(f"wrote {a.n} customers, {rows} rows to {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
