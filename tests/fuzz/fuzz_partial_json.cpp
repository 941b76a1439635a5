// fuzz_partial_json.cpp -- the partials of a distributed run handed back in
// (docs/distributed.md): clm_partial_merge_json, clm_partial_finish_json
// and clm_portfolio_partial_json's fit on arbitrary text. A partial comes
// from another process, so it is input like any other: strict JSON, counts
// and sums in range, memory bounded by the text and the documented limits
// (CLM_MAX_PARTIAL_STAYS), never CLM_E_INTERNAL.
//
// Each input is merged with itself and with the valid partial of every
// analysis, finished against sales6 and used as the fit of a forecast
// partial. A failure is CLM_E_INVALID_ARGUMENT (or CLM_E_NO_MEMORY) and
// leaves the out-parameters untouched; a merge that succeeds gives a partial
// that merges and finishes as its inputs do, so every merged partial reads
// back, and merging in either order finishes into the same document.
#include "fuzz_common.hpp"

#include <string>
#include <vector>

namespace {

// Fitting a forecast spreads its counted stays out one by one: keep the limit
// small here so that an input at the limit stays within libFuzzer's memory.
const int small_stay_limit = (setenv("CLM_MAX_PARTIAL_STAYS", "100000", 1), 0);

const char *const analyses[] = {"status", "funnel", "time-in-stage", "forecast-fit"};
const char *const as_of = "2017-06-30";

// A small portfolio of sales6 customers and its partials, made once.
struct fixture {
    clm_model *model = nullptr;
    clm_portfolio *portfolio = nullptr;
    std::vector<std::string> partials; // one per analysis, then the forecast
    std::string fit;

    fixture() {
        CLM_FUZZ_CHECK(CLM_CALL(clm_model_preset, &model, "sales6") == CLM_OK, "clm_model_preset", CLM_OK);
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_new, &portfolio) == CLM_OK, "clm_portfolio_new", CLM_OK);
        size_t slot = 0;
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_add_model, &slot, portfolio, model) == CLM_OK, "clm_portfolio_add_model", CLM_OK);
        const std::string csv = "customer_id,timestamp,type,value,amount,reason\n"
                                "a,2017-01-02,stage,presentation,,\n"
                                "a,2017-01-09,event,advance,,\n"
                                "a,2017-02-01,event,advance,,\n"
                                "b,2017-01-05,stage,presentation,,\n"
                                "b,2017-01-20,event,lose,,price\n"
                                "c,2017-02-03,stage,proposal,,\n"
                                "c,2017-03-01,purchase,widget,150.25,\n"
                                "d,2017-03-04,stage,presentation,,\n"
                                "d,2017-04-04,event,advance,,\n"
                                "d,2017-05-04,event,advance,,\n";
        size_t applied = 0;
        char *rejections = nullptr;
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_import_csv, &applied, &rejections, portfolio, csv.data(), csv.size(), "fixture.csv",
                                CLM_BATCH_SKIP_BAD) == CLM_OK,
                       "clm_portfolio_import_csv", CLM_OK);
        clm_string_free(rejections);
        for (const char *a : analyses) partials.push_back(partial(a, nullptr));
        fit = partials.back();
        partials.push_back(partial("forecast", &fit));
    }
    std::string partial(const char *analysis, const std::string *with_fit) const {
        char *out = nullptr;
        size_t len = 0;
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_partial_json, &out, &len, portfolio, nullptr, analysis, as_of,
                                with_fit ? with_fit->data() : nullptr, with_fit ? with_fit->size() : 0) == CLM_OK,
                       "clm_portfolio_partial_json (fixture)", CLM_OK);
        return fuzz::take(out, len);
    }
};

const fixture &fixed() {
    static const fixture f;
    return f;
}

bool expected_failure(clm_status s) { return s == CLM_E_INVALID_ARGUMENT || s == CLM_E_NO_MEMORY; }

// A string result: freed and returned on success; on failure an expected status and the out-parameters untouched.
bool string_result(const char *function, clm_status s, char *out, size_t len, std::string *text) {
    if (s == CLM_OK) {
        CLM_FUZZ_CHECK(out != nullptr && out != fuzz::sentinel<char>() && std::strlen(out) == len, function, s);
        if (text) *text = std::string(out, len);
        clm_string_free(out);
        return true;
    }
    CLM_FUZZ_CHECK(expected_failure(s) && out == fuzz::sentinel<char>() && len == 4242, function, s);
    return false;
}

bool merge(const std::string &a, const std::string &b, std::string *merged) {
    char *out = fuzz::sentinel<char>();
    size_t len = 4242;
    clm_status s = CLM_CALL(clm_partial_merge_json, &out, &len, a.data(), a.size(), b.data(), b.size());
    return string_result("clm_partial_merge_json", s, out, len, merged);
}

bool finish(const std::string &partial, std::string *doc) {
    char *out = fuzz::sentinel<char>();
    size_t len = 4242;
    clm_status s = CLM_CALL(clm_partial_finish_json, &out, &len, fixed().model, partial.data(), partial.size(), -1);
    return string_result("clm_partial_finish_json", s, out, len, doc);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)small_stay_limit;
    const fixture &f = fixed();
    const std::string text(reinterpret_cast<const char *>(data), size);

    std::string merged;
    if (merge(text, text, &merged)) {
        // A merged partial reads back: it merges with itself and finishes as its input does.
        std::string again;
        const bool finished = finish(text, nullptr);
        CLM_FUZZ_CHECK(finish(merged, nullptr) == finished, "clm_partial_finish_json (merged partial)", CLM_OK);
        (void)merge(merged, merged, &again);
    }
    for (const std::string &valid : f.partials) {
        if (merge(text, valid, &merged)) {
            // Merging is commutative: the texts may hold the exact sums' partials
            // in another order, but they finish into the same document.
            std::string other, doc, other_doc;
            CLM_FUZZ_CHECK(merge(valid, text, &other), "clm_partial_merge_json (not commutative)", CLM_OK);
            const bool finished = finish(merged, &doc);
            CLM_FUZZ_CHECK(finish(other, &other_doc) == finished && doc == other_doc, "clm_partial_finish_json (not commutative)", CLM_OK);
        }
    }
    (void)finish(text, nullptr);

    // The input as the fit of a forecast partial.
    char *out = fuzz::sentinel<char>();
    size_t len = 4242;
    clm_status s = CLM_CALL(clm_portfolio_partial_json, &out, &len, f.portfolio, nullptr, "forecast", as_of, text.data(), text.size());
    std::string forecast;
    if (string_result("clm_portfolio_partial_json", s, out, len, &forecast)) (void)finish(forecast, nullptr);
    return 0;
}
