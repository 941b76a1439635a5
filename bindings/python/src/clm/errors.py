"""Errors of the clm C library as Python exceptions.

Every fallible C function returns a ``clm_status``; the binding raises the
:class:`ClmError` subclass of that status, carrying the status, its name and
the thread's ``clm_last_error()`` message. Input errors (``CLM_E_PARSE``,
``CLM_E_VALIDATION``) also carry :attr:`ClmError.problems`, one
:class:`Problem` per ``NAME:LINE:COL: error: message`` line of the message.

This module is pure Python: it does not load the library. Raising is the
library module's (``clm._lib``): it reads ``clm_last_error()`` and raises the
class :func:`error_class` gives; ``last_error()`` and ``last_status()`` live
there too (and in ``clm``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = [
    "Status",
    "Problem",
    "parse_problems",
    "ClmError",
    "InvalidArgumentError",
    "NoMemoryError",
    "ParseError",
    "ValidationError",
    "NotFoundError",
    "IllegalTransitionError",
    "GuardFailedError",
    "ClmIOError",
    "CorruptError",
    "VersionError",
    "DuplicateError",
    "BufferTooSmallError",
    "CancelledError",
    "CallbackError",
    "InternalError",
    "error_class",
    "status_name",
]


class Status(enum.IntEnum):
    """``clm_status``: the result codes of the C ABI (append-only, never renumbered)."""

    OK = 0
    INVALID_ARGUMENT = 1
    NO_MEMORY = 2
    PARSE = 3
    VALIDATION = 4
    NOT_FOUND = 5
    ILLEGAL_TRANSITION = 6
    GUARD_FAILED = 7
    IO = 8
    CORRUPT = 9
    VERSION = 10
    DUPLICATE = 11
    BUFFER_TOO_SMALL = 12
    CANCELLED = 13
    CALLBACK = 14
    INTERNAL = 15


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in an input: where it is and what is wrong.

    ``line`` and ``column`` are 1-based, or ``None`` when the problem has no
    position (a model built with :class:`clm.ModelBuilder`).
    """

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: error: {self.message}"


_PROBLEM_LINE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+):(?P<column>\d+))?: error: (?P<message>.*)$")


def parse_problems(report: str) -> list[Problem]:
    """Parses ``NAME:LINE:COL: error: message`` lines (``NAME: error: message``
    when there is no position); other lines are ignored."""
    problems: list[Problem] = []
    for text in report.splitlines():
        m = _PROBLEM_LINE.match(text)
        if m is None:
            continue
        line = m.group("line")
        column = m.group("column")
        problems.append(
            Problem(
                file=m.group("file"),
                line=int(line) if line is not None else None,
                column=int(column) if column is not None else None,
                message=m.group("message"),
            )
        )
    return problems


class ClmError(Exception):
    """A clm C function failed.

    Attributes:
        status: the ``clm_status`` code (an :class:`int`, a :class:`Status` when known).
        status_name: the constant's name, e.g. ``"CLM_E_PARSE"``.
        message: ``clm_last_error()``: the C function's name, ``": "``, then what
            went wrong and where.
        function: the C function that failed, e.g. ``"clm_model_preset"``.
        problems: the input problems listed in the message (empty for errors
            that are not about an input's content).
    """

    status: int
    status_name: str
    message: str
    function: str
    problems: list[Problem]

    def __init__(self, status: int, message: str, function: str = "", status_name: str | None = None) -> None:
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.status_name = status_name if status_name is not None else _status_name(int(status))
        self.message = message
        self.function = function
        body = message
        if function and body.startswith(function + ": "):
            body = body[len(function) + 2 :]
        self.problems = parse_problems(body)
        super().__init__(status, message, function)

    def __str__(self) -> str:
        return f"{self.status_name}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self.status)}, {self.message!r})"


class InvalidArgumentError(ClmError):
    """CLM_E_INVALID_ARGUMENT: a NULL handle, a bad enum value, an out-of-range index."""


class NoMemoryError(ClmError):
    """CLM_E_NO_MEMORY: an allocation failed; nothing was changed."""


class ParseError(ClmError):
    """CLM_E_PARSE: malformed input text; see :attr:`problems`."""


class ValidationError(ClmError):
    """CLM_E_VALIDATION: well-formed input that breaks the rules; see :attr:`problems`."""


class NotFoundError(ClmError):
    """CLM_E_NOT_FOUND: an unknown id (preset, stage, event, ...)."""


class IllegalTransitionError(ClmError):
    """CLM_E_ILLEGAL_TRANSITION: the model has no such move from that stage."""


class GuardFailedError(ClmError):
    """CLM_E_GUARD_FAILED: the move exists but a guard refused it."""


class ClmIOError(ClmError):
    """CLM_E_IO: a file could not be read or written."""


class CorruptError(ClmError):
    """CLM_E_CORRUPT: a save file is damaged."""


class VersionError(ClmError):
    """CLM_E_VERSION: a format version this library does not read."""


class DuplicateError(ClmError):
    """CLM_E_DUPLICATE: an id that must be unique is already there."""


class BufferTooSmallError(ClmError):
    """CLM_E_BUFFER_TOO_SMALL: a caller buffer is too small."""


class CancelledError(ClmError):
    """CLM_E_CANCELLED: a progress callback asked to stop."""


class CallbackError(ClmError):
    """CLM_E_CALLBACK: a host callback reported an error."""


class InternalError(ClmError):
    """CLM_E_INTERNAL: a bug in clm; please report it with the message."""


_CLASSES: dict[int, type[ClmError]] = {
    Status.INVALID_ARGUMENT: InvalidArgumentError,
    Status.NO_MEMORY: NoMemoryError,
    Status.PARSE: ParseError,
    Status.VALIDATION: ValidationError,
    Status.NOT_FOUND: NotFoundError,
    Status.ILLEGAL_TRANSITION: IllegalTransitionError,
    Status.GUARD_FAILED: GuardFailedError,
    Status.IO: ClmIOError,
    Status.CORRUPT: CorruptError,
    Status.VERSION: VersionError,
    Status.DUPLICATE: DuplicateError,
    Status.BUFFER_TOO_SMALL: BufferTooSmallError,
    Status.CANCELLED: CancelledError,
    Status.CALLBACK: CallbackError,
    Status.INTERNAL: InternalError,
}


def error_class(status: int) -> type[ClmError]:
    """The exception class of a status (:class:`ClmError` for codes this binding does not know)."""
    return _CLASSES.get(int(status), ClmError)


def _status_name(status: int) -> str:
    # The names clm_status_name() gives: the header's constants, CLM_E_UNKNOWN for other codes.
    if status == Status.OK:
        return "CLM_OK"
    try:
        return "CLM_E_" + Status(status).name
    except ValueError:
        return "CLM_E_UNKNOWN"


def status_name(status: int) -> str:
    """The constant's name of a status, e.g. ``"CLM_E_PARSE"``, as ``clm_status_name()`` gives it."""
    return _status_name(int(status))
