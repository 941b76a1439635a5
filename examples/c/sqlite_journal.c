/*
 * sqlite_journal.c -- the host's database as the store of record: a CRM that
 * keeps clm's journal in SQLite (docs/embedding.md).
 *
 *   1. An observer (clm_portfolio_set_observer) appends every committed row to
 *      the table `journal`, keyed by its sequence number, inside the host's
 *      own transaction.
 *   2. The events are imported (the observer sees each row once the import
 *      has committed).
 *   3. A snapshot of the whole portfolio goes to the table `snapshot` as a
 *      BLOB (clm_portfolio_save_buffer).
 *   4. The portfolio is rebuilt twice: from the `journal` table, row by row in
 *      sequence order (clm_portfolio_apply_batch, in chunks of bounded size),
 *      and from the snapshot (clm_portfolio_load_buffer).
 *   5. Both are compared with the original: the journal, the status of every
 *      customer (the maturity export) and the funnel must be the same bytes.
 *
 * Build: part of the clm CMake project (target clm_example_sqlite, when
 *   CMake finds SQLite3: Debian's libsqlite3-dev), or
 *   cc -std=c99 sqlite_journal.c -lclm -lsqlite3
 * Run:   ./clm_example_sqlite MODEL EVENTS.csv DATABASE
 *   e.g. python3 scripts/crm_to_events.py -o crm-events.csv
 *        ./clm_example_sqlite examples/data/crm-pipeline.json crm-events.csv crm.sqlite
 * Exit status 0 when every rebuilt state equals the original.
 */
#include <clm/clm.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096 /* rows replayed per clm_portfolio_apply_batch call */

static const char *schema =
    "CREATE TABLE journal (seq INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, timestamp TEXT NOT NULL,"
    " type TEXT NOT NULL, value TEXT, model TEXT, channel TEXT, manager TEXT, amount REAL, reason TEXT,"
    " due TEXT, note TEXT);"
    "CREATE TABLE snapshot (id INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, bytes BLOB NOT NULL);";

/* The observer's state: the prepared INSERT and the first SQLite error. */
typedef struct journal_writer {
    sqlite3_stmt *insert;
    int rows;
    int failed;
} journal_writer;

static int bind_text(sqlite3_stmt *st, int i, const char *s) {
    return s && *s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* A clm_change_fn: called once per committed row, after the commit. A
 * non-zero return leaves the row undelivered; clm offers it again, first, on
 * the next commit, so the table never gets a gap. */
static int append_row(const clm_change *change, void *payload) {
    journal_writer *w = (journal_writer *)payload;
    const clm_event *e = change->event;
    sqlite3_stmt *st = w->insert;
    int rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)change->seq);
    if (rc == SQLITE_OK) rc = bind_text(st, 2, e->customer_id);
    if (rc == SQLITE_OK) rc = bind_text(st, 3, e->timestamp);
    if (rc == SQLITE_OK) rc = bind_text(st, 4, e->type);
    if (rc == SQLITE_OK) rc = bind_text(st, 5, e->value);
    if (rc == SQLITE_OK) rc = bind_text(st, 6, e->model);
    if (rc == SQLITE_OK) rc = bind_text(st, 7, e->channel);
    if (rc == SQLITE_OK) rc = bind_text(st, 8, e->manager);
    if (rc == SQLITE_OK) rc = e->has_amount ? sqlite3_bind_double(st, 9, e->amount) : sqlite3_bind_null(st, 9);
    if (rc == SQLITE_OK) rc = bind_text(st, 10, e->reason);
    if (rc == SQLITE_OK) rc = bind_text(st, 11, e->due);
    if (rc == SQLITE_OK) rc = bind_text(st, 12, e->note);
    if (rc == SQLITE_OK) rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(st);
    if (rc != SQLITE_OK) {
        w->failed = 1;
        return 1;
    }
    w->rows++;
    return 0;
}

static clm_portfolio *portfolio_with(const clm_model *model) {
    clm_portfolio *p = NULL;
    if (clm_portfolio_new(&p) != CLM_OK || clm_portfolio_add_model(NULL, p, model) != CLM_OK) {
        fprintf(stderr, "portfolio: %s\n", clm_last_error());
        clm_portfolio_free(p);
        return NULL;
    }
    return p;
}

/* A column's text copied into `arena` (NULL stays NULL): the strings of a
 * chunk of events must live until clm_portfolio_apply_batch() returns. */
static const char *column(sqlite3_stmt *st, int i, char **arena) {
    const unsigned char *s = sqlite3_column_text(st, i);
    size_t n;
    char *out;
    if (s == NULL) return NULL;
    n = strlen((const char *)s) + 1;
    out = *arena;
    memcpy(out, s, n);
    *arena += n;
    return out;
}

/* Applies one chunk; returns 0 on success. */
static int flush(clm_portfolio *p, clm_event *events, size_t n) {
    if (n == 0) return 0;
    if (clm_portfolio_apply_batch(NULL, NULL, p, events, n, 0) != CLM_OK) {
        fprintf(stderr, "replay: %s\n", clm_last_error());
        return 1;
    }
    return 0;
}

/* Rebuilds a portfolio from the journal table, in sequence order, CHUNK rows
 * at a time (memory bounded by the chunk, not the table). */
static clm_portfolio *rebuild_from_table(sqlite3 *db, const clm_model *model) {
    clm_portfolio *p = portfolio_with(model);
    sqlite3_stmt *st = NULL;
    clm_event *events = (clm_event *)malloc(sizeof(clm_event) * CHUNK);
    size_t n = 0, arena_size = 0;
    char *arena = NULL, *next = NULL;
    int ok = p != NULL && events != NULL;
    if (ok)
        ok = sqlite3_prepare_v2(db, "SELECT customer_id, timestamp, type, value, model, channel, manager, amount, reason,"
                                    " due, note, length(customer_id) + length(timestamp) + length(type) + ifnull(length(value), 0)"
                                    " + ifnull(length(model), 0) + ifnull(length(channel), 0) + ifnull(length(manager), 0)"
                                    " + ifnull(length(reason), 0) + ifnull(length(due), 0) + ifnull(length(note), 0) + 11"
                                    " FROM journal ORDER BY seq",
                                -1, &st, NULL) == SQLITE_OK;
    while (ok) {
        int rc = sqlite3_step(st);
        clm_event ev = CLM_EVENT_INIT;
        size_t need;
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
            ok = 0;
            break;
        }
        /* The chunk's strings live in one arena; a full arena (or chunk) is applied first. */
        need = (size_t)sqlite3_column_int64(st, 11) * 4; /* length() counts characters; UTF-8 needs at most 4 bytes each */
        if (n == CHUNK || (size_t)(next - arena) + need > arena_size) {
            if (flush(p, events, n) != 0) {
                ok = 0;
                break;
            }
            n = 0;
            if (need > arena_size / 2) {
                free(arena);
                arena_size = need * 2 > (size_t)1 << 20 ? need * 2 : (size_t)1 << 20;
                arena = (char *)malloc(arena_size);
                if (arena == NULL) {
                    ok = 0;
                    break;
                }
            }
            next = arena;
        }
        ev.customer_id = column(st, 0, &next);
        ev.timestamp = column(st, 1, &next);
        ev.type = column(st, 2, &next);
        ev.value = column(st, 3, &next);
        ev.model = column(st, 4, &next);
        ev.channel = column(st, 5, &next);
        ev.manager = column(st, 6, &next);
        if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
            ev.amount = sqlite3_column_double(st, 7);
            ev.has_amount = 1;
        }
        ev.reason = column(st, 8, &next);
        ev.due = column(st, 9, &next);
        ev.note = column(st, 10, &next);
        events[n++] = ev;
    }
    if (ok) ok = flush(p, events, n) == 0;
    sqlite3_finalize(st);
    free(arena);
    free(events);
    if (!ok) {
        fprintf(stderr, "rebuild: %s\n", sqlite3_errmsg(db));
        clm_portfolio_free(p);
        return NULL;
    }
    return p;
}

/* The state compared: the journal, every customer's status, the funnel. */
static int same_state(const char *what, const clm_portfolio *a, const clm_portfolio *b) {
    int same = 1, k;
    for (k = 0; k < 3; ++k) {
        char *x = NULL, *y = NULL;
        size_t xn = 0, yn = 0;
        static const char *names[] = {"journal", "status", "funnel"};
        clm_status sx, sy;
        if (k == 0) {
            sx = clm_portfolio_export_events(&x, &xn, a);
            sy = clm_portfolio_export_events(&y, &yn, b);
        } else if (k == 1) {
            sx = clm_portfolio_export(&x, &xn, a, NULL, CLM_EXPORT_CSV);
            sy = clm_portfolio_export(&y, &yn, b, NULL, CLM_EXPORT_CSV);
        } else {
            sx = clm_portfolio_funnel_json(&x, &xn, a, NULL, NULL);
            sy = clm_portfolio_funnel_json(&y, &yn, b, NULL, NULL);
        }
        if (sx != CLM_OK || sy != CLM_OK || xn != yn || memcmp(x, y, xn) != 0) {
            printf("  %s: %s differs\n", what, names[k]);
            same = 0;
        } else {
            printf("  %s: %s identical (%zu bytes)\n", what, names[k], xn);
        }
        clm_string_free(x);
        clm_string_free(y);
    }
    return same;
}

int main(int argc, char **argv) {
    clm_model *model = NULL;
    clm_portfolio *original = NULL, *from_table = NULL, *from_snapshot = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    journal_writer writer = {NULL, 0, 0};
    size_t applied = 0;
    char *snapshot = NULL;
    size_t snapshot_len = 0;
    int status = 1;

    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL EVENTS.csv DATABASE\n", argv[0]);
        return 2;
    }
    remove(argv[3]); /* a fresh database each run */
    if (clm_model_load(&model, argv[1]) != CLM_OK || (original = portfolio_with(model)) == NULL) {
        fprintf(stderr, "model: %s\n", clm_last_error());
        goto cleanup;
    }
    if (sqlite3_open(argv[3], &db) != SQLITE_OK || sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &writer.insert,
                           NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        goto cleanup;
    }

    /* 1-2. Import with the observer appending each row, all in one transaction. */
    clm_portfolio_set_observer(original, append_row, &writer);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (clm_portfolio_import_csv_file(&applied, NULL, original, argv[2], 0) != CLM_OK) {
        fprintf(stderr, "import: %s\n", clm_last_error());
        goto cleanup;
    }
    if (writer.failed || clm_portfolio_observed_seq(original) != clm_portfolio_last_seq(original)) {
        fprintf(stderr, "journal table: %s\n", sqlite3_errmsg(db));
        goto cleanup;
    }
    printf("imported %zu events; the observer appended %d rows to the journal table\n", applied, writer.rows);

    /* 3. A snapshot of the whole portfolio as a BLOB. */
    if (clm_portfolio_save_buffer(&snapshot, &snapshot_len, original) != CLM_OK) goto cleanup;
    if (sqlite3_prepare_v2(db, "INSERT INTO snapshot (last_seq, bytes) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)clm_portfolio_last_seq(original)) != SQLITE_OK ||
        sqlite3_bind_blob(st, 2, snapshot, (int)snapshot_len, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
        fprintf(stderr, "snapshot: %s\n", sqlite3_errmsg(db));
        goto cleanup;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto cleanup;
    printf("snapshot: %zu bytes at sequence number %llu\n", snapshot_len,
           (unsigned long long)clm_portfolio_last_seq(original));
    clm_string_free(snapshot);
    snapshot = NULL;

    /* 4. Rebuild from the table, and from the snapshot read back from the database. */
    if ((from_table = rebuild_from_table(db, model)) == NULL) goto cleanup;
    if (sqlite3_prepare_v2(db, "SELECT bytes FROM snapshot ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW ||
        clm_portfolio_load_buffer(&from_snapshot, (const char *)sqlite3_column_blob(st, 0),
                                  (size_t)sqlite3_column_bytes(st, 0), "snapshot") != CLM_OK) {
        fprintf(stderr, "load snapshot: %s / %s\n", sqlite3_errmsg(db), clm_last_error());
        goto cleanup;
    }

    /* 5. The same state three ways. */
    printf("rebuilt %zu customers from the table, %zu from the snapshot\n", clm_portfolio_customer_count(from_table),
           clm_portfolio_customer_count(from_snapshot));
    if (same_state("table", original, from_table) & same_state("snapshot", original, from_snapshot)) {
        printf("state equal: yes\n");
        status = 0;
    } else {
        printf("state equal: NO\n");
    }

cleanup:
    sqlite3_finalize(st);
    sqlite3_finalize(writer.insert);
    sqlite3_close(db);
    clm_string_free(snapshot);
    clm_portfolio_free(from_snapshot);
    clm_portfolio_free(from_table);
    clm_portfolio_free(original);
    clm_model_free(model);
    return status;
}
