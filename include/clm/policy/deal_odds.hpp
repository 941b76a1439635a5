/// @file policy/deal_odds.hpp
/// What the forecast says of each open deal, as the policy engine reads it:
/// the deal's probability of being won (by stage and days in stage, from
/// deal_forecast.hpp) and its stage's figures (the stage rate, the 90th
/// percentile of completed stays). Computed once per as-of date for the
/// whole portfolio, then read per customer with table lookups.
#pragma once

#include <clm/deal_forecast.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace clm {

/// One stage's figures, as of the date.
struct stage_odds {
    double p_win = 0;                    ///< The stage rate: probability of winning from a fresh entry.
    std::optional<std::int64_t> p90_days;///< 90th percentile of completed stays (stages with enough of them).
    std::size_t completed = 0;           ///< Completed stays observed.
};

/// The forecast of one model, per customer and per stage.
struct model_odds {
    bool has_won_stage = false;          ///< Whether the model has a won stage (else no p_won).
    std::vector<float> p_won;            ///< Per customer index: p_won, NaN when not an open deal of the model.
    std::vector<stage_odds> stages;      ///< Per stage.
};

/// The per-deal forecast of every model of a portfolio as of a date.
struct deal_odds {
    std::int64_t as_of_day = 0;          ///< The date, as a day number.
    std::vector<model_odds> models;      ///< Per model slot.

    /// Customer `c`'s p_won in model slot `m`, or NaN.
    double p_won(std::size_t m, std::uint32_t c) const noexcept {
        if (m >= models.size() || c >= models[m].p_won.size()) return std::numeric_limits<double>::quiet_NaN();
        return double(models[m].p_won[c]);
    }
    /// Stage `s` of model slot `m`, or nullptr.
    const stage_odds *stage(std::size_t m, stage_index s) const noexcept {
        if (m >= models.size() || s >= models[m].stages.size()) return nullptr;
        return &models[m].stages[s];
    }
};

/// The per-deal forecast (forecast()) of each model of `p` with a won stage,
/// as of the end of day `as_of_day`, kept as per-customer tables. `fits`,
/// when given, holds for some model slots the fit to score the deals with
/// instead of one fitted on `p` (a part of a split portfolio scores its deals
/// with the whole's fit: partial/partials.hpp).
inline deal_odds compute_deal_odds(const portfolio &p, std::int64_t as_of_day, const std::vector<std::optional<forecast_fit>> *fits = nullptr) {
    deal_odds o;
    o.as_of_day = as_of_day;
    o.models.resize(p.model_count());
    const timestamp t = as_of_day * seconds_per_day + seconds_per_day - 1;
    for (std::size_t m = 0; m < p.model_count(); ++m) {
        const model &mdl = p.model_at(m);
        model_odds &mo = o.models[m];
        for (stage_index s = 0; s < mdl.stage_count(); ++s)
            if (mdl.stage_at(s).kind == stage_kind::won) mo.has_won_stage = true;
        if (!mo.has_won_stage) continue;
        forecast_report r;
        if (fits && m < fits->size() && (*fits)[m]) {
            const forecast_fit &ff = *(*fits)[m];
            detail::pipeline_scan scan;
            detail::scan_pipeline(p, m, t, scan);
            r = ff.report;
            r.deals = std::move(scan.open);
            for (auto &d : r.deals) score_deal(ff, mdl, d);
        } else {
            r = forecast(p, m, t);
        }
        mo.p_won.assign(p.customer_count(), std::numeric_limits<float>::quiet_NaN());
        for (const auto &d : r.deals) mo.p_won[d.customer] = float(d.p_won);
        mo.stages.resize(r.stages.size());
        for (std::size_t s = 0; s < r.stages.size(); ++s) {
            mo.stages[s].p_win = r.stages[s].p_win;
            mo.stages[s].p90_days = r.stages[s].p90_days;
            mo.stages[s].completed = r.stages[s].completed;
        }
    }
    return o;
}

} // namespace clm
