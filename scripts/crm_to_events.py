#!/usr/bin/env python3
"""Convert the bundled CRM Sales Opportunities data into a clm event-log CSV.

Input: the Maven Analytics "CRM Sales Opportunities" export bundled, unmodified, in
examples/data/crm-sales-opportunities/ (sales_pipeline.csv, sales_teams.csv, products.csv,
accounts.csv). Output: a clm event log for the model examples/data/crm-pipeline.json, one
customer per opportunity. See docs/real-data.md for the full mapping and the figures the log
reproduces.

Event-log format (the public contract): a header row, then one event per row, with the columns

    customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note

`customer_id`, `timestamp` (YYYY-MM-DD), `type` and `value` are required; the rest are
optional and left empty when they do not apply. The file is written with the csv module
(minimal quoting) and LF line endings.

Mapping, per opportunity (customer_id = opportunity_id, model = crm-pipeline):

* Engaged (engage_date set; deal_stage Engaging, Won or Lost), all at engage_date:
    - `manager`   value = sales_agent (the agent is assigned when the deal is engaged);
    - `attribute` value = `product=<product>`, the product name normalized (see below);
    - `attribute` value = `account=<account>`, only when the account is not blank;
    - `attribute` value = `regional_office=<office>` and `sales_manager=<manager>`, looked up
      for the sales_agent in sales_teams.csv;
    - `stage`     value = `engaging`, manager = sales_agent, note = the account (may be blank).
* Closed (close_date set; deal_stage Won or Lost), at close_date:
    - `stage`     value = `won` or `lost`, manager = sales_agent;
    - Won only: `purchase` value = <product>, amount = close_value (as written in the export),
      manager = sales_agent.
* Prospecting (no engage_date, no close_date): the export records no date for these rows. We
  do not invent one from the agent's or the account's history; instead their rows (the
  `manager` row, the attribute rows and `stage` value = `prospecting`) are dated on the export
  date, --export-date, by default 2017-12-31 (the last close_date in the data, i.e. the day
  the snapshot was taken), and every one of these rows carries the note
  "date unknown: export date". So as of any date before the export date these opportunities
  do not exist yet, and on the export date 500 of them enter `prospecting`.

Engaged opportunities get no `prospecting` stage row: the export does not say when they were
prospected, so their first stage event is `engaging` at engage_date.

Row order: opportunities in sales_pipeline.csv order; within one opportunity, events in
timestamp order, and on one date the `manager` row first, then the `attribute` rows (product,
account, regional_office, sales_manager), then the `stage` row, then the `purchase` row. The
output depends only on the input files and the options, so it is byte-identical across runs.

Quirks of the export, handled here without changing the files:

* Product names: sales_pipeline.csv writes `GTXPro` where products.csv has `GTX Pro`. Every
  product name is normalized to its spelling in products.csv: an exact match is kept, and
  otherwise the name is matched ignoring case and whitespace (so `GTXPro` -> `GTX Pro`). A
  name that matches no product, or more than one, is an error.
* Blank accounts: 1,425 open opportunities (337 Prospecting, 1,088 Engaging) have no account
  yet; they get no `account=` attribute and an empty note on the `engaging` row. A non-blank
  account must exist in accounts.csv.
* The misspelled sector `technolgy` is in accounts.csv, which is only used to check account
  names; no sector is written to the log, so the quirk does not reach it.
* Lost deals carry close_value 0 in the export; no purchase is written for them, and the
  export has no loss reason, so the `reason` column stays empty.

Any inconsistency (unknown agent, product or account, a malformed date, dates that do not fit
deal_stage, close_date before engage_date) stops the script with an error naming the file,
line and field, and nothing is written.

With --deals (the event log of deals and accounts, for the policy engine; docs/real-data.md):

* the optional `account` column is written on every row of an opportunity with an account
  (instead of the `account=` attribute row: the column journals it);
* `attribute` value = `region=<office_location>` of the account (accounts.csv), which chooses
  the account's holiday calendar in the seeds policy;
* `amount` on `stage` rows is the deal's value: the product's list price (products.csv
  sales_price) on the opening row, close_value on the `won` row.

Usage:
    scripts/crm_to_events.py                      # event log to stdout
    scripts/crm_to_events.py --deals -o deals.csv # deals with accounts, regions and values
    scripts/crm_to_events.py -o crm-events.csv
    scripts/crm_to_events.py --data DIR --export-date 2017-12-31 -o out.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
from pathlib import Path

COLUMNS = ["customer_id", "timestamp", "type", "value", "model", "channel",
           "manager", "amount", "reason", "due", "note"]
MODEL_ID = "crm-pipeline"
DEFAULT_EXPORT_DATE = "2017-12-31"
EXPORT_DATE_NOTE = "date unknown: export date"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / "examples" / "data" / "crm-sales-opportunities"

# Order of event types on one date within one opportunity.
_TYPE_RANK = {"manager": 0, "attribute": 1, "stage": 2, "purchase": 3}


class ConversionError(Exception):
    """Bad input: the message names the file, line and field."""


def _read_csv(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as (line number, row) pairs; checks the header has `required`."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ConversionError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
            return [(reader.line_num, row) for row in reader]
    except OSError as e:
        raise ConversionError(f"{path}: cannot read: {e.strerror or e}") from e


def _norm_key(name: str) -> str:
    return "".join(name.split()).casefold()


def _product_normalizer(path: Path):
    names = [row["product"] for _, row in _read_csv(path, ["product"])]
    exact = set(names)
    by_key: dict[str, list[str]] = {}
    for n in names:
        by_key.setdefault(_norm_key(n), []).append(n)

    def normalize(name: str, where: str) -> str:
        if name in exact:
            return name
        matches = by_key.get(_norm_key(name), [])
        if len(matches) == 1:
            return matches[0]
        what = "matches several products" if matches else "is not in products.csv"
        raise ConversionError(f"{where}: product: {name!r} {what}")

    return normalize


def _date(text: str, where: str, field: str) -> str:
    """Validate a YYYY-MM-DD date and return it unchanged."""
    try:
        if len(text) != 10:
            raise ValueError
        dt.date.fromisoformat(text)
    except ValueError:
        raise ConversionError(f"{where}: {field}: {text!r} is not a YYYY-MM-DD date") from None
    return text


def _prices(path: Path) -> dict[str, str]:
    """Product -> list price (products.csv sales_price), checked to be a number."""
    prices = {}
    for line, row in _read_csv(path, ["product", "sales_price"]):
        try:
            float(row["sales_price"])
        except ValueError:
            raise ConversionError(f"{path}: line {line}: sales_price: {row['sales_price']!r} is not a number") from None
        prices[row["product"]] = row["sales_price"]
    return prices


def columns(deals: bool = False) -> list[str]:
    """The header: COLUMNS, and `account` with --deals."""
    return COLUMNS + ["account"] if deals else COLUMNS


def convert(data_dir: Path, export_date: str = DEFAULT_EXPORT_DATE, deals: bool = False) -> list[list[str]]:
    """Return the event log as rows (without the header). Raises ConversionError."""
    export_date = _date(export_date, "--export-date", "export date")
    data_dir = Path(data_dir)
    normalize_product = _product_normalizer(data_dir / "products.csv")
    prices = _prices(data_dir / "products.csv") if deals else {}
    cols = columns(deals)

    teams = {}
    for _, row in _read_csv(data_dir / "sales_teams.csv",
                            ["sales_agent", "manager", "regional_office"]):
        teams[row["sales_agent"]] = (row["regional_office"], row["manager"])
    account_rows = _read_csv(data_dir / "accounts.csv", ["account"] + (["office_location"] if deals else []))
    accounts = {row["account"] for _, row in account_rows}
    region = {row["account"]: row.get("office_location", "") for _, row in account_rows}

    pipeline_path = data_dir / "sales_pipeline.csv"
    pipeline = _read_csv(pipeline_path, [
        "opportunity_id", "sales_agent", "product", "account", "deal_stage",
        "engage_date", "close_date", "close_value"])

    out: list[list[str]] = []
    seen: set[str] = set()
    for line, r in pipeline:
        where = f"{pipeline_path}: line {line}"
        oid = r["opportunity_id"]
        if not oid:
            raise ConversionError(f"{where}: opportunity_id: empty")
        if oid in seen:
            raise ConversionError(f"{where}: opportunity_id: {oid!r} appears twice")
        seen.add(oid)

        agent = r["sales_agent"]
        if agent not in teams:
            raise ConversionError(f"{where}: sales_agent: {agent!r} is not in sales_teams.csv")
        office, sales_manager = teams[agent]
        product = normalize_product(r["product"], where)
        account = r["account"]
        if account and account not in accounts:
            raise ConversionError(f"{where}: account: {account!r} is not in accounts.csv")

        stage = r["deal_stage"]
        engage = _date(r["engage_date"], where, "engage_date") if r["engage_date"] else ""
        close = _date(r["close_date"], where, "close_date") if r["close_date"] else ""
        expected = {"Prospecting": (False, False), "Engaging": (True, False),
                    "Won": (True, True), "Lost": (True, True)}
        if stage not in expected:
            raise ConversionError(f"{where}: deal_stage: unknown stage {stage!r}")
        if (bool(engage), bool(close)) != expected[stage]:
            raise ConversionError(
                f"{where}: engage_date/close_date: dates {engage or '-'} / {close or '-'} "
                f"do not fit deal_stage {stage}")
        if close and close < engage:
            raise ConversionError(f"{where}: close_date: {close} is before engage_date {engage}")

        events: list[tuple[str, str, str, dict[str, str]]] = []

        def add(date: str, etype: str, value: str, **extra: str) -> None:
            events.append((date, etype, value, extra))

        def opening(date: str, stage_id: str, note: str, stage_note: str) -> None:
            add(date, "manager", agent, manager=agent, note=note)
            add(date, "attribute", f"product={product}", note=note)
            if account and not deals:
                add(date, "attribute", f"account={account}", note=note)
            if account and deals and region[account]:
                add(date, "attribute", f"region={region[account]}", note=note)
            add(date, "attribute", f"regional_office={office}", note=note)
            add(date, "attribute", f"sales_manager={sales_manager}", note=note)
            if deals:
                add(date, "stage", stage_id, manager=agent, note=stage_note, amount=prices[product])
            else:
                add(date, "stage", stage_id, manager=agent, note=stage_note)

        if engage:
            opening(engage, "engaging", "", account)
        else:
            opening(export_date, "prospecting", EXPORT_DATE_NOTE, EXPORT_DATE_NOTE)
        if close:
            if deals and stage == "Won":
                add(close, "stage", "won", manager=agent, amount=r["close_value"])
            else:
                add(close, "stage", "won" if stage == "Won" else "lost", manager=agent)
            if stage == "Won":
                add(close, "purchase", product, manager=agent, amount=r["close_value"])

        # Stable sort: same-date, same-type events keep the order they were added in.
        events.sort(key=lambda e: (e[0], _TYPE_RANK[e[1]]))
        for date, etype, value, extra in events:
            row = {"customer_id": oid, "timestamp": date, "type": etype, "value": value,
                   "model": MODEL_ID, **extra}
            if deals:
                row["account"] = account
            out.append([row.get(c, "") for c in cols])
    return out


def render(rows: list[list[str]], deals: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns(deals))
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Convert the CRM Sales Opportunities data into a clm event-log CSV "
                    "for the model examples/data/crm-pipeline.json.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, metavar="DIR",
                        help="folder with sales_pipeline.csv, sales_teams.csv, products.csv "
                             "and accounts.csv (default: %(default)s)")
    parser.add_argument("-o", "--output", metavar="FILE", default="-",
                        help="event-log CSV to write; '-' for stdout (default)")
    parser.add_argument("--export-date", default=DEFAULT_EXPORT_DATE, metavar="YYYY-MM-DD",
                        help="date given to Prospecting opportunities, which have no date in "
                             "the export (default: %(default)s, the last close_date)")
    parser.add_argument("--deals", action="store_true",
                        help="the event log of deals and accounts: the account column, the account's "
                             "region, and each deal's value as the amount of its stage rows")
    args = parser.parse_args(argv)

    try:
        text = render(convert(args.data, args.export_date, args.deals), args.deals)
    except ConversionError as e:
        print(f"crm_to_events: error: {e}", file=sys.stderr)
        return 1

    if args.output == "-":
        sys.stdout.reconfigure(newline="")  # keep LF line endings on every platform
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    # Write to a temporary file beside the target, then rename: all or nothing.
    target = Path(args.output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
                f.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; use the usual mode
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as e:
        print(f"crm_to_events: error: {target}: cannot write: {e.strerror or e}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
