"""The `seeds` policy preset through the clm command, on the cookbook's journals
(docs/cookbook/data): lost customers get nothing, the documents it asks for are the ones the
models require, sleeping means a former customer, and plans read like the policy files they
come with.

The expectations come from the journals themselves (`clm export` for where each customer
stands, the model's requirements), not from the policy engine.

Run by CTest with CLM_EXE (the built clm) and CLM_SOURCE_DIR set.
"""
import csv
import io
import json
import os
import shutil
import tempfile
import unittest

from clm_cli import SRC, run

DATA = os.path.join(SRC, "docs", "cookbook", "data")
SALES6 = os.path.join(DATA, "sales6.csv")
MATURITY6 = os.path.join(DATA, "maturity6.csv")


def stages(model, events, as_of):
    """customer id -> stage id, from `clm export`."""
    out = run("export", "--model", model, "--events", events, "--as-of", as_of, check_status=0).stdout
    return {row["customer_id"]: row[f"{model}_stage"] for row in csv.DictReader(io.StringIO(out))}


def lost_stages(model):
    """The stage ids of lost or terminal kind, from the model's JSON."""
    j = json.loads(run("show", model, "--json", check_status=0).stdout)
    return {s["id"] for s in j["stages"] if s.get("kind") in ("lost", "terminal")}


def recommend(model, events, as_of, *extra):
    """Every action of every customer (--per-customer 100: not only each one's best)."""
    out = run("recommend", "--model", model, "--events", events, "--policy", "seeds", "--as-of", as_of, "--json",
              "--per-customer", "100", *extra, check_status=0).stdout
    return json.loads(out)["recommendations"]


class LostCustomers(unittest.TestCase):
    def check_nothing_for_lost(self, model, events, as_of, must_be_lost):
        where = stages(model, events, as_of)
        lost = {c for c, s in where.items() if s in lost_stages(model)}
        self.assertTrue(must_be_lost <= lost, (must_be_lost, lost))
        recs = recommend(model, events, as_of)
        self.assertTrue(recs)
        for r in recs:
            self.assertNotIn(r["customer_id"], lost, r)
        # The live customers still get their cadences and follow-ups.
        self.assertTrue({r["customer_id"] for r in recs} & (set(where) - lost))

    def test_lost_deals_get_no_follow_up(self):
        # orbita-telecom lost on 2023-11-03 with its proposal open; alfa-stroy lost after a refused presentation.
        self.check_nothing_for_lost("sales6", SALES6, "2023-12-29", {"orbita-telecom", "alfa-stroy"})

    def test_gone_customers_get_no_cadence(self):
        # sibir-pharma (class B) left on 2024-03-12.
        self.check_nothing_for_lost("maturity6", MATURITY6, "2024-04-01", {"sibir-pharma"})


class Documents(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="clm-seeds-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_the_recommended_meeting_protocol_lets_the_deal_advance(self):
        recs = recommend("sales6", SALES6, "2023-12-29", "--manager", "Dmitry Kozlov")
        protocol = [r for r in recs if r["customer_id"] == "grand-hotel" and r["rule"] == "meeting-protocol"]
        self.assertEqual(len(protocol), 1, recs)
        document = protocol[0]["action"]["document"]
        # Record what was recommended, then move on to the proposal: sales6 must accept it.
        events = os.path.join(self.tmp, "events.csv")
        shutil.copy(SALES6, events)
        with open(events, "a", encoding="utf-8") as f:
            f.write(f"grand-hotel,2023-12-29,document,{document},,email,Dmitry Kozlov,,,,\n")
            f.write("grand-hotel,2023-12-30,event,advance,sales6,,Dmitry Kozlov,,,,\n")
        self.assertEqual(stages("sales6", events, "2023-12-30")["grand-hotel"], "proposal")

    def test_overdue_control_points_are_named(self):
        recs = recommend("sales6", SALES6, "2023-12-29", "--manager", "Dmitry Kozlov")
        overdue = {r["customer_id"]: r for r in recs if r["rule"] == "control-point-overdue"}
        # zarya-bank's contract corrections were due on 2023-12-15, sever-group's balance invoice on 2023-12-28.
        self.assertEqual(overdue["zarya-bank"]["reasons"][0], "control point 'contract corrections' overdue by 14 days")
        self.assertEqual(overdue["zarya-bank"]["action"]["document"], "contract corrections")
        self.assertEqual(overdue["sever-group"]["reasons"][0], "control point 'invoice' overdue by 1 day")
        self.assertEqual(overdue["sever-group"]["action"]["document"], "invoice")
        # Overdue points are not "due soon".
        for r in recs:
            if r["rule"] == "control-point-due-soon":
                self.assertNotRegex(r["reasons"][0], r"due in -")


class Sleeping(unittest.TestCase):
    def test_a_refused_presentation_is_not_a_sleeping_customer(self):
        recs = recommend("sales6", SALES6, "2023-11-09", "--manager", "Olga Smirnova")
        refused = {c for c, s in stages("sales6", SALES6, "2023-11-09").items() if s == "presentation_refused"}
        self.assertTrue({"vector-it", "alfa-stroy"} <= refused)
        self.assertEqual([r["customer_id"] for r in recs if r["rule"] == "sleeping-customer"], [])
        # vector-it still gets its retry, on the date recorded with the refusal.
        self.assertTrue([r for r in recs if r["customer_id"] == "vector-it" and r["rule"] == "retry-refused-presentation"])

    def test_a_sleeping_former_customer_is_woken(self):
        # neva-foods was loyal (bought in January and February) and fell asleep on 2024-03-18.
        self.assertEqual(stages("maturity6", MATURITY6, "2024-04-01")["neva-foods"], "sleeping")
        recs = recommend("maturity6", MATURITY6, "2024-04-01", "--manager", "Pavel Orlov")
        self.assertIn(("neva-foods", "sleeping-customer"), {(r["customer_id"], r["rule"]) for r in recs})


class Plans(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="clm-seeds-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_plan_minutes_are_rounded(self):
        base = ["plan", "--model", "maturity6", "--events", MATURITY6, "--policy", "seeds", "--manager", "Pavel Orlov",
                "--week", "2024-04-01", "--hours", "1.5"]
        out = run(*base, "--json", check_status=0).stdout
        j = json.loads(out)
        self.assertEqual(j["capacity_minutes"], 90)
        budgets = {c["class"]: c["budget_minutes"] for c in j["classes"]}
        self.assertEqual((budgets["D"], budgets["E"], budgets["F"]), (31.5, 9, 4.5))  # 70/20/10% of the service half of 90
        self.assertNotIn("99999", out)
        self.assertNotIn("00001", out)
        text = run(*base, check_status=0).stdout
        self.assertRegex(text.splitlines()[0], r"^week of 2024-04-01 for Pavel Orlov: \d+ actions, \d+ of 90 minutes; \d+ did not fit$")

    def test_plan_files_ignore_comments_like_policy_files(self):
        with open(os.path.join(DATA, "plan-2024-03.json"), encoding="utf-8") as f:
            plan = json.load(f)
        plain = os.path.join(self.tmp, "plain.json")
        with open(plain, "w", encoding="utf-8") as f:
            json.dump(plan, f)
        commented = os.path.join(self.tmp, "commented.json")
        with open(commented, "w", encoding="utf-8") as f:
            json.dump({"$comment": "March targets", "$schema": "https://example.com/plan", "x-owner": "sales ops", **plan}, f)
        base = ["plan-actual", "--model", "maturity6", "--events", MATURITY6, "--json", "--plan"]
        self.assertEqual(run(*base, commented, check_status=0).stdout, run(*base, plain, check_status=0).stdout)
        wrong = os.path.join(self.tmp, "wrong.json")
        with open(wrong, "w", encoding="utf-8") as f:
            json.dump({"comment": "March targets", **plan}, f)
        p = run(*base, wrong, check_status=1)
        self.assertIn("unknown key \"comment\"", p.stderr)


if __name__ == "__main__":
    unittest.main()
