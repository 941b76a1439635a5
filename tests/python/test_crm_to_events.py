"""Tests for scripts/crm_to_events.py on the bundled CRM Sales Opportunities data.

Run from the repository root:
    python3 -m unittest discover -s tests/python -p 'test_crm*.py'

The expected figures are written down here (they come from docs/real-data.md) and are checked
twice, independently: once by folding the event log the converter writes, once straight from
sales_pipeline.csv without the converter.
"""

import csv
import datetime as dt
import json
import re
import statistics
import subprocess
import sys
import tempfile
import unittest
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "crm_to_events.py"
DATA = ROOT / "examples" / "data" / "crm-sales-opportunities"
MODEL = ROOT / "examples" / "data" / "crm-pipeline.json"

COLUMNS = ["customer_id", "timestamp", "type", "value", "model", "channel",
           "manager", "amount", "reason", "due", "note"]

# Known figures (docs/real-data.md).
EXPECTED = {
    "2017-06-30": {"engaging": 1686, "won": 1785, "lost": 894},
    "2017-12-31": {"prospecting": 500, "engaging": 1589, "won": 4238, "lost": 2473},
}
OPPORTUNITIES = 8800
ENTERED_ENGAGING = 8300
MEDIAN_DAYS_TO_CLOSE = 45
WIN_RATE_PERCENT = "63.15"
WON_REVENUE = 10005534

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def run_converter(out_path, *extra):
    subprocess.run([sys.executable, str(SCRIPT), "--data", str(DATA), "-o", str(out_path),
                    *extra], check=True, cwd=ROOT)
    return Path(out_path).read_bytes()


def stage_counts_from_log(rows, as_of):
    """Fold the event log: each customer's last stage event with timestamp <= as_of."""
    stage = {}
    for r in rows:  # file order; within a customer it is timestamp order
        if r["type"] == "stage" and r["timestamp"] <= as_of:
            stage[r["customer_id"]] = r["value"]
    return dict(Counter(stage.values()))


def stage_counts_from_pipeline(pipeline, as_of, export_date="2017-12-31"):
    """The same figures straight from sales_pipeline.csv, without the converter."""
    counts = Counter()
    for p in pipeline:
        if p["close_date"] and p["close_date"] <= as_of:
            counts[p["deal_stage"].lower()] += 1
        elif p["engage_date"] and p["engage_date"] <= as_of:
            counts["engaging"] += 1
        elif not p["engage_date"] and export_date <= as_of:
            counts["prospecting"] += 1
    return dict(counts)


class CrmToEventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        tmp = Path(cls.tmp.name)
        cls.raw = run_converter(tmp / "events1.csv")
        cls.raw_again = run_converter(tmp / "events2.csv")
        cls.text = cls.raw.decode("utf-8")
        cls.header = next(csv.reader([cls.text.split("\n", 1)[0]]))
        cls.rows = list(csv.DictReader(cls.text.splitlines()))
        with open(DATA / "sales_pipeline.csv", newline="", encoding="utf-8") as f:
            cls.pipeline = list(csv.DictReader(f))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_header_is_exactly_the_column_list(self):
        self.assertEqual(self.header, COLUMNS)
        for r in self.rows:
            self.assertNotIn(None, r, "a row has more fields than the header")
            self.assertNotIn(None, r.values(), "a row has fewer fields than the header")

    def test_lf_line_endings(self):
        self.assertNotIn(b"\r", self.raw)
        self.assertTrue(self.raw.endswith(b"\n"))

    def test_distinct_customers(self):
        self.assertEqual(len({r["customer_id"] for r in self.rows}), OPPORTUNITIES)
        self.assertEqual({r["model"] for r in self.rows}, {"crm-pipeline"})

    def test_stage_counts_folded_from_event_log(self):
        for as_of, expected in EXPECTED.items():
            with self.subTest(as_of=as_of):
                self.assertEqual(stage_counts_from_log(self.rows, as_of), expected)

    def test_stage_counts_straight_from_pipeline(self):
        self.assertEqual(len(self.pipeline), OPPORTUNITIES)
        for as_of, expected in EXPECTED.items():
            with self.subTest(as_of=as_of):
                self.assertEqual(stage_counts_from_pipeline(self.pipeline, as_of), expected)

    def test_other_known_figures_from_both_sides(self):
        # From the pipeline.
        engaged = [p for p in self.pipeline if p["engage_date"]]
        closed = [p for p in self.pipeline if p["close_date"]]
        self.assertEqual(len(engaged), ENTERED_ENGAGING)
        days = [(dt.date.fromisoformat(p["close_date"])
                 - dt.date.fromisoformat(p["engage_date"])).days for p in closed]
        self.assertEqual(statistics.median(days), MEDIAN_DAYS_TO_CLOSE)
        won = sum(p["deal_stage"] == "Won" for p in closed)
        self.assertEqual(f"{100 * won / len(closed):.2f}", WIN_RATE_PERCENT)
        # From the event log.
        stages = defaultdict(dict)
        for r in self.rows:
            if r["type"] == "stage":
                stages[r["customer_id"]][r["value"]] = dt.date.fromisoformat(r["timestamp"])
        self.assertEqual(sum("engaging" in s for s in stages.values()), ENTERED_ENGAGING)
        log_days = [(s.get("won") or s["lost"]) - s["engaging"]
                    for s in stages.values() if "won" in s or "lost" in s]
        self.assertEqual(statistics.median(d.days for d in log_days), MEDIAN_DAYS_TO_CLOSE)
        log_won = sum("won" in s for s in stages.values())
        self.assertEqual(f"{100 * log_won / len(log_days):.2f}", WIN_RATE_PERCENT)

    def test_gtxpro_never_appears(self):
        self.assertNotIn("GTXPro", self.text)
        with open(DATA / "products.csv", newline="", encoding="utf-8") as f:
            products = {p["product"] for p in csv.DictReader(f)}
        for r in self.rows:
            if r["type"] == "purchase":
                self.assertIn(r["value"], products)
            if r["type"] == "attribute" and r["value"].startswith("product="):
                self.assertIn(r["value"][len("product="):], products)
        self.assertIn("product=GTX Pro", self.text)

    def test_every_row_has_a_valid_date(self):
        for r in self.rows:
            self.assertRegex(r["timestamp"], DATE_RE)
            dt.date.fromisoformat(r["timestamp"])  # raises on 2017-02-30 and the like
            self.assertTrue(r["customer_id"] and r["type"] and r["value"], r)

    def test_output_is_identical_across_runs(self):
        self.assertEqual(self.raw, self.raw_again)

    def test_purchases_match_won_deals(self):
        purchases = [r for r in self.rows if r["type"] == "purchase"]
        won = [p for p in self.pipeline if p["deal_stage"] == "Won"]
        self.assertEqual(len(purchases), len(won))
        self.assertEqual(sum(int(r["amount"]) for r in purchases),
                         sum(int(p["close_value"]) for p in won))
        self.assertEqual(sum(int(r["amount"]) for r in purchases), WON_REVENUE)

    def test_prospecting_rows_on_export_date(self):
        prospects = {p["opportunity_id"] for p in self.pipeline if p["deal_stage"] == "Prospecting"}
        for r in self.rows:
            if r["customer_id"] in prospects:
                self.assertEqual(r["timestamp"], "2017-12-31")
                self.assertEqual(r["note"], "date unknown: export date")

    def test_stage_paths_follow_the_model(self):
        model = json.loads(MODEL.read_text(encoding="utf-8"))
        self.assertEqual(model["id"], "crm-pipeline")
        allowed = {(t["from"], t["to"]) for t in model["transitions"]}
        stage_ids = {s["id"] for s in model["stages"]}
        paths = defaultdict(list)
        last_date = {}
        for r in self.rows:
            cid = r["customer_id"]
            self.assertGreaterEqual(r["timestamp"], last_date.get(cid, ""), cid)
            last_date[cid] = r["timestamp"]
            if r["type"] == "stage":
                self.assertIn(r["value"], stage_ids)
                paths[cid].append(r["value"])
        for cid, path in paths.items():
            self.assertIn(path[0], ("prospecting", "engaging"), cid)
            for a, b in zip(path, path[1:]):
                self.assertIn((a, b), allowed, cid)

    def test_rows_grouped_by_opportunity_in_file_order(self):
        order = []
        for r in self.rows:
            if not order or order[-1] != r["customer_id"]:
                order.append(r["customer_id"])
        self.assertEqual(order, [p["opportunity_id"] for p in self.pipeline])

    def test_export_date_option(self):
        with tempfile.TemporaryDirectory() as d:
            text = run_converter(Path(d) / "e.csv", "--export-date", "2018-01-15").decode()
        rows = list(csv.DictReader(text.splitlines()))
        self.assertEqual(sum(r["type"] == "stage" and r["value"] == "prospecting"
                             and r["timestamp"] == "2018-01-15" for r in rows), 500)
        self.assertEqual(stage_counts_from_log(rows, "2017-12-31"),
                         {k: v for k, v in EXPECTED["2017-12-31"].items()
                          if k != "prospecting"})


if __name__ == "__main__":
    unittest.main()
