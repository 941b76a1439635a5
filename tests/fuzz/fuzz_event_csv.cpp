// fuzz_event_csv.cpp -- clm_portfolio_import_csv on arbitrary bytes, into a
// portfolio with the presets sales6 and maturity6, once all-or-nothing and
// once with CLM_BATCH_SKIP_BAD. A failed import changes nothing; the two
// modes agree; an import that succeeds exports a journal that imports back to
// the same journal, and every query answers.
#include "fuzz_common.hpp"

#include <string>
#include <vector>

namespace {

clm_portfolio *fresh() {
    clm_portfolio *p = nullptr;
    clm_model *m = nullptr;
    if (clm_portfolio_new(&p) != CLM_OK) std::abort();
    for (const char *id : {"sales6", "maturity6"}) {
        if (clm_model_preset(&m, id) != CLM_OK || clm_portfolio_add_model(nullptr, p, m) != CLM_OK) std::abort();
        clm_model_free(m);
    }
    return p;
}

std::string export_events(const clm_portfolio *p) {
    char *out = nullptr;
    size_t len = 0;
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_export_events, &out, &len, p) == CLM_OK, "clm_portfolio_export_events", CLM_OK);
    return fuzz::take(out, len);
}

void query(const clm_portfolio *p) {
    char *out = nullptr;
    size_t len = 0;
    for (int f = CLM_EXPORT_CSV; f <= CLM_EXPORT_JSON; ++f) {
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_export, &out, &len, p, nullptr, clm_export_format(f)) == CLM_OK,
                       "clm_portfolio_export", CLM_OK);
        fuzz::take(out, len);
    }
    size_t counts[32];
    size_t total = 0;
    for (const char *model : {"sales6", "maturity6"}) {
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_stage_counts, counts, 32, &total, p, model, nullptr) == CLM_OK,
                       "clm_portfolio_stage_counts", CLM_OK);
        CLM_FUZZ_CHECK(total <= clm_portfolio_customer_count(p), "clm_portfolio_stage_counts", CLM_OK);
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_stage_counts, counts, 32, &total, p, model, "2017-06-30") == CLM_OK,
                       "clm_portfolio_stage_counts", CLM_OK);
        // Analytics read the same journal; they may refuse only a date or an empty model.
        clm_status s = CLM_CALL(clm_portfolio_funnel_json, &out, &len, p, model, nullptr);
        if (s == CLM_OK) fuzz::take(out, len);
        s = CLM_CALL(clm_portfolio_time_in_stage_json, &out, &len, p, model, nullptr);
        if (s == CLM_OK) fuzz::take(out, len);
        s = CLM_CALL(clm_portfolio_forecast_json, &out, &len, p, model, nullptr);
        if (s == CLM_OK) fuzz::take(out, len);
        s = CLM_CALL(clm_portfolio_dynamics_json, &out, &len, p, model, "1400-01-01", nullptr);
        if (s == CLM_OK) fuzz::take(out, len);
    }
    clm_status s = CLM_CALL(clm_portfolio_value_json, &out, &len, p, nullptr);
    if (s == CLM_OK) fuzz::take(out, len);
    size_t n = clm_portfolio_customer_count(p);
    for (size_t i = 0; i < n && i < 16; ++i) {
        const char *id = clm_portfolio_customer_id(p, i);
        CLM_FUZZ_CHECK(id != nullptr, "clm_portfolio_customer_id", CLM_OK);
        for (const char *model : {"sales6", "maturity6"}) {
            size_t stage = 0;
            int64_t days = -1;
            CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_stage, &stage, &days, p, id, model, nullptr) == CLM_OK,
                           "clm_portfolio_stage", CLM_OK);
            CLM_FUZZ_CHECK(stage == CLM_NONE || days >= 0, "clm_portfolio_stage", CLM_OK);
            CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_stage, &stage, &days, p, id, model, "2017-02-28") == CLM_OK,
                           "clm_portfolio_stage", CLM_OK);
        }
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_customer_json, &out, &len, p, id, nullptr) == CLM_OK,
                       "clm_portfolio_customer_json", CLM_OK);
        fuzz::take(out, len);
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_history_json, &out, &len, p, id) == CLM_OK, "clm_portfolio_history_json",
                       CLM_OK);
        fuzz::take(out, len);
    }
    CLM_FUZZ_CHECK(clm_portfolio_customer_id(p, n) == nullptr, "clm_portfolio_customer_id", CLM_OK);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *csv = reinterpret_cast<const char *>(data);

    // All or nothing.
    clm_portfolio *all = fresh();
    size_t applied = 987654;
    char *rejections = fuzz::sentinel<char>();
    clm_status s = CLM_CALL(clm_portfolio_import_csv, &applied, &rejections, all, csv, size, "fuzz.csv", 0);
    if (s != CLM_OK) {
        CLM_FUZZ_CHECK(applied == 987654 && rejections == fuzz::sentinel<char>(), "clm_portfolio_import_csv", s);
        CLM_FUZZ_CHECK(clm_portfolio_customer_count(all) == 0 && clm_portfolio_event_count(all) == 0,
                       "clm_portfolio_import_csv (a failed import changed the portfolio)", s);
    } else {
        CLM_FUZZ_CHECK(rejections != nullptr && rejections[0] == '\0', "clm_portfolio_import_csv", s);
        CLM_FUZZ_CHECK(applied == clm_portfolio_event_count(all), "clm_portfolio_import_csv", s);
        clm_string_free(rejections);
    }

    // Skipping refused rows: malformed text still fails, and the same way.
    clm_portfolio *skip = fresh();
    size_t applied2 = 987654;
    char *rejections2 = fuzz::sentinel<char>();
    clm_status s2 = CLM_CALL(clm_portfolio_import_csv, &applied2, &rejections2, skip, csv, size, "fuzz.csv", CLM_BATCH_SKIP_BAD);
    if (s == CLM_E_PARSE) CLM_FUZZ_CHECK(s2 == CLM_E_PARSE, "clm_portfolio_import_csv (skip)", s2);
    if (s == CLM_OK) CLM_FUZZ_CHECK(s2 == CLM_OK && applied2 == applied && rejections2[0] == '\0', "clm_portfolio_import_csv (skip)", s2);
    if (s2 != CLM_OK) {
        CLM_FUZZ_CHECK(applied2 == 987654 && rejections2 == fuzz::sentinel<char>(), "clm_portfolio_import_csv (skip)", s2);
        CLM_FUZZ_CHECK(clm_portfolio_customer_count(skip) == 0 && clm_portfolio_event_count(skip) == 0,
                       "clm_portfolio_import_csv (a failed import changed the portfolio)", s2);
    } else {
        CLM_FUZZ_CHECK(applied2 == clm_portfolio_event_count(skip), "clm_portfolio_import_csv (skip)", s2);
        clm_string_free(rejections2);
        // The journal exports and imports back to itself.
        std::string journal = export_events(skip);
        clm_portfolio *again = fresh();
        size_t applied3 = 0;
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_import_csv, &applied3, nullptr, again, journal.data(), journal.size(),
                                "export.csv", 0) == CLM_OK &&
                           applied3 == applied2,
                       "clm_portfolio_import_csv (re-import of the export)", CLM_OK);
        CLM_FUZZ_CHECK(export_events(again) == journal, "clm_portfolio_export_events (round trip)", CLM_OK);
        clm_portfolio_free(again);
        query(skip);

        // Importing the same rows again on top fails or grows the portfolio; a failure changes nothing.
        size_t customers = clm_portfolio_customer_count(skip), events = clm_portfolio_event_count(skip);
        clm_status s3 = CLM_CALL(clm_portfolio_import_csv, nullptr, nullptr, skip, csv, size, "fuzz.csv", 0);
        if (s3 != CLM_OK) {
            CLM_FUZZ_CHECK(clm_portfolio_customer_count(skip) == customers && clm_portfolio_event_count(skip) == events &&
                               export_events(skip) == journal,
                           "clm_portfolio_import_csv (a failed import changed the portfolio)", s3);
        } else {
            CLM_FUZZ_CHECK(clm_portfolio_customer_count(skip) >= customers && clm_portfolio_event_count(skip) >= events,
                           "clm_portfolio_import_csv", s3);
        }
    }
    clm_portfolio_free(all);
    clm_portfolio_free(skip);
    return 0;
}
