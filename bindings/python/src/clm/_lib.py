"""Loading libclm and declaring the C ABI for ctypes.

Every function of ``include/clm/clm.h`` that the binding can call is declared
once, in :data:`SIGNATURES`, spelled as in the header (return type, name,
parameter list). :func:`_declare` turns each spelling into ctypes
``restype``/``argtypes``; functions that return a ``clm_status`` get an
``errcheck`` that raises the matching :class:`clm.errors.ClmError`.

Adding a C function to the binding is one line in :data:`SIGNATURES` (copy
the prototype); a new handle type is one entry in :data:`HANDLE_TYPES`, a new
enum one entry in :data:`ENUM_TYPES`, a struct one entry in
:data:`STRUCT_FIELDS` (its fields spelled as in the header) and a callback
typedef one entry in :data:`CALLBACK_SIGNATURES`. ``tests/test_coverage.py``
checks all of them against the header.

Library lookup order:

1. the environment variable ``CLM_LIBRARY`` (a path; no fallback when set);
2. a ``libclm.so*`` (``libclm*.dylib``, ``clm.dll``) next to this file;
3. in an installed package, the library directory of the install
   (``_install_paths.LIBDIR``, written by ``cmake --install``);
4. the system: ``ctypes.util.find_library("clm")``, then ``libclm.so.0``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
from pathlib import Path
from typing import Any, Callable, Final, NamedTuple, NoReturn

from ._version import VERSION
from .errors import Status, error_class

__all__ = [
    "BINDING_VERSION",
    "CLM_NONE",
    "HANDLE_TYPES",
    "ENUM_TYPES",
    "STRUCT_FIELDS",
    "STRUCT_TYPES",
    "CALLBACK_SIGNATURES",
    "CALLBACK_TYPES",
    "SIGNATURES",
    "Signature",
    "lib",
    "library_path",
    "check_version",
    "ctype_of",
    "split_params",
    "last_error",
    "last_status",
    "raise_last",
]

#: The clm version this binding was written for: (major, minor, patch), from
#: ``clm._version`` (which a test checks against clm.h's CLM_VERSION_* macros).
#: The library's major must be equal and its (major, minor) at least this.
BINDING_VERSION: Final = tuple(int(part) for part in VERSION.split("."))

#: ``CLM_NONE``, ``(size_t)-1``: "no stage", "no index".
CLM_NONE: Final[int] = ctypes.c_size_t(-1).value


class Signature(NamedTuple):
    """One C function, spelled as in clm.h.

    ``params`` is the parameter list exactly as in the header (``"void"`` when
    empty). ``checked`` says whether a non-zero return is an error to raise;
    ``None`` means "yes when the function returns ``clm_status``".
    """

    name: str
    restype: str
    params: str
    checked: bool | None = None

    @property
    def is_checked(self) -> bool:
        """Whether a non-zero result raises :class:`clm.errors.ClmError`."""
        return self.restype == "clm_status" if self.checked is None else self.checked


# ---------------------------------------------------------------------------
# The C types the header uses.
# ---------------------------------------------------------------------------


class _Opaque(ctypes.Structure):
    """Base of the opaque handle structs (never dereferenced)."""


def _opaque(c_name: str) -> type[ctypes.Structure]:
    return type(c_name, (_Opaque,), {})


#: Opaque handle types: ``typedef struct clm_x clm_x;`` in the header.
#: Pointers to them are distinct ctypes types, so passing a builder where a
#: model is expected fails in Python instead of crashing in C.
HANDLE_TYPES: Final[dict[str, type[ctypes.Structure]]] = {
    name: _opaque(name)
    for name in (
        "clm_model",
        "clm_model_builder",
        "clm_portfolio",
        "clm_policy",
        "clm_recommendation_list",
        "clm_plan_list",
        "clm_funnel_list",
    )
}

#: Enums of the header; all passed as C ``int``.
ENUM_TYPES: Final[frozenset[str]] = frozenset(
    {
        "clm_status",
        "clm_stage_kind",
        "clm_model_format",
        "clm_export_format",
    }
)

#: Structs passed by pointer, fields spelled as in the header (in order).
#: Their ctypes classes are in :data:`STRUCT_TYPES`.
STRUCT_FIELDS: Final[dict[str, str]] = {
    "clm_event": (
        "size_t struct_size, const char *customer_id, const char *timestamp, const char *type, "
        "const char *value, const char *model, const char *channel, const char *manager, "
        "const char *reason, const char *due, const char *note, double amount, int has_amount, "
        "const char *account"
    ),
    "clm_recommend_options": (
        "size_t struct_size, const char *manager, size_t limit, unsigned threads, "
        "clm_progress_fn progress, void *payload, size_t per_customer, const char *forecast_fit, size_t forecast_fit_len"
    ),
    "clm_change": (
        "size_t struct_size, uint64_t seq, const clm_event *event, const char *model, "
        "const char *from_stage, const char *to_stage"
    ),
    "clm_recommendation": (
        "size_t struct_size, size_t rank, const char *customer_id, const char *account, const char *manager, "
        "const char *customer_class, const char *model, const char *stage, const char *rule, const char *scope, "
        "const char *kind, const char *channel, const char *goal, const char *product, const char *document, "
        "const char *target_stage, const char *due, const char *task, const char *why, double priority, double score, "
        "double urgency, double value, double p_won, size_t reason_count, size_t alternative_count"
    ),
    "clm_reason": (
        "size_t struct_size, const char *id, const char *fact, const char *op, double threshold, "
        "const char *threshold_text, double actual, const char *actual_text, const char *subject, const char *text"
    ),
    "clm_plan_entry": "size_t struct_size, int planned, const char *day, double minutes, const char *not_fitted_because",
    "clm_funnel_stage": (
        "size_t struct_size, const char *id, const char *name, size_t entered, size_t current, size_t lost_from, "
        "double median_days, double conversion_rate"
    ),
}

#: Callback typedefs: name -> (return type, parameter list) as in the header.
#: Their ctypes ``CFUNCTYPE`` classes are in :data:`CALLBACK_TYPES`. Keep a
#: reference to every callback object handed to C for as long as C may call it.
CALLBACK_SIGNATURES: Final[dict[str, tuple[str, str]]] = {
    "clm_predicate_fn": (
        "int",
        "const char *customer_id, const char *model_id, const char *from_stage, "
        "const char *to_stage, const char *date, void *payload",
    ),
    "clm_progress_fn": ("int", "size_t done, size_t total, void *payload"),
    "clm_change_fn": ("int", "const clm_change *change, void *payload"),
    "clm_read_fn": ("int64_t", "char *buffer, size_t capacity, void *payload"),
}

_SCALARS: Final[dict[str, Any]] = {
    "int": ctypes.c_int,
    "unsigned": ctypes.c_uint,
    "unsigned int": ctypes.c_uint,
    "double": ctypes.c_double,
    "size_t": ctypes.c_size_t,
    "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
}


def _normalize(ctype: str) -> str:
    """``"const  char*"`` -> ``"const char *"``."""
    ctype = re.sub(r"\s*\*\s*", " *", ctype.strip())
    ctype = re.sub(r"\s+", " ", ctype)
    return ctype.replace("* *", "**").replace("* *", "**")


def ctype_of(spelling: str) -> Any:
    """The ctypes type for a C type spelled as in clm.h (no parameter name).

    Strings: ``const char *`` (input, or a getter's borrowed result) is
    ``c_char_p``; ``char *`` (an owned string, only ever handed back to
    ``clm_string_free``) is ``c_void_p`` so the original address survives;
    ``char **`` (an owned out-string) is ``POINTER(c_void_p)``;
    ``const char **`` (a borrowed out-string) is ``POINTER(c_char_p)``.
    """
    spelling = _normalize(spelling)
    stars = spelling.count("*")
    base = spelling.replace("*", "").strip()
    is_const = base.startswith("const ")
    if is_const:
        base = base[len("const ") :].strip()
    if base == "void":
        if stars == 0:
            return None
        t: Any = ctypes.c_void_p
        stars -= 1
    elif base == "char" and stars >= 1:
        t = ctypes.c_char_p if is_const else ctypes.c_void_p
        stars -= 1
    elif base in _SCALARS:
        t = _SCALARS[base]
    elif base in ENUM_TYPES:
        t = ctypes.c_int
    elif base in HANDLE_TYPES:
        t = HANDLE_TYPES[base]
    elif base in STRUCT_TYPES:
        t = STRUCT_TYPES[base]
    elif base in CALLBACK_TYPES:
        t = CALLBACK_TYPES[base]
    else:
        raise TypeError(f"clm binding: no ctypes mapping for C type {spelling!r}; add it to clm/_lib.py")
    if base in HANDLE_TYPES and stars == 0:
        raise TypeError(f"clm binding: handle type {base!r} passed by value")
    for _ in range(stars):
        t = ctypes.POINTER(t)
    return t


def split_params(params: str) -> list[tuple[str, str]]:
    """``"clm_model **out, const char *id"`` -> ``[("clm_model **", "out"), ("const char *", "id")]``."""
    params = params.strip()
    if params in ("", "void"):
        return []
    out: list[tuple[str, str]] = []
    for p in params.split(","):
        m = re.fullmatch(r"\s*(.*?[\s*])([A-Za-z_]\w*)\s*", p)
        if m is None:
            raise ValueError(f"clm binding: cannot read parameter {p!r} (every parameter needs a name)")
        out.append((_normalize(m.group(1)), m.group(2)))
    return out


STRUCT_TYPES: Final[dict[str, type[ctypes.Structure]]] = {}
CALLBACK_TYPES: Final[dict[str, Any]] = {}


def _build_types() -> None:
    # In dependency order: a struct may hold a callback (clm_recommend_options.progress)
    # and a callback may take a struct (clm_change_fn), so build whatever can be
    # built until everything is; a pass that builds nothing is a missing mapping.
    pending = [("callback", n) for n in CALLBACK_SIGNATURES] + [("struct", n) for n in STRUCT_FIELDS]
    while pending:
        left: list[tuple[str, str]] = []
        error: TypeError | None = None
        for kind, name in pending:
            try:
                if kind == "callback":
                    # A callback's `const char *` arguments arrive as bytes (or None).
                    ret, params = CALLBACK_SIGNATURES[name]
                    CALLBACK_TYPES[name] = ctypes.CFUNCTYPE(ctype_of(ret), *[ctype_of(t) for t, _ in split_params(params)])
                else:
                    fields = [(n, ctype_of(t)) for t, n in split_params(STRUCT_FIELDS[name])]
                    STRUCT_TYPES[name] = type(name, (ctypes.Structure,), {"_fields_": fields})
            except TypeError as e:
                left.append((kind, name))
                error = e
        if error is not None and len(left) == len(pending):
            raise error
        pending = left


_build_types()


# ---------------------------------------------------------------------------
# The table: every C function, in header order.
# ---------------------------------------------------------------------------

SIGNATURES: Final[tuple[Signature, ...]] = (
    # Status codes and errors
    Signature("clm_last_error", "const char *", "void"),
    Signature("clm_last_status", "clm_status", "void", checked=False),
    Signature("clm_status_name", "const char *", "clm_status status"),
    # Version and memory
    Signature("clm_version_number", "int", "void"),
    Signature("clm_version_string", "const char *", "void"),
    Signature("clm_string_free", "void", "char *str"),
    # Lifecycle models
    Signature("clm_preset_count", "size_t", "void"),
    Signature("clm_preset_id", "const char *", "size_t index"),
    Signature("clm_model_preset", "clm_status", "clm_model **out, const char *preset_id"),
    Signature("clm_model_from_json", "clm_status", "clm_model **out, const char *json, size_t len"),
    Signature("clm_model_load", "clm_status", "clm_model **out, const char *preset_or_path"),
    Signature(
        "clm_model_validate_json",
        "clm_status",
        "char **out_report, size_t *out_count, const char *json, size_t len, const char *name",
    ),
    Signature("clm_model_free", "void", "clm_model *model"),
    Signature("clm_model_id", "const char *", "const clm_model *model"),
    Signature("clm_model_version", "int", "const clm_model *model"),
    Signature("clm_model_name", "const char *", "const clm_model *model"),
    Signature("clm_model_stage_count", "size_t", "const clm_model *model"),
    Signature("clm_model_initial_stage", "size_t", "const clm_model *model"),
    Signature("clm_model_find_stage", "clm_status", "size_t *out, const clm_model *model, const char *stage_id"),
    Signature("clm_model_stage_id", "const char *", "const clm_model *model, size_t index"),
    Signature("clm_model_stage_name", "const char *", "const clm_model *model, size_t index"),
    Signature("clm_model_stage_task", "const char *", "const clm_model *model, size_t index"),
    Signature("clm_model_stage_kind", "int", "const clm_model *model, size_t index"),
    Signature("clm_model_stage_time_limit", "int", "const clm_model *model, size_t index"),
    Signature("clm_model_stage_probability", "double", "const clm_model *model, size_t index"),
    Signature("clm_model_stage_requirement_count", "size_t", "const clm_model *model, size_t index"),
    Signature("clm_model_stage_requirement", "const char *", "const clm_model *model, size_t index, size_t item"),
    Signature("clm_model_transition_count", "size_t", "const clm_model *model"),
    Signature(
        "clm_model_transition",
        "clm_status",
        "size_t *out_from, size_t *out_to, const char **out_event, const clm_model *model, size_t index",
    ),
    Signature(
        "clm_model_next_stage",
        "clm_status",
        "size_t *out, const clm_model *model, size_t from_stage, const char *event",
    ),
    Signature(
        "clm_model_render",
        "clm_status",
        "char **out, size_t *out_len, const clm_model *model, clm_model_format format",
    ),
    Signature(
        "clm_model_migrate_stage",
        "clm_status",
        "size_t *out, const clm_model *model, int from_version, const char *old_stage_id",
    ),
    Signature("clm_model_set_locale", "clm_status", "clm_model *model, const char *locale"),
    Signature("clm_model_locale", "const char *", "const clm_model *model"),
    Signature("clm_model_locale_count", "size_t", "const clm_model *model"),
    Signature("clm_model_locale_at", "const char *", "const clm_model *model, size_t index"),
    # Model builder
    Signature("clm_model_builder_new", "clm_status", "clm_model_builder **out, const char *model_id, int version"),
    Signature("clm_model_builder_free", "void", "clm_model_builder *builder"),
    Signature("clm_model_builder_set_name", "clm_status", "clm_model_builder *builder, const char *name"),
    Signature(
        "clm_model_builder_add_stage",
        "clm_status",
        "clm_model_builder *builder, const char *stage_id, const char *name, clm_stage_kind kind, const char *task",
    ),
    Signature(
        "clm_model_builder_set_time_limit", "clm_status", "clm_model_builder *builder, const char *stage_id, int days"
    ),
    Signature(
        "clm_model_builder_set_probability", "clm_status", "clm_model_builder *builder, const char *stage_id, double p"
    ),
    Signature(
        "clm_model_builder_add_requirement",
        "clm_status",
        "clm_model_builder *builder, const char *stage_id, const char *item",
    ),
    Signature("clm_model_builder_set_initial", "clm_status", "clm_model_builder *builder, const char *stage_id"),
    Signature(
        "clm_model_builder_add_transition",
        "clm_status",
        "clm_model_builder *builder, const char *from, const char *to, const char *event",
    ),
    Signature(
        "clm_model_builder_guard_requires",
        "clm_status",
        "clm_model_builder *builder, const char *from, const char *event, const char *item",
    ),
    Signature(
        "clm_model_builder_guard_min_days",
        "clm_status",
        "clm_model_builder *builder, const char *from, const char *event, int days",
    ),
    Signature(
        "clm_model_builder_guard_predicate",
        "clm_status",
        "clm_model_builder *builder, const char *from, const char *event, const char *predicate_name",
    ),
    Signature(
        "clm_model_builder_add_reason",
        "clm_status",
        "clm_model_builder *builder, const char *from, const char *event, const char *reason, int required",
    ),
    Signature(
        "clm_model_builder_add_migration",
        "clm_status",
        "clm_model_builder *builder, int from_version, const char *old_stage_id, const char *new_stage_id",
    ),
    Signature("clm_model_builder_build", "clm_status", "clm_model **out, const clm_model_builder *builder"),
    # Portfolios and the event journal (wrapped by clm.portfolio)
    Signature("clm_portfolio_new", "clm_status", "clm_portfolio **out"),
    Signature("clm_portfolio_free", "void", "clm_portfolio *portfolio"),
    Signature("clm_portfolio_add_model", "clm_status", "size_t *out_slot, clm_portfolio *portfolio, const clm_model *model"),
    Signature("clm_portfolio_model_count", "size_t", "const clm_portfolio *portfolio"),
    Signature("clm_portfolio_model", "const clm_model *", "const clm_portfolio *portfolio, size_t slot"),
    Signature("clm_portfolio_migrate", "clm_status", "clm_portfolio *portfolio, const clm_model *newer"),
    Signature(
        "clm_portfolio_register_predicate",
        "clm_status",
        "clm_portfolio *portfolio, const char *name, clm_predicate_fn fn, void *payload",
    ),
    Signature("clm_portfolio_apply", "clm_status", "clm_portfolio *portfolio, const clm_event *event"),
    Signature(
        "clm_portfolio_apply_batch",
        "clm_status",
        "size_t *out_applied, char **out_rejections, clm_portfolio *portfolio, const clm_event *events, "
        "size_t count, unsigned flags",
    ),
    Signature(
        "clm_portfolio_import_csv",
        "clm_status",
        "size_t *out_applied, char **out_rejections, clm_portfolio *portfolio, const char *csv, size_t len, "
        "const char *name, unsigned flags",
    ),
    Signature(
        "clm_portfolio_import_csv_file",
        "clm_status",
        "size_t *out_applied, char **out_rejections, clm_portfolio *portfolio, const char *path, unsigned flags",
    ),
    Signature("clm_portfolio_export_events", "clm_status", "char **out, size_t *out_len, const clm_portfolio *portfolio"),
    Signature("clm_portfolio_customer_count", "size_t", "const clm_portfolio *portfolio"),
    Signature("clm_portfolio_customer_id", "const char *", "const clm_portfolio *portfolio, size_t index"),
    Signature("clm_portfolio_event_count", "size_t", "const clm_portfolio *portfolio"),
    Signature(
        "clm_portfolio_stage",
        "clm_status",
        "size_t *out_stage, int64_t *out_days, const clm_portfolio *portfolio, const char *customer_id, "
        "const char *model_id, const char *as_of",
    ),
    Signature(
        "clm_portfolio_stage_counts",
        "clm_status",
        "size_t *counts, size_t capacity, size_t *out_total, const clm_portfolio *portfolio, "
        "const char *model_id, const char *as_of",
    ),
    Signature(
        "clm_portfolio_customer_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *customer_id, const char *as_of",
    ),
    Signature(
        "clm_portfolio_history_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *customer_id",
    ),
    Signature(
        "clm_portfolio_export",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *as_of, clm_export_format format",
    ),
    Signature("clm_portfolio_save", "clm_status", "const clm_portfolio *portfolio, const char *path"),
    Signature("clm_portfolio_load", "clm_status", "clm_portfolio **out, const char *path"),
    Signature("clm_portfolio_save_buffer", "clm_status", "char **out, size_t *out_len, const clm_portfolio *portfolio"),
    Signature(
        "clm_portfolio_load_buffer", "clm_status", "clm_portfolio **out, const char *data, size_t len, const char *name"
    ),
    Signature("clm_portfolio_last_seq", "uint64_t", "const clm_portfolio *portfolio"),
    Signature(
        "clm_portfolio_events_since",
        "clm_status",
        "uint64_t *out_next, const clm_portfolio *portfolio, uint64_t after, size_t limit, clm_change_fn fn, "
        "void *payload",
    ),
    Signature("clm_portfolio_set_observer", "clm_status", "clm_portfolio *portfolio, clm_change_fn fn, void *payload"),
    Signature("clm_portfolio_observed_seq", "uint64_t", "const clm_portfolio *portfolio"),
    Signature("clm_portfolio_erase_customer", "clm_status", "clm_portfolio *portfolio, const char *customer_id"),
    Signature("clm_portfolio_set_time_zone", "clm_status", "clm_portfolio *portfolio, const char *offset"),
    Signature("clm_portfolio_set_locale", "clm_status", "clm_portfolio *portfolio, const char *locale"),
    Signature("clm_portfolio_set_strict_time_order", "clm_status", "clm_portfolio *portfolio, int strict"),
    # Policies and recommendations
    Signature("clm_policy_preset_count", "size_t", "void"),
    Signature("clm_policy_preset_id", "const char *", "size_t index"),
    Signature("clm_policy_from_json", "clm_status", "clm_policy **out, const char *json, size_t len"),
    Signature("clm_policy_load", "clm_status", "clm_policy **out, const char *preset_or_path"),
    Signature(
        "clm_policy_validate_json",
        "clm_status",
        "char **out_report, size_t *out_count, const char *json, size_t len, const char *name",
    ),
    Signature("clm_policy_free", "void", "clm_policy *policy"),
    Signature("clm_policy_id", "const char *", "const clm_policy *policy"),
    Signature("clm_policy_rule_count", "size_t", "const clm_policy *policy"),
    Signature("clm_policy_rule_id", "const char *", "const clm_policy *policy, size_t index"),
    Signature(
        "clm_policy_recommend",
        "clm_status",
        "char **out, size_t *out_len, const clm_policy *policy, const clm_portfolio *portfolio, "
        "const char *as_of, const clm_recommend_options *options",
    ),
    Signature(
        "clm_policy_recommend_customer",
        "clm_status",
        "char **out, size_t *out_len, const clm_policy *policy, const clm_portfolio *portfolio, "
        "const char *customer_id, const char *as_of",
    ),
    Signature(
        "clm_policy_plan_week",
        "clm_status",
        "char **out, size_t *out_len, const clm_policy *policy, const clm_portfolio *portfolio, "
        "const char *manager, const char *week, double hours",
    ),
    Signature(
        "clm_policy_recommend_list",
        "clm_status",
        "clm_recommendation_list **out, const clm_policy *policy, const clm_portfolio *portfolio, "
        "const char *as_of, const clm_recommend_options *options",
    ),
    Signature("clm_recommendation_list_count", "size_t", "const clm_recommendation_list *list"),
    Signature(
        "clm_recommendation_list_get",
        "clm_status",
        "const clm_recommendation_list *list, size_t index, clm_recommendation *out",
    ),
    Signature(
        "clm_recommendation_list_reason",
        "clm_status",
        "const clm_recommendation_list *list, size_t index, size_t k, clm_reason *out",
    ),
    Signature("clm_recommendation_list_free", "void", "clm_recommendation_list *list"),
    Signature(
        "clm_policy_plan_week_list",
        "clm_status",
        "clm_plan_list **out, const clm_policy *policy, const clm_portfolio *portfolio, "
        "const char *manager, const char *week, double hours",
    ),
    Signature("clm_plan_list_count", "size_t", "const clm_plan_list *list"),
    Signature("clm_plan_list_capacity_minutes", "double", "const clm_plan_list *list, double *out_planned_minutes"),
    Signature("clm_plan_list_get", "clm_status", "const clm_plan_list *list, size_t index, clm_plan_entry *out"),
    Signature("clm_plan_list_recommendation", "clm_status", "const clm_plan_list *list, size_t index, clm_recommendation *out"),
    Signature("clm_plan_list_reason", "clm_status", "const clm_plan_list *list, size_t index, size_t k, clm_reason *out"),
    Signature("clm_plan_list_free", "void", "clm_plan_list *list"),
    # Analytics: control and analysis
    Signature(
        "clm_portfolio_funnel_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *as_of",
    ),
    Signature(
        "clm_portfolio_time_in_stage_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *as_of",
    ),
    Signature(
        "clm_portfolio_dynamics_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *from, "
        "const char *to",
    ),
    Signature(
        "clm_portfolio_plan_actual_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *plan_json, "
        "size_t plan_len",
    ),
    Signature(
        "clm_portfolio_value_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *as_of",
    ),
    Signature(
        "clm_portfolio_forecast_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *as_of",
    ),
    Signature(
        "clm_portfolio_funnel_list",
        "clm_status",
        "clm_funnel_list **out, const clm_portfolio *portfolio, const char *model_id, const char *as_of",
    ),
    Signature("clm_funnel_list_count", "size_t", "const clm_funnel_list *list"),
    Signature("clm_funnel_list_get", "clm_status", "const clm_funnel_list *list, size_t index, clm_funnel_stage *out"),
    Signature("clm_funnel_list_free", "void", "clm_funnel_list *list"),
    Signature(
        "clm_portfolio_report_html",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *as_of, "
        "const char *from, const clm_policy *policy",
    ),
    Signature(
        "clm_portfolio_forecast_customers_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *as_of",
    ),
    Signature(
        "clm_portfolio_backtest_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *as_of, "
        "const char *until, const clm_policy *policy",
    ),
    # Streaming import
    Signature(
        "clm_portfolio_import_csv_stream",
        "clm_status",
        "size_t *out_applied, char **out_rejections, char **out_warnings, clm_portfolio *portfolio, clm_read_fn read, "
        "void *read_payload, const char *name, unsigned flags, clm_progress_fn progress, void *progress_payload",
    ),
    # Partial results (docs/distributed.md)
    Signature("clm_partition_of", "clm_status", "uint32_t *out, const char *key, size_t key_len, uint32_t parts"),
    Signature(
        "clm_portfolio_import_partition",
        "clm_status",
        "clm_portfolio *portfolio, const char **files, size_t file_count, const char *as_of, uint32_t part, uint32_t parts",
    ),
    Signature(
        "clm_portfolio_partial_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id, const char *analysis, "
        "const char *as_of, const char *fit_json, size_t fit_len",
    ),
    Signature(
        "clm_partial_merge_json",
        "clm_status",
        "char **out, size_t *out_len, const char *a, size_t a_len, const char *b, size_t b_len",
    ),
    Signature(
        "clm_partial_finish_json",
        "clm_status",
        "char **out, size_t *out_len, const clm_model *model, const char *partial, size_t partial_len, int indent",
    ),
)


# ---------------------------------------------------------------------------
# Loading.
# ---------------------------------------------------------------------------


def _candidates() -> list[str]:
    env = os.environ.get("CLM_LIBRARY")
    if env:
        return [env]
    here = Path(__file__).resolve().parent
    places = [here]
    try:
        from ._install_paths import LIBDIR  # only in an installed package
    except ImportError:
        pass
    else:
        places.append((here / LIBDIR).resolve())
    local: list[Path] = []
    for place in places:
        for pattern in ("libclm.so*", "libclm*.dylib", "clm.dll"):
            local.extend(sorted(place.glob(pattern), key=lambda p: (len(p.name), p.name)))
    names = [str(p) for p in local]
    found = ctypes.util.find_library("clm")
    if found:
        names.append(found)
    names.append("libclm.so.0")
    return names


def _open() -> tuple[ctypes.CDLL, str]:
    tried: list[str] = []
    for name in _candidates():
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            tried.append(f"  {name}: {e}")
    hint = "set CLM_LIBRARY to the path of libclm.so" if "CLM_LIBRARY" not in os.environ else "check CLM_LIBRARY"
    raise ImportError("clm: cannot load the clm C library (" + hint + "); tried:\n" + "\n".join(tried))


def _check_status(result: int, func: Callable[..., Any], args: tuple[Any, ...]) -> int:
    """errcheck of every fallible function: raise on a non-zero clm_status."""
    if result != 0:
        raise_last(func.__name__, result)
    return result


_INTEGERS: Final[tuple[Any, ...]] = (
    ctypes.c_int, ctypes.c_uint, ctypes.c_size_t, ctypes.c_int32, ctypes.c_uint32, ctypes.c_int64, ctypes.c_uint64
)
_CHECKED: dict[tuple[Any, str], Any] = {}


def checked_argument(ctype: Any, spelling: str = "") -> Any:
    """``ctype`` as an argument type; for a C integer type, a subclass whose
    ``from_param`` refuses a value outside the type's range (ctypes would
    silently wrap it: -1 as a ``size_t`` becomes 2**64 - 1) with an
    :class:`OverflowError`, which ctypes reports as ``ctypes.ArgumentError``
    naming the argument. Other types are returned unchanged."""
    if ctype not in _INTEGERS:
        return ctype
    name = _normalize(spelling).replace("const ", "") if spelling else ctype.__name__
    if (ctype, name) not in _CHECKED:
        bits = ctypes.sizeof(ctype) * 8
        signed = ctype(-1).value < 0
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)

        def from_param(cls: Any, value: Any) -> Any:
            if isinstance(value, int) and not lo <= value <= hi:
                raise OverflowError(f"{value} is out of the range of {name} ({lo} to {hi})")
            return ctype.from_param(value)

        _CHECKED[(ctype, name)] = type("checked_" + ctype.__name__, (ctype,), {"from_param": classmethod(from_param)})
    return _CHECKED[(ctype, name)]


def _declare(cdll: ctypes.CDLL, sig: Signature) -> None:
    fn = getattr(cdll, sig.name)  # AttributeError when the symbol is missing
    fn.restype = ctype_of(sig.restype)
    fn.argtypes = [checked_argument(ctype_of(t), t) for t, _ in split_params(sig.params)]
    if sig.is_checked:
        fn.errcheck = _check_status


def check_version(number: int, path: str, want: tuple[int, int, int] = BINDING_VERSION) -> None:
    """Raises ImportError unless library version ``number`` (MAJOR*10000 +
    MINOR*100 + PATCH) has the binding's major and at least its minor."""
    have = (number // 10000, number // 100 % 100, number % 100)
    if have[0] != want[0] or have[:2] < want[:2]:
        raise ImportError(
            f"clm: the library {path} is version {have[0]}.{have[1]}.{have[2]} "
            f"but this binding was written for {want[0]}.{want[1]}.{want[2]} and needs "
            f"{want[0]}.{want[1]} or a later {want[0]}.x (the major version must match); "
            "install a matching libclm or point CLM_LIBRARY at one"
        )


def _load() -> tuple[ctypes.CDLL, str]:
    cdll, path = _open()
    by_name = {s.name: s for s in SIGNATURES}
    for name in ("clm_version_number", "clm_version_string"):
        try:
            _declare(cdll, by_name[name])
        except AttributeError:
            raise ImportError(f"clm: {path} is not a clm library (no {name})") from None
    check_version(int(cdll.clm_version_number()), path)
    missing: list[str] = []
    for sig in SIGNATURES:
        try:
            _declare(cdll, sig)
        except AttributeError:
            missing.append(sig.name)
    if missing:
        raise ImportError(f"clm: the library {path} lacks {', '.join(missing)}")
    return cdll, path


lib: ctypes.CDLL
library_path: str
lib, library_path = _load()


def last_error() -> str:
    """``clm_last_error()``: the message of the last failed call on this thread ("" after a success)."""
    message: bytes = lib.clm_last_error()
    return message.decode("utf-8", errors="replace")


def last_status() -> int:
    """``clm_last_status()``: the status of the last failed call on this thread, or 0."""
    status: int = lib.clm_last_status()
    try:
        return Status(status)
    except ValueError:
        return status


def raise_last(function: str, status: int) -> NoReturn:
    """Raises the exception for ``status`` returned by C function ``function``,
    with this thread's ``clm_last_error()`` message and ``clm_status_name()``."""
    name: bytes = lib.clm_status_name(status)
    raise error_class(status)(status, last_error(), function, name.decode("utf-8"))
