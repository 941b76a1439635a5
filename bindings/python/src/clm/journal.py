"""The journal as a host's store of record (docs/embedding.md).

What :class:`clm.Portfolio` offers a host that keeps the journal in its own
database: saves as bytes (:meth:`~JournalMixin.save_bytes`,
:meth:`~JournalMixin.load_bytes`), the sequence-number cursor
(:meth:`~JournalMixin.events_since`), an observer called after each commit
(:meth:`~JournalMixin.set_observer`), and erasing a customer
(:meth:`~JournalMixin.erase_customer`). Each row comes as a :class:`Change`.

:class:`JournalMixin` is a base of :class:`clm.Portfolio`; it is not used alone.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Callable, Optional

from . import _lib
from .errors import CallbackError, CancelledError
from .model import _dec, _enc, _enc_opt, _take_string

if TYPE_CHECKING:  # only for the annotations: clm.portfolio imports this module
    from .portfolio import Event

__all__ = ["Change", "Observer", "JournalMixin"]

_C = _lib.lib
_PortfolioPtr = ctypes.POINTER(_lib.HANDLE_TYPES["clm_portfolio"])
_ChangeFn = _lib.CALLBACK_TYPES["clm_change_fn"]
_ReadFn = _lib.CALLBACK_TYPES["clm_read_fn"]
_ProgressFn = _lib.CALLBACK_TYPES["clm_progress_fn"]
_SKIP_BAD = 1  # CLM_BATCH_SKIP_BAD


@dataclass(frozen=True, slots=True)
class Change:
    """One committed journal row (``clm_change``).

    ``seq`` is its sequence number; ``event`` the row as a :class:`clm.Event`
    (every move is a ``stage`` row naming the stage reached and its model), so
    that ``other.apply(change.event)`` replays it. For a stage row, ``model``,
    ``from_stage`` (``None`` when the row placed the customer in the model) and
    ``to_stage``; ``None`` for other rows.
    """

    seq: int
    event: Event
    model: Optional[str]
    from_stage: Optional[str]
    to_stage: Optional[str]


#: An observer: ``fn(change)``; an exception is its failure (see :meth:`JournalMixin.set_observer`).
Observer = Callable[[Change], Any]


def _opt(b: bytes | None) -> str | None:
    return None if b is None else _dec(b)


class JournalMixin:
    """Sequence numbers, the cursor, the observer, byte saves and erasure."""

    __slots__ = ()

    # Provided by clm.Portfolio.
    _event_class: Any
    _batch_result: Callable[[str, int], Any]
    _handle: Callable[[], Any]
    _observer: Any
    observer_errors: list[BaseException]

    def _change(self, c: Any) -> Change:
        ev = c.event.contents
        event = self._event_class(
            customer_id=_dec(ev.customer_id),
            timestamp=_dec(ev.timestamp),
            type=_dec(ev.type),
            value=_opt(ev.value),
            model=_opt(ev.model) or None,
            channel=_opt(ev.channel) or None,
            manager=_opt(ev.manager) or None,
            amount=ev.amount if ev.has_amount else None,
            reason=_opt(ev.reason) or None,
            due=_opt(ev.due),
            note=_opt(ev.note) or None,
        )
        return Change(int(c.seq), event, _opt(c.model), _opt(c.from_stage), _opt(c.to_stage))

    # -- bytes -------------------------------------------------------------

    def save_bytes(self) -> bytes:
        """The save-file bytes (``clm_portfolio_save_buffer``): what :meth:`save`
        writes, for a database column. :meth:`load_bytes` reads them back."""
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        _C.clm_portfolio_save_buffer(ctypes.byref(out), ctypes.byref(length), self._handle())
        try:
            return ctypes.string_at(out.value, length.value)
        finally:
            _C.clm_string_free(out.value)

    @classmethod
    def load_bytes(cls, data: bytes, name: str | None = None) -> Any:
        """Loads a portfolio from save bytes (``clm_portfolio_load_buffer``),
        verified as :meth:`load` verifies a file; ``name`` names them in messages.
        Raises :class:`CorruptError` (not a save, or damaged: nothing is loaded)
        or :class:`VersionError`."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        raw = bytes(data)
        out = _PortfolioPtr()
        _C.clm_portfolio_load_buffer(ctypes.byref(out), raw, len(raw), _enc_opt(name, "name"))
        self = object.__new__(cls)
        self._init_fields()  # type: ignore[attr-defined]
        self._ptr = out  # type: ignore[attr-defined]
        return self

    # -- the cursor --------------------------------------------------------

    @property
    def last_seq(self) -> int:
        """The newest sequence number (``clm_portfolio_last_seq``): every row has
        one, its place in apply order from 1; erasing a customer leaves the
        others' numbers as they were; 0 before the first event."""
        return int(_C.clm_portfolio_last_seq(self._handle()))

    def events_since(self, seq: int = 0, limit: int = 0) -> list[Change]:
        """The rows with a sequence number above ``seq``, oldest first, at most
        ``limit`` (0: all) (``clm_portfolio_events_since``). Pass the last row's
        ``seq`` next time. Raises :class:`InvalidArgumentError` for a ``seq``
        beyond :attr:`last_seq`."""
        rows: list[Change] = []
        errors: list[BaseException] = []

        def collect(c: Any, payload: Any) -> int:
            try:
                rows.append(self._change(c.contents))
                return 0
            except BaseException as e:  # never let an exception unwind through C
                errors.append(e)
                return -1

        cfn = _ChangeFn(collect)
        nxt = ctypes.c_uint64()
        try:
            _C.clm_portfolio_events_since(ctypes.byref(nxt), self._handle(), seq, limit, cfn, None)
        except CallbackError as e:
            if errors:
                raise e from errors[-1]
            raise
        return rows

    # -- the observer ------------------------------------------------------

    def set_observer(self, fn: Observer | None) -> None:
        """Sets (or with ``None`` removes) the observer (``clm_portfolio_set_observer``):
        ``fn(change)`` is called once per committed row, in order, after the
        commit (a batch or an import: after all of it). It may read the
        portfolio.

        An exception raised by ``fn`` never undoes a commit: the committing call
        returns normally, the exception is appended to :attr:`observer_errors`,
        and the refused row and those after it are offered again, first, on the
        next commit (deduplicate by ``seq``). :attr:`observed_seq` says how far
        delivery got.
        """
        if fn is None:
            _C.clm_portfolio_set_observer(self._handle(), _ChangeFn(), None)  # a NULL function pointer
            self._observer = None
            return
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {type(fn).__name__}")
        errors = self.observer_errors

        def trampoline(c: Any, payload: Any) -> int:
            try:
                fn(self._change(c.contents))
                return 0
            except BaseException as e:  # never let an exception unwind through C
                errors.append(e)
                return -1

        cfn = _ChangeFn(trampoline)
        _C.clm_portfolio_set_observer(self._handle(), cfn, None)
        self._observer = cfn  # C keeps the pointer: keep the object alive

    @property
    def observed_seq(self) -> int:
        """The sequence number of the last row the observer accepted (``clm_portfolio_observed_seq``)."""
        return int(_C.clm_portfolio_observed_seq(self._handle()))

    # -- erasure -----------------------------------------------------------

    def erase_customer(self, customer_id: str) -> None:
        """Erases a customer, their rows and the text only they used
        (``clm_portfolio_erase_customer``), from the portfolio and every later
        save; costs about a load. Raises :class:`NotFoundError` for an unknown
        customer (nothing changes)."""
        _C.clm_portfolio_erase_customer(self._handle(), _enc(customer_id, "customer_id"))

    # -- ingestion ---------------------------------------------------------

    def set_time_zone(self, offset: str) -> None:
        """Sets the zone the portfolio keeps its times in (``clm_portfolio_set_time_zone``):
        ``"Z"``/``"UTC"`` (the default) or ``"+hh:mm"``/``"-hh:mm"``. Timestamps
        given with a UTC offset are converted into it; those without one are
        taken as in it already. Not saved: set it again after a load."""
        _C.clm_portfolio_set_time_zone(self._handle(), _enc(offset, "offset"))

    def set_strict_time_order(self, strict: bool) -> None:
        """Refuses late events (older than their customer's last one) when
        ``strict`` (``clm_portfolio_set_strict_time_order``); by default they are
        folded in at their time, the customer's later moves re-checked after
        them (docs/event-log.md, "Late events"). Not saved."""
        _C.clm_portfolio_set_strict_time_order(self._handle(), 1 if strict else 0)

    def import_csv_stream(
        self,
        stream: IO[bytes] | IO[str],
        name: str | None = None,
        skip_bad: bool = False,
        progress: Callable[[int], Any] | None = None,
    ) -> Any:
        """Imports an event-log CSV from a file object (``clm_portfolio_import_csv_stream``),
        read 1 MiB at a time: memory holds a few chunks, not the log. Each chunk's
        rows are applied sorted by time; a customer's row older than one of an
        earlier chunk is folded in at its time (a late event). All-or-nothing unless ``skip_bad``.

        ``progress(bytes_read)`` is called after each chunk; a truthy return
        cancels (:class:`CancelledError`, nothing imported). Returns a
        :class:`BatchResult` whose ``warnings`` lists values in columns a row's
        type does not use (e.g. ``amount`` on a ``contact``). An exception raised
        while reading becomes a :class:`CallbackError` with it as ``__cause__``.
        """
        if not hasattr(stream, "read"):
            raise TypeError(f"stream must have a read() method, not {type(stream).__name__}")
        errors: list[BaseException] = []

        def read(buffer: Any, capacity: int, payload: Any) -> int:
            try:
                data = stream.read(capacity // 4 if capacity >= 4 else 1)  # a text stream's characters: at most 4 bytes each
                if isinstance(data, str):
                    data = data.encode("utf-8")
                if len(data) > capacity:
                    raise ValueError(f"the stream returned {len(data)} bytes for {capacity} asked")
                ctypes.memmove(buffer, data, len(data))
                return len(data)
            except BaseException as e:  # never let an exception unwind through C
                errors.append(e)
                return -1

        def on_progress(done: int, total: int, payload: Any) -> int:
            try:
                return 1 if progress is not None and progress(int(done)) else 0
            except BaseException as e:
                errors.append(e)
                return 1

        read_fn = _ReadFn(read)
        progress_fn = _ProgressFn(on_progress) if progress is not None else _ProgressFn()
        applied = ctypes.c_size_t()
        report, warnings = ctypes.c_void_p(), ctypes.c_void_p()
        try:
            _C.clm_portfolio_import_csv_stream(
                ctypes.byref(applied),
                ctypes.byref(report),
                ctypes.byref(warnings),
                self._handle(),
                read_fn,
                None,
                _enc_opt(name, "name"),
                _SKIP_BAD if skip_bad else 0,
                progress_fn,
                None,
            )
        except (CallbackError, CancelledError) as e:
            if errors:
                raise e from errors[-1]
            raise
        result = self._batch_result(_take_string(report), applied.value)
        result.warnings = [w for w in _take_string(warnings).split("\n") if w]
        return result

