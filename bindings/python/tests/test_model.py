"""Tests of the Python binding of clm's C ABI: models, builder, errors, versions.

Run from the repository root:

    CLM_LIBRARY=/path/to/libclm.so python3 -m unittest discover -s bindings/python/tests -v

The package is imported from bindings/python/src, so nothing has to be installed.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import tomllib
import unittest
import weakref
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
REPO = HERE.parents[2]
PRESETS_DIR = REPO / "presets"
sys.path.insert(0, str(SRC))

import clm  # noqa: E402
from clm import _lib  # noqa: E402

C = _lib.lib
PRESET_IDS = ["buttle5", "sales6", "maturity6", "clm5", "relationship4", "journey6", "sales-process5"]

# A small valid model, written on several lines so positions are meaningful.
MINI_JSON = """{
  "id": "mini",
  "version": 2,
  "name": "Mini",
  "initial": "lead",
  "stages": [
    {"id": "lead", "name": "Lead", "kind": "open", "task": "Qualify", "time_limit_days": 5, "probability": 0.2,
     "requirements": ["budget", "contact"]},
    {"id": "won", "name": "Won", "kind": "won", "task": "Deliver"},
    {"id": "lost", "name": "Lost", "kind": "lost", "task": "Learn"}
  ],
  "transitions": [
    {"from": "lead", "to": "won", "event": "sign"},
    {"from": "lead", "to": "lost", "event": "drop"}
  ],
  "migrations": [{"from_version": 1, "stages": {"prospect": "lead"}}]
}
"""


def _pos(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first `needle` in `text`."""
    i = text.index(needle)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def _run_python(code: str, env: dict[str, str], cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CLM_LIBRARY", "PYTHONPATH")}
    env.update(extra)
    return env


class VersionTest(unittest.TestCase):
    def test_version_number_and_string(self) -> None:
        n = clm.version()
        self.assertIsInstance(n, int)
        major, minor, patch = (int(x) for x in clm.version_string().split("."))
        self.assertEqual(n, major * 10000 + minor * 100 + patch)
        self.assertEqual(major, _lib.BINDING_VERSION[0])
        self.assertGreaterEqual((major, minor), _lib.BINDING_VERSION[:2])

    def test_package_version_matches_pyproject(self) -> None:
        with open(HERE.parent / "pyproject.toml", "rb") as f:
            meta = tomllib.load(f)
        self.assertEqual(meta["project"]["version"], clm.__version__)
        self.assertEqual(clm.__version__, "%d.%d.%d" % _lib.BINDING_VERSION)

    def test_check_version(self) -> None:
        _lib.check_version(100, "x", (0, 1, 0))
        _lib.check_version(105, "x", (0, 1, 0))
        _lib.check_version(299, "x", (0, 1, 0))
        with self.assertRaisesRegex(ImportError, "major version must match"):
            _lib.check_version(10100, "libclm.so.1", (0, 1, 0))
        with self.assertRaisesRegex(ImportError, "0.0.9"):
            _lib.check_version(9, "old", (0, 1, 0))

    def test_library_path(self) -> None:
        self.assertTrue(clm.library_path())
        if "CLM_LIBRARY" in os.environ:
            self.assertEqual(clm.library_path(), os.environ["CLM_LIBRARY"])


class LibraryLookupTest(unittest.TestCase):
    """The lookup order and the ImportErrors, in fresh interpreters."""

    def test_bad_clm_library_is_a_clear_import_error(self) -> None:
        r = _run_python("import clm", _clean_env(CLM_LIBRARY="/nonexistent/libclm.so", PYTHONPATH=str(SRC)))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError", r.stderr)
        self.assertIn("cannot load the clm C library", r.stderr)
        self.assertIn("/nonexistent/libclm.so", r.stderr)

    def test_library_next_to_the_package(self) -> None:
        lib = Path(clm.library_path())
        if not lib.is_file():
            self.skipTest("the library was not loaded from a path")
        with tempfile.TemporaryDirectory() as tmp:
            pkg = Path(tmp) / "clm"
            shutil.copytree(SRC / "clm", pkg, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy2(lib, pkg / "libclm.so.0")
            r = _run_python(
                "import clm; print(clm.library_path()); print(clm.presets()[0])", _clean_env(PYTHONPATH=tmp)
            )
            self.assertEqual(r.returncode, 0, r.stderr)
            path, first = r.stdout.split()
            self.assertEqual(Path(path), (pkg / "libclm.so.0").resolve())
            self.assertEqual(first, clm.presets()[0])

    def _fake_library(self, tmp: str, number: int) -> str:
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if cc is None:
            self.skipTest("no C compiler to build a fake library")
        src = Path(tmp) / "fake.c"
        src.write_text(
            f'int clm_version_number(void) {{ return {number}; }}\n'
            f'const char *clm_version_string(void) {{ return "x"; }}\n'
        )
        out = Path(tmp) / "libfake.so"
        subprocess.run([cc, "-shared", "-fPIC", "-o", str(out), str(src)], check=True, capture_output=True)
        return str(out)

    def test_major_mismatch_is_an_import_error(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            fake = self._fake_library(tmp, 10100)
            r = _run_python("import clm", _clean_env(CLM_LIBRARY=fake, PYTHONPATH=str(SRC)))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("ImportError", r.stderr)
            self.assertIn("version 1.1.0", r.stderr)
            self.assertIn("major version must match", r.stderr)

    def test_missing_functions_are_an_import_error(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            fake = self._fake_library(tmp, 100)
            r = _run_python("import clm", _clean_env(CLM_LIBRARY=fake, PYTHONPATH=str(SRC)))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("ImportError", r.stderr)
            self.assertIn("lacks clm_last_error", r.stderr)


class SignatureTableTest(unittest.TestCase):
    def test_every_entry_is_declared_on_the_library(self) -> None:
        for sig in _lib.SIGNATURES:
            with self.subTest(sig.name):
                fn = getattr(C, sig.name)
                self.assertEqual(fn.restype, _lib.ctype_of(sig.restype))
                want = [_lib.checked_argument(_lib.ctype_of(t), t) for t, _ in _lib.split_params(sig.params)]
                self.assertEqual(fn.argtypes, want)
                if sig.is_checked:
                    self.assertIsNotNone(fn.errcheck)

    def test_integers_out_of_the_c_range_raise(self) -> None:
        # ctypes alone would wrap -1 into 2**64 - 1 (the index CLM_NONE) and 2**64 into 0.
        self.assertEqual(C.clm_preset_id(0), b"buttle5")
        self.assertIsNone(C.clm_preset_id(_lib.CLM_NONE))
        for bad in (-1, 2**64):
            with self.assertRaises(ctypes.ArgumentError) as cm:
                C.clm_preset_id(bad)
            self.assertIn(f"OverflowError: {bad} is out of the range of size_t (0 to {2**64 - 1})", str(cm.exception))
        m = clm.Model.preset("sales6")
        with self.assertRaises(ctypes.ArgumentError):
            C.clm_model_stage_id(m._handle(), -1)

    def test_no_duplicates(self) -> None:
        names = [s.name for s in _lib.SIGNATURES]
        self.assertEqual(len(names), len(set(names)))

    def test_ctype_mapping(self) -> None:
        self.assertIs(_lib.ctype_of("const char *"), ctypes.c_char_p)
        self.assertIs(_lib.ctype_of("char *"), ctypes.c_void_p)
        self.assertEqual(_lib.ctype_of("char **"), ctypes.POINTER(ctypes.c_void_p))
        self.assertEqual(_lib.ctype_of("const char**"), ctypes.POINTER(ctypes.c_char_p))
        self.assertEqual(_lib.ctype_of("size_t *"), ctypes.POINTER(ctypes.c_size_t))
        self.assertIs(_lib.ctype_of("clm_status"), ctypes.c_int)
        self.assertIsNone(_lib.ctype_of("void"))
        self.assertIs(_lib.ctype_of("void *"), ctypes.c_void_p)
        model = _lib.HANDLE_TYPES["clm_model"]
        self.assertEqual(_lib.ctype_of("const clm_model *"), ctypes.POINTER(model))
        self.assertEqual(_lib.ctype_of("clm_model **"), ctypes.POINTER(ctypes.POINTER(model)))
        with self.assertRaises(TypeError):
            _lib.ctype_of("struct unknown *")
        with self.assertRaises(TypeError):
            _lib.ctype_of("clm_model")
        self.assertEqual(
            _lib.split_params("clm_model **out, const char*id, size_t  n"),
            [("clm_model **", "out"), ("const char *", "id"), ("size_t", "n")],
        )
        self.assertEqual(_lib.split_params("void"), [])

    def test_handles_are_distinct_types(self) -> None:
        with clm.ModelBuilder("m", 1) as b:
            with self.assertRaises(ctypes.ArgumentError):
                C.clm_model_id(b._handle())

    def test_none_constant(self) -> None:
        self.assertEqual(clm.NONE, 2 ** (8 * ctypes.sizeof(ctypes.c_size_t)) - 1)


class ErrorTest(unittest.TestCase):
    def test_status_names(self) -> None:
        for status in clm.Status:
            with self.subTest(status.name):
                expected = "CLM_OK" if status == 0 else "CLM_E_" + status.name
                self.assertEqual(clm.status_name(status), expected)
                if status != clm.Status.OK:
                    self.assertTrue(issubclass(clm.errors.error_class(status), clm.ClmError))
        self.assertEqual(clm.status_name(999), "CLM_E_UNKNOWN")

    def test_one_subclass_per_status(self) -> None:
        classes = {clm.errors.error_class(s) for s in clm.Status if s != clm.Status.OK}
        self.assertEqual(len(classes), len(clm.Status) - 1)
        for cls in classes:
            self.assertTrue(issubclass(cls, clm.ClmError))
            self.assertIsNot(cls, clm.ClmError)
        self.assertIs(clm.errors.error_class(12345), clm.ClmError)
        e = clm.ClmError(12345, "f: something", "f")
        self.assertEqual(e.status, 12345)
        self.assertEqual(e.status_name, "CLM_E_UNKNOWN")

    def test_not_found_carries_status_and_message(self) -> None:
        with self.assertRaises(clm.NotFoundError) as cm:
            clm.Model.preset("no-such-preset")
        e = cm.exception
        self.assertEqual(e.status, clm.Status.NOT_FOUND)
        self.assertEqual(e.status, 5)
        self.assertEqual(e.status_name, "CLM_E_NOT_FOUND")
        self.assertEqual(e.function, "clm_model_preset")
        self.assertTrue(e.message.startswith("clm_model_preset: "), e.message)
        self.assertIn("no-such-preset", e.message)
        self.assertIn("sales6", e.message)  # lists the presets
        self.assertEqual(e.problems, [])
        self.assertEqual(str(e), "CLM_E_NOT_FOUND: " + e.message)
        self.assertIn("NotFoundError(5", repr(e))

    def test_last_error_and_last_status(self) -> None:
        with self.assertRaises(clm.NotFoundError):
            clm.Model.preset("nope")
        self.assertEqual(clm.last_status(), clm.Status.NOT_FOUND)
        self.assertIn("nope", clm.last_error())
        clm.Model.preset("sales6").close()
        self.assertEqual(clm.last_status(), clm.Status.OK)
        self.assertEqual(clm.last_error(), "")

    def test_invalid_argument_from_null_pointers(self) -> None:
        with self.assertRaises(clm.InvalidArgumentError) as cm:
            C.clm_model_preset(None, b"sales6")
        self.assertEqual(cm.exception.status_name, "CLM_E_INVALID_ARGUMENT")
        self.assertIn("out must not be NULL", cm.exception.message)
        out = ctypes.POINTER(_lib.HANDLE_TYPES["clm_model"])()
        with self.assertRaises(clm.InvalidArgumentError):
            C.clm_model_preset(ctypes.byref(out), None)
        self.assertFalse(out)  # untouched on failure

    def test_errors_are_per_thread(self) -> None:
        results: dict[str, str] = {}
        barrier = threading.Barrier(2)

        def fail() -> None:
            try:
                clm.Model.preset("missing-in-thread")
            except clm.NotFoundError:
                pass
            barrier.wait()
            barrier.wait()
            results["fail"] = clm.last_error()

        def succeed() -> None:
            barrier.wait()
            clm.Model.preset("clm5").close()
            barrier.wait()
            results["ok"] = clm.last_error()

        threads = [threading.Thread(target=fail), threading.Thread(target=succeed)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertIn("missing-in-thread", results["fail"])
        self.assertEqual(results["ok"], "")

    def test_parse_error_problems(self) -> None:
        text = '{\n  "id": "x",\n  "version": 1,\n  "stages": [ }\n'
        with self.assertRaises(clm.ParseError) as cm:
            clm.Model.from_json(text)
        e = cm.exception
        self.assertEqual(e.status, clm.Status.PARSE)
        self.assertEqual(e.function, "clm_model_from_json")
        self.assertEqual(len(e.problems), 1)
        p = e.problems[0]
        self.assertEqual((p.file, p.line, p.column), ("<input>", *_pos(text, "}")))
        self.assertIn("malformed JSON", p.message)
        self.assertEqual(str(p), f"<input>:{p.line}:{p.column}: error: {p.message}")

    def test_validation_error_problems(self) -> None:
        text = MINI_JSON.replace('"kind": "lost"', '"kind": "bogus"').replace('"to": "won"', '"to": "nowhere"')
        with self.assertRaises(clm.ValidationError) as cm:
            clm.Model.from_json(text)
        e = cm.exception
        self.assertEqual(e.status_name, "CLM_E_VALIDATION")
        self.assertGreaterEqual(len(e.problems), 2)
        by_message = {p.message: p for p in e.problems}
        kind = next(p for m, p in by_message.items() if "unknown kind 'bogus'" in m)
        self.assertEqual((kind.file, kind.line, kind.column), ("<input>", *_pos(text, '"bogus"')))
        target = next(p for m, p in by_message.items() if "nowhere" in m)
        self.assertEqual(target.line, _pos(text, '"nowhere"')[0])
        # every line of the message (less the function prefix) became a problem
        self.assertEqual(len(e.problems), len(e.message.splitlines()))

    def test_load_names_the_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad model.json"
            bad.write_text('{"id": "x",\n "version": 1,\n "stages": [}')
            with self.assertRaises(clm.ParseError) as cm:
                clm.Model.load(bad)
            p = cm.exception.problems[0]
            self.assertEqual((p.file, p.line, p.column), (str(bad), 3, 13))
            with self.assertRaises(clm.ClmIOError) as cm2:
                clm.Model.load(Path(tmp) / "missing.json")
            self.assertEqual(cm2.exception.status_name, "CLM_E_IO")
            self.assertIn("missing.json", cm2.exception.message)
            self.assertEqual(cm2.exception.problems, [])

    def test_parse_problems(self) -> None:
        report = (
            "a.json:2:7: error: first\n"
            "C:\\models\\b.json:10:1: error: second: with colon\n"
            "<input>: error: no position\n"
            "not a problem line\n"
        )
        self.assertEqual(
            clm.errors.parse_problems(report),
            [
                clm.Problem("a.json", 2, 7, "first"),
                clm.Problem("C:\\models\\b.json", 10, 1, "second: with colon"),
                clm.Problem("<input>", None, None, "no position"),
            ],
        )
        self.assertEqual(str(clm.Problem("<input>", None, None, "x")), "<input>: error: x")

    def test_errors_pickle(self) -> None:
        import pickle

        e = clm.ParseError(3, "clm_model_from_json: <input>:1:2: error: m", "clm_model_from_json")
        e2 = pickle.loads(pickle.dumps(e))
        self.assertIs(type(e2), clm.ParseError)
        self.assertEqual((e2.status, e2.message, e2.problems), (e.status, e.message, e.problems))


class PresetTest(unittest.TestCase):
    def test_presets(self) -> None:
        ids = clm.presets()
        for pid in PRESET_IDS:  # the presets that ship today; more may come
            self.assertIn(pid, ids)
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(C.clm_preset_count(), len(ids))
        self.assertEqual([C.clm_preset_id(i).decode() for i in range(len(ids))], ids)
        self.assertIsNone(C.clm_preset_id(len(ids)))
        self.assertIsNone(C.clm_preset_id(clm.NONE))

    def test_every_preset_reads_and_round_trips(self) -> None:
        for pid in clm.presets():
            with self.subTest(pid), clm.Model.preset(pid) as m:
                self.assertEqual(m.id, pid)
                self.assertGreaterEqual(m.version, 1)
                self.assertTrue(m.name)
                stages = m.stages
                self.assertGreater(len(stages), 1)
                self.assertEqual([s.index for s in stages], list(range(len(stages))))
                ids = [s.id for s in stages]
                self.assertEqual(len(set(ids)), len(ids))
                for s in stages:
                    self.assertIsInstance(s.kind, clm.StageKind)
                    self.assertEqual(m.find_stage(s.id), s.index)
                    if s.probability is not None:
                        self.assertTrue(0.0 <= s.probability <= 1.0)
                    if s.time_limit_days is not None:
                        self.assertGreaterEqual(s.time_limit_days, 0)
                self.assertIn(m.initial_stage, ids)
                for t in m.transitions:
                    self.assertIn(t.from_stage, ids)
                    self.assertIn(t.to_stage, ids)
                    self.assertEqual(m.next_stage(t.from_stage, t.event), t.to_stage)
                text = m.to_json()
                with clm.Model.from_json(text) as again:
                    self.assertEqual(again.to_json(), text)
                    self.assertEqual(again.stages, stages)
                    self.assertEqual(again.transitions, m.transitions)
                self.assertEqual(clm.Model.validate_json(text), [])

    def test_load_preset_id_and_file(self) -> None:
        with clm.Model.load("sales6") as m:
            self.assertEqual(m.id, "sales6")
        path = PRESETS_DIR / "sales6.json"
        if not path.is_file():
            self.skipTest("presets/ not found")
        with clm.Model.load(path) as a, clm.Model.load(str(path)) as b, clm.Model.preset("sales6") as c:
            self.assertEqual(a.to_json(), c.to_json())
            self.assertEqual(b.stages, c.stages)


class ModelTest(unittest.TestCase):
    def setUp(self) -> None:
        self.m = clm.Model.from_json(MINI_JSON)

    def tearDown(self) -> None:
        self.m.close()

    def test_getters(self) -> None:
        m = self.m
        self.assertEqual((m.id, m.version, m.name), ("mini", 2, "Mini"))
        self.assertEqual(m.initial_stage, "lead")
        self.assertEqual(
            m.stages[0],
            clm.Stage(0, "lead", "Lead", clm.StageKind.OPEN, "Qualify", 5, 0.2, ("budget", "contact")),
        )
        self.assertEqual(m.stages[1], clm.Stage(1, "won", "Won", clm.StageKind.WON, "Deliver", None, None, ()))
        self.assertEqual(m.stages[2].kind, clm.StageKind.LOST)
        self.assertEqual(
            m.transitions,
            [clm.Transition("lead", "won", "sign"), clm.Transition("lead", "lost", "drop")],
        )
        self.assertIn("'mini' v2 (3 stages)", repr(m))

    def test_stage_dataclass_is_frozen(self) -> None:
        s = self.m.stages[0]
        with self.assertRaises(AttributeError):
            s.name = "x"  # type: ignore[misc]
        self.assertEqual(hash(s), hash(self.m.stages[0]))

    def test_find_stage(self) -> None:
        self.assertEqual(self.m.find_stage("won"), 1)
        with self.assertRaises(clm.NotFoundError) as cm:
            self.m.find_stage("nope")
        self.assertEqual(cm.exception.function, "clm_model_find_stage")

    def test_next_stage(self) -> None:
        self.assertEqual(self.m.next_stage("lead", "sign"), "won")
        with self.assertRaises(clm.IllegalTransitionError) as cm:
            self.m.next_stage("won", "sign")
        self.assertEqual(cm.exception.status_name, "CLM_E_ILLEGAL_TRANSITION")
        self.assertIn("'won' has no transition on 'sign'", cm.exception.message)
        with self.assertRaises(clm.NotFoundError):
            self.m.next_stage("lead", "no-such-event")
        with self.assertRaises(clm.NotFoundError):
            self.m.next_stage("no-such-stage", "sign")
        out = ctypes.c_size_t()
        with self.assertRaises(clm.InvalidArgumentError):
            C.clm_model_next_stage(ctypes.byref(out), self.m._handle(), 99, b"sign")

    def test_migrate_stage(self) -> None:
        self.assertEqual(self.m.migrate_stage(1, "prospect"), "lead")
        self.assertEqual(self.m.migrate_stage(1, "won"), "won")  # same id
        with self.assertRaises(clm.NotFoundError) as cm:
            self.m.migrate_stage(1, "gone")
        self.assertIn("gone", cm.exception.message)

    def test_render(self) -> None:
        text = self.m.render()
        self.assertIn("mini", text)
        self.assertEqual(self.m.render("text"), text)
        self.assertEqual(self.m.render(clm.Format.TEXT), text)
        self.assertTrue(self.m.render("dot").startswith("digraph"))
        self.assertTrue(self.m.render("MERMAID").startswith("stateDiagram-v2"))
        data = json.loads(self.m.render(clm.Format.JSON))
        self.assertEqual(data["id"], "mini")
        self.assertEqual(self.m.to_json(), self.m.render("json"))
        with self.assertRaises(ValueError):
            self.m.render("pdf")
        with self.assertRaises(clm.InvalidArgumentError) as cm:
            self.m.render(99)  # a raw value goes to the C library, which refuses it
        self.assertIn("unknown format 99", cm.exception.message)

    def test_render_length_and_free(self) -> None:
        out = ctypes.c_void_p()
        length = ctypes.c_size_t()
        C.clm_model_render(ctypes.byref(out), ctypes.byref(length), self.m._handle(), 0)
        try:
            assert out.value is not None
            self.assertEqual(len(ctypes.string_at(out.value)), length.value)
        finally:
            C.clm_string_free(out.value)
        C.clm_string_free(None)  # NULL is a no-op

    def test_transition_out_of_range(self) -> None:
        src, dst, ev = ctypes.c_size_t(7), ctypes.c_size_t(7), ctypes.c_char_p()
        with self.assertRaises(clm.InvalidArgumentError) as cm:
            C.clm_model_transition(ctypes.byref(src), ctypes.byref(dst), ctypes.byref(ev), self.m._handle(), 2)
        self.assertIn("out of range", cm.exception.message)
        self.assertEqual((src.value, dst.value, ev.value), (7, 7, None))  # untouched
        C.clm_model_transition(None, None, None, self.m._handle(), 0)  # each out may be NULL

    def test_getters_out_of_range_and_null(self) -> None:
        h = self.m._handle()
        n = C.clm_model_stage_count(h)
        self.assertIsNone(C.clm_model_stage_id(h, n))
        self.assertIsNone(C.clm_model_stage_name(h, n))
        self.assertIsNone(C.clm_model_stage_task(h, n))
        self.assertEqual(C.clm_model_stage_kind(h, n), -1)
        self.assertEqual(C.clm_model_stage_time_limit(h, n), -1)
        self.assertEqual(C.clm_model_stage_probability(h, n), -1.0)
        self.assertEqual(C.clm_model_stage_requirement_count(h, n), 0)
        self.assertIsNone(C.clm_model_stage_requirement(h, 0, 2))
        self.assertIsNone(C.clm_model_id(None))
        self.assertIsNone(C.clm_model_name(None))
        self.assertEqual(C.clm_model_version(None), 0)
        self.assertEqual(C.clm_model_stage_count(None), 0)
        self.assertEqual(C.clm_model_transition_count(None), 0)
        self.assertEqual(C.clm_model_initial_stage(None), clm.NONE)

    def test_validate_json(self) -> None:
        self.assertEqual(clm.Model.validate_json(MINI_JSON), [])
        self.assertEqual(clm.Model.validate_json(MINI_JSON.encode()), [])
        bad = MINI_JSON.replace('"kind": "won"', '"kind": "bogus"')
        problems = clm.Model.validate_json(bad, name="mini.json")
        self.assertEqual(len(problems), 1)
        self.assertEqual((problems[0].file, problems[0].line, problems[0].column), ("mini.json", *_pos(bad, '"bogus"')))
        problems = clm.Model.validate_json("{", name=None)
        self.assertEqual(problems[0].file, "<input>")
        self.assertEqual(problems[0].line, 1)
        many = clm.Model.validate_json('{"id": "x"}')
        self.assertGreater(len(many), 2)

    def test_from_json_accepts_bytes_and_unicode(self) -> None:
        text = MINI_JSON.replace('"Mini"', '"Mini – Воронка"')
        with clm.Model.from_json(text) as a, clm.Model.from_json(text.encode("utf-8")) as b:
            self.assertEqual(a.name, "Mini – Воронка")
            self.assertEqual(b.name, a.name)
            self.assertIn("Воронка", a.render())
        with self.assertRaises(TypeError):
            clm.Model.from_json(42)  # type: ignore[arg-type]


class OwnershipTest(unittest.TestCase):
    def test_close_twice_and_closed_use(self) -> None:
        m = clm.Model.preset("sales6")
        self.assertFalse(m.closed)
        m.close()
        m.close()
        self.assertTrue(m.closed)
        self.assertEqual(repr(m), "<clm.Model (closed)>")
        with self.assertRaises(ValueError):
            m.id
        with self.assertRaises(ValueError):
            m.render()
        with self.assertRaises(ValueError):
            with m:
                pass

    def test_context_manager_closes(self) -> None:
        with clm.Model.preset("buttle5") as m:
            self.assertEqual(m.id, "buttle5")
        self.assertTrue(m.closed)
        with self.assertRaises(KeyError):
            with clm.Model.preset("clm5") as m2:
                raise KeyError("boom")
        self.assertTrue(m2.closed)

    def test_del_releases(self) -> None:
        m = clm.Model.preset("sales6")
        ref = weakref.ref(m)
        del m
        gc.collect()
        self.assertIsNone(ref())

    def test_no_direct_construction(self) -> None:
        with self.assertRaises(TypeError):
            clm.Model()

    def test_many_handles(self) -> None:
        for _ in range(500):
            with clm.Model.preset("journey6") as m:
                m.render("json")
            b = clm.ModelBuilder("x", 1)
            b.close()
            b.close()

    def test_model_outlives_its_builder(self) -> None:
        b = clm.ModelBuilder("solo", 1).add_stage("a").add_stage("b", kind="won").add_transition("a", "b", "go")
        m = b.build()
        b.close()
        gc.collect()
        self.assertEqual(m.next_stage("a", "go"), "b")
        m.close()


class BuilderTest(unittest.TestCase):
    def _full(self) -> clm.ModelBuilder:
        b = clm.ModelBuilder("deal", 2)
        b.set_name("Deal")
        b.add_stage("lead", "Lead", clm.StageKind.OPEN, "Qualify the lead")
        b.add_stage("offer", "Offer", "open")
        b.add_stage("won", "Won", clm.StageKind.WON, "Deliver")
        b.add_stage("lost", kind=clm.StageKind.LOST)
        b.add_stage("sleep", "Sleeping", clm.StageKind.DORMANT)
        b.add_stage("closed", "Closed", clm.StageKind.TERMINAL)
        b.set_time_limit("lead", 7).set_probability("lead", 0.1).set_probability("offer", 0.5)
        b.add_requirement("offer", "proposal sent").add_requirement("offer", "budget known")
        b.add_transition("lead", "offer", "qualify").add_transition("offer", "won", "sign")
        b.add_transition("offer", "lost", "lose").add_transition("lead", "sleep", "pause")
        b.add_transition("sleep", "lead", "wake").add_transition("won", "closed", "close")
        b.guard_requires("offer", "sign", "contract signed")
        b.guard_min_days("offer", "sign", 2)
        b.guard_predicate("offer", "sign", "credit_ok")
        b.add_reason("offer", "lose", "price", required=True).add_reason("offer", "lose", "timing")
        b.add_reason("lead", "pause", None, True)
        b.add_migration(1, "prospect", "lead")
        b.set_initial("lead")
        return b

    def test_build(self) -> None:
        with self._full() as b, b.build() as m:
            self.assertEqual((m.id, m.version, m.name, m.initial_stage), ("deal", 2, "Deal", "lead"))
            self.assertEqual([s.id for s in m.stages], ["lead", "offer", "won", "lost", "sleep", "closed"])
            self.assertEqual(
                [s.kind for s in m.stages],
                [clm.StageKind.OPEN, clm.StageKind.OPEN, clm.StageKind.WON, clm.StageKind.LOST,
                 clm.StageKind.DORMANT, clm.StageKind.TERMINAL],
            )
            lead, offer = m.stages[0], m.stages[1]
            self.assertEqual((lead.task, lead.time_limit_days, lead.probability), ("Qualify the lead", 7, 0.1))
            self.assertEqual(offer.requirements, ("proposal sent", "budget known"))
            self.assertEqual(m.stages[3].name, "lost")  # name defaults to the id
            self.assertEqual(m.next_stage("offer", "sign"), "won")
            self.assertEqual(m.migrate_stage(1, "prospect"), "lead")
            data = json.loads(m.to_json())
            sign = next(t for t in data["transitions"] if t["event"] == "sign")
            self.assertEqual(
                sign["guards"],
                [
                    {"kind": "requires", "items": ["contract signed"]},
                    {"kind": "min_days", "days": 2},
                    {"kind": "predicate", "name": "credit_ok"},
                ],
            )
            lose = next(t for t in data["transitions"] if t["event"] == "lose")
            self.assertEqual((lose["reasons"], lose["reason_required"]), (["price", "timing"], True))
            pause = next(t for t in data["transitions"] if t["event"] == "pause")
            self.assertTrue(pause["reason_required"])
            # the JSON loads back to the same model
            with clm.Model.from_json(m.to_json()) as again:
                self.assertEqual(again.to_json(), m.to_json())

    def test_builder_errors(self) -> None:
        with clm.ModelBuilder("b", 1) as b:
            b.add_stage("a")
            with self.assertRaises(clm.DuplicateError) as cm:
                b.add_stage("a")
            self.assertEqual(cm.exception.status_name, "CLM_E_DUPLICATE")
            with self.assertRaises(clm.NotFoundError):
                b.set_time_limit("zz", 3)
            with self.assertRaises(clm.InvalidArgumentError):
                b.set_time_limit("a", -1)
            with self.assertRaises(clm.NotFoundError):
                b.set_probability("zz", 0.5)
            with self.assertRaises(clm.NotFoundError):
                b.add_requirement("zz", "x")
            with self.assertRaises(clm.NotFoundError) as cm2:
                b.guard_requires("a", "go", "x")
            self.assertIn("no transition from 'a' on 'go'", cm2.exception.message)
            with self.assertRaises(clm.NotFoundError):
                b.guard_min_days("a", "go", 1)
            with self.assertRaises(clm.NotFoundError):
                b.guard_predicate("a", "go", "p")
            with self.assertRaises(clm.NotFoundError):
                b.add_reason("a", "go", "why")
            with self.assertRaises(clm.InvalidArgumentError):
                b.add_stage("k", kind=99)  # a raw int: the C library checks it
            with self.assertRaises(ValueError):
                b.add_stage("k", kind="nonsense")

    def test_build_reports_every_problem_and_stays_usable(self) -> None:
        with clm.ModelBuilder("b", 0) as b:
            b.add_stage("a").add_stage("w", kind="won").add_transition("a", "nowhere", "go")
            b.set_probability("a", 1.5)
            with self.assertRaises(clm.ValidationError) as cm:
                b.build()
            e = cm.exception
            self.assertEqual(e.function, "clm_model_builder_build")
            self.assertGreaterEqual(len(e.problems), 3)
            for p in e.problems:
                self.assertEqual((p.file, p.line, p.column), ("<input>", None, None))
            text = "\n".join(p.message for p in e.problems)
            self.assertIn("version", text)
            self.assertIn("nowhere", text)
        with clm.ModelBuilder("b", 1) as b:
            b.add_stage("a").add_stage("w", kind="won").add_transition("a", "nowhere", "go")
            with self.assertRaises(clm.ValidationError):
                b.build()
            b.add_stage("nowhere", kind="lost").add_transition("a", "w", "win")
            with b.build() as m:  # fixed and retried
                self.assertEqual(m.next_stage("a", "go"), "nowhere")

    def test_closed_builder(self) -> None:
        b = clm.ModelBuilder("c", 1)
        b.close()
        with self.assertRaises(ValueError):
            b.add_stage("a")
        with self.assertRaises(ValueError):
            b.build()
        self.assertEqual(repr(b), "<clm.ModelBuilder (closed)>")

    def test_builder_new_null_id(self) -> None:
        out = ctypes.POINTER(_lib.HANDLE_TYPES["clm_model_builder"])()
        with self.assertRaises(clm.InvalidArgumentError) as cm:
            C.clm_model_builder_new(ctypes.byref(out), None, 1)
        self.assertIn("model_id must not be NULL", cm.exception.message)
        C.clm_model_builder_free(None)  # NULL is a no-op
        C.clm_model_free(None)


class RawPortfolioTest(unittest.TestCase):
    """The portfolio functions are declared (raw ctypes level; no Pythonic wrapper yet).

    Exercises each kind of declaration they need: a struct passed by pointer
    (clm_event), a callback (clm_predicate_fn), int64_t and unsigned arguments,
    a caller-sized array and owned out-strings.
    """

    def setUp(self) -> None:
        self.P = ctypes.POINTER(_lib.HANDLE_TYPES["clm_portfolio"])
        self.Event = _lib.STRUCT_TYPES["clm_event"]
        self.p = self.P()
        C.clm_portfolio_new(ctypes.byref(self.p))

    def tearDown(self) -> None:
        C.clm_portfolio_free(self.p)
        C.clm_portfolio_free(None)

    def _event(self, customer: str, when: str, kind: str, value: str) -> ctypes.Structure:
        return self.Event(
            struct_size=ctypes.sizeof(self.Event),
            customer_id=customer.encode(),
            timestamp=when.encode(),
            type=kind.encode(),
            value=value.encode(),
        )

    def test_struct_callback_and_queries(self) -> None:
        b = clm.ModelBuilder("gate", 1).add_stage("a").add_stage("b", kind="won").add_transition("a", "b", "go")
        b.guard_predicate("a", "go", "allowed")
        with b, b.build() as m:
            slot = ctypes.c_size_t(9)
            C.clm_portfolio_add_model(ctypes.byref(slot), self.p, m._handle())
        self.assertEqual(slot.value, 0)
        self.assertEqual(C.clm_portfolio_model_count(self.p), 1)
        self.assertEqual(C.clm_model_id(C.clm_portfolio_model(self.p, 0)), b"gate")  # outlives our handle

        calls: list[tuple[bytes, bytes, bytes]] = []
        answer = [0]

        def allowed(customer: bytes, model: bytes, frm: bytes, to: bytes, date: bytes, payload: int | None) -> int:
            calls.append((customer, frm, to))
            return answer[0]

        callback = _lib.CALLBACK_TYPES["clm_predicate_fn"](allowed)  # kept alive by this frame
        C.clm_portfolio_register_predicate(self.p, b"allowed", callback, None)

        C.clm_portfolio_apply(self.p, ctypes.byref(self._event("c1", "2024-01-01", "stage", "a")))
        with self.assertRaises(clm.GuardFailedError):
            C.clm_portfolio_apply(self.p, ctypes.byref(self._event("c1", "2024-01-05", "event", "go")))
        answer[0] = 1
        C.clm_portfolio_apply(self.p, ctypes.byref(self._event("c1", "2024-01-06", "event", "go")))
        self.assertEqual(calls, [(b"c1", b"a", b"b")] * 2)

        stage, days = ctypes.c_size_t(), ctypes.c_int64(-1)
        C.clm_portfolio_stage(ctypes.byref(stage), ctypes.byref(days), self.p, b"c1", None, b"2024-01-03")
        self.assertEqual((stage.value, days.value), (0, 2))
        C.clm_portfolio_stage(ctypes.byref(stage), None, self.p, b"c1", b"gate", None)
        self.assertEqual(stage.value, 1)

        counts = (ctypes.c_size_t * 2)()
        total = ctypes.c_size_t()
        C.clm_portfolio_stage_counts(counts, 2, ctypes.byref(total), self.p, None, None)
        self.assertEqual((list(counts), total.value), ([0, 1], 1))
        with self.assertRaises(clm.BufferTooSmallError):
            C.clm_portfolio_stage_counts(counts, 1, None, self.p, None, None)

        self.assertEqual(C.clm_portfolio_customer_count(self.p), 1)
        self.assertEqual(C.clm_portfolio_customer_id(self.p, 0), b"c1")
        self.assertEqual(C.clm_portfolio_event_count(self.p), 2)
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        C.clm_portfolio_export_events(ctypes.byref(out), ctypes.byref(n), self.p)
        try:
            assert out.value is not None
            self.assertIn("c1,2024-01-06,stage,b,gate", ctypes.string_at(out.value, n.value).decode())
        finally:
            C.clm_string_free(out.value)

    def test_batch_with_flags(self) -> None:
        with clm.Model.preset("sales6") as m:
            C.clm_portfolio_add_model(None, self.p, m._handle())
        events = (self.Event * 2)(
            self._event("c1", "2024-01-01", "stage", "presentation"),
            self._event("c1", "2024-01-02", "event", "no-such-event"),
        )
        applied, rejections = ctypes.c_size_t(), ctypes.c_void_p()
        C.clm_portfolio_apply_batch(ctypes.byref(applied), ctypes.byref(rejections), self.p, events, 2, 1)
        assert rejections.value is not None
        report = ctypes.string_at(rejections.value).decode()
        C.clm_string_free(rejections.value)
        self.assertEqual(applied.value, 1)
        self.assertTrue(report.startswith("event 1: "), report)


if __name__ == "__main__":
    unittest.main()
