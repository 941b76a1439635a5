"""clm.distributed on a LocalCluster of 2 worker processes against the
single-process answers (issue 19, docs/distributed.md).

Run by CTest under /usr/bin/python3 (Debian's python3-distributed) with
CLM_LIBRARY (the built libclm), CLM_CLI (the built clm command) and
PYTHONPATH (bindings/python/src) set. The expectations are computed another
way: by the `clm` command (real data, byte for byte) or by one process
importing the whole log (10^6 customers).
"""

from __future__ import annotations

import ctypes
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = str(ROOT / "examples/data/crm-pipeline.json")
AS_OF = "2017-12-31"
CLI = os.environ.get("CLM_CLI", "")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from distributed import Client, LocalCluster  # noqa: E402

import clm  # noqa: E402
from clm import distributed, partials  # noqa: E402

_TMP = tempfile.TemporaryDirectory(prefix="clm-distributed-")
TMP = Path(_TMP.name)
_cluster: LocalCluster | None = None
_client: Client | None = None


def setUpModule() -> None:
    global _cluster, _client
    _cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR)
    _client = Client(_cluster)


def tearDownModule() -> None:
    if _client is not None:
        _client.close()
    if _cluster is not None:
        _cluster.close()
    _TMP.cleanup()


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    """`python3 -m clm.distributed ARGS` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "clm.distributed", *args], capture_output=True, text=True, timeout=300)


def cli(*args: str) -> str:
    r = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"clm {' '.join(args)} failed: {r.stderr}")
    return r.stdout


class RealData(unittest.TestCase):
    """The bundled CRM data: every command equals `clm COMMAND ... --json`, byte for byte."""

    events: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.events = str(TMP / "crm.csv")
        subprocess.run([sys.executable, str(ROOT / "scripts/crm_to_events.py"), "-o", cls.events], check=True, capture_output=True)

    def test_analyses_equal_the_single_process_command(self) -> None:
        for command in distributed.ANALYSES:
            with self.subTest(command=command):
                want = cli(command, "--model", MODEL, "--events", self.events, "--as-of", AS_OF, "--json")
                got = distributed.run_text(command, MODEL, [self.events], AS_OF, client=_client)
                self.assertEqual(got, want)

    def test_more_parts_than_workers_give_the_same_bytes(self) -> None:
        # 5 parts merged as a tree over 2 workers: merging is associative.
        want = cli("forecast", "--model", MODEL, "--events", self.events, "--as-of", AS_OF, "--json")
        self.assertEqual(distributed.run_text("forecast", MODEL, [self.events], AS_OF, client=_client, parts=5), want)

    def test_recommend_top_n_equals_the_single_process_ranking(self) -> None:
        for limit in (25, 0):
            with self.subTest(limit=limit):
                args = ["--model", MODEL, "--events", self.events, "--policy", "seeds", "--as-of", AS_OF, "--json"]
                if limit:
                    args += ["--limit", str(limit)]
                want = cli("recommend", *args)
                got = distributed.run_text("recommend", MODEL, [self.events], AS_OF, policy="seeds", limit=limit, client=_client, parts=3)
                self.assertEqual(got, want)

    def test_presplit_files_give_the_same_bytes(self) -> None:
        # Split once by the contract; each part then reads only its own file.
        paths = distributed.split_events([self.events], AS_OF, 3, str(TMP / "split"))
        for path in paths:  # the split keeps every row once
            with open(path, encoding="utf-8") as f:
                self.assertTrue(f.readline().startswith("customer_id,"))
        with open(self.events, encoding="utf-8") as f:
            total = sum(1 for _ in f) - 1
        self.assertEqual(sum(sum(1 for _ in open(p, encoding="utf-8")) - 1 for p in paths), total)
        want = cli("time-in-stage", "--model", MODEL, "--events", self.events, "--as-of", AS_OF, "--json")
        self.assertEqual(distributed.run_text("time-in-stage", MODEL, paths, AS_OF, client=_client, presplit=True), want)

    def test_the_command_line_prints_what_clm_prints(self) -> None:
        r = run_module("funnel", "--model", MODEL, "--events", self.events, "--as-of", AS_OF, "--workers", "2", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, cli("funnel", "--model", MODEL, "--events", self.events, "--as-of", AS_OF, "--json"))
        self.assertIn("funnel: 2/2 parts", r.stderr)  # progress on stderr, never on stdout

    def test_the_python_api_returns_the_document(self) -> None:
        doc = distributed.run("status", MODEL, [self.events], AS_OF, client=_client)
        want = json.loads(cli("status", "--model", MODEL, "--events", self.events, "--as-of", AS_OF, "--json"))
        self.assertEqual(doc, want)
        self.assertEqual(doc["customers"], sum(s["current"] for s in doc["stages"]))

    def test_an_account_lives_in_one_part(self) -> None:
        # Every deal of one account is in the same part (the lifecycle to won is per account).
        accounts: dict[str, set[str]] = {}
        with open(self.events, encoding="utf-8") as f:
            for line in f:
                cid, _, kind, value = line.split(",", 4)[:4]
                if kind == "attribute" and value.startswith("account="):
                    accounts.setdefault(value[len("account="):], set()).add(cid)
        parts = 2
        seen = {}
        for k in range(parts):
            with clm.Portfolio() as p:
                p.add_model(clm.Model.load(MODEL))
                p.import_partition([self.events], AS_OF, k, parts)
                for cid in p.customers:
                    seen[cid] = k
        for name, members in accounts.items():
            self.assertEqual({seen[c] for c in members}, {partials.partition_of(name, parts)}, name)


class Generated(unittest.TestCase):
    """10^6 generated customers: the distributed answers equal one process's."""

    def test_a_million_customers(self) -> None:
        import gen_events

        events = str(TMP / "million.csv")
        with open(events, "w", encoding="utf-8", newline="") as f:
            f.write(gen_events.HEADER)
            gen_events.generate(1_000_000, f)
        # One process imports the whole log; its compact JSON comes from the same
        # report functions the clm command prints.
        lib = clm._lib.lib
        want: dict[str, object] = {}
        with clm.Portfolio() as p:
            p.add_model(clm.Model.load(MODEL))
            p.import_csv_file(events)
            want["status"] = p.stage_counts(as_of=AS_OF)
            for command, fn in (("funnel", lib.clm_portfolio_funnel_json), ("time-in-stage", lib.clm_portfolio_time_in_stage_json),
                                ("forecast", lib.clm_portfolio_forecast_json)):
                out, n = ctypes.c_void_p(), ctypes.c_size_t()
                fn(ctypes.byref(out), ctypes.byref(n), p._handle(), None, AS_OF.encode())
                want[command] = json.loads(clm.model._take_string(out, n.value))
        for command in distributed.ANALYSES:
            with self.subTest(command=command):
                got = distributed.run(command, MODEL, [events], AS_OF, client=_client)
                if command == "status":
                    self.assertEqual(got["customers"], 1_000_000)
                    self.assertEqual({s["id"]: s["current"] for s in got["stages"]}, want["status"])
                else:
                    self.assertEqual(got, want[command])  # every float the same double
                if command == "forecast":
                    # Independently: the mean purchase is the correctly rounded exact sum over the count.
                    amounts = []
                    with open(events, encoding="utf-8") as f:
                        next(f)
                        for line in f:
                            cid, when, kind, value, manager, amount, reason = line.rstrip("\n").split(",")
                            if kind == "purchase" and when <= AS_OF:
                                amounts.append(float(amount))
                    self.assertEqual(got["pipeline"]["overall_mean_amount"], math.fsum(amounts) / len(amounts))


class BadInput(unittest.TestCase):
    def test_a_bad_row_in_one_part_names_file_line_and_customer(self) -> None:
        events = TMP / "bad.csv"
        rows = ["customer_id,timestamp,type,value"]
        rows += [f"c{k},2017-01-0{1 + k % 9},stage,prospecting" for k in range(40)]
        rows.append("c7,2017-02-30,stage,engaging")  # no such day
        events.write_text("\n".join(rows) + "\n", encoding="utf-8")
        single = subprocess.run([CLI, "status", "--model", MODEL, "--events", str(events), "--as-of", AS_OF, "--json"],
                                capture_output=True, text=True)
        self.assertEqual(single.returncode, 1)
        r = run_module("status", "--model", MODEL, "--events", str(events), "--as-of", AS_OF, "--workers", "2", "--json")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")  # no partial result printed as if complete
        self.assertIn(f"{events}:42:2: error: column 'timestamp' (customer 'c7')", r.stderr)
        self.assertIn(f"{events}:42:2: error: column 'timestamp' (customer 'c7')", single.stderr)
        self.assertIn("no result", r.stderr)

    def test_an_illegal_move_in_one_part_names_it(self) -> None:
        events = TMP / "illegal.csv"
        rows = ["customer_id,timestamp,type,value"]
        rows += [f"c{k},2017-01-01,stage,prospecting" for k in range(20)]
        rows.append("c3,2017-01-05,stage,won")  # prospecting -> won is no transition
        events.write_text("\n".join(rows) + "\n", encoding="utf-8")
        with self.assertRaises(distributed.DistributedError) as e:
            distributed.run_text("forecast", MODEL, [str(events)], AS_OF, client=_client)  # two rounds: the first one's error
        self.assertIn(f"{events}:22", str(e.exception))
        self.assertIn("'c3'", str(e.exception))

    def test_a_worker_that_cannot_load_the_library(self) -> None:
        events = TMP / "ok.csv"
        events.write_text("customer_id,timestamp,type,value\nc1,2017-01-01,stage,prospecting\n", encoding="utf-8")
        env = {"CLM_LIBRARY": str(TMP / "no-such-libclm.so")}
        with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None, silence_logs=logging.CRITICAL, env=env) as cl, \
                Client(cl) as c:
            with self.assertRaises(distributed.DistributedError) as e:
                distributed.run_text("status", MODEL, [str(events)], AS_OF, client=c)
        self.assertIn("no-such-libclm.so", str(e.exception))

    def test_an_unreachable_scheduler(self) -> None:
        r = run_module("status", "--model", MODEL, "--events", "x.csv", "--as-of", AS_OF, "--scheduler", "tcp://127.0.0.1:9",
                       "--timeout", "2", "--json")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn("cannot reach the Dask scheduler at tcp://127.0.0.1:9", r.stderr)

    def test_usage_mistakes(self) -> None:
        for args in (["status", "--model", MODEL, "--events", "x.csv", "--as-of", "2017-02-30", "--workers", "2", "--json"],
                     ["recommend", "--model", MODEL, "--events", "x.csv", "--as-of", AS_OF, "--workers", "2", "--json"],
                     ["status", "--model", MODEL, "--events", "x.csv", "--as-of", AS_OF, "--json"]):
            with self.subTest(args=args):
                r = run_module(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stdout, "")

    def test_partials_refuse_to_mix(self) -> None:
        with clm.Portfolio() as p:
            p.add_model(clm.Model.load(MODEL))
            a = p.partial("funnel", AS_OF)
            b = p.partial("funnel", "2017-06-30")
            with self.assertRaises(clm.InvalidArgumentError):
                partials.merge(a, b)
            with self.assertRaises(clm.InvalidArgumentError):
                partials.merge(a, p.partial("status", AS_OF))
            with self.assertRaises(clm.InvalidArgumentError):
                p.partial("forecast", AS_OF)  # needs the merged fit


if __name__ == "__main__":
    unittest.main()
