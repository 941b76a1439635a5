/// @file report/data.hpp
/// The figures of the management report (BRIEF 1.3), assembled as one JSON
/// document from the analyses (`funnel_to_json`, `time_in_stage_to_json`,
/// ...), so that the page (report/page.hpp) shows the same numbers as
/// `clm funnel --json` and friends. Defined in report/data-inl.hpp.
#pragma once

#include <clm/build_mode.hpp>
#include <clm/plan_actual.hpp>
#include <clm/policy.hpp>
#include <clm/portfolio.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <optional>

namespace clm {

/// What the HTML report covers beyond its fixed sections.
struct report_options {
    /// First date (D1) of the dynamics section; default: 30 days before the as-of date.
    std::optional<timestamp> from;
    /// The plan of the plan-against-actual section; the section is left out without one.
    std::optional<period_plan> plan;
    /// The policy of the top-recommendations section; the section is left out without one.
    std::shared_ptr<const policy> recommend_policy;
    /// How many recommendations to show (0: all of them).
    std::size_t top_recommendations = 10;
};

/// Every figure of the report, as one JSON document: {"report": {"title",
/// "generator", "model", "as_of", "from"}, "model": model_to_json(),
/// "funnel": funnel_to_json(), "loss_reasons": loss_reasons_to_json(),
/// "time_in_stage": time_in_stage_to_json(), "dynamics": dynamics_to_json()
/// (from `opt.from` to `as_of`), "plan_actual": plan_actual_to_json() (only
/// with a plan), "value": customer_value_to_json(), "forecast":
/// forecast_to_json(), "backtest": backtest_to_json() of the forecast made
/// on `opt.from` checked on `as_of` (null when the model has no won stage),
/// "recommendations": recommendations_to_json() (only
/// with a policy)}. The analyses of model slot `slot` as of `as_of` (every
/// event on that day counted). Throws invalid_argument when the dynamics'
/// first date is not before `as_of`, not_found when the policy names a model
/// the portfolio lacks.
nlohmann::ordered_json report_data(const portfolio &p, std::size_t slot, timestamp as_of,
                                   const report_options &opt = {});

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/report/data-inl.hpp>
#endif
