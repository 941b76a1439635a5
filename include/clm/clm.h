/*
 * clm.h -- the stable C ABI of clm, the customer lifecycle management engine.
 *
 * Copyright 2026 The clm authors. Licensed under the Apache License 2.0.
 *
 * This is the one authoritative C header (strict C99). Everything that
 * crosses it is a plain C type: opaque handles, integers, doubles and UTF-8
 * strings. No exception, no C++ type and no allocator crosses it.
 *
 * Conventions (see docs/conventions.md):
 *  - functions are clm_<object>_<verb>; types clm_<object>; constants CLM_<NAME>;
 *  - functions that can fail return a clm_status (0 = CLM_OK) and put their
 *    results into out-parameters, which come first;
 *  - on failure nothing changes, out-parameters are left untouched, and
 *    clm_last_error() says what went wrong and where;
 *  - a handle returned through `**out` belongs to the caller and is released
 *    with that type's _free function; _free(NULL) is a no-op;
 *  - a `const char *` returned by a getter lives as long as its parent handle;
 *  - a `char *` returned through `char **out` is the caller's and is released
 *    with clm_string_free().
 */
#ifndef CLM_H
#define CLM_H

#include <stddef.h>
#include <stdint.h>

/* ======================================================================
 * Version
 * ====================================================================== */

/** @defgroup version Version
 *  The version, at compile time (macros) and at run time (functions).
 *  Compare CLM_VERSION_NUMBER with clm_version_number() to catch a program
 *  compiled against one header and run against another library.
 *  @{ */

/** Major version: changes only when the ABI breaks (it is the SONAME). */
#define CLM_VERSION_MAJOR 0
/** Minor version: grows when functions are added. */
#define CLM_VERSION_MINOR 1
/** Patch version: fixes only. */
#define CLM_VERSION_PATCH 0
/** The version as one integer: MAJOR*10000 + MINOR*100 + PATCH. */
#define CLM_VERSION_NUMBER \
    (CLM_VERSION_MAJOR * 10000 + CLM_VERSION_MINOR * 100 + CLM_VERSION_PATCH)
/** The version as a string, "MAJOR.MINOR.PATCH". */
#define CLM_VERSION_STRING "0.1.0"

/** @} */

/* ======================================================================
 * Export macro
 * ====================================================================== */

/** @cond CLM_INTERNAL */
#if defined(_WIN32) && defined(CLM_SHARED)
#  if defined(CLM_BUILDING)
#    define CLM_API __declspec(dllexport)
#  else
#    define CLM_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define CLM_API __attribute__((visibility("default")))
#else
#  define CLM_API
#endif
/** @endcond */

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Status codes and errors
 * ====================================================================== */

/** @defgroup errors Status codes and errors
 *  Every fallible function returns a clm_status. Codes are append-only:
 *  a code is never renumbered or reused (retired codes stay, marked OBSOLETE).
 *  @{ */

/** The result of a call. 0 is success; anything else is an error. */
typedef enum clm_status {
    CLM_OK = 0,                   /**< Success. */
    CLM_E_INVALID_ARGUMENT = 1,   /**< A NULL handle, a bad enum value, a malformed id or date. */
    CLM_E_NO_MEMORY = 2,          /**< An allocation failed; nothing was changed. */
    CLM_E_PARSE = 3,              /**< Malformed input text (JSON, CSV, save file syntax). */
    CLM_E_VALIDATION = 4,         /**< Well-formed input that breaks the rules (a model with unreachable stages...). */
    CLM_E_NOT_FOUND = 5,          /**< An unknown id: preset, model, stage, event, customer. */
    CLM_E_ILLEGAL_TRANSITION = 6, /**< The model has no such move from the customer's stage. */
    CLM_E_GUARD_FAILED = 7,       /**< The move exists but one of its guards refused it. */
    CLM_E_IO = 8,                 /**< A file could not be read or written. */
    CLM_E_CORRUPT = 9,            /**< A save file is damaged (checksum, truncation). */
    CLM_E_VERSION = 10,           /**< A format version this library does not read. */
    CLM_E_DUPLICATE = 11,         /**< An id that must be unique is already there. */
    CLM_E_BUFFER_TOO_SMALL = 12,  /**< A caller buffer is too small; nothing was written (the function says how to size it). */
    CLM_E_CANCELLED = 13,         /**< A progress callback asked to stop; nothing was changed. */
    CLM_E_CALLBACK = 14,          /**< A host callback reported an error. */
    CLM_E_INTERNAL = 15           /**< A bug in clm; please report it with the message. */
} clm_status;

/**
 * The message of the last error on this thread.
 *
 * Names what went wrong and where (file, line, column, field, customer id),
 * prefixed with the failing function's name. Never NULL. Every function that
 * returns a clm_status sets it: "" on success. Getters leave it alone.
 * The pointer stays valid until the next status-returning clm call on the same thread.
 */
CLM_API const char *clm_last_error(void);

/** The status returned by the last status-returning call on this thread (CLM_OK after a success). */
CLM_API clm_status clm_last_status(void);

/** The constant's name of a status, e.g. "CLM_E_PARSE". Static storage; never NULL. */
CLM_API const char *clm_status_name(clm_status status);

/** @} */

/* ======================================================================
 * Version functions and memory
 * ====================================================================== */

/** @addtogroup version
 *  @{ */

/** The library's version number, to compare with CLM_VERSION_NUMBER. */
CLM_API int clm_version_number(void);

/** The library's version string, e.g. "0.1.0". Static storage. */
CLM_API const char *clm_version_string(void);

/** @} */

/** @defgroup memory Memory
 *  @{ */

/**
 * Releases a string the library returned through a `char **out` parameter.
 * NULL is a no-op. Never pass memory from another allocator.
 */
CLM_API void clm_string_free(char *str);

/** @} */

/* ======================================================================
 * Lifecycle models
 * ====================================================================== */

/** @defgroup model Lifecycle models
 *  A model is a graph of stages and transitions: a preset, a JSON definition
 *  (docs/model-format.md) or built with clm_model_builder. A model is
 *  immutable and may be shared between threads.
 *
 *  Lifecycle: clm_model_preset() / clm_model_from_json() / clm_model_builder_build()
 *  create it, getters read it, clm_model_free() releases it.
 *  @{ */

/** An immutable lifecycle model. */
typedef struct clm_model clm_model;

/** What reaching a stage means. */
typedef enum clm_stage_kind {
    CLM_STAGE_OPEN = 0,    /**< Work in progress. */
    CLM_STAGE_WON = 1,     /**< The goal is reached. */
    CLM_STAGE_LOST = 2,    /**< Lost. */
    CLM_STAGE_DORMANT = 3, /**< Paused (sleeping, refused with a retry date). */
    CLM_STAGE_TERMINAL = 4 /**< Ended without a win or a loss. */
} clm_stage_kind;

/** Output formats of clm_model_render(). */
typedef enum clm_model_format {
    CLM_FORMAT_TEXT = 0,    /**< Readable text. */
    CLM_FORMAT_JSON = 1,    /**< Canonical JSON (loads back to the same model). */
    CLM_FORMAT_DOT = 2,     /**< Graphviz DOT. */
    CLM_FORMAT_MERMAID = 3  /**< Mermaid stateDiagram-v2. */
} clm_model_format;

/** A value meaning "none" for sizes and indexes, e.g. no stage. */
#define CLM_NONE ((size_t)-1)

/** Number of preset models. */
CLM_API size_t clm_preset_count(void);

/** The id of preset `index` ("buttle5", "sales6", ...), or NULL past the end. Static storage. */
CLM_API const char *clm_preset_id(size_t index);

/**
 * Creates a preset model.
 * @param[out] out   receives the model; free it with clm_model_free().
 * @param preset_id  a preset id (see clm_preset_id()).
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT, CLM_E_NOT_FOUND.
 */
CLM_API clm_status clm_model_preset(clm_model **out, const char *preset_id);

/**
 * Creates a model from its JSON definition.
 * @param[out] out  receives the model; free it with clm_model_free().
 * @param json      UTF-8 text, not necessarily NUL-terminated.
 * @param len       its length in bytes.
 * @return CLM_OK; CLM_E_PARSE for malformed JSON; CLM_E_VALIDATION for a
 *         definition that breaks the rules. clm_last_error() then lists every
 *         problem, one `<input>:LINE:COL: error: message` line each.
 */
CLM_API clm_status clm_model_from_json(clm_model **out, const char *json, size_t len);

/**
 * Loads a model from a preset id or a JSON file path.
 * @param[out] out  receives the model; free it with clm_model_free().
 * @param preset_or_path  a preset id, else a file path.
 * @return CLM_OK, CLM_E_IO, CLM_E_PARSE, CLM_E_VALIDATION; messages name the file.
 */
CLM_API clm_status clm_model_load(clm_model **out, const char *preset_or_path);

/**
 * Checks a JSON model definition and reports every problem.
 * @param[out] out_report  receives "" when valid, else one
 *        `NAME:LINE:COL: error: message` line per problem; free with clm_string_free().
 * @param[out] out_count   receives the number of problems (may be NULL).
 * @param json, len        the definition.
 * @param name             the name used in the report (a file name), may be NULL.
 * @return CLM_OK when the report could be made (valid or not); another code only
 *         when the call itself failed (NULL arguments, memory).
 */
CLM_API clm_status clm_model_validate_json(char **out_report, size_t *out_count,
                                           const char *json, size_t len, const char *name);

/** Releases a model. NULL is a no-op. Other holders (portfolios) keep it alive. */
CLM_API void clm_model_free(clm_model *model);

/** The model's id. Lives as long as the model. NULL for a NULL model. */
CLM_API const char *clm_model_id(const clm_model *model);

/** The model's version (>= 1), or 0 for a NULL model. */
CLM_API int clm_model_version(const clm_model *model);

/** The model's display name ("" when none). Lives as long as the model. */
CLM_API const char *clm_model_name(const clm_model *model);

/** Number of stages; 0 for a NULL model. */
CLM_API size_t clm_model_stage_count(const clm_model *model);

/** The initial stage's index, or CLM_NONE for a NULL model. */
CLM_API size_t clm_model_initial_stage(const clm_model *model);

/**
 * Finds a stage by id.
 * @param[out] out  receives the stage index.
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT, CLM_E_NOT_FOUND.
 */
CLM_API clm_status clm_model_find_stage(size_t *out, const clm_model *model, const char *stage_id);

/** Stage `index`'s id, or NULL when out of range. Lives as long as the model. */
CLM_API const char *clm_model_stage_id(const clm_model *model, size_t index);
/** Stage `index`'s display name, or NULL when out of range. */
CLM_API const char *clm_model_stage_name(const clm_model *model, size_t index);
/** Stage `index`'s task (its goal, the default next action), or NULL when out of range. */
CLM_API const char *clm_model_stage_task(const clm_model *model, size_t index);
/** Stage `index`'s kind (a clm_stage_kind), or -1 when out of range. */
CLM_API int clm_model_stage_kind(const clm_model *model, size_t index);
/** Stage `index`'s time limit in days, or -1 when it has none or is out of range. */
CLM_API int clm_model_stage_time_limit(const clm_model *model, size_t index);
/** Stage `index`'s win probability, or -1.0 when it has none or is out of range. */
CLM_API double clm_model_stage_probability(const clm_model *model, size_t index);
/** Number of entry requirements of stage `index` (0 when out of range). */
CLM_API size_t clm_model_stage_requirement_count(const clm_model *model, size_t index);
/** Entry requirement `item` of stage `index`, or NULL when out of range. */
CLM_API const char *clm_model_stage_requirement(const clm_model *model, size_t index, size_t item);

/** Number of transitions; 0 for a NULL model. */
CLM_API size_t clm_model_transition_count(const clm_model *model);

/**
 * Reads transition `index`.
 * @param[out] out_from, out_to  receive stage indexes (each may be NULL).
 * @param[out] out_event         receives the event name, owned by the model (may be NULL).
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT (NULL model or index out of range).
 */
CLM_API clm_status clm_model_transition(size_t *out_from, size_t *out_to, const char **out_event,
                                        const clm_model *model, size_t index);

/**
 * The stage an event leads to from a stage: a table lookup, guards not checked.
 * @param[out] out  receives the target stage index.
 * @return CLM_OK; CLM_E_ILLEGAL_TRANSITION when the stage has no such event;
 *         CLM_E_NOT_FOUND for an unknown event; CLM_E_INVALID_ARGUMENT.
 */
CLM_API clm_status clm_model_next_stage(size_t *out, const clm_model *model, size_t from_stage,
                                        const char *event);

/**
 * Renders a model.
 * @param[out] out      receives a NUL-terminated string; free with clm_string_free().
 * @param[out] out_len  receives its length without the NUL (may be NULL).
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT, CLM_E_NO_MEMORY.
 */
CLM_API clm_status clm_model_render(char **out, size_t *out_len, const clm_model *model,
                                    clm_model_format format);

/**
 * Where a customer in stage `old_stage_id` of version `from_version` belongs
 * in this model: the migration map's target, else the stage with the same id.
 * @param[out] out  receives the stage index.
 * @return CLM_OK, CLM_E_NOT_FOUND (no such stage in this version), CLM_E_INVALID_ARGUMENT.
 */
CLM_API clm_status clm_model_migrate_stage(size_t *out, const clm_model *model, int from_version,
                                           const char *old_stage_id);

/**
 * Shows the model's text (its name, and every stage's name and task) in
 * `locale`, one of the locales the model lists (docs/model-format.md,
 * "Languages"; the presets have "en", "ru" and "zh"). A text without a
 * translation shows the default locale's. Only this handle changes: a
 * portfolio the model was added to before keeps its own locale (see
 * clm_portfolio_set_locale()); one it is added to afterwards shows this
 * locale. Strings returned for this handle before the call are invalid after it.
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT (NULL), CLM_E_NOT_FOUND (the model has
 *         no such locale; the message lists the ones it has), CLM_E_NO_MEMORY.
 */
CLM_API clm_status clm_model_set_locale(clm_model *model, const char *locale);

/** The locale the model's text is shown in (its default locale until
 *  clm_model_set_locale()). Lives as long as the model's locale. NULL for a NULL model. */
CLM_API const char *clm_model_locale(const clm_model *model);

/** Number of locales the model's text is written in (at least 1); 0 for a NULL model. */
CLM_API size_t clm_model_locale_count(const clm_model *model);

/** Locale `index` of the model ("en", "ru", ...; index 0 is the default), or NULL
 *  when out of range. Lives as long as the model. */
CLM_API const char *clm_model_locale_at(const clm_model *model, size_t index);

/** @} */

/** @defgroup builder Model builder
 *  Builds a custom model step by step; clm_model_builder_build() validates it
 *  and reports every problem at once. Stages and transitions are named by id
 *  and may be added in any order.
 *  @{ */

/** A model under construction. */
typedef struct clm_model_builder clm_model_builder;

/**
 * Starts a model.
 * @param[out] out  receives the builder; free it with clm_model_builder_free().
 * @param model_id  the model's id; @param version its version (>= 1, checked at build).
 */
CLM_API clm_status clm_model_builder_new(clm_model_builder **out, const char *model_id, int version);

/** Releases a builder. NULL is a no-op. */
CLM_API void clm_model_builder_free(clm_model_builder *builder);

/** Sets the display name. */
CLM_API clm_status clm_model_builder_set_name(clm_model_builder *builder, const char *name);

/**
 * Adds a stage.
 * @param kind  a clm_stage_kind; @param task the stage's goal (may be NULL).
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT, CLM_E_DUPLICATE.
 */
CLM_API clm_status clm_model_builder_add_stage(clm_model_builder *builder, const char *stage_id,
                                               const char *name, clm_stage_kind kind, const char *task);

/** Sets a stage's time limit in days (>= 0). CLM_E_NOT_FOUND for an unknown stage. */
CLM_API clm_status clm_model_builder_set_time_limit(clm_model_builder *builder, const char *stage_id, int days);

/** Sets a stage's win probability (checked at build to be within [0, 1]). */
CLM_API clm_status clm_model_builder_set_probability(clm_model_builder *builder, const char *stage_id, double p);

/** Adds an entry requirement (a checklist item or document) to a stage. */
CLM_API clm_status clm_model_builder_add_requirement(clm_model_builder *builder, const char *stage_id, const char *item);

/** Sets the initial stage (default: the first stage added). */
CLM_API clm_status clm_model_builder_set_initial(clm_model_builder *builder, const char *stage_id);

/** Adds a transition `from` -> `to` on `event`; ids are resolved at build. */
CLM_API clm_status clm_model_builder_add_transition(clm_model_builder *builder, const char *from,
                                                    const char *to, const char *event);

/** Adds a "requires" guard (item must be recorded) to the transition from `from` on `event`. */
CLM_API clm_status clm_model_builder_guard_requires(clm_model_builder *builder, const char *from,
                                                    const char *event, const char *item);

/** Adds a "min_days" guard (days in the source stage) to the transition from `from` on `event`. */
CLM_API clm_status clm_model_builder_guard_min_days(clm_model_builder *builder, const char *from,
                                                    const char *event, int days);

/** Adds a "predicate" guard (a host callback registered by name) to the transition from `from` on `event`. */
CLM_API clm_status clm_model_builder_guard_predicate(clm_model_builder *builder, const char *from,
                                                     const char *event, const char *predicate_name);

/** Offers a reason for the transition from `from` on `event` (`reason` may be NULL), and marks the move as needing a reason when `required` is non-zero. */
CLM_API clm_status clm_model_builder_add_reason(clm_model_builder *builder, const char *from,
                                                const char *event, const char *reason, int required);

/** Maps `old_stage_id` of version `from_version` to `new_stage_id` of this model. */
CLM_API clm_status clm_model_builder_add_migration(clm_model_builder *builder, int from_version,
                                                   const char *old_stage_id, const char *new_stage_id);

/**
 * Validates and builds the model. The builder stays usable (fix and retry).
 * @param[out] out  receives the model; free it with clm_model_free().
 * @return CLM_OK or CLM_E_VALIDATION, with every problem in clm_last_error().
 */
CLM_API clm_status clm_model_builder_build(clm_model **out, const clm_model_builder *builder);

/** @} */

/* ======================================================================
 * Portfolios: customers in motion
 * ====================================================================== */

/** @defgroup portfolio Portfolios and the event journal
 *  A portfolio holds customers, places them in one or more models, and keeps
 *  the journal of everything that happened to them; state is a fold of the
 *  journal, so every query can be asked "as of" a past date.
 *
 *  Lifecycle: clm_portfolio_new() or clm_portfolio_load(), add models, apply
 *  events or import an event-log CSV (docs/event-log.md), query, save,
 *  clm_portfolio_free().
 *
 *  Threading: one writer at a time per portfolio; any number of concurrent
 *  readers (query functions take a const handle) while nobody writes.
 *
 *  Dates are strings `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`. "As of a date"
 *  counts every event on that date. An `as_of` of NULL means "now": after
 *  every event in the journal.
 *  @{ */

/** A portfolio of customers, their positions and their journal. */
typedef struct clm_portfolio clm_portfolio;

/**
 * One event, field for field an event-log CSV row (docs/event-log.md).
 * Set `struct_size` to sizeof(clm_event) (CLM_EVENT_INIT does): later
 * versions may append fields, and the library reads only what you sized.
 * NULL and "" mean "not given".
 */
typedef struct clm_event {
    size_t struct_size;      /**< sizeof(clm_event) as the caller compiled it. */
    const char *customer_id; /**< Required. */
    const char *timestamp;   /**< Required: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS. */
    const char *type;        /**< Required: stage, event, contact, document, document_done, purchase,
                                  next_step, attribute, tag, untag, class, score, manager, check. */
    const char *value;       /**< Stage id, event name, outcome, document kind, key=value, ... */
    const char *model;       /**< Model id; required for stage/event when the portfolio has several. */
    const char *channel;     /**< messenger, email, call, online_meeting, meeting, other. */
    const char *manager;     /**< Manager. */
    const char *reason;      /**< Reason (loss, dissolution). */
    const char *due;         /**< Due or expiry date. */
    const char *note;        /**< Note; for next_step, the product. */
    double amount;           /**< Amount, read when has_amount is non-zero: a purchase's amount, or on a stage row the deal's value from then on. */
    int has_amount;          /**< Non-zero when amount is given. */
    /** The account (company) the customer belongs to from this event on; NULL or "" leaves it
        as it is. A change is journaled as an attribute event `account=NAME` just before the
        event (docs/event-log.md). Appended after has_amount: callers compiled before it pass a smaller
        struct_size and are read as if it were NULL. */
    const char *account;
} clm_event;

/** Initialiser for a clm_event: `clm_event ev = CLM_EVENT_INIT;`. */
#define CLM_EVENT_INIT { sizeof(clm_event), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.0, 0, NULL }

/** Batch flag: skip events the model refuses and report them, instead of failing the whole batch. */
#define CLM_BATCH_SKIP_BAD 1u

/** Maturity export formats for clm_portfolio_export(). */
typedef enum clm_export_format {
    CLM_EXPORT_CSV = 0,  /**< One CSV row per customer. */
    CLM_EXPORT_JSON = 1  /**< A JSON document. */
} clm_export_format;

/**
 * A host predicate for `predicate` guards.
 * @param customer_id, model_id, from_stage, to_stage, date  the move being checked.
 * @param payload  the pointer given to clm_portfolio_register_predicate().
 * @return 1 to allow the move, 0 to refuse it (CLM_E_GUARD_FAILED), a negative
 *         value to report an error (CLM_E_CALLBACK). Must not call back into the
 *         same portfolio.
 */
typedef int (*clm_predicate_fn)(const char *customer_id, const char *model_id, const char *from_stage,
                                const char *to_stage, const char *date, void *payload);

/**
 * Creates an empty portfolio.
 * @param[out] out  receives it; free with clm_portfolio_free().
 */
CLM_API clm_status clm_portfolio_new(clm_portfolio **out);

/** Releases a portfolio. NULL is a no-op. */
CLM_API void clm_portfolio_free(clm_portfolio *portfolio);

/**
 * Adds a model; the portfolio shares it (the caller may free its handle).
 * @param[out] out_slot  receives the model's slot (may be NULL).
 * @return CLM_OK, CLM_E_DUPLICATE (a model with that id is there), CLM_E_INVALID_ARGUMENT.
 */
CLM_API clm_status clm_portfolio_add_model(size_t *out_slot, clm_portfolio *portfolio, const clm_model *model);

/** Number of models in the portfolio (0 for NULL). */
CLM_API size_t clm_portfolio_model_count(const clm_portfolio *portfolio);

/** The model in `slot`, owned by the portfolio (lives as long as the portfolio; after
 *  clm_portfolio_migrate() the same pointer shows the new version), or NULL. */
CLM_API const clm_model *clm_portfolio_model(const clm_portfolio *portfolio, size_t slot);

/**
 * Moves every customer of the model with the same id to a newer version of it,
 * through the new version's migration map; history is kept. All-or-nothing.
 * @return CLM_OK; CLM_E_NOT_FOUND (no such model, or a used stage with no place
 *         in the new version); CLM_E_INVALID_ARGUMENT (not newer).
 */
CLM_API clm_status clm_portfolio_migrate(clm_portfolio *portfolio, const clm_model *newer);

/**
 * Registers the host predicate `name` for `predicate` guards (replacing one of the same name).
 * `payload` is passed back to every call and must outlive the portfolio.
 */
CLM_API clm_status clm_portfolio_register_predicate(clm_portfolio *portfolio, const char *name,
                                                    clm_predicate_fn fn, void *payload);

/**
 * Applies one event, checking the model's transition and guards. An event
 * older than its customer's last one is folded in at its time (see
 * clm_portfolio_set_strict_time_order()).
 * @return CLM_OK; CLM_E_ILLEGAL_TRANSITION or CLM_E_GUARD_FAILED with a message
 *         naming the customer, the stages and the guard (for a late event, the
 *         later event it would break); CLM_E_INVALID_ARGUMENT (bad date, missing
 *         field, a late event in strict time order); CLM_E_NOT_FOUND.
 *         On error nothing changes.
 */
CLM_API clm_status clm_portfolio_apply(clm_portfolio *portfolio, const clm_event *event);

/**
 * Applies `count` events in order. Without CLM_BATCH_SKIP_BAD the batch is
 * all-or-nothing. With it, refused events are skipped.
 * @param[out] out_applied     receives how many were applied (may be NULL).
 * @param[out] out_rejections  receives "" or one line per skipped event,
 *        `event INDEX: message`; free with clm_string_free() (may be NULL).
 * @param events  an array of `count` events, each with the same struct_size.
 */
CLM_API clm_status clm_portfolio_apply_batch(size_t *out_applied, char **out_rejections, clm_portfolio *portfolio,
                                             const clm_event *events, size_t count, unsigned flags);

/**
 * Imports an event-log CSV (docs/event-log.md). Rows are applied per customer
 * in timestamp order. All-or-nothing unless flags has CLM_BATCH_SKIP_BAD (then
 * rows the model refuses are skipped; malformed rows always fail the import).
 * @param[out] out_applied     events applied (may be NULL).
 * @param[out] out_rejections  "" or one `NAME:LINE: message` line per skipped row; free with clm_string_free() (may be NULL).
 * @param csv, len  the CSV text; @param name  its name in messages (may be NULL).
 * @return CLM_OK; CLM_E_PARSE (every malformed row listed: file, line, column, customer);
 *         CLM_E_ILLEGAL_TRANSITION, CLM_E_GUARD_FAILED, ... for the first refused row.
 */
CLM_API clm_status clm_portfolio_import_csv(size_t *out_applied, char **out_rejections, clm_portfolio *portfolio,
                                            const char *csv, size_t len, const char *name, unsigned flags);

/** Like clm_portfolio_import_csv() for a file; CLM_E_IO when it cannot be read. */
CLM_API clm_status clm_portfolio_import_csv_file(size_t *out_applied, char **out_rejections,
                                                 clm_portfolio *portfolio, const char *path, unsigned flags);

/**
 * The journal as an event-log CSV, in apply order; importing it into a
 * portfolio with the same models rebuilds the same state.
 * @param[out] out  free with clm_string_free(); @param[out] out_len may be NULL.
 */
CLM_API clm_status clm_portfolio_export_events(char **out, size_t *out_len, const clm_portfolio *portfolio);

/** Number of customers (0 for NULL). */
CLM_API size_t clm_portfolio_customer_count(const clm_portfolio *portfolio);

/** Customer `index`'s id, owned by the portfolio (valid as long as the portfolio), or NULL when out of range. */
CLM_API const char *clm_portfolio_customer_id(const clm_portfolio *portfolio, size_t index);

/** Number of journal events (0 for NULL). */
CLM_API size_t clm_portfolio_event_count(const clm_portfolio *portfolio);

/**
 * A customer's stage in a model as of a date.
 * @param[out] out_stage  receives the stage index, or CLM_NONE when the customer
 *        was not in the model on that date.
 * @param[out] out_days   receives the whole days in that stage as of the date
 *        (may be NULL; with as_of NULL, days up to the customer's last event).
 * @param model_id  NULL when the portfolio has one model.
 * @param as_of     a date, or NULL for now.
 * @return CLM_OK, CLM_E_NOT_FOUND (customer or model), CLM_E_INVALID_ARGUMENT.
 */
CLM_API clm_status clm_portfolio_stage(size_t *out_stage, int64_t *out_days, const clm_portfolio *portfolio,
                                       const char *customer_id, const char *model_id, const char *as_of);

/**
 * Customers per stage of a model as of a date.
 * @param[out] counts  an array of `capacity` entries; entry i receives the count of stage i.
 * @param[out] out_total  customers in the model on that date (may be NULL).
 * @return CLM_OK; CLM_E_BUFFER_TOO_SMALL when capacity is below the model's
 *         stage count (clm_model_stage_count(); nothing written); CLM_E_NOT_FOUND.
 */
CLM_API clm_status clm_portfolio_stage_counts(size_t *counts, size_t capacity, size_t *out_total,
                                              const clm_portfolio *portfolio, const char *model_id, const char *as_of);

/**
 * Everything known about a customer as of a date, as JSON: stage, entry date,
 * days in stage and time-limit flag per model; last contact and days since it
 * (per channel); open control points with due dates; next step; tags,
 * attributes, scores, class, manager; purchases and revenue.
 * @param[out] out  free with clm_string_free(); @param as_of NULL for the last event's date.
 */
CLM_API clm_status clm_portfolio_customer_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *customer_id, const char *as_of);

/** A customer's full history (every event, oldest first) as a JSON array; free with clm_string_free(). */
CLM_API clm_status clm_portfolio_history_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                              const char *customer_id);

/**
 * The portfolio export with maturity markers (one row per customer: id,
 * manager, class, stage and days in stage per model, last contact, next step).
 * @param[out] out  free with clm_string_free(); @param as_of NULL for the last event's date.
 */
CLM_API clm_status clm_portfolio_export(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                        const char *as_of, clm_export_format format);

/**
 * Saves the portfolio (models, customers, journal) to a file atomically: after
 * a crash the file holds the old save or the new one, never a mix.
 * @return CLM_OK, CLM_E_IO.
 */
CLM_API clm_status clm_portfolio_save(const clm_portfolio *portfolio, const char *path);

/**
 * Loads a saved portfolio, verifying it first (checksum, length, version).
 * @param[out] out  receives the portfolio; free with clm_portfolio_free().
 * @return CLM_OK; CLM_E_IO; CLM_E_CORRUPT (damaged: nothing is loaded);
 *         CLM_E_VERSION (written by a newer format).
 */
CLM_API clm_status clm_portfolio_load(clm_portfolio **out, const char *path);

/**
 * Saves the portfolio to a buffer in the save-file format (docs/save-format.md):
 * the same bytes clm_portfolio_save() writes, for a host that keeps them in
 * its own database.
 * @param[out] out      receives the bytes (NUL-terminated); free with clm_string_free().
 * @param[out] out_len  receives their length (may be NULL).
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT, CLM_E_NO_MEMORY.
 */
CLM_API clm_status clm_portfolio_save_buffer(char **out, size_t *out_len, const clm_portfolio *portfolio);

/**
 * Loads a portfolio from a buffer clm_portfolio_save_buffer() (or a save file)
 * holds, verifying it first exactly as clm_portfolio_load() does.
 * @param[out] out  receives the portfolio; free with clm_portfolio_free().
 * @param data, len the bytes (`data` may be NULL only when `len` is 0).
 * @param name      names the buffer in messages (may be NULL: "buffer").
 * @return CLM_OK; CLM_E_CORRUPT (not a save, or damaged: nothing is loaded);
 *         CLM_E_VERSION; CLM_E_INVALID_ARGUMENT.
 */
CLM_API clm_status clm_portfolio_load_buffer(clm_portfolio **out, const char *data, size_t len, const char *name);

/**
 * One committed journal row, as clm_portfolio_events_since() and an observer
 * (clm_portfolio_set_observer()) see it. Owned by the library and valid only
 * during the callback; copy what you keep.
 */
typedef struct clm_change {
    size_t struct_size;       /**< sizeof(clm_change) as the library was built: fields past it are absent. */
    uint64_t seq;             /**< The row's sequence number (see clm_portfolio_last_seq()). */
    const clm_event *event;   /**< The row, field for field an event-log row (docs/event-log.md); every
                                   move is a `stage` row naming the stage reached and its model. */
    const char *model;        /**< For a stage row, the model id; else NULL. */
    const char *from_stage;   /**< For a stage row, the stage before it; NULL when the row placed the customer in the model. */
    const char *to_stage;     /**< For a stage row, the stage after it; else NULL. */
} clm_change;

/**
 * Receives journal rows (clm_portfolio_events_since(), clm_portfolio_set_observer()).
 * @param change   the row, valid during the call only.
 * @param payload  the pointer given with the callback.
 * @return 0 to go on; non-zero to stop (see each function for what that means).
 */
typedef int (*clm_change_fn)(const clm_change *change, void *payload);

/**
 * The newest sequence number: every journal row has one, its place in apply
 * order counted from 1 over the portfolio's life (0 before the first event).
 * Numbers are never reused: erasing a customer leaves the others' numbers as
 * they were. A loaded portfolio numbers its journal from 1 again. 0 for NULL.
 */
CLM_API uint64_t clm_portfolio_last_seq(const clm_portfolio *portfolio);

/**
 * The journal cursor: calls `fn` for each row with a sequence number above
 * `after`, oldest first, at most `limit` rows (0: all).
 * @param[out] out_next  receives the sequence number to pass as `after` next
 *        time: the last row delivered, or `after` when none was (may be NULL).
 * @param after  0 for the whole journal, else a number from a row or clm_portfolio_last_seq().
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT (NULL portfolio or fn, `after` beyond
 *         clm_portfolio_last_seq()); CLM_E_CALLBACK when `fn` returned non-zero
 *         (the message names the row; `out_next` is left untouched).
 */
CLM_API clm_status clm_portfolio_events_since(uint64_t *out_next, const clm_portfolio *portfolio, uint64_t after,
                                              size_t limit, clm_change_fn fn, void *payload);

/**
 * Sets (or with `fn` NULL, removes) the portfolio's observer: after every call
 * that commits journal rows (apply, batch, imports), `fn` is called once per
 * committed row, in sequence order, after the commit (a batch: after the
 * whole batch). The observer sees the portfolio in its new state and may read
 * it; it must not free it. Setting an observer starts it at the next row.
 *
 * An observer's failure never undoes a commit: when `fn` returns non-zero the
 * committing call still returns CLM_OK, the rows from the refused one on stay
 * undelivered, and the next commit offers them again first (delivery is in
 * order and at least once: deduplicate by `seq`).
 * clm_portfolio_observed_seq() says how far delivery got.
 * `payload` must outlive the observer.
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT (NULL portfolio).
 */
CLM_API clm_status clm_portfolio_set_observer(clm_portfolio *portfolio, clm_change_fn fn, void *payload);

/**
 * The sequence number of the last row the observer accepted (every row
 * before it was accepted too); with clm_portfolio_last_seq() this tells what
 * is undelivered. 0 for NULL.
 */
CLM_API uint64_t clm_portfolio_observed_seq(const clm_portfolio *portfolio);

/**
 * Erases a customer (a data-protection request): the customer, their journal
 * rows and the text only they used leave the portfolio and every later save.
 * The portfolio is rebuilt from its journal, so this costs about a load.
 * Sequence numbers of the other rows stay the same. The observer is not called.
 * @return CLM_OK; CLM_E_NOT_FOUND (no such customer: nothing changes);
 *         CLM_E_INVALID_ARGUMENT (NULL arguments).
 */
CLM_API clm_status clm_portfolio_erase_customer(clm_portfolio *portfolio, const char *customer_id);

/**
 * Sets the zone the portfolio keeps its times in (default UTC). A timestamp
 * given with a UTC offset (`2024-05-01T09:00:00Z`, `...+03:00`, `...-05:30`;
 * in events, imports and due dates) is converted into this zone; one without
 * an offset is taken as in it already. A fixed offset, no daylight saving.
 * Times already in the journal are not converted, and the zone is not saved
 * (set it again after clm_portfolio_load()).
 * @param offset  "Z", "UTC", or `+hh:mm` / `-hh:mm` (at most 14:00).
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT (NULL arguments, a malformed or out-of-range offset).
 */
CLM_API clm_status clm_portfolio_set_time_zone(clm_portfolio *portfolio, const char *offset);

/**
 * Shows the text of every model in the portfolio (stage names and tasks in
 * reports, recommendations and clm_portfolio_model()) in `locale`. Stages and
 * customers are unchanged. Strings returned before the call for the
 * portfolio's models are invalid after it. All-or-nothing: every model must
 * have the locale.
 * @return CLM_OK, CLM_E_INVALID_ARGUMENT (NULL, or a portfolio without models),
 *         CLM_E_NOT_FOUND (a model has no such locale; the message lists the
 *         ones it has), CLM_E_NO_MEMORY.
 */
CLM_API clm_status clm_portfolio_set_locale(clm_portfolio *portfolio, const char *locale);

/**
 * Chooses what happens to a late event, one older than its customer's last
 * one (docs/event-log.md, "Late events"). By default (`strict` 0) it is
 * folded in at its time: checked against the customer's state as of then,
 * the customer's later moves re-checked after it (all-or-nothing: if one no
 * longer passes, nothing changes and the error names it, with its sequence
 * number and time); it gets the next sequence number, and history and as-of
 * queries see it at its time. Cost: the customer's later events. With
 * `strict` non-zero a late event is refused (CLM_E_INVALID_ARGUMENT naming
 * both times), for hosts whose store must only grow in time order. Applies
 * to clm_portfolio_apply(), the batches and the imports; a save being loaded
 * is replayed either way. Not saved.
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT (NULL portfolio).
 */
CLM_API clm_status clm_portfolio_set_strict_time_order(clm_portfolio *portfolio, int strict);

/** @} */

/* ======================================================================
 * Policies: next-action recommendations
 * ====================================================================== */

/** @defgroup policy Policies and recommendations
 *  A policy is data (docs/policy-format.md): rules with conditions over a
 *  customer's facts and the action to recommend, plus ranking weights and
 *  planning capacities. Recommendations come ranked (score = priority x class
 *  weight x urgency x value), each with the rule, the facts that matched and
 *  the stage task. Results are JSON strings (docs/policy-format.md shows the shapes).
 *
 *  Lifecycle: clm_policy_load() / clm_policy_from_json(), then
 *  clm_policy_recommend() or clm_policy_plan_week() against a portfolio,
 *  clm_policy_free(). A policy is immutable and may be shared between threads.
 *  @{ */

/** An immutable policy. */
typedef struct clm_policy clm_policy;

/**
 * Progress of a long evaluation, called on the calling thread.
 * @param done, total  customers evaluated so far, and in all.
 * @param payload      the options' payload.
 * @return 0 to go on; non-zero to cancel (the call returns CLM_E_CANCELLED).
 */
typedef int (*clm_progress_fn)(size_t done, size_t total, void *payload);

/** Options of clm_policy_recommend(). Initialise with CLM_RECOMMEND_OPTIONS_INIT. */
typedef struct clm_recommend_options {
    size_t struct_size;          /**< sizeof(clm_recommend_options) as the caller compiled it. */
    const char *manager;         /**< Only this manager's customers (NULL: all). */
    size_t limit;                /**< At most this many recommendations (0: all). */
    unsigned threads;            /**< Worker threads (0: all cores). */
    clm_progress_fn progress;    /**< Progress callback (NULL: none). */
    void *payload;               /**< Passed to progress. */
    /** Recommendations per customer: its best merged actions, the rest listed as each one's
        `alternatives` (0: the policy's per_customer_limit, 1 by default). Appended: callers
        compiled before it pass a smaller struct_size and get 0. */
    size_t per_customer;
    /** For a portfolio that is one part of a larger one (docs/distributed.md): the merged
        `forecast-fit` partial of every part (clm_partial_merge_json()), or a JSON array of them,
        one per model, that the deals' p_won is to come from, so that it is the whole portfolio's.
        NULL: the portfolio's own forecast. Appended, as per_customer. */
    const char *forecast_fit;
    size_t forecast_fit_len;     /**< Its length in bytes. */
} clm_recommend_options;

/** Initialiser: `clm_recommend_options o = CLM_RECOMMEND_OPTIONS_INIT;`. */
#define CLM_RECOMMEND_OPTIONS_INIT { sizeof(clm_recommend_options), NULL, 0, 0, NULL, NULL, 0, NULL, 0 }

/** Number of preset policies. */
CLM_API size_t clm_policy_preset_count(void);

/** The id of preset policy `index` ("seeds"), or NULL past the end. Static storage. */
CLM_API const char *clm_policy_preset_id(size_t index);

/**
 * Creates a policy from its JSON definition.
 * @param[out] out  free with clm_policy_free().
 * @return CLM_OK; CLM_E_PARSE; CLM_E_VALIDATION with every problem, one
 *         `<input>:LINE:COL: error: message` line each.
 */
CLM_API clm_status clm_policy_from_json(clm_policy **out, const char *json, size_t len);

/** Loads a preset policy id or a JSON policy file. @param[out] out free with clm_policy_free(). */
CLM_API clm_status clm_policy_load(clm_policy **out, const char *preset_or_path);

/**
 * Checks a JSON policy and reports every problem.
 * @param[out] out_report  "" when valid, else one `NAME:LINE:COL: error: message` line per problem; free with clm_string_free().
 * @param[out] out_count   number of problems (may be NULL).
 * @param name             the name used in the report (may be NULL).
 */
CLM_API clm_status clm_policy_validate_json(char **out_report, size_t *out_count, const char *json, size_t len,
                                            const char *name);

/** Releases a policy. NULL is a no-op. */
CLM_API void clm_policy_free(clm_policy *policy);

/** The policy's id, or NULL for NULL. Lives as long as the policy. */
CLM_API const char *clm_policy_id(const clm_policy *policy);

/** Number of rules (0 for NULL). */
CLM_API size_t clm_policy_rule_count(const clm_policy *policy);

/** Rule `index`'s id, or NULL when out of range. Lives as long as the policy. */
CLM_API const char *clm_policy_rule_id(const clm_policy *policy, size_t index);

/**
 * Recommends the next actions for the whole portfolio as of a date, ranked,
 * on all cores.
 * @param[out] out  JSON `{"as_of","policy","count","recommendations":[{"rank","customer_id",
 *        "manager","class","model","stage","rule","action":{"kind","channel","goal","product","due"},
 *        "priority","score","urgency","value","reasons":[...],"task","why"}]}`; free with clm_string_free().
 * @param as_of    the date (required: recommendations never read the clock).
 * @param options  may be NULL for the defaults.
 * @return CLM_OK; CLM_E_CANCELLED; CLM_E_NOT_FOUND (a model id in the policy the portfolio lacks).
 */
CLM_API clm_status clm_policy_recommend(char **out, size_t *out_len, const clm_policy *policy,
                                        const clm_portfolio *portfolio, const char *as_of,
                                        const clm_recommend_options *options);

/**
 * Recommends the next actions for one customer as of a date (same JSON shape).
 * @return CLM_OK; CLM_E_NOT_FOUND for an unknown customer.
 */
CLM_API clm_status clm_policy_recommend_customer(char **out, size_t *out_len, const clm_policy *policy,
                                                 const clm_portfolio *portfolio, const char *customer_id,
                                                 const char *as_of);

/**
 * A manager's week: the manager's ranked recommendations fitted into the
 * capacity (hours per week, minutes per action kind) with the class time
 * shares respected; what did not fit is listed with the reason.
 * @param[out] out  JSON `{"manager","week_start","capacity_minutes","planned_minutes","classes":[...],
 *        "planned":[... with "day","minutes"],"not_fitted":[... with "not_fitted_because"]}`.
 * @param week   any date in the week (the plan starts on its Monday; facts are as of this date).
 * @param hours  hours per week, or 0 for the policy's.
 */
CLM_API clm_status clm_policy_plan_week(char **out, size_t *out_len, const clm_policy *policy,
                                        const clm_portfolio *portfolio, const char *manager, const char *week,
                                        double hours);

/* Typed results: recommendations, reasons and weekly plans without JSON.
 *  In the manner of sqlite3_column_*(): a call fills a list handle; accessors
 *  copy one entry into a caller-allocated struct (its `struct_size` set by the
 *  caller, e.g. with CLM_RECOMMENDATION_INIT), whose strings are borrowed from
 *  the list and valid until the list is freed. The content is that of the JSON
 *  functions (docs/policy-format.md, "Output"), text in the portfolio's locale
 *  (clm_portfolio_set_locale()). A list is immutable and may be read from
 *  several threads. Errors: CLM_E_INVALID_ARGUMENT for a NULL list or out
 *  parameter, an index out of range, or a `struct_size` smaller than the
 *  struct's first version; the out struct is then left unchanged. */

/** A ranked list of recommendations (clm_policy_recommend_list()). */
typedef struct clm_recommendation_list clm_recommendation_list;

/** One recommendation, filled by clm_recommendation_list_get(). Strings are
 *  borrowed from the list ("" when empty; NULL only where stated). */
typedef struct clm_recommendation {
    size_t struct_size;        /**< sizeof(clm_recommendation) as the caller compiled it. */
    size_t rank;               /**< 1-based rank in the list. */
    const char *customer_id;   /**< The customer. */
    const char *account;       /**< The customer's account as of the date, or NULL. */
    const char *manager;       /**< The customer's manager ("" none). */
    const char *customer_class;/**< The customer's class ("" none). */
    const char *model;         /**< The model the action concerns, or NULL. */
    const char *stage;         /**< The customer's stage in it, or NULL. */
    const char *rule;          /**< The rule that fired. */
    const char *scope;         /**< "deal" or "account". */
    const char *kind;          /**< The action kind ("contact", "send_document", ...). */
    const char *channel;       /**< The channel. */
    const char *goal;          /**< The goal, in the portfolio's locale. */
    const char *product;       /**< The product to offer ("" none). */
    const char *document;      /**< The document the action concerns ("" none). */
    const char *target_stage;  /**< For move_stage ("" otherwise). */
    const char *due;           /**< The due date, YYYY-MM-DD. */
    const char *task;          /**< The stage task, in the portfolio's locale. */
    const char *why;           /**< The rule's description, in the portfolio's locale. */
    double priority;           /**< The rule's priority. */
    double score;              /**< The score (docs/policy-format.md, "Ranking"). */
    double urgency;            /**< 1 + days overdue. */
    double value;              /**< The deal's value. */
    double p_won;              /**< The deal's probability of being won; NaN when unknown. */
    size_t reason_count;       /**< Reasons, read with clm_recommendation_list_reason(). */
    size_t alternative_count;  /**< The customer's other actions, not in the list. */
} clm_recommendation;

/** Initialiser: `clm_recommendation r = CLM_RECOMMENDATION_INIT;`. */
#define CLM_RECOMMENDATION_INIT { sizeof(clm_recommendation), 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0 }

/** One reason of a recommendation as a code and as text, filled by
 *  clm_recommendation_list_reason() (docs/policy-format.md, "Reasons as codes"). */
typedef struct clm_reason {
    size_t struct_size;        /**< sizeof(clm_reason) as the caller compiled it. */
    const char *id;            /**< The stable message id, e.g. "days_in_stage.time_limit". */
    const char *fact;          /**< The fact, as a policy spells it ("days_since_contact"). */
    const char *op;            /**< The operator, as a policy spells it (">=", "in", "not_in", "exists"). */
    double threshold;          /**< The numeric threshold; NaN when none or unknown. */
    const char *threshold_text;/**< The names compared with, ", "-separated, or NULL. */
    double actual;             /**< The fact's value when a number; NaN otherwise. */
    const char *actual_text;   /**< The fact's value when a name, or NULL. */
    const char *subject;       /**< What the fact is about (a control point, holiday, attribute), or NULL. */
    const char *text;          /**< The reason's text in the portfolio's locale. */
} clm_reason;

/** Initialiser: `clm_reason r = CLM_REASON_INIT;`. */
#define CLM_REASON_INIT { sizeof(clm_reason), NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL }

/**
 * clm_policy_recommend() as a list handle: the same recommendations, in the same order.
 * @param[out] out  free with clm_recommendation_list_free().
 * @return as clm_policy_recommend().
 */
CLM_API clm_status clm_policy_recommend_list(clm_recommendation_list **out, const clm_policy *policy,
                                             const clm_portfolio *portfolio, const char *as_of,
                                             const clm_recommend_options *options);

/** Number of recommendations in the list (0 for NULL). */
CLM_API size_t clm_recommendation_list_count(const clm_recommendation_list *list);

/**
 * Copies recommendation `index` into `*out` (its first `out->struct_size` bytes).
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT (NULL list or out, index out of range, struct_size too small).
 */
CLM_API clm_status clm_recommendation_list_get(const clm_recommendation_list *list, size_t index,
                                               clm_recommendation *out);

/**
 * Copies reason `k` of recommendation `index` into `*out` (its first `out->struct_size` bytes).
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT (NULL list or out, an index out of range, struct_size too small).
 */
CLM_API clm_status clm_recommendation_list_reason(const clm_recommendation_list *list, size_t index, size_t k,
                                                  clm_reason *out);

/** Releases a list and every string borrowed from it. NULL is a no-op. */
CLM_API void clm_recommendation_list_free(clm_recommendation_list *list);

/** A manager's weekly plan (clm_policy_plan_week_list()). */
typedef struct clm_plan_list clm_plan_list;

/** One entry of a weekly plan, filled by clm_plan_list_get(). Strings are borrowed from the list. */
typedef struct clm_plan_entry {
    size_t struct_size;        /**< sizeof(clm_plan_entry) as the caller compiled it. */
    int planned;               /**< 1: planned on `day`; 0: not fitted, see `not_fitted_because`. */
    const char *day;           /**< The day it is planned on (YYYY-MM-DD), or NULL when not fitted. */
    double minutes;            /**< The minutes it takes. */
    const char *not_fitted_because; /**< Why it did not fit, or NULL when planned. */
} clm_plan_entry;

/** Initialiser: `clm_plan_entry e = CLM_PLAN_ENTRY_INIT;`. */
#define CLM_PLAN_ENTRY_INIT { sizeof(clm_plan_entry), 0, NULL, 0, NULL }

/**
 * clm_policy_plan_week() as a list handle: the planned entries first, in plan
 * order, then those not fitted. Each entry's recommendation is read with
 * clm_plan_list_recommendation() and its reasons with clm_plan_list_reason().
 * @param[out] out  free with clm_plan_list_free().
 * @return as clm_policy_plan_week().
 */
CLM_API clm_status clm_policy_plan_week_list(clm_plan_list **out, const clm_policy *policy,
                                             const clm_portfolio *portfolio, const char *manager,
                                             const char *week, double hours);

/** Number of entries, planned and not fitted (0 for NULL). */
CLM_API size_t clm_plan_list_count(const clm_plan_list *list);

/** The week's capacity and the minutes planned; 0 for NULL. @param[out] out_planned_minutes may be NULL. */
CLM_API double clm_plan_list_capacity_minutes(const clm_plan_list *list, double *out_planned_minutes);

/** Copies entry `index` into `*out`. @return CLM_OK; CLM_E_INVALID_ARGUMENT as clm_recommendation_list_get(). */
CLM_API clm_status clm_plan_list_get(const clm_plan_list *list, size_t index, clm_plan_entry *out);

/** Copies entry `index`'s recommendation into `*out` (`rank` is 0). @return as clm_recommendation_list_get(). */
CLM_API clm_status clm_plan_list_recommendation(const clm_plan_list *list, size_t index, clm_recommendation *out);

/** Copies reason `k` of entry `index` into `*out`. @return as clm_recommendation_list_reason(). */
CLM_API clm_status clm_plan_list_reason(const clm_plan_list *list, size_t index, size_t k, clm_reason *out);

/** Releases a plan list. NULL is a no-op. */
CLM_API void clm_plan_list_free(clm_plan_list *list);

/** @} */

/* ======================================================================
 * Analytics
 * ====================================================================== */

/** @defgroup analytics Analytics: control and analysis
 *  The management figures of a portfolio (docs/analytics.md defines each one
 *  exactly): the funnel, time in stage, dynamics between two dates with
 *  rotation suggestions, plan against actual per manager, customer value
 *  (Pareto, repeat purchases) and the pipeline forecast. Each function
 *  returns one JSON document, the same as `clm <command> --json`, in a
 *  string the caller frees with clm_string_free(); `out_len` (may be NULL)
 *  receives its length. The portfolio is only read.
 *
 *  Common parameters: `model_id` names the model, or NULL when the portfolio
 *  has exactly one; a date is `YYYY-MM-DD` (every event on that day counts)
 *  or NULL for the date of the newest event.
 *  Errors: CLM_E_INVALID_ARGUMENT (NULL `out` or `portfolio`, a malformed
 *  date, NULL `model_id` with several models), CLM_E_NOT_FOUND (unknown model).
 *  @{ */

/**
 * The funnel of a model as of a date.
 * @param[out] out  JSON `{"model","as_of","customers","won","lost","stages":[{"id","entered",
 *        "current","lost_from","median_days"}],"conversion":[{"from","to","rate"}]}`;
 *        `median_days` is null for a stage with no completed stay, `rate` null when
 *        nobody entered `from`.
 */
CLM_API clm_status clm_portfolio_funnel_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                             const char *model_id, const char *as_of);

/**
 * Time spent in each stage of a model as of a date: mean, median and 90th
 * percentile (nearest rank) of completed stays, open stays and their mean age,
 * customers stuck past the stage's time limit, and the lifecycle duration to won.
 * @param[out] out  JSON `{"model","as_of","stages":[{"id","completed_stays","mean_days","median_days",
 *        "p90_days","open_stays","open_mean_age_days","time_limit_days","stuck":[{"customer_id","days"}]}],
 *        "to_won":{"customers","mean_days","median_days"}}`.
 */
CLM_API clm_status clm_portfolio_time_in_stage_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                                    const char *model_id, const char *as_of);

/**
 * Dynamics between two dates: the stage-to-stage matrix, customers promoted,
 * regressed, unchanged, new and left (overall and per manager), and
 * suggestions to rotate stuck customers to another manager.
 * @param from  the first date (required).
 * @param to    the second date, after `from`; NULL for the newest event's date.
 * @param[out] out  JSON `{"model","from","to","stages":[{"id","rank"}],"matrix":[{"from","to":{...}}],
 *        "totals":{...},"managers":[...],"rotation":[{"customer_id","stage","days_in_stage","manager",
 *        "to_manager","reason"}]}`.
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT also when `from` is not before `to`.
 */
CLM_API clm_status clm_portfolio_dynamics_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *model_id, const char *from, const char *to);

/**
 * Actual against plan per manager for the plan's period.
 * @param plan_json  the plan, `plan_len` bytes of UTF-8 JSON: `{"from","to","threshold",
 *        "managers":{NAME:{"active_customers","new_customers","prospects_contacted",
 *        "products_sold","contacts"}}}` (threshold and indicators optional).
 * @param[out] out  JSON `{"model","from","to","threshold","managers":[{"manager","planned",
 *        "indicators":{NAME:{"plan","actual","deviation","flagged"}}}]}`.
 * @return CLM_OK; CLM_E_PARSE (malformed plan) or CLM_E_VALIDATION (a wrong field), with every
 *         problem as `plan:LINE:COL: error: ...` in clm_last_error().
 */
CLM_API clm_status clm_portfolio_plan_actual_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                                  const char *model_id, const char *plan_json, size_t plan_len);

/**
 * Customer value as of a date, over every model of the portfolio: Pareto (the
 * fewest customers bringing 80% of revenue), the share of buyers with a repeat
 * purchase, revenue by class and by current stage in each model.
 * @param[out] out  JSON `{"as_of","customers","revenue","pareto":{...},"repeat":{...},
 *        "by_class":[...],"by_stage":[{"model","stages":[...]}]}`.
 */
CLM_API clm_status clm_portfolio_value_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                            const char *as_of);

/**
 * Pipeline forecast as of a date: transition probabilities estimated from
 * completed stays, each stage's probability of reaching a won stage and the
 * expected days to it (absorbing Markov chain), and the expected revenue of
 * the open pipeline, summed over the open deals with their per-deal
 * probabilities (see clm_portfolio_forecast_customers_json()).
 * @param[out] out  JSON `{"model","as_of","stages":[{"id","source","completed_stays","censored_stays",
 *        "next","mean_days","p_win","expected_days_to_win","never_leave","last_exit_days",
 *        "open_customers","expected_wins","expected_revenue"}],
 *        "pipeline":{"open_customers","expected_wins","expected_revenue","overall_mean_amount",
 *        "value_basis":{...}}}`.
 */
CLM_API clm_status clm_portfolio_forecast_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *model_id, const char *as_of);

/** The funnel's stages (clm_portfolio_funnel_list()): a list handle read
 *  as the recommendation lists are (see clm_recommendation_list_get()). */
typedef struct clm_funnel_list clm_funnel_list;

/** One stage of the funnel, filled by clm_funnel_list_get(). Strings are borrowed from the list. */
typedef struct clm_funnel_stage {
    size_t struct_size;        /**< sizeof(clm_funnel_stage) as the caller compiled it. */
    const char *id;            /**< The stage id. */
    const char *name;          /**< The stage name in the portfolio's locale. */
    size_t entered;            /**< Customers who entered it by the date. */
    size_t current;            /**< Customers in it on the date. */
    size_t lost_from;          /**< Moves from it into a lost stage by the date. */
    double median_days;        /**< Median days of its completed stays; NaN when none. */
    double conversion_rate;    /**< To the next stage of the main path; NaN when none or nobody entered. */
} clm_funnel_stage;

/** Initialiser: `clm_funnel_stage s = CLM_FUNNEL_STAGE_INIT;`. */
#define CLM_FUNNEL_STAGE_INIT { sizeof(clm_funnel_stage), NULL, NULL, 0, 0, 0, 0, 0 }

/**
 * clm_portfolio_funnel_json() as a list handle: one entry per stage, in model order.
 * @param[out] out  free with clm_funnel_list_free().
 */
CLM_API clm_status clm_portfolio_funnel_list(clm_funnel_list **out, const clm_portfolio *portfolio,
                                             const char *model_id, const char *as_of);

/** Number of stages (0 for NULL). */
CLM_API size_t clm_funnel_list_count(const clm_funnel_list *list);

/** Copies stage `index` into `*out`. @return CLM_OK; CLM_E_INVALID_ARGUMENT as clm_recommendation_list_get(). */
CLM_API clm_status clm_funnel_list_get(const clm_funnel_list *list, size_t index, clm_funnel_stage *out);

/** Releases a funnel list. NULL is a no-op. */
CLM_API void clm_funnel_list_free(clm_funnel_list *list);

/** @} */

/* ======================================================================
 * Reports
 * ====================================================================== */

/** @defgroup report Reports
 *  The management report as one self-contained HTML5 page (inline CSS and
 *  SVG; no script, font, image or network access): the lifecycle diagram,
 *  funnel, time in stage, dynamics, forecast, customer value and, with a
 *  policy, the top recommendations. Every figure is rendered from the JSON of
 *  the analyses above, which the page embeds whole in
 *  `<script type="application/json" id="clm-data">`. See docs/analytics.md.
 *  @{ */

/**
 * The HTML report of one model as of a date (the same page as `clm report --html`).
 * @param[out] out      receives the UTF-8 HTML page; free with clm_string_free().
 * @param[out] out_len  receives its length in bytes (may be NULL).
 * @param model_id  the model; NULL when the portfolio has exactly one.
 * @param as_of     the date (`YYYY-MM-DD`, every event on it counted); NULL for the newest event's date.
 * @param from      the first date of the dynamics section, before `as_of`; NULL for 30 days before `as_of`.
 * @param policy    the policy of the top-10 recommendations section; NULL leaves the section out.
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT for a bad date or `from` not before `as_of`;
 *         CLM_E_NOT_FOUND for an unknown model (or one the policy names).
 */
CLM_API clm_status clm_portfolio_report_html(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                             const char *model_id, const char *as_of, const char *from,
                                             const clm_policy *policy);

/** @} */

/* ======================================================================
 * Per-deal forecast and backtest
 * ====================================================================== */

/** @defgroup forecast_check Per-deal forecast and backtest
 *  Every open deal's probability of being won given its stage and the days it
 *  has spent there, estimated from the journal up to the date only (survival
 *  of the stage's stays with open stays censored, shrunk towards the stage
 *  rate where the data are thin), and a backtest that replays the journal to
 *  one date and checks the probabilities against what happened by a later
 *  one. Definitions and formulas: docs/analytics.md.
 *  @{ */

/**
 * Every open customer's forecast as of a date (the same JSON as
 * `clm forecast --per-customer --json`).
 * @param[out] out  JSON `{"model","as_of","method":{"min_sample","prior_weight","age_alpha","age_check_days","age_check_origins"},"customers":[{"customer_id",
 *        "stage","days_in_stage","p_won","value","expected_value","expected_days_to_close","basis"}]}`;
 *        free with clm_string_free().
 * @param[out] out_len  receives its length in bytes (may be NULL).
 * @param model_id  the model; NULL when the portfolio has exactly one.
 * @param as_of     the date (`YYYY-MM-DD`); NULL for the newest event's date.
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT for a bad date; CLM_E_NOT_FOUND for an unknown model.
 */
CLM_API clm_status clm_portfolio_forecast_customers_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                                         const char *model_id, const char *as_of);

/**
 * The backtest of the forecast (the same JSON as `clm backtest --json`):
 * scores every deal open on `as_of` from the journal up to that date, and
 * checks the scores against each deal's stage on `until`.
 * @param[out] out  JSON `{"model","as_of","until","open","closed","won","lost","still_open",
 *        "per_deal":{"auc","brier","calibration":[{"lo","hi","count","predicted","observed"}]},
 *        "stage_only":{...},"policy":{"flagged","lost","won","still_open","share_lost"}|null,"notes":[...]}`;
 *        free with clm_string_free().
 * @param[out] out_len  receives its length in bytes (may be NULL).
 * @param model_id  the model; NULL when the portfolio has exactly one.
 * @param as_of     the forecast date (`YYYY-MM-DD`); required.
 * @param until     the outcome date, after `as_of`; NULL for the newest event's date.
 * @param policy    a policy whose re-qualify / close advice on `as_of` is checked too; NULL for none.
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT for a bad date, `until` not after `as_of`, or a model
 *         without a won stage; CLM_E_NOT_FOUND for an unknown model.
 */
CLM_API clm_status clm_portfolio_backtest_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *model_id, const char *as_of, const char *until,
                                               const clm_policy *policy);

/** @} */

/* =============================================================== * Streaming import
 * ====================================================================== */

/** @defgroup ingest Streaming import
 *  An event log larger than the host wants to hold in memory, read through a
 *  callback (docs/embedding.md). The portfolio functions above cover the rest
 *  of ingestion: time zones (clm_portfolio_set_time_zone()), the cursor and
 *  the observer.
 *  @{ */

/**
 * Supplies the next bytes of a stream (clm_portfolio_import_csv_stream()).
 * @param buffer, capacity  where to write, and at most how many bytes.
 * @param payload  the pointer given with the callback.
 * @return the bytes written (1 to capacity), 0 at the end of the stream, or a
 *         negative value for an error (the import fails with CLM_E_CALLBACK).
 */
typedef int64_t (*clm_read_fn)(char *buffer, size_t capacity, void *payload);

/**
 * Imports an event-log CSV from a stream the host reads, in bounded memory:
 * the library asks `read` for up to 1 MiB at a time and applies the complete
 * rows of each MiB (sorted by time, as clm_portfolio_import_csv() sorts a
 * file) before reading on, so memory holds about three chunks and the longest
 * row, not the log. A customer's row older than one of an earlier chunk is a
 * late event, folded in at its time (clm_portfolio_set_strict_time_order()).
 * The import is still
 * all-or-nothing (unless CLM_BATCH_SKIP_BAD, as for clm_portfolio_import_csv()).
 * @param[out] out_applied     events applied (may be NULL).
 * @param[out] out_rejections  "" or one `NAME:LINE: message` line per skipped row; free with clm_string_free() (may be NULL).
 * @param[out] out_warnings    "" or one `NAME:LINE:COL: warning: ...` line per value in a column its row's
 *        type does not use (e.g. `amount` on a `contact`: kept, but nothing reads it), at most 100 and a count;
 *        free with clm_string_free() (may be NULL); then one `NAME:LINE: note: ...` line per group of one
 *        customer's same-time rows applied in another order than the stream's (docs/event-log.md).
 * @param read, read_payload   the stream.
 * @param name      the stream's name in messages (may be NULL).
 * @param flags     0 or CLM_BATCH_SKIP_BAD.
 * @param progress  called after each chunk with the bytes read so far and 0 (the total is unknown); a
 *        non-zero return cancels (CLM_E_CANCELLED, nothing imported). May be NULL.
 * @return CLM_OK; CLM_E_PARSE (malformed rows, with the stream's line numbers); CLM_E_ILLEGAL_TRANSITION,
 *         CLM_E_GUARD_FAILED, CLM_E_INVALID_ARGUMENT (a late row in strict time order) ...;
 *         CLM_E_CALLBACK (the reader failed); CLM_E_CANCELLED. On any error nothing changes.
 */
CLM_API clm_status clm_portfolio_import_csv_stream(size_t *out_applied, char **out_rejections, char **out_warnings,
                                                   clm_portfolio *portfolio, clm_read_fn read, void *read_payload,
                                                   const char *name, unsigned flags, clm_progress_fn progress,
                                                   void *progress_payload);

/** @} */

/* ------------------------------------------------------------------------- */
/** @defgroup partial Partial results: the analyses in parts, merged
 *  For engines that split a portfolio over processes or machines (Dask,
 *  Spark, any map-reduce; docs/distributed.md). Each part imports its share
 *  of the event log (clm_portfolio_import_partition(): by a stable hash of
 *  the customer's account, else of the customer id), computes a partial
 *  (clm_portfolio_partial_json()), the partials are merged in any grouping
 *  and order (clm_partial_merge_json(): associative and commutative), and the
 *  merged partial is finished (clm_partial_finish_json()) into exactly the
 *  document the whole portfolio gives, byte for byte: counts add up, medians
 *  and percentiles come from merged day histograms, money and probabilities
 *  from exact sums. Merge each part's partial once: a part merged twice is
 *  counted twice.
 *
 *  The forecast takes two rounds: every part's `forecast-fit` partial (the
 *  stays of every stage, the purchase amounts), merged; then every part's
 *  `forecast` partial given that merged fit (its open deals scored), merged
 *  and finished.
 *
 *  Lifecycle: partials are JSON strings owned by the caller (free with
 *  clm_string_free()). Threading: the functions touch only their arguments.
 *  @{ */

/**
 * The part, in [0, parts), of a partition key (an account name, or the id of a
 * customer without one): FNV-1a 64-bit of the key's bytes, modulo `parts`.
 * @param[out] out  receives the part.
 * @param key  the key's UTF-8 bytes (need not be NUL-terminated).
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT when `parts` is 0.
 */
CLM_API clm_status clm_partition_of(uint32_t *out, const char *key, size_t key_len, uint32_t parts);

/**
 * Imports the rows of event-log CSV files that belong to part `part` of
 * `parts` (clm_partition_of() of the customer's account as of `as_of`, else
 * of the customer id): every file is read, only the part's rows are parsed
 * into events, and errors name the file and line as clm_portfolio_import_csv_file()
 * would. All or nothing over the files.
 * @param files  `file_count` paths.
 * @param as_of  the date whose accounts decide the parts (`YYYY-MM-DD`); required.
 * @return CLM_OK; CLM_E_IO when a file cannot be read; CLM_E_PARSE or CLM_E_VALIDATION
 *         for a bad row (nothing imported); CLM_E_INVALID_ARGUMENT for a bad date or part.
 */
CLM_API clm_status clm_portfolio_import_partition(clm_portfolio *portfolio, const char **files, size_t file_count,
                                                  const char *as_of, uint32_t part, uint32_t parts);

/**
 * The partial result of one analysis over this portfolio (one part).
 * @param[out] out  the partial, a JSON object `{"clm_partial":1,"analysis","model","stages","as_of",...}`;
 *        free with clm_string_free().
 * @param[out] out_len  receives its length in bytes (may be NULL).
 * @param model_id  the model; NULL when the portfolio has exactly one.
 * @param analysis  `status`, `funnel`, `time-in-stage`, `forecast-fit` or `forecast`.
 * @param as_of     the date (`YYYY-MM-DD`); required.
 * @param fit_json  for `forecast` only: the merged `forecast-fit` partial of every part; NULL otherwise.
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT for an unknown analysis, a bad date, a missing,
 *         unexpected or mismatched fit; CLM_E_NOT_FOUND for an unknown model.
 */
CLM_API clm_status clm_portfolio_partial_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                              const char *model_id, const char *analysis, const char *as_of,
                                              const char *fit_json, size_t fit_len);

/**
 * Merges two partials of the same analysis, model and date.
 * @param[out] out  the merged partial; free with clm_string_free().
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT when they differ or either is malformed.
 */
CLM_API clm_status clm_partial_merge_json(char **out, size_t *out_len, const char *a, size_t a_len, const char *b,
                                          size_t b_len);

/**
 * Finishes a merged partial into the document of the whole portfolio: the
 * JSON of `clm status|funnel|time-in-stage|forecast --json` (for
 * `forecast-fit`, the forecast's stage rates without deals).
 * @param[out] out  the document; free with clm_string_free().
 * @param model   the model the partial is of.
 * @param indent  -1 for compact JSON; 0 to 16 for that many spaces per level, followed by a newline
 *        (the `clm` command prints indent 2 so).
 * @return CLM_OK; CLM_E_INVALID_ARGUMENT when the partial is malformed, of another model, or `indent` < -1.
 */
CLM_API clm_status clm_partial_finish_json(char **out, size_t *out_len, const clm_model *model, const char *partial,
                                           size_t partial_len, int indent);

/** @} */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CLM_H */
