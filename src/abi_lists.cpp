// abi_lists.cpp -- the typed result lists of the C ABI (issue 15, "Typed
// results in C"): recommendations with their reasons as codes, weekly plan
// entries and funnel stages, read in the manner of sqlite3_column_*() into
// caller-allocated structs whose strings are borrowed from the list. The
// lists are built from the same JSON documents as the *_json functions, so
// both faces always say the same.
#include "abi_internal.hpp"
#include "abi_lists.hpp"

#include <cmath>
#include <cstring>
#include <limits>

using clm::abi::guarded;
using clm::abi::require;

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

double number_or_nan(const nlohmann::ordered_json &j) { return j.is_number() ? j.get<double>() : nan_value; }

std::optional<std::string> string_or_none(const nlohmann::ordered_json &j) {
    if (j.is_string()) return j.get<std::string>();
    return std::nullopt;
}

std::string string_at(const nlohmann::ordered_json &j, const char *key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

const char *c_str(const std::optional<std::string> &s) noexcept { return s ? s->c_str() : nullptr; }

// Checks an out struct's struct_size: at least the first version's size (the
// size of the struct today), at most 64 KiB.
template <class T>
void check_out(const T *out, const char *what) {
    require(out, "out");
    const std::size_t size = out->struct_size;
    if (size < sizeof(T) || size > (1u << 16))
        throw clm::invalid_argument(std::string("out struct_size ") + std::to_string(size) + " is not valid (use " + what + ")");
}

// Copies the filled struct into the caller's, no more than both sizes.
template <class T>
void hand_over(T *out, T filled) {
    filled.struct_size = out->struct_size;
    std::memcpy(out, &filled, sizeof filled);
}

void check_index(std::size_t index, std::size_t count, const char *what) {
    if (index >= count)
        throw clm::invalid_argument(std::string(what) + " " + std::to_string(index) + " is out of range (the list has " + std::to_string(count) + ")");
}

clm_recommendation fill(const clm::abi::recommendation_entry &e) {
    clm_recommendation r = CLM_RECOMMENDATION_INIT;
    r.rank = e.rank;
    r.customer_id = e.customer_id.c_str();
    r.account = c_str(e.account);
    r.manager = e.manager.c_str();
    r.customer_class = e.customer_class.c_str();
    r.model = c_str(e.model);
    r.stage = c_str(e.stage);
    r.rule = e.rule.c_str();
    r.scope = e.scope.c_str();
    r.kind = e.kind.c_str();
    r.channel = e.channel.c_str();
    r.goal = e.goal.c_str();
    r.product = e.product.c_str();
    r.document = e.document.c_str();
    r.target_stage = e.target_stage.c_str();
    r.due = e.due.c_str();
    r.task = e.task.c_str();
    r.why = e.why.c_str();
    r.priority = e.priority;
    r.score = e.score;
    r.urgency = e.urgency;
    r.value = e.value;
    r.p_won = e.p_won;
    r.reason_count = e.reasons.size();
    r.alternative_count = e.alternatives;
    return r;
}

clm_reason fill(const clm::abi::reason_entry &e) {
    clm_reason r = CLM_REASON_INIT;
    r.id = e.id.c_str();
    r.fact = e.fact.c_str();
    r.op = e.op.c_str();
    r.threshold = e.threshold;
    r.threshold_text = c_str(e.threshold_text);
    r.actual = e.actual;
    r.actual_text = c_str(e.actual_text);
    r.subject = c_str(e.subject);
    r.text = e.text.c_str();
    return r;
}

void get_reason(const clm::abi::recommendation_entry &e, std::size_t k, clm_reason *out) {
    check_index(k, e.reasons.size(), "reason");
    hand_over(out, fill(e.reasons[k]));
}

} // namespace

namespace clm::abi {

recommendation_entry recommendation_of(const nlohmann::ordered_json &j) {
    recommendation_entry e;
    e.rank = j.contains("rank") ? j["rank"].get<std::size_t>() : 0;
    e.customer_id = string_at(j, "customer_id");
    e.account = string_or_none(j["account"]);
    e.manager = string_at(j, "manager");
    e.customer_class = string_at(j, "class");
    e.model = string_or_none(j["model"]);
    e.stage = string_or_none(j["stage"]);
    e.rule = string_at(j, "rule");
    e.scope = string_at(j, "scope");
    const auto &a = j["action"];
    e.kind = string_at(a, "kind");
    e.channel = string_at(a, "channel");
    e.goal = string_at(a, "goal");
    e.product = string_at(a, "product");
    e.document = string_at(a, "document");
    e.target_stage = string_at(a, "target_stage");
    e.due = string_at(a, "due");
    e.task = string_at(j, "task");
    e.why = string_at(j, "why");
    e.priority = number_or_nan(j["priority"]);
    e.score = number_or_nan(j["score"]);
    e.urgency = number_or_nan(j["urgency"]);
    e.value = number_or_nan(j["value"]);
    e.p_won = number_or_nan(j["p_won"]);
    e.alternatives = j["alternatives"].size();
    const auto &texts = j["reasons"];
    const auto &codes = j["reason_codes"];
    for (std::size_t k = 0; k < codes.size(); ++k) {
        const auto &c = codes[k];
        reason_entry r;
        r.id = string_at(c, "id");
        r.fact = string_at(c, "fact");
        r.op = string_at(c, "op");
        r.text = texts[k].get<std::string>();
        r.threshold = number_or_nan(c["threshold"]);
        if (c["threshold"].is_array()) {
            std::string joined;
            for (const auto &x : c["threshold"]) joined += (joined.empty() ? "" : ", ") + x.get<std::string>();
            r.threshold_text = joined;
        }
        r.actual = number_or_nan(c["actual"]);
        r.actual_text = string_or_none(c["actual"]);
        r.subject = string_or_none(c["subject"]);
        e.reasons.push_back(std::move(r));
    }
    return e;
}

} // namespace clm::abi

extern "C" {

size_t clm_recommendation_list_count(const clm_recommendation_list *list) { return list ? list->entries.size() : 0; }

clm_status clm_recommendation_list_get(const clm_recommendation_list *list, size_t index, clm_recommendation *out) {
    return guarded("clm_recommendation_list_get", [&] {
        require(list, "list");
        check_out(out, "CLM_RECOMMENDATION_INIT");
        check_index(index, list->entries.size(), "index");
        hand_over(out, fill(list->entries[index]));
    });
}

clm_status clm_recommendation_list_reason(const clm_recommendation_list *list, size_t index, size_t k, clm_reason *out) {
    return guarded("clm_recommendation_list_reason", [&] {
        require(list, "list");
        check_out(out, "CLM_REASON_INIT");
        check_index(index, list->entries.size(), "index");
        get_reason(list->entries[index], k, out);
    });
}

void clm_recommendation_list_free(clm_recommendation_list *list) { delete list; }

size_t clm_plan_list_count(const clm_plan_list *list) { return list ? list->entries.size() : 0; }

double clm_plan_list_capacity_minutes(const clm_plan_list *list, double *out_planned_minutes) {
    if (out_planned_minutes) *out_planned_minutes = list ? list->planned_minutes : 0;
    return list ? list->capacity_minutes : 0;
}

clm_status clm_plan_list_get(const clm_plan_list *list, size_t index, clm_plan_entry *out) {
    return guarded("clm_plan_list_get", [&] {
        require(list, "list");
        check_out(out, "CLM_PLAN_ENTRY_INIT");
        check_index(index, list->entries.size(), "index");
        const auto &e = list->entries[index];
        clm_plan_entry filled = CLM_PLAN_ENTRY_INIT;
        filled.planned = e.planned ? 1 : 0;
        filled.day = e.planned ? e.day.c_str() : nullptr;
        filled.minutes = e.minutes;
        filled.not_fitted_because = e.planned ? nullptr : e.not_fitted_because.c_str();
        hand_over(out, filled);
    });
}

clm_status clm_plan_list_recommendation(const clm_plan_list *list, size_t index, clm_recommendation *out) {
    return guarded("clm_plan_list_recommendation", [&] {
        require(list, "list");
        check_out(out, "CLM_RECOMMENDATION_INIT");
        check_index(index, list->entries.size(), "index");
        hand_over(out, fill(list->entries[index].rec));
    });
}

clm_status clm_plan_list_reason(const clm_plan_list *list, size_t index, size_t k, clm_reason *out) {
    return guarded("clm_plan_list_reason", [&] {
        require(list, "list");
        check_out(out, "CLM_REASON_INIT");
        check_index(index, list->entries.size(), "index");
        get_reason(list->entries[index].rec, k, out);
    });
}

void clm_plan_list_free(clm_plan_list *list) { delete list; }

size_t clm_funnel_list_count(const clm_funnel_list *list) { return list ? list->entries.size() : 0; }

clm_status clm_funnel_list_get(const clm_funnel_list *list, size_t index, clm_funnel_stage *out) {
    return guarded("clm_funnel_list_get", [&] {
        require(list, "list");
        check_out(out, "CLM_FUNNEL_STAGE_INIT");
        check_index(index, list->entries.size(), "index");
        const auto &e = list->entries[index];
        clm_funnel_stage filled = CLM_FUNNEL_STAGE_INIT;
        filled.id = e.id.c_str();
        filled.name = e.name.c_str();
        filled.entered = e.entered;
        filled.current = e.current;
        filled.lost_from = e.lost_from;
        filled.median_days = e.median_days;
        filled.conversion_rate = e.conversion_rate;
        hand_over(out, filled);
    });
}

void clm_funnel_list_free(clm_funnel_list *list) { delete list; }

} // extern "C"
