"""clm: customer lifecycle models, from Python.

A ctypes binding of the clm C ABI (``include/clm/clm.h``), standard library
only. The shared library is found through ``CLM_LIBRARY``, next to this
package, or on the system path (see :mod:`clm._lib`).

    >>> import clm
    >>> with clm.Model.preset("sales6") as m:
    ...     m.next_stage("presentation", "presented")

Portfolios (:class:`Portfolio`, :class:`Event`) hold customers and their
journal; policies (:class:`Policy`) recommend the next actions.
"""

from __future__ import annotations

from . import _lib
from .errors import (
    BufferTooSmallError,
    CallbackError,
    CancelledError,
    ClmError,
    ClmIOError,
    CorruptError,
    DuplicateError,
    GuardFailedError,
    IllegalTransitionError,
    InternalError,
    InvalidArgumentError,
    NoMemoryError,
    NotFoundError,
    ParseError,
    Problem,
    Status,
    ValidationError,
    VersionError,
    status_name,
)
from ._lib import last_error, last_status
from ._version import VERSION
from .model import Format, Model, ModelBuilder, Stage, StageKind, Transition, presets
from .policy import (
    Action,
    ClassBudget,
    NotFitted,
    PlannedAction,
    Policy,
    Alternative,
    Recommendation,
    WeekPlan,
    policy_presets,
)
from .lists import FunnelStage, ListedRecommendation, PlanEntry, Reason
from .portfolio import BatchResult, Change, Event, Portfolio, Rejection, StagePosition

__version__ = VERSION  # the binding's version (clm/_version.py); the C library's is version_string()

#: ``CLM_NONE``: ``(size_t)-1``.
NONE: int = _lib.CLM_NONE


def version() -> int:
    """``clm_version_number()``: the library's version, MAJOR*10000 + MINOR*100 + PATCH."""
    return int(_lib.lib.clm_version_number())


def version_string() -> str:
    """``clm_version_string()``: the library's version, e.g. ``"0.1.0"``."""
    text: bytes = _lib.lib.clm_version_string()
    return text.decode("ascii")


def library_path() -> str:
    """The path or name the C library was loaded from."""
    return _lib.library_path


__all__ = [
    "Action",
    "FunnelStage",
    "ListedRecommendation",
    "PlanEntry",
    "Reason",
    "BatchResult",
    "BufferTooSmallError",
    "CallbackError",
    "CancelledError",
    "Change",
    "ClassBudget",
    "ClmError",
    "ClmIOError",
    "CorruptError",
    "DuplicateError",
    "Event",
    "Format",
    "GuardFailedError",
    "IllegalTransitionError",
    "InternalError",
    "InvalidArgumentError",
    "Model",
    "ModelBuilder",
    "NONE",
    "NoMemoryError",
    "NotFitted",
    "NotFoundError",
    "ParseError",
    "PlannedAction",
    "Policy",
    "Portfolio",
    "Problem",
    "Alternative",
    "Recommendation",
    "Rejection",
    "Stage",
    "StageKind",
    "StagePosition",
    "Status",
    "Transition",
    "ValidationError",
    "VersionError",
    "WeekPlan",
    "last_error",
    "last_status",
    "library_path",
    "policy_presets",
    "presets",
    "status_name",
    "version",
    "version_string",
]
