/*
 * reasons.c -- recommendations with their reasons, a manager's week and the
 * funnel, read through clm's typed result lists: no JSON parser needed
 * (docs/embedding.md, "Typed results").
 *
 *   1. loads a model and an event log into a portfolio, shown in a locale;
 *   2. lists the top recommendations (clm_policy_recommend_list()) and each
 *      one's reasons as codes and as text in that locale;
 *   3. plans the first recommendation's manager's week (clm_policy_plan_week_list());
 *   4. prints the funnel's stages (clm_portfolio_funnel_list());
 *   5. shows what a misuse gets: an index out of range, a struct_size too
 *      small: a clear status and message, and the out struct left as it was.
 *
 * Build: part of the clm CMake project (target clm_example_reasons), or
 *   cc -std=c99 reasons.c -lclm
 * Run:   ./clm_example_reasons MODEL EVENTS.csv AS_OF [LOCALE]
 *        ./clm_example_reasons examples/data/crm-pipeline.json crm-events.csv 2017-12-31 ru
 */
#include <clm/clm.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TRY(call)                                                                              \
    do {                                                                                       \
        clm_status s_ = (call);                                                                \
        if (s_ != CLM_OK) {                                                                    \
            fprintf(stderr, "%s failed: %s\n  %s\n", #call, clm_status_name(s_), clm_last_error()); \
            goto cleanup;                                                                      \
        }                                                                                      \
    } while (0)

/* A reason's code: the threshold and the actual value are numbers or names. */
static void print_code(const clm_reason *r) {
    printf("      [%s] %s %s", r->id, r->fact, r->op);
    if (!isnan(r->threshold)) printf(" %g", r->threshold);
    else if (r->threshold_text) printf(" [%s]", r->threshold_text);
    if (!isnan(r->actual)) printf(", actual %g", r->actual);
    else if (r->actual_text) printf(", actual '%s'", r->actual_text);
    if (r->subject) printf(", subject '%s'", r->subject);
    printf("\n");
}

int main(int argc, char **argv) {
    clm_model *model = NULL;
    clm_portfolio *p = NULL;
    clm_policy *policy = NULL;
    clm_recommendation_list *recs = NULL;
    clm_plan_list *plan = NULL;
    clm_funnel_list *funnel = NULL;
    int rc = 1;
    size_t i, k, n;
    char manager[256] = "";
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL EVENTS.csv AS_OF [LOCALE]\n", argv[0]);
        return 2;
    }
    TRY(clm_model_load(&model, argv[1]));
    TRY(clm_portfolio_new(&p));
    TRY(clm_portfolio_add_model(NULL, p, model));
    TRY(clm_portfolio_import_csv_file(NULL, NULL, p, argv[2], 0));
    if (argc > 4) TRY(clm_portfolio_set_locale(p, argv[4])); /* reasons, goals and stage names follow it */
    TRY(clm_policy_load(&policy, "seeds"));

    /* 2. The top five, each with its reasons. */
    {
        clm_recommend_options options = CLM_RECOMMEND_OPTIONS_INIT;
        options.limit = 5;
        TRY(clm_policy_recommend_list(&recs, policy, p, argv[3], &options));
    }
    n = clm_recommendation_list_count(recs);
    printf("%lu recommendations as of %s\n", (unsigned long)n, argv[3]);
    for (i = 0; i < n; ++i) {
        clm_recommendation r = CLM_RECOMMENDATION_INIT;
        TRY(clm_recommendation_list_get(recs, i, &r));
        if (i == 0) snprintf(manager, sizeof manager, "%s", r.manager);
        printf("%lu. %s (%s, %s): %s by %s on %s -- %s\n", (unsigned long)r.rank, r.customer_id, r.manager,
               r.stage ? r.stage : "-", r.kind, r.channel, r.due, r.goal);
        printf("   rule %s, score %.1f, p_won %s\n", r.rule, r.score, isnan(r.p_won) ? "unknown" : "known");
        for (k = 0; k < r.reason_count; ++k) {
            clm_reason why = CLM_REASON_INIT;
            TRY(clm_recommendation_list_reason(recs, i, k, &why));
            printf("   - %s\n", why.text);
            print_code(&why);
        }
    }

    /* 3. The first manager's week. */
    if (manager[0]) {
        double planned = 0, capacity;
        TRY(clm_policy_plan_week_list(&plan, policy, p, manager, argv[3], 0));
        capacity = clm_plan_list_capacity_minutes(plan, &planned);
        printf("week of %s: %.0f of %.0f minutes planned, %lu entries\n", manager, planned, capacity,
               (unsigned long)clm_plan_list_count(plan));
        for (i = 0; i < clm_plan_list_count(plan) && i < 3; ++i) {
            clm_plan_entry e = CLM_PLAN_ENTRY_INIT;
            clm_recommendation r = CLM_RECOMMENDATION_INIT;
            TRY(clm_plan_list_get(plan, i, &e));
            TRY(clm_plan_list_recommendation(plan, i, &r));
            printf("  %s %s: %s (%.0f min)\n", e.planned ? e.day : "not fitted:", r.customer_id, r.kind, e.minutes);
        }
    }

    /* 4. The funnel. */
    TRY(clm_portfolio_funnel_list(&funnel, p, NULL, argv[3]));
    for (i = 0; i < clm_funnel_list_count(funnel); ++i) {
        clm_funnel_stage s = CLM_FUNNEL_STAGE_INIT;
        TRY(clm_funnel_list_get(funnel, i, &s));
        printf("stage %s (%s): entered %lu, now %lu", s.id, s.name, (unsigned long)s.entered, (unsigned long)s.current);
        if (!isnan(s.conversion_rate)) printf(", on to the next %.1f%%", 100 * s.conversion_rate);
        printf("\n");
    }

    /* 5. Misuse: a clear status and message, and nothing written. */
    {
        clm_recommendation r = CLM_RECOMMENDATION_INIT;
        clm_status s = clm_recommendation_list_get(recs, n, &r);
        printf("index %lu: %s: %s; out untouched: %s\n", (unsigned long)n, clm_status_name(s), clm_last_error(),
               r.customer_id == NULL ? "yes" : "no");
        if (s != CLM_E_INVALID_ARGUMENT || r.customer_id != NULL) goto cleanup;
        r.struct_size = 8;
        s = clm_recommendation_list_get(recs, 0, &r);
        printf("struct_size 8: %s: %s\n", clm_status_name(s), clm_last_error());
        if (s != CLM_E_INVALID_ARGUMENT || r.customer_id != NULL) goto cleanup;
    }
    printf("typed results: ok\n");
    rc = 0;
cleanup:
    clm_funnel_list_free(funnel);
    clm_plan_list_free(plan);
    clm_recommendation_list_free(recs);
    clm_policy_free(policy);
    clm_portfolio_free(p);
    clm_model_free(model);
    return rc;
}
