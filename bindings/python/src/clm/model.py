"""Lifecycle models and the model builder.

A :class:`Model` owns one ``clm_model *`` handle; a :class:`ModelBuilder`
owns one ``clm_model_builder *``. Both release it in :meth:`close` (safe to
call twice), when leaving a ``with`` block, and, as a fallback, when
garbage-collected. Using a closed object raises :class:`ValueError`.
"""

from __future__ import annotations

import ctypes
import enum
import os
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from . import _lib
from .errors import Problem, parse_problems

__all__ = [
    "StageKind",
    "Format",
    "Stage",
    "Transition",
    "Model",
    "ModelBuilder",
    "presets",
]

_C = _lib.lib
_ModelPtr = ctypes.POINTER(_lib.HANDLE_TYPES["clm_model"])
_BuilderPtr = ctypes.POINTER(_lib.HANDLE_TYPES["clm_model_builder"])


def _enc(s: str | bytes | os.PathLike[str], what: str) -> bytes:
    # A C string ends at its first NUL: text holding one would be cut short
    # without a word, so it is refused here.
    if isinstance(s, os.PathLike):
        s = os.fspath(s)
    if isinstance(s, bytes):
        data = s
    elif isinstance(s, str):
        data = s.encode("utf-8")
    else:
        raise TypeError(f"{what} must be a str, not {type(s).__name__}")
    if b"\0" in data:
        raise ValueError(f"{what} must not contain a NUL character")
    return data


def _enc_opt(s: str | bytes | None, what: str) -> bytes | None:
    return None if s is None else _enc(s, what)


def _dec(b: bytes | None) -> str:
    return "" if b is None else b.decode("utf-8")


def _take_string(out: ctypes.c_void_p, length: int | None = None) -> str:
    """Copies a string returned through ``char **out`` and frees it with clm_string_free()."""
    if not out.value:
        return ""
    try:
        raw = ctypes.string_at(out.value) if length is None else ctypes.string_at(out.value, length)
    finally:
        _C.clm_string_free(out.value)
    return raw.decode("utf-8")


class StageKind(enum.IntEnum):
    """``clm_stage_kind``: what reaching a stage means."""

    OPEN = 0
    WON = 1
    LOST = 2
    DORMANT = 3
    TERMINAL = 4

    @classmethod
    def coerce(cls, value: StageKind | str | int) -> StageKind:
        """Accepts a :class:`StageKind`, its int value or its name (``"won"``)."""
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                raise ValueError(f"unknown stage kind {value!r}") from None
        return cls(value)


class Format(enum.IntEnum):
    """``clm_model_format``: output formats of :meth:`Model.render`."""

    TEXT = 0
    JSON = 1
    DOT = 2
    MERMAID = 3


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a model. ``index`` is its 0-based position in :attr:`Model.stages`."""

    index: int
    id: str
    name: str
    kind: StageKind
    task: str
    time_limit_days: int | None
    probability: float | None
    requirements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Transition:
    """A move ``from_stage`` -> ``to_stage`` on ``event`` (stage ids)."""

    from_stage: str
    to_stage: str
    event: str


def presets() -> list[str]:
    """The ids of the preset models (``"buttle5"``, ``"sales6"``, ...)."""
    ids: list[str] = []
    for i in range(_C.clm_preset_count()):
        pid = _C.clm_preset_id(i)
        if pid is None:
            break
        ids.append(_dec(pid))
    return ids


class Model:
    """An immutable lifecycle model (``clm_model``).

    Create one with :meth:`preset`, :meth:`from_json`, :meth:`load` or
    :meth:`ModelBuilder.build`; release it with :meth:`close` or a ``with``
    block::

        with Model.preset("sales6") as m:
            print(m.next_stage("presentation", "presented"))
    """

    __slots__ = ("_ptr", "__weakref__")

    def __init__(self) -> None:
        raise TypeError("use Model.preset(), Model.from_json(), Model.load() or ModelBuilder.build()")

    @classmethod
    def _adopt(cls, ptr: Any) -> Model:
        self = object.__new__(cls)
        self._ptr = ptr
        return self

    # -- construction ------------------------------------------------------

    @classmethod
    def preset(cls, preset_id: str) -> Model:
        """A preset model (see :func:`presets`). Raises :class:`NotFoundError` for an unknown id."""
        out = _ModelPtr()
        _C.clm_model_preset(ctypes.byref(out), _enc(preset_id, "preset_id"))
        return cls._adopt(out)

    @classmethod
    def from_json(cls, text: str | bytes) -> Model:
        """A model from its JSON definition.

        Raises :class:`ParseError` for malformed JSON and :class:`ValidationError`
        for a definition that breaks the rules; both list every problem in
        ``.problems`` (file ``"<input>"``).
        """
        data = _enc(text, "text")
        out = _ModelPtr()
        _C.clm_model_from_json(ctypes.byref(out), data, len(data))
        return cls._adopt(out)

    @classmethod
    def load(cls, preset_or_path: str | os.PathLike[str]) -> Model:
        """A preset id, else a JSON file path. Raises :class:`ClmIOError`,
        :class:`ParseError` or :class:`ValidationError` (problems name the file)."""
        out = _ModelPtr()
        _C.clm_model_load(ctypes.byref(out), _enc(preset_or_path, "preset_or_path"))
        return cls._adopt(out)

    @staticmethod
    def validate_json(text: str | bytes, name: str | None = None) -> list[Problem]:
        """Checks a JSON model definition; returns every problem (``[]`` when valid).

        ``name`` is the file name the problems carry (``"<input>"`` when None).
        """
        data = _enc(text, "text")
        report = ctypes.c_void_p()
        count = ctypes.c_size_t()
        _C.clm_model_validate_json(ctypes.byref(report), ctypes.byref(count), data, len(data), _enc_opt(name, "name"))
        problems = parse_problems(_take_string(report))
        if len(problems) != count.value:  # a line we could not parse: keep the count honest
            raise AssertionError(f"clm: validate_json reported {count.value} problems, parsed {len(problems)}")
        return problems

    # -- lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Releases the handle (``clm_model_free``). Safe to call more than once."""
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            _C.clm_model_free(ptr)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return not self._ptr

    def __enter__(self) -> Model:
        self._handle()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass

    def _handle(self) -> Any:
        if not self._ptr:
            raise ValueError("operation on a closed clm.Model")
        return self._ptr

    def __repr__(self) -> str:
        if not self._ptr:
            return "<clm.Model (closed)>"
        return f"<clm.Model {self.id!r} v{self.version} ({_C.clm_model_stage_count(self._ptr)} stages)>"

    # -- reading -----------------------------------------------------------

    @property
    def id(self) -> str:
        """The model's id."""
        return _dec(_C.clm_model_id(self._handle()))

    @property
    def version(self) -> int:
        """The model's version (>= 1)."""
        return int(_C.clm_model_version(self._handle()))

    @property
    def name(self) -> str:
        """The display name ("" when none)."""
        return _dec(_C.clm_model_name(self._handle()))

    def _stage_id(self, index: int) -> str:
        return _dec(_C.clm_model_stage_id(self._handle(), index))

    def _stage(self, index: int) -> Stage:
        h = self._handle()
        limit = _C.clm_model_stage_time_limit(h, index)
        prob = _C.clm_model_stage_probability(h, index)
        reqs = tuple(
            _dec(_C.clm_model_stage_requirement(h, index, i)) for i in range(_C.clm_model_stage_requirement_count(h, index))
        )
        return Stage(
            index=index,
            id=_dec(_C.clm_model_stage_id(h, index)),
            name=_dec(_C.clm_model_stage_name(h, index)),
            kind=StageKind(_C.clm_model_stage_kind(h, index)),
            task=_dec(_C.clm_model_stage_task(h, index)),
            time_limit_days=None if limit < 0 else int(limit),
            probability=None if prob < 0 else float(prob),
            requirements=reqs,
        )

    @property
    def stages(self) -> list[Stage]:
        """The stages, in model order."""
        return [self._stage(i) for i in range(_C.clm_model_stage_count(self._handle()))]

    @property
    def transitions(self) -> list[Transition]:
        """The transitions, in model order, with stage ids."""
        return [self._transition(i) for i in range(_C.clm_model_transition_count(self._handle()))]

    def _transition(self, index: int) -> Transition:
        h = self._handle()
        src, dst, event = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_char_p()
        _C.clm_model_transition(ctypes.byref(src), ctypes.byref(dst), ctypes.byref(event), h, index)
        return Transition(self._stage_id(src.value), self._stage_id(dst.value), _dec(event.value))

    @property
    def initial_stage(self) -> str:
        """The id of the stage where customers start."""
        index = _C.clm_model_initial_stage(self._handle())
        return self._stage_id(index)

    def find_stage(self, stage_id: str) -> int:
        """The 0-based index of a stage. Raises :class:`NotFoundError`."""
        out = ctypes.c_size_t()
        _C.clm_model_find_stage(ctypes.byref(out), self._handle(), _enc(stage_id, "stage_id"))
        return out.value

    def next_stage(self, from_stage: str, event: str) -> str:
        """The id of the stage ``event`` leads to from ``from_stage`` (guards not checked).

        Raises :class:`IllegalTransitionError` when the stage has no such move,
        :class:`NotFoundError` for an unknown stage or event.
        """
        h = self._handle()
        index = self.find_stage(from_stage)
        out = ctypes.c_size_t()
        _C.clm_model_next_stage(ctypes.byref(out), h, index, _enc(event, "event"))
        return self._stage_id(out.value)

    def render(self, fmt: Format | str | int = Format.TEXT) -> str:
        """Renders the model as ``"text"``, ``"json"``, ``"dot"`` or ``"mermaid"``."""
        if isinstance(fmt, str):
            try:
                fmt = Format[fmt.upper()]
            except KeyError:
                raise ValueError(f"unknown format {fmt!r} (expected text, json, dot or mermaid)") from None
        out = ctypes.c_void_p()
        length = ctypes.c_size_t()
        _C.clm_model_render(ctypes.byref(out), ctypes.byref(length), self._handle(), int(fmt))
        return _take_string(out, length.value)

    def to_json(self) -> str:
        """The canonical JSON definition (loads back to the same model)."""
        return self.render(Format.JSON)

    def migrate_stage(self, from_version: int, old_stage_id: str) -> str:
        """Where a customer in stage ``old_stage_id`` of version ``from_version``
        belongs in this model (a stage id). Raises :class:`NotFoundError`."""
        out = ctypes.c_size_t()
        _C.clm_model_migrate_stage(ctypes.byref(out), self._handle(), int(from_version), _enc(old_stage_id, "old_stage_id"))
        return self._stage_id(out.value)

    @property
    def locales(self) -> list[str]:
        """The locales the model's text is written in, the default first (``clm_model_locale_at``)."""
        h = self._handle()
        return [_dec(_C.clm_model_locale_at(h, i)) for i in range(_C.clm_model_locale_count(h))]

    @property
    def locale(self) -> str:
        """The locale the name and the stages' names and tasks are shown in (``clm_model_locale``)."""
        return _dec(_C.clm_model_locale(self._handle()))

    def set_locale(self, locale: str) -> Model:
        """Shows the name and the stages' names and tasks in ``locale`` (one of
        :attr:`locales`; ``clm_model_set_locale``) and returns the model.
        Raises :class:`NotFoundError` naming the model's locales otherwise."""
        _C.clm_model_set_locale(self._handle(), _enc(locale, "locale"))
        return self


class ModelBuilder:
    """Builds a custom model step by step (``clm_model_builder``).

    Stages and transitions are named by id and may be added in any order;
    :meth:`build` validates everything and raises :class:`ValidationError`
    listing every problem. Every method but :meth:`build` returns the builder::

        with ModelBuilder("mini", 1) as b:
            b.add_stage("lead", "Lead").add_stage("won", "Won", StageKind.WON)
            b.add_transition("lead", "won", "sign")
            model = b.build()
    """

    __slots__ = ("_ptr", "__weakref__")

    def __init__(self, model_id: str, version: int = 1) -> None:
        """Starts a model ``model_id`` of ``version`` (>= 1, checked at build)."""
        self._ptr = None
        out = _BuilderPtr()
        _C.clm_model_builder_new(ctypes.byref(out), _enc(model_id, "model_id"), int(version))
        self._ptr = out

    def close(self) -> None:
        """Releases the builder (``clm_model_builder_free``). Safe to call more than once."""
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            _C.clm_model_builder_free(ptr)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return not self._ptr

    def __enter__(self) -> ModelBuilder:
        self._handle()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _handle(self) -> Any:
        if not self._ptr:
            raise ValueError("operation on a closed clm.ModelBuilder")
        return self._ptr

    def __repr__(self) -> str:
        return "<clm.ModelBuilder (closed)>" if not self._ptr else "<clm.ModelBuilder>"

    def set_name(self, name: str) -> ModelBuilder:
        """Sets the display name."""
        _C.clm_model_builder_set_name(self._handle(), _enc(name, "name"))
        return self

    def add_stage(
        self,
        stage_id: str,
        name: str | None = None,
        kind: StageKind | str | int = StageKind.OPEN,
        task: str | None = None,
    ) -> ModelBuilder:
        """Adds a stage (``name`` defaults to the id). Raises :class:`DuplicateError`."""
        # A plain int goes through unchecked, so the C library validates it.
        k = kind if type(kind) is int else int(StageKind.coerce(kind))
        _C.clm_model_builder_add_stage(
            self._handle(), _enc(stage_id, "stage_id"), _enc_opt(name, "name"), k, _enc_opt(task, "task")
        )
        return self

    def set_time_limit(self, stage_id: str, days: int) -> ModelBuilder:
        """Sets a stage's time limit in days (>= 0)."""
        _C.clm_model_builder_set_time_limit(self._handle(), _enc(stage_id, "stage_id"), int(days))
        return self

    def set_probability(self, stage_id: str, p: float) -> ModelBuilder:
        """Sets a stage's win probability (checked at build to be within [0, 1])."""
        _C.clm_model_builder_set_probability(self._handle(), _enc(stage_id, "stage_id"), float(p))
        return self

    def add_requirement(self, stage_id: str, item: str) -> ModelBuilder:
        """Adds an entry requirement (a checklist item or document) to a stage."""
        _C.clm_model_builder_add_requirement(self._handle(), _enc(stage_id, "stage_id"), _enc(item, "item"))
        return self

    def set_initial(self, stage_id: str) -> ModelBuilder:
        """Sets the initial stage (default: the first stage added)."""
        _C.clm_model_builder_set_initial(self._handle(), _enc(stage_id, "stage_id"))
        return self

    def add_transition(self, from_stage: str, to_stage: str, event: str) -> ModelBuilder:
        """Adds a transition ``from_stage`` -> ``to_stage`` on ``event`` (ids resolved at build)."""
        _C.clm_model_builder_add_transition(
            self._handle(), _enc(from_stage, "from_stage"), _enc(to_stage, "to_stage"), _enc(event, "event")
        )
        return self

    def guard_requires(self, from_stage: str, event: str, item: str) -> ModelBuilder:
        """Guards the transition from ``from_stage`` on ``event``: ``item`` must be recorded."""
        _C.clm_model_builder_guard_requires(
            self._handle(), _enc(from_stage, "from_stage"), _enc(event, "event"), _enc(item, "item")
        )
        return self

    def guard_min_days(self, from_stage: str, event: str, days: int) -> ModelBuilder:
        """Guards the transition: at least ``days`` days in the source stage."""
        _C.clm_model_builder_guard_min_days(
            self._handle(), _enc(from_stage, "from_stage"), _enc(event, "event"), int(days)
        )
        return self

    def guard_predicate(self, from_stage: str, event: str, predicate_name: str) -> ModelBuilder:
        """Guards the transition with a host predicate registered by name."""
        _C.clm_model_builder_guard_predicate(
            self._handle(), _enc(from_stage, "from_stage"), _enc(event, "event"), _enc(predicate_name, "predicate_name")
        )
        return self

    def add_reason(
        self, from_stage: str, event: str, reason: str | None = None, required: bool = False
    ) -> ModelBuilder:
        """Offers a ``reason`` for the transition and/or marks a reason as ``required``."""
        _C.clm_model_builder_add_reason(
            self._handle(), _enc(from_stage, "from_stage"), _enc(event, "event"), _enc_opt(reason, "reason"), int(bool(required))
        )
        return self

    def add_migration(self, from_version: int, old_stage_id: str, new_stage_id: str) -> ModelBuilder:
        """Maps ``old_stage_id`` of version ``from_version`` to ``new_stage_id`` of this model."""
        _C.clm_model_builder_add_migration(
            self._handle(), int(from_version), _enc(old_stage_id, "old_stage_id"), _enc(new_stage_id, "new_stage_id")
        )
        return self

    def build(self) -> Model:
        """Validates and builds the model. The builder stays usable (fix and retry).

        Raises :class:`ValidationError` with every problem in ``.problems``.
        """
        out = _ModelPtr()
        _C.clm_model_builder_build(ctypes.byref(out), self._handle())
        return Model._adopt(out)
