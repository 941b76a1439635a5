"""Mergeable partial results: the analyses of a portfolio in parts, merged.

A portfolio split by customer (by account when customers have one) is
analysed part by part (:meth:`clm.Portfolio.import_partition`,
:meth:`clm.Portfolio.partial`); the partials, JSON text, are merged in any
grouping and order (:func:`merge`) and the merged one is finished into the
document the whole portfolio gives (:func:`finish`), byte for byte
(docs/distributed.md). Merge each part's partial once: a part merged twice
is counted twice.

    parts = []
    for k in range(4):
        with Portfolio() as p:
            p.add_model(model)
            p.import_partition(["log.csv"], "2017-12-31", k, 4)
            parts.append(p.partial("funnel", "2017-12-31"))
    text = finish(model, functools.reduce(merge, parts))   # == `clm funnel --json`
"""

from __future__ import annotations

import ctypes
from typing import Any

from . import _lib
from .model import Model, _enc, _take_string

__all__ = ["partition_of", "merge", "finish"]

_C = _lib.lib


def partition_of(key: str, parts: int) -> int:
    """The part in ``[0, parts)`` of a partition key (an account name, or the
    id of a customer without one): FNV-1a 64-bit of its UTF-8 bytes modulo
    ``parts``. Raises :class:`clm.InvalidArgumentError` when ``parts`` is 0."""
    data = key.encode("utf-8")
    out = ctypes.c_uint32()
    _C.clm_partition_of(ctypes.byref(out), data, len(data), parts)
    return int(out.value)


def merge(a: str, b: str) -> str:
    """The merge of two partials (JSON text) of the same analysis, model and
    date. Raises :class:`clm.InvalidArgumentError` when they differ."""
    da, db = _enc(a, "a"), _enc(b, "b")
    out, length = ctypes.c_void_p(), ctypes.c_size_t()
    _C.clm_partial_merge_json(ctypes.byref(out), ctypes.byref(length), da, len(da), db, len(db))
    return _take_string(out, length.value)


def finish(model: Model, partial: str, indent: int = 2) -> str:
    """The document of the whole portfolio for a merged partial: exactly what
    ``clm status|funnel|time-in-stage|forecast --json`` prints (``indent=2``,
    with its final newline), or compact JSON (``indent=-1``)."""
    data = _enc(partial, "partial")
    out, length = ctypes.c_void_p(), ctypes.c_size_t()
    handle: Any = model._handle()
    _C.clm_partial_finish_json(ctypes.byref(out), ctypes.byref(length), handle, data, len(data), indent)
    return _take_string(out, length.value)
