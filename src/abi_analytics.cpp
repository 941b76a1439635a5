// abi_analytics.cpp -- the C ABI of the analyses (BRIEF 1.3): funnel, time in
// stage, dynamics, plan against actual, customer value and forecast, each
// returned as a JSON document (the same as `clm <command> --json`).
#include "abi_internal.hpp"
#include "abi_lists.hpp"

#include <clm/backtest_policy.hpp>
#include <clm/customer_value.hpp>
#include <clm/dynamics.hpp>
#include <clm/forecast.hpp>
#include <clm/funnel.hpp>

#include <limits>
#include <memory>
#include <clm/plan_actual.hpp>
#include <clm/time_in_stage.hpp>

using clm::abi::guarded;
using clm::abi::require;

namespace {

std::size_t slot_of(const clm::portfolio &p, const char *model_id) {
    if (model_id) return p.model_slot(model_id);
    if (p.model_count() == 1) return 0;
    throw clm::invalid_argument(p.model_count() == 0 ? "the portfolio has no model"
                                                     : "the portfolio has several models: name one with model_id");
}

clm::timestamp date_or_last(const clm::portfolio &p, const char *date, const char *name) {
    return date ? clm::require_timestamp(date, name) : clm::last_event_date(p);
}

void hand_back(char **out, size_t *out_len, const nlohmann::ordered_json &j) {
    *out = clm::abi::dup_string(j.dump(), out_len);
}

} // namespace

extern "C" {

clm_status clm_portfolio_funnel_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id,
                                     const char *as_of) {
    return guarded("clm_portfolio_funnel_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        hand_back(out, out_len, clm::funnel_to_json(clm::funnel(p, slot_of(p, model_id), date_or_last(p, as_of, "as_of"))));
    });
}

clm_status clm_portfolio_time_in_stage_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                            const char *model_id, const char *as_of) {
    return guarded("clm_portfolio_time_in_stage_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        hand_back(out, out_len,
                  clm::time_in_stage_to_json(clm::time_in_stage(p, slot_of(p, model_id), date_or_last(p, as_of, "as_of"))));
    });
}

clm_status clm_portfolio_dynamics_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id,
                                       const char *from, const char *to) {
    return guarded("clm_portfolio_dynamics_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        require(from, "from");
        const auto &p = portfolio->p;
        auto d1 = clm::require_timestamp(from, "from");
        auto d2 = date_or_last(p, to, "to");
        hand_back(out, out_len, clm::dynamics_to_json(clm::dynamics(p, slot_of(p, model_id), d1, d2)));
    });
}

clm_status clm_portfolio_plan_actual_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id,
                                          const char *plan_json, size_t plan_len) {
    return guarded("clm_portfolio_plan_actual_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        require(plan_json, "plan_json");
        const auto &p = portfolio->p;
        auto plan = clm::plan_from_json(std::string_view(plan_json, plan_len), "plan");
        hand_back(out, out_len, clm::plan_actual_to_json(clm::plan_actual(p, slot_of(p, model_id), plan)));
    });
}

clm_status clm_portfolio_value_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *as_of) {
    return guarded("clm_portfolio_value_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        hand_back(out, out_len, clm::customer_value_to_json(clm::customer_value(p, date_or_last(p, as_of, "as_of"))));
    });
}

clm_status clm_portfolio_forecast_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id,
                                       const char *as_of) {
    return guarded("clm_portfolio_forecast_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        hand_back(out, out_len, clm::forecast_to_json(clm::forecast(p, slot_of(p, model_id), date_or_last(p, as_of, "as_of"))));
    });
}

clm_status clm_portfolio_forecast_customers_json(char **out, size_t *out_len, const clm_portfolio *portfolio,
                                                 const char *model_id, const char *as_of) {
    return guarded("clm_portfolio_forecast_customers_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        auto r = clm::forecast(p, slot_of(p, model_id), date_or_last(p, as_of, "as_of"));
        hand_back(out, out_len, clm::forecast_customers_to_json(p, r));
    });
}

clm_status clm_portfolio_backtest_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id,
                                       const char *as_of, const char *until, const clm_policy *policy) {
    return guarded("clm_portfolio_backtest_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        require(as_of, "as_of");
        const auto &p = portfolio->p;
        const std::size_t slot = slot_of(p, model_id);
        auto d1 = clm::require_timestamp(as_of, "as_of");
        auto d2 = date_or_last(p, until, "until");
        auto r = clm::backtest(p, slot, d1, d2);
        if (policy) {
            clm::compiled_policy cp(policy->ptr, p);
            clm::backtest_policy(r, cp, slot);
        }
        hand_back(out, out_len, clm::backtest_to_json(r));
    });
}

clm_status clm_portfolio_funnel_list(clm_funnel_list **out, const clm_portfolio *portfolio, const char *model_id, const char *as_of) {
    return guarded("clm_portfolio_funnel_list", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        const std::size_t slot = slot_of(p, model_id);
        const clm::funnel_report r = clm::funnel(p, slot, date_or_last(p, as_of, "as_of"));
        auto list = std::make_unique<clm_funnel_list>();
        for (const auto &s : r.stages) {
            clm_funnel_list::entry e;
            e.id = s.id;
            e.name = p.model_at(slot).stage_at(s.stage).name;
            e.entered = s.entered;
            e.current = s.current;
            e.lost_from = s.lost_from;
            e.median_days = s.median_days.value_or(std::numeric_limits<double>::quiet_NaN());
            e.conversion_rate = std::numeric_limits<double>::quiet_NaN();
            for (const auto &step : r.conversion)
                if (step.from == s.stage && step.rate) e.conversion_rate = *step.rate;
            list->entries.push_back(std::move(e));
        }
        *out = list.release();
    });
}

} // extern "C"
