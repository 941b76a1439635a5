// abi_policy.cpp -- the C ABI of policies: loading, validation,
// recommendations and weekly plans.
#include "abi_internal.hpp"
#include "abi_lists.hpp"

#include <clm/input_limits.hpp>
#include <clm/partial/json_fields.hpp>
#include <clm/partial/partials.hpp>
#include <clm/presets.hpp>
#include <clm/recommend_json.hpp>

#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

using clm::abi::guarded;
using clm::abi::require;

namespace {

clm::recommend_options read_options(const clm_recommend_options *in) {
    clm::recommend_options opt;
    if (!in) return opt;
    // A multiple of the alignment, as every sizeof is: another size would copy part of a pointer.
    if (in->struct_size < offsetof(clm_recommend_options, limit) + sizeof(size_t) || in->struct_size > (1u << 16) ||
        in->struct_size % alignof(clm_recommend_options) != 0)
        throw clm::invalid_argument("options struct_size " + std::to_string(in->struct_size) +
                                    " is not valid (use CLM_RECOMMEND_OPTIONS_INIT)");
    clm_recommend_options o = CLM_RECOMMEND_OPTIONS_INIT;
    std::memcpy(&o, in, std::min(in->struct_size, sizeof o));
    if (o.manager) opt.manager = std::string(o.manager);
    opt.limit = o.limit;
    opt.threads = o.threads;
    if (o.per_customer > 1000) throw clm::invalid_argument("options per_customer " + std::to_string(o.per_customer) + " is out of range (0 to 1000)");
    opt.per_customer = o.per_customer;
    if (o.progress) {
        clm_progress_fn fn = o.progress;
        void *payload = o.payload;
        opt.progress = [fn, payload](std::size_t done, std::size_t total) { return fn(done, total, payload) == 0; };
    }
    return opt;
}

// The forecast fits of clm_recommend_options::forecast_fit: one merged
// "forecast-fit" partial, or an array of them (one per model), each for the
// portfolio's model it names.
std::vector<std::optional<clm::forecast_fit>> forecast_fits(const clm::portfolio &p, const char *text, std::size_t len, std::int64_t day) {
    const nlohmann::ordered_json j = clm::detail::partial_json::parse(std::string_view(text, len), "options forecast_fit");
    std::vector<std::optional<clm::forecast_fit>> fits(p.model_count());
    auto one = [&](const nlohmann::ordered_json &f) {
        if (!f.is_object() || !f.contains("model") || !f["model"].is_string())
            throw clm::invalid_argument("options forecast_fit: each fit is a merged 'forecast-fit' partial naming its model");
        const std::size_t slot = p.model_slot(f["model"].get<std::string>());
        if (fits[slot]) throw clm::invalid_argument("options forecast_fit: two fits for model '" + f["model"].get<std::string>() + "'");
        fits[slot] = clm::fit_of_partial(p.model_at(slot), f, day * clm::seconds_per_day);
    };
    if (j.is_array())
        for (const auto &f : j) one(f);
    else one(j);
    return fits;
}

std::int64_t day_arg(const char *date, const char *name) {
    if (date == nullptr) throw clm::invalid_argument(std::string(name) + " must not be NULL: recommendations never read the clock");
    return clm::day_of(clm::require_timestamp(date, name));
}

// The ranked recommendations of clm_policy_recommend() and clm_policy_recommend_list().
nlohmann::ordered_json recommend(const clm_policy *policy, const clm_portfolio *portfolio, const char *as_of, const clm_recommend_options *options) {
    require(policy, "policy");
    require(portfolio, "portfolio");
    auto day = day_arg(as_of, "as_of");
    auto opt = read_options(options);
    clm::compiled_policy cp(policy->ptr, portfolio->p);
    if (options && options->struct_size >= offsetof(clm_recommend_options, forecast_fit_len) + sizeof(size_t) && options->forecast_fit)
        cp.use_forecast_fits(forecast_fits(portfolio->p, options->forecast_fit, options->forecast_fit_len, day));
    auto recs = clm::recommend_all(cp, day, opt);
    return clm::recommendations_to_json(cp, recs, day);
}

// The weekly plan of clm_policy_plan_week() and clm_policy_plan_week_list().
nlohmann::ordered_json plan_week(const clm_policy *policy, const clm_portfolio *portfolio, const char *manager, const char *week, double hours) {
    require(policy, "policy");
    require(portfolio, "portfolio");
    require(manager, "manager");
    // The name comes back in the plan's JSON, which must be valid UTF-8.
    if (!clm::valid_utf8(manager)) throw clm::invalid_argument("manager is not valid UTF-8");
    auto day = day_arg(week, "week");
    if (!(hours >= 0) || hours > 168) throw clm::invalid_argument("hours must be 0 (the policy's) or in (0, 168]");
    clm::compiled_policy cp(policy->ptr, portfolio->p);
    clm::recommend_options opt;
    opt.manager = std::string(manager);
    auto recs = clm::recommend_all(cp, day, opt);
    auto w = clm::plan_week(cp, recs, day, hours);
    return clm::plan_to_json(cp, w, manager);
}

} // namespace

extern "C" {

size_t clm_policy_preset_count(void) { return clm::policy_preset_count(); }

const char *clm_policy_preset_id(size_t index) { return clm::policy_preset_id(index); }

clm_status clm_policy_from_json(clm_policy **out, const char *json, size_t len) {
    return guarded("clm_policy_from_json", [&] {
        require(out, "out");
        if (json == nullptr && len != 0) throw clm::invalid_argument("json must not be NULL");
        auto pol = clm::policy_from_json(std::string_view(json ? json : "", len));
        *out = new clm_policy{std::move(pol)};
    });
}

clm_status clm_policy_load(clm_policy **out, const char *preset_or_path) {
    return guarded("clm_policy_load", [&] {
        require(out, "out");
        require(preset_or_path, "preset_or_path");
        auto pol = clm::load_policy(preset_or_path);
        *out = new clm_policy{std::move(pol)};
    });
}

clm_status clm_policy_validate_json(char **out_report, size_t *out_count, const char *json, size_t len, const char *name) {
    return guarded("clm_policy_validate_json", [&] {
        require(out_report, "out_report");
        if (json == nullptr && len != 0) throw clm::invalid_argument("json must not be NULL");
        std::string report;
        size_t count = 0;
        try {
            clm::policy_from_json(std::string_view(json ? json : "", len), name ? name : "");
        } catch (const clm::input_error &e) {
            for (const auto &d : e.problems()) report += d.to_string() + "\n";
            count = e.problems().size();
        }
        *out_report = clm::abi::dup_string(report, nullptr);
        if (out_count) *out_count = count;
    });
}

void clm_policy_free(clm_policy *policy) { delete policy; }

const char *clm_policy_id(const clm_policy *policy) { return policy ? policy->ptr->id.c_str() : nullptr; }

size_t clm_policy_rule_count(const clm_policy *policy) { return policy ? policy->ptr->rules.size() : 0; }

const char *clm_policy_rule_id(const clm_policy *policy, size_t index) {
    if (!policy || index >= policy->ptr->rules.size()) return nullptr;
    return policy->ptr->rules[index].id.c_str();
}

clm_status clm_policy_recommend(char **out, size_t *out_len, const clm_policy *policy, const clm_portfolio *portfolio,
                                const char *as_of, const clm_recommend_options *options) {
    return guarded("clm_policy_recommend", [&] {
        require(out, "out");
        *out = clm::abi::dup_string(recommend(policy, portfolio, as_of, options).dump(), out_len);
    });
}

clm_status clm_policy_recommend_customer(char **out, size_t *out_len, const clm_policy *policy, const clm_portfolio *portfolio,
                                         const char *customer_id, const char *as_of) {
    return guarded("clm_policy_recommend_customer", [&] {
        require(out, "out");
        require(policy, "policy");
        require(portfolio, "portfolio");
        require(customer_id, "customer_id");
        auto day = day_arg(as_of, "as_of");
        auto c = portfolio->p.customer_index(customer_id);
        clm::compiled_policy cp(policy->ptr, portfolio->p);
        clm::customer_facts f;
        cp.collect(c, day, f, false); // the date's context: the forecast when the policy uses it, each account's carrier
        std::vector<clm::recommendation> recs;
        cp.evaluate(f, recs);
        *out = clm::abi::dup_string(clm::recommendations_to_json(cp, recs, day).dump(), out_len);
    });
}

clm_status clm_policy_plan_week(char **out, size_t *out_len, const clm_policy *policy, const clm_portfolio *portfolio,
                                const char *manager, const char *week, double hours) {
    return guarded("clm_policy_plan_week", [&] {
        require(out, "out");
        *out = clm::abi::dup_string(plan_week(policy, portfolio, manager, week, hours).dump(), out_len);
    });
}

clm_status clm_policy_recommend_list(clm_recommendation_list **out, const clm_policy *policy, const clm_portfolio *portfolio,
                                     const char *as_of, const clm_recommend_options *options) {
    return guarded("clm_policy_recommend_list", [&] {
        require(out, "out");
        const auto j = recommend(policy, portfolio, as_of, options);
        auto list = std::make_unique<clm_recommendation_list>();
        list->entries.reserve(j["recommendations"].size());
        for (const auto &r : j["recommendations"]) list->entries.push_back(clm::abi::recommendation_of(r));
        *out = list.release();
    });
}

clm_status clm_policy_plan_week_list(clm_plan_list **out, const clm_policy *policy, const clm_portfolio *portfolio,
                                     const char *manager, const char *week, double hours) {
    return guarded("clm_policy_plan_week_list", [&] {
        require(out, "out");
        const auto j = plan_week(policy, portfolio, manager, week, hours);
        auto list = std::make_unique<clm_plan_list>();
        list->capacity_minutes = j["capacity_minutes"].get<double>();
        list->planned_minutes = j["planned_minutes"].get<double>();
        for (const char *part : {"planned", "not_fitted"})
            for (const auto &x : j[part]) {
                clm_plan_list::entry e;
                e.rec = clm::abi::recommendation_of(x);
                e.planned = std::string(part) == "planned";
                e.minutes = x["minutes"].get<double>();
                if (e.planned) e.day = x["day"].get<std::string>();
                else e.not_fitted_because = x["not_fitted_because"].get<std::string>();
                list->entries.push_back(std::move(e));
            }
        *out = list.release();
    });
}

} // extern "C"
