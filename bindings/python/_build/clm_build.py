"""A PEP 517 build backend for the clm Python package, standard library only.

Why not setuptools: building a wheel with the setuptools that ships with
Python 3.11's venv (65.x) needs the separate ``wheel`` package, which an
offline machine may not have. This backend needs nothing but Python >= 3.11,
so ``pip install --no-index ./bindings/python`` works offline, with or
without ``--no-build-isolation``.

It reads ``[project]`` from pyproject.toml and packs ``src/clm`` (every file
but caches; a ``libclm.so*`` copied there is packed too and makes the wheel
platform-specific). Hooks: wheel, sdist, editable (PEP 660), metadata.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sysconfig
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "clm"
_NATIVE = ("libclm.so", "libclm.dylib", "clm.dll")


def _project() -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _dist_name() -> str:
    p = _project()
    return f"{p['name'].replace('-', '_')}-{p['version']}"


def _metadata() -> str:
    p = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p.get('description', '')}",
    ]
    if "requires-python" in p:
        lines.append(f"Requires-Python: {p['requires-python']}")
    lic = p.get("license", {})
    if isinstance(lic, dict) and "text" in lic:
        lines.append(f"License: {lic['text']}")
    for a in p.get("authors", []):
        if "name" in a:
            lines.append(f"Author: {a['name']}")
    for c in p.get("classifiers", []):
        lines.append(f"Classifier: {c}")
    for d in p.get("dependencies", []):
        lines.append(f"Requires-Dist: {d}")
    body = ""
    readme = p.get("readme")
    if isinstance(readme, str) and (ROOT / readme).is_file():
        lines.append("Description-Content-Type: text/markdown")
        body = "\n" + (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n" + body


def _package_files() -> list[Path]:
    src = ROOT / "src" / PACKAGE
    files = []
    for path in sorted(src.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        files.append(path)
    return files


def _has_native(files: list[Path]) -> bool:
    return any(f.name.startswith(_NATIVE) for f in files)


def _tag(native: bool) -> str:
    if not native:
        return "py3-none-any"
    return "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")


class _Wheel:
    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.records: list[str] = []

    def add(self, arcname: str, data: bytes, executable: bool = False) -> None:
        info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o755 if executable else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.records.append(f"{arcname},sha256={digest},{len(data)}")

    def close(self, dist_info: str) -> None:
        record = f"{dist_info}/RECORD"
        self.records.append(f"{record},,")
        self.zip.writestr(zipfile.ZipInfo(record, date_time=(2020, 1, 1, 0, 0, 0)), "\n".join(self.records) + "\n")
        self.zip.close()


def _write_dist_info(w: _Wheel, tag: str) -> str:
    dist_info = f"{_dist_name()}.dist-info"
    w.add(f"{dist_info}/METADATA", _metadata().encode())
    purelib = "true" if tag.endswith("-any") else "false"
    wheel = f"Wheel-Version: 1.0\nGenerator: clm_build\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n"
    w.add(f"{dist_info}/WHEEL", wheel.encode())
    w.add(f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode())
    return dist_info


# ---------------------------------------------------------------------------
# PEP 517 / PEP 660 hooks
# ---------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    dist_info = f"{_dist_name()}.dist-info"
    d = Path(metadata_directory) / dist_info
    d.mkdir(parents=True, exist_ok=True)
    (d / "METADATA").write_text(_metadata(), encoding="utf-8")
    return dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    files = _package_files()
    tag = _tag(_has_native(files))
    name = f"{_dist_name()}-{tag}.whl"
    w = _Wheel(Path(wheel_directory) / name)
    src = ROOT / "src"
    for f in files:
        w.add(f.relative_to(src).as_posix(), f.read_bytes(), executable=os.access(f, os.X_OK) and f.suffix != ".py")
    w.close(_write_dist_info(w, tag))
    return name


def build_editable(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    tag = _tag(False)
    name = f"{_dist_name()}-{tag}.whl"
    w = _Wheel(Path(wheel_directory) / name)
    w.add(f"__editable__.{_dist_name()}.pth", (str(ROOT / "src") + "\n").encode())
    w.close(_write_dist_info(w, tag))
    return name


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    base = _dist_name()
    name = f"{base}.tar.gz"
    members = [ROOT / "pyproject.toml", ROOT / "README.md", *sorted((ROOT / "_build").glob("*.py"))]
    members += [f for f in _package_files() if not f.name.startswith(_NATIVE)]
    members += sorted((ROOT / "tests").glob("*.py"))
    with tarfile.open(Path(sdist_directory) / name, "w:gz", format=tarfile.PAX_FORMAT) as tar:

        def add(arcname: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{base}/{arcname}")
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))

        for m in members:
            if m.is_file():
                add(m.relative_to(ROOT).as_posix(), m.read_bytes())
        add("PKG-INFO", _metadata().encode())
    return name
