"""clm --locale: the presets shown in Russian and Chinese (issue 16, "Languages")."""

import json
import os
import tempfile
import unittest

from clm_cli import SRC, run


def preset(model_id):
    with open(os.path.join(SRC, "presets", model_id + ".json"), encoding="utf-8") as f:
        return json.load(f)


class LocaleTest(unittest.TestCase):
    def test_show_buttle5_in_russian(self):
        out = run("show", "buttle5", "--locale", "ru", check_status=0).stdout
        self.assertIn("buttle5 v1: Пять стадий взаимоотношений по Батлу", out)
        # Seed 003's own words for the five stages.
        for stage_id, name in [("awareness", "Осведомленность"), ("exploration", "Изучение"), ("expansion", "Расширение"),
                               ("commitment", "Обязательство"), ("dissolution", "Расторжение")]:
            self.assertRegex(out, rf"\n  {stage_id} \[\w+\] {name}[,\n]")
        self.assertIn("task: Наращивать количество взаимодействий между сторонами и их взаимозависимость.", out)
        self.assertNotIn("Awareness", out)

    def test_show_sales6_in_chinese(self):
        out = run("show", "sales6", "--locale", "zh", check_status=0).stdout
        # Every stage is printed with its Chinese name and task, as the preset file has them.
        for s in preset("sales6")["stages"]:
            self.assertIn(f"  {s['id']} [{s['kind']}] {s['name']['zh']}", out)
            self.assertIn(f"task: {s['task']['zh']}\n", out)
        self.assertNotIn("Presentation", out)

    def test_english_is_the_default_and_can_be_asked_for(self):
        default = run("show", "maturity6", check_status=0).stdout
        self.assertEqual(default, run("show", "maturity6", "--locale", "en", check_status=0).stdout)
        self.assertIn("doubting [open] Doubting", default)

    def test_json_keeps_every_locale(self):
        ru = json.loads(run("show", "buttle5", "--locale", "ru", "--json", check_status=0).stdout)
        self.assertEqual(ru, json.loads(run("show", "buttle5", "--json", check_status=0).stdout))
        self.assertEqual(ru["stages"][0]["name"], {"en": "Awareness", "ru": "Осведомленность", "zh": "认知"})

    def test_unknown_locale_lists_the_available_ones(self):
        p = run("show", "buttle5", "--locale", "de", check_status=2)
        self.assertIn("--locale de: model 'buttle5' has no text in locale 'de' (available: en, ru, zh)", p.stderr)
        p = run("show", "buttle5", "--locale", "Russian", check_status=2)
        self.assertIn("--locale needs a locale such as en, ru or zh, got 'Russian'", p.stderr)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "mini.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"id": "mini", "version": 1, "initial": "a",
                           "stages": [{"id": "a", "name": "A", "kind": "won", "task": "t"}], "transitions": []}, f)
            p = run("show", path, "--locale", "ru", check_status=2)
            self.assertIn("model 'mini' has no text in locale 'ru' (available: en)", p.stderr)

    def test_presets_json_in_a_locale(self):
        names = {p["id"]: p["name"] for p in json.loads(run("presets", "--json", "--locale", "zh", check_status=0).stdout)}
        self.assertEqual(names["buttle5"], "巴特尔的五个关系阶段")
        self.assertEqual(len(names), 7)

    def test_every_model_command_shows_the_locale(self):
        with tempfile.TemporaryDirectory() as d:
            events = os.path.join(d, "events.csv")
            with open(events, "w", encoding="utf-8") as f:
                f.write("customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n"
                        "c1,2026-01-05,stage,awareness,buttle5,,Anna,,,,\n"
                        "c1,2026-01-20,stage,exploration,buttle5,,Anna,,,,\n"
                        "c2,2026-01-07,stage,awareness,buttle5,,Anna,,,,\n")
            # A recommendation's task is the stage's task, in the locale asked for.
            recs = json.loads(run("recommend", "--model", "buttle5", "--events", events, "--policy", "seeds",
                                  "--as-of", "2026-03-01", "--locale", "ru", "--json", check_status=0).stdout)
            ru_tasks = {s["task"]["ru"] for s in preset("buttle5")["stages"]}
            self.assertTrue(recs["recommendations"])
            for r in recs["recommendations"]:
                self.assertIn(r["task"], ru_tasks)
            html = os.path.join(d, "report.html")
            run("report", "--model", "buttle5", "--events", events, "--locale", "zh", "--html", html, check_status=0)
            with open(html, encoding="utf-8") as f:
                page = f.read()
            self.assertIn("探索", page)
            self.assertNotIn(">Exploration<", page)
            p = run("status", "--model", "buttle5", "--events", events, "--locale", "xx", check_status=2)
            self.assertIn("(available: en, ru, zh)", p.stderr)


if __name__ == "__main__":
    unittest.main()
