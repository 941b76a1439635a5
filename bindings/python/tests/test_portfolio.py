"""Tests of clm.Portfolio: events, batches, CSV import, as-of queries, export,
save/load, host predicates, migration, analytics, ownership, and the real data.

    CLM_LIBRARY=/path/to/libclm.so python3 -m unittest discover -s bindings/python/tests -p 'test_portfolio.py' -v
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent / "src"))

import clm  # noqa: E402
from clm import Event, Portfolio  # noqa: E402

# lead -> won is guarded by the host predicate "credit_ok"; lead -> lost needs no guard.
DEAL_JSON = """{
  "id": "deal", "version": 1, "initial": "lead",
  "stages": [
    {"id": "lead", "name": "Lead", "kind": "open", "task": "qualify"},
    {"id": "won", "name": "Won", "kind": "won", "task": "deliver"},
    {"id": "lost", "name": "Lost", "kind": "lost", "task": "learn"}
  ],
  "transitions": [
    {"from": "lead", "to": "won", "event": "win", "guards": [{"kind": "predicate", "name": "credit_ok"}]},
    {"from": "lead", "to": "lost", "event": "lose"}
  ]
}"""

PIPE_V1 = """{"id": "pipe", "version": 1, "initial": "lead",
  "stages": [{"id": "lead", "name": "Lead", "kind": "open", "task": "t"}, {"id": "won", "name": "Won", "kind": "won", "task": "t"}],
  "transitions": [{"from": "lead", "to": "won", "event": "win"}]}"""
PIPE_V2 = """{"id": "pipe", "version": 2, "initial": "prospect",
  "stages": [{"id": "prospect", "name": "Prospect", "kind": "open", "task": "t"}, {"id": "won", "name": "Won", "kind": "won", "task": "t"}],
  "transitions": [{"from": "prospect", "to": "won", "event": "win"}],
  "migrations": [{"from_version": 1, "stages": {"lead": "prospect"}}]}"""

LOG = (
    "customer_id,timestamp,type,value\n"
    "x,2024-01-01,stage,awareness\n"
    "y,2024-01-01,stage,awareness\n"
    "y,2024-01-09,stage,commitment\n"
    "x,2024-01-10,contact,called\n"
)


def buttle() -> Portfolio:
    p = Portfolio()
    with clm.Model.preset("buttle5") as m:
        p.add_model(m)
    return p


class ConstructionTest(unittest.TestCase):
    def test_new_is_empty(self) -> None:
        with Portfolio() as p:
            self.assertEqual(len(p), 0)
            self.assertEqual(p.customers, [])
            self.assertEqual(p.event_count, 0)
            self.assertEqual(p.models, [])
            self.assertIn("0 models", repr(p))
            self.assertEqual(p.export_events().splitlines()[0].split(",")[:4], ["customer_id", "timestamp", "type", "value"])

    def test_close_twice_and_use_after_close(self) -> None:
        p = buttle()
        m = p.models[0]
        p.close()
        p.close()
        self.assertTrue(p.closed)
        self.assertEqual(repr(p), "<clm.Portfolio (closed)>")
        for call in (lambda: p.customers, lambda: p.apply(Event("a", "2024-01-01", "stage", "awareness")), lambda: len(p)):
            with self.assertRaisesRegex(ValueError, "closed clm.Portfolio"):
                call()
        # the portfolio's model views close with it
        self.assertTrue(m.closed)
        with self.assertRaises(ValueError):
            m.id

    def test_with_block_closes(self) -> None:
        with buttle() as p:
            pass
        self.assertTrue(p.closed)

    def test_garbage_collection_frees(self) -> None:
        for _ in range(500):
            p = buttle()
            p.apply(Event("a", "2024-01-01", "stage", "awareness"))
        del p
        gc.collect()


class ModelsTest(unittest.TestCase):
    def test_add_model_shares_and_slots(self) -> None:
        with Portfolio() as p:
            m = clm.Model.preset("sales6")
            self.assertEqual(p.add_model(m), 0)
            m.close()  # the portfolio keeps it alive
            with clm.Model.preset("maturity6") as m2:
                self.assertEqual(p.add_model(m2), 1)
            models = p.models
            self.assertEqual([x.id for x in models], ["sales6", "maturity6"])
            self.assertIn("the portfolio's", repr(models[0]))
            models[0].close()  # borrowed: closing a view frees nothing
            self.assertEqual(p.models[0].id, "sales6")

    def test_duplicate_model(self) -> None:
        with Portfolio() as p, clm.Model.preset("sales6") as m:
            p.add_model(m)
            with self.assertRaises(clm.DuplicateError) as cm:
                p.add_model(m)
            self.assertEqual(cm.exception.status, clm.Status.DUPLICATE)
            self.assertEqual(cm.exception.status_name, "CLM_E_DUPLICATE")
            self.assertTrue(cm.exception.message.startswith("clm_portfolio_add_model: "))

    def test_closed_model_is_refused(self) -> None:
        m = clm.Model.preset("sales6")
        m.close()
        with Portfolio() as p, self.assertRaises(ValueError):
            p.add_model(m)

    def test_migrate(self) -> None:
        v1 = clm.Model.from_json(PIPE_V1)
        v2 = clm.Model.from_json(PIPE_V2)
        with Portfolio() as p:
            p.add_model(v1)
            view = p.models[0]
            p.apply(Event("a", "2024-01-01", "stage", "lead"))
            with self.assertRaises(clm.InvalidArgumentError):
                p.migrate(v1)  # not newer
            self.assertEqual(p.event_count, 1)
            p.migrate(v2)
            self.assertEqual(p.stage("a").stage_id, "prospect")
            self.assertEqual(view.version, 2)  # the same view shows the new version
            with clm.Model.preset("sales6") as other, self.assertRaises(clm.NotFoundError):
                p.migrate(other)


class EventsTest(unittest.TestCase):
    def test_event_defaults_and_fields(self) -> None:
        e = Event("c", "2024-01-01", "contact")
        self.assertIsNone(e.value)
        self.assertIsNone(e.amount)
        with self.assertRaises(Exception):
            e.value = "x"  # type: ignore[misc]  # frozen

    def test_apply_and_stage(self) -> None:
        with Portfolio() as p, clm.Model.preset("sales6") as m:
            p.add_model(m)
            p.apply(Event("acme", "2024-05-01", "stage", "presentation", manager="Ann"))
            p.apply(Event("acme", "2024-05-02", "check", "meeting protocol sent"))
            p.apply(Event("acme", dt.date(2024, 5, 3), "event", "advance"))
            p.apply(Event("acme", "2024-05-04T10:30:00", "contact", channel="call", manager="Ann"))
            p.apply(Event("acme", "2024-05-05", "purchase", "licence", amount=1200.5))
            p.apply(Event("acme", "2024-05-06", "next_step", "send the contract", due="2024-05-10", note="licence"))
            self.assertEqual(p.customers, ["acme"])
            self.assertEqual(p.event_count, 6)
            self.assertEqual(p.stage("acme"), clm.StagePosition("proposal", 3))
            self.assertEqual(p.stage("acme", "sales6", "2024-05-02"), clm.StagePosition("presentation", 1))
            self.assertEqual(p.stage("acme", as_of=dt.date(2024, 4, 1)), clm.StagePosition(None, 0))
            c = p.customer("acme", as_of="2024-05-08")
            self.assertIsInstance(c, dict)
            text = json.dumps(c)
            self.assertIn("proposal", text)
            self.assertIn("1200.5", text)
            h = p.history("acme")
            self.assertEqual(len(h), 6)
            self.assertEqual(h[0]["value"], "presentation")

    def test_apply_errors_change_nothing(self) -> None:
        with buttle() as p:
            p.apply(Event("a", "2024-01-01", "stage", "awareness"))
            cases = [
                (Event("a", "2024-01-02", "stage", "commitment"), clm.IllegalTransitionError),
                (Event("b", "2024-13-01", "stage", "awareness"), clm.InvalidArgumentError),
                (Event("b", "2024-02-01", "warp", "x"), clm.InvalidArgumentError),
                (Event("b", "2024-02-01", "stage", "nowhere"), clm.NotFoundError),
                (Event("a", "2023-12-01", "contact"), clm.InvalidArgumentError),  # late, in strict time order
            ]
            p.set_strict_time_order(True)
            for ev, err in cases:
                with self.subTest(ev), self.assertRaises(err) as cm:
                    p.apply(ev)
                self.assertEqual(cm.exception.function, "clm_portfolio_apply")
                self.assertTrue(cm.exception.message.startswith("clm_portfolio_apply: "), cm.exception.message)
            self.assertEqual(p.event_count, 1)
            self.assertEqual(p.customers, ["a"])
            with self.assertRaisesRegex(clm.IllegalTransitionError, "customer 'a'") as cm2:
                p.apply(Event("a", "2024-01-02", "stage", "commitment"))
            self.assertEqual(cm2.exception.status_name, "CLM_E_ILLEGAL_TRANSITION")
            with self.assertRaisesRegex(clm.InvalidArgumentError, "unknown type 'warp'"):
                p.apply(Event("b", "2024-02-01", "warp", "x"))
            with self.assertRaises(TypeError):
                p.apply({"customer_id": "a"})  # type: ignore[arg-type]
            with self.assertRaises(TypeError):
                p.apply(Event("a", 20240101, "stage", "awareness"))  # type: ignore[arg-type]

    def test_apply_batch(self) -> None:
        with buttle() as p:
            p.import_csv(LOG, "log.csv", skip_bad=True)
            evs = [
                Event("x", "2024-02-01", "stage", "exploration"),
                Event("z", "2024-02-01", "stage", "nowhere"),
                Event("z", "2024-02-01", "stage", "awareness"),
            ]
            with self.assertRaisesRegex(clm.NotFoundError, "event 1") as cm:
                p.apply_batch(evs)
            self.assertEqual(cm.exception.function, "clm_portfolio_apply_batch")
            self.assertEqual(p.event_count, 3)  # all or nothing
            res = p.apply_batch(evs, skip_bad=True)
            self.assertIsInstance(res, list)
            self.assertEqual(res.applied, 2)
            self.assertEqual(len(res), 1)
            self.assertEqual(res[0].index, 1)
            self.assertIn("nowhere", res[0].message)
            self.assertTrue(str(res[0]).startswith("event 1: "))
            self.assertEqual(p.apply_batch([]), [])
            ok = p.apply_batch([Event("w", "2024-03-01", "stage", "awareness")])
            self.assertEqual((ok, ok.applied), ([], 1))
            with self.assertRaises(TypeError):
                p.apply_batch(["not an event"])  # type: ignore[list-item]

    def test_stage_with_several_models(self) -> None:
        with Portfolio() as p:
            for pid in ("sales6", "maturity6"):
                with clm.Model.preset(pid) as m:
                    p.add_model(m)
            p.apply(Event("a", "2024-01-01", "stage", "presentation", model="sales6"))
            p.apply(Event("a", "2024-01-01", "stage", "competitors", model="maturity6"))
            self.assertEqual(p.stage("a", "maturity6").stage_id, "competitors")
            self.assertEqual(p.stage_counts("sales6")["presentation"], 1)
            with self.assertRaises(clm.InvalidArgumentError):
                p.stage("a")
            with self.assertRaises(clm.InvalidArgumentError):
                p.stage_counts()
            with self.assertRaises(clm.NotFoundError):
                p.stage_counts("nope")
            with self.assertRaises(clm.InvalidArgumentError):
                p.apply(Event("b", "2024-01-01", "stage", "presentation"))  # model required


class ImportTest(unittest.TestCase):
    def test_all_or_nothing_and_skip_bad(self) -> None:
        with buttle() as p:
            with self.assertRaises(clm.IllegalTransitionError) as cm:
                p.import_csv(LOG, "log.csv")
            self.assertIn("log.csv:4: customer 'y'", cm.exception.message)
            self.assertEqual(len(p), 0)
            res = p.import_csv(LOG, "log.csv", skip_bad=True)
            self.assertEqual(res.applied, 3)
            self.assertEqual([(r.file, r.line) for r in res], [("log.csv", 4)])
            self.assertEqual(p.customers, ["x", "y"])

    def test_parse_errors_have_problems(self) -> None:
        with buttle() as p:
            with self.assertRaises(clm.ParseError) as cm:
                p.import_csv("customer_id,timestamp\n", "h.csv")
            self.assertIn("missing required column 'type'", cm.exception.message)
            self.assertEqual(cm.exception.problems[0].file, "h.csv")
            bad = "customer_id,timestamp,type,value\na,2024-02-30,stage,awareness\nb,2024-01-01,warp,x\n"
            with self.assertRaises(clm.ParseError) as cm:
                p.import_csv(bad, "bad.csv")
            self.assertEqual(len(cm.exception.problems), 2)
            self.assertEqual([pr.line for pr in cm.exception.problems], [2, 3])

    def test_files(self) -> None:
        with tempfile.TemporaryDirectory() as tmp, buttle() as p:
            path = Path(tmp) / "log.csv"
            path.write_text(LOG.replace("y,2024-01-09,stage,commitment\n", ""), encoding="utf-8")
            self.assertEqual(p.import_csv(path).applied, 3)  # a PathLike is a file
            with buttle() as q:
                self.assertEqual(q.import_csv(str(path)).applied, 3)  # so is an existing path string
            with buttle() as q:
                self.assertEqual(q.import_csv_file(path).applied, 3)
                with self.assertRaises(clm.ClmIOError) as cm:
                    q.import_csv_file(Path(tmp) / "missing.csv")
                self.assertIn("missing.csv", cm.exception.message)
            path.write_text(LOG, encoding="utf-8")
            with buttle() as q:
                with self.assertRaises(clm.IllegalTransitionError) as cm:
                    q.import_csv_file(path)
                self.assertIn(str(path) + ":4", cm.exception.message)
                res = q.import_csv(path, skip_bad=True)
                self.assertEqual(res[0].file, str(path))

    def test_export_events_round_trip(self) -> None:
        with buttle() as p:
            p.import_csv(LOG, skip_bad=True)
            text = p.export_events()
            with buttle() as q:
                q.import_csv(text)
                self.assertEqual(q.export_events(), text)
                self.assertEqual(q.stage_counts(), p.stage_counts())


class QueriesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.p = buttle()
        self.p.import_csv(LOG, skip_bad=True)
        self.p.apply_batch([Event("x", "2024-02-01", "stage", "exploration"), Event("z", "2024-02-01", "stage", "awareness")])

    def tearDown(self) -> None:
        self.p.close()

    def test_stage_counts(self) -> None:
        counts = self.p.stage_counts()
        self.assertEqual(list(counts), ["awareness", "exploration", "expansion", "commitment", "dissolution"])
        self.assertEqual(counts["awareness"], 2)
        self.assertEqual(counts["exploration"], 1)
        self.assertEqual(self.p.stage_counts("buttle5", "2024-01-05")["awareness"], 2)
        self.assertEqual(sum(self.p.stage_counts(as_of="2023-01-01").values()), 0)
        with self.assertRaises(clm.InvalidArgumentError) as cm:
            self.p.stage_counts(as_of="2017-02-30")
        self.assertIn("2017-02-30", cm.exception.message)

    def test_stage_errors(self) -> None:
        with self.assertRaises(clm.NotFoundError):
            self.p.stage("ghost")
        with self.assertRaises(clm.NotFoundError):
            self.p.stage("x", "other")
        with self.assertRaises(clm.InvalidArgumentError):
            self.p.stage("x", as_of="2017-02-30")

    def test_customer_and_history(self) -> None:
        c = self.p.customer("x", "2024-01-20")
        self.assertEqual((c["customer_id"], c["as_of"]), ("x", "2024-01-20"))
        self.assertEqual((c["models"][0]["stage"], c["models"][0]["days_in_stage"]), ("awareness", 19))
        self.assertEqual(self.p.customer("x")["models"][0]["stage"], "exploration")
        self.assertIn('"days_since_contact": 10', json.dumps(c))
        self.assertEqual(self.p.history("x")[1]["value"], "called")
        with self.assertRaises(clm.NotFoundError):
            self.p.customer("ghost")
        with self.assertRaises(clm.NotFoundError):
            self.p.history("ghost")

    def test_export(self) -> None:
        csv = self.p.export("2024-02-01")
        self.assertTrue(csv.startswith("customer_id,manager,class,buttle5_stage,buttle5_days_in_stage,"))
        self.assertEqual(len(csv.strip().splitlines()), 4)
        doc = self.p.export(fmt="json")
        self.assertEqual(doc["as_of"], "2024-02-01")
        with self.assertRaisesRegex(ValueError, "unknown export format"):
            self.p.export(fmt="xml")

    def test_analytics(self) -> None:
        f = self.p.funnel()
        self.assertEqual(f["model"], "buttle5")
        self.assertEqual(f["customers"], 3)
        self.assertEqual([s["id"] for s in f["stages"]][0], "awareness")
        self.assertEqual(self.p.funnel("buttle5", "2024-01-05")["as_of"], "2024-01-05")
        t = self.p.time_in_stage(as_of="2024-02-01")
        self.assertEqual(t["stages"][0]["id"], "awareness")
        d = self.p.dynamics("2024-01-05", dt.date(2024, 2, 1))
        self.assertEqual((d["from"], d["to"]), ("2024-01-05", "2024-02-01"))
        with self.assertRaises(clm.InvalidArgumentError):
            self.p.dynamics("2024-02-01", "2024-01-05")
        v = self.p.value()
        self.assertEqual(v["customers"], 3)
        fc = self.p.forecast()
        self.assertIn("pipeline", fc)
        per = self.p.forecast_customers(as_of="2024-02-01")
        self.assertEqual(per["as_of"], "2024-02-01")
        self.assertEqual(sum(c["p_won"] for c in per["customers"]),
                         self.p.forecast(as_of="2024-02-01")["pipeline"]["expected_wins"])
        bt = self.p.backtest("2024-01-05", "2024-02-01")
        self.assertEqual(bt["open"], bt["closed"] + bt["still_open"])
        with self.assertRaises(clm.InvalidArgumentError):
            self.p.backtest("2024-02-01", "2024-01-05")
        with self.assertRaises(TypeError):
            self.p.backtest(None)
        plan = {"from": "2024-01-01", "to": "2024-01-31", "managers": {"Ann": {"contacts": 4}}}
        pa = self.p.plan_actual(plan)
        ann = next(m for m in pa["managers"] if m["manager"] == "Ann")
        self.assertEqual(ann["indicators"]["contacts"]["plan"], 4)
        self.assertTrue(ann["indicators"]["contacts"]["flagged"])
        self.assertEqual(self.p.plan_actual(json.dumps(plan)), pa)
        with self.assertRaises(clm.ParseError) as cm:
            self.p.plan_actual("{\n  nope")
        self.assertEqual(cm.exception.problems[0].file, "plan")
        with self.assertRaises(clm.NotFoundError):
            self.p.funnel("nope")
        with self.assertRaises(clm.InvalidArgumentError):
            self.p.funnel(as_of="2024-02-30")


class PredicateTest(unittest.TestCase):
    def setUp(self) -> None:
        self.p = Portfolio()
        with clm.Model.from_json(DEAL_JSON) as m:
            self.p.add_model(m)
        self.p.apply(Event("c1", "2024-01-01", "stage", "lead"))

    def tearDown(self) -> None:
        self.p.close()

    def win(self, date: str = "2024-01-05") -> None:
        self.p.apply(Event("c1", date, "stage", "won"))

    def test_unregistered_refuses(self) -> None:
        with self.assertRaisesRegex(clm.GuardFailedError, "credit_ok"):
            self.win()

    def test_allow_refuse_raise(self) -> None:
        calls: list[tuple[str, ...]] = []
        verdict: list[object] = [False]

        def credit_ok(customer: str, model: str, src: str, dst: str, date: str) -> object:
            calls.append((customer, model, src, dst, date))
            v = verdict[0]
            if isinstance(v, BaseException):
                raise v
            return v

        self.p.register_predicate("credit_ok", credit_ok)
        with self.assertRaises(clm.GuardFailedError) as cm:
            self.win()
        self.assertEqual(cm.exception.status_name, "CLM_E_GUARD_FAILED")
        self.assertIn("customer 'c1'", cm.exception.message)
        self.assertIn("'lead' -> 'won'", cm.exception.message)
        self.assertEqual(calls[0][:4], ("c1", "deal", "lead", "won"))
        self.assertTrue(calls[0][4].startswith("2024-01-05"))
        # an exception in the predicate does not cross into C
        verdict[0] = ZeroDivisionError("boom")
        with self.assertRaises(clm.CallbackError) as cm2:
            self.win()
        self.assertEqual(cm2.exception.status, clm.Status.CALLBACK)
        self.assertIn("credit_ok", cm2.exception.message)
        self.assertIsInstance(cm2.exception.__cause__, ZeroDivisionError)
        self.assertEqual(self.p.event_count, 1)  # nothing changed by the failures
        verdict[0] = 1  # any truthy value allows
        self.win()
        self.assertEqual(self.p.stage("c1").stage_id, "won")
        self.assertEqual(len(calls), 3)

    def test_predicate_in_batch_and_import(self) -> None:
        self.p.register_predicate("credit_ok", lambda c, *_: c != "bad")
        self.p.apply(Event("bad", "2024-01-01", "stage", "lead"))
        res = self.p.apply_batch(
            [Event("c1", "2024-01-05", "stage", "won"), Event("bad", "2024-01-05", "stage", "won")], skip_bad=True
        )
        self.assertEqual((res.applied, [r.index for r in res]), (1, [1]))
        self.assertIn("credit_ok", res[0].message)

        def broken(*_: str) -> bool:
            raise RuntimeError("no credit service")

        self.p.register_predicate("credit_ok", broken)  # replaces the previous one
        with self.assertRaises(clm.CallbackError) as cm:
            self.p.import_csv("customer_id,timestamp,type,value\nbad,2024-01-09,stage,won\n", "x.csv")
        self.assertIsInstance(cm.exception.__cause__, RuntimeError)
        self.assertEqual(self.p.stage("bad").stage_id, "lead")

    def test_callback_stays_alive(self) -> None:
        self.p.register_predicate("credit_ok", lambda *a: True)
        gc.collect()  # the CFUNCTYPE object must survive: the portfolio holds it
        self.win()
        self.assertEqual(self.p.stage("c1").stage_id, "won")

    def test_register_errors(self) -> None:
        with self.assertRaises(TypeError):
            self.p.register_predicate("credit_ok", "not callable")  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            self.p.register_predicate(None, lambda *a: True)  # type: ignore[arg-type]

    def test_predicates_from_threads(self) -> None:
        # One writer per portfolio; separate portfolios in separate threads.
        errors: list[BaseException] = []

        def work() -> None:
            try:
                with Portfolio() as q, clm.Model.from_json(DEAL_JSON) as m:
                    q.add_model(m)
                    q.register_predicate("credit_ok", lambda c, *_: c.endswith("0"))
                    for i in range(50):
                        q.apply(Event(f"c{i}", "2024-01-01", "stage", "lead"))
                    res = q.apply_batch([Event(f"c{i}", "2024-01-02", "stage", "won") for i in range(50)], skip_bad=True)
                    assert res.applied == 5, res.applied
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


class SaveLoadTest(unittest.TestCase):
    def test_save_and_load(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "p.clmp"
            with buttle() as p:
                p.import_csv(LOG, skip_bad=True)
                p.save(path)
                events = p.export_events()
            with Portfolio.load(path) as q:
                self.assertEqual(q.customers, ["x", "y"])
                self.assertEqual([m.id for m in q.models], ["buttle5"])
                self.assertEqual(q.export_events(), events)
                q.apply(Event("x", "2024-03-01", "stage", "exploration"))  # usable after loading
            data = bytearray(path.read_bytes())
            data[40] ^= 0xFF
            path.write_bytes(bytes(data))
            with self.assertRaises(clm.CorruptError) as cm:
                Portfolio.load(str(path))
            self.assertIn(str(path), cm.exception.message)
            path.unlink()
            with self.assertRaises(clm.ClmIOError):
                Portfolio.load(path)
            with buttle() as p, self.assertRaises(clm.ClmIOError):
                p.save(Path(tmp) / "no" / "such" / "dir" / "p.clmp")

    def test_loaded_portfolio_needs_its_predicates_again(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "deal.clmp")
            with Portfolio() as p, clm.Model.from_json(DEAL_JSON) as m:
                p.add_model(m)
                p.register_predicate("credit_ok", lambda *a: True)
                p.apply(Event("c1", "2024-01-01", "stage", "lead"))
                p.save(path)
            with Portfolio.load(path) as q:
                with self.assertRaises(clm.GuardFailedError):
                    q.apply(Event("c1", "2024-01-02", "stage", "won"))
                q.register_predicate("credit_ok", lambda *a: True)
                q.apply(Event("c1", "2024-01-02", "stage", "won"))


class RealDataTest(unittest.TestCase):
    """The bundled CRM export, converted by scripts/crm_to_events.py (docs/real-data.md)."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.events = Path(cls.tmp.name) / "crm-events.csv"
        subprocess.run(
            [sys.executable, str(REPO / "scripts" / "crm_to_events.py"), "-o", str(cls.events)],
            check=True,
            timeout=300,
        )
        cls.p = Portfolio()
        with clm.Model.load(REPO / "examples" / "data" / "crm-pipeline.json") as m:
            cls.p.add_model(m)
        cls.result = cls.p.import_csv(cls.events)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.p.close()
        cls.tmp.cleanup()

    def test_import(self) -> None:
        self.assertEqual(self.result, [])
        self.assertEqual(self.result.applied, 62324)
        self.assertEqual(len(self.p), 8800)
        self.assertEqual(self.p.event_count, 62324)

    def test_known_stage_counts(self) -> None:
        self.assertEqual(
            self.p.stage_counts(as_of="2017-06-30"), {"prospecting": 0, "engaging": 1686, "won": 1785, "lost": 894}
        )
        self.assertEqual(
            self.p.stage_counts("crm-pipeline", dt.date(2017, 12, 31)),
            {"prospecting": 500, "engaging": 1589, "won": 4238, "lost": 2473},
        )

    def test_a_known_deal(self) -> None:
        # 1C1I7A6R: engaged 2016-10-20, won 2017-03-01 (docs/event-log.md)
        self.assertEqual(self.p.stage("1C1I7A6R", as_of="2017-01-01").stage_id, "engaging")
        self.assertEqual(self.p.stage("1C1I7A6R", as_of="2017-03-01"), clm.StagePosition("won", 0))

    def test_funnel(self) -> None:
        f = self.p.funnel(as_of="2017-12-31")
        self.assertEqual((f["won"], f["lost"], f["customers"]), (4238, 2473, 8800))


if __name__ == "__main__":
    unittest.main()
