"""docs/model.schema.json and docs/policy.schema.json agree with clm (issue 16):
representative valid and invalid documents get the same verdict from the
schema (checked by schema_check.py) and from `clm validate` / `clm validate --policy`."""

import copy
import json
import os
import tempfile
import unittest

from clm_cli import SRC, run
from schema_check import Checker


def load(path):
    with open(os.path.join(SRC, path), encoding="utf-8") as f:
        return json.load(f)


MODEL = {
    "id": "deal", "version": 1, "name": "Deal", "initial": "lead",
    "stages": [
        {"id": "lead", "name": "Lead", "kind": "open", "task": "Qualify", "time_limit_days": 5, "probability": 0.2},
        {"id": "won", "name": "Won", "kind": "won", "task": "Deliver"},
        {"id": "lost", "name": "Lost", "kind": "lost", "task": "Learn"}],
    "transitions": [
        {"from": "lead", "to": "won", "event": "win", "guards": [{"kind": "min_days", "days": 1}]},
        {"from": "lead", "to": "lost", "event": "lose", "reasons": ["price"], "reason_required": True}],
}

POLICY = {
    "id": "p", "version": 1, "name": "P",
    "class_weights": {"A": 3, "B": 2}, "default_class_weight": 1,
    "value": {"attribute": "deal_value", "default": 1, "use_probability": True, "$comment": "size"},
    "per_customer_limit": 2,
    "holidays": [{"name": "New year", "date": "01-01"}, {"name": "Labour day", "weekday": "monday", "nth": 1, "month": 9}],
    "capacity": {"hours_per_week": 30, "default_minutes": 10, "minutes": {"contact": 15}, "class_shares": {"D": 0.7, "E": 0.2}},
    "rules": [
        {"id": "stuck", "description": "Stuck", "source": "seed 001",
         "when": {"all": [{"fact": "days_in_stage", "op": ">", "value": "time_limit"},
                          {"not": {"fact": "stage_kind", "op": "in", "value": ["lost", "terminal"]}}]},
         "action": {"kind": "contact", "channel": "preferred", "fallback_channel": "email", "goal": "Unstick {stage}",
                    "due_in_days": 1, "priority": 2}},
        {"id": "b-weekly", "when": {"any": [{"fact": "class", "op": "is", "value": "B"},
                                            {"fact": "days_since_contact", "op": ">=", "value": 7, "channel": "call"}]},
         "action": {"kind": "move_stage", "target_stage": "won"}},
        {"id": "attr", "when": {"fact": "attribute", "name": "segment", "op": "in", "value": ["smb", "mid"]},
         "action": {"kind": "greet"}},
        {"id": "bought", "when": {"fact": "purchases_declined", "op": "true", "days": 90}, "action": {}}],
}


def with_change(doc, path, value):
    """A copy of `doc` with the value at `path` (a list of keys) replaced, or deleted when value is DELETE."""
    d = copy.deepcopy(doc)
    node = d
    for k in path[:-1]:
        node = node[k]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d


DELETE = object()

MODEL_CASES = [
    ("valid", MODEL, True),
    ("version 1.0 is the integer 1", with_change(MODEL, ["version"], 1.0), True),
    ("time limit 5e0 is the integer 5", with_change(MODEL, ["stages", 0, "time_limit_days"], 5e0), True),
    ("version 1.5", with_change(MODEL, ["version"], 1.5), False),
    ("version 0", with_change(MODEL, ["version"], 0), False),
    ("version as a string", with_change(MODEL, ["version"], "1"), False),
    ("unknown top-level key", with_change(MODEL, ["colour"], "red"), False),
    ("x- extension", with_change(MODEL, ["x-owner"], "sales"), True),
    ("unknown stage kind", with_change(MODEL, ["stages", 1, "kind"], "winner"), False),
    ("stage name a number", with_change(MODEL, ["stages", 0, "name"], 42), False),
    ("probability above 1", with_change(MODEL, ["stages", 0, "probability"], 1.5), False),
    ("negative time limit", with_change(MODEL, ["stages", 0, "time_limit_days"], -1), False),
    ("missing task", with_change(MODEL, ["stages", 0, "task"], DELETE), False),
    ("unknown guard kind", with_change(MODEL, ["transitions", 0, "guards", 0], {"kind": "max_days", "days": 1}), False),
    ("id with a space", with_change(MODEL, ["id"], "my deal"), False),
    ("localized names", with_change(with_change(MODEL, ["locales"], ["en", "ru"]), ["stages", 0, "name"],
                                    {"en": "Lead", "ru": "Лид"}), True),
    ("a malformed locale tag", with_change(MODEL, ["locales"], ["en", "Russian"]), False),
    ("a locale listed twice", with_change(MODEL, ["locales"], ["en", "en"]), False),
    ("a translation that is not a string", with_change(with_change(MODEL, ["locales"], ["en", "ru"]), ["stages", 0, "task"],
                                                       {"en": "Qualify", "ru": 7}), False),
    ("a text object with a malformed key", with_change(MODEL, ["stages", 0, "name"], {"en": "Lead", "RU": "Лид"}), False),
]

POLICY_CASES = [
    ("valid", POLICY, True),
    ("version 1.0 is the integer 1", with_change(POLICY, ["version"], 1.0), True),
    ("due in 1e0 days", with_change(POLICY, ["rules", 0, "action", "due_in_days"], 1e0), True),
    ("version 1.5", with_change(POLICY, ["version"], 1.5), False),
    ("version 0", with_change(POLICY, ["version"], 0), False),
    ("no id", with_change(POLICY, ["id"], DELETE), False),
    ("empty id", with_change(POLICY, ["id"], ""), False),
    ("no rules", with_change(POLICY, ["rules"], DELETE), False),
    ("unknown top-level key", with_change(POLICY, ["hours_per_weak"], 40), False),
    ("x- extension and $schema", with_change(with_change(POLICY, ["x-team"], "ops"), ["$schema"], "policy.schema.json"), True),
    ("unknown capacity key", with_change(POLICY, ["capacity", "hours_per_weak"], 40), False),
    ("hours per week 0", with_change(POLICY, ["capacity", "hours_per_week"], 0), False),
    ("hours per week above 168", with_change(POLICY, ["capacity", "hours_per_week"], 169), False),
    ("a class share above 1", with_change(POLICY, ["capacity", "class_shares", "F"], 1.5), False),
    ("a negative class weight", with_change(POLICY, ["class_weights", "C"], -1), False),
    ("per customer limit 0", with_change(POLICY, ["per_customer_limit"], 0), False),
    ("use_probability as a string", with_change(POLICY, ["value", "use_probability"], "yes"), False),
    ("unknown value key", with_change(POLICY, ["value", "atribute"], "x"), False),
    ("holiday on February 30", with_change(POLICY, ["holidays", 0, "date"], "02-30"), False),
    ("holiday on February 29", with_change(POLICY, ["holidays", 0, "date"], "02-29"), True),
    ("holiday with date and weekday", with_change(POLICY, ["holidays", 0, "weekday"], "monday"), False),
    ("holiday with nth 6", with_change(POLICY, ["holidays", 1, "nth"], 6), False),
    ("holiday weekday misspelt", with_change(POLICY, ["holidays", 1, "weekday"], "mon"), False),
    ("unknown rule key", with_change(POLICY, ["rules", 0, "priority"], 2), False),
    ("rule without when", with_change(POLICY, ["rules", 0, "when"], DELETE), False),
    ("unknown fact", with_change(POLICY, ["rules", 2, "when", "fact"], "mood"), False),
    ("unknown op", with_change(POLICY, ["rules", 2, "when", "op"], "~"), False),
    ("a fact with an op it does not take", with_change(POLICY, ["rules", 3, "when", "op"], ">"), False),
    ("purchases_declined without days", with_change(POLICY, ["rules", 3, "when", "days"], DELETE), False),
    ("attribute without name", with_change(POLICY, ["rules", 2, "when", "name"], DELETE), False),
    ("attribute compared with '<' and a string", with_change(with_change(POLICY, ["rules", 2, "when", "op"], "<"),
                                                             ["rules", 2, "when", "value"], "10"), False),
    ("numeric value out of range", with_change(POLICY, ["rules", 1, "when", "any", 1, "value"], 1e13), False),
    ("unknown channel in a condition", with_change(POLICY, ["rules", 1, "when", "any", 1, "channel"], "pigeon"), False),
    ("stage kind misspelt", with_change(POLICY, ["rules", 0, "when", "all", 1, "not", "value"], ["lost", "terminl"]), False),
    ("'all' with another key", with_change(POLICY, ["rules", 0, "when", "fact"], "class"), False),
    ("'any' empty", with_change(POLICY, ["rules", 1, "when", "any"], []), False),
    ("unknown action kind", with_change(POLICY, ["rules", 2, "action", "kind"], "dance"), False),
    ("unknown action key", with_change(POLICY, ["rules", 2, "action", "colour"], "red"), False),
    ("unknown action channel", with_change(POLICY, ["rules", 0, "action", "channel"], "pigeon"), False),
    ("goal and description by locale", with_change(with_change(with_change(POLICY, ["locales"], ["en", "ru"]),
                                                                 ["rules", 0, "action", "goal"], {"en": "Unstick {stage}", "ru": "Сдвинуть {stage}"}),
                                                     ["rules", 0, "description"], {"en": "Stuck", "ru": "Застрял"}), True),
    ("a goal by locale that is not a string", with_change(with_change(POLICY, ["locales"], ["en", "ru"]),
                                                           ["rules", 0, "action", "goal"], {"en": "Unstick", "ru": 42}), False),
    ("locales empty", with_change(POLICY, ["locales"], []), False),
    ("locale tag misspelt", with_change(POLICY, ["locales"], ["en", "RU"]), False),
    ("messages override a template", with_change(with_change(POLICY, ["locales"], ["en", "ru"]),
                                                  ["messages"], {"never_contacted": {"ru": "не было контакта{via}"},
                                                                 "days_in_stage.time_limit": {"en": "{actual} days, limit {threshold}{model}"}}), True),
    ("messages: unknown message id", with_change(POLICY, ["messages"], {"never_contacted_ever": {"en": "x"}}), False),
    ("messages: unknown placeholder", with_change(POLICY, ["messages"], {"never_contacted": {"en": "never {actual}"}}), False),
    ("messages: a template that is not a string", with_change(POLICY, ["messages"], {"never_contacted": {"en": 1}}), False),
    ("fallback channel 'preferred'", with_change(POLICY, ["rules", 0, "action", "fallback_channel"], "preferred"), False),
    ("move_stage without target", with_change(POLICY, ["rules", 1, "action", "target_stage"], DELETE), False),
    ("priority 0", with_change(POLICY, ["rules", 0, "action", "priority"], 0), False),
    ("due in 3651 days", with_change(POLICY, ["rules", 0, "action", "due_in_days"], 3651), False),
    ("goal a number", with_change(POLICY, ["rules", 0, "action", "goal"], 7), False),
]


class SchemasAgreeWithClm(unittest.TestCase):
    def verdicts(self, schema_path, cases, validate_args):
        checker = Checker(load(schema_path))
        with tempfile.TemporaryDirectory() as d:
            for name, doc, valid in cases:
                with self.subTest(name):
                    path = os.path.join(d, "doc.json")
                    with open(path, "w", encoding="utf-8") as f:
                        json.dump(doc, f, ensure_ascii=False)
                    schema_errors = checker.errors(doc)
                    engine = run("validate", *validate_args(path))
                    self.assertEqual(not schema_errors, valid, f"schema: {schema_errors}")
                    self.assertEqual(engine.returncode == 0, valid, f"clm: {engine.stderr}")

    def test_model_schema(self):
        self.verdicts("docs/model.schema.json", MODEL_CASES, lambda path: [path])

    def test_policy_schema(self):
        self.verdicts("docs/policy.schema.json", POLICY_CASES, lambda path: ["--policy", path])

    def test_shipped_documents_pass_their_schemas(self):
        models, policies = Checker(load("docs/model.schema.json")), Checker(load("docs/policy.schema.json"))
        for name in sorted(os.listdir(os.path.join(SRC, "presets"))):
            if name.endswith(".json"):
                with self.subTest(name):
                    self.assertEqual(models.errors(load(os.path.join("presets", name))), [])
        self.assertEqual(models.errors(load("examples/data/crm-pipeline.json")), [])
        self.assertEqual(policies.errors(load("presets/policies/seeds.json")), [])


class ValidatePolicyAndPlan(unittest.TestCase):
    def test_positions_as_for_models(self):
        with tempfile.TemporaryDirectory() as d:
            policy = os.path.join(d, "p.json")
            with open(policy, "w") as f:
                f.write('{"id": "p",\n "rules": [],\n "capacity": {"hours_per_weak": 40}}')
            p = run("validate", "--policy", policy, check_status=1)
            self.assertEqual(p.stderr, f"{policy}:3:33: error: capacity: unknown field 'hours_per_weak' "
                                       "(expected hours_per_week, default_minutes, minutes, class_shares, service_share)\n")
            plan = os.path.join(d, "plan.json")
            with open(plan, "w") as f:
                f.write('{"from": "2026-03-01", "to": "2026-02-01",\n "managers": {"Anna": {"contacts": -1}}}')
            p = run("validate", "--plan", plan, check_status=1)
            lines = p.stderr.splitlines()
            self.assertEqual(len(lines), 2, p.stderr)
            self.assertTrue(lines[0].startswith(f"{plan}:1:30: error: \"to\" (2026-02-01) is before \"from\""), lines[0])
            self.assertTrue(lines[1].startswith(f"{plan}:2:36: error: manager \"Anna\": \"contacts\" must be a whole number"), lines[1])
            with open(plan, "w") as f:
                f.write('{"from": "2026-03-01", "to": "2026-03-31", "managers": {"Anna": {"contacts": 40}}}')
            model = os.path.join(SRC, "presets", "sales6.json")
            self.assertEqual(run("validate", model, "--policy", os.path.join(SRC, "presets", "policies", "seeds.json"),
                                 "--plan", plan, check_status=0).stdout.splitlines(),
                             [f"{model}: ok", f"{os.path.join(SRC, 'presets', 'policies', 'seeds.json')}: ok", f"{plan}: ok"])
            report = json.loads(run("validate", "--json", "--plan", plan, check_status=0).stdout)
            self.assertEqual(report, [{"file": plan, "ok": True, "errors": [], "kind": "plan"}])
            self.assertIn("expected FILE", run("validate", check_status=2).stderr)


if __name__ == "__main__":
    unittest.main()
