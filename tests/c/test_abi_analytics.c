/* The analytics C ABI from strict C99: every analysis returns its JSON
 * document, dates and model ids are checked, a bad plan is reported with its
 * line and column, and a failed call leaves the out-parameters untouched. */
#include <clm/clm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        ++checks;                                                                    \
        if (!(cond)) {                                                               \
            ++failures;                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n  last error: %s\n", __FILE__, __LINE__, #cond, \
                    clm_last_error());                                               \
        }                                                                            \
    } while (0)
#define CONTAINS(hay, needle) ((hay) != NULL && strstr((hay), (needle)) != NULL)

static const char *model_json =
    "{\"id\":\"deal\",\"version\":1,\"initial\":\"lead\",\"main_path\":[\"lead\",\"won\"],\"stages\":["
    "{\"id\":\"lead\",\"name\":\"Lead\",\"kind\":\"open\",\"task\":\"qualify\",\"time_limit_days\":10},"
    "{\"id\":\"won\",\"name\":\"Won\",\"kind\":\"won\",\"task\":\"deliver\"},"
    "{\"id\":\"lost\",\"name\":\"Lost\",\"kind\":\"lost\",\"task\":\"learn\"}],"
    "\"transitions\":[{\"from\":\"lead\",\"to\":\"won\",\"event\":\"win\"},"
    "{\"from\":\"lead\",\"to\":\"lost\",\"event\":\"lose\"}]}";

/* a: lead 01-01, won 01-11 (purchase 100); b: lead 01-02, lost 01-05 (price); c: lead 01-03, open. */
static const char *events_csv =
    "customer_id,timestamp,type,value,manager,amount,reason\n"
    "a,2024-01-01,manager,Ann,,,\n"
    "a,2024-01-01,stage,lead,,,\n"
    "a,2024-01-11,stage,won,,,\n"
    "a,2024-01-11,purchase,X,,100,\n"
    "b,2024-01-02,manager,Bob,,,\n"
    "b,2024-01-02,stage,lead,,,\n"
    "b,2024-01-05,stage,lost,,,price\n"
    "c,2024-01-03,manager,Bob,,,\n"
    "c,2024-01-03,stage,lead,,,\n";

int main(void) {
    clm_model *m = NULL;
    clm_portfolio *p = NULL;
    char *out = NULL;
    size_t len = 0;
    CHECK(clm_model_from_json(&m, model_json, strlen(model_json)) == CLM_OK);
    CHECK(clm_portfolio_new(&p) == CLM_OK);
    CHECK(clm_portfolio_add_model(NULL, p, m) == CLM_OK);
    CHECK(clm_portfolio_import_csv(NULL, NULL, p, events_csv, strlen(events_csv), "events.csv", 0) == CLM_OK);

    /* Funnel: lead entered 3, lost from lead 1, median of completed lead stays (10, 3) = 6.5. */
    CHECK(clm_portfolio_funnel_json(&out, &len, p, NULL, "2024-01-31") == CLM_OK);
    CHECK(len == strlen(out));
    CHECK(CONTAINS(out, "\"customers\":3,\"won\":1,\"lost\":1"));
    CHECK(CONTAINS(out, "{\"id\":\"lead\",\"entered\":3,\"current\":1,\"lost_from\":1,\"median_days\":6.5}"));
    CHECK(CONTAINS(out, "{\"from\":\"lead\",\"to\":\"won\",\"rate\":"));
    clm_string_free(out);
    out = NULL;
    /* NULL as_of: the newest event's date. */
    CHECK(clm_portfolio_funnel_json(&out, NULL, p, "deal", NULL) == CLM_OK);
    CHECK(CONTAINS(out, "\"as_of\":\"2024-01-11\""));
    clm_string_free(out);
    out = NULL;

    /* Time in stage: c has been in lead since 01-03: 28 days > 10 on 01-31. */
    CHECK(clm_portfolio_time_in_stage_json(&out, &len, p, NULL, "2024-01-31") == CLM_OK);
    CHECK(CONTAINS(out, "\"stuck\":[{\"customer_id\":\"c\",\"days\":28}]"));
    clm_string_free(out);
    out = NULL;

    CHECK(clm_portfolio_dynamics_json(&out, &len, p, NULL, "2024-01-04", "2024-01-31") == CLM_OK);
    CHECK(CONTAINS(out, "\"totals\":{\"promoted\":1,\"regressed\":0,\"unchanged\":1,\"new\":0,\"left\":1}"));
    clm_string_free(out);
    out = NULL;

    {
        const char *plan = "{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"managers\":{\"Ann\":{\"products_sold\":2}}}";
        CHECK(clm_portfolio_plan_actual_json(&out, &len, p, NULL, plan, strlen(plan)) == CLM_OK);
        CHECK(CONTAINS(out, "\"products_sold\":{\"plan\":2,\"actual\":1,\"deviation\":-0.5,\"flagged\":true}"));
        clm_string_free(out);
        out = NULL;
    }

    CHECK(clm_portfolio_value_json(&out, &len, p, "2024-01-31") == CLM_OK);
    CHECK(CONTAINS(out, "\"revenue\":100"));
    CHECK(CONTAINS(out, "\"repeat\":{\"buyers\":1,\"repeat_buyers\":0,\"share\":0.0}"));
    clm_string_free(out);
    out = NULL;

    /* Forecast: lead left twice, once to won: p_win 0.5; c's deal is worth the mean purchase, 100. */
    CHECK(clm_portfolio_forecast_json(&out, &len, p, NULL, "2024-01-31") == CLM_OK);
    CHECK(CONTAINS(out, "\"p_win\":0.5"));
    CHECK(CONTAINS(out, "\"expected_revenue\":50.0"));
    clm_string_free(out);
    out = NULL;

    /* Per deal: lead has two completed stays, too few for ages: c gets the stage rate. */
    CHECK(clm_portfolio_forecast_customers_json(&out, &len, p, NULL, "2024-01-31") == CLM_OK);
    CHECK(CONTAINS(out, "\"customers\":[{\"customer_id\":\"c\",\"stage\":\"lead\",\"days_in_stage\":28,\"p_won\":0.5,"));
    CHECK(CONTAINS(out, "\"basis\":\"stage\""));
    clm_string_free(out);
    out = NULL;

    /* Backtest from 01-04 (a, b, c open; lead never left yet: p 0 for all) to 01-31: a won, b lost,
     * c still open. AUC 0.5 (a tie), Brier (1 + 0) / 2. */
    CHECK(clm_portfolio_backtest_json(&out, &len, p, NULL, "2024-01-04", "2024-01-31", NULL) == CLM_OK);
    CHECK(CONTAINS(out, "\"open\":3,\"closed\":2,\"won\":1,\"lost\":1,\"still_open\":1"));
    CHECK(CONTAINS(out, "\"per_deal\":{\"auc\":0.5,\"brier\":0.5,"));
    CHECK(CONTAINS(out, "\"policy\":null"));
    clm_string_free(out);
    out = NULL;

    /* Failures name the problem and leave `out` untouched. */
    {
        const char *bad_plan = "{\"from\":\"2024-01-01\",\n\"to\":\"2024-02-30\",\"managers\":{}}";
        char *sentinel = (char *)"untouched";
        out = sentinel;
        CHECK(clm_portfolio_plan_actual_json(&out, &len, p, NULL, bad_plan, strlen(bad_plan)) == CLM_E_VALIDATION);
        CHECK(CONTAINS(clm_last_error(), "plan:2:6: error: \"to\" must be a date"));
        CHECK(clm_portfolio_plan_actual_json(&out, &len, p, NULL, "{", 1) == CLM_E_PARSE);
        CHECK(clm_portfolio_dynamics_json(&out, &len, p, NULL, "2024-01-31", "2024-01-04") == CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "must be before"));
        CHECK(clm_portfolio_dynamics_json(&out, &len, p, NULL, NULL, NULL) == CLM_E_INVALID_ARGUMENT);
        CHECK(clm_portfolio_funnel_json(&out, &len, p, "nope", NULL) == CLM_E_NOT_FOUND);
        CHECK(clm_portfolio_funnel_json(&out, &len, p, NULL, "2024-13-01") == CLM_E_INVALID_ARGUMENT);
        CHECK(clm_portfolio_forecast_json(&out, &len, NULL, NULL, NULL) == CLM_E_INVALID_ARGUMENT);
        CHECK(clm_portfolio_value_json(NULL, &len, p, NULL) == CLM_E_INVALID_ARGUMENT);
        CHECK(clm_portfolio_backtest_json(&out, &len, p, NULL, "2024-01-31", "2024-01-04", NULL) == CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "must be after the forecast date 2024-01-31"));
        CHECK(clm_portfolio_backtest_json(&out, &len, p, NULL, NULL, NULL, NULL) == CLM_E_INVALID_ARGUMENT);
        CHECK(clm_portfolio_forecast_customers_json(&out, &len, p, "nope", NULL) == CLM_E_NOT_FOUND);
        CHECK(out == sentinel);
    }

    clm_portfolio_free(p);
    clm_model_free(m);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
