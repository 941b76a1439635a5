-- clm_cdef.lua -- GENERATED from include/clm/clm.h by bindings/luajit/gen_cdef.lua. Do not edit:
-- regenerate with `luajit bindings/luajit/gen_cdef.lua` (tests/test_clm.lua checks it is current).
return {
  version = { major = 0, minor = 1, patch = 0, number = 100, string = "0.1.0" },
  constants = {
    CLM_VERSION_MAJOR = 0,
    CLM_VERSION_MINOR = 1,
    CLM_VERSION_PATCH = 0,
    CLM_VERSION_NUMBER = 100,
    CLM_VERSION_STRING = "0.1.0",
    CLM_BATCH_SKIP_BAD = 1,
  },
  functions = {
    "clm_last_error",
    "clm_last_status",
    "clm_status_name",
    "clm_version_number",
    "clm_version_string",
    "clm_string_free",
    "clm_preset_count",
    "clm_preset_id",
    "clm_model_preset",
    "clm_model_from_json",
    "clm_model_load",
    "clm_model_validate_json",
    "clm_model_free",
    "clm_model_id",
    "clm_model_version",
    "clm_model_name",
    "clm_model_stage_count",
    "clm_model_initial_stage",
    "clm_model_find_stage",
    "clm_model_stage_id",
    "clm_model_stage_name",
    "clm_model_stage_task",
    "clm_model_stage_kind",
    "clm_model_stage_time_limit",
    "clm_model_stage_probability",
    "clm_model_stage_requirement_count",
    "clm_model_stage_requirement",
    "clm_model_transition_count",
    "clm_model_transition",
    "clm_model_next_stage",
    "clm_model_render",
    "clm_model_migrate_stage",
    "clm_model_set_locale",
    "clm_model_locale",
    "clm_model_locale_count",
    "clm_model_locale_at",
    "clm_model_builder_new",
    "clm_model_builder_free",
    "clm_model_builder_set_name",
    "clm_model_builder_add_stage",
    "clm_model_builder_set_time_limit",
    "clm_model_builder_set_probability",
    "clm_model_builder_add_requirement",
    "clm_model_builder_set_initial",
    "clm_model_builder_add_transition",
    "clm_model_builder_guard_requires",
    "clm_model_builder_guard_min_days",
    "clm_model_builder_guard_predicate",
    "clm_model_builder_add_reason",
    "clm_model_builder_add_migration",
    "clm_model_builder_build",
    "clm_portfolio_new",
    "clm_portfolio_free",
    "clm_portfolio_add_model",
    "clm_portfolio_model_count",
    "clm_portfolio_model",
    "clm_portfolio_migrate",
    "clm_portfolio_register_predicate",
    "clm_portfolio_apply",
    "clm_portfolio_apply_batch",
    "clm_portfolio_import_csv",
    "clm_portfolio_import_csv_file",
    "clm_portfolio_export_events",
    "clm_portfolio_customer_count",
    "clm_portfolio_customer_id",
    "clm_portfolio_event_count",
    "clm_portfolio_stage",
    "clm_portfolio_stage_counts",
    "clm_portfolio_customer_json",
    "clm_portfolio_history_json",
    "clm_portfolio_export",
    "clm_portfolio_save",
    "clm_portfolio_load",
    "clm_portfolio_save_buffer",
    "clm_portfolio_load_buffer",
    "clm_portfolio_last_seq",
    "clm_portfolio_events_since",
    "clm_portfolio_set_observer",
    "clm_portfolio_observed_seq",
    "clm_portfolio_erase_customer",
    "clm_portfolio_set_time_zone",
    "clm_portfolio_set_locale",
    "clm_portfolio_set_strict_time_order",
    "clm_policy_preset_count",
    "clm_policy_preset_id",
    "clm_policy_from_json",
    "clm_policy_load",
    "clm_policy_validate_json",
    "clm_policy_free",
    "clm_policy_id",
    "clm_policy_rule_count",
    "clm_policy_rule_id",
    "clm_policy_recommend",
    "clm_policy_recommend_customer",
    "clm_policy_plan_week",
    "clm_policy_recommend_list",
    "clm_recommendation_list_count",
    "clm_recommendation_list_get",
    "clm_recommendation_list_reason",
    "clm_recommendation_list_free",
    "clm_policy_plan_week_list",
    "clm_plan_list_count",
    "clm_plan_list_capacity_minutes",
    "clm_plan_list_get",
    "clm_plan_list_recommendation",
    "clm_plan_list_reason",
    "clm_plan_list_free",
    "clm_portfolio_funnel_json",
    "clm_portfolio_time_in_stage_json",
    "clm_portfolio_dynamics_json",
    "clm_portfolio_plan_actual_json",
    "clm_portfolio_value_json",
    "clm_portfolio_forecast_json",
    "clm_portfolio_funnel_list",
    "clm_funnel_list_count",
    "clm_funnel_list_get",
    "clm_funnel_list_free",
    "clm_portfolio_report_html",
    "clm_portfolio_forecast_customers_json",
    "clm_portfolio_backtest_json",
    "clm_portfolio_import_csv_stream",
    "clm_partition_of",
    "clm_portfolio_import_partition",
    "clm_portfolio_partial_json",
    "clm_partial_merge_json",
    "clm_partial_finish_json",
  },
  cdef = [[
typedef enum clm_status {
    CLM_OK = 0,
    CLM_E_INVALID_ARGUMENT = 1,
    CLM_E_NO_MEMORY = 2,
    CLM_E_PARSE = 3,
    CLM_E_VALIDATION = 4,
    CLM_E_NOT_FOUND = 5,
    CLM_E_ILLEGAL_TRANSITION = 6,
    CLM_E_GUARD_FAILED = 7,
    CLM_E_IO = 8,
    CLM_E_CORRUPT = 9,
    CLM_E_VERSION = 10,
    CLM_E_DUPLICATE = 11,
    CLM_E_BUFFER_TOO_SMALL = 12,
    CLM_E_CANCELLED = 13,
    CLM_E_CALLBACK = 14,
    CLM_E_INTERNAL = 15
} clm_status;

const char *clm_last_error(void);

clm_status clm_last_status(void);

const char *clm_status_name(clm_status status);

int clm_version_number(void);

const char *clm_version_string(void);

void clm_string_free(char *str);

typedef struct clm_model clm_model;

typedef enum clm_stage_kind {
    CLM_STAGE_OPEN = 0,
    CLM_STAGE_WON = 1,
    CLM_STAGE_LOST = 2,
    CLM_STAGE_DORMANT = 3,
    CLM_STAGE_TERMINAL = 4
} clm_stage_kind;

typedef enum clm_model_format {
    CLM_FORMAT_TEXT = 0,
    CLM_FORMAT_JSON = 1,
    CLM_FORMAT_DOT = 2,
    CLM_FORMAT_MERMAID = 3
} clm_model_format;

size_t clm_preset_count(void);

const char *clm_preset_id(size_t index);

clm_status clm_model_preset(clm_model **out, const char *preset_id);

clm_status clm_model_from_json(clm_model **out, const char *json, size_t len);

clm_status clm_model_load(clm_model **out, const char *preset_or_path);

clm_status clm_model_validate_json(char **out_report, size_t *out_count,
                                           const char *json, size_t len, const char *name);

void clm_model_free(clm_model *model);

const char *clm_model_id(const clm_model *model);

int clm_model_version(const clm_model *model);

const char *clm_model_name(const clm_model *model);

size_t clm_model_stage_count(const clm_model *model);

size_t clm_model_initial_stage(const clm_model *model);

clm_status clm_model_find_stage(size_t *out, const clm_model *model, const char *stage_id);

const char *clm_model_stage_id(const clm_model *model, size_t index);

const char *clm_model_stage_name(const clm_model *model, size_t index);

const char *clm_model_stage_task(const clm_model *model, size_t index);

int clm_model_stage_kind(const clm_model *model, size_t index);

int clm_model_stage_time_limit(const clm_model *model, size_t index);

double clm_model_stage_probability(const clm_model *model, size_t index);

size_t clm_model_stage_requirement_count(const clm_model *model, size_t index);

const char *clm_model_stage_requirement(const clm_model *model, size_t index, size_t item);

size_t clm_model_transition_count(const clm_model *model);

clm_status clm_model_transition(size_t *out_from, size_t *out_to, const char **out_event,
                                        const clm_model *model, size_t index);

clm_status clm_model_next_stage(size_t *out, const clm_model *model, size_t from_stage,
                                        const char *event);

clm_status clm_model_render(char **out, size_t *out_len, const clm_model *model,
                                    clm_model_format format);

clm_status clm_model_migrate_stage(size_t *out, const clm_model *model, int from_version,
                                           const char *old_stage_id);

clm_status clm_model_set_locale(clm_model *model, const char *locale);

const char *clm_model_locale(const clm_model *model);

size_t clm_model_locale_count(const clm_model *model);

const char *clm_model_locale_at(const clm_model *model, size_t index);

typedef struct clm_model_builder clm_model_builder;

clm_status clm_model_builder_new(clm_model_builder **out, const char *model_id, int version);

void clm_model_builder_free(clm_model_builder *builder);

clm_status clm_model_builder_set_name(clm_model_builder *builder, const char *name);

clm_status clm_model_builder_add_stage(clm_model_builder *builder, const char *stage_id,
                                               const char *name, clm_stage_kind kind, const char *task);

clm_status clm_model_builder_set_time_limit(clm_model_builder *builder, const char *stage_id, int days);

clm_status clm_model_builder_set_probability(clm_model_builder *builder, const char *stage_id, double p);

clm_status clm_model_builder_add_requirement(clm_model_builder *builder, const char *stage_id, const char *item);

clm_status clm_model_builder_set_initial(clm_model_builder *builder, const char *stage_id);

clm_status clm_model_builder_add_transition(clm_model_builder *builder, const char *from,
                                                    const char *to, const char *event);

clm_status clm_model_builder_guard_requires(clm_model_builder *builder, const char *from,
                                                    const char *event, const char *item);

clm_status clm_model_builder_guard_min_days(clm_model_builder *builder, const char *from,
                                                    const char *event, int days);

clm_status clm_model_builder_guard_predicate(clm_model_builder *builder, const char *from,
                                                     const char *event, const char *predicate_name);

clm_status clm_model_builder_add_reason(clm_model_builder *builder, const char *from,
                                                const char *event, const char *reason, int required);

clm_status clm_model_builder_add_migration(clm_model_builder *builder, int from_version,
                                                   const char *old_stage_id, const char *new_stage_id);

clm_status clm_model_builder_build(clm_model **out, const clm_model_builder *builder);

typedef struct clm_portfolio clm_portfolio;

typedef struct clm_event {
    size_t struct_size;
    const char *customer_id;
    const char *timestamp;
    const char *type;
    const char *value;
    const char *model;
    const char *channel;
    const char *manager;
    const char *reason;
    const char *due;
    const char *note;
    double amount;
    int has_amount;
    const char *account;
} clm_event;

typedef enum clm_export_format {
    CLM_EXPORT_CSV = 0,
    CLM_EXPORT_JSON = 1
} clm_export_format;

typedef int (*clm_predicate_fn)(const char *customer_id, const char *model_id, const char *from_stage,
                                const char *to_stage, const char *date, void *payload);

clm_status clm_portfolio_new(clm_portfolio **out);

void clm_portfolio_free(clm_portfolio *portfolio);

clm_status clm_portfolio_add_model(size_t *out_slot, clm_portfolio *portfolio, const clm_model *model);

size_t clm_portfolio_model_count(const clm_portfolio *portfolio);

const clm_model *clm_portfolio_model(const clm_portfolio *portfolio, size_t slot);

clm_status clm_portfolio_migrate(clm_portfolio *portfolio, const clm_model *newer);

clm_status clm_portfolio_register_predicate(clm_portfolio *portfolio, const char *name,
                                                    clm_predicate_fn fn, void *payload);

clm_status clm_portfolio_apply(clm_portfolio *portfolio, const clm_event *event);

clm_status clm_portfolio_apply_batch(size_t *out_applied, char **out_rejections, clm_portfolio *portfolio,
                                             const clm_event *events, size_t count, unsigned flags);

clm_status clm_portfolio_import_csv(size_t *out_applied, char **out_rejections, clm_portfolio *portfolio,
                                            const char *csv, size_t len, const char *name, unsigned flags);

clm_status clm_portfolio_import_csv_file(size_t *out_applied, char **out_rejections,
                                                 clm_portfolio *portfolio, const char *path, unsigned flags);

clm_status clm_portfolio_export_events(char **out, size_t *out_len, const clm_portfolio *portfolio);

size_t clm_portfolio_customer_count(const clm_portfolio *portfolio);

const char *clm_portfolio_customer_id(const clm_portfolio *portfolio, size_t index);

size_t clm_portfolio_event_count(const clm_portfolio *portfolio);

clm_status clm_portfolio_stage(size_t *out_stage, int64_t *out_days, const clm_portfolio *portfolio,
                                       const char *customer_id, const char *model_id, const char *as_of);

clm_status clm_portfolio_stage_counts(size_t *counts, size_t capacity, size_t *out_total,
                                              const clm_portfolio *portfolio, const char *model_id, const char *as_of);

clm_status clm_portfolio_customer_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *customer_id, const char *as_of);

clm_status clm_portfolio_history_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                              const char *customer_id);

clm_status clm_portfolio_export(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                        const char *as_of, clm_export_format format);

clm_status clm_portfolio_save(const clm_portfolio *portfolio, const char *path);

clm_status clm_portfolio_load(clm_portfolio **out, const char *path);

clm_status clm_portfolio_save_buffer(char **out, size_t *out_len, const clm_portfolio *portfolio);

clm_status clm_portfolio_load_buffer(clm_portfolio **out, const char *data, size_t len, const char *name);

typedef struct clm_change {
    size_t struct_size;
    uint64_t seq;
    const clm_event *event;
    const char *model;
    const char *from_stage;
    const char *to_stage;
} clm_change;

typedef int (*clm_change_fn)(const clm_change *change, void *payload);

uint64_t clm_portfolio_last_seq(const clm_portfolio *portfolio);

clm_status clm_portfolio_events_since(uint64_t *out_next, const clm_portfolio *portfolio, uint64_t after,
                                              size_t limit, clm_change_fn fn, void *payload);

clm_status clm_portfolio_set_observer(clm_portfolio *portfolio, clm_change_fn fn, void *payload);

uint64_t clm_portfolio_observed_seq(const clm_portfolio *portfolio);

clm_status clm_portfolio_erase_customer(clm_portfolio *portfolio, const char *customer_id);

clm_status clm_portfolio_set_time_zone(clm_portfolio *portfolio, const char *offset);

clm_status clm_portfolio_set_locale(clm_portfolio *portfolio, const char *locale);

clm_status clm_portfolio_set_strict_time_order(clm_portfolio *portfolio, int strict);

typedef struct clm_policy clm_policy;

typedef int (*clm_progress_fn)(size_t done, size_t total, void *payload);

typedef struct clm_recommend_options {
    size_t struct_size;
    const char *manager;
    size_t limit;
    unsigned threads;
    clm_progress_fn progress;
    void *payload;
    size_t per_customer;
    const char *forecast_fit;
    size_t forecast_fit_len;
} clm_recommend_options;

size_t clm_policy_preset_count(void);

const char *clm_policy_preset_id(size_t index);

clm_status clm_policy_from_json(clm_policy **out, const char *json, size_t len);

clm_status clm_policy_load(clm_policy **out, const char *preset_or_path);

clm_status clm_policy_validate_json(char **out_report, size_t *out_count, const char *json, size_t len,
                                            const char *name);

void clm_policy_free(clm_policy *policy);

const char *clm_policy_id(const clm_policy *policy);

size_t clm_policy_rule_count(const clm_policy *policy);

const char *clm_policy_rule_id(const clm_policy *policy, size_t index);

clm_status clm_policy_recommend(char **out, size_t *out_len, const clm_policy *policy,
                                        const clm_portfolio *portfolio, const char *as_of,
                                        const clm_recommend_options *options);

clm_status clm_policy_recommend_customer(char **out, size_t *out_len, const clm_policy *policy,
                                                 const clm_portfolio *portfolio, const char *customer_id,
                                                 const char *as_of);

clm_status clm_policy_plan_week(char **out, size_t *out_len, const clm_policy *policy,
                                        const clm_portfolio *portfolio, const char *manager, const char *week,
                                        double hours);

typedef struct clm_recommendation_list clm_recommendation_list;

typedef struct clm_recommendation {
    size_t struct_size;
    size_t rank;
    const char *customer_id;
    const char *account;
    const char *manager;
    const char *customer_class;
    const char *model;
    const char *stage;
    const char *rule;
    const char *scope;
    const char *kind;
    const char *channel;
    const char *goal;
    const char *product;
    const char *document;
    const char *target_stage;
    const char *due;
    const char *task;
    const char *why;
    double priority;
    double score;
    double urgency;
    double value;
    double p_won;
    size_t reason_count;
    size_t alternative_count;
} clm_recommendation;

typedef struct clm_reason {
    size_t struct_size;
    const char *id;
    const char *fact;
    const char *op;
    double threshold;
    const char *threshold_text;
    double actual;
    const char *actual_text;
    const char *subject;
    const char *text;
} clm_reason;

clm_status clm_policy_recommend_list(clm_recommendation_list **out, const clm_policy *policy,
                                             const clm_portfolio *portfolio, const char *as_of,
                                             const clm_recommend_options *options);

size_t clm_recommendation_list_count(const clm_recommendation_list *list);

clm_status clm_recommendation_list_get(const clm_recommendation_list *list, size_t index,
                                               clm_recommendation *out);

clm_status clm_recommendation_list_reason(const clm_recommendation_list *list, size_t index, size_t k,
                                                  clm_reason *out);

void clm_recommendation_list_free(clm_recommendation_list *list);

typedef struct clm_plan_list clm_plan_list;

typedef struct clm_plan_entry {
    size_t struct_size;
    int planned;
    const char *day;
    double minutes;
    const char *not_fitted_because;
} clm_plan_entry;

clm_status clm_policy_plan_week_list(clm_plan_list **out, const clm_policy *policy,
                                             const clm_portfolio *portfolio, const char *manager,
                                             const char *week, double hours);

size_t clm_plan_list_count(const clm_plan_list *list);

double clm_plan_list_capacity_minutes(const clm_plan_list *list, double *out_planned_minutes);

clm_status clm_plan_list_get(const clm_plan_list *list, size_t index, clm_plan_entry *out);

clm_status clm_plan_list_recommendation(const clm_plan_list *list, size_t index, clm_recommendation *out);

clm_status clm_plan_list_reason(const clm_plan_list *list, size_t index, size_t k, clm_reason *out);

void clm_plan_list_free(clm_plan_list *list);

clm_status clm_portfolio_funnel_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                             const char *model_id, const char *as_of);

clm_status clm_portfolio_time_in_stage_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                                    const char *model_id, const char *as_of);

clm_status clm_portfolio_dynamics_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *model_id, const char *from, const char *to);

clm_status clm_portfolio_plan_actual_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                                  const char *model_id, const char *plan_json, size_t plan_len);

clm_status clm_portfolio_value_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                            const char *as_of);

clm_status clm_portfolio_forecast_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *model_id, const char *as_of);

typedef struct clm_funnel_list clm_funnel_list;

typedef struct clm_funnel_stage {
    size_t struct_size;
    const char *id;
    const char *name;
    size_t entered;
    size_t current;
    size_t lost_from;
    double median_days;
    double conversion_rate;
} clm_funnel_stage;

clm_status clm_portfolio_funnel_list(clm_funnel_list **out, const clm_portfolio *portfolio,
                                             const char *model_id, const char *as_of);

size_t clm_funnel_list_count(const clm_funnel_list *list);

clm_status clm_funnel_list_get(const clm_funnel_list *list, size_t index, clm_funnel_stage *out);

void clm_funnel_list_free(clm_funnel_list *list);

clm_status clm_portfolio_report_html(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                             const char *model_id, const char *as_of, const char *from,
                                             const clm_policy *policy);

clm_status clm_portfolio_forecast_customers_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                                         const char *model_id, const char *as_of);

clm_status clm_portfolio_backtest_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                               const char *model_id, const char *as_of, const char *until,
                                               const clm_policy *policy);

typedef int64_t (*clm_read_fn)(char *buffer, size_t capacity, void *payload);

clm_status clm_portfolio_import_csv_stream(size_t *out_applied, char **out_rejections, char **out_warnings,
                                                   clm_portfolio *portfolio, clm_read_fn read, void *read_payload,
                                                   const char *name, unsigned flags, clm_progress_fn progress,
                                                   void *progress_payload);

clm_status clm_partition_of(uint32_t *out, const char *key, size_t key_len, uint32_t parts);

clm_status clm_portfolio_import_partition(clm_portfolio *portfolio, const char **files, size_t file_count,
                                                  const char *as_of, uint32_t part, uint32_t parts);

clm_status clm_portfolio_partial_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                              const char *model_id, const char *analysis, const char *as_of,
                                              const char *fit_json, size_t fit_len);

clm_status clm_partial_merge_json(char **out, size_t *out_len, const char *a, size_t a_len, const char *b,
                                          size_t b_len);

clm_status clm_partial_finish_json(char **out, size_t *out_len, const clm_model *model, const char *partial,
                                           size_t partial_len, int indent);
]],
}
