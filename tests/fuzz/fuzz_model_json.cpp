// fuzz_model_json.cpp -- clm_model_from_json on arbitrary bytes. A failure
// must be CLM_E_PARSE or CLM_E_VALIDATION with the out-parameter untouched and
// clm_model_validate_json agreeing; a model that loads must render in every
// format, answer every getter, and survive a JSON round trip unchanged.
#include "fuzz_common.hpp"

#include <string>

namespace {

void read_everything(const clm_model *m) {
    size_t n = clm_model_stage_count(m);
    CLM_FUZZ_CHECK(n > 0, "clm_model_stage_count", CLM_OK);
    CLM_FUZZ_CHECK(clm_model_initial_stage(m) < n, "clm_model_initial_stage", CLM_OK);
    CLM_FUZZ_CHECK(clm_model_id(m) != nullptr && clm_model_name(m) != nullptr, "clm_model_id", CLM_OK);
    CLM_FUZZ_CHECK(clm_model_version(m) >= 1, "clm_model_version", CLM_OK);
    for (size_t i = 0; i < n; ++i) {
        const char *id = clm_model_stage_id(m, i);
        CLM_FUZZ_CHECK(id != nullptr && clm_model_stage_name(m, i) && clm_model_stage_task(m, i), "clm_model_stage_id", CLM_OK);
        int kind = clm_model_stage_kind(m, i);
        CLM_FUZZ_CHECK(kind >= CLM_STAGE_OPEN && kind <= CLM_STAGE_TERMINAL, "clm_model_stage_kind", CLM_OK);
        double p = clm_model_stage_probability(m, i);
        CLM_FUZZ_CHECK(p == -1.0 || (p >= 0.0 && p <= 1.0), "clm_model_stage_probability", CLM_OK);
        CLM_FUZZ_CHECK(clm_model_stage_time_limit(m, i) >= -1, "clm_model_stage_time_limit", CLM_OK);
        for (size_t r = 0; r < clm_model_stage_requirement_count(m, i); ++r)
            CLM_FUZZ_CHECK(clm_model_stage_requirement(m, i, r) != nullptr, "clm_model_stage_requirement", CLM_OK);
        size_t found = CLM_NONE;
        CLM_CALL(clm_model_find_stage, &found, m, id);
        CLM_FUZZ_CHECK(found == i, "clm_model_find_stage", CLM_OK);
        size_t migrated = CLM_NONE;
        if (CLM_CALL(clm_model_migrate_stage, &migrated, m, clm_model_version(m), id) == CLM_OK)
            CLM_FUZZ_CHECK(migrated < n, "clm_model_migrate_stage", CLM_OK);
    }
    CLM_FUZZ_CHECK(clm_model_stage_id(m, n) == nullptr && clm_model_stage_kind(m, n) == -1, "clm_model_stage_id", CLM_OK);
    size_t nt = clm_model_transition_count(m);
    for (size_t t = 0; t < nt; ++t) {
        size_t from = CLM_NONE, to = CLM_NONE;
        const char *event = nullptr;
        CLM_FUZZ_CHECK(CLM_CALL(clm_model_transition, &from, &to, &event, m, t) == CLM_OK, "clm_model_transition", CLM_OK);
        CLM_FUZZ_CHECK(from < n && to < n && event != nullptr, "clm_model_transition", CLM_OK);
        size_t next = CLM_NONE;
        CLM_FUZZ_CHECK(CLM_CALL(clm_model_next_stage, &next, m, from, event) == CLM_OK && next == to, "clm_model_next_stage",
                       CLM_OK);
    }
    size_t untouched = 77;
    CLM_FUZZ_CHECK(CLM_CALL(clm_model_transition, &untouched, nullptr, nullptr, m, nt) == CLM_E_INVALID_ARGUMENT &&
                       untouched == 77,
                   "clm_model_transition", CLM_OK);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = reinterpret_cast<const char *>(data);
    clm_model *m = fuzz::sentinel<clm_model>();
    clm_status s = CLM_CALL(clm_model_from_json, &m, text, size);

    char *report = fuzz::sentinel<char>();
    size_t count = 12345;
    CLM_FUZZ_CHECK(CLM_CALL(clm_model_validate_json, &report, &count, text, size, "fuzz.json") == CLM_OK,
                   "clm_model_validate_json", s);
    std::string rep = fuzz::take(report, std::strlen(report));
    CLM_FUZZ_CHECK((s == CLM_OK) == (count == 0) && (count == 0) == rep.empty(), "clm_model_validate_json", s);

    if (s != CLM_OK) {
        CLM_FUZZ_CHECK(s == CLM_E_PARSE || s == CLM_E_VALIDATION || s == CLM_E_NO_MEMORY, "clm_model_from_json", s);
        CLM_FUZZ_CHECK(m == fuzz::sentinel<clm_model>(), "clm_model_from_json", s);
        return 0;
    }
    read_everything(m);

    std::string canonical;
    for (int f = CLM_FORMAT_TEXT; f <= CLM_FORMAT_MERMAID; ++f) {
        char *out = nullptr;
        size_t len = 0;
        CLM_FUZZ_CHECK(CLM_CALL(clm_model_render, &out, &len, m, clm_model_format(f)) == CLM_OK, "clm_model_render", CLM_OK);
        CLM_FUZZ_CHECK(out != nullptr && std::strlen(out) == len, "clm_model_render", CLM_OK);
        std::string r = fuzz::take(out, len);
        if (f == CLM_FORMAT_JSON) canonical = r;
    }
    char *bad = fuzz::sentinel<char>();
    CLM_FUZZ_CHECK(CLM_CALL(clm_model_render, &bad, nullptr, m, clm_model_format(99)) == CLM_E_INVALID_ARGUMENT &&
                       bad == fuzz::sentinel<char>(),
                   "clm_model_render", CLM_OK);

    // The canonical JSON loads back to the same model.
    clm_model *again = nullptr;
    CLM_FUZZ_CHECK(CLM_CALL(clm_model_from_json, &again, canonical.data(), canonical.size()) == CLM_OK,
                   "clm_model_from_json (canonical)", CLM_OK);
    char *out = nullptr;
    size_t len = 0;
    CLM_CALL(clm_model_render, &out, &len, again, CLM_FORMAT_JSON);
    CLM_FUZZ_CHECK(fuzz::take(out, len) == canonical, "clm_model_render (round trip)", CLM_OK);
    clm_model_free(again);

    // A portfolio accepts it once and refuses it twice.
    clm_portfolio *p = nullptr;
    CLM_CALL(clm_portfolio_new, &p);
    size_t slot = 99;
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_add_model, &slot, p, m) == CLM_OK && slot == 0, "clm_portfolio_add_model", CLM_OK);
    slot = 99;
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_add_model, &slot, p, m) == CLM_E_DUPLICATE && slot == 99,
                   "clm_portfolio_add_model", CLM_OK);
    clm_portfolio_free(p);
    clm_model_free(m);
    return 0;
}
