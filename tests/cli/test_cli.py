"""The clm command's public contracts: subcommands, exit statuses, --json shapes.

Run by CTest with CLM_EXE (the built clm) and CLM_SOURCE_DIR set.
"""
import json
import os
import subprocess
import tempfile
import unittest

CLM = os.environ.get("CLM_EXE", "clm")
SRC = os.environ.get("CLM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PRESETS = ["buttle5", "sales6", "maturity6", "clm5", "relationship4", "journey6", "sales-process5"]


def run(*args, check_status=None):
    p = subprocess.run([CLM, *args], capture_output=True, text=True, timeout=120)
    if check_status is not None and p.returncode != check_status:
        raise AssertionError(f"clm {' '.join(args)} exited {p.returncode}, expected {check_status}\n"
                             f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


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


if __name__ == "__main__":
    unittest.main()
