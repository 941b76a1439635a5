"""Policies: what a manager should do next, and why.

A :class:`Policy` owns one ``clm_policy *`` handle (immutable, shareable
between threads) and releases it in :meth:`Policy.close` (safe twice), when
leaving a ``with`` block, or when garbage-collected.

Recommendations take an explicit as-of date (the library never reads the
clock) and come back ranked as frozen :class:`Recommendation` objects, each
with the rule that fired and the facts that matched (``reasons``)::

    with Policy.load("seeds") as pol:
        for r in pol.recommend(portfolio, "2017-06-30", manager="Moses Frase", limit=5):
            print(r.rank, r.customer_id, r.action.kind, r.action.due, r.action.goal, r.reasons)
"""

from __future__ import annotations

import ctypes
import json
import os
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Callable

from . import _lib
from .errors import CancelledError, Problem, parse_problems
from .model import _dec, _enc, _enc_opt, _take_string
from .lists import ListedRecommendation, PlanEntry, read_plan_list, read_recommendation_list
from .portfolio import DateLike, Portfolio, _date

__all__ = [
    "Action",
    "Recommendation",
    "ClassBudget",
    "PlannedAction",
    "NotFitted",
    "WeekPlan",
    "Policy",
    "policy_presets",
]

_C = _lib.lib
_PolicyPtr = ctypes.POINTER(_lib.HANDLE_TYPES["clm_policy"])
_RecommendationListPtr = ctypes.POINTER(_lib.HANDLE_TYPES["clm_recommendation_list"])
_PlanListPtr = ctypes.POINTER(_lib.HANDLE_TYPES["clm_plan_list"])
_Options = _lib.STRUCT_TYPES["clm_recommend_options"]
_ProgressFn = _lib.CALLBACK_TYPES["clm_progress_fn"]

#: A progress callable: ``progress(done, total)``; return True to cancel.
Progress = Callable[[int, int], Any]


@dataclass(frozen=True, slots=True)
class Action:
    """What to do: the action ``kind`` (contact, follow_up, send_document, ...),
    through which ``channel``, for which ``goal``, offering which ``product``,
    by when (``due``, ``YYYY-MM-DD``); ``document`` and ``target_stage`` when the rule names them."""

    kind: str
    channel: str
    goal: str
    product: str
    due: str
    document: str | None = None
    target_stage: str | None = None

    @classmethod
    def _from_json(cls, j: dict[str, Any]) -> Action:
        return cls(
            kind=j["kind"],
            channel=j["channel"],
            goal=j["goal"],
            product=j["product"],
            due=j["due"],
            document=j.get("document"),
            target_stage=j.get("target_stage"),
        )


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another action the policy has for the same customer (not returned as a
    recommendation of its own): the ``rule``, the ``action``, the ``reasons``
    and its ``score``."""

    rule: str
    action: Action
    reasons: tuple[str, ...]
    score: float

    @classmethod
    def _from_json(cls, j: dict[str, Any]) -> Alternative:
        return cls(rule=j["rule"], action=Action._from_json(j["action"]), reasons=tuple(j["reasons"]), score=float(j["score"]))


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ranked next action with its explanation.

    ``rank`` is 1-based (0 inside a :class:`WeekPlan`, which orders by day);
    ``score`` = priority x class weight x urgency x value x p_won (each factor
    in ``score_factors``); ``reasons`` are the facts that matched (of every
    rule merged into the action: ``merged_rules``), ``rule`` the rule that
    fired and ``why`` its description; ``task`` is the stage task.
    ``account`` is the customer's account (None without one), ``scope``
    ``"deal"`` or ``"account"``, ``p_won`` the deal's probability of being
    won (None where its model has no won stage), ``alternatives`` the
    customer's other actions.
    """

    rank: int
    customer_id: str
    manager: str
    customer_class: str
    model: str | None
    stage: str | None
    rule: str
    action: Action
    priority: float
    score: float
    urgency: float
    value: float
    reasons: tuple[str, ...]
    task: str
    why: str
    account: str | None = None
    scope: str = "deal"
    p_won: float | None = None
    score_factors: dict[str, float | None] = field(default_factory=dict, hash=False)
    merged_rules: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()

    @classmethod
    def _from_json(cls, j: dict[str, Any]) -> Recommendation:
        return cls(
            rank=int(j.get("rank", 0)),
            customer_id=j["customer_id"],
            manager=j["manager"],
            customer_class=j["class"],
            model=j.get("model"),
            stage=j.get("stage"),
            rule=j["rule"],
            action=Action._from_json(j["action"]),
            priority=j["priority"],
            score=float(j["score"]),
            urgency=float(j["urgency"]),
            value=float(j["value"]),
            reasons=tuple(j["reasons"]),
            task=j["task"],
            why=j["why"],
            account=j.get("account"),
            scope=j.get("scope", "deal"),
            p_won=None if j.get("p_won") is None else float(j["p_won"]),
            score_factors=dict(j.get("score_factors", {})),
            merged_rules=tuple(j.get("merged_rules", ())),
            alternatives=tuple(Alternative._from_json(a) for a in j.get("alternatives", ())),
        )


@dataclass(frozen=True, slots=True)
class ClassBudget:
    """A class's share of the week: minutes budgeted and used (``customer_class``
    is ``"(other)"`` for customers without one of the policy's classes)."""

    customer_class: str
    budget_minutes: float
    used_minutes: float


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """An action fitted into the week: on ``day``, taking ``minutes``."""

    day: str
    minutes: float
    recommendation: Recommendation


@dataclass(frozen=True, slots=True)
class NotFitted:
    """An action that did not fit the week, and why."""

    reason: str
    minutes: float
    recommendation: Recommendation


@dataclass(frozen=True, slots=True)
class WeekPlan:
    """A manager's week: ranked actions fitted into the capacity with the
    class time shares respected; what did not fit is listed with the reason."""

    manager: str
    week_start: str
    capacity_minutes: float
    planned_minutes: float
    classes: tuple[ClassBudget, ...]
    planned: tuple[PlannedAction, ...]
    not_fitted: tuple[NotFitted, ...]

    @classmethod
    def _from_json(cls, j: dict[str, Any]) -> WeekPlan:
        return cls(
            manager=j["manager"],
            week_start=j["week_start"],
            capacity_minutes=float(j["capacity_minutes"]),
            planned_minutes=float(j["planned_minutes"]),
            classes=tuple(ClassBudget(c["class"], float(c["budget_minutes"]), float(c["used_minutes"])) for c in j["classes"]),
            planned=tuple(PlannedAction(a["day"], float(a["minutes"]), Recommendation._from_json(a)) for a in j["planned"]),
            not_fitted=tuple(
                NotFitted(a["not_fitted_because"], float(a["minutes"]), Recommendation._from_json(a)) for a in j["not_fitted"]
            ),
        )


def policy_presets() -> list[str]:
    """The ids of the preset policies (``"seeds"``)."""
    ids: list[str] = []
    for i in range(_C.clm_policy_preset_count()):
        pid = _C.clm_policy_preset_id(i)
        if pid is None:
            break
        ids.append(_dec(pid))
    return ids


class Policy:
    """An immutable policy (``clm_policy``): rules as data (docs/policy-format.md).

    Create one with :meth:`load` or :meth:`from_json`.
    """

    __slots__ = ("_ptr", "__weakref__")

    def __init__(self) -> None:
        raise TypeError("use Policy.load() or Policy.from_json()")

    @classmethod
    def _adopt(cls, ptr: Any) -> Policy:
        self = object.__new__(cls)
        self._ptr = ptr
        return self

    @classmethod
    def load(cls, preset_or_path: str | os.PathLike[str]) -> Policy:
        """A preset policy id (``"seeds"``) or a JSON policy file. Raises
        :class:`ClmIOError`, :class:`ParseError`, :class:`ValidationError`."""
        out = _PolicyPtr()
        _C.clm_policy_load(ctypes.byref(out), _enc(preset_or_path, "preset_or_path"))
        return cls._adopt(out)

    @classmethod
    def from_json(cls, text: str | bytes) -> Policy:
        """A policy from its JSON definition. Raises :class:`ParseError` or
        :class:`ValidationError`, listing every problem in ``.problems``."""
        data = _enc(text, "text")
        out = _PolicyPtr()
        _C.clm_policy_from_json(ctypes.byref(out), data, len(data))
        return cls._adopt(out)

    @staticmethod
    def validate_json(text: str | bytes, name: str | None = None) -> list[Problem]:
        """Checks a JSON policy; returns every problem (``[]`` when valid)."""
        data = _enc(text, "text")
        report = ctypes.c_void_p()
        count = ctypes.c_size_t()
        _C.clm_policy_validate_json(ctypes.byref(report), ctypes.byref(count), data, len(data), _enc_opt(name, "name"))
        problems = parse_problems(_take_string(report))
        if len(problems) != count.value:
            raise AssertionError(f"clm: validate_json reported {count.value} problems, parsed {len(problems)}")
        return problems

    # -- lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Releases the handle (``clm_policy_free``). Safe to call more than once."""
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            _C.clm_policy_free(ptr)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return not self._ptr

    def __enter__(self) -> Policy:
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
            raise ValueError("operation on a closed clm.Policy")
        return self._ptr

    def __repr__(self) -> str:
        if not self._ptr:
            return "<clm.Policy (closed)>"
        return f"<clm.Policy {self.id!r} ({_C.clm_policy_rule_count(self._ptr)} rules)>"

    # -- reading -----------------------------------------------------------

    @property
    def id(self) -> str:
        """The policy's id."""
        return _dec(_C.clm_policy_id(self._handle()))

    @property
    def rules(self) -> list[str]:
        """The rule ids, in policy order."""
        h = self._handle()
        return [_dec(_C.clm_policy_rule_id(h, i)) for i in range(_C.clm_policy_rule_count(h))]

    # -- recommendations ---------------------------------------------------

    def recommend(
        self,
        portfolio: Portfolio,
        as_of: DateLike,
        manager: str | None = None,
        limit: int = 0,
        threads: int = 0,
        progress: Progress | None = None,
        per_customer: int = 0,
    ) -> list[Recommendation]:
        """The next actions for the whole portfolio as of a date, ranked.

        ``manager`` keeps only that manager's customers; ``limit`` caps the
        count (0: all); ``threads`` (0: all cores); ``per_customer``
        recommendations per customer (0: the policy's per_customer_limit,
        1 by default; the customer's other actions are each one's
        ``alternatives``). ``progress(done, total)``
        is called on this thread; returning True cancels and raises
        :class:`CancelledError`. An exception raised by ``progress`` cancels
        too, and is re-raised with the :class:`CancelledError` as its context.
        Raises :class:`NotFoundError` for a model id in the policy that the
        portfolio lacks.
        """
        if as_of is None:
            raise TypeError("as_of is required: recommendations never read the clock")
        if limit < 0 or threads < 0 or per_customer < 0:
            raise ValueError("limit, threads and per_customer must be >= 0")
        opts = _Options()
        opts.struct_size = ctypes.sizeof(_Options)
        opts.manager = _enc_opt(manager, "manager")
        opts.limit = int(limit)
        opts.threads = int(threads)
        opts.per_customer = int(per_customer)
        raised: list[BaseException] = []
        cfn = None
        if progress is not None:

            def trampoline(done: int, total: int, payload: Any) -> int:
                try:
                    return 1 if progress(int(done), int(total)) else 0
                except BaseException as e:  # never unwind through C: cancel instead
                    raised.append(e)
                    return 1

            cfn = _ProgressFn(trampoline)  # alive until the call returns
            opts.progress = cfn
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        try:
            _C.clm_policy_recommend(
                ctypes.byref(out), ctypes.byref(length), self._handle(), portfolio._handle(), _date(as_of, "as_of"),
                ctypes.byref(opts),
            )
        except CancelledError:
            if raised:
                raise raised[0]  # the CancelledError becomes its __context__
            raise
        return _recommendations(_take_string(out, length.value))

    def recommend_customer(self, portfolio: Portfolio, customer_id: str, as_of: DateLike) -> list[Recommendation]:
        """The next actions for one customer as of a date, ranked. Raises :class:`NotFoundError`."""
        if as_of is None:
            raise TypeError("as_of is required: recommendations never read the clock")
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        _C.clm_policy_recommend_customer(
            ctypes.byref(out), ctypes.byref(length), self._handle(), portfolio._handle(),
            _enc(customer_id, "customer_id"), _date(as_of, "as_of"),
        )
        return _recommendations(_take_string(out, length.value))

    def plan_week(self, portfolio: Portfolio, manager: str, week: DateLike, hours: float = 0) -> WeekPlan:
        """A manager's week starting on the Monday of ``week`` (facts as of
        ``week``), within ``hours`` per week (0: the policy's capacity)."""
        if week is None:
            raise TypeError("week is required")
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        _C.clm_policy_plan_week(
            ctypes.byref(out), ctypes.byref(length), self._handle(), portfolio._handle(),
            _enc(manager, "manager"), _date(week, "week"), float(hours),
        )
        return WeekPlan._from_json(json.loads(_take_string(out, length.value)))

    def recommend_list(
        self, portfolio: Portfolio, as_of: DateLike, manager: str | None = None, limit: int = 0, per_customer: int = 0
    ) -> list[ListedRecommendation]:
        """:meth:`recommend` read through the typed list of the C ABI
        (``clm_policy_recommend_list``): each recommendation's reasons come as
        codes (:class:`clm.lists.Reason`: message id, fact, operator,
        threshold, actual value, subject) with their text in the portfolio's locale."""
        if as_of is None:
            raise TypeError("as_of is required: recommendations never read the clock")
        if limit < 0 or per_customer < 0:
            raise ValueError("limit and per_customer must be >= 0")
        opts = _Options()
        opts.struct_size = ctypes.sizeof(_Options)
        opts.manager = _enc_opt(manager, "manager")
        opts.limit = int(limit)
        opts.per_customer = int(per_customer)
        out = _RecommendationListPtr()
        _C.clm_policy_recommend_list(ctypes.byref(out), self._handle(), portfolio._handle(), _date(as_of, "as_of"), ctypes.byref(opts))
        return read_recommendation_list(out)

    def plan_week_list(self, portfolio: Portfolio, manager: str, week: DateLike, hours: float = 0) -> list[PlanEntry]:
        """:meth:`plan_week` read through the typed list of the C ABI
        (``clm_policy_plan_week_list``): the planned entries first, then those not fitted."""
        if week is None:
            raise TypeError("week is required")
        out = _PlanListPtr()
        _C.clm_policy_plan_week_list(
            ctypes.byref(out), self._handle(), portfolio._handle(), _enc(manager, "manager"), _date(week, "week"), float(hours)
        )
        return read_plan_list(out)[2]


def _recommendations(text: str) -> list[Recommendation]:
    return [Recommendation._from_json(j) for j in json.loads(text)["recommendations"]]
