"""Tests of the Python binding: models and portfolios shown in a locale (issue 16).

Run as the other binding tests (CLM_LIBRARY=/path/to/libclm.so).
"""

from __future__ import annotations

import json
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
REPO = HERE.parents[2]

import clm  # noqa: E402


class LocaleTest(unittest.TestCase):
    def test_model_in_each_locale(self):
        with clm.Model.preset("buttle5") as m:
            self.assertEqual(m.locales, ["en", "ru", "zh"])
            self.assertEqual(m.locale, "en")
            self.assertEqual(m.stages[0].name, "Awareness")
            self.assertIs(m.set_locale("ru"), m)
            self.assertEqual(m.locale, "ru")
            self.assertEqual([s.name for s in m.stages],
                             ["Осведомленность", "Изучение", "Расширение", "Обязательство", "Расторжение"])
            self.assertEqual(m.name, "Пять стадий взаимоотношений по Батлу")
            m.set_locale("zh")
            preset = json.loads((REPO / "presets" / "buttle5.json").read_text(encoding="utf-8"))
            self.assertEqual([s.task for s in m.stages], [s["task"]["zh"] for s in preset["stages"]])
            with self.assertRaises(clm.NotFoundError) as e:
                m.set_locale("de")
            self.assertIn("has no locale 'de' (available: en, ru, zh)", str(e.exception))
            self.assertEqual(m.locale, "zh")  # unchanged
            with self.assertRaises(ValueError):
                m.set_locale("r\0u")

    def test_portfolio_in_a_locale(self):
        with clm.Portfolio() as p, clm.Model.preset("sales6") as m:
            p.add_model(m)
            view = p.models[0]
            p.set_locale("zh")
            self.assertEqual(view.locale, "zh")  # the view sees the portfolio's locale
            self.assertEqual(view.stages[view.find_stage("proposal")].name, "报价方案")
            self.assertEqual(m.locale, "en")  # the caller's model is its own
            with self.assertRaises(ValueError):
                view.set_locale("ru")
            with self.assertRaises(clm.NotFoundError):
                p.set_locale("fr")
            self.assertEqual(p.models[0].locale, "zh")
        with clm.Portfolio() as empty, self.assertRaises(clm.InvalidArgumentError):
            empty.set_locale("en")


if __name__ == "__main__":
    unittest.main()
