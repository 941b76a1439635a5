/// @file age_check.hpp
/// The forward check of a stage's age pattern: before the deals of a stage
/// are scored by their age, the same scoring is tried on the recent past.
/// The stays are cut back to earlier dates (30, 60 and 90 days before the
/// forecast's date by default), fitted there as the forecast would have been,
/// and the deals open on each such date that have left the stage since are
/// scored twice, by age and by the stage's share alone; age is used only when
/// it predicted where they went better (a lower Brier score) from every one
/// of those dates. A pattern of the past that stopped holding lately is so
/// not used to score today's deals.
/// Everything comes from the stays observed up to the forecast's date (no
/// peeking), so a portfolio split into parts checks the same way as the
/// whole. Formulas and limits: docs/analytics.md, "Per-deal probabilities".
#pragma once

#include <clm/stage_survival.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace clm {

/// A deal's probability of being won by age, step 4 of docs/analytics.md:
/// the Aalen–Johansen estimate of where the stays that lasted longer went,
/// shrunk towards the stage's share of leavers who win by `prior_weight`
/// stays against the `e.evidence` stays that left after the deal's age.
inline double age_score(const stage_survival::at_age &e, double win_share, double prior_weight) noexcept {
    return (e.evidence * e.p_win + prior_weight * win_share) / (e.evidence + prior_weight);
}

/// What the forward check of one stage found from one earlier date.
struct age_check_result {
    std::int64_t since_day = 0;   ///< The date the stays were cut back to (day number): the forecast's date minus the horizon.
    std::size_t completed = 0;    ///< Stays completed by then (the sample of the fit on that date).
    std::size_t scored = 0;       ///< Stays open on that date (and within its observed lengths) that left the stage by the forecast's date.
    double brier_age = 0;         ///< Mean squared error of the by-age scores against the value of where those stays went (0 when none).
    double brier_stage = 0;       ///< The same for the stage's share on that date.
    bool passed = false;          ///< Age did better: at least `min_sample` scored stays and brier_age < brier_stage.
};

/// Checks the age pattern of one stage forward from one earlier date: cuts
/// the stays observed up to day `as_of_day` back to `as_of_day - horizon_days`, fits them there
/// (forced to score by age), and scores the stays open on that date that left
/// the stage by `as_of_day`. Where a stay went is valued by `w` (each stage's
/// probability of winning from a fresh entry; 1 for a won stage), as the age
/// test values it. Returns nothing when the horizon is not positive.
/// `min_sample` is needed both of the completed stays on the earlier date and
/// of the stays scored; `prior_weight` is the shrinkage of age_score().
inline std::optional<age_check_result> check_age_forward(const stage_stays &stays, std::int64_t as_of_day,
                                                          std::int64_t horizon_days, const std::vector<double> &w,
                                                          const std::vector<double> &close_days, std::size_t min_sample,
                                                          double prior_weight) {
    if (horizon_days <= 0) return std::nullopt;
    age_check_result r;
    r.since_day = as_of_day - horizon_days;
    stage_stays then;
    struct scored_stay {
        std::int64_t age;
        double outcome;
    };
    std::vector<scored_stay> later;
    double share = 0;
    for (const auto &[key, left_day] : stays.exits_view()) {
        const std::int64_t days = std::int64_t(key >> 16);
        const auto next = stage_index(key & 0xFFFF);
        const std::int64_t entered = left_day - days;
        if (entered > r.since_day) continue;            // not yet in the stage on the earlier date
        if (left_day <= r.since_day) {
            then.add_exit(days, next, left_day);        // completed by then
            share += w.at(next);
        } else {
            then.add_open(r.since_day - entered);       // open then, left since: scored below
            later.push_back({r.since_day - entered, w.at(next)});
        }
    }
    for (std::int64_t age : stays.open_view())
        if (age >= horizon_days) then.add_open(age - horizon_days); // open then and still open: censored, not scored
    r.completed = then.completed();
    if (r.completed < min_sample || r.completed == 0) return r;
    share /= double(r.completed);
    stage_survival fit(then);
    fit.set_outcomes(w, close_days, 2.0); // a level above 1: scored by age whatever the age test says
    double sq_age = 0, sq_stage = 0;
    for (const scored_stay &s : later) {
        const stage_survival::at_age e = fit.estimate(s.age);
        if (e.beyond) continue; // past every stay seen to leave then: the same score either way
        const double p = age_score(e, fit.win_share(), prior_weight);
        sq_age += (p - s.outcome) * (p - s.outcome);
        sq_stage += (share - s.outcome) * (share - s.outcome);
        ++r.scored;
    }
    if (r.scored) {
        r.brier_age = sq_age / double(r.scored);
        r.brier_stage = sq_stage / double(r.scored);
    }
    r.passed = r.scored >= min_sample && r.scored > 0 && r.brier_age < r.brier_stage;
    return r;
}

} // namespace clm
