/* The policy C ABI from strict C99: loading, validation with positions,
 * recommendations with reasons, options, progress and cancellation, plans. */
#include <clm/clm.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        ++checks;                                                                                            \
        if (!(cond)) {                                                                                       \
            ++failures;                                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n  last error: %s\n", __FILE__, __LINE__, #cond, clm_last_error()); \
        }                                                                                                    \
    } while (0)
#define CONTAINS(hay, needle) ((hay) != NULL && strstr((hay), (needle)) != NULL)

static int count_calls(size_t done, size_t total, void *payload) {
    int *calls = (int *)payload;
    (void)done;
    (void)total;
    ++*calls;
    return 0;
}

static int cancel_at_once(size_t done, size_t total, void *payload) {
    (void)done;
    (void)total;
    (void)payload;
    return 1;
}

static const char *log_csv = "customer_id,timestamp,type,value,model,channel,manager\n"
                             "a,2024-05-01,stage,presentation,sales6,,\n"
                             "a,2024-05-01,class,B,,,\n"
                             "a,2024-05-01,manager,Ann,,,\n"
                             "a,2024-05-20,contact,ok,,call,Ann\n"
                             "b,2024-05-01,stage,proposal,sales6,,\n"
                             "b,2024-05-01,manager,Bo,,,\n";

int main(void) {
    clm_policy *pol = NULL, *bad = NULL;
    clm_model *m = NULL;
    clm_portfolio *p = NULL;
    char *json = NULL, *report = NULL;
    size_t count = 0, i;
    int calls = 0;
    clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
    const char *broken = "{\"id\": \"x\",\n \"rules\": [{\"id\": \"r\", \"when\": {\"fact\": \"mood\", \"op\": \">\", \"value\": 1},\n"
                         " \"action\": {\"kind\": \"dance\"}}]}";

    CHECK(clm_policy_preset_count() == 1);
    CHECK(strcmp(clm_policy_preset_id(0), "seeds") == 0);
    CHECK(clm_policy_preset_id(1) == NULL);
    CHECK(clm_policy_load(&pol, "seeds") == CLM_OK);
    CHECK(strcmp(clm_policy_id(pol), "seeds") == 0);
    CHECK(clm_policy_rule_count(pol) >= 20);
    for (i = 0; i < clm_policy_rule_count(pol); ++i) CHECK(clm_policy_rule_id(pol, i) != NULL);
    CHECK(clm_policy_rule_id(pol, 1000) == NULL);

    CHECK(clm_policy_from_json(&bad, broken, strlen(broken)) == CLM_E_VALIDATION);
    CHECK(bad == NULL);
    CHECK(CONTAINS(clm_last_error(), "<input>:2:"));
    CHECK(CONTAINS(clm_last_error(), "unknown fact 'mood'"));
    CHECK(CONTAINS(clm_last_error(), "unknown action kind 'dance'"));
    CHECK(clm_policy_validate_json(&report, &count, broken, strlen(broken), "p.json") == CLM_OK);
    CHECK(count == 2);
    CHECK(CONTAINS(report, "p.json:2:"));
    CHECK(CONTAINS(report, "p.json:3:"));
    clm_string_free(report);
    CHECK(clm_policy_load(&bad, "/nonexistent/policy.json") == CLM_E_IO);

    CHECK(clm_model_preset(&m, "sales6") == CLM_OK);
    CHECK(clm_portfolio_new(&p) == CLM_OK);
    CHECK(clm_portfolio_add_model(NULL, p, m) == CLM_OK);
    CHECK(clm_portfolio_import_csv(NULL, NULL, p, log_csv, strlen(log_csv), "log.csv", 0) == CLM_OK);

    CHECK(clm_policy_recommend(&json, NULL, pol, p, NULL, NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "never read the clock"));
    CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", NULL) == CLM_OK);
    CHECK(CONTAINS(json, "\"rule\":\"class-b-online\""));
    CHECK(CONTAINS(json, "days since last contact 21 >= 7"));
    CHECK(CONTAINS(json, "\"customer_id\":\"b\""));
    clm_string_free(json);

    opt.manager = "Bo";
    opt.limit = 1;
    opt.progress = count_calls;
    opt.payload = &calls;
    CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", &opt) == CLM_OK);
    CHECK(CONTAINS(json, "\"count\":1"));
    CHECK(!CONTAINS(json, "\"customer_id\":\"a\""));
    CHECK(calls >= 1);
    clm_string_free(json);
    json = NULL;
    opt.progress = cancel_at_once;
    CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", &opt) == CLM_E_CANCELLED);
    CHECK(json == NULL);
    opt.struct_size = 2;
    CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", &opt) == CLM_E_INVALID_ARGUMENT);

    CHECK(clm_policy_recommend_customer(&json, NULL, pol, p, "a", "2024-06-10") == CLM_OK);
    CHECK(CONTAINS(json, "\"reasons\":["));
    clm_string_free(json);
    CHECK(clm_policy_recommend_customer(&json, NULL, pol, p, "zz", "2024-06-10") == CLM_E_NOT_FOUND);

    CHECK(clm_policy_plan_week(&json, NULL, pol, p, "Ann", "2024-06-12", 0) == CLM_OK);
    CHECK(CONTAINS(json, "\"week_start\":\"2024-06-10\""));
    CHECK(CONTAINS(json, "\"planned\":["));
    clm_string_free(json);
    CHECK(clm_policy_plan_week(&json, NULL, pol, p, "Ann", "2024-06-12", 500) == CLM_E_INVALID_ARGUMENT);

    {
        /* Deals of an account: the account field of clm_event (and a caller compiled before it,
           whose smaller struct_size reads as no account); one recommendation per customer by
           default, per_customer for more; each with account, value and p_won. */
        clm_event ev = CLM_EVENT_INIT;
        clm_recommend_options two = CLM_RECOMMEND_OPTIONS_INIT;
        ev.customer_id = "d1";
        ev.timestamp = "2024-06-01";
        ev.type = "stage";
        ev.value = "presentation";
        ev.amount = 4200;
        ev.has_amount = 1;
        ev.account = "Acme";
        CHECK(clm_portfolio_apply(p, &ev) == CLM_OK);
        ev.customer_id = "d2";
        ev.account = "Ignored";
        ev.struct_size = offsetof(clm_event, account); /* as compiled before the field */
        CHECK(clm_portfolio_apply(p, &ev) == CLM_OK);
        CHECK(clm_policy_recommend_customer(&json, NULL, pol, p, "d1", "2024-06-10") == CLM_OK);
        CHECK(CONTAINS(json, "\"account\":\"Acme\""));
        CHECK(CONTAINS(json, "\"value\":4200.0"));
        CHECK(CONTAINS(json, "\"p_won\":"));
        CHECK(CONTAINS(json, "\"alternatives\":["));
        clm_string_free(json);
        CHECK(clm_policy_recommend_customer(&json, NULL, pol, p, "d2", "2024-06-10") == CLM_OK);
        CHECK(CONTAINS(json, "\"account\":null"));
        CHECK(!CONTAINS(json, "Ignored"));
        clm_string_free(json);
        CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", NULL) == CLM_OK);
        CHECK(CONTAINS(json, "\"count\":4")); /* a, b, d1, d2: one each */
        clm_string_free(json);
        two.per_customer = 2;
        CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", &two) == CLM_OK);
        CHECK(!CONTAINS(json, "\"count\":4"));
        clm_string_free(json);
        two.per_customer = 5000;
        json = NULL;
        CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", &two) == CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "per_customer"));
        CHECK(json == NULL);
    }

    /* Typed results: the same recommendations as the JSON, reasons as codes, misuse refused. */
    {
        clm_recommendation_list *list = NULL;
        clm_plan_list *plan = NULL;
        clm_funnel_list *funnel = NULL;
        clm_recommendation r = CLM_RECOMMENDATION_INIT;
        clm_reason why = CLM_REASON_INIT;
        clm_funnel_stage st = CLM_FUNNEL_STAGE_INIT;
        clm_plan_entry e = CLM_PLAN_ENTRY_INIT;
        size_t n, k, found = 0;
        char expect[32];
        clm_recommend_options every = CLM_RECOMMEND_OPTIONS_INIT;
        every.per_customer = 10; /* every action its own recommendation: class-b-online's (by messenger) too */
        CHECK(clm_policy_recommend(&json, NULL, pol, p, "2024-06-10", &every) == CLM_OK);
        CHECK(clm_policy_recommend_list(&list, pol, p, "2024-06-10", &every) == CLM_OK);
        n = clm_recommendation_list_count(list);
        snprintf(expect, sizeof expect, "\"count\":%lu", (unsigned long)n);
        CHECK(CONTAINS(json, expect)); /* as many as the JSON lists */
        clm_string_free(json);
        for (i = 0; i < n; ++i) {
            CHECK(clm_recommendation_list_get(list, i, &r) == CLM_OK);
            CHECK(r.rank == i + 1);
            if (strcmp(r.customer_id, "a") != 0 || strcmp(r.rule, "class-b-online") != 0) continue;
            for (k = 0; k < r.reason_count; ++k) {
                CHECK(clm_recommendation_list_reason(list, i, k, &why) == CLM_OK);
                if (strcmp(why.id, "days_since_contact") != 0) continue;
                ++found; /* a was contacted on 2024-05-20: 21 days before 2024-06-10 */
                CHECK(why.actual == 21 && why.threshold == 7 && strcmp(why.op, ">=") == 0);
                CHECK(strcmp(why.fact, "days_since_contact") == 0 && why.subject == NULL && why.actual_text == NULL);
                CHECK(strcmp(why.text, "days since last contact 21 >= 7") == 0);
            }
        }
        CHECK(found == 1);
        /* Misuse: NULL list or out, index out of range, struct_size too small; out left unchanged. */
        memset(&r, 0, sizeof r);
        r.struct_size = sizeof r;
        CHECK(clm_recommendation_list_get(list, n, &r) == CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "out of range") && r.customer_id == NULL);
        CHECK(clm_recommendation_list_reason(list, 0, 999, &why) == CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "reason 999 is out of range"));
        r.struct_size = sizeof r - sizeof(size_t);
        CHECK(clm_recommendation_list_get(list, 0, &r) == CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "struct_size") && r.customer_id == NULL);
        CHECK(clm_recommendation_list_get(NULL, 0, &r) == CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "list must not be NULL"));
        CHECK(clm_recommendation_list_get(list, 0, NULL) == CLM_E_INVALID_ARGUMENT);
        CHECK(clm_recommendation_list_count(NULL) == 0);
        CHECK(clm_policy_recommend_list(NULL, pol, p, "2024-06-10", NULL) == CLM_E_INVALID_ARGUMENT);
        clm_recommendation_list_free(list);
        clm_recommendation_list_free(NULL);

        /* Ann's week: every entry planned or not fitted, with its recommendation. */
        r.struct_size = sizeof r;
        CHECK(clm_policy_plan_week_list(&plan, pol, p, "Ann", "2024-06-10", 0) == CLM_OK);
        CHECK(clm_plan_list_count(plan) >= 1);
        CHECK(clm_plan_list_capacity_minutes(plan, NULL) == 40 * 60);
        for (i = 0; i < clm_plan_list_count(plan); ++i) {
            CHECK(clm_plan_list_get(plan, i, &e) == CLM_OK);
            CHECK(e.planned ? e.day != NULL && e.not_fitted_because == NULL : e.day == NULL && e.not_fitted_because != NULL);
            CHECK(clm_plan_list_recommendation(plan, i, &r) == CLM_OK);
            CHECK(r.manager != NULL && strcmp(r.manager, "Ann") == 0 && r.rank == 0);
            if (r.reason_count) CHECK(clm_plan_list_reason(plan, i, 0, &why) == CLM_OK);
        }
        CHECK(clm_plan_list_get(plan, 999, &e) == CLM_E_INVALID_ARGUMENT);
        clm_plan_list_free(plan);

        /* The funnel: one entry per stage of sales6, in model order. */
        CHECK(clm_portfolio_funnel_list(&funnel, p, "sales6", "2024-06-10") == CLM_OK);
        CHECK(clm_funnel_list_count(funnel) == clm_model_stage_count(m));
        CHECK(clm_funnel_list_get(funnel, 0, &st) == CLM_OK);
        CHECK(strcmp(st.id, clm_model_stage_id(m, 0)) == 0);
        CHECK(clm_funnel_list_get(funnel, clm_funnel_list_count(funnel), &st) == CLM_E_INVALID_ARGUMENT);
        clm_funnel_list_free(funnel);
        CHECK(clm_portfolio_funnel_list(&funnel, p, "nope", NULL) == CLM_E_NOT_FOUND);
    }

    clm_portfolio_free(p);
    clm_model_free(m);
    clm_policy_free(pol);
    clm_policy_free(NULL);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
