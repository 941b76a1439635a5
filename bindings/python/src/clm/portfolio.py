"""Portfolios: customers in motion, their journal, and the analyses over them.

A :class:`Portfolio` owns one ``clm_portfolio *`` handle. It releases it in
:meth:`Portfolio.close` (safe to call twice), when leaving a ``with`` block,
and, as a fallback, when garbage-collected. Using a closed portfolio raises
:class:`ValueError`.

State is a fold of the journal, so every query takes an optional ``as_of``
date (``"YYYY-MM-DD"``, ``"YYYY-MM-DDTHH:MM:SS"`` or a :class:`datetime.date`;
a time-zone-aware :class:`datetime.datetime` is converted into the portfolio's
zone, UTC unless :meth:`Portfolio.set_time_zone` says otherwise); ``None`` means "after every event". A string holding
a NUL character raises :class:`ValueError` (a C string would end there). Every mutating call is all-or-nothing:
when it raises, the portfolio is unchanged.

    with Portfolio() as p:
        p.add_model(Model.preset("sales6"))
        p.apply(Event("acme", "2024-05-01", "stage", "presentation"))
        p.stage("acme")            # StagePosition(stage_id='presentation', days=0)
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import json
import os
import re
import weakref
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Callable, Iterable, Union

from . import _lib
from .errors import CallbackError
from .journal import Change, JournalMixin, Observer
from .model import Model, _dec, _enc, _enc_opt, _take_string

__all__ = [
    "Event",
    "Rejection",
    "BatchResult",
    "StagePosition",
    "Portfolio",
    "Predicate",
    "Change",
    "Observer",
]

_C = _lib.lib
_PortfolioPtr = ctypes.POINTER(_lib.HANDLE_TYPES["clm_portfolio"])
_EventStruct = _lib.STRUCT_TYPES["clm_event"]
_PredicateFn = _lib.CALLBACK_TYPES["clm_predicate_fn"]
_SKIP_BAD = 1  # CLM_BATCH_SKIP_BAD

#: A date argument: a string the C library parses, or a date/datetime.
DateLike = Union[str, _dt.date, None]

#: A host predicate: ``fn(customer_id, model_id, from_stage, to_stage, date) -> bool``.
Predicate = Callable[[str, str, str, str, str], Any]


def _date(value: DateLike, what: str) -> bytes | None:
    """Encodes a date argument; ``None`` stays ``None`` (the C default)."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        # An aware datetime goes with its UTC offset, which clm converts into the
        # portfolio's zone (Portfolio.set_time_zone); a naive one is in that zone.
        offset = value.utcoffset()
        if offset is not None and offset.total_seconds() % 60:
            raise ValueError(f"{what}: a UTC offset of whole minutes is needed, not {offset}")
        return value.replace(microsecond=0).isoformat(timespec="seconds").encode("ascii")
    if isinstance(value, _dt.date):
        return value.isoformat().encode("ascii")
    return _enc(value, what)


@dataclass(frozen=True, slots=True)
class Event:
    """One event, field for field a row of the event-log CSV (``clm_event``).

    ``customer_id``, ``timestamp`` and ``type`` are required; ``value`` too
    except for ``contact`` and ``next_step``. ``None`` means "not given".
    See docs/event-log.md for the types and what ``value`` means for each.
    """

    customer_id: str
    timestamp: str | _dt.date
    type: str
    value: str | None = None
    model: str | None = None
    channel: str | None = None
    manager: str | None = None
    amount: float | None = None
    reason: str | None = None
    due: str | _dt.date | None = None
    note: str | None = None
    #: The account (company) the customer belongs to from this event on.
    account: str | None = None

    def _to_c(self, into: Any) -> None:
        into.struct_size = ctypes.sizeof(_EventStruct)
        into.customer_id = _enc(self.customer_id, "customer_id")
        into.timestamp = _date(self.timestamp, "timestamp")
        into.type = _enc(self.type, "type")
        into.value = _enc_opt(self.value, "value")
        into.model = _enc_opt(self.model, "model")
        into.channel = _enc_opt(self.channel, "channel")
        into.manager = _enc_opt(self.manager, "manager")
        into.reason = _enc_opt(self.reason, "reason")
        into.due = _date(self.due, "due")
        into.note = _enc_opt(self.note, "note")
        into.account = _enc_opt(self.account, "account")
        if self.amount is None:
            into.amount, into.has_amount = 0.0, 0
        else:
            into.amount, into.has_amount = float(self.amount), 1


@dataclass(frozen=True, slots=True)
class Rejection:
    """An event or CSV row skipped by a ``skip_bad`` batch or import.

    ``index`` is the 0-based position in the batch (:meth:`Portfolio.apply_batch`)
    or ``None``; ``file`` and ``line`` locate a CSV row (:meth:`Portfolio.import_csv`)
    or are ``None``. ``message`` says why; ``text`` is the report line as the
    library wrote it.
    """

    index: int | None
    file: str | None
    line: int | None
    message: str
    text: str

    def __str__(self) -> str:
        return self.text


class BatchResult(list[Rejection]):
    """The rejections of a batch or import (empty when nothing was skipped);
    :attr:`applied` is how many events were applied; :attr:`warnings` (from
    :meth:`Portfolio.import_csv_stream`) the values in columns a row's type does not use."""

    applied: int
    warnings: list[str]

    def __init__(self, rejections: Iterable[Rejection] = (), applied: int = 0) -> None:
        super().__init__(rejections)
        self.applied = applied
        self.warnings = []

    def __repr__(self) -> str:
        return f"BatchResult(applied={self.applied}, rejections={list.__repr__(self)})"


_BATCH_LINE = re.compile(r"^event (\d+): (.*)$")
_CSV_LINE = re.compile(r"^(.+?):(\d+): (.*)$")


def _parse_rejections(report: str, csv: bool) -> list[Rejection]:
    out: list[Rejection] = []
    for text in report.splitlines():
        if not text:
            continue
        m = (_CSV_LINE if csv else _BATCH_LINE).match(text)
        if m is None:
            out.append(Rejection(None, None, None, text, text))
        elif csv:
            out.append(Rejection(None, m.group(1), int(m.group(2)), m.group(3), text))
        else:
            out.append(Rejection(int(m.group(1)), None, None, m.group(2), text))
    return out


@dataclass(frozen=True, slots=True)
class StagePosition:
    """Where a customer stands in a model: the stage id (``None`` when not in
    the model on that date) and the whole days spent in it."""

    stage_id: str | None
    days: int


class _PortfolioModel(Model):
    """A model owned by a portfolio (``clm_portfolio_model``): a borrowed view.

    It is never freed by Python and becomes closed when its portfolio closes.
    After :meth:`Portfolio.migrate` it shows the new version.
    """

    __slots__ = ("_owner",)

    def close(self) -> None:
        self._ptr = None  # borrowed: nothing to free

    def set_locale(self, locale: str) -> Model:
        raise ValueError("a portfolio's model shows the portfolio's locale: use Portfolio.set_locale()")

    def __repr__(self) -> str:
        if not self._ptr:
            return "<clm.Model (the portfolio's, closed)>"
        return f"<clm.Model {self.id!r} v{self.version} (the portfolio's)>"


class Portfolio(JournalMixin):
    """A portfolio of customers, their positions in one or more models, and
    their journal (``clm_portfolio``).

    One writer at a time; any number of concurrent readers while nobody
    writes (the C library's rule). Host predicates registered with
    :meth:`register_predicate` must not call back into the same portfolio.
    """

    __slots__ = ("_ptr", "_predicates", "_callback_errors", "_views", "_observer", "observer_errors", "__weakref__")
    _event_class = Event  # what JournalMixin builds rows as

    @staticmethod
    def _batch_result(report: str, applied: int) -> BatchResult:
        """A CSV import's report as a BatchResult (for JournalMixin)."""
        return BatchResult(_parse_rejections(report, csv=True), applied)

    def __init__(self) -> None:
        """An empty portfolio (``clm_portfolio_new``)."""
        self._init_fields()
        out = _PortfolioPtr()
        _C.clm_portfolio_new(ctypes.byref(out))
        self._ptr = out

    def _init_fields(self) -> None:
        self._ptr: Any = None
        # name -> CFUNCTYPE object: C keeps the function pointer, so Python
        # must keep the object alive as long as the portfolio.
        self._predicates: dict[str, Any] = {}
        self._callback_errors: list[BaseException] = []
        self._views: weakref.WeakSet[_PortfolioModel] = weakref.WeakSet()
        self._observer: Any = None  # the CFUNCTYPE object of set_observer(), kept alive
        self.observer_errors: list[BaseException] = []

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Portfolio:
        """Loads a saved portfolio (``clm_portfolio_load``), verifying it first.

        Raises :class:`ClmIOError`, :class:`CorruptError` (damaged: nothing is
        loaded) or :class:`VersionError`. Predicates are not saved: register
        them again before applying events that need them.
        """
        out = _PortfolioPtr()
        _C.clm_portfolio_load(ctypes.byref(out), _enc(path, "path"))
        self = object.__new__(cls)
        self._init_fields()
        self._ptr = out
        return self

    # -- lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Releases the handle (``clm_portfolio_free``). Safe to call more than once.

        Models obtained from :attr:`models` close with it.
        """
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr:
            for view in list(self._views):
                view.close()
            _C.clm_portfolio_free(ptr)
            self._predicates.clear()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return not self._ptr

    def __enter__(self) -> Portfolio:
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
            raise ValueError("operation on a closed clm.Portfolio")
        return self._ptr

    def __repr__(self) -> str:
        if not self._ptr:
            return "<clm.Portfolio (closed)>"
        return (
            f"<clm.Portfolio {_C.clm_portfolio_model_count(self._ptr)} models, "
            f"{_C.clm_portfolio_customer_count(self._ptr)} customers, {_C.clm_portfolio_event_count(self._ptr)} events>"
        )

    def __len__(self) -> int:
        """The number of customers."""
        return int(_C.clm_portfolio_customer_count(self._handle()))

    # -- models ------------------------------------------------------------

    def add_model(self, model: Model) -> int:
        """Adds a model and returns its slot; the portfolio shares it, so
        ``model`` may be closed afterwards. Raises :class:`DuplicateError`."""
        slot = ctypes.c_size_t()
        _C.clm_portfolio_add_model(ctypes.byref(slot), self._handle(), model._handle())
        return slot.value

    @property
    def models(self) -> list[Model]:
        """The portfolio's models, in slot order (borrowed: they close with the portfolio)."""
        h = self._handle()
        views: list[Model] = []
        for slot in range(_C.clm_portfolio_model_count(h)):
            ptr = _C.clm_portfolio_model(h, slot)
            view = _PortfolioModel._adopt(ptr)
            view._owner = self
            self._views.add(view)
            views.append(view)
        return views

    def _model_ptr(self, model_id: str | None) -> Any:
        """The model named ``model_id`` (or the only one), or None when it cannot be resolved."""
        h = self._handle()
        n = _C.clm_portfolio_model_count(h)
        if model_id is None:
            return _C.clm_portfolio_model(h, 0) if n == 1 else None
        want = _enc(model_id, "model_id")
        for slot in range(n):
            ptr = _C.clm_portfolio_model(h, slot)
            if _C.clm_model_id(ptr) == want:
                return ptr
        return None

    def set_locale(self, locale: str) -> None:
        """Shows every model's text (stage names and tasks in reports,
        recommendations and :attr:`models`) in ``locale`` (``clm_portfolio_set_locale``).
        All-or-nothing: raises :class:`NotFoundError` naming a model's locales
        when it lacks ``locale``, :class:`InvalidArgumentError` without models."""
        _C.clm_portfolio_set_locale(self._handle(), _enc(locale, "locale"))

    def migrate(self, newer: Model) -> None:
        """Moves every customer of the model with ``newer``'s id to that newer
        version through its migration map; history is kept. All-or-nothing.

        Raises :class:`NotFoundError` or :class:`InvalidArgumentError` (not newer).
        """
        _C.clm_portfolio_migrate(self._handle(), newer._handle())

    # -- predicates --------------------------------------------------------

    def register_predicate(self, name: str, fn: Predicate) -> None:
        """Registers the host predicate ``name`` for ``predicate`` guards
        (replacing one of the same name).

        ``fn(customer_id, model_id, from_stage, to_stage, date)`` returns a
        truthy value to allow the move, a falsy one to refuse it
        (:class:`GuardFailedError`). An exception raised by ``fn`` does not
        cross into C: the move fails with :class:`CallbackError`, whose
        ``__cause__`` is the exception. ``fn`` must not use this portfolio.
        """
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {type(fn).__name__}")
        errors = self._callback_errors

        def trampoline(customer: bytes, model: bytes, src: bytes, dst: bytes, date: bytes, payload: Any) -> int:
            try:
                return 1 if fn(_dec(customer), _dec(model), _dec(src), _dec(dst), _dec(date)) else 0
            except BaseException as e:  # never let an exception unwind through C
                errors.append(e)
                return -1

        cfn = _PredicateFn(trampoline)
        _C.clm_portfolio_register_predicate(self._handle(), _enc(name, "name"), cfn, None)
        self._predicates[name] = cfn  # keep it alive (replaces the previous one only after success)

    def _mutate(self, fn: Any, *args: Any) -> None:
        """Calls a C function that may run predicates; chains a predicate's exception."""
        self._callback_errors.clear()
        try:
            fn(*args)
        except CallbackError as e:
            cause = self._callback_errors[-1] if self._callback_errors else None
            self._callback_errors.clear()
            if cause is not None:
                raise e from cause
            raise
        self._callback_errors.clear()

    # -- events ------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Applies one event, checking the model's transition and guards.

        Raises :class:`IllegalTransitionError` or :class:`GuardFailedError`
        (the message names the customer, the stages and the guard),
        :class:`InvalidArgumentError` (bad date, missing field, out of time
        order), :class:`NotFoundError`, :class:`CallbackError`. On error
        nothing changes.
        """
        if not isinstance(event, Event):
            raise TypeError(f"event must be a clm.Event, not {type(event).__name__}")
        ev = _EventStruct()
        event._to_c(ev)
        self._mutate(_C.clm_portfolio_apply, self._handle(), ctypes.byref(ev))

    def apply_batch(self, events: Iterable[Event], skip_bad: bool = False) -> BatchResult:
        """Applies events in order.

        Without ``skip_bad`` the batch is all-or-nothing and the first refused
        event raises (the message starts ``event INDEX:``). With it, refused
        events are skipped and returned as :class:`Rejection` objects with
        their ``index``. Returns a :class:`BatchResult` (a list of rejections
        with ``.applied``).
        """
        items = list(events)
        for i, e in enumerate(items):
            if not isinstance(e, Event):
                raise TypeError(f"events[{i}] must be a clm.Event, not {type(e).__name__}")
        array = (_EventStruct * len(items))()
        for i, e in enumerate(items):
            e._to_c(array[i])
        applied = ctypes.c_size_t()
        report = ctypes.c_void_p()
        self._mutate(
            _C.clm_portfolio_apply_batch,
            ctypes.byref(applied),
            ctypes.byref(report),
            self._handle(),
            array,
            len(items),
            _SKIP_BAD if skip_bad else 0,
        )
        return BatchResult(_parse_rejections(_take_string(report), csv=False), applied.value)

    def import_csv(
        self, text_or_path: str | bytes | os.PathLike[str], name: str | None = None, skip_bad: bool = False
    ) -> BatchResult:
        """Imports an event-log CSV (docs/event-log.md), given as text or as a path.

        A :class:`os.PathLike`, or a ``str`` without a line break naming an
        existing file, is read as a file (:meth:`import_csv_file`); anything
        else is CSV text, called ``name`` in messages. Rows are applied per
        customer in timestamp order. All-or-nothing unless ``skip_bad`` (then
        rows the model refuses are skipped and returned with their ``file``
        and ``line``; malformed rows always fail the import).

        Raises :class:`ParseError` listing every malformed row (file, line,
        column, customer) in ``.problems``; :class:`IllegalTransitionError`,
        :class:`GuardFailedError`, ... for the first refused row.
        """
        if isinstance(text_or_path, os.PathLike) or (
            isinstance(text_or_path, str) and "\n" not in text_or_path and os.path.isfile(text_or_path)
        ):
            return self.import_csv_file(text_or_path, skip_bad=skip_bad)
        data = _enc(text_or_path, "text")
        applied = ctypes.c_size_t()
        report = ctypes.c_void_p()
        self._mutate(
            _C.clm_portfolio_import_csv,
            ctypes.byref(applied),
            ctypes.byref(report),
            self._handle(),
            data,
            len(data),
            _enc_opt(name, "name"),
            _SKIP_BAD if skip_bad else 0,
        )
        return BatchResult(_parse_rejections(_take_string(report), csv=True), applied.value)

    def import_csv_file(self, path: str | os.PathLike[str], skip_bad: bool = False) -> BatchResult:
        """Imports an event-log CSV file; like :meth:`import_csv`. Raises
        :class:`ClmIOError` when it cannot be read; messages name the file."""
        applied = ctypes.c_size_t()
        report = ctypes.c_void_p()
        self._mutate(
            _C.clm_portfolio_import_csv_file,
            ctypes.byref(applied),
            ctypes.byref(report),
            self._handle(),
            _enc(path, "path"),
            _SKIP_BAD if skip_bad else 0,
        )
        return BatchResult(_parse_rejections(_take_string(report), csv=True), applied.value)

    def export_events(self) -> str:
        """The journal as an event-log CSV in apply order; importing it into a
        portfolio with the same models rebuilds the same state."""
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        _C.clm_portfolio_export_events(ctypes.byref(out), ctypes.byref(length), self._handle())
        return _take_string(out, length.value)

    def import_partition(
        self, files: Iterable[str | os.PathLike[str]], as_of: DateLike, part: int, parts: int
    ) -> None:
        """Imports the rows of the event-log files that belong to part ``part``
        of ``parts``: by a stable hash of the customer's account as of
        ``as_of`` (else of the customer id; :func:`clm.partials.partition_of`).
        Each file is read here; errors name the file and line as
        :meth:`import_csv_file` would. All or nothing (docs/distributed.md)."""
        if as_of is None:
            raise TypeError("as_of is required: it decides which account a customer belongs to")
        paths = [_enc(f, "files") for f in files]
        array = (ctypes.c_char_p * max(len(paths), 1))(*paths)
        self._mutate(
            _C.clm_portfolio_import_partition, self._handle(), array, len(paths), _date(as_of, "as_of"), part, parts
        )

    def partial(self, analysis: str, as_of: DateLike, model_id: str | None = None, fit: str | None = None) -> str:
        """The partial result of ``analysis`` (``status``, ``funnel``,
        ``time-in-stage``, ``forecast-fit``, ``forecast``) over this part of a
        portfolio, as JSON text (merge with :func:`clm.partials.merge`, finish
        with :func:`clm.partials.finish`). ``forecast`` needs ``fit``: the
        merged ``forecast-fit`` partial of every part."""
        if as_of is None:
            raise TypeError("as_of is required")
        fit_data = None if fit is None else _enc(fit, "fit")
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        _C.clm_portfolio_partial_json(
            ctypes.byref(out),
            ctypes.byref(length),
            self._handle(),
            _enc_opt(model_id, "model_id"),
            _enc(analysis, "analysis"),
            _date(as_of, "as_of"),
            fit_data,
            0 if fit_data is None else len(fit_data),
        )
        return _take_string(out, length.value)

    # -- queries -----------------------------------------------------------

    @property
    def customers(self) -> list[str]:
        """The customer ids, in the order they first appeared."""
        h = self._handle()
        return [_dec(_C.clm_portfolio_customer_id(h, i)) for i in range(_C.clm_portfolio_customer_count(h))]

    @property
    def event_count(self) -> int:
        """The number of events in the journal."""
        return int(_C.clm_portfolio_event_count(self._handle()))

    def stage(self, customer_id: str, model_id: str | None = None, as_of: DateLike = None) -> StagePosition:
        """A customer's stage in a model as of a date.

        ``model_id`` may be omitted when the portfolio has one model. Raises
        :class:`NotFoundError` (customer or model), :class:`InvalidArgumentError`.
        """
        h = self._handle()
        stage, days = ctypes.c_size_t(), ctypes.c_int64()
        _C.clm_portfolio_stage(
            ctypes.byref(stage),
            ctypes.byref(days),
            h,
            _enc(customer_id, "customer_id"),
            _enc_opt(model_id, "model_id"),
            _date(as_of, "as_of"),
        )
        if stage.value == _lib.CLM_NONE:
            return StagePosition(None, int(days.value))
        model = self._model_ptr(model_id)
        return StagePosition(_dec(_C.clm_model_stage_id(model, stage.value)), int(days.value))

    def stage_counts(self, model_id: str | None = None, as_of: DateLike = None) -> dict[str, int]:
        """Customers per stage of a model as of a date, every stage in model
        order (zeros included). Raises :class:`NotFoundError`, :class:`InvalidArgumentError`."""
        h = self._handle()
        model = self._model_ptr(model_id)
        n = _C.clm_model_stage_count(model) if model else 0
        counts = (ctypes.c_size_t * max(n, 1))()
        # With no model resolved, capacity 0 makes the library raise the right error.
        _C.clm_portfolio_stage_counts(counts, n, None, h, _enc_opt(model_id, "model_id"), _date(as_of, "as_of"))
        return {_dec(_C.clm_model_stage_id(model, i)): int(counts[i]) for i in range(n)}

    def _json(self, fn: Any, *args: Any) -> Any:
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        fn(ctypes.byref(out), ctypes.byref(length), self._handle(), *args)
        return json.loads(_take_string(out, length.value))

    def customer(self, customer_id: str, as_of: DateLike = None) -> dict[str, Any]:
        """Everything known about a customer as of a date (parsed JSON): stage
        per model, last contacts, open control points, next step, tags,
        attributes, scores, class, manager, purchases. Raises :class:`NotFoundError`."""
        return self._json(_C.clm_portfolio_customer_json, _enc(customer_id, "customer_id"), _date(as_of, "as_of"))  # type: ignore[no-any-return]

    def history(self, customer_id: str) -> list[dict[str, Any]]:
        """A customer's full history, every event oldest first (parsed JSON)."""
        return self._json(_C.clm_portfolio_history_json, _enc(customer_id, "customer_id"))  # type: ignore[no-any-return]

    def export(self, as_of: DateLike = None, fmt: str = "csv") -> Any:
        """The portfolio export with maturity markers, one row per customer.

        ``fmt="csv"`` returns the CSV text; ``fmt="json"`` the parsed JSON document.
        """
        formats = {"csv": 0, "json": 1}
        if fmt not in formats:
            raise ValueError(f"unknown export format {fmt!r} (expected 'csv' or 'json')")
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        _C.clm_portfolio_export(ctypes.byref(out), ctypes.byref(length), self._handle(), _date(as_of, "as_of"), formats[fmt])
        text = _take_string(out, length.value)
        return json.loads(text) if fmt == "json" else text

    # -- persistence -------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Saves models, customers and journal to ``path`` atomically. Raises :class:`ClmIOError`."""
        _C.clm_portfolio_save(self._handle(), _enc(path, "path"))

    # -- analytics (docs/analytics.md) -------------------------------------

    def funnel(self, model_id: str | None = None, as_of: DateLike = None) -> dict[str, Any]:
        """The funnel of a model as of a date: entered, current and lost per
        stage, median days, conversion rates (parsed JSON)."""
        return self._json(_C.clm_portfolio_funnel_json, _enc_opt(model_id, "model_id"), _date(as_of, "as_of"))  # type: ignore[no-any-return]

    def funnel_list(self, model_id: str | None = None, as_of: DateLike = None) -> list[Any]:
        """:meth:`funnel`'s stages read through the typed list of the C ABI
        (``clm_portfolio_funnel_list``), as :class:`clm.lists.FunnelStage`:
        names in the portfolio's locale, conversion to the next main-path stage."""
        from .lists import read_funnel_list  # lists imports nothing of portfolio; imported late to keep the module order simple

        out = ctypes.POINTER(_lib.HANDLE_TYPES["clm_funnel_list"])()
        _C.clm_portfolio_funnel_list(ctypes.byref(out), self._handle(), _enc_opt(model_id, "model_id"), _date(as_of, "as_of"))
        return read_funnel_list(out)

    def time_in_stage(self, model_id: str | None = None, as_of: DateLike = None) -> dict[str, Any]:
        """Time spent in each stage: mean, median, p90 of completed stays, open
        stays, stuck customers, lifecycle duration to won (parsed JSON)."""
        return self._json(_C.clm_portfolio_time_in_stage_json, _enc_opt(model_id, "model_id"), _date(as_of, "as_of"))  # type: ignore[no-any-return]

    def dynamics(self, from_date: DateLike, to_date: DateLike = None, model_id: str | None = None) -> dict[str, Any]:
        """Dynamics between two dates: stage matrix, promoted/regressed/...
        overall and per manager, rotation suggestions (parsed JSON).
        ``to_date`` defaults to the newest event's date."""
        if from_date is None:
            raise TypeError("from_date is required")
        return self._json(  # type: ignore[no-any-return]
            _C.clm_portfolio_dynamics_json, _enc_opt(model_id, "model_id"), _date(from_date, "from_date"), _date(to_date, "to_date")
        )

    def plan_actual(self, plan: dict[str, Any] | str, model_id: str | None = None) -> dict[str, Any]:
        """Actual against plan per manager for the plan's period. ``plan`` is
        the plan as a dict or JSON text (docs/analytics.md). Raises
        :class:`ParseError` / :class:`ValidationError` with ``.problems``."""
        text = plan if isinstance(plan, str) else json.dumps(plan)
        data = _enc(text, "plan")
        return self._json(_C.clm_portfolio_plan_actual_json, _enc_opt(model_id, "model_id"), data, len(data))  # type: ignore[no-any-return]

    def value(self, as_of: DateLike = None) -> dict[str, Any]:
        """Customer value over every model: Pareto, repeat purchases, revenue
        by class and by stage (parsed JSON)."""
        return self._json(_C.clm_portfolio_value_json, _date(as_of, "as_of"))  # type: ignore[no-any-return]

    def forecast(self, model_id: str | None = None, as_of: DateLike = None) -> dict[str, Any]:
        """Pipeline forecast: per-stage probability of winning, expected days
        to win, expected revenue of the open pipeline (parsed JSON)."""
        return self._json(_C.clm_portfolio_forecast_json, _enc_opt(model_id, "model_id"), _date(as_of, "as_of"))  # type: ignore[no-any-return]

    def forecast_customers(self, model_id: str | None = None, as_of: DateLike = None) -> dict[str, Any]:
        """Every open customer's probability of being won given its stage and
        the days it has spent there, its value, expected value and expected
        days to close (parsed JSON, the shape of ``clm forecast --per-customer
        --json``; docs/analytics.md)."""
        return self._json(  # type: ignore[no-any-return]
            _C.clm_portfolio_forecast_customers_json, _enc_opt(model_id, "model_id"), _date(as_of, "as_of")
        )

    def backtest(
        self, as_of: DateLike, until: DateLike = None, model_id: str | None = None, policy: Any = None
    ) -> dict[str, Any]:
        """Replays the journal to ``as_of``, scores every open deal, and checks
        the scores against each deal's stage on ``until`` (default: the newest
        event's date): AUC, Brier score and calibration for the per-deal and
        the stage-only probabilities; with a :class:`Policy`, the share of the
        deals it asked to re-qualify or close that were lost (parsed JSON, the
        shape of ``clm backtest --json``). Raises :class:`InvalidArgumentError`
        when ``until`` is not after ``as_of``."""
        if as_of is None:
            raise TypeError("as_of is required: the backtest never reads the clock")
        handle = policy._handle() if policy is not None else None
        return self._json(  # type: ignore[no-any-return]
            _C.clm_portfolio_backtest_json, _enc_opt(model_id, "model_id"), _date(as_of, "as_of"), _date(until, "until"), handle
        )
