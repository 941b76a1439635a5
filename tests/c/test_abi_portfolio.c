/* The portfolio C ABI from strict C99: events, guards with a host predicate,
 * batches, CSV import, as-of queries, export, save/load, and that a failed
 * call changes nothing. */
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

typedef struct approvals {
    int allow;
    int calls;
    char last_customer[64];
} approvals;

static int approve(const char *customer_id, const char *model_id, const char *from_stage, const char *to_stage,
                   const char *date, void *payload) {
    approvals *a = (approvals *)payload;
    (void)model_id;
    (void)from_stage;
    (void)to_stage;
    (void)date;
    a->calls++;
    strncpy(a->last_customer, customer_id, sizeof a->last_customer - 1);
    return a->allow;
}

static clm_status stage(clm_portfolio *p, const char *customer, const char *date, const char *stage_id) {
    clm_event ev = CLM_EVENT_INIT;
    ev.customer_id = customer;
    ev.timestamp = date;
    ev.type = "stage";
    ev.value = stage_id;
    return clm_portfolio_apply(p, &ev);
}

static const char *model_json =
    "{\"id\":\"deal\",\"version\":1,\"initial\":\"lead\",\"stages\":["
    "{\"id\":\"lead\",\"name\":\"Lead\",\"kind\":\"open\",\"task\":\"qualify\"},"
    "{\"id\":\"won\",\"name\":\"Won\",\"kind\":\"won\",\"task\":\"deliver\"},"
    "{\"id\":\"lost\",\"name\":\"Lost\",\"kind\":\"lost\",\"task\":\"learn\"}],"
    "\"transitions\":[{\"from\":\"lead\",\"to\":\"won\",\"event\":\"win\",\"guards\":[{\"kind\":\"predicate\",\"name\":\"credit_ok\"}]},"
    "{\"from\":\"lead\",\"to\":\"lost\",\"event\":\"lose\"}]}";

static void test_events_and_guards(void) {
    clm_model *m = NULL;
    clm_portfolio *p = NULL;
    approvals a = {0, 0, {0}};
    size_t slot = 99, st = 0;
    int64_t days = -1;
    clm_event ev = CLM_EVENT_INIT;

    CHECK(clm_model_from_json(&m, model_json, strlen(model_json)) == CLM_OK);
    CHECK(clm_portfolio_new(&p) == CLM_OK);
    CHECK(clm_portfolio_add_model(&slot, p, m) == CLM_OK);
    CHECK(slot == 0);
    CHECK(clm_portfolio_add_model(NULL, p, m) == CLM_E_DUPLICATE);
    clm_model_free(m); /* the portfolio shares the model */
    CHECK(strcmp(clm_model_id(clm_portfolio_model(p, 0)), "deal") == 0);
    CHECK(clm_portfolio_model(p, 1) == NULL);

    CHECK(stage(p, "c1", "2024-01-01", "lead") == CLM_OK);
    /* The predicate is not registered yet: refused. */
    CHECK(stage(p, "c1", "2024-01-05", "won") == CLM_E_GUARD_FAILED);
    CHECK(CONTAINS(clm_last_error(), "credit_ok"));
    CHECK(clm_portfolio_register_predicate(p, "credit_ok", approve, &a) == CLM_OK);
    CHECK(stage(p, "c1", "2024-01-05", "won") == CLM_E_GUARD_FAILED);
    CHECK(a.calls == 1 && strcmp(a.last_customer, "c1") == 0);
    CHECK(CONTAINS(clm_last_error(), "customer 'c1'"));
    CHECK(CONTAINS(clm_last_error(), "'lead' -> 'won'"));
    a.allow = -1;
    CHECK(stage(p, "c1", "2024-01-05", "won") == CLM_E_CALLBACK);
    CHECK(clm_portfolio_event_count(p) == 1); /* nothing changed by the failures */
    a.allow = 1;
    CHECK(stage(p, "c1", "2024-01-05", "won") == CLM_OK);

    CHECK(clm_portfolio_stage(&st, &days, p, "c1", NULL, "2024-01-03") == CLM_OK);
    CHECK(st == 0 && days == 2);
    CHECK(clm_portfolio_stage(&st, &days, p, "c1", NULL, NULL) == CLM_OK);
    CHECK(st == 1);
    CHECK(clm_portfolio_stage(&st, NULL, p, "c1", NULL, "2023-12-31") == CLM_OK);
    CHECK(st == CLM_NONE);
    CHECK(clm_portfolio_stage(&st, NULL, p, "ghost", NULL, NULL) == CLM_E_NOT_FOUND);
    CHECK(clm_portfolio_stage(&st, NULL, p, "c1", "other", NULL) == CLM_E_NOT_FOUND);
    CHECK(clm_portfolio_stage(&st, NULL, p, "c1", NULL, "2017-02-30") == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "2017-02-30"));

    /* Bad events: clear errors, nothing changes. */
    ev.customer_id = "c2";
    ev.timestamp = "2024-13-01";
    ev.type = "stage";
    ev.value = "lead";
    CHECK(clm_portfolio_apply(p, &ev) == CLM_E_INVALID_ARGUMENT);
    ev.timestamp = "2024-02-01";
    ev.type = "warp";
    CHECK(clm_portfolio_apply(p, &ev) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "unknown type 'warp'"));
    ev.type = "stage";
    ev.struct_size = 3;
    CHECK(clm_portfolio_apply(p, &ev) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_apply(NULL, &ev) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_customer_count(p) == 1);
    clm_portfolio_free(p);
}

static void test_batch_import_and_queries(void) {
    clm_model *m = NULL;
    clm_portfolio *p = NULL;
    clm_event evs[3];
    size_t applied = 0, counts[16], total = 0, i;
    char *rej = NULL, *json = NULL, *csv = NULL;
    const char *log = "customer_id,timestamp,type,value\n"
                      "x,2024-01-01,stage,awareness\n"
                      "y,2024-01-01,stage,awareness\n"
                      "y,2024-01-09,stage,commitment\n"
                      "x,2024-01-10,contact,called\n";

    CHECK(clm_model_preset(&m, "buttle5") == CLM_OK);
    CHECK(clm_portfolio_new(&p) == CLM_OK);
    CHECK(clm_portfolio_add_model(NULL, p, m) == CLM_OK);

    /* All-or-nothing import: line 4 is an illegal move. */
    CHECK(clm_portfolio_import_csv(&applied, &rej, p, log, strlen(log), "log.csv", 0) == CLM_E_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(clm_last_error(), "log.csv:4: customer 'y'"));
    CHECK(clm_portfolio_customer_count(p) == 0);
    CHECK(rej == NULL);
    /* Skipping bad rows. */
    CHECK(clm_portfolio_import_csv(&applied, &rej, p, log, strlen(log), "log.csv", CLM_BATCH_SKIP_BAD) == CLM_OK);
    CHECK(applied == 3);
    CHECK(CONTAINS(rej, "log.csv:4:"));
    clm_string_free(rej);
    rej = NULL;
    CHECK(clm_portfolio_import_csv(&applied, NULL, p, "customer_id,timestamp\n", 22, "h.csv", 0) == CLM_E_PARSE);
    CHECK(CONTAINS(clm_last_error(), "h.csv:1:0: error: missing required column 'type'"));

    for (i = 0; i < 3; ++i) {
        clm_event e = CLM_EVENT_INIT;
        evs[i] = e;
        evs[i].type = "stage";
        evs[i].timestamp = "2024-02-01";
    }
    evs[0].customer_id = "x";
    evs[0].value = "exploration";
    evs[1].customer_id = "z";
    evs[1].value = "nowhere";
    evs[2].customer_id = "z";
    evs[2].value = "awareness";
    CHECK(clm_portfolio_apply_batch(&applied, &rej, p, evs, 3, 0) == CLM_E_NOT_FOUND);
    CHECK(CONTAINS(clm_last_error(), "event 1"));
    CHECK(clm_portfolio_event_count(p) == 3);
    CHECK(clm_portfolio_apply_batch(&applied, &rej, p, evs, 3, CLM_BATCH_SKIP_BAD) == CLM_OK);
    CHECK(applied == 2);
    CHECK(CONTAINS(rej, "event 1: "));
    clm_string_free(rej);

    CHECK(clm_portfolio_stage_counts(counts, 2, &total, p, NULL, NULL) == CLM_E_BUFFER_TOO_SMALL);
    CHECK(clm_portfolio_stage_counts(counts, 16, &total, p, NULL, NULL) == CLM_OK);
    CHECK(total == 3);
    CHECK(counts[0] == 2 && counts[1] == 1 && counts[3] == 0); /* y, z in awareness; x in exploration */
    CHECK(clm_portfolio_stage_counts(counts, 16, &total, p, NULL, "2024-01-05") == CLM_OK);
    CHECK(total == 2 && counts[0] == 2);

    CHECK(clm_portfolio_customer_json(&json, NULL, p, "x", "2024-01-20") == CLM_OK);
    CHECK(CONTAINS(json, "\"days_since_contact\":10"));
    clm_string_free(json);
    CHECK(clm_portfolio_history_json(&json, NULL, p, "x") == CLM_OK);
    CHECK(CONTAINS(json, "\"value\":\"called\""));
    clm_string_free(json);
    CHECK(clm_portfolio_export(&csv, NULL, p, "2024-02-01", CLM_EXPORT_CSV) == CLM_OK);
    CHECK(strncmp(csv, "customer_id,manager,class,buttle5_stage,buttle5_days_in_stage,", 62) == 0);
    clm_string_free(csv);
    CHECK(clm_portfolio_export(&csv, NULL, p, NULL, CLM_EXPORT_JSON) == CLM_OK);
    CHECK(CONTAINS(csv, "\"as_of\":\"2024-02-01\""));
    clm_string_free(csv);
    CHECK(clm_portfolio_export_events(&csv, NULL, p) == CLM_OK);
    CHECK(strncmp(csv, "customer_id,timestamp,type,value,model,", 39) == 0);
    clm_string_free(csv);

    /* Save, load, and refuse a damaged file. */
    {
        clm_portfolio *q = NULL;
        FILE *f;
        CHECK(clm_portfolio_save(p, "abi_test.clmp") == CLM_OK);
        CHECK(clm_portfolio_load(&q, "abi_test.clmp") == CLM_OK);
        CHECK(clm_portfolio_customer_count(q) == 3);
        CHECK(clm_portfolio_model_count(q) == 1);
        CHECK(strcmp(clm_model_id(clm_portfolio_model(q, 0)), "buttle5") == 0);
        clm_portfolio_free(q);
        q = NULL;
        f = fopen("abi_test.clmp", "r+b");
        CHECK(f != NULL);
        if (f) {
            fseek(f, 40, SEEK_SET);
            fputc('#', f);
            fclose(f);
        }
        CHECK(clm_portfolio_load(&q, "abi_test.clmp") == CLM_E_CORRUPT);
        CHECK(q == NULL);
        CHECK(CONTAINS(clm_last_error(), "abi_test.clmp"));
        remove("abi_test.clmp");
        CHECK(clm_portfolio_load(&q, "abi_test.clmp") == CLM_E_IO);
    }
    clm_model_free(m);
    clm_portfolio_free(p);
}

int main(void) {
    test_events_and_guards();
    test_batch_import_and_queries();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
