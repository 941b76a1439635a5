"""Reasons as codes and in the portfolio's locale, on the real data (issue 16 "Languages",
docs/policy-format.md "Reasons as codes"): `clm recommend --policy seeds --locale ru|zh` gives
the same recommendations and the same reason codes as in English, with Russian (Chinese)
reasons and the seeds pack's Russian (Chinese) goals.

Run by CTest with CLM_EXE (the built clm) and CLM_SOURCE_DIR set.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from clm_cli import SRC, run

MODEL = os.path.join(SRC, "examples", "data", "crm-pipeline.json")
AS_OF = "2017-12-31"
CYRILLIC = re.compile("[\u0400-\u04ff]")
CJK = re.compile("[\u4e00-\u9fff]")


def load(path):
    with open(os.path.join(SRC, path), encoding="utf-8") as f:
        return json.load(f)


class ReasonsInLocales(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        log = os.path.join(cls.tmp.name, "deals.csv")
        subprocess.run([sys.executable, os.path.join(SRC, "scripts", "crm_to_events.py"), "--deals", "-o", log], check=True)
        cls.recs = {}
        for locale in ("en", "ru", "zh"):
            p = run("recommend", "--model", MODEL, "--events", log, "--policy", "seeds", "--as-of", AS_OF, "--locale", locale,
                    "--json", check_status=0)
            cls.recs[locale] = json.loads(p.stdout)["recommendations"]
        cls.policy = {r["id"]: r for r in load("presets/policies/seeds.json")["rules"]}
        cls.tasks = {s["id"]: s["task"] for s in load("examples/data/crm-pipeline.json")["stages"]}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_locale_changes_the_words_not_the_recommendations(self):
        en = self.recs["en"]
        self.assertGreater(len(en), 1000)
        for locale in ("ru", "zh"):
            other = self.recs[locale]
            self.assertEqual([(r["customer_id"], r["rule"], r["score"]) for r in other],
                             [(r["customer_id"], r["rule"], r["score"]) for r in en])
            # The codes do not depend on the locale; the texts do, one for one.
            for a, b in zip(en, other):
                self.assertEqual(a["reason_codes"], b["reason_codes"])
                self.assertEqual(len(b["reasons"]), len(b["reason_codes"]))
                self.assertEqual(len(a["reasons"]), len(a["reason_codes"]))

    def test_russian_reasons_and_goals(self):
        seen_ids = set()
        for r in self.recs["ru"]:
            for text, code in zip(r["reasons"], r["reason_codes"]):
                seen_ids.add(code["id"])
                self.assertRegex(text, CYRILLIC, code["id"])
            rule = self.policy[r["rule"]]
            goal = rule["action"].get("goal") or ""
            if not goal:  # the stage task, in Russian
                self.assertEqual(r["action"]["goal"], self.tasks[r["stage"]]["ru"])
            else:
                self.assertEqual(r["action"]["goal"], goal["ru"].replace("{task}", self.tasks[r["stage"]]["ru"]))
        # The real data exercise the stage-kind, time-limit and percentile reasons at least.
        self.assertTrue({"stage_kind", "days_in_stage.time_limit", "days_in_stage.p90"} <= seen_ids, seen_ids)

    def test_chinese_reasons(self):
        for r in self.recs["zh"]:
            for text, code in zip(r["reasons"], r["reason_codes"]):
                self.assertRegex(text, CJK, code["id"])
            rule = self.policy[r["rule"]]
            if rule["action"].get("goal"):
                self.assertRegex(r["action"]["goal"], CJK)

    def test_codes_state_the_english_figures(self):
        # Each time-limit reason's code holds the figures its English text states.
        n = 0
        for r in self.recs["en"]:
            for text, code in zip(r["reasons"], r["reason_codes"]):
                if code["id"] == "days_in_stage.time_limit":
                    n += 1
                    self.assertEqual(code["fact"], "days_in_stage")
                    self.assertEqual(text, f"days in stage {code['actual']:.0f} {code['op']} the time limit {code['threshold']:.0f}")
        self.assertGreater(n, 0)

    def test_unknown_locale_is_the_models_clear_error(self):
        p = run("recommend", "--model", MODEL, "--events", os.devnull, "--policy", "seeds", "--as-of", AS_OF, "--locale", "de",
                check_status=2)
        self.assertIn("model 'crm-pipeline' has no text in locale 'de' (available: en, ru, zh)", p.stderr)


if __name__ == "__main__":
    unittest.main()
