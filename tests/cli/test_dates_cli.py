"""Dates print only in the range clm reads (issue 17): a date computed past
9999-12-31 or before 1400-01-01 is an error, never an unreadable date."""

import json
import os
import tempfile
import unittest

from clm_cli import SRC, run

HEADER = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n"


class DatesInRange(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.events = os.path.join(self.tmp.name, "events.csv")
        with open(self.events, "w") as f:
            f.write(HEADER + "c1,1400-01-01,stage,awareness,buttle5,,Anna,,,,\n")
        self.policy = os.path.join(SRC, "tests", "bad_inputs", "policy", "due-in-3650-days.json")

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_due_date_past_9999_is_an_error(self):
        p = run("recommend", "--model", "buttle5", "--events", self.events, "--policy", self.policy,
                "--as-of", "9999-12-31", "--json", check_status=1)
        self.assertIn("a date computed as 10009-12-28 is after 9999-12-31, outside the dates clm reads and writes "
                      "(1400-01-01 to 9999-12-31)", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_the_last_due_date_that_fits_prints_and_reads_back(self):
        out = json.loads(run("recommend", "--model", "buttle5", "--events", self.events, "--policy", self.policy,
                             "--as-of", "9990-01-02", "--json", check_status=0).stdout)
        due = out["recommendations"][0]["action"]["due"]
        self.assertEqual(due, "9999-12-31")
        # What was printed is accepted back as a date.
        run("status", "--model", "buttle5", "--events", self.events, "--as-of", due, check_status=0)

    def test_a_week_starting_before_1400_is_an_error(self):
        p = run("plan", "--model", "buttle5", "--events", self.events, "--policy", "seeds", "--manager", "Anna",
                "--week", "1400-01-01", check_status=1)
        self.assertIn("a date computed as 1399-12-30 is before 1400-01-01", p.stderr)
        run("plan", "--model", "buttle5", "--events", self.events, "--policy", "seeds", "--manager", "Anna",
            "--week", "1400-01-06", check_status=0)

    def test_dates_outside_the_range_are_refused_on_input(self):
        for date in ["1399-12-31", "10000-01-01"]:
            with self.subTest(date):
                run("status", "--model", "buttle5", "--events", self.events, "--as-of", date, check_status=2)


if __name__ == "__main__":
    unittest.main()
