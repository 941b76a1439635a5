/* Real-world ingestion through the C ABI, from strict C99 (docs/embedding.md):
 * timestamps with UTC offsets converted into the portfolio's zone, the
 * streaming import (bounded chunks, all-or-nothing across them, real line
 * numbers, progress and cancellation, a failing reader), and warnings for
 * values in columns a row's type does not use. */
#include <clm/clm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        ++checks;                                                                                            \
        if (!(cond)) {                                                                                       \
            ++failures;                                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n  last error: %s\n", __FILE__, __LINE__, #cond,        \
                    clm_last_error());                                                                       \
        }                                                                                                    \
    } while (0)
#define CONTAINS(hay, needle) ((hay) != NULL && strstr((hay), (needle)) != NULL)

static const char *model_json =
    "{\"id\":\"deal\",\"version\":1,\"initial\":\"lead\",\"stages\":["
    "{\"id\":\"lead\",\"name\":\"Lead\",\"kind\":\"open\",\"task\":\"qualify\"},"
    "{\"id\":\"offer\",\"name\":\"Offer\",\"kind\":\"open\",\"task\":\"propose\"},"
    "{\"id\":\"won\",\"name\":\"Won\",\"kind\":\"won\",\"task\":\"deliver\"},"
    "{\"id\":\"lost\",\"name\":\"Lost\",\"kind\":\"lost\",\"task\":\"learn\"}],"
    "\"transitions\":[{\"from\":\"lead\",\"to\":\"offer\",\"event\":\"propose\"},"
    "{\"from\":\"offer\",\"to\":\"won\",\"event\":\"win\"},"
    "{\"from\":\"lead\",\"to\":\"lost\",\"event\":\"lose\"},{\"from\":\"offer\",\"to\":\"lost\",\"event\":\"lose\"}]}";

static clm_portfolio *fresh(void) {
    clm_model *m = NULL;
    clm_portfolio *p = NULL;
    if (clm_model_from_json(&m, model_json, strlen(model_json)) != CLM_OK || clm_portfolio_new(&p) != CLM_OK ||
        clm_portfolio_add_model(NULL, p, m) != CLM_OK) {
        fprintf(stderr, "setup failed: %s\n", clm_last_error());
        exit(2);
    }
    clm_model_free(m);
    return p;
}

static char *export_events(const clm_portfolio *p) {
    char *out = NULL;
    CHECK(clm_portfolio_export_events(&out, NULL, p) == CLM_OK);
    return out;
}

static clm_status apply_at(clm_portfolio *p, const char *customer, const char *when, const char *type, const char *value,
                           const char *due) {
    clm_event ev = CLM_EVENT_INIT;
    ev.customer_id = customer;
    ev.timestamp = when;
    ev.type = type;
    ev.value = value;
    ev.due = due;
    return clm_portfolio_apply(p, &ev);
}

static void test_time_zones(void) {
    clm_portfolio *p = fresh();
    char *csv;
    const char *log = "customer_id,timestamp,type,value,due\n"
                      "k1,2024-03-10T01:15:00+05:30,stage,lead,\n"
                      "k1,2024-03-10T12:00:00,document,proposal,2024-03-20T18:00:00-04:00\n";

    /* UTC by default: an offset is converted, a time without one is kept. */
    CHECK(apply_at(p, "u1", "2024-01-01T23:30:00-02:00", "stage", "lead", NULL) == CLM_OK);
    CHECK(apply_at(p, "u2", "2024-01-01T10:00:00Z", "stage", "lead", NULL) == CLM_OK);
    CHECK(apply_at(p, "u3", "2024-01-01T10:00:00", "stage", "lead", NULL) == CLM_OK);
    csv = export_events(p);
    /* Expected by hand: 23:30 at -02:00 is 01:30 UTC the next day. */
    CHECK(CONTAINS(csv, "u1,2024-01-02T01:30:00,stage,lead"));
    CHECK(CONTAINS(csv, "u2,2024-01-01T10:00:00,stage,lead"));
    CHECK(CONTAINS(csv, "u3,2024-01-01T10:00:00,stage,lead"));
    clm_string_free(csv);

    /* A portfolio kept in +03:00: 23:30 UTC is 02:30 the next day; a due date too. */
    CHECK(clm_portfolio_set_time_zone(p, "+03:00") == CLM_OK);
    CHECK(apply_at(p, "z1", "2024-02-28T23:30:00Z", "stage", "lead", NULL) == CLM_OK);
    CHECK(apply_at(p, "z1", "2024-02-29T08:00:00", "document", "contract", "2024-03-01T00:00:00+05:00") == CLM_OK);
    csv = export_events(p);
    CHECK(CONTAINS(csv, "z1,2024-02-29T02:30:00,stage,lead"));
    CHECK(CONTAINS(csv, "z1,2024-02-29T08:00:00,document,contract,,,,,,2024-02-29T22:00:00,"));
    clm_string_free(csv);

    /* The CSV import converts the same way: 01:15 at +05:30 is 19:45 UTC the day
     * before, 22:45 at +03:00; 18:00 at -04:00 is 22:00 UTC, 01:00 the next day at +03:00. */
    CHECK(clm_portfolio_import_csv(NULL, NULL, p, log, strlen(log), "zones.csv", 0) == CLM_OK);
    csv = export_events(p);
    CHECK(CONTAINS(csv, "k1,2024-03-09T22:45:00,stage,lead"));
    CHECK(CONTAINS(csv, "k1,2024-03-10T12:00:00,document,proposal,,,,,,2024-03-21T01:00:00,"));
    clm_string_free(csv);

    /* Bad offsets: a clear status, nothing changed. */
    CHECK(clm_portfolio_set_time_zone(p, "+15:00") == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "time zone '+15:00' is not a UTC offset"));
    CHECK(clm_portfolio_set_time_zone(p, "Europe/Berlin") == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_set_time_zone(p, "+3:00") == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_set_time_zone(p, NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_set_time_zone(NULL, "Z") == CLM_E_INVALID_ARGUMENT);
    CHECK(apply_at(p, "bad", "2024-01-01T10:00:00+25:00", "stage", "lead", NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "'2024-01-01T10:00:00+25:00' is not a valid date"));
    CHECK(apply_at(p, "bad", "2024-01-01Z", "stage", "lead", NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(apply_at(p, "bad", "2024-01-01T10:00:00+0300", "stage", "lead", NULL) == CLM_E_INVALID_ARGUMENT);
    /* Past the last day clm accepts once converted. */
    CHECK(apply_at(p, "bad", "9999-12-31T23:00:00-05:00", "stage", "lead", NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_set_time_zone(p, "UTC") == CLM_OK);
    CHECK(clm_portfolio_event_count(p) == 7);
    clm_portfolio_free(p);
}

/* A reader over a string, `step` bytes a call at most (a host reading a socket). */
typedef struct string_reader {
    const char *text;
    size_t len, pos, step;
    int fail_at_call; /* return -5 on this call (1-based), 0: never */
    int oversize;     /* return more than asked for */
    int calls;
} string_reader;

static int64_t read_string(char *buffer, size_t capacity, void *payload) {
    string_reader *r = (string_reader *)payload;
    size_t n = r->len - r->pos;
    r->calls++;
    if (r->fail_at_call && r->calls == r->fail_at_call) return -5;
    if (r->oversize) return (int64_t)capacity + 1;
    if (n > r->step) n = r->step;
    if (n > capacity) n = capacity;
    memcpy(buffer, r->text + r->pos, n);
    r->pos += n;
    return (int64_t)n;
}

typedef struct progress_log {
    size_t calls, last;
    size_t cancel_at; /* cancel on this call (1-based), 0: never */
    int monotonic;
} progress_log;

static int on_progress(size_t done, size_t total, void *payload) {
    progress_log *l = (progress_log *)payload;
    l->calls++;
    if (done < l->last || total != 0) l->monotonic = 0;
    l->last = done;
    return l->cancel_at && l->calls == l->cancel_at;
}

/* A log of `customers` customers, three rows each, grouped by customer, some
 * notes quoted with a comma and a line break (a record over two lines). */
static char *make_log(size_t customers, size_t *out_len, size_t *out_lines) {
    size_t cap = 64 + customers * 200, len = 0, lines = 1, i;
    char *s = (char *)malloc(cap);
    len += (size_t)sprintf(s + len, "customer_id,timestamp,type,value,note\n");
    for (i = 0; i < customers; ++i) {
        len += (size_t)sprintf(s + len, "cust-%06lu,2024-01-01,stage,lead,\n", (unsigned long)i);
        if (i % 7 == 0) {
            len += (size_t)sprintf(s + len, "cust-%06lu,2024-01-02,contact,reached,\"called, then\nwrote\"\n", (unsigned long)i);
            lines += 1;
        } else {
            len += (size_t)sprintf(s + len, "cust-%06lu,2024-01-02,contact,reached,\n", (unsigned long)i);
        }
        len += (size_t)sprintf(s + len, "cust-%06lu,2024-01-0%d,stage,%s,\n", (unsigned long)i, 3 + (int)(i % 5),
                               i % 3 ? "offer" : "lost");
        lines += 3;
    }
    *out_len = len;
    *out_lines = lines;
    return s;
}

static void test_stream(void) {
    size_t len = 0, lines = 0, applied = 0, n_before;
    char *text = make_log(20000, &len, &lines), *a, *b, *rejections = NULL, *warnings = NULL;
    clm_portfolio *whole = fresh(), *streamed = fresh();
    string_reader r;
    progress_log prog;
    char line_ref[64];

    CHECK(len > 2 * 1024 * 1024); /* several chunks of 1 MiB */
    CHECK(clm_portfolio_import_csv(NULL, NULL, whole, text, len, "log.csv", 0) == CLM_OK);

    /* The stream in 1000-byte reads: the same journal as the import of the whole text. */
    memset(&r, 0, sizeof r);
    r.text = text;
    r.len = len;
    r.step = 1000;
    memset(&prog, 0, sizeof prog);
    prog.monotonic = 1;
    CHECK(clm_portfolio_import_csv_stream(&applied, &rejections, &warnings, streamed, read_string, &r, "log.csv", 0,
                                          on_progress, &prog) == CLM_OK);
    CHECK(applied == 60000 && clm_portfolio_event_count(streamed) == 60000);
    CHECK(rejections && rejections[0] == '\0' && warnings && warnings[0] == '\0');
    clm_string_free(rejections);
    clm_string_free(warnings);
    /* The same state as the import of the whole text (the journal's apply order
     * differs: the whole text is sorted by time at once, the stream chunk by chunk). */
    CHECK(clm_portfolio_export(&a, NULL, whole, NULL, CLM_EXPORT_CSV) == CLM_OK);
    CHECK(clm_portfolio_export(&b, NULL, streamed, NULL, CLM_EXPORT_CSV) == CLM_OK);
    CHECK(a && b && strcmp(a, b) == 0);
    clm_string_free(a);
    clm_string_free(b);
    CHECK(clm_portfolio_funnel_json(&a, NULL, whole, NULL, NULL) == CLM_OK);
    CHECK(clm_portfolio_funnel_json(&b, NULL, streamed, NULL, NULL) == CLM_OK);
    CHECK(a && b && strcmp(a, b) == 0 && CONTAINS(a, "\"customers\":20000"));
    clm_string_free(a);
    clm_string_free(b);
    /* Progress after each chunk: at least 3, bytes growing, the last one the whole log. */
    CHECK(prog.calls >= 3 && prog.monotonic && prog.last == len);

    /* Cancelled after the first chunk: everything rolled back, even rows already applied. */
    n_before = clm_portfolio_event_count(streamed);
    {
        clm_portfolio *p = fresh();
        CHECK(apply_at(p, "cust-000001", "2023-12-01", "stage", "lead", NULL) == CLM_OK);
        a = export_events(p);
        memset(&r, 0, sizeof r);
        r.text = text;
        r.len = len;
        r.step = (size_t)1 << 20;
        memset(&prog, 0, sizeof prog);
        prog.cancel_at = 1;
        applied = 4242;
        CHECK(clm_portfolio_import_csv_stream(&applied, NULL, NULL, p, read_string, &r, "log.csv", 0, on_progress,
                                              &prog) == CLM_E_CANCELLED);
        CHECK(applied == 4242 && clm_portfolio_event_count(p) == 1 && clm_portfolio_customer_count(p) == 1);
        b = export_events(p);
        CHECK(a && b && strcmp(a, b) == 0);
        clm_string_free(a);
        clm_string_free(b);
        clm_portfolio_free(p);
    }
    CHECK(clm_portfolio_event_count(streamed) == n_before);

    /* A refused row in the last chunk: the error names its real line, nothing imported. */
    {
        clm_portfolio *p = fresh();
        char *bad = (char *)malloc(len + 64);
        memcpy(bad, text, len);
        memcpy(bad + len, "cust-000000,2024-02-01,stage,won,\n", 35); /* cust-0 is lost: no move to won */
        memset(&r, 0, sizeof r);
        r.text = bad;
        r.len = len + 34;
        r.step = 4096;
        CHECK(clm_portfolio_import_csv_stream(NULL, NULL, NULL, p, read_string, &r, "big.csv", 0, NULL, NULL) ==
              CLM_E_ILLEGAL_TRANSITION);
        sprintf(line_ref, "big.csv:%lu: customer 'cust-000000'", (unsigned long)(lines + 1));
        CHECK(CONTAINS(clm_last_error(), line_ref));
        CHECK(clm_portfolio_event_count(p) == 0 && clm_portfolio_customer_count(p) == 0);

        /* Skipping it instead: reported with the same line, the rest applied. */
        r.pos = 0;
        CHECK(clm_portfolio_import_csv_stream(&applied, &rejections, NULL, p, read_string, &r, "big.csv",
                                              CLM_BATCH_SKIP_BAD, NULL, NULL) == CLM_OK);
        sprintf(line_ref, "big.csv:%lu: customer 'cust-000000'", (unsigned long)(lines + 1));
        CHECK(applied == 60000 && CONTAINS(rejections, line_ref));
        clm_string_free(rejections);

        /* A malformed row deep in the stream: CLM_E_PARSE with its line. */
        clm_portfolio_free(p);
        p = fresh();
        memcpy(bad + len, "cust-000000,2024-02-30,stage,won,\n", 35);
        r.pos = 0;
        CHECK(clm_portfolio_import_csv_stream(NULL, NULL, NULL, p, read_string, &r, "big.csv", 0, NULL, NULL) ==
              CLM_E_PARSE);
        sprintf(line_ref, "big.csv:%lu:2: error: column 'timestamp'", (unsigned long)(lines + 1));
        CHECK(CONTAINS(clm_last_error(), line_ref));
        CHECK(clm_portfolio_event_count(p) == 0);
        clm_portfolio_free(p);
        free(bad);
    }

    /* A reader that fails on its third call, or lies about its length. */
    {
        clm_portfolio *p = fresh();
        memset(&r, 0, sizeof r);
        r.text = text;
        r.len = len;
        r.step = (size_t)1 << 20;
        r.fail_at_call = 3;
        CHECK(clm_portfolio_import_csv_stream(NULL, NULL, NULL, p, read_string, &r, "sock", 0, NULL, NULL) == CLM_E_CALLBACK);
        CHECK(CONTAINS(clm_last_error(), "sock: the read callback reported an error (-5)"));
        CHECK(clm_portfolio_event_count(p) == 0);
        memset(&r, 0, sizeof r);
        r.text = text;
        r.len = len;
        r.oversize = 1;
        CHECK(clm_portfolio_import_csv_stream(NULL, NULL, NULL, p, read_string, &r, NULL, 0, NULL, NULL) ==
              CLM_E_INVALID_ARGUMENT);
        CHECK(CONTAINS(clm_last_error(), "returned 1048577 bytes for a buffer of 1048576"));
        CHECK(clm_portfolio_import_csv_stream(NULL, NULL, NULL, p, NULL, &r, NULL, 0, NULL, NULL) == CLM_E_INVALID_ARGUMENT);
        CHECK(clm_portfolio_import_csv_stream(NULL, NULL, NULL, NULL, read_string, &r, NULL, 0, NULL, NULL) ==
              CLM_E_INVALID_ARGUMENT);
        /* An empty stream has no header. */
        memset(&r, 0, sizeof r);
        r.text = "";
        CHECK(clm_portfolio_import_csv_stream(NULL, NULL, NULL, p, read_string, &r, "empty", 0, NULL, NULL) == CLM_E_PARSE);
        CHECK(CONTAINS(clm_last_error(), "empty event log"));
        CHECK(clm_portfolio_event_count(p) == 0);
        clm_portfolio_free(p);
    }
    clm_portfolio_free(whole);
    clm_portfolio_free(streamed);
    free(text);
}

static void test_unused_columns(void) {
    clm_portfolio *p = fresh();
    const char *log = "customer_id,timestamp,type,value,model,channel,amount,reason,due\n"
                      "c1,2024-01-01,stage,lead,deal,,,,\n"
                      "c1,2024-01-02,contact,called,,call,250,,\n"
                      "c1,2024-01-03,purchase,licence,,email,990,,2024-02-01\n"
                      "c1,2024-01-04,stage,lost,deal,,,no budget,\n";
    string_reader r;
    char *warnings = NULL;
    size_t applied = 0;
    memset(&r, 0, sizeof r);
    r.text = log;
    r.len = strlen(log);
    r.step = 10;
    CHECK(clm_portfolio_import_csv_stream(&applied, NULL, &warnings, p, read_string, &r, "crm.csv", 0, NULL, NULL) == CLM_OK);
    CHECK(applied == 4);
    /* Expected by hand from the table in docs/event-log.md: amount on a contact,
     * channel and due on a purchase. */
    CHECK(warnings != NULL &&
          strcmp(warnings, "crm.csv:3:7: warning: column 'amount' (customer 'c1') is not used on a 'contact' row (kept, but nothing reads it)\n"
                           "crm.csv:4:6: warning: column 'channel' (customer 'c1') is not used on a 'purchase' row (kept, but nothing reads it)\n"
                           "crm.csv:4:9: warning: column 'due' (customer 'c1') is not used on a 'purchase' row (kept, but nothing reads it)\n") == 0);
    clm_string_free(warnings);
    clm_portfolio_free(p);
}

/* The change a cursor delivers: its sequence number and stages, copied. */
struct seen {
    uint64_t seq;
    char timestamp[32], from[16], to[16];
};

static int remember(const clm_change *change, void *payload) {
    struct seen *s = (struct seen *)payload;
    s->seq = change->seq;
    snprintf(s->timestamp, sizeof s->timestamp, "%s", change->event->timestamp);
    snprintf(s->from, sizeof s->from, "%s", change->from_stage ? change->from_stage : "-");
    snprintf(s->to, sizeof s->to, "%s", change->to_stage ? change->to_stage : "-");
    return 0;
}

static clm_status import_text(size_t *applied, clm_portfolio *p, const char *csv, const char *name) {
    return clm_portfolio_import_csv(applied, NULL, p, csv, strlen(csv), name, 0);
}

static size_t stage_on(const clm_portfolio *p, const char *customer, const char *date) {
    size_t stage = 99;
    CHECK(clm_portfolio_stage(&stage, NULL, p, customer, NULL, date) == CLM_OK);
    return stage;
}

/* Late events (docs/event-log.md): folded in at their time through
 * clm_portfolio_apply() and the imports, a new sequence number, all-or-nothing;
 * refused in strict time order. Stage indexes: lead 0, offer 1, won 2, lost 3. */
static void test_late_events(void) {
    clm_portfolio *p = fresh();
    struct seen seen;
    char *before = NULL, *after = NULL, *warnings = NULL;
    size_t applied = 0;
    string_reader r;
    CHECK(apply_at(p, "a", "2024-01-01", "stage", "lead", NULL) == CLM_OK);
    CHECK(apply_at(p, "a", "2024-01-20", "stage", "won", NULL) == CLM_E_ILLEGAL_TRANSITION); /* lead -> won: no */
    CHECK(apply_at(p, "a", "2024-01-20", "event", "propose", NULL) == CLM_OK);
    CHECK(apply_at(p, "a", "2024-01-25", "event", "win", NULL) == CLM_OK);
    /* Late: lost on Jan 10 would make the offer of Jan 20 illegal: refused, naming it. */
    before = export_events(p);
    CHECK(apply_at(p, "a", "2024-01-10", "stage", "lost", NULL) == CLM_E_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(clm_last_error(), "later event #2 at 2024-01-20 (stage 'offer' in model 'deal') would be refused"));
    after = export_events(p);
    CHECK(before && after && strcmp(before, after) == 0);
    clm_string_free(after);
    clm_string_free(before);
    /* A late contact is folded in: sequence number 4, at its time in the history. */
    CHECK(apply_at(p, "a", "2024-01-05", "contact", NULL, NULL) == CLM_OK);
    CHECK(clm_portfolio_last_seq(p) == 4);
    CHECK(clm_portfolio_events_since(NULL, p, 3, 0, remember, &seen) == CLM_OK);
    CHECK(seen.seq == 4 && strcmp(seen.timestamp, "2024-01-05") == 0);
    /* Customer b: lead, then lost; the offer between them arrives late, by a second import. */
    CHECK(import_text(&applied, p, "customer_id,timestamp,type,value\nb,2024-02-01,stage,lead\nb,2024-02-25,stage,lost\n", "1.csv") == CLM_OK);
    CHECK(import_text(&applied, p, "customer_id,timestamp,type,value\nb,2024-02-20,stage,offer\n", "2.csv") == CLM_OK);
    CHECK(stage_on(p, "b", "2024-02-10") == 0 && stage_on(p, "b", "2024-02-22") == 1 && stage_on(p, "b", "2024-02-26") == 3);
    CHECK(import_text(&applied, p, "customer_id,timestamp,type,value\nb,2024-02-21,stage,won\n", "3.csv") == CLM_E_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(clm_last_error(), "3.csv:2: customer 'b': the late event at 2024-02-21 (stage 'won') cannot be folded in"));
    /* The stream: a late row in its only chunk, and the observer's from_stage is the stage as of then. */
    memset(&r, 0, sizeof r);
    r.text = "customer_id,timestamp,type,value\nc,2024-03-10,stage,offer\nc,2024-03-01,stage,lead\n";
    r.len = strlen(r.text);
    r.step = 7;
    CHECK(clm_portfolio_import_csv_stream(&applied, NULL, &warnings, p, read_string, &r, "s.csv", 0, NULL, NULL) == CLM_OK);
    clm_string_free(warnings);
    CHECK(stage_on(p, "c", "2024-03-05") == 0 && stage_on(p, "c", "2024-03-10") == 1);
    CHECK(clm_portfolio_set_observer(p, remember, &seen) == CLM_OK);
    CHECK(apply_at(p, "c", "2024-03-12", "stage", "won", NULL) == CLM_OK);
    CHECK(apply_at(p, "c", "2024-03-11", "stage", "offer", NULL) == CLM_OK); /* late, same stage: changes nothing */
    CHECK(strcmp(seen.from, "offer") == 0 && strcmp(seen.to, "offer") == 0 && strcmp(seen.timestamp, "2024-03-11") == 0);
    CHECK(clm_portfolio_set_observer(p, NULL, NULL) == CLM_OK);
    /* Strict time order refuses them as before. */
    CHECK(clm_portfolio_set_strict_time_order(NULL, 1) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_set_strict_time_order(p, 1) == CLM_OK);
    CHECK(apply_at(p, "a", "2024-01-06", "contact", NULL, NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "is older than the customer's last event"));
    CHECK(clm_portfolio_set_strict_time_order(p, 0) == CLM_OK);
    CHECK(apply_at(p, "a", "2024-01-06", "contact", NULL, NULL) == CLM_OK);
    clm_portfolio_free(p);
}

/* Same-time rows exported in an order the model refuses: applied in the one legal order, with a note. */
static void test_same_time_rows(void) {
    clm_portfolio *p = fresh();
    string_reader r;
    size_t applied = 0;
    char *warnings = NULL;
    memset(&r, 0, sizeof r);
    r.text = "customer_id,timestamp,type,value\nd,2024-04-01,stage,lead\nd,2024-04-02,stage,won\nd,2024-04-02,stage,offer\n";
    r.len = strlen(r.text);
    r.step = 64;
    CHECK(clm_portfolio_import_csv_stream(&applied, NULL, &warnings, p, read_string, &r, "t.csv", 0, NULL, NULL) == CLM_OK);
    CHECK(applied == 3);
    CHECK(warnings != NULL && strcmp(warnings, "t.csv:3: note: customer 'd': rows 3, 4 at 2024-04-02 applied in the order 4, 3 "
                                               "(the model refuses the file's order; it allows only this one)\n") == 0);
    clm_string_free(warnings);
    CHECK(stage_on(p, "d", "2024-04-02") == 2);
    /* won and lost the same day: no order is legal; nothing changes. */
    CHECK(import_text(&applied, p, "customer_id,timestamp,type,value\ne,2024-04-01,stage,offer\ne,2024-04-03,stage,won\ne,2024-04-03,stage,lost\n", "u.csv") == CLM_E_ILLEGAL_TRANSITION);
    CHECK(CONTAINS(clm_last_error(), "u.csv:3, u.csv:4: customer 'e': 2 rows at 2024-04-03: no order of them is legal"));
    CHECK(clm_portfolio_customer_count(p) == 1);
    clm_portfolio_free(p);
}

int main(void) {
    test_late_events();
    test_same_time_rows();
    test_time_zones();
    test_stream();
    test_unused_columns();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
