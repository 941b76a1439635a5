#!/usr/bin/env python3
"""A sales manager's week, from the bundled CRM export: the script a CRM analyst writes.

1. Convert the bundled export (examples/data/crm-sales-opportunities) into a clm
   event log with scripts/crm_to_events.py, imported as a module (no temp file).
2. Import it into a Portfolio with the model examples/data/crm-pipeline.json.
3. Pick a manager: --manager, or whoever has the most open deals that week.
4. Print that manager's week from the `seeds` policy: what to do, by when, and why.

Run from anywhere (the package and the library as in bindings/python/README.md):

    CLM_LIBRARY=build/libclm.so PYTHONPATH=bindings/python/src \\
        python3 examples/python/weekly_plan.py [--manager NAME] [--week 2017-06-30] [--hours 40]

Guide: docs/getting-started-python.md
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import sys
from pathlib import Path

import clm

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "examples" / "data"


def crm_event_log() -> str:
    """The bundled export as event-log CSV text, converted by scripts/crm_to_events.py."""
    spec = importlib.util.spec_from_file_location("crm_to_events", REPO / "scripts" / "crm_to_events.py")
    assert spec is not None and spec.loader is not None
    converter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(converter)
    rows = converter.convert(DATA / "crm-sales-opportunities")
    return converter.render(rows)


def busiest_manager(portfolio: clm.Portfolio, as_of: str) -> str:
    """The manager with the most open deals (prospecting or engaging) as of a date."""
    export = portfolio.export(as_of, fmt="json")  # one row per customer, with maturity markers
    open_deals = collections.Counter(
        row["manager"]
        for row in export["customers"]
        if row["manager"] and row["models"]["crm-pipeline"]["stage"] in ("prospecting", "engaging")
    )
    manager, _ = open_deals.most_common(1)[0]
    return manager


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manager", help="the sales agent (default: the one with the most open deals)")
    ap.add_argument("--week", default="2017-06-30", help="any date in the week (default: %(default)s)")
    ap.add_argument("--hours", type=float, default=0, help="hours per week (default: the policy's)")
    ap.add_argument("--show", type=int, default=15, help="planned actions to print (default: %(default)s)")
    args = ap.parse_args(argv)

    with clm.Portfolio() as portfolio, clm.Policy.load("seeds") as policy:
        with clm.Model.load(DATA / "crm-pipeline.json") as model:
            portfolio.add_model(model)  # the portfolio shares the model
        result = portfolio.import_csv(crm_event_log(), name="crm-events.csv")
        print(f"imported {result.applied} events for {len(portfolio)} deals")
        print("pipeline as of", args.week, portfolio.stage_counts(as_of=args.week))

        manager = args.manager or busiest_manager(portfolio, args.week)
        try:
            plan = policy.plan_week(portfolio, manager, args.week, hours=args.hours)
        except clm.ClmError as e:  # e.g. a bad date: status name + message
            print(f"cannot plan: {e}", file=sys.stderr)
            return 1

        print(f"\nweek of {plan.week_start} for {plan.manager}: {len(plan.planned)} actions, "
              f"{plan.planned_minutes:.0f} of {plan.capacity_minutes:.0f} minutes; {len(plan.not_fitted)} did not fit")
        for budget in plan.classes:
            if budget.used_minutes:
                print(f"  class {budget.customer_class}: {budget.used_minutes:.0f} of {budget.budget_minutes:.0f} minutes")

        print()
        for item in plan.planned[: args.show]:
            r = item.recommendation
            print(f"{item.day}  {r.customer_id}  [{r.stage}]  {r.action.kind} via {r.action.channel}"
                  f" ({item.minutes:.0f} min), due {r.action.due}")
            print(f"            {r.action.goal}" + (f" -- offer {r.action.product}" if r.action.product else ""))
            print(f"            why: rule {r.rule}: {'; '.join(r.reasons)}")
        if len(plan.planned) > args.show:
            print(f"... and {len(plan.planned) - args.show} more")

        reasons = collections.Counter(n.reason for n in plan.not_fitted)
        for reason, count in reasons.most_common():
            print(f"not fitted ({count}): {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
