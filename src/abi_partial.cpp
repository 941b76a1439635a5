// abi_partial.cpp -- the C ABI of partial results (issue 19): importing one
// part of an event log, the partial of an analysis over it, merging
// partials and finishing the merged one into the whole portfolio's document
// (partial/partials.hpp, partial/partition.hpp, docs/distributed.md).
#include "abi_internal.hpp"

#include <clm/input_limits.hpp>
#include <clm/partial/json_fields.hpp>
#include <clm/partial/partials.hpp>
#include <clm/partial/partition.hpp>

using clm::abi::guarded;
using clm::abi::require;

namespace {

std::size_t slot_of(const clm::portfolio &p, const char *model_id) {
    if (model_id) return p.model_slot(model_id);
    if (p.model_count() == 1) return 0;
    throw clm::invalid_argument(p.model_count() == 0 ? "the portfolio has no model"
                                                     : "the portfolio has several models: name one with model_id");
}

// A partial passed in: strict JSON within the JSON input limit.
nlohmann::ordered_json partial_in(const char *text, std::size_t len, const char *name) {
    require(text, name);
    return clm::detail::partial_json::parse(std::string_view(text, len), name);
}

} // namespace

extern "C" {

clm_status clm_partition_of(uint32_t *out, const char *key, size_t key_len, uint32_t parts) {
    return guarded("clm_partition_of", [&] {
        require(out, "out");
        if (key_len) require(key, "key");
        *out = clm::partition_of(std::string_view(key ? key : "", key_len), parts);
    });
}

clm_status clm_portfolio_import_partition(clm_portfolio *portfolio, const char **files, size_t file_count,
                                          const char *as_of, uint32_t part, uint32_t parts) {
    return guarded("clm_portfolio_import_partition", [&] {
        require(portfolio, "portfolio");
        require(as_of, "as_of");
        if (file_count) require(files, "files");
        std::vector<std::string> paths;
        for (size_t i = 0; i < file_count; ++i) {
            require(files[i], "files[i]");
            paths.emplace_back(files[i]);
        }
        clm::import_partition(portfolio->p, paths, clm::require_timestamp(as_of, "as_of"), part, parts);
    });
}

clm_status clm_portfolio_partial_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id,
                                      const char *analysis, const char *as_of, const char *fit_json, size_t fit_len) {
    return guarded("clm_portfolio_partial_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        require(analysis, "analysis");
        require(as_of, "as_of");
        const auto &p = portfolio->p;
        const std::size_t slot = slot_of(p, model_id);
        const clm::timestamp day = clm::require_timestamp(as_of, "as_of");
        nlohmann::ordered_json fit;
        if (fit_json) fit = partial_in(fit_json, fit_len, "fit_json");
        *out = clm::abi::dup_string(clm::partial_of(p, slot, analysis, day, fit_json ? &fit : nullptr).dump(), out_len);
    });
}

clm_status clm_partial_merge_json(char **out, size_t *out_len, const char *a, size_t a_len, const char *b, size_t b_len) {
    return guarded("clm_partial_merge_json", [&] {
        require(out, "out");
        auto merged = clm::merge_partials(partial_in(a, a_len, "a"), partial_in(b, b_len, "b"));
        *out = clm::abi::dup_string(merged.dump(), out_len);
    });
}

clm_status clm_partial_finish_json(char **out, size_t *out_len, const clm_model *model, const char *partial,
                                   size_t partial_len, int indent) {
    return guarded("clm_partial_finish_json", [&] {
        require(out, "out");
        require(model, "model");
        if (indent < -1 || indent > 16) throw clm::invalid_argument("indent must be -1 (compact) or 0 to 16");
        auto doc = clm::finish_partial(*model->ptr, partial_in(partial, partial_len, "partial"));
        std::string text = doc.dump(indent);
        if (indent >= 0) text += "\n"; // as the clm command prints it
        *out = clm::abi::dup_string(text, out_len);
    });
}

} // extern "C"
