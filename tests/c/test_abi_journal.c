/* The journal as a host's store of record, from strict C99 (docs/embedding.md):
 * saves to and loads from a buffer, the sequence-number cursor, the observer
 * called after each commit, and erasing a customer; with the bad inputs of
 * each (NULL arguments, lying lengths, bytes that are not a save, a cursor
 * beyond the end, an unknown customer, an observer that fails). */
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

/* customer_id,timestamp,type,value,...: c1 and c2 interleaved, plus a contact. */
static const char *log_csv =
    "customer_id,timestamp,type,value,channel,note\n"
    "c1,2024-01-01,stage,lead,,\n"
    "c2,2024-01-02,stage,lead,,\n"
    "c1,2024-01-03,contact,reached,call,first call\n"
    "c1,2024-01-04,event,propose,,\n"
    "c2,2024-01-05,stage,lost,,\n"
    "c1,2024-01-09,stage,won,,\n";

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

static clm_status stage(clm_portfolio *p, const char *customer, const char *date, const char *stage_id) {
    clm_event ev = CLM_EVENT_INIT;
    ev.customer_id = customer;
    ev.timestamp = date;
    ev.type = "stage";
    ev.value = stage_id;
    return clm_portfolio_apply(p, &ev);
}

static char *export_events(const clm_portfolio *p) {
    char *out = NULL;
    CHECK(clm_portfolio_export_events(&out, NULL, p) == CLM_OK);
    return out;
}

/* What a callback saw: one line per row, "seq customer type value model from>to". */
typedef struct seen {
    char text[4096];
    size_t rows;
    uint64_t last_seq;
    int fail_at; /* return non-zero on this row number (1-based), 0: never */
    const clm_portfolio *portfolio;
    size_t events_during_call; /* the portfolio's event count seen during the last call */
} seen;

static int record(const clm_change *c, void *payload) {
    seen *s = (seen *)payload;
    char line[256];
    s->rows++;
    if (s->fail_at && (int)s->rows == s->fail_at) {
        s->rows--;
        s->fail_at = 0;
        return -7;
    }
    if (s->portfolio) s->events_during_call = clm_portfolio_event_count(s->portfolio);
    snprintf(line, sizeof line, "%llu %s %s %s %s %s>%s|", (unsigned long long)c->seq, c->event->customer_id,
             c->event->type, c->event->value, c->model ? c->model : "-", c->from_stage ? c->from_stage : "-",
             c->to_stage ? c->to_stage : "-");
    if (strlen(s->text) + strlen(line) < sizeof s->text) strcat(s->text, line);
    CHECK(c->struct_size >= sizeof(clm_change));
    CHECK(c->seq > s->last_seq); /* in order, never twice */
    s->last_seq = c->seq;
    return 0;
}

static void test_buffer_save_load(void) {
    clm_portfolio *p = fresh(), *q = NULL, *untouched = (clm_portfolio *)&q;
    char *buf = NULL, *file = NULL, *a, *b;
    size_t len = 0, file_len = 0, n;
    FILE *f;
    const char *path = "test_abi_journal.clm";

    CHECK(clm_portfolio_import_csv(NULL, NULL, p, log_csv, strlen(log_csv), "log.csv", 0) == CLM_OK);
    CHECK(clm_portfolio_save_buffer(&buf, &len, p) == CLM_OK);
    CHECK(buf != NULL && len == strlen(buf));
    /* The same bytes as the file save. */
    CHECK(clm_portfolio_save(p, path) == CLM_OK);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        file = (char *)calloc(1, len + 16);
        file_len = fread(file, 1, len + 16, f);
        fclose(f);
    }
    remove(path);
    CHECK(file_len == len && file != NULL && memcmp(file, buf, len) == 0);
    free(file);

    CHECK(clm_portfolio_load_buffer(&q, buf, len, "db-row-1") == CLM_OK);
    a = export_events(p);
    b = export_events(q);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK(clm_portfolio_customer_count(q) == 2 && clm_portfolio_event_count(q) == 6);
    clm_string_free(a);
    clm_string_free(b);
    clm_portfolio_free(q);

    /* Bad inputs: each a clear status, the out-parameter untouched. */
    q = untouched;
    CHECK(clm_portfolio_save_buffer(NULL, &n, p) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "clm_portfolio_save_buffer: out must not be NULL"));
    CHECK(clm_portfolio_save_buffer(&a, &n, NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_load_buffer(NULL, buf, len, NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_load_buffer(&q, NULL, 10, NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "data must not be NULL"));
    CHECK(clm_portfolio_load_buffer(&q, NULL, 0, NULL) == CLM_E_CORRUPT);
    CHECK(clm_portfolio_load_buffer(&q, "hello, world", 12, "blob") == CLM_E_CORRUPT);
    CHECK(CONTAINS(clm_last_error(), "'blob' is damaged: not a clm portfolio save file"));
    /* A length that lies short: the trailer is cut, so the buffer is damaged. */
    CHECK(clm_portfolio_load_buffer(&q, buf, len - 3, NULL) == CLM_E_CORRUPT);
    CHECK(CONTAINS(clm_last_error(), "'buffer' is damaged"));
    /* A flipped byte inside, made non-UTF-8. */
    buf[len / 2] = (char)0xFF;
    CHECK(clm_portfolio_load_buffer(&q, buf, len, NULL) == CLM_E_CORRUPT);
    CHECK(CONTAINS(clm_last_error(), "checksum mismatch"));
    CHECK(q == untouched);
    clm_string_free(buf);
    clm_portfolio_free(p);
}

static void test_cursor(void) {
    clm_portfolio *p = fresh();
    seen s;
    uint64_t next = 99;
    clm_event ev = CLM_EVENT_INIT;

    CHECK(clm_portfolio_last_seq(p) == 0);
    CHECK(clm_portfolio_last_seq(NULL) == 0);
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 0, 0, record, &s) == CLM_OK);
    CHECK(next == 0 && s.rows == 0);

    CHECK(clm_portfolio_import_csv(NULL, NULL, p, log_csv, strlen(log_csv), "log.csv", 0) == CLM_OK);
    CHECK(clm_portfolio_last_seq(p) == 6);
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 0, 0, record, &s) == CLM_OK);
    CHECK(next == 6 && s.rows == 6);
    /* Expected by hand from log_csv: the event row `propose` is journaled as the stage it reached. */
    CHECK(strcmp(s.text, "1 c1 stage lead deal ->lead|2 c2 stage lead deal ->lead|3 c1 contact reached - ->-|"
                         "4 c1 stage offer deal lead>offer|5 c2 stage lost deal lead>lost|6 c1 stage won deal offer>won|") == 0);

    /* Paging: two rows after 2, then the rest. */
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 2, 2, record, &s) == CLM_OK);
    CHECK(next == 4 && s.rows == 2 && strncmp(s.text, "3 c1 contact", 12) == 0);
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, next, 0, record, &s) == CLM_OK);
    CHECK(next == 6 && s.rows == 2);
    /* At the end: nothing, and the cursor stays. */
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 6, 0, record, &s) == CLM_OK);
    CHECK(next == 6 && s.rows == 0);

    /* The fields of a row come back as given. */
    ev.customer_id = "c3";
    ev.timestamp = "2024-02-01T10:30:00";
    ev.type = "purchase";
    ev.value = "licence";
    ev.channel = "email";
    ev.manager = "anna";
    ev.amount = 1250.5;
    ev.has_amount = 1;
    ev.due = "2024-03-01";
    CHECK(clm_portfolio_apply(p, &ev) == CLM_OK);

    /* Bad inputs. */
    next = 99;
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 8, 0, record, &s) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "cursor 8 is beyond the journal's last sequence number 7"));
    CHECK(clm_portfolio_events_since(&next, NULL, 0, 0, record, &s) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_events_since(&next, p, 0, 0, NULL, &s) == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "fn must not be NULL"));
    s.fail_at = 2;
    CHECK(clm_portfolio_events_since(&next, p, 0, 0, record, &s) == CLM_E_CALLBACK);
    CHECK(CONTAINS(clm_last_error(), "returned -7 at sequence number 2"));
    CHECK(next == 99 && s.rows == 1);
    clm_portfolio_free(p);
}

static int check_purchase(const clm_change *c, void *payload) {
    (void)payload;
    CHECK(strcmp(c->event->customer_id, "c3") == 0 && strcmp(c->event->type, "purchase") == 0);
    CHECK(strcmp(c->event->timestamp, "2024-02-01T10:30:00") == 0 && strcmp(c->event->due, "2024-03-01") == 0);
    CHECK(strcmp(c->event->channel, "email") == 0 && strcmp(c->event->manager, "anna") == 0);
    CHECK(c->event->has_amount && c->event->amount == 1250.5);
    CHECK(c->model == NULL && c->from_stage == NULL && c->to_stage == NULL);
    return 0;
}

static void test_row_fields(void) {
    clm_portfolio *p = fresh();
    clm_event ev = CLM_EVENT_INIT;
    uint64_t next = 0;
    ev.customer_id = "c3";
    ev.timestamp = "2024-02-01T10:30:00";
    ev.type = "purchase";
    ev.value = "licence";
    ev.channel = "email";
    ev.manager = "anna";
    ev.amount = 1250.5;
    ev.has_amount = 1;
    ev.due = "2024-03-01";
    CHECK(clm_portfolio_apply(p, &ev) == CLM_OK);
    CHECK(clm_portfolio_events_since(&next, p, 0, 0, check_purchase, NULL) == CLM_OK && next == 1);
    clm_portfolio_free(p);
}

static void test_observer(void) {
    clm_portfolio *p = fresh();
    seen s;
    clm_event batch[3];
    size_t applied = 0;
    char *rejections = NULL;
    int i;

    memset(&s, 0, sizeof s);
    s.portfolio = p;
    CHECK(stage(p, "c0", "2024-01-01", "lead") == CLM_OK); /* before the observer: not seen */
    CHECK(clm_portfolio_set_observer(p, record, &s) == CLM_OK);
    CHECK(clm_portfolio_observed_seq(p) == 1);
    CHECK(stage(p, "c1", "2024-01-01", "lead") == CLM_OK);
    CHECK(s.rows == 1 && strcmp(s.text, "2 c1 stage lead deal ->lead|") == 0);
    CHECK(clm_portfolio_observed_seq(p) == 2);

    /* A refused event commits nothing, so the observer hears nothing. */
    CHECK(stage(p, "c1", "2024-01-02", "won") == CLM_E_ILLEGAL_TRANSITION);
    CHECK(s.rows == 1);

    /* A batch: once per applied row, after the whole batch committed (the
     * observer sees the final event count on every call). */
    for (i = 0; i < 3; ++i) {
        clm_event e = CLM_EVENT_INIT;
        batch[i] = e;
        batch[i].customer_id = "c1";
        batch[i].type = "stage";
    }
    batch[0].timestamp = "2024-01-03";
    batch[0].value = "offer";
    batch[1].timestamp = "2024-01-04";
    batch[1].value = "lead"; /* offer -> lead: refused, skipped */
    batch[2].timestamp = "2024-01-05";
    batch[2].value = "won";
    memset(&s, 0, sizeof s);
    s.portfolio = p;
    s.last_seq = 2;
    CHECK(clm_portfolio_apply_batch(&applied, &rejections, p, batch, 3, CLM_BATCH_SKIP_BAD) == CLM_OK);
    CHECK(applied == 2 && CONTAINS(rejections, "event 1"));
    clm_string_free(rejections);
    CHECK(s.rows == 2 && s.events_during_call == 4);
    CHECK(strcmp(s.text, "3 c1 stage offer deal lead>offer|4 c1 stage won deal offer>won|") == 0);

    /* An observer that fails: the commit stays, the call succeeds, and the
     * refused row is offered again, first, on the next commit. */
    memset(&s, 0, sizeof s);
    s.portfolio = p;
    s.last_seq = 4;
    s.fail_at = 1;
    CHECK(stage(p, "c2", "2024-01-06", "lead") == CLM_OK);
    CHECK(clm_last_status() == CLM_OK);
    CHECK(clm_portfolio_event_count(p) == 5 && clm_portfolio_last_seq(p) == 5);
    CHECK(clm_portfolio_observed_seq(p) == 4 && s.rows == 0);
    CHECK(stage(p, "c2", "2024-01-07", "lost") == CLM_OK);
    CHECK(clm_portfolio_observed_seq(p) == 6 && s.rows == 2);
    CHECK(strcmp(s.text, "5 c2 stage lead deal ->lead|6 c2 stage lost deal lead>lost|") == 0);

    /* Removing it: nothing more is delivered. */
    CHECK(clm_portfolio_set_observer(p, NULL, NULL) == CLM_OK);
    CHECK(stage(p, "c3", "2024-01-07", "lead") == CLM_OK);
    CHECK(s.rows == 2);
    CHECK(clm_portfolio_set_observer(NULL, record, &s) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_observed_seq(NULL) == 0);
    clm_portfolio_free(p);
}

static void test_erase(void) {
    clm_portfolio *p = fresh();
    const char *csv = "customer_id,timestamp,type,value,note\n"
                      "keep-1,2024-01-01,stage,lead,\n"
                      "gdpr-subject-42,2024-01-02,stage,lead,\n"
                      "gdpr-subject-42,2024-01-03,contact,reached,private note xq17\n"
                      "keep-1,2024-01-04,stage,offer,\n"
                      "gdpr-subject-42,2024-01-05,stage,offer,\n";
    char *before = NULL, *after = NULL, *saved = NULL, *journal = NULL;
    seen s;
    uint64_t next = 0;

    CHECK(clm_portfolio_import_csv(NULL, NULL, p, csv, strlen(csv), "log.csv", 0) == CLM_OK);
    CHECK(clm_portfolio_save_buffer(&saved, NULL, p) == CLM_OK);
    CHECK(CONTAINS(saved, "gdpr-subject-42") && CONTAINS(saved, "xq17"));
    clm_string_free(saved);

    /* Bad inputs change nothing. */
    before = export_events(p);
    CHECK(clm_portfolio_erase_customer(p, "nobody") == CLM_E_NOT_FOUND);
    CHECK(CONTAINS(clm_last_error(), "clm_portfolio_erase_customer: no customer 'nobody'"));
    CHECK(clm_portfolio_erase_customer(p, NULL) == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_erase_customer(NULL, "keep-1") == CLM_E_INVALID_ARGUMENT);
    CHECK(clm_portfolio_erase_customer(p, "\xff\xfe") == CLM_E_INVALID_ARGUMENT);
    CHECK(CONTAINS(clm_last_error(), "not valid UTF-8"));
    journal = export_events(p);
    CHECK(strcmp(before, journal) == 0);
    clm_string_free(journal);
    clm_string_free(before);

    CHECK(clm_portfolio_erase_customer(p, "gdpr-subject-42") == CLM_OK);
    CHECK(clm_portfolio_customer_count(p) == 1 && clm_portfolio_event_count(p) == 2);
    CHECK(strcmp(clm_portfolio_customer_id(p, 0), "keep-1") == 0);
    CHECK(clm_portfolio_save_buffer(&saved, NULL, p) == CLM_OK);
    CHECK(!CONTAINS(saved, "gdpr-subject-42") && !CONTAINS(saved, "xq17"));
    clm_string_free(saved);
    after = export_events(p);
    CHECK(!CONTAINS(after, "gdpr"));
    clm_string_free(after);

    /* The others keep their sequence numbers (1 and 4); numbers are not reused. */
    CHECK(clm_portfolio_last_seq(p) == 5);
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 0, 0, record, &s) == CLM_OK);
    CHECK(strcmp(s.text, "1 keep-1 stage lead deal ->lead|4 keep-1 stage offer deal lead>offer|") == 0);
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 2, 0, record, &s) == CLM_OK);
    CHECK(s.rows == 1 && next == 4);
    CHECK(stage(p, "keep-1", "2024-01-09", "won") == CLM_OK);
    CHECK(clm_portfolio_last_seq(p) == 6);
    memset(&s, 0, sizeof s);
    CHECK(clm_portfolio_events_since(&next, p, 5, 0, record, &s) == CLM_OK);
    CHECK(strcmp(s.text, "6 keep-1 stage won deal offer>won|") == 0);
    /* The customer is gone from every query. */
    CHECK(clm_portfolio_erase_customer(p, "gdpr-subject-42") == CLM_E_NOT_FOUND);
    clm_portfolio_free(p);
}

int main(void) {
    test_buffer_save_load();
    test_cursor();
    test_row_fields();
    test_observer();
    test_erase();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
