"""The package builds and installs offline with the in-tree backend (bindings/python/_build).

The pip test makes a venv and runs ``pip install --no-index`` into it; set
CLM_SKIP_PIP_TEST=1 to skip it (it takes a few seconds).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # bindings/python


def _backend():
    spec = importlib.util.spec_from_file_location("clm_build", ROOT / "_build" / "clm_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BackendTest(unittest.TestCase):
    def test_wheel(self) -> None:
        b = _backend()
        self.assertEqual(b.get_requires_for_build_wheel(), [])
        with tempfile.TemporaryDirectory() as tmp:
            name = b.build_wheel(tmp)
            self.assertRegex(name, r"^clm-\d+\.\d+\.\d+-py3-none-\w+\.whl$")
            with zipfile.ZipFile(Path(tmp) / name) as z:
                names = set(z.namelist())
                for f in ("clm/__init__.py", "clm/_lib.py", "clm/errors.py", "clm/model.py", "clm/py.typed"):
                    self.assertIn(f, names)
                self.assertFalse([n for n in names if "__pycache__" in n])
                dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD"))
                metadata = z.read(f"{dist_info}/METADATA").decode()
                self.assertIn("Name: clm", metadata)
                self.assertIn("Requires-Python: >=3.11", metadata)
                for line in z.read(f"{dist_info}/RECORD").decode().splitlines():
                    path, digest, size = line.split(",")
                    if not digest:
                        continue
                    data = z.read(path)
                    expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    self.assertEqual(digest, "sha256=" + expected, path)
                    self.assertEqual(int(size), len(data), path)

    def test_sdist_and_metadata(self) -> None:
        b = _backend()
        with tempfile.TemporaryDirectory() as tmp:
            name = b.build_sdist(tmp)
            with tarfile.open(Path(tmp) / name) as t:
                names = t.getnames()
            base = name.removesuffix(".tar.gz")
            for f in ("pyproject.toml", "README.md", "PKG-INFO", "_build/clm_build.py", "src/clm/_lib.py"):
                self.assertIn(f"{base}/{f}", names)
            dist_info = b.prepare_metadata_for_build_wheel(tmp)
            self.assertTrue((Path(tmp) / dist_info / "METADATA").is_file())


@unittest.skipIf(os.environ.get("CLM_SKIP_PIP_TEST"), "CLM_SKIP_PIP_TEST is set")
class PipInstallTest(unittest.TestCase):
    def test_offline_install_into_a_venv(self) -> None:
        library = os.environ.get("CLM_LIBRARY")
        with tempfile.TemporaryDirectory() as tmp:
            venv = Path(tmp) / "venv"
            r = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
            if r.returncode != 0:
                self.skipTest(f"cannot make a venv with pip: {r.stderr.strip()[-200:]}")
            python = venv / "bin" / "python"
            r = subprocess.run(
                [str(python), "-m", "pip", "install", "--no-index", "--disable-pip-version-check", str(ROOT)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            if not library:
                return
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            r = subprocess.run(
                [str(python), "-c", "import clm; print(clm.__file__); print('sales6' in clm.presets())"],
                capture_output=True,
                text=True,
                cwd=tmp,
                env=env,
            )
            self.assertEqual(r.returncode, 0, r.stderr)
            path, first = r.stdout.split()
            self.assertTrue(Path(path).is_relative_to(venv), path)
            self.assertEqual(first, "True")


if __name__ == "__main__":
    unittest.main()
