"""Tests of clm.Policy: loading and validation, recommendations with reasons,
options, progress and cancellation, one customer, the weekly plan, ownership.

    CLM_LIBRARY=/path/to/libclm.so python3 -m unittest discover -s bindings/python/tests -p 'test_policy.py' -v
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent / "src"))

import clm  # noqa: E402
from clm import Policy, Portfolio  # noqa: E402

LOG = (
    "customer_id,timestamp,type,value,model,channel,manager\n"
    "a,2024-05-01,stage,presentation,sales6,,\n"
    "a,2024-05-01,class,B,,,\n"
    "a,2024-05-01,manager,Ann,,,\n"
    "a,2024-05-20,contact,ok,,call,Ann\n"
    "b,2024-05-01,stage,proposal,sales6,,\n"
    "b,2024-05-01,manager,Bo,,,\n"
)

# Two rules, one of them with an `all` condition and a placeholder in the goal.
SMALL = {
    "id": "small",
    "version": 1,
    "rules": [
        {
            "id": "call-quiet",
            "description": "No contact for two weeks.",
            "when": {"all": [{"fact": "stage_kind", "op": "in", "value": ["open"]}, {"fact": "days_since_contact", "op": ">=", "value": 14}]},
            "action": {"kind": "contact", "channel": "call", "goal": "Call: {task}", "due_in_days": 1, "priority": 3},
        },
        {
            "id": "proposal-doc",
            "description": "A proposal needs its document.",
            "when": {"fact": "stage", "op": "in", "value": ["proposal"]},
            "action": {"kind": "send_document", "channel": "email", "document": "proposal", "goal": "Send the proposal", "priority": 2},
        },
    ],
}

BROKEN = '{"id": "x",\n "rules": [{"id": "r", "when": {"fact": "mood", "op": ">", "value": 1},\n "action": {"kind": "dance"}}]}'


def sales_portfolio() -> Portfolio:
    p = Portfolio()
    with clm.Model.preset("sales6") as m:
        p.add_model(m)
    p.import_csv(LOG, "log.csv")
    return p


class LoadTest(unittest.TestCase):
    def test_presets(self) -> None:
        self.assertEqual(clm.policy_presets(), ["seeds"])

    def test_load_preset(self) -> None:
        with Policy.load("seeds") as pol:
            self.assertEqual(pol.id, "seeds")
            rules = pol.rules
            self.assertGreaterEqual(len(rules), 20)
            self.assertIn("class-b-online", rules)
            self.assertIn("next-step-missing", rules)
            self.assertRegex(repr(pol), r"<clm.Policy 'seeds' \(\d+ rules\)>")

    def test_from_json_and_file(self) -> None:
        text = json.dumps(SMALL, indent=2)
        with Policy.from_json(text) as pol:
            self.assertEqual((pol.id, pol.rules), ("small", ["call-quiet", "proposal-doc"]))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "small.json"
            path.write_text(text, encoding="utf-8")
            with Policy.load(path) as pol:
                self.assertEqual(pol.id, "small")
            path.write_text(BROKEN, encoding="utf-8")
            with self.assertRaises(clm.ValidationError) as cm:
                Policy.load(str(path))
            self.assertTrue(all(p.file == str(path) for p in cm.exception.problems))
            with self.assertRaises(clm.ClmIOError) as cm2:
                Policy.load(Path(tmp) / "missing.json")
            self.assertIn("missing.json", cm2.exception.message)
            self.assertEqual(cm2.exception.status_name, "CLM_E_IO")

    def test_errors_list_problems(self) -> None:
        with self.assertRaises(clm.ValidationError) as cm:
            Policy.from_json(BROKEN)
        e = cm.exception
        self.assertEqual(e.status, clm.Status.VALIDATION)
        self.assertEqual(e.function, "clm_policy_from_json")
        messages = " | ".join(p.message for p in e.problems)
        self.assertIn("unknown fact 'mood'", messages)
        self.assertIn("unknown action kind 'dance'", messages)
        self.assertEqual({p.line for p in e.problems}, {2, 3})
        with self.assertRaises(clm.ParseError) as cm2:
            Policy.from_json('{"id": ')
        self.assertEqual(cm2.exception.problems[0].file, "<input>")

    def test_validate_json(self) -> None:
        self.assertEqual(Policy.validate_json(json.dumps(SMALL)), [])
        problems = Policy.validate_json(BROKEN, "p.json")
        self.assertEqual(len(problems), 2)
        self.assertEqual([(p.file, p.line) for p in problems], [("p.json", 2), ("p.json", 3)])
        self.assertTrue(str(problems[0]).startswith("p.json:2:"))

    def test_cannot_construct_directly(self) -> None:
        with self.assertRaises(TypeError):
            Policy()

    def test_close_twice_and_use_after_close(self) -> None:
        pol = Policy.load("seeds")
        pol.close()
        pol.close()
        self.assertTrue(pol.closed)
        self.assertEqual(repr(pol), "<clm.Policy (closed)>")
        with self.assertRaisesRegex(ValueError, "closed clm.Policy"):
            pol.id
        with sales_portfolio() as p, self.assertRaises(ValueError):
            pol.recommend(p, "2024-06-10")

    def test_garbage_collection_frees(self) -> None:
        for _ in range(200):
            Policy.load("seeds")
        gc.collect()


class RecommendTest(unittest.TestCase):
    def setUp(self) -> None:
        self.p = sales_portfolio()
        self.pol = Policy.load("seeds")

    def tearDown(self) -> None:
        self.pol.close()
        self.p.close()

    def test_one_merged_action_per_customer(self) -> None:
        recs = self.pol.recommend(self.p, "2024-06-10")
        self.assertEqual(sorted(r.customer_id for r in recs), ["a", "b"])
        for r in recs:
            self.assertIsInstance(r.alternatives, tuple)
            for alt in r.alternatives:
                self.assertIsInstance(alt, clm.Alternative)
                self.assertIsInstance(alt.action, clm.Action)
                self.assertTrue(alt.reasons)
                self.assertLessEqual(alt.score, r.score)
            self.assertIsNone(r.account)
            self.assertEqual(r.scope, "deal")
            self.assertIsNotNone(r.p_won)
            f = r.score_factors
            self.assertAlmostEqual(r.score, f["priority"] * f["class_weight"] * f["urgency"] * f["value"] * (f["p_won"] or 1.0))
        # Every action of a customer: the first one's alternatives, or per_customer.
        a = [r for r in recs if r.customer_id == "a"][0]
        every = self.pol.recommend(self.p, "2024-06-10", per_customer=100)
        self.assertEqual(sorted(x.rule for x in every if x.customer_id == "a"), sorted([a.rule] + [alt.rule for alt in a.alternatives]))
        with self.assertRaises(ValueError):
            self.pol.recommend(self.p, "2024-06-10", per_customer=-1)

    def test_recommend_all(self) -> None:
        recs = self.pol.recommend(self.p, "2024-06-10", per_customer=100)
        self.assertTrue(recs)
        self.assertEqual([r.rank for r in recs], list(range(1, len(recs) + 1)))
        self.assertEqual(sorted((r.score for r in recs), reverse=True), [r.score for r in recs])
        self.assertEqual({r.customer_id for r in recs}, {"a", "b"})
        b_online = [r for r in recs if r.rule == "class-b-online"]
        self.assertEqual(len(b_online), 1)
        r = b_online[0]
        self.assertIsInstance(r, clm.Recommendation)
        self.assertEqual((r.customer_id, r.manager, r.customer_class, r.model, r.stage), ("a", "Ann", "B", "sales6", "presentation"))
        self.assertIsInstance(r.action, clm.Action)
        self.assertRegex(r.action.due, r"^\d{4}-\d{2}-\d{2}$")
        self.assertIsInstance(r.reasons, tuple)
        self.assertIn("days since last contact 21 >= 7", r.reasons)
        self.assertTrue(r.why)
        self.assertTrue(r.task)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            r.rank = 5  # type: ignore[misc]
        hash(r)  # frozen dataclasses of tuples hash

    def test_dates_and_options(self) -> None:
        self.assertEqual(self.pol.recommend(self.p, dt.date(2024, 6, 10)), self.pol.recommend(self.p, "2024-06-10"))
        bo = self.pol.recommend(self.p, "2024-06-10", manager="Bo", limit=1, threads=2)
        self.assertEqual(len(bo), 1)
        self.assertEqual(bo[0].customer_id, "b")
        self.assertEqual(self.pol.recommend(self.p, "2024-06-10", manager="Nobody"), [])
        one_thread = self.pol.recommend(self.p, "2024-06-10", threads=1)
        self.assertEqual(one_thread, self.pol.recommend(self.p, "2024-06-10", threads=4))
        with self.assertRaisesRegex(TypeError, "never read the clock"):
            self.pol.recommend(self.p, None)
        with self.assertRaises(ValueError):
            self.pol.recommend(self.p, "2024-06-10", limit=-1)
        with self.assertRaises(clm.InvalidArgumentError) as cm:
            self.pol.recommend(self.p, "2024-06-31")
        self.assertEqual(cm.exception.function, "clm_policy_recommend")

    def test_progress_and_cancel(self) -> None:
        seen: list[tuple[int, int]] = []
        recs = self.pol.recommend(self.p, "2024-06-10", progress=lambda d, t: seen.append((d, t)))
        self.assertTrue(recs)
        self.assertTrue(seen)
        self.assertEqual(seen[0], (0, 2))
        self.assertEqual(seen[-1], (2, 2))
        with self.assertRaises(clm.CancelledError) as cm:
            self.pol.recommend(self.p, "2024-06-10", progress=lambda d, t: True)
        self.assertEqual(cm.exception.status, clm.Status.CANCELLED)
        self.assertEqual(cm.exception.status_name, "CLM_E_CANCELLED")
        self.assertIsInstance(cm.exception, clm.ClmError)

        def broken(done: int, total: int) -> bool:
            raise KeyError("progress bar gone")

        with self.assertRaises(KeyError) as cm2:
            self.pol.recommend(self.p, "2024-06-10", progress=broken)
        self.assertIsInstance(cm2.exception.__context__, clm.CancelledError)
        # still usable afterwards
        self.assertEqual(len(self.pol.recommend(self.p, "2024-06-10")), len(recs))

    def test_cancel_a_large_run(self) -> None:
        with Portfolio() as big, clm.Model.preset("sales6") as m:
            big.add_model(m)
            rows = ["customer_id,timestamp,type,value,model"] + [f"c{i},2024-05-01,stage,proposal,sales6" for i in range(20000)]
            big.import_csv("\n".join(rows) + "\n")
            calls = []

            def cancel_later(done: int, total: int) -> bool:
                calls.append(done)
                return len(calls) >= 2

            try:
                self.pol.recommend(big, "2024-06-10", progress=cancel_later)
            except clm.CancelledError:
                pass  # cancelled before the end (it may also finish first on a fast machine)
            self.assertGreaterEqual(len(calls), 1)

    def test_model_in_policy_missing_from_portfolio(self) -> None:
        pol_json = json.dumps(
            {"id": "m", "rules": [{"id": "r", "when": {"fact": "days_in_stage", "op": ">", "value": 1, "model": "buttle5"},
                                   "action": {"kind": "contact"}}]}
        )
        with Policy.from_json(pol_json) as pol, self.assertRaises(clm.NotFoundError) as cm:
            pol.recommend(self.p, "2024-06-10")
        self.assertIn("buttle5", cm.exception.message)

    def test_custom_policy(self) -> None:
        with Policy.from_json(json.dumps(SMALL)) as pol:
            recs = pol.recommend(self.p, "2024-06-10", per_customer=10)
            by_rule = {(r.customer_id, r.rule): r for r in recs}
            self.assertIn(("b", "call-quiet"), by_rule)
            self.assertIn(("b", "proposal-doc"), by_rule)
            doc = by_rule[("b", "proposal-doc")]
            self.assertEqual((doc.action.kind, doc.action.channel, doc.action.document), ("send_document", "email", "proposal"))
            self.assertTrue(by_rule[("b", "call-quiet")].action.goal.startswith("Call: "))

    def test_recommend_customer(self) -> None:
        recs = self.pol.recommend_customer(self.p, "a", "2024-06-10")
        self.assertTrue(recs)
        self.assertEqual({r.customer_id for r in recs}, {"a"})
        self.assertTrue(all(r.reasons for r in recs))
        with self.assertRaises(clm.NotFoundError) as cm:
            self.pol.recommend_customer(self.p, "zz", "2024-06-10")
        self.assertIn("zz", cm.exception.message)
        with self.assertRaises(TypeError):
            self.pol.recommend_customer(self.p, "a", None)

    def test_plan_week(self) -> None:
        plan = self.pol.plan_week(self.p, "Ann", "2024-06-12")
        self.assertIsInstance(plan, clm.WeekPlan)
        self.assertEqual((plan.manager, plan.week_start), ("Ann", "2024-06-10"))
        self.assertEqual(plan.capacity_minutes, 40 * 60)
        self.assertTrue(plan.planned)
        first = plan.planned[0]
        self.assertIsInstance(first, clm.PlannedAction)
        self.assertEqual(first.recommendation.customer_id, "a")
        self.assertGreater(first.minutes, 0)
        self.assertGreaterEqual(first.day, "2024-06-10")
        self.assertEqual(plan.planned_minutes, sum(a.minutes for a in plan.planned))
        self.assertTrue(all(isinstance(c, clm.ClassBudget) for c in plan.classes))
        short = self.pol.plan_week(self.p, "Ann", dt.date(2024, 6, 12), hours=0.1)
        self.assertEqual(short.capacity_minutes, 6)
        self.assertTrue(all(isinstance(n, clm.NotFitted) and n.reason for n in short.not_fitted))
        with self.assertRaises(clm.InvalidArgumentError):
            self.pol.plan_week(self.p, "Ann", "2024-06-12", hours=500)
        with self.assertRaises(TypeError):
            self.pol.plan_week(self.p, "Ann", None)


class RealDataTest(unittest.TestCase):
    """The seeds policy over the bundled CRM export (docs/real-data.md)."""

    def test_seeds_on_the_crm_export(self) -> None:
        import subprocess

        with tempfile.TemporaryDirectory() as tmp:
            events = Path(tmp) / "crm.csv"
            subprocess.run([sys.executable, str(REPO / "scripts" / "crm_to_events.py"), "-o", str(events)], check=True, timeout=300)
            with Portfolio() as p, clm.Model.load(REPO / "examples" / "data" / "crm-pipeline.json") as m, Policy.load("seeds") as pol:
                p.add_model(m)
                p.import_csv_file(events)
                recs = pol.recommend(p, "2017-06-30", manager="Moses Frase", limit=10)
                self.assertEqual(len(recs), 10)
                self.assertTrue(all(r.manager == "Moses Frase" for r in recs))
                self.assertTrue(all(r.model == "crm-pipeline" for r in recs))
                plan = pol.plan_week(p, "Moses Frase", "2017-06-30")
                self.assertEqual(plan.week_start, "2017-06-26")
                self.assertTrue(plan.planned)
                self.assertLessEqual(plan.planned_minutes, plan.capacity_minutes)


class TypedListTest(unittest.TestCase):
    """The typed C lists: the same recommendations as the JSON, reasons as codes, in the portfolio's locale."""

    def test_recommend_list_matches_the_json(self) -> None:
        with sales_portfolio() as p, Policy.load("seeds") as pol:
            # Every action its own recommendation, so that class-b-online's reasons are its own.
            listed = pol.recommend_list(p, "2024-06-10", per_customer=10)
            parsed = pol.recommend(p, "2024-06-10", per_customer=10)
            self.assertEqual([(r.customer_id, r.rule, r.score) for r in listed], [(r.customer_id, r.rule, r.score) for r in parsed])
            for a, b in zip(listed, parsed):
                self.assertEqual(tuple(x.text for x in a.reasons), b.reasons)
                self.assertEqual((a.goal, a.due, a.kind), (b.action.goal, b.action.due, b.action.kind))
            a = next(r for r in listed if r.rule == "class-b-online")
            code = next(x for x in a.reasons if x.id == "days_since_contact")
            # Contacted on 2024-05-20: 21 days before 2024-06-10; the seeds' class B threshold is 7.
            self.assertEqual((code.fact, code.op, code.actual, code.threshold, code.subject), ("days_since_contact", ">=", 21, 7, None))
            p.set_locale("ru")
            ru = pol.recommend_list(p, "2024-06-10", per_customer=10)
            code = next(x for x in next(r for r in ru if r.rule == "class-b-online").reasons if x.id == "days_since_contact")
            self.assertEqual(code.text, "дней с последнего контакта 21 >= 7")

    def test_plan_and_funnel_lists(self) -> None:
        with sales_portfolio() as p, Policy.load("seeds") as pol:
            week = pol.plan_week_list(p, "Ann", "2024-06-12")
            plan = pol.plan_week(p, "Ann", "2024-06-12")
            self.assertEqual(len(week), len(plan.planned) + len(plan.not_fitted))
            self.assertTrue(all(e.planned == (e.day is not None) for e in week))
            funnel = p.funnel_list("sales6", "2024-06-10")
            as_json = p.funnel("sales6", "2024-06-10")
            self.assertEqual([(s.id, s.entered, s.current) for s in funnel],
                             [(s["id"], s["entered"], s["current"]) for s in as_json["stages"]])


if __name__ == "__main__":
    unittest.main()
