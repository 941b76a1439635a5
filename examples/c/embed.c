/*
 * embed.c -- a host program embedding clm through its C ABI (include/clm/clm.h).
 *
 * What a CRM vendor does when it links clm in:
 *   1. checks that the library matches the header it was compiled against;
 *   2. loads the `sales6` preset and builds a small custom model whose
 *      "approve" move is guarded by a host predicate (a C callback);
 *   3. registers the predicate, with a pointer to the host's own data;
 *   4. applies events, shows a refusal (status name + message), then a success;
 *   5. saves the portfolio and loads it back.
 *
 * Build: part of the clm CMake project (target clm_example_embed), or
 *   cc -std=c99 embed.c -lclm
 * Run:   ./clm_example_embed [SAVE_FILE]     (default: embed-demo.clmp)
 * Guide: docs/getting-started-c.md
 */
#include <clm/clm.h>

#include <stdio.h>
#include <string.h>

/* Every fallible clm call returns a clm_status; on failure clm_last_error()
 * says what went wrong and where. This macro prints both and jumps to cleanup. */
#define TRY(call)                                                                              \
    do {                                                                                       \
        clm_status s_ = (call);                                                                \
        if (s_ != CLM_OK) {                                                                    \
            fprintf(stderr, "%s failed: %s\n  %s\n", #call, clm_status_name(s_), clm_last_error()); \
            goto cleanup;                                                                      \
        }                                                                                      \
    } while (0)

/* The host's data, handed to the predicate through its trailing `void *payload`. */
typedef struct credit_desk {
    double limit;       /* the largest order the desk approves */
    double order_value; /* the order being approved (one customer, for brevity) */
    int calls;          /* how often clm asked */
} credit_desk;

/* A clm_predicate_fn: 1 allows the move, 0 refuses it (CLM_E_GUARD_FAILED),
 * a negative value reports an error (CLM_E_CALLBACK). It must not call back
 * into the same portfolio. */
static int within_budget(const char *customer_id, const char *model_id, const char *from_stage, const char *to_stage,
                         const char *date, void *payload) {
    credit_desk *desk = (credit_desk *)payload;
    desk->calls++;
    printf("  predicate: %s in %s, %s -> %s on %s: order %.0f, limit %.0f\n", customer_id, model_id, from_stage,
           to_stage, date, desk->order_value, desk->limit);
    return desk->order_value <= desk->limit;
}

/* Applies one event with the fields every event has. */
static clm_status apply(clm_portfolio *p, const char *customer, const char *date, const char *type, const char *value,
                        const char *model) {
    clm_event ev = CLM_EVENT_INIT; /* sets struct_size: later versions may append fields */
    ev.customer_id = customer;
    ev.timestamp = date;
    ev.type = type;
    ev.value = value;
    ev.model = model; /* required for stage/event rows when the portfolio has several models */
    return clm_portfolio_apply(p, &ev);
}

/* Prints a customer's stage in a model as of a date (NULL: after every event). */
static void print_stage(const clm_portfolio *p, const char *customer, const char *model_id, const char *as_of) {
    size_t stage = CLM_NONE, slot;
    int64_t days = 0;
    const clm_model *m = NULL;
    if (clm_portfolio_stage(&stage, &days, p, customer, model_id, as_of) != CLM_OK) {
        printf("  %s/%s: %s\n", customer, model_id, clm_last_error());
        return;
    }
    for (slot = 0; slot < clm_portfolio_model_count(p); ++slot) /* the portfolio's own model: never freed by us */
        if (strcmp(clm_model_id(clm_portfolio_model(p, slot)), model_id) == 0) m = clm_portfolio_model(p, slot);
    printf("  %-6s %-9s %s for %lld days (as of %s)\n", customer, model_id,
           stage == CLM_NONE ? "(not in the model)" : clm_model_stage_id(m, stage), (long long)days,
           as_of ? as_of : "the last event");
}

int main(int argc, char **argv) {
    const char *save_path = argc > 1 ? argv[1] : "embed-demo.clmp";
    clm_model *sales = NULL, *approval = NULL;
    clm_model_builder *b = NULL;
    clm_portfolio *p = NULL, *loaded = NULL;
    credit_desk desk = {10000.0, 25000.0, 0};
    clm_status s;
    int rc = 1;

    /* 1. The header and the library must agree (same major, library not older). */
    if (clm_version_number() / 10000 != CLM_VERSION_MAJOR || clm_version_number() < CLM_VERSION_NUMBER) {
        fprintf(stderr, "compiled against clm %s but running with %s\n", CLM_VERSION_STRING, clm_version_string());
        return 1;
    }
    printf("clm %s\n", clm_version_string());

    /* 2. A preset, and a custom model built step by step. */
    TRY(clm_model_preset(&sales, "sales6"));
    TRY(clm_model_builder_new(&b, "approval", 1));
    TRY(clm_model_builder_set_name(b, "Order approval"));
    TRY(clm_model_builder_add_stage(b, "draft", "Draft", CLM_STAGE_OPEN, "Collect the order and its value"));
    TRY(clm_model_builder_add_stage(b, "approved", "Approved", CLM_STAGE_WON, "Hand the order to fulfilment"));
    TRY(clm_model_builder_add_stage(b, "rejected", "Rejected", CLM_STAGE_LOST, "Tell the customer why"));
    TRY(clm_model_builder_add_transition(b, "draft", "approved", "approve"));
    TRY(clm_model_builder_add_transition(b, "draft", "rejected", "reject"));
    TRY(clm_model_builder_guard_predicate(b, "draft", "approve", "within_budget")); /* resolved by name at apply time */
    TRY(clm_model_builder_build(&approval, b));
    clm_model_builder_free(b); /* the model does not depend on its builder */
    b = NULL;

    /* 3. A portfolio with both models, and the host predicate. */
    TRY(clm_portfolio_new(&p));
    TRY(clm_portfolio_add_model(NULL, p, sales));
    TRY(clm_portfolio_add_model(NULL, p, approval));
    clm_model_free(sales); /* the portfolio shares the models: our handles can go */
    clm_model_free(approval);
    sales = approval = NULL;
    TRY(clm_portfolio_register_predicate(p, "within_budget", within_budget, &desk));

    /* 4. Events. The deal moves through sales6; its order waits for approval. */
    printf("events:\n");
    TRY(apply(p, "acme", "2024-05-02", "stage", "presentation", "sales6"));
    TRY(apply(p, "acme", "2024-05-06", "check", "meeting protocol sent", NULL)); /* proposal's entry requirement */
    TRY(apply(p, "acme", "2024-05-07", "event", "advance", "sales6"));        /* presentation -> proposal */
    TRY(apply(p, "acme", "2024-05-07", "stage", "draft", "approval"));

    s = apply(p, "acme", "2024-05-08", "stage", "approved", "approval");
    printf("refused as expected: %s\n  %s\n", clm_status_name(s), clm_last_error());
    if (s != CLM_E_GUARD_FAILED) goto cleanup;

    desk.limit = 50000.0; /* the host changes its own data; the next call sees it */
    TRY(apply(p, "acme", "2024-05-09", "stage", "approved", "approval"));
    printf("approved after the limit was raised (predicate called %d times)\n", desk.calls);

    printf("stages:\n");
    print_stage(p, "acme", "sales6", NULL);
    print_stage(p, "acme", "approval", "2024-05-08"); /* the journal answers "as of" any date */
    print_stage(p, "acme", "approval", NULL);

    /* 5. Save atomically, load back. Predicates are code, not data: register them again. */
    TRY(clm_portfolio_save(p, save_path));
    TRY(clm_portfolio_load(&loaded, save_path));
    TRY(clm_portfolio_register_predicate(loaded, "within_budget", within_budget, &desk));
    printf("reloaded %s: %zu customers, %zu events\n", save_path, clm_portfolio_customer_count(loaded),
           clm_portfolio_event_count(loaded));
    print_stage(loaded, "acme", "approval", NULL);
    remove(save_path);
    rc = 0;

cleanup: /* every _free accepts NULL */
    clm_portfolio_free(loaded);
    clm_portfolio_free(p);
    clm_model_builder_free(b);
    clm_model_free(approval);
    clm_model_free(sales);
    return rc;
}
