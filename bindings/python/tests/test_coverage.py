"""Every public C function is reachable from Python.

Parses include/clm/clm.h (env ``CLM_HEADER``, default ../../../include/clm/clm.h
from this file) and checks it against the binding's signature table
(``clm._lib.SIGNATURES``): same functions, same return and parameter types;
every opaque handle and enum of the header known to the binding; every
constant of the enums the binding mirrors present with the same value.

When a function is added to clm.h this test fails and prints the lines to
add to ``SIGNATURES``.
"""

from __future__ import annotations

import enum
import os
import re
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import clm  # noqa: E402
from clm import _lib  # noqa: E402

HEADER = Path(os.environ.get("CLM_HEADER", HERE / ".." / ".." / ".." / "include" / "clm" / "clm.h")).resolve()

#: The Python enums that mirror C enums: C enum -> (Python enum, constant prefix).
MIRRORED_ENUMS: dict[str, tuple[type[enum.IntEnum], str]] = {
    "clm_status": (clm.Status, "CLM_E_"),
    "clm_stage_kind": (clm.StageKind, "CLM_STAGE_"),
    "clm_model_format": (clm.Format, "CLM_FORMAT_"),
}


def strip_comments_and_directives(text: str) -> str:
    """The header without comments and preprocessor lines (with their continuations)."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    out: list[str] = []
    continued = False
    for line in text.splitlines():
        if continued or line.lstrip().startswith("#"):
            continued = line.rstrip().endswith("\\")
            continue
        out.append(line)
    return "\n".join(out)


def _split_top(params: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in params:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _norm(ctype: str) -> str:
    ctype = re.sub(r"\s*\*\s*", "*", ctype.strip())
    ctype = re.sub(r"\s+", " ", ctype)
    return re.sub(r"(?<=[^*])\*", " *", ctype)


def _param_type(param: str) -> str:
    """``"const char *name"`` -> ``"const char *"``: drops the trailing parameter name.

    A function-pointer parameter ``int (*cb)(void *payload)`` becomes ``int (*)(void *)``.
    """
    fp = re.fullmatch(r"(.*?)\(\s*\*\s*[A-Za-z_]\w*\s*\)\s*\((.*)\)", param.strip())
    if fp is not None:
        inner = fp.group(2).strip()
        args = [] if inner in ("", "void") else [_param_type(p) for p in _split_top(inner)]
        return f"{_norm(fp.group(1))} (*)({', '.join(args)})"
    m = re.fullmatch(r"(.*?[\s*])\s*([A-Za-z_]\w*)", param.strip())
    if m is None:
        raise AssertionError(f"clm.h: parameter {param!r} has no name")
    return _norm(m.group(1))


def header_functions(text: str) -> dict[str, tuple[str, list[str], str]]:
    """name -> (return type, parameter types, prototype) for every CLM_API function."""
    body = strip_comments_and_directives(text)
    found: dict[str, tuple[str, list[str], str]] = {}
    for m in re.finditer(r"\bCLM_API\b", body):
        end = body.index(";", m.end())
        decl = " ".join(body[m.end() : end].split())
        d = re.match(r"(.*?)\b(clm_\w+)\s*\((.*)\)\s*$", decl)
        if d is None:
            raise AssertionError(f"clm.h: cannot read the declaration {decl!r}")
        ret, name, params = d.group(1), d.group(2), d.group(3)
        types = [] if params.strip() in ("", "void") else [_param_type(p) for p in _split_top(params)]
        found[name] = (_norm(ret), types, decl)
    return found


def header_enums(text: str) -> dict[str, dict[str, int]]:
    """typedef enum name { A = 0, ... } name;  ->  {name: {A: 0, ...}}."""
    body = strip_comments_and_directives(text)
    enums: dict[str, dict[str, int]] = {}
    for m in re.finditer(r"typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;", body, flags=re.S):
        values: dict[str, int] = {}
        nxt = 0
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                key, val = (s.strip() for s in item.split("=", 1))
                nxt = int(val, 0)
            else:
                key = item
            values[key] = nxt
            nxt += 1
        enums[m.group(3)] = values
    return enums


def header_handles(text: str) -> set[str]:
    """Opaque handles: ``typedef struct clm_x clm_x;``."""
    body = strip_comments_and_directives(text)
    return {m.group(2) for m in re.finditer(r"typedef\s+struct\s+(\w+)\s+(\w+)\s*;", body)}


def header_structs(text: str) -> dict[str, list[tuple[str, str]]]:
    """typedef struct name { T a; U b; } name;  ->  {name: [(T, a), (U, b)]}."""
    body = strip_comments_and_directives(text)
    structs: dict[str, list[tuple[str, str]]] = {}
    for m in re.finditer(r"typedef\s+struct\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;", body, flags=re.S):
        fields = []
        for decl in m.group(2).split(";"):
            decl = " ".join(decl.split())
            if decl:
                name = re.search(r"(\w+)\s*$", decl).group(1)  # type: ignore[union-attr]
                fields.append((_param_type(decl), name))
        structs[m.group(3)] = fields
    return structs


def header_callbacks(text: str) -> dict[str, tuple[str, list[str]]]:
    """typedef R (*name)(params);  ->  {name: (R, [param types])}."""
    body = strip_comments_and_directives(text)
    callbacks: dict[str, tuple[str, list[str]]] = {}
    for m in re.finditer(r"typedef\s+([^;{}()]+?)\(\s*\*\s*(\w+)\s*\)\s*\(([^;]*)\)\s*;", body):
        params = m.group(3).strip()
        types = [] if params in ("", "void") else [_param_type(p) for p in _split_top(params)]
        callbacks[m.group(2)] = (_norm(m.group(1)), types)
    return callbacks


def header_version(text: str) -> tuple[int, int, int]:
    parts = [int(re.search(rf"#define\s+CLM_VERSION_{k}\s+(\d+)", text).group(1)) for k in ("MAJOR", "MINOR", "PATCH")]  # type: ignore[union-attr]
    return parts[0], parts[1], parts[2]


class HeaderCoverageTest(unittest.TestCase):
    text: str
    functions: dict[str, tuple[str, list[str], str]]
    table: dict[str, _lib.Signature]

    @classmethod
    def setUpClass(cls) -> None:
        if not HEADER.is_file():
            raise unittest.SkipTest(f"header not found: {HEADER} (set CLM_HEADER)")
        cls.text = HEADER.read_text(encoding="utf-8")
        cls.functions = header_functions(cls.text)
        cls.table = {s.name: s for s in _lib.SIGNATURES}

    def test_header_was_read(self) -> None:
        self.assertGreater(len(self.functions), 10)
        self.assertIn("clm_last_error", self.functions)

    def test_every_header_function_is_in_the_table(self) -> None:
        missing = [name for name in self.functions if name not in self.table]
        if missing:
            hint = "\n".join(
                f'    Signature("{n}", "{self.functions[n][0]}", "{self._params_of(n)}"),' for n in missing
            )
            self.fail(f"{len(missing)} function(s) of {HEADER} are not bound; add to SIGNATURES in clm/_lib.py:\n{hint}")

    def _params_of(self, name: str) -> str:
        decl = self.functions[name][2]
        return decl[decl.index("(") + 1 : decl.rindex(")")]

    def test_every_table_entry_is_in_the_header(self) -> None:
        stale = [name for name in self.table if name not in self.functions]
        self.assertEqual(stale, [], "SIGNATURES declares functions the header does not have")

    def test_types_match_the_header(self) -> None:
        for name, (ret, params, decl) in self.functions.items():
            sig = self.table.get(name)
            if sig is None:
                continue  # reported by test_every_header_function_is_in_the_table
            with self.subTest(name):
                self.assertEqual(_norm(sig.restype), ret, f"return type of {decl}")
                self.assertEqual([_norm(t) for t, _ in _lib.split_params(sig.params)], params, f"parameters of {decl}")

    def test_status_functions_are_checked(self) -> None:
        for sig in _lib.SIGNATURES:
            with self.subTest(sig.name):
                if sig.name == "clm_last_status":
                    self.assertFalse(sig.is_checked)
                else:
                    self.assertEqual(sig.is_checked, sig.restype == "clm_status")

    def test_every_function_is_exported_and_declared(self) -> None:
        missing = [name for name in self.functions if not hasattr(_lib.lib, name)]
        self.assertEqual(missing, [], f"{_lib.library_path} does not export these functions of {HEADER} (rebuild it?)")
        for name in self.functions:
            with self.subTest(name):
                self.assertIsNotNone(getattr(_lib.lib, name).argtypes)

    def test_handles_and_enums_are_known(self) -> None:
        self.assertEqual(header_handles(self.text), set(_lib.HANDLE_TYPES))
        self.assertEqual(set(header_enums(self.text)), set(_lib.ENUM_TYPES))

    def test_structs_match(self) -> None:
        structs = header_structs(self.text)
        self.assertEqual(set(structs), set(_lib.STRUCT_FIELDS))
        for name, fields in structs.items():
            with self.subTest(name):
                table = [(_norm(t), n) for t, n in _lib.split_params(_lib.STRUCT_FIELDS[name])]
                self.assertEqual(table, fields)
                ctype = _lib.STRUCT_TYPES[name]
                self.assertEqual([f[0] for f in ctype._fields_], [n for _, n in fields])

    def test_callbacks_match(self) -> None:
        callbacks = header_callbacks(self.text)
        self.assertEqual(set(callbacks), set(_lib.CALLBACK_SIGNATURES))
        for name, (ret, params) in callbacks.items():
            with self.subTest(name):
                tret, tparams = _lib.CALLBACK_SIGNATURES[name]
                self.assertEqual(_norm(tret), ret)
                self.assertEqual([_norm(t) for t, _ in _lib.split_params(tparams)], params)

    def test_mirrored_enums_match(self) -> None:
        for cname, values in header_enums(self.text).items():
            if cname not in MIRRORED_ENUMS:
                continue
            py, prefix = MIRRORED_ENUMS[cname]
            with self.subTest(cname):
                expected = {("OK" if k == "CLM_OK" else k.removeprefix(prefix)): v for k, v in values.items()}
                self.assertEqual({m.name: m.value for m in py}, expected)

    def test_every_status_has_an_exception_class(self) -> None:
        for code in header_enums(self.text)["clm_status"].values():
            if code:
                with self.subTest(code):
                    self.assertIsNot(clm.errors.error_class(code), clm.ClmError)

    def test_binding_version_fits_the_header(self) -> None:
        major, minor, patch = header_version(self.text)
        self.assertEqual(_lib.BINDING_VERSION[0], major)
        self.assertLessEqual(_lib.BINDING_VERSION, (major, minor, patch))


class ParserSelfTest(unittest.TestCase):
    def test_parser(self) -> None:
        text = """
        #define X 1 \\
            + 2
        /* CLM_API int clm_commented(void); */
        typedef struct clm_a clm_a;
        typedef enum clm_e { CLM_E_A = 0, CLM_E_B, CLM_E_C = 5 } clm_e;
        CLM_API const char *clm_f(void);
        CLM_API clm_status clm_g(clm_a **out,
                                 const char* s, size_t n); // trailing
        CLM_API int clm_h(int (*cb)(void *payload, int x), void *payload);
        """
        f = header_functions(text)
        self.assertEqual(set(f), {"clm_f", "clm_g", "clm_h"})
        self.assertEqual(f["clm_f"][:2], ("const char *", []))
        self.assertEqual(f["clm_g"][:2], ("clm_status", ["clm_a **", "const char *", "size_t"]))
        self.assertEqual(f["clm_h"][1], ["int (*)(void *, int)", "void *"])
        self.assertEqual(header_enums(text), {"clm_e": {"CLM_E_A": 0, "CLM_E_B": 1, "CLM_E_C": 5}})
        self.assertEqual(header_handles(text), {"clm_a"})
        text2 = """
        typedef struct clm_s {
            size_t struct_size; /* size */
            const char *name;
            double x;
        } clm_s;
        typedef int (*clm_cb)(void *payload, const char *id);
        """
        self.assertEqual(
            header_structs(text2), {"clm_s": [("size_t", "struct_size"), ("const char *", "name"), ("double", "x")]}
        )
        self.assertEqual(header_callbacks(text2), {"clm_cb": ("int", ["void *", "const char *"])})
        self.assertEqual(header_handles(text2), set())


if __name__ == "__main__":
    unittest.main()
