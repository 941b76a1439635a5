"""The clm command's public contracts: subcommands, exit statuses, --json shapes.

Run by CTest with CLM_EXE (the built clm) and CLM_SOURCE_DIR set.
"""
import json
import os
import subprocess
import tempfile
import unittest

from clm_cli import SRC, run

PRESETS = ["buttle5", "sales6", "maturity6", "clm5", "relationship4", "journey6", "sales-process5"]


class VersionAndHelp(unittest.TestCase):
    def test_version(self):
        p = run("version", check_status=0)
        self.assertRegex(p.stdout, r"^clm \d+\.\d+\.\d+\n$")
        j = json.loads(run("version", "--json", check_status=0).stdout)
        self.assertEqual(j["version"], p.stdout.split()[1])
        major, minor, patch = map(int, j["version"].split("."))
        self.assertEqual(j["version_number"], major * 10000 + minor * 100 + patch)

    def test_help_lists_commands(self):
        out = run("help", check_status=0).stdout
        for cmd in ["version", "help", "presets", "show", "validate"]:
            self.assertIn(f"  {cmd} ", out)
        self.assertIn("usage: clm show", run("help", "show", check_status=0).stdout)

    def test_unknown_command_and_option_are_usage_errors(self):
        p = run("frobnicate", check_status=2)
        self.assertIn("unknown command 'frobnicate'", p.stderr)
        self.assertEqual(p.stdout, "")
        p = run("presets", "--bogus", check_status=2)
        self.assertIn("unknown option --bogus", p.stderr)


class Models(unittest.TestCase):
    def test_presets_one_id_a_line(self):
        self.assertEqual(run("presets", check_status=0).stdout, "\n".join(PRESETS) + "\n")
        j = json.loads(run("presets", "--json", check_status=0).stdout)
        self.assertEqual([p["id"] for p in j], PRESETS)

    def test_show_every_format(self):
        for preset in PRESETS:
            with self.subTest(preset=preset):
                text = run("show", preset, check_status=0).stdout
                self.assertTrue(text.startswith(preset + " v"))
                j = json.loads(run("show", preset, "--format", "json", check_status=0).stdout)
                self.assertEqual(j["id"], preset)
                self.assertEqual(json.loads(run("show", preset, "--json", check_status=0).stdout), j)
                dot = run("show", preset, "--format", "dot", check_status=0).stdout
                svg = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True)
                self.assertEqual(svg.returncode, 0, svg.stderr)
                self.assertIn("<svg", svg.stdout)
                mer = run("show", preset, "--format", "mermaid", check_status=0).stdout
                self.assertTrue(mer.startswith("stateDiagram-v2\n"))

    def test_show_json_round_trips_through_a_file(self):
        j = run("show", "sales6", "--format", "json", check_status=0).stdout
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(j)
        try:
            self.assertEqual(run("show", f.name, "--format", "json", check_status=0).stdout, j)
            self.assertEqual(run("validate", f.name, check_status=0).stdout, "ok\n")
        finally:
            os.unlink(f.name)

    def test_show_unknown_model_fails(self):
        p = run("show", "nope", check_status=1)
        self.assertIn("nope", p.stderr)
        run("show", "sales6", "--format", "png", check_status=2)

    def test_validate_reports_every_problem_with_position(self):
        text = (
            '{"id": "broken", "version": 1, "initial": "a",\n'
            ' "stages": [\n'
            '  {"id": "a", "name": "A", "kind": "open", "task": "t", "probability": 7},\n'
            '  {"id": "a", "name": "B", "kind": "won", "task": "t"}\n'
            ' ],\n'
            ' "transitions": [{"from": "a", "to": "zz", "event": "go"}]}\n')
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(text)
        try:
            p = run("validate", f.name, check_status=1)
            lines = p.stderr.strip().split("\n")
            self.assertEqual(len(lines), 3, p.stderr)
            self.assertRegex(lines[0], rf"^{f.name}:3:\d+: error: .*probability must be within \[0, 1\]")
            self.assertRegex(lines[1], rf"^{f.name}:4:\d+: error: duplicate stage id 'a'")
            self.assertRegex(lines[2], rf"^{f.name}:6:\d+: error: .*unknown target stage 'zz'")
            j = json.loads(run("validate", "--json", f.name, check_status=1).stdout)
            self.assertFalse(j[0]["ok"])
            self.assertEqual([e["line"] for e in j[0]["errors"]], [3, 4, 6])
        finally:
            os.unlink(f.name)

    def test_validate_malformed_and_missing_files(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write('{"id": "x",\n  "version": 1,,\n}')
        try:
            p = run("validate", f.name, check_status=1)
            self.assertRegex(p.stderr, rf"^{f.name}:2:\d+: error: malformed JSON")
        finally:
            os.unlink(f.name)
        p = run("validate", "/nonexistent.json", check_status=1)
        self.assertIn("/nonexistent.json", p.stderr)

    def test_bundled_model_files_validate(self):
        for path in [os.path.join(SRC, "presets", p + ".json") for p in PRESETS] + \
                    [os.path.join(SRC, "examples", "data", "crm-pipeline.json")]:
            with self.subTest(path=path):
                self.assertEqual(run("validate", path, check_status=0).stdout, "ok\n")


class RealData(unittest.TestCase):
    """The bundled CRM data, converted by the documented script, reproduces its known figures."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.events = os.path.join(cls.tmp.name, "events.csv")
        subprocess.run(["python3", os.path.join(SRC, "scripts", "crm_to_events.py"), "-o", cls.events], check=True)
        cls.model = os.path.join(SRC, "examples", "data", "crm-pipeline.json")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def status(self, *extra):
        out = run("status", "--model", self.model, "--events", self.events, "--json", *extra, check_status=0).stdout
        j = json.loads(out)
        self.assertEqual(list(j.keys()), ["model", "as_of", "customers", "stages"])
        return j, {s["id"]: s["current"] for s in j["stages"]}

    def test_status_mid_2017(self):
        j, counts = self.status("--as-of", "2017-06-30")
        self.assertEqual(j["model"], "crm-pipeline")
        self.assertEqual(j["as_of"], "2017-06-30")
        self.assertEqual(counts, {"prospecting": 0, "engaging": 1686, "won": 1785, "lost": 894})
        self.assertEqual(j["customers"], 1686 + 1785 + 894)

    def test_status_end_2017(self):
        j, counts = self.status("--as-of", "2017-12-31")
        self.assertEqual(counts, {"prospecting": 500, "engaging": 1589, "won": 4238, "lost": 2473})
        self.assertEqual(j["customers"], 8800)
        # Without --as-of: after every event.
        j2, counts2 = self.status()
        self.assertEqual(counts2, counts)
        self.assertEqual(j2["as_of"], "2017-12-31")

    def test_status_text(self):
        out = run("status", "--model", self.model, "--events", self.events, "--as-of", "2017-06-30", check_status=0).stdout
        self.assertIn("4365 customers", out)
        self.assertRegex(out, r"engaging\s+open\s+1686")

    def test_export_one_row_per_customer(self):
        out = run("export", "--model", self.model, "--events", self.events, "--as-of", "2017-12-31", check_status=0).stdout
        lines = out.strip().split("\n")
        self.assertEqual(lines[0], "customer_id,manager,class,crm-pipeline_stage,crm-pipeline_days_in_stage,"
                                   "last_contact,next_step_date,next_step_goal,next_step_product")
        self.assertEqual(len(lines), 8801)
        j = json.loads(run("export", "--model", self.model, "--events", self.events, "--json", check_status=0).stdout)
        self.assertEqual(len(j["customers"]), 8800)
        first = j["customers"][0]
        self.assertEqual(first["customer_id"], "1C1I7A6R")
        self.assertEqual(first["manager"], "Moses Frase")
        self.assertEqual(first["models"]["crm-pipeline"]["stage"], "won")

    def test_bad_event_log_names_file_line_column(self):
        path = os.path.join(self.tmp.name, "bad.csv")
        with open(path, "w") as f:
            f.write("customer_id,timestamp,type,value\nc1,2017-02-30,stage,won\n")
        p = run("status", "--model", self.model, "--events", path, check_status=1)
        self.assertIn(f"{path}:2:2: error: column 'timestamp' (customer 'c1')", p.stderr)
        with open(path, "w") as f:
            f.write("customer_id,timestamp,type,value\nc1,2017-01-01,stage,won\nc1,2017-01-02,stage,engaging\n")
        p = run("status", "--model", self.model, "--events", path, check_status=1)
        self.assertIn(f"{path}:3: customer 'c1' in model 'crm-pipeline': no transition from 'won' to 'engaging'", p.stderr)
        run("status", "--model", self.model, check_status=2)
        # A bad date in an option is a usage mistake, like a bad number (issue 17): exit 2.
        run("status", "--model", self.model, "--events", self.events, "--as-of", "2017-13-01", check_status=2)


class Policies(unittest.TestCase):
    """clm recommend and clm plan on the real data."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.events = os.path.join(cls.tmp.name, "events.csv")
        subprocess.run(["python3", os.path.join(SRC, "scripts", "crm_to_events.py"), "-o", cls.events], check=True)
        cls.model = os.path.join(SRC, "examples", "data", "crm-pipeline.json")
        with open(os.path.join(SRC, "presets", "policies", "seeds.json")) as f:
            cls.rule_ids = {r["id"] for r in json.load(f)["rules"]}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def base(self, cmd):
        return [cmd, "--model", self.model, "--events", self.events, "--policy", "seeds"]

    def test_recommendations_on_real_data_come_with_reasons(self):
        out = run(*self.base("recommend"), "--as-of", "2017-12-31", "--limit", "50", "--json", check_status=0).stdout
        j = json.loads(out)
        self.assertEqual(j["as_of"], "2017-12-31")
        self.assertEqual(j["policy"], "seeds")
        self.assertEqual(j["count"], 50)
        recs = j["recommendations"]
        self.assertEqual([r["rank"] for r in recs], list(range(1, 51)))
        scores = [r["score"] for r in recs]
        self.assertEqual(scores, sorted(scores, reverse=True))
        for r in recs:
            self.assertIn(r["rule"], self.rule_ids)
            self.assertTrue(r["reasons"], r)
            self.assertTrue(r["task"], r)
            self.assertTrue(r["action"]["goal"])
            self.assertRegex(r["action"]["due"], r"^2018-01-\d\d$|^2017-12-31$")
            self.assertIn(r["action"]["channel"], {"messenger", "email", "call", "online_meeting", "meeting", "other"})
        # One per deal; the engaging deals past the stage's observed 90th percentile are asked to
        # re-qualify, not unstuck again and again.
        self.assertEqual(len({r["customer_id"] for r in recs}), 50)
        requalify = [r for r in recs if r["rule"] == "requalify-or-close"]
        self.assertTrue(requalify)
        self.assertRegex(requalify[0]["reasons"][-1], r"^days in stage \d+ > the 90th percentile of the stage's completed stays \(\d+ days, of \d+ stays\)$")

    def test_manager_filter_and_text(self):
        j = json.loads(run(*self.base("recommend"), "--as-of", "2017-12-31", "--manager", "Moses Frase", "--json",
                           check_status=0).stdout)
        self.assertGreater(j["count"], 0)
        self.assertEqual({r["manager"] for r in j["recommendations"]}, {"Moses Frase"})
        text = run(*self.base("recommend"), "--as-of", "2017-12-31", "--limit", "3", check_status=0).stdout
        self.assertIn("because", text)

    def test_weekly_plan(self):
        j = json.loads(run(*self.base("plan"), "--manager", "Moses Frase", "--week", "2017-12-27", "--hours", "10", "--json",
                           check_status=0).stdout)
        self.assertEqual(j["week_start"], "2017-12-25")
        self.assertEqual(j["capacity_minutes"], 600)
        self.assertLessEqual(j["planned_minutes"], 600)
        self.assertEqual(sum(a["minutes"] for a in j["planned"]), j["planned_minutes"])
        self.assertTrue(j["not_fitted"])
        self.assertIn("not_fitted_because", j["not_fitted"][0])
        run(*self.base("plan"), "--manager", "Moses Frase", check_status=2)

    def test_policy_with_errors_reports_every_problem_with_position(self):
        path = os.path.join(self.tmp.name, "bad-policy.json")
        with open(path, "w") as f:
            f.write('{"id": "p",\n "rules": [\n  {"id": "r", "when": {"fact": "mood", "op": ">", "value": 1},\n'
                    '   "action": {"kind": "dance"}}\n ]}\n')
        p = run("recommend", "--model", self.model, "--events", self.events, "--policy", path, "--as-of", "2017-12-31",
                check_status=1)
        lines = p.stderr.strip().split("\n")
        self.assertEqual(len(lines), 2, p.stderr)
        self.assertRegex(lines[0], rf"^{path}:3:\d+: error: unknown fact 'mood'")
        self.assertRegex(lines[1], rf"^{path}:4:\d+: error: rule 'r': unknown action kind 'dance'")


if __name__ == "__main__":
    unittest.main()
