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

    clm_portfolio_free(p);
    clm_model_free(m);
    clm_policy_free(pol);
    clm_policy_free(NULL);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
