#!/usr/bin/env python3
"""The host's database as the store of record: clm's journal kept in SQLite
(docs/embedding.md), with Python's sqlite3 module.

1. An observer appends every committed row to the table ``journal``, keyed by
   its sequence number, in the host's own transaction.
2. The event log is imported (the observer sees each row after the commit).
3. A snapshot of the portfolio goes to the table ``snapshot`` as a BLOB
   (``Portfolio.save_bytes``).
4. The portfolio is rebuilt from the table (rows in sequence order, applied in
   chunks) and from the snapshot (``Portfolio.load_bytes``).
5. Both are compared with the original: the journal, every customer's status
   (the maturity export) and the funnel.
6. Catching up: new rows committed to the original are found with the cursor
   (``events_since``) and applied to the copy, which stays equal.

Run (the package and the library as in bindings/python/README.md):

    python3 scripts/crm_to_events.py -o crm-events.csv
    CLM_LIBRARY=build/libclm.so PYTHONPATH=bindings/python/src \\
        python3 examples/python/sqlite_journal.py examples/data/crm-pipeline.json crm-events.csv [crm.sqlite]

Prints "state equal: yes" and exits 0 when every rebuilt state equals the original.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import Iterator

import clm

COLUMNS = ("customer_id", "timestamp", "type", "value", "model", "channel", "manager", "amount", "reason", "due", "note")
CHUNK = 4096  # rows replayed per apply_batch call: memory bounded by the chunk, not the table


def open_db(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE IF EXISTS journal; DROP TABLE IF EXISTS snapshot;"
        "CREATE TABLE journal (seq INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, timestamp TEXT NOT NULL,"
        " type TEXT NOT NULL, value TEXT, model TEXT, channel TEXT, manager TEXT, amount REAL, reason TEXT,"
        " due TEXT, note TEXT);"
        "CREATE TABLE snapshot (id INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, bytes BLOB NOT NULL);"
    )
    return db


def appender(db: sqlite3.Connection):
    """An observer that appends each committed row to the journal table."""
    sql = f"INSERT INTO journal (seq, {', '.join(COLUMNS)}) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})"

    def append(change: clm.Change) -> None:
        # An exception here (a full disk, a locked table) never undoes clm's commit:
        # the row is offered again, first, on the next commit.
        e = change.event
        db.execute(sql, (change.seq, *(getattr(e, c) for c in COLUMNS)))

    return append


def rows_of(db: sqlite3.Connection, after: int = 0) -> Iterator[tuple[int, clm.Event]]:
    cur = db.execute(f"SELECT seq, {', '.join(COLUMNS)} FROM journal WHERE seq > ? ORDER BY seq", (after,))
    for seq, *fields in cur:
        yield seq, clm.Event(**dict(zip(COLUMNS, fields)))


def rebuild_from_table(db: sqlite3.Connection, model: clm.Model) -> clm.Portfolio:
    p = clm.Portfolio()
    p.add_model(model)
    chunk: list[clm.Event] = []
    for _, event in rows_of(db):
        chunk.append(event)
        if len(chunk) == CHUNK:
            p.apply_batch(chunk)
            chunk.clear()
    p.apply_batch(chunk)
    return p


def same_state(what: str, a: clm.Portfolio, b: clm.Portfolio) -> bool:
    same = True
    for name, get in (
        ("journal", lambda p: p.export_events()),
        ("status", lambda p: p.export()),
        ("funnel", lambda p: p.funnel()),
    ):
        equal = get(a) == get(b)
        print(f"  {what}: {name} {'identical' if equal else 'differs'}")
        same &= equal
    return same


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("events")
    ap.add_argument("database", nargs="?", default=":memory:")
    args = ap.parse_args()

    model = clm.Model.load(args.model)
    db = open_db(args.database)
    original = clm.Portfolio()
    original.add_model(model)
    original.set_observer(appender(db))
    with db:  # one transaction around the import
        result = original.import_csv_file(args.events)
    assert original.observed_seq == original.last_seq, original.observer_errors
    (count,) = db.execute("SELECT count(*) FROM journal").fetchone()
    print(f"imported {result.applied} events; the observer appended {count} rows to the journal table")

    with db:
        db.execute("INSERT INTO snapshot (last_seq, bytes) VALUES (?, ?)", (original.last_seq, original.save_bytes()))
    (blob,) = db.execute("SELECT bytes FROM snapshot ORDER BY id DESC LIMIT 1").fetchone()
    print(f"snapshot: {len(blob)} bytes at sequence number {original.last_seq}")

    from_table = rebuild_from_table(db, model)
    from_snapshot = clm.Portfolio.load_bytes(blob, name="snapshot")
    print(f"rebuilt {len(from_table)} customers from the table, {len(from_snapshot)} from the snapshot")
    equal = same_state("table", original, from_table) & same_state("snapshot", original, from_snapshot)

    # Catching up: a row committed to the original after the snapshot reaches the
    # table through the observer; the copy applies the table's rows after its cursor.
    last = original.events_since(original.last_seq - 1)[0].event
    original.apply(clm.Event(last.customer_id, last.timestamp, "contact", "followed up", channel="call"))
    db.commit()
    cursor = from_snapshot.last_seq
    for seq, event in rows_of(db, cursor):
        from_snapshot.apply(event)
        cursor = seq
    print(f"caught up to sequence number {cursor}")
    equal &= same_state("caught-up snapshot", original, from_snapshot)

    print("state equal: " + ("yes" if equal else "NO"))
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
