"""Typed results read through the C ABI's list handles, without JSON
(issue 15, "Typed results in C"): recommendations with their reasons as codes
(:class:`Reason`), weekly plan entries and funnel stages.

Each reader takes a list handle that a ``clm_*_list`` call filled, copies
every entry into frozen dataclasses (the C strings are borrowed from the list
and would not outlive it), and frees the list.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass
from typing import Any

from . import _lib
from .model import _dec

__all__ = ["Reason", "ListedRecommendation", "PlanEntry", "FunnelStage"]

_C = _lib.lib
_Recommendation = _lib.STRUCT_TYPES["clm_recommendation"]
_Reason = _lib.STRUCT_TYPES["clm_reason"]
_PlanEntry = _lib.STRUCT_TYPES["clm_plan_entry"]
_FunnelStage = _lib.STRUCT_TYPES["clm_funnel_stage"]


def _opt(b: bytes | None) -> str | None:
    return None if b is None else _dec(b)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason as a code (docs/policy-format.md, "Reasons as codes"): the
    stable message ``id``, the ``fact`` and ``op`` as a policy spells them,
    the ``threshold`` (a number, or the names compared with in
    ``threshold_text``), the ``actual`` value (a number, or a name in
    ``actual_text``), the ``subject`` and the ``text`` in the portfolio's locale."""

    id: str
    fact: str
    op: str
    threshold: float | None
    threshold_text: str | None
    actual: float | None
    actual_text: str | None
    subject: str | None
    text: str


@dataclass(frozen=True, slots=True)
class ListedRecommendation:
    """A recommendation read from a ``clm_recommendation_list`` (the same
    content as :class:`clm.Recommendation`, with ``reasons`` as codes)."""

    rank: int
    customer_id: str
    account: str | None
    manager: str
    customer_class: str
    model: str | None
    stage: str | None
    rule: str
    scope: str
    kind: str
    channel: str
    goal: str
    product: str
    document: str
    target_stage: str
    due: str
    task: str
    why: str
    priority: float
    score: float
    urgency: float
    value: float
    p_won: float | None
    alternative_count: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """An entry of a weekly plan: ``planned`` on ``day`` taking ``minutes``,
    or not fitted (``not_fitted_because``), and its ``recommendation``."""

    planned: bool
    day: str | None
    minutes: float
    not_fitted_because: str | None
    recommendation: ListedRecommendation


@dataclass(frozen=True, slots=True)
class FunnelStage:
    """A stage of the funnel: customers who ``entered`` it, are in it
    (``current``), moved from it to a lost stage (``lost_from``), the median
    days of its completed stays and the conversion rate to the next stage of
    the main path (None when unknown)."""

    id: str
    name: str
    entered: int
    current: int
    lost_from: int
    median_days: float | None
    conversion_rate: float | None


def _reason(r: Any) -> Reason:
    return Reason(
        id=_dec(r.id), fact=_dec(r.fact), op=_dec(r.op), threshold=_num(r.threshold), threshold_text=_opt(r.threshold_text),
        actual=_num(r.actual), actual_text=_opt(r.actual_text), subject=_opt(r.subject), text=_dec(r.text),
    )


def _recommendation(r: Any, reasons: tuple[Reason, ...]) -> ListedRecommendation:
    return ListedRecommendation(
        rank=int(r.rank), customer_id=_dec(r.customer_id), account=_opt(r.account), manager=_dec(r.manager),
        customer_class=_dec(r.customer_class), model=_opt(r.model), stage=_opt(r.stage), rule=_dec(r.rule),
        scope=_dec(r.scope), kind=_dec(r.kind), channel=_dec(r.channel), goal=_dec(r.goal), product=_dec(r.product),
        document=_dec(r.document), target_stage=_dec(r.target_stage), due=_dec(r.due), task=_dec(r.task), why=_dec(r.why),
        priority=float(r.priority), score=float(r.score), urgency=float(r.urgency), value=float(r.value), p_won=_num(r.p_won),
        alternative_count=int(r.alternative_count), reasons=reasons,
    )


def _read_recommendation(get: Any, get_reason: Any, lst: Any, i: int) -> ListedRecommendation:
    r = _Recommendation()
    r.struct_size = ctypes.sizeof(_Recommendation)
    get(lst, i, ctypes.byref(r))
    reasons = []
    for k in range(int(r.reason_count)):
        c = _Reason()
        c.struct_size = ctypes.sizeof(_Reason)
        get_reason(lst, i, k, ctypes.byref(c))
        reasons.append(_reason(c))
    return _recommendation(r, tuple(reasons))


def read_recommendation_list(lst: Any) -> list[ListedRecommendation]:
    """Every entry of a ``clm_recommendation_list``, which is then freed."""
    try:
        n = _C.clm_recommendation_list_count(lst)
        return [_read_recommendation(_C.clm_recommendation_list_get, _C.clm_recommendation_list_reason, lst, i) for i in range(n)]
    finally:
        _C.clm_recommendation_list_free(lst)


def read_plan_list(lst: Any) -> tuple[float, float, list[PlanEntry]]:
    """(capacity minutes, planned minutes, entries) of a ``clm_plan_list``, which is then freed."""
    try:
        planned = ctypes.c_double()
        capacity = _C.clm_plan_list_capacity_minutes(lst, ctypes.byref(planned))
        entries = []
        for i in range(_C.clm_plan_list_count(lst)):
            e = _PlanEntry()
            e.struct_size = ctypes.sizeof(_PlanEntry)
            _C.clm_plan_list_get(lst, i, ctypes.byref(e))
            rec = _read_recommendation(_C.clm_plan_list_recommendation, _C.clm_plan_list_reason, lst, i)
            entries.append(PlanEntry(planned=bool(e.planned), day=_opt(e.day), minutes=float(e.minutes),
                                     not_fitted_because=_opt(e.not_fitted_because), recommendation=rec))
        return float(capacity), float(planned.value), entries
    finally:
        _C.clm_plan_list_free(lst)


def read_funnel_list(lst: Any) -> list[FunnelStage]:
    """Every stage of a ``clm_funnel_list``, which is then freed."""
    try:
        out = []
        for i in range(_C.clm_funnel_list_count(lst)):
            s = _FunnelStage()
            s.struct_size = ctypes.sizeof(_FunnelStage)
            _C.clm_funnel_list_get(lst, i, ctypes.byref(s))
            out.append(FunnelStage(id=_dec(s.id), name=_dec(s.name), entered=int(s.entered), current=int(s.current),
                                   lost_from=int(s.lost_from), median_days=_num(s.median_days),
                                   conversion_rate=_num(s.conversion_rate)))
        return out
    finally:
        _C.clm_funnel_list_free(lst)
