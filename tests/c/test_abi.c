/* The C ABI, exercised from strict C99: statuses, last-error messages,
 * ownership, and that a failed call changes nothing. */
#include <clm/clm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                          \
    do {                                                                     \
        ++checks;                                                            \
        if (!(cond)) {                                                       \
            ++failures;                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                    \
    } while (0)

#define CHECK_STATUS(call, expected) CHECK((call) == (expected))
#define CONTAINS(hay, needle) (strstr((hay), (needle)) != NULL)

static void test_version_and_errors(void) {
    CHECK(clm_version_number() == CLM_VERSION_NUMBER);
    CHECK(strcmp(clm_version_string(), CLM_VERSION_STRING) == 0);
    CHECK(clm_last_error() != NULL);
    CHECK(strcmp(clm_status_name(CLM_E_PARSE), "CLM_E_PARSE") == 0);
    CHECK(strcmp(clm_status_name((clm_status)999), "CLM_E_UNKNOWN") == 0);
    clm_string_free(NULL); /* a no-op */
    clm_model_free(NULL);
    clm_model_builder_free(NULL);
}

static void test_presets(void) {
    size_t i, n = clm_preset_count();
    CHECK(n == 7);
    CHECK(strcmp(clm_preset_id(0), "buttle5") == 0);
    CHECK(clm_preset_id(n) == NULL);
    for (i = 0; i < n; ++i) {
        clm_model *m = NULL;
        CHECK_STATUS(clm_model_preset(&m, clm_preset_id(i)), CLM_OK);
        CHECK(m != NULL);
        CHECK(strcmp(clm_model_id(m), clm_preset_id(i)) == 0);
        CHECK(clm_model_stage_count(m) >= 4);
        CHECK(strcmp(clm_last_error(), "") == 0);
        clm_model_free(m);
    }
}

static void test_unknown_preset_leaves_out_untouched(void) {
    clm_model *sentinel = (clm_model *)&checks;
    clm_model *m = sentinel;
    CHECK_STATUS(clm_model_preset(&m, "nope"), CLM_E_NOT_FOUND);
    CHECK(m == sentinel);
    CHECK(clm_last_status() == CLM_E_NOT_FOUND);
    CHECK(CONTAINS(clm_last_error(), "clm_model_preset"));
    CHECK(CONTAINS(clm_last_error(), "unknown preset 'nope'"));
    CHECK_STATUS(clm_model_preset(NULL, "sales6"), CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "out must not be NULL"));
    CHECK_STATUS(clm_model_preset(&m, NULL), CLM_E_INVALID_ARGUMENT);
}

static void test_model_getters(void) {
    clm_model *m = NULL;
    size_t idx = 0, from = 0, to = 0, next = 0;
    const char *event = NULL;
    CHECK_STATUS(clm_model_preset(&m, "sales6"), CLM_OK);
    CHECK(clm_model_version(m) >= 1);
    CHECK(clm_model_initial_stage(m) == 0);
    CHECK_STATUS(clm_model_find_stage(&idx, m, "proposal"), CLM_OK);
    CHECK(strcmp(clm_model_stage_id(m, idx), "proposal") == 0);
    CHECK(strlen(clm_model_stage_task(m, idx)) > 10);
    CHECK(clm_model_stage_kind(m, idx) == CLM_STAGE_OPEN);
    CHECK(clm_model_stage_id(m, 1000) == NULL);
    CHECK(clm_model_stage_kind(m, 1000) == -1);
    CHECK(clm_model_stage_time_limit(m, 1000) == -1);
    CHECK(clm_model_stage_probability(m, 1000) == -1.0);
    CHECK(clm_model_stage_requirement(m, idx, 1000) == NULL);
    CHECK_STATUS(clm_model_find_stage(&idx, m, "nowhere"), CLM_E_NOT_FOUND);
    CHECK(CONTAINS(clm_last_error(), "nowhere"));

    CHECK(clm_model_transition_count(m) > 6);
    CHECK_STATUS(clm_model_transition(&from, &to, &event, m, 0), CLM_OK);
    CHECK(event != NULL && strlen(event) > 0);
    CHECK_STATUS(clm_model_transition(&from, &to, &event, m, 100000), CLM_E_INVALID_ARGUMENT);

    CHECK_STATUS(clm_model_next_stage(&next, m, 0, "advance"), CLM_OK);
    CHECK(strcmp(clm_model_stage_id(m, next), "proposal") == 0);
    CHECK_STATUS(clm_model_next_stage(&next, m, 0, "no-such-event"), CLM_E_NOT_FOUND);
    CHECK_STATUS(clm_model_find_stage(&idx, m, "won"), CLM_OK);
    CHECK_STATUS(clm_model_next_stage(&next, m, idx, "advance"), CLM_E_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(clm_last_error(), "'won' has no transition on 'advance'"));
    clm_model_free(m);
}

static void test_render_and_reload(void) {
    clm_model *m = NULL, *again = NULL;
    char *json = NULL, *dot = NULL, *again_json = NULL;
    size_t len = 0, len2 = 0;
    CHECK_STATUS(clm_model_preset(&m, "maturity6"), CLM_OK);
    CHECK_STATUS(clm_model_render(&json, &len, m, CLM_FORMAT_JSON), CLM_OK);
    CHECK(len == strlen(json));
    CHECK_STATUS(clm_model_from_json(&again, json, len), CLM_OK);
    CHECK_STATUS(clm_model_render(&again_json, &len2, again, CLM_FORMAT_JSON), CLM_OK);
    CHECK(len == len2 && memcmp(json, again_json, len) == 0);
    CHECK_STATUS(clm_model_render(&dot, NULL, m, CLM_FORMAT_DOT), CLM_OK);
    CHECK(strncmp(dot, "digraph", 7) == 0);
    CHECK_STATUS(clm_model_render(&dot, NULL, m, (clm_model_format)42), CLM_E_INVALID_ARGUMENT);
    clm_string_free(json);
    clm_string_free(again_json);
    clm_string_free(dot);
    clm_model_free(again);
    clm_model_free(m);
}

static void test_bad_json(void) {
    const char *broken = "{\"id\": \"x\", \"version\": 1, \"initial\": \"a\",\n"
                         " \"stages\": [{\"id\": \"a\", \"name\": \"A\", \"kind\": \"open\", \"task\": \"t\"}],\n"
                         " \"transitions\": [{\"from\": \"a\", \"to\": \"b\", \"event\": \"go\"}]}";
    const char *valid = "{\"id\":\"v\",\"version\":1,\"initial\":\"a\",\"stages\":[{\"id\":\"a\",\"name\":\"A\","
                        "\"kind\":\"won\",\"task\":\"t\"}],\"transitions\":[]}";
    clm_model *m = NULL;
    char *report = NULL;
    size_t count = 0;
    CHECK_STATUS(clm_model_from_json(&m, broken, strlen(broken)), CLM_E_VALIDATION);
    CHECK(m == NULL);
    CHECK(CONTAINS(clm_last_error(), "<input>:3:"));
    CHECK(CONTAINS(clm_last_error(), "unknown target stage 'b'"));
    CHECK_STATUS(clm_model_from_json(&m, "{", 1), CLM_E_PARSE);
    CHECK_STATUS(clm_model_from_json(&m, NULL, 5), CLM_E_INVALID_ARGUMENT);
    /* Length is honoured: the text need not be NUL-terminated. */
    CHECK_STATUS(clm_model_from_json(&m, "{}garbage", 2), CLM_E_VALIDATION);

    CHECK_STATUS(clm_model_validate_json(&report, &count, broken, strlen(broken), "x.json"), CLM_OK);
    CHECK(count == 2); /* every problem at once: no final stage, and the unknown target */
    CHECK(CONTAINS(report, "x.json:3:"));
    clm_string_free(report);
    CHECK_STATUS(clm_model_validate_json(&report, &count, valid, strlen(valid), NULL), CLM_OK);
    CHECK(count == 0);
    CHECK(report != NULL && report[0] == '\0');
    clm_string_free(report);
}

static void test_builder(void) {
    clm_model_builder *b = NULL;
    clm_model *m = NULL;
    size_t to = 0, idx = 0;
    CHECK_STATUS(clm_model_builder_new(&b, "custom", 2), CLM_OK);
    CHECK_STATUS(clm_model_builder_set_name(b, "Custom"), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_stage(b, "lead", "Lead", CLM_STAGE_OPEN, "Qualify the lead"), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_stage(b, "lead", "Again", CLM_STAGE_OPEN, NULL), CLM_E_DUPLICATE);
    CHECK_STATUS(clm_model_builder_add_stage(b, "x", "X", (clm_stage_kind)9, NULL), CLM_E_INVALID_ARGUMENT);
    CHECK_STATUS(clm_model_builder_add_stage(b, "won", "Won", CLM_STAGE_WON, "Deliver"), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_stage(b, "lost", "Lost", CLM_STAGE_LOST, "Learn why"), CLM_OK);
    CHECK_STATUS(clm_model_builder_set_time_limit(b, "lead", 14), CLM_OK);
    CHECK_STATUS(clm_model_builder_set_time_limit(b, "lead", -1), CLM_E_INVALID_ARGUMENT);
    CHECK_STATUS(clm_model_builder_set_time_limit(b, "ghost", 1), CLM_E_NOT_FOUND);
    CHECK_STATUS(clm_model_builder_set_probability(b, "lead", 0.3), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_requirement(b, "won", "contract signed"), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_transition(b, "lead", "won", "win"), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_transition(b, "lead", "lost", "lose"), CLM_OK);
    CHECK_STATUS(clm_model_builder_guard_requires(b, "lead", "win", "contract signed"), CLM_OK);
    CHECK_STATUS(clm_model_builder_guard_min_days(b, "lead", "win", 3), CLM_OK);
    CHECK_STATUS(clm_model_builder_guard_predicate(b, "lead", "win", "credit_ok"), CLM_OK);
    CHECK_STATUS(clm_model_builder_guard_predicate(b, "lead", "fly", "x"), CLM_E_NOT_FOUND);
    CHECK_STATUS(clm_model_builder_add_reason(b, "lead", "lose", "price", 1), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_migration(b, 1, "prospect", "lead"), CLM_OK);
    CHECK_STATUS(clm_model_builder_build(&m, b), CLM_OK);
    CHECK(strcmp(clm_model_name(m), "Custom") == 0);
    CHECK(clm_model_stage_time_limit(m, 0) == 14);
    CHECK(fabs(clm_model_stage_probability(m, 0) - 0.3) < 1e-12);
    CHECK(clm_model_stage_requirement_count(m, 1) == 1);
    CHECK_STATUS(clm_model_next_stage(&to, m, 0, "win"), CLM_OK);
    CHECK(to == 1);
    CHECK_STATUS(clm_model_migrate_stage(&idx, m, 1, "prospect"), CLM_OK);
    CHECK(idx == 0);
    CHECK_STATUS(clm_model_migrate_stage(&idx, m, 1, "gone"), CLM_E_NOT_FOUND);
    clm_model_free(m);

    /* A broken graph: every problem in one message; the builder stays usable. */
    m = NULL;
    CHECK_STATUS(clm_model_builder_add_stage(b, "island", "Island", CLM_STAGE_OPEN, NULL), CLM_OK);
    CHECK_STATUS(clm_model_builder_add_transition(b, "lead", "nowhere", "jump"), CLM_OK);
    CHECK_STATUS(clm_model_builder_build(&m, b), CLM_E_VALIDATION);
    CHECK(m == NULL);
    CHECK(CONTAINS(clm_last_error(), "unknown target stage 'nowhere'"));
    clm_model_builder_free(b);
}

static void test_load_file_errors(void) {
    clm_model *m = NULL;
    CHECK_STATUS(clm_model_load(&m, "/nonexistent/model.json"), CLM_E_IO);
    CHECK(CONTAINS(clm_last_error(), "/nonexistent/model.json"));
    CHECK_STATUS(clm_model_load(&m, "journey6"), CLM_OK);
    clm_model_free(m);
}

/* Issue 16: a model and a portfolio shown in a locale; an unknown locale changes nothing. */
static void test_locales(void) {
    clm_model *m = NULL;
    clm_portfolio *p = NULL;
    const clm_model *view;
    size_t slot = 0;
    CHECK_STATUS(clm_model_preset(&m, "buttle5"), CLM_OK);
    CHECK(clm_model_locale_count(m) == 3);
    CHECK(strcmp(clm_model_locale_at(m, 0), "en") == 0);
    CHECK(strcmp(clm_model_locale_at(m, 2), "zh") == 0);
    CHECK(clm_model_locale_at(m, 3) == NULL);
    CHECK(strcmp(clm_model_locale(m), "en") == 0);
    CHECK_STATUS(clm_model_set_locale(m, "ru"), CLM_OK);
    CHECK(strcmp(clm_model_locale(m), "ru") == 0);
    CHECK(strcmp(clm_model_stage_name(m, 0), "\xd0\x9e\xd1\x81\xd0\xb2\xd0\xb5\xd0\xb4\xd0\xbe\xd0\xbc\xd0\xbb\xd0\xb5\xd0\xbd\xd0\xbd\xd0\xbe\xd1\x81\xd1\x82\xd1\x8c") == 0); /* Осведомленность */
    CHECK_STATUS(clm_model_set_locale(m, "de"), CLM_E_NOT_FOUND);
    CHECK(strstr(clm_last_error(), "has no locale 'de' (available: en, ru, zh)") != NULL);
    CHECK(strcmp(clm_model_locale(m), "ru") == 0);
    CHECK_STATUS(clm_model_set_locale(m, NULL), CLM_E_INVALID_ARGUMENT);
    CHECK_STATUS(clm_model_set_locale(NULL, "en"), CLM_E_INVALID_ARGUMENT);
    CHECK(clm_model_locale(NULL) == NULL && clm_model_locale_count(NULL) == 0 && clm_model_locale_at(NULL, 0) == NULL);

    CHECK_STATUS(clm_portfolio_new(&p), CLM_OK);
    CHECK_STATUS(clm_portfolio_set_locale(p, "en"), CLM_E_INVALID_ARGUMENT); /* no model yet */
    CHECK_STATUS(clm_portfolio_add_model(&slot, p, m), CLM_OK);
    view = clm_portfolio_model(p, slot);
    CHECK(strcmp(clm_model_locale(view), "ru") == 0); /* added in the model's locale */
    CHECK_STATUS(clm_portfolio_set_locale(p, "zh"), CLM_OK);
    CHECK(view == clm_portfolio_model(p, slot)); /* the same handle, showing the new text */
    CHECK(strcmp(clm_model_stage_name(view, 0), "\xe8\xae\xa4\xe7\x9f\xa5") == 0); /* 认知 */
    CHECK_STATUS(clm_portfolio_set_locale(p, "fr"), CLM_E_NOT_FOUND);
    CHECK(strcmp(clm_model_locale(view), "zh") == 0);
    CHECK(strcmp(clm_model_locale(m), "ru") == 0); /* the caller's handle is its own */
    clm_portfolio_free(p);
    clm_model_free(m);
}

int main(void) {
    test_version_and_errors();
    test_presets();
    test_unknown_preset_leaves_out_untouched();
    test_model_getters();
    test_render_and_reload();
    test_bad_json();
    test_builder();
    test_load_file_errors();
    test_locales();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
