"""Advice a manager acts on, on the real data (docs/policy-format.md, docs/real-data.md).

The event log of deals and accounts is written by `scripts/crm_to_events.py --deals` from the
four CSV files of examples/data/crm-sales-opportunities; `clm recommend --policy seeds` then
gives one recommendation per deal with its account, value and p_won. The expectations are
recomputed here from the CSV files: which deals have an account, each deal's value (the
product's list price, or close_value once won), each account's greetings; the 90th percentile
of the engaging stays completed by the date, by nearest rank, from the opportunities' dates.

Run by CTest with CLM_EXE (the built clm) and CLM_SOURCE_DIR set.
"""
import collections
import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

from clm_cli import SRC, run

DATA = os.path.join(SRC, "examples", "data", "crm-sales-opportunities")
MODEL = os.path.join(SRC, "examples", "data", "crm-pipeline.json")
AS_OF = "2017-12-31"


def rows(name):
    with open(os.path.join(DATA, name), newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


class AdviceOnRealData(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.log = os.path.join(cls.tmp.name, "deals.csv")
        subprocess.run([sys.executable, os.path.join(SRC, "scripts", "crm_to_events.py"), "--deals", "-o", cls.log], check=True)
        p = run("recommend", "--model", MODEL, "--events", cls.log, "--policy", "seeds", "--as-of", AS_OF, "--json", check_status=0)
        cls.recs = json.loads(p.stdout)["recommendations"]
        cls.pipeline = {r["opportunity_id"]: r for r in rows("sales_pipeline.csv")}
        prices = {r["product"].replace(" ", "").lower(): float(r["sales_price"]) for r in rows("products.csv")}
        cls.value = {}
        for oid, r in cls.pipeline.items():
            cls.value[oid] = float(r["close_value"]) if r["deal_stage"] == "Won" else prices[r["product"].replace(" ", "").lower()]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_one_recommendation_per_deal_with_account_value_and_p_won(self):
        ids = [r["customer_id"] for r in self.recs]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertGreater(len(ids), 1000)
        for r in self.recs:
            oid = r["customer_id"]
            for key in ("account", "value", "p_won", "score", "score_factors", "alternatives", "merged_rules", "scope"):
                self.assertIn(key, r)
            self.assertEqual(r["account"], self.pipeline[oid]["account"] or None)
            self.assertAlmostEqual(r["value"], self.value[oid], places=6)
            self.assertIsNotNone(r["p_won"])
            f = r["score_factors"]
            product = f["priority"] * f["class_weight"] * f["urgency"] * f["value"] * (1 if f["p_won"] is None else f["p_won"])
            self.assertAlmostEqual(r["score"], product, delta=1e-9 * max(1.0, abs(product)))
        self.assertTrue(any(r["alternatives"] for r in self.recs))
        self.assertGreaterEqual(len({r["rule"] for r in self.recs}), 4)
        # Ranked: score descending.
        scores = [r["score"] for r in self.recs]
        self.assertEqual(scores, sorted(scores, reverse=True))

    def test_greetings_once_per_account_and_day(self):
        greetings = collections.Counter()
        for r in self.recs:
            actions = [r] + [dict(a, account=r["account"], customer_id=r["customer_id"]) for a in r["alternatives"]]
            for a in actions:
                if a["action"]["kind"] == "greet":
                    greetings[(a["account"] or a["customer_id"], a["action"]["due"])] += 1
        self.assertTrue(greetings)
        self.assertEqual(max(greetings.values()), 1)

    def test_deals_far_past_any_close_are_unlikely_and_asked_to_close(self):
        # The 90th percentile of the engaging stays completed by the date, by nearest rank.
        as_of = dt.date.fromisoformat(AS_OF)
        lengths = sorted((dt.date.fromisoformat(r["close_date"]) - dt.date.fromisoformat(r["engage_date"])).days
                         for r in self.pipeline.values() if r["engage_date"] and r["close_date"] and dt.date.fromisoformat(r["close_date"]) <= as_of)
        p90 = lengths[math.ceil(0.9 * len(lengths)) - 1]
        longest = lengths[-1]
        far = [r for r in self.recs if r["stage"] == "engaging" and
               (as_of - dt.date.fromisoformat(self.pipeline[r["customer_id"]]["engage_date"])).days > longest]
        self.assertTrue(far)
        stage_rate = sum(1 for r in self.pipeline.values() if r["deal_stage"] == "Won") / sum(
            1 for r in self.pipeline.values() if r["deal_stage"] in ("Won", "Lost"))
        for r in far:
            self.assertIn(r["action"]["kind"], ("requalify",))
            self.assertLess(r["p_won"], stage_rate / 4)
            self.assertTrue(any(f"the 90th percentile of the stage's completed stays ({p90} days, of {len(lengths)} stays)" in x
                                for x in r["reasons"]), r["reasons"])
        # Deals past the time limit but not past the 90th percentile are still unstuck.
        for r in self.recs:
            if r["rule"] == "stuck-in-stage":
                age = (as_of - dt.date.fromisoformat(self.pipeline[r["customer_id"]]["engage_date"])).days
                self.assertLessEqual(age, p90)

    def test_per_customer_option(self):
        p = run("recommend", "--model", MODEL, "--events", self.log, "--policy", "seeds", "--as-of", AS_OF,
                "--per-customer", "2", "--json", check_status=0)
        two = json.loads(p.stdout)["recommendations"]
        per = collections.Counter(r["customer_id"] for r in two)
        self.assertEqual(max(per.values()), 2)
        self.assertEqual(set(per), {r["customer_id"] for r in self.recs})
        bad = run("recommend", "--model", MODEL, "--events", self.log, "--policy", "seeds", "--as-of", AS_OF, "--per-customer", "0")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--per-customer", bad.stderr)

    def test_same_advice_whatever_the_order_of_the_models(self):
        # The real deals in crm-pipeline, and the same customers' relationship in maturity6.
        log = os.path.join(self.tmp.name, "two-models.csv")
        with open(self.log, newline="", encoding="utf-8") as f, open(log, "w", newline="", encoding="utf-8") as out:
            reader, writer = csv.reader(f), csv.writer(out, lineterminator="\n")
            writer.writerow(next(reader))
            for cells in reader:
                writer.writerow(cells)
                if cells[2] == "stage" and cells[3] == "won":
                    writer.writerow([cells[0], cells[1], "stage", "loyal", "maturity6"] + [""] * 6 + [cells[11]])
        outputs = []
        for models in (MODEL + ",maturity6", "maturity6," + MODEL):
            p = run("recommend", "--model", models, "--events", log, "--policy", "seeds", "--as-of", AS_OF, "--json", check_status=0)
            outputs.append(p.stdout)
        self.assertEqual(outputs[0], outputs[1])


if __name__ == "__main__":
    unittest.main()
