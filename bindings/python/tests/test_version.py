"""The binding's version is written once in the package (src/clm/_version.py)
and equals the C header's CLM_VERSION_MAJOR.MINOR.PATCH, as pyproject.toml's
packaging metadata does; errors.py is pure (no import of
the library module), so _lib.py and errors.py form no import cycle. Standard
library only; reads the sources, loads no library."""

from __future__ import annotations

import ast
import re
import tomllib
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "clm"
HEADER = ROOT.parent.parent / "include" / "clm" / "clm.h"


def _header_version() -> str:
    text = HEADER.read_text(encoding="utf-8")
    parts = [re.search(rf"^#define CLM_VERSION_{p} +(\d+)", text, re.M) for p in ("MAJOR", "MINOR", "PATCH")]
    if not all(parts):
        raise AssertionError(f"{HEADER}: no CLM_VERSION_MAJOR/MINOR/PATCH")
    return ".".join(m.group(1) for m in parts if m)


def _imports(path: Path) -> set[str]:
    """The modules `path` imports, relative ones as ".name"."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if node.module is None:
                names.update(base + a.name for a in node.names)
            else:
                names.add(base)
    return names


class Version(unittest.TestCase):
    def test_written_once_and_equal_to_the_header(self) -> None:
        text = (PACKAGE / "_version.py").read_text(encoding="utf-8")
        m = re.search(r'^VERSION = "([^"]+)"$', text, re.M)
        self.assertIsNotNone(m)
        assert m is not None
        self.assertEqual(m.group(1), _header_version())

    def test_pyproject_says_the_same(self) -> None:
        with open(ROOT / "pyproject.toml", "rb") as f:
            project = tomllib.load(f)["project"]
        self.assertEqual(project["version"], _header_version())

    def test_no_other_version_literal_in_the_package(self) -> None:
        version = _header_version()
        for path in sorted(PACKAGE.glob("*.py")):
            if path.name == "_version.py":
                continue
            code = ast.parse(path.read_text(encoding="utf-8"))
            literals = [n.value for n in ast.walk(code) if isinstance(n, ast.Constant) and n.value == version]
            self.assertEqual(literals, [], f"{path.name} spells the version {version} itself")


class ImportGraph(unittest.TestCase):
    def test_errors_is_pure(self) -> None:
        imported = _imports(PACKAGE / "errors.py")
        self.assertFalse({"._lib", ".", "clm", "clm._lib"} & imported, imported)
        self.assertFalse(any(name.startswith("._lib") for name in imported), imported)


if __name__ == "__main__":
    unittest.main()
