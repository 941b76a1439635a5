"""Issue 17 (hardening II) at the command line: every option value checked,
stray and repeated arguments refused, `--` ending the options, one exit code
for every bad date or number, input limits, non-UTF-8 file names in --json,
the default as-of date before 1970, errors capped."""
import json
import os
import subprocess
import tempfile
import unittest

from clm_cli import CLM, SRC, run

SALES6 = os.path.join(SRC, "docs", "cookbook", "data", "sales6.csv")
BASE = ["--model", "sales6", "--events", SALES6]


class StrictArguments(unittest.TestCase):
    def test_bad_numbers_are_usage_errors(self):
        for args in (["recommend", *BASE, "--policy", "seeds", "--limit", "banana"],
                     ["recommend", *BASE, "--policy", "seeds", "--limit", "0x10"],
                     ["recommend", *BASE, "--policy", "seeds", "--limit", "99999999999999999999"],
                     ["plan", *BASE, "--policy", "seeds", "--manager", "M", "--week", "2023-12-25", "--hours", "inf"],
                     ["plan", *BASE, "--policy", "seeds", "--manager", "M", "--week", "2023-12-25", "--hours", "1e999"],
                     ["plan", *BASE, "--policy", "seeds", "--manager", "M", "--week", "2023-12-25", "--hours", "40 "],
                     ["dynamics", *BASE, "--from", "2023-01-01", "--to", "2023-12-31", "--min-sample", "nan"],
                     ["report", *BASE, "--json", "--top", "-1"]):
            p = run(*args, check_status=2)
            self.assertIn("usage:", p.stderr)
            self.assertNotIn("Traceback", p.stderr)

    def test_bad_dates_are_usage_errors_like_bad_numbers(self):
        for args in (["status", *BASE, "--as-of", "2023-02-30"],
                     ["funnel", *BASE, "--as-of", "yesterday"],
                     ["dynamics", *BASE, "--from", "2023-13-01", "--to", "2023-12-31"],
                     ["plan", *BASE, "--policy", "seeds", "--manager", "M", "--week", "0x10"],
                     ["report", *BASE, "--json", "--from", "2023-01-01T25:00:00"]):
            p = run(*args, check_status=2)
            self.assertIn("needs a date", p.stderr)

    def test_stray_repeated_and_single_dash_arguments(self):
        self.assertIn("unexpected argument 'extra'", run("status", *BASE, "extra", check_status=2).stderr)
        self.assertIn("--model given twice", run("status", *BASE, "--model", "sales6", check_status=2).stderr)
        self.assertIn("--json given twice", run("presets", "--json", "--json", check_status=2).stderr)
        self.assertIn("unknown option -j", run("presets", "-j", check_status=2).stderr)
        self.assertIn("unexpected argument", run("show", "sales6", "sales6", check_status=2).stderr)
        self.assertIn("unknown --format", run("export", *BASE, "--format", "xml", check_status=2).stderr)

    def test_double_dash_ends_options(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "--json")
            with open(os.path.join(SRC, "presets", "sales6.json")) as src, open(path, "w") as f:
                f.write(src.read())
            p = run("validate", "--", path, check_status=0)
            self.assertEqual(p.stdout, "ok\n")

    def test_required_options(self):
        self.assertIn("missing --policy", run("recommend", *BASE, check_status=2).stderr)
        self.assertIn("missing --to", run("dynamics", *BASE, "--from", "2023-01-01", check_status=2).stderr)
        self.assertIn("missing --events", run("plan-actual", "--model", "sales6", "--plan", "x.json", check_status=2).stderr)


class Limits(unittest.TestCase):
    def test_endless_inputs_end_with_a_clear_message(self):
        env = dict(os.environ, CLM_MAX_INPUT_BYTES="1000000")
        p = subprocess.run([CLM, "status", "--model", "sales6", "--events", "/dev/zero"], capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(p.returncode, 1)
        self.assertIn("'/dev/zero' is larger than the input limit of 1000000 bytes (set CLM_MAX_INPUT_BYTES", p.stderr)
        p = run("validate", "/dev/zero", check_status=1)
        self.assertIn("larger than the input limit of 67108864 bytes (set CLM_MAX_JSON_BYTES", p.stderr)
        # A model, policy or plan file stops at the JSON limit too, not at the 1 GiB file limit.
        small = dict(os.environ, CLM_MAX_JSON_BYTES="100000")
        with tempfile.TemporaryDirectory() as d:
            events = os.path.join(d, "events.csv")
            with open(events, "w", encoding="utf-8") as f:
                f.write("customer_id,timestamp,type,value\nc,2024-01-01,contact,\n")
            for args in (["status", "--model", "/dev/zero", "--events", events],
                         ["recommend", "--model", "sales6", "--events", events, "--policy", "/dev/zero", "--as-of", "2024-01-01"],
                         ["plan-actual", "--model", "sales6", "--events", events, "--plan", "/dev/zero"]):
                q = subprocess.run([CLM, *args], capture_output=True, text=True, env=small, timeout=120)
                self.assertEqual(q.returncode, 1, args)
                self.assertIn("'/dev/zero' is larger than the input limit of 100000 bytes (set CLM_MAX_JSON_BYTES", q.stderr)
        for bad in ("bad_alloc", "vector::", "type_error", "basic_string"):
            self.assertNotIn(bad, p.stderr)

    def test_errors_are_capped(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "wide.csv")
            with open(path, "w") as f:
                f.write("customer_id,timestamp,type,value," + ",".join(f"x{i}" for i in range(100000)) + "\n")
            p = run("status", "--model", "sales6", "--events", path, check_status=1)
            self.assertEqual(len(p.stderr.splitlines()), 101)
            self.assertIn("... and 99900 more problems not shown", p.stderr)

    def test_json_report_with_a_file_name_that_is_not_utf8(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(os.fsencode(d), b"model-\xff.json")
            with open(path, "wb") as f:
                f.write(b"{}")
            p = subprocess.run([os.fsencode(CLM), b"validate", b"--json", path], capture_output=True, timeout=120)
            self.assertEqual(p.returncode, 1)
            report = json.loads(p.stdout.decode("utf-8"))
            self.assertEqual(report[0]["file"], os.path.join(d, "model-\ufffd.json"))
            self.assertFalse(report[0]["ok"])


class DatesBefore1970(unittest.TestCase):
    def test_default_as_of_is_the_newest_event_whatever_its_year(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "old.csv")
            with open(path, "w") as f:
                f.write("customer_id,timestamp,type,value,model\nc1,1960-03-01,stage,presentation,sales6\nc2,1961-06-15,stage,presentation,sales6\n")
            j = json.loads(run("status", "--model", "sales6", "--events", path, "--json", check_status=0).stdout)
            self.assertEqual(j["as_of"], "1961-06-15")
            self.assertEqual(j["customers"], 2)


if __name__ == "__main__":
    unittest.main()
