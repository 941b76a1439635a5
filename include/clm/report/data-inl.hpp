/// @file report/data-inl.hpp
/// The definition of report_data() (report/data.hpp): compiled once in
/// src/core/report.cpp, or included by report/data.hpp when CLM_HEADER_ONLY
/// is defined.
#pragma once

#include <clm/report/data.hpp>

#include <clm/backtest.hpp>
#include <clm/clm.h>
#include <clm/customer_value.hpp>
#include <clm/dynamics.hpp>
#include <clm/forecast.hpp>
#include <clm/funnel.hpp>
#include <clm/model_json.hpp>
#include <clm/plan_actual.hpp>
#include <clm/recommend_json.hpp>
#include <clm/time_in_stage.hpp>

#include <string>

namespace clm {

CLM_INLINE nlohmann::ordered_json report_data(const portfolio &p, std::size_t slot, timestamp as_of, const report_options &opt) {
    using oj = nlohmann::ordered_json;
    const model &mdl = p.model_at(slot);
    const timestamp day = day_of(as_of) * seconds_per_day;
    const timestamp from = opt.from ? day_of(*opt.from) * seconds_per_day : day - 30 * seconds_per_day;
    oj j;
    j["report"] = {{"title", mdl.name().empty() ? mdl.id() : mdl.name()},
                   {"generator", std::string("clm ") + CLM_VERSION_STRING},
                   {"model", mdl.id()},
                   {"as_of", format_date(day)},
                   {"from", format_date(from)}};
    j["model"] = model_to_json(mdl);
    const funnel_report f = funnel(p, slot, day);
    j["funnel"] = funnel_to_json(f);
    j["loss_reasons"] = loss_reasons_to_json(f);
    j["time_in_stage"] = time_in_stage_to_json(time_in_stage(p, slot, day));
    j["dynamics"] = dynamics_to_json(dynamics(p, slot, from, day));
    if (opt.plan) j["plan_actual"] = plan_actual_to_json(plan_actual(p, slot, *opt.plan));
    j["value"] = customer_value_to_json(customer_value(p, day));
    j["forecast"] = forecast_to_json(forecast(p, slot, day));
    // How the forecast made at the start of the period did by its end; a
    // model without a won stage has nothing to check (null).
    j["backtest"] = has_won_stage(mdl) ? backtest_to_json(backtest(p, slot, from, day)) : oj();
    if (opt.recommend_policy) {
        compiled_policy cp(opt.recommend_policy, p);
        recommend_options ro;
        ro.limit = opt.top_recommendations;
        j["recommendations"] = recommendations_to_json(cp, recommend_all(cp, day_of(day), ro), day_of(day));
    }
    return j;
}

} // namespace clm
