"""Tests of the journal as a host's store of record (docs/embedding.md):
save_bytes/load_bytes, the sequence-number cursor, the observer, erasure,
and their bad inputs.

    CLM_LIBRARY=/path/to/libclm.so python3 -m unittest discover -s bindings/python/tests -p 'test_journal.py' -v
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import clm  # noqa: E402
from clm import Change, Event, Portfolio  # noqa: E402

DEAL_JSON = """{
  "id": "deal", "version": 1, "initial": "lead",
  "stages": [
    {"id": "lead", "name": "Lead", "kind": "open", "task": "qualify"},
    {"id": "offer", "name": "Offer", "kind": "open", "task": "propose"},
    {"id": "won", "name": "Won", "kind": "won", "task": "deliver"},
    {"id": "lost", "name": "Lost", "kind": "lost", "task": "learn"}
  ],
  "transitions": [
    {"from": "lead", "to": "offer", "event": "propose"},
    {"from": "offer", "to": "won", "event": "win"},
    {"from": "lead", "to": "lost", "event": "lose"},
    {"from": "offer", "to": "lost", "event": "lose"}
  ]
}"""

LOG = (
    "customer_id,timestamp,type,value,channel,amount\n"
    "c1,2024-01-01,stage,lead,,\n"
    "c2,2024-01-02,stage,lead,,\n"
    "c1,2024-01-03,contact,reached,call,\n"
    "c1,2024-01-04,event,propose,,\n"
    "c2,2024-01-05,stage,lost,,\n"
    "c1,2024-01-09,purchase,licence,,990.5\n"
)


def fresh() -> Portfolio:
    p = Portfolio()
    p.add_model(clm.Model.from_json(DEAL_JSON))
    return p


def brief(c: Change) -> str:
    return f"{c.seq} {c.event.customer_id} {c.event.type} {c.event.value} {c.from_stage}>{c.to_stage}"


class BytesTest(unittest.TestCase):
    def test_round_trip_equals_file_save(self) -> None:
        with fresh() as p:
            p.import_csv(LOG, name="log.csv")
            data = p.save_bytes()
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "p.clm")
                p.save(path)
                self.assertEqual(Path(path).read_bytes(), data)
            with Portfolio.load_bytes(data, name="row 7") as q:
                self.assertEqual(q.export_events(), p.export_events())
                self.assertEqual(q.last_seq, 6)

    def test_not_a_save(self) -> None:
        with self.assertRaises(clm.CorruptError) as cm:
            Portfolio.load_bytes(b"\xff\xfe not a save", name="blob")
        self.assertIn("'blob' is damaged: not a clm portfolio save file", str(cm.exception))
        with fresh() as p:
            data = p.save_bytes()
        with self.assertRaises(clm.CorruptError):
            Portfolio.load_bytes(data[:-2])
        with self.assertRaises(TypeError):
            Portfolio.load_bytes("text")  # type: ignore[arg-type]


class CursorTest(unittest.TestCase):
    def test_rows_after_a_sequence_number(self) -> None:
        with fresh() as p:
            self.assertEqual(p.last_seq, 0)
            self.assertEqual(p.events_since(0), [])
            p.import_csv(LOG)
            rows = p.events_since(0)
            self.assertEqual(
                [brief(c) for c in rows],
                [
                    "1 c1 stage lead None>lead",
                    "2 c2 stage lead None>lead",
                    "3 c1 contact reached None>None",
                    "4 c1 stage offer lead>offer",
                    "5 c2 stage lost lead>lost",
                    "6 c1 purchase licence None>None",
                ],
            )
            self.assertEqual(rows[5].event.amount, 990.5)
            self.assertEqual(rows[2].event.channel, "call")
            self.assertEqual([c.seq for c in p.events_since(2, limit=2)], [3, 4])
            self.assertEqual(p.events_since(6), [])
            # Replaying the rows into another portfolio rebuilds the same journal.
            with fresh() as q:
                q.apply_batch(c.event for c in rows)
                self.assertEqual(q.export_events(), p.export_events())

    def test_cursor_beyond_the_end(self) -> None:
        with fresh() as p:
            p.import_csv(LOG)
            with self.assertRaises(clm.InvalidArgumentError) as cm:
                p.events_since(7)
            self.assertIn("cursor 7 is beyond the journal's last sequence number 6", str(cm.exception))
            with self.assertRaises(ctypes.ArgumentError):
                p.events_since(-1)


class ObserverTest(unittest.TestCase):
    def test_called_after_commit_once_per_row(self) -> None:
        with fresh() as p:
            seen: list[tuple[str, int]] = []
            p.set_observer(lambda c: seen.append((brief(c), p.event_count)))
            p.apply(Event("c1", "2024-01-01", "stage", "lead"))
            result = p.apply_batch(
                [
                    Event("c1", "2024-01-02", "stage", "offer"),
                    Event("c1", "2024-01-03", "stage", "lead"),  # refused, skipped
                    Event("c1", "2024-01-04", "stage", "won"),
                ],
                skip_bad=True,
            )
            self.assertEqual(result.applied, 2)
            # Every call saw the batch whole (3 events): after the commit.
            self.assertEqual(
                seen,
                [("1 c1 stage lead None>lead", 1), ("2 c1 stage offer lead>offer", 3), ("3 c1 stage won offer>won", 3)],
            )
            with self.assertRaises(clm.IllegalTransitionError):
                p.apply(Event("c1", "2024-01-05", "stage", "lead"))
            self.assertEqual(len(seen), 3)

    def test_failure_never_undoes_a_commit(self) -> None:
        with fresh() as p:
            calls: list[int] = []

            def flaky(c: Change) -> None:
                calls.append(c.seq)
                if len(calls) == 1:
                    raise RuntimeError("webhook down")

            p.set_observer(flaky)
            p.apply(Event("c1", "2024-01-01", "stage", "lead"))  # returns normally
            self.assertEqual(p.event_count, 1)
            self.assertEqual(p.observed_seq, 0)
            self.assertIsInstance(p.observer_errors[0], RuntimeError)
            p.apply(Event("c2", "2024-01-01", "stage", "lead"))
            self.assertEqual(calls, [1, 1, 2])  # the refused row first, again
            self.assertEqual(p.observed_seq, 2)
            p.set_observer(None)
            p.apply(Event("c3", "2024-01-01", "stage", "lead"))
            self.assertEqual(calls, [1, 1, 2])
            with self.assertRaises(TypeError):
                p.set_observer(42)  # type: ignore[arg-type]


class EraseTest(unittest.TestCase):
    def test_erased_from_portfolio_and_save(self) -> None:
        with fresh() as p:
            p.import_csv(LOG.replace("c2", "gdpr-subject-42"))
            self.assertIn(b"gdpr-subject-42", p.save_bytes())
            p.erase_customer("gdpr-subject-42")
            self.assertNotIn(b"gdpr-subject-42", p.save_bytes())
            self.assertEqual(p.customers, ["c1"])
            self.assertEqual([c.seq for c in p.events_since(0)], [1, 3, 4, 6])
            self.assertEqual(p.last_seq, 6)

    def test_unknown_customer_changes_nothing(self) -> None:
        with fresh() as p:
            p.import_csv(LOG)
            before = p.save_bytes()
            with self.assertRaises(clm.NotFoundError):
                p.erase_customer("nobody")
            with self.assertRaises(ValueError):
                p.erase_customer("a\0b")
            self.assertEqual(p.save_bytes(), before)


class IngestTest(unittest.TestCase):
    def test_time_zone_offsets(self) -> None:
        with fresh() as p:
            p.apply(Event("u1", "2024-01-01T23:30:00-02:00", "stage", "lead"))
            p.set_time_zone("+03:00")
            p.apply(Event("u2", "2024-02-28T23:30:00Z", "stage", "lead"))
            rows = p.events_since(0)
            # By hand: 23:30 at -02:00 is 01:30 UTC next day; 23:30 UTC is 02:30 at +03:00.
            self.assertEqual([c.event.timestamp for c in rows], ["2024-01-02T01:30:00", "2024-02-29T02:30:00"])
            # An aware datetime carries its offset: 12:00 at -03:00 is 15:00 UTC, 18:00 at +03:00.
            import datetime as dt

            p.apply(Event("u2", dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-3))), "contact"))
            self.assertEqual(p.events_since(2)[0].event.timestamp, "2024-03-01T18:00:00")
            with self.assertRaises(ValueError):
                p.apply(Event("u2", dt.datetime(2024, 3, 2, tzinfo=dt.timezone(dt.timedelta(seconds=30))), "contact"))
            with self.assertRaises(clm.InvalidArgumentError):
                p.set_time_zone("+14:30")
            with self.assertRaises(clm.InvalidArgumentError):
                p.apply(Event("u3", "2024-01-01T10:00:00+25:00", "stage", "lead"))
            self.assertEqual(p.event_count, 3)

    def test_stream_in_chunks_equals_whole_import(self) -> None:
        import io

        lines = ["customer_id,timestamp,type,value,amount"]
        for i in range(30000):
            lines += [f"k{i:05d},2024-01-01,stage,lead,", f"k{i:05d},2024-01-05,stage,{'offer' if i % 2 else 'lost'},"]
        lines.append("k00001,2024-01-06,contact,called,99")
        text = "\n".join(lines) + "\n"
        self.assertGreater(len(text), 1 << 20)
        seen: list[int] = []
        with fresh() as whole, fresh() as streamed:
            whole.import_csv(text)
            result = streamed.import_csv_stream(io.BytesIO(text.encode()), name="s.csv", progress=seen.append)
            self.assertEqual(result.applied, 60001)
            self.assertEqual(result.warnings, ["s.csv:60002:5: warning: column 'amount' (customer 'k00001') is not used on a 'contact' row (kept, but nothing reads it)"])
            self.assertEqual(streamed.export(), whole.export())
            self.assertEqual(seen[-1], len(text))
            # A text stream works too; a cancel rolls everything back.
            with fresh() as q:
                with self.assertRaises(clm.CancelledError):
                    q.import_csv_stream(io.StringIO(text), progress=lambda n: True)
                self.assertEqual(q.event_count, 0)
                q.import_csv_stream(io.StringIO(text))
                self.assertEqual(q.export(), whole.export())

    def test_stream_records_longer_than_a_chunk(self) -> None:
        import io

        class Endless:
            """The first bytes, then `fill` for ever (a quote that never closes, a missing line break)."""

            def __init__(self, first: bytes, fill: bytes) -> None:
                self.first, self.fill = first, fill

            def read(self, n: int) -> bytes:
                if self.first:
                    first, self.first = self.first, b""
                    return first
                return self.fill * n

        # Issue 17: a record never ends. It stops at the 64 MiB limit of a streamed
        # row, on the record's line, instead of growing until memory runs out.
        for first, line in ((b"customer_id,timestamp,type,value\nc1,2024-01-01,contact,\"", 2), (b"", 1)):
            with fresh() as p:
                with self.assertRaises(clm.ParseError) as cm:
                    p.import_csv_stream(Endless(first, b"a"), name="endless")
                self.assertIn(f"endless:{line}:0: error: a record longer than 67108864 bytes, the limit of a streamed row", str(cm.exception))
                self.assertEqual(p.event_count, 0)
        # A row longer than a chunk (a 3 MiB note) but within the limit imports as a whole import does.
        text = "customer_id,timestamp,type,value,note\nc1,2024-01-01,stage,lead,\nc1,2024-01-02,contact,call,\"" + "x" * (3 << 20) + "\"\nc2,2024-01-03,stage,lead,\n"
        with fresh() as whole, fresh() as streamed:
            whole.import_csv(text)
            self.assertEqual(streamed.import_csv_stream(io.BytesIO(text.encode())).applied, 3)
            self.assertEqual(streamed.export_events(), whole.export_events())

    def test_stream_reader_fails(self) -> None:
        class Broken:
            def read(self, n: int) -> bytes:
                raise OSError("connection reset")

        with fresh() as p:
            with self.assertRaises(clm.CallbackError) as cm:
                p.import_csv_stream(Broken())
            self.assertIsInstance(cm.exception.__cause__, OSError)
            with self.assertRaises(TypeError):
                p.import_csv_stream("not a stream")  # type: ignore[arg-type]
            self.assertEqual(p.event_count, 0)


class LateEventsTest(unittest.TestCase):
    """Late events and same-time rows (docs/event-log.md)."""

    def test_late_event_folded_in_and_refused_when_it_breaks_a_later_one(self) -> None:
        with fresh() as p:
            p.apply(Event("a", "2024-01-01", "stage", "lead"))
            p.apply(Event("a", "2024-01-20", "stage", "lost"))
            p.apply(Event("a", "2024-01-10", "stage", "offer"))  # late: lead -> offer -> lost
            self.assertEqual(p.stage("a", as_of="2024-01-15").stage_id, "offer")
            self.assertEqual(p.stage("a").stage_id, "lost")
            self.assertEqual(brief(p.events_since(2)[0]), "3 a stage offer lead>offer")
            before = p.save_bytes()
            with self.assertRaises(clm.IllegalTransitionError) as cm:
                p.apply(Event("a", "2024-01-05", "stage", "lost"))  # lost -> offer is no transition
            self.assertIn("later event #3 at 2024-01-10 (stage 'offer' in model 'deal') would be refused", str(cm.exception))
            self.assertEqual(p.save_bytes(), before)
            p.set_strict_time_order(True)
            with self.assertRaises(clm.InvalidArgumentError):
                p.apply(Event("a", "2024-01-06", "contact"))
            p.set_strict_time_order(False)
            p.apply(Event("a", "2024-01-06", "contact"))
            self.assertEqual(Portfolio.load_bytes(p.save_bytes()).save_bytes(), p.save_bytes())

    def test_same_time_rows_reordered_with_a_note(self) -> None:
        import io

        with fresh() as p:
            text = "customer_id,timestamp,type,value\nd,2024-04-01,stage,lead\nd,2024-04-02,stage,won\nd,2024-04-02,stage,offer\n"
            result = p.import_csv_stream(io.BytesIO(text.encode()), "t.csv")
            self.assertEqual(result.warnings, ["t.csv:3: note: customer 'd': rows 3, 4 at 2024-04-02 applied in the order 4, 3 "
                                               "(the model refuses the file's order; it allows only this one)"])
            self.assertEqual(p.stage("d").stage_id, "won")

    def test_real_export_shuffled_per_customer_imports_to_the_same_state(self) -> None:
        """The CRM export, each customer's rows shuffled and its days split at
        random between two imports (so the second brings late rows), reaches the
        state of the sorted file."""
        import random
        import subprocess

        root = HERE.parents[2]
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "x.csv")
            subprocess.run([sys.executable, str(root / "scripts" / "crm_to_events.py"), "-o", out], check=True)
            lines = Path(out).read_text(encoding="utf-8").splitlines(keepends=True)
        header, rows = lines[0], lines[1:]
        model = clm.Model.load(str(root / "examples" / "data" / "crm-pipeline.json"))
        rng = random.Random(15)
        groups: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            cells = row.split(",", 2)
            groups.setdefault((cells[0], cells[1]), []).append(row)
        first: list[str] = []
        second: list[str] = []
        for key in sorted(groups):
            g = groups[key][:]
            rng.shuffle(g)  # the same day's rows of one customer, in any order
            (first if rng.random() < 0.5 else second).extend(g)
        rng.shuffle(first)
        rng.shuffle(second)
        with Portfolio() as sorted_p, Portfolio() as split_p:
            sorted_p.add_model(model)
            split_p.add_model(model)
            sorted_p.import_csv(header + "".join(rows), "sorted.csv")
            split_p.import_csv(header + "".join(first), "first.csv")
            last: dict[str, str] = {}
            for row in first:
                cells = row.split(",", 2)
                last[cells[0]] = max(last.get(cells[0], ""), cells[1])
            late = sum(1 for row in second if row.split(",", 2)[1] < last.get(row.split(",", 1)[0], ""))
            self.assertGreater(late, 1000)  # rows older than their customer's last one already in
            split_p.import_csv(header + "".join(second), "second.csv")
            self.assertEqual(split_p.event_count, sorted_p.event_count)
            for as_of in ("2017-03-01", "2017-07-01", None):
                # One row per customer; customers come in the order they were created.
                self.assertEqual(sorted(split_p.export(as_of=as_of).splitlines()), sorted(sorted_p.export(as_of=as_of).splitlines()))
                self.assertEqual(split_p.funnel(as_of=as_of), sorted_p.funnel(as_of=as_of))


if __name__ == "__main__":
    unittest.main()
