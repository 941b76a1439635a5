/// @file backtest.hpp
/// Checks the forecast against what happened: replays the journal to a date
/// D, scores every deal open on D (per-deal probabilities and, as the
/// baseline, the stage rate), and compares with the outcome on a later date
/// D2: won, lost (or ended), or still open. Reports the ranking quality
/// (AUC), the mean squared error (Brier score) and a calibration table, for
/// both. Definitions: docs/analytics.md, "Backtest".
#pragma once

#include <clm/forecast.hpp>

#include <optional>
#include <string>
#include <vector>

namespace clm {

/// One calibration bin: deals whose predicted probability fell in [lo, hi).
struct calibration_bin {
    double lo = 0;                     ///< Lower bound (inclusive).
    double hi = 0;                     ///< Upper bound (exclusive; the last bin includes 1).
    std::size_t count = 0;             ///< Closed deals in the bin.
    std::optional<double> predicted;   ///< Mean predicted probability (null when empty).
    std::optional<double> observed;    ///< Share won (null when empty).
};

/// How well one set of probabilities predicted the closed deals.
struct prediction_quality {
    std::optional<double> auc;         ///< P(a won deal is ranked above a lost one), ties count half; null without both outcomes.
    std::optional<double> brier;       ///< Mean of (p - outcome)²; null without closed deals.
    std::vector<calibration_bin> calibration; ///< Ten bins of width 0.1.
};

/// What the policy asked for, checked against the outcome.
struct policy_check {
    std::size_t flagged = 0;           ///< Open deals the policy asked to re-qualify or close as lost.
    std::size_t lost = 0;              ///< Of them, lost (or ended without a win) by the later date.
    std::size_t won = 0;               ///< Of them, won by then.
    std::size_t still_open = 0;        ///< Of them, still open.
    std::optional<double> share_lost;  ///< lost / flagged (null when none was flagged).
};

/// The backtest of one model.
struct backtest_report {
    std::string model;                 ///< The model's id.
    timestamp as_of = 0;               ///< D: the date of the forecast.
    timestamp until = 0;               ///< D2: the date of the outcome.
    std::size_t open = 0;              ///< Deals open on D.
    std::size_t closed = 0;            ///< Of them, won or lost (or ended) by D2.
    std::size_t won = 0;               ///< Of the closed, won.
    std::size_t lost = 0;              ///< Of the closed, not won.
    std::size_t still_open = 0;        ///< Of the open on D, still open on D2.
    prediction_quality per_deal;       ///< The per-deal probabilities (stage and days in stage).
    prediction_quality stage_only;     ///< The stage rate (the same for every deal of a stage).
    std::optional<policy_check> policy;///< With a policy: its re-qualify / close advice checked.
    std::vector<std::string> notes;    ///< Why a figure is null, and other caveats.
};

/// Whether `m` has a won-kind stage (without one there is nothing to predict).
inline bool has_won_stage(const model &m) noexcept {
    for (stage_index s = 0; s < m.stage_count(); ++s)
        if (m.stage_at(s).kind == stage_kind::won) return true;
    return false;
}

/// The AUC, Brier score and calibration of `p` against the outcomes `won`
/// (same length). AUC by the Mann–Whitney statistic with average ranks.
inline prediction_quality score_predictions(const std::vector<double> &p, const std::vector<bool> &won) {
    prediction_quality q;
    const std::size_t n = p.size();
    q.calibration.resize(10);
    for (std::size_t b = 0; b < 10; ++b) {
        q.calibration[b].lo = double(b) / 10;
        q.calibration[b].hi = double(b + 1) / 10;
    }
    if (n == 0) return q;
    double sq = 0;
    std::vector<double> psum(10, 0.0), wsum(10, 0.0);
    std::size_t positives = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double y = won[i] ? 1.0 : 0.0;
        sq += (p[i] - y) * (p[i] - y);
        auto b = std::min<std::size_t>(9, std::size_t(p[i] * 10));
        ++q.calibration[b].count;
        psum[b] += p[i];
        wsum[b] += y;
        positives += won[i];
    }
    q.brier = sq / double(n);
    for (std::size_t b = 0; b < 10; ++b)
        if (q.calibration[b].count) {
            q.calibration[b].predicted = psum[b] / double(q.calibration[b].count);
            q.calibration[b].observed = wsum[b] / double(q.calibration[b].count);
        }
    const std::size_t negatives = n - positives;
    if (positives && negatives) {
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
        double rank_sum = 0;
        for (std::size_t i = 0; i < n;) {
            std::size_t j = i;
            while (j < n && p[order[j]] == p[order[i]]) ++j;
            double avg_rank = (double(i + 1) + double(j)) / 2; // ranks i+1 .. j
            for (std::size_t k = i; k < j; ++k)
                if (won[order[k]]) rank_sum += avg_rank;
            i = j;
        }
        q.auc = (rank_sum - double(positives) * double(positives + 1) / 2) / (double(positives) * double(negatives));
    }
    return q;
}

/// Backtests model slot `slot`: forecasts as of `as_of` from the journal up
/// to that date only, and checks each deal open then against its stage on
/// `until`. Throws invalid_argument when `until` is not after `as_of` or the
/// model has no won stage.
inline backtest_report backtest(const portfolio &p, std::size_t slot, timestamp as_of, timestamp until,
                                const forecast_options &opt = {}) {
    const model &mdl = p.model_at(slot);
    if (day_of(until) <= day_of(as_of))
        throw invalid_argument("backtest: the outcome date " + format_date(until) + " must be after the forecast date " +
                               format_date(as_of));
    if (!has_won_stage(mdl)) throw invalid_argument("backtest: model '" + mdl.id() + "' has no won stage: there is nothing to predict");
    backtest_report r;
    r.model = mdl.id();
    r.as_of = day_of(as_of) * seconds_per_day;
    r.until = day_of(until) * seconds_per_day;
    forecast_report f = forecast(p, slot, as_of, opt);
    const timestamp t2 = end_of_day(until);
    std::vector<double> pd, ps;
    std::vector<bool> outcome;
    r.open = f.deals.size();
    for (const deal_forecast &d : f.deals) {
        stage_index later = p.position_as_of(d.customer, slot, t2).stage;
        stage_kind k = later == no_stage ? stage_kind::open : mdl.stage_at(later).kind;
        if (!is_final(k)) {
            ++r.still_open;
            continue;
        }
        ++r.closed;
        bool w = k == stage_kind::won;
        (w ? r.won : r.lost) += 1;
        pd.push_back(d.p_won);
        ps.push_back(f.stages[d.stage].p_win);
        outcome.push_back(w);
    }
    r.per_deal = score_predictions(pd, outcome);
    r.stage_only = score_predictions(ps, outcome);
    if (r.open == 0) r.notes.push_back("no deal was open on " + format_date(r.as_of));
    else if (r.closed == 0) r.notes.push_back("no deal open on " + format_date(r.as_of) + " was won or lost by " + format_date(r.until) + ": AUC and Brier are null");
    else if (!r.per_deal.auc) r.notes.push_back(std::string("every closed deal was ") + (r.won ? "won" : "lost") + ": AUC is null");
    return r;
}

/// The backtest as JSON: {"model", "as_of", "until", "open", "closed", "won",
/// "lost", "still_open", "per_deal": {"auc", "brier", "calibration": [{"lo",
/// "hi", "count", "predicted", "observed"}]}, "stage_only": {...},
/// "policy": {"flagged", "lost", "won", "still_open", "share_lost"} or null,
/// "notes": [...]}.
inline nlohmann::ordered_json backtest_to_json(const backtest_report &r) {
    using oj = nlohmann::ordered_json;
    auto opt = [](const std::optional<double> &v) { return v ? oj(*v) : oj(); };
    auto quality = [&](const prediction_quality &q) {
        oj bins = oj::array();
        for (const auto &b : q.calibration)
            bins.push_back({{"lo", b.lo}, {"hi", b.hi}, {"count", b.count}, {"predicted", opt(b.predicted)}, {"observed", opt(b.observed)}});
        return oj{{"auc", opt(q.auc)}, {"brier", opt(q.brier)}, {"calibration", std::move(bins)}};
    };
    oj j;
    j["model"] = r.model;
    j["as_of"] = format_date(r.as_of);
    j["until"] = format_date(r.until);
    j["open"] = r.open;
    j["closed"] = r.closed;
    j["won"] = r.won;
    j["lost"] = r.lost;
    j["still_open"] = r.still_open;
    j["per_deal"] = quality(r.per_deal);
    j["stage_only"] = quality(r.stage_only);
    if (r.policy)
        j["policy"] = {{"flagged", r.policy->flagged},
                       {"lost", r.policy->lost},
                       {"won", r.policy->won},
                       {"still_open", r.policy->still_open},
                       {"share_lost", opt(r.policy->share_lost)}};
    else
        j["policy"] = nullptr;
    j["notes"] = r.notes;
    return j;
}

/// The backtest as a short text report.
inline std::string backtest_to_text(const backtest_report &r) {
    auto num = [](const std::optional<double> &v, const char *fmt) {
        if (!v) return std::string("n/a");
        char b[64];
        std::snprintf(b, sizeof b, fmt, *v);
        return std::string(b);
    };
    std::string out = "backtest of " + r.model + ": forecast as of " + format_date(r.as_of) + ", outcome on " + format_date(r.until) + "\n";
    out += "  " + std::to_string(r.open) + " deals open on " + format_date(r.as_of) + "; by " + format_date(r.until) + " " +
           std::to_string(r.won) + " won, " + std::to_string(r.lost) + " lost, " + std::to_string(r.still_open) + " still open\n";
    out += "  scored on the " + std::to_string(r.closed) + " closed:       AUC     Brier\n";
    out += "    per deal (stage and age)   " + num(r.per_deal.auc, "%6.3f") + "    " + num(r.per_deal.brier, "%6.3f") + "\n";
    out += "    stage rate only            " + num(r.stage_only.auc, "%6.3f") + "    " + num(r.stage_only.brier, "%6.3f") + "\n";
    out += "  calibration of the per-deal probabilities (predicted -> observed, deals):\n";
    for (const auto &b : r.per_deal.calibration) {
        if (!b.count) continue;
        char line[128];
        std::snprintf(line, sizeof line, "    %3.0f-%3.0f%%  %6.1f%% -> %6.1f%%  %zu\n", b.lo * 100, b.hi * 100, *b.predicted * 100,
                      *b.observed * 100, b.count);
        out += line;
    }
    if (r.policy) {
        out += "  policy: " + std::to_string(r.policy->flagged) + " deals asked to be re-qualified or closed; " +
               std::to_string(r.policy->lost) + " were lost, " + std::to_string(r.policy->won) + " won, " +
               std::to_string(r.policy->still_open) + " still open (" + num(r.policy->share_lost ? std::optional<double>(*r.policy->share_lost * 100) : std::nullopt, "%.1f%%") + " lost)\n";
    }
    for (const auto &n : r.notes) out += "  note: " + n + "\n";
    return out;
}

} // namespace clm
