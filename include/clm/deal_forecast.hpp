/// @file deal_forecast.hpp
/// The pipeline forecast as of a date, stage by stage and deal by deal.
///
/// Stage by stage: stage-to-stage transition probabilities and durations
/// estimated from the stays completed by the date, then, through the
/// absorbing Markov chain over the model's stages, each stage's probability
/// of reaching a won stage from a fresh entry and the expected days to get
/// there (the *stage rate*).
///
/// Deal by deal: each open customer's probability of being won given its
/// stage **and the days it has already spent there**, from the survival of
/// that stage's stays (stage_survival.hpp: stays still open are censored),
/// shrunk towards the stage rate where the data are thin; the stage rate
/// itself where the stage has too few completed stays. Everything is
/// estimated from the journal up to the date only. Definitions, formulas and
/// limits: docs/analytics.md.
#pragma once

#include <clm/age_check.hpp>
#include <clm/markov_chain.hpp>
#include <clm/partial/exact_sum.hpp>
#include <clm/stage_survival.hpp>
#include <clm/stays.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>

namespace clm {

/// Where a stage's forecast comes from.
enum class forecast_source : std::uint8_t {
    observed = 0,          ///< Transient: probabilities from completed stays.
    model_probability = 1, ///< Transient, never observed leaving: the model's stage probability.
    absorbing = 2,         ///< A won, lost or terminal stage: the chain stops there.
    unobserved = 3         ///< Never observed leaving and no model probability (or no way out): treated as never winning.
};

/// The JSON name of a forecast source.
inline const char *to_string(forecast_source s) noexcept {
    switch (s) {
    case forecast_source::observed: return "observed";
    case forecast_source::model_probability: return "model_probability";
    case forecast_source::absorbing: return "absorbing";
    case forecast_source::unobserved: return "unobserved";
    }
    return "observed";
}

/// How a deal's probability was estimated.
enum class p_won_basis : std::uint8_t {
    age = 0,             ///< From the stays of its stage that lasted at least as long as it has (survival by age).
    beyond_observed = 1, ///< Older than every stay ever seen to leave its stage: only the stays that never left speak.
    stage = 2,           ///< Too few completed stays in its stage: the stage rate.
    model = 3,           ///< Its stage was never seen to leave: the model's stage probability.
    none = 4             ///< No data and no model probability: 0.
};

/// The JSON name of a basis.
inline const char *to_string(p_won_basis b) noexcept {
    switch (b) {
    case p_won_basis::age: return "age";
    case p_won_basis::beyond_observed: return "beyond_observed";
    case p_won_basis::stage: return "stage";
    case p_won_basis::model: return "model";
    case p_won_basis::none: return "none";
    }
    return "none";
}

/// Settings of the per-deal estimates.
struct forecast_options {
    /// A stage needs this many completed stays for age-dependent estimates;
    /// below it its deals get the stage rate (basis `stage`).
    std::size_t min_sample = 20;
    /// The weight, in stays, of the stage rate against the age-dependent
    /// estimate: p = (n·p_age + k·p_stage) / (n + k) with n the stays known
    /// to have lasted as long as the deal.
    double prior_weight = 10;
    /// Where a stay goes is taken to depend on when it leaves only when the
    /// test of stage_survival::age_p_value() rejects independence at this
    /// level; otherwise p_age = P(leaves after a) × the stage's won share.
    double age_alpha = 0.05;
    /// The horizon, in days, of the forward check (age_check.hpp): a stage
    /// that passes the age test is scored by age only when doing so, on the
    /// stays cut back to each of `age_check_origins` dates evenly spread over
    /// this many days (30, 60 and 90 days back), predicted where the deals then
    /// open went better than the stage's share, every time. 0: no check (the
    /// age test alone).
    std::int64_t age_check_days = 90;
    /// The number of earlier dates of the forward check (at least 1).
    int age_check_origins = 3;
};

/// One stage's forecast.
struct stage_forecast {
    stage_index stage = no_stage;         ///< The stage.
    std::string id;                       ///< Its id.
    forecast_source source = forecast_source::observed; ///< How it is estimated.
    std::size_t completed = 0;            ///< Completed stays observed (the sample).
    std::size_t censored = 0;             ///< Open stays on the date (censored).
    std::vector<std::pair<std::string, double>> next; ///< Estimated probability of each next stage (observed stages).
    std::optional<double> mean_days;      ///< Mean whole days of completed stays.
    double p_win = 0;                     ///< The stage rate: probability of reaching a won stage from a fresh entry (1 in a won stage).
    std::optional<double> expected_days_to_win; ///< Expected days to the won stage, given that it is reached.
    std::optional<double> never_leave;    ///< Share of stays estimated never to leave (the Kaplan–Meier plateau; observed stages).
    std::optional<std::int64_t> last_exit_days; ///< Longest completed stay (observed stages).
    /// 90th percentile of the completed stays' lengths, by nearest rank (observed stages):
    /// a deal in the stage longer than this has waited longer than almost every deal that left it.
    std::optional<std::int64_t> p90_days;
    std::optional<double> age_p_value;    ///< The test that where stays go does not depend on their length (stages scored by age).
    /// The forward check of the age pattern (age_check.hpp), one result per
    /// earlier date, nearest first; run only when the age test passes (else empty).
    std::vector<age_check_result> age_check;
    std::size_t open_customers = 0;       ///< Customers in the stage on the date (non-final stages).
    double expected_wins = 0;             ///< Σ p_won over those customers (per-deal probabilities).
    double expected_revenue = 0;          ///< Σ p_won × deal value over those customers.
};

/// How the deal values of open customers were found.
struct value_basis {
    std::size_t amount_attribute = 0;     ///< The deal's own value: the newest of a stage row's `amount` and an `amount` or `deal_value` attribute.
    std::size_t product_mean = 0;         ///< Mean purchase amount of the customer's `product` attribute.
    std::size_t overall_mean = 0;         ///< Mean purchase amount overall.
    std::size_t none = 0;                 ///< No purchase to learn from: value 0.
};

/// One open customer's forecast.
struct deal_forecast {
    std::uint32_t customer = 0;           ///< The customer's index in the portfolio.
    stage_index stage = no_stage;         ///< Their stage on the date.
    p_won_basis basis = p_won_basis::none;///< How p_won was estimated.
    std::int64_t days_in_stage = 0;       ///< Whole days since they entered it.
    double p_won = 0;                     ///< Probability of being won.
    double value = 0;                     ///< The deal's value (see value_basis).
    double days_to_close = -1;            ///< Expected days to a final stage given that it is reached; < 0: unknown.
};

/// The forecast of one model as of a date.
struct forecast_report {
    std::string model;                    ///< The model's id.
    timestamp as_of = 0;                  ///< The date (every event on it counted).
    std::vector<stage_forecast> stages;   ///< One per stage, in model order.
    std::size_t open_customers = 0;       ///< Customers in non-final stages.
    double expected_wins = 0;             ///< Σ p_won over them.
    double expected_revenue = 0;          ///< Σ p_won × deal value over them.
    std::optional<double> overall_mean_amount; ///< Mean purchase amount (the last fallback value).
    value_basis basis;                    ///< How the deal values were found.
    std::vector<deal_forecast> deals;     ///< Every open customer, in portfolio order.
};

namespace detail {

// What one pass over the customers finds.
struct pipeline_scan {
    std::vector<stage_stays> stays;                              // per stage
    std::vector<deal_forecast> open;                             // open deals (value: amount attribute, or NaN)
    std::vector<string_id> product;                              // per open deal: its product attribute (0: none)
    std::map<string_id, std::pair<exact_sum, std::size_t>> by_product; // product -> (sum, count) of purchases
    exact_sum amount_sum;                                        // exact: the same whatever the order (partial/)
    std::size_t amount_count = 0;
};

inline void scan_pipeline(const portfolio &p, std::size_t slot, timestamp t, pipeline_scan &s) {
    const model &mdl = p.model_at(slot);
    s.stays.assign(mdl.stage_count(), stage_stays{});
    const auto amount_key = p.find_text("amount"), deal_value_key = p.find_text("deal_value"), product_key = p.find_text("product");
    std::vector<std::uint32_t> events;
    std::vector<stay> stays;
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        stays_of(p, events, slot, t, stays);
        double amount = std::nan("");
        string_id product = 0;
        for (std::uint32_t e : events) {
            const journal_event &ev = p.journal()[e];
            if (ev.time > t) break;
            if (ev.type == event_type::purchase) {
                const event_detail *d = p.detail_of(ev);
                if (!d || !d->has_amount) continue;
                s.amount_sum.add(d->amount);
                ++s.amount_count;
                auto &pr = s.by_product[ev.value];
                pr.first.add(d->amount);
                ++pr.second;
            } else if (ev.type == event_type::stage) {
                // A stage row's amount is the deal's value from then on (docs/event-log.md).
                const event_detail *d = p.detail_of(ev);
                if (d && d->has_amount && std::isfinite(d->amount) && d->amount >= 0) amount = d->amount;
            } else if (ev.type == event_type::attribute) {
                auto [key, val] = p.key_value(ev.value);
                if ((amount_key && key == *amount_key) || (deal_value_key && key == *deal_value_key)) {
                    const std::string &text = p.text(val);
                    char *end = nullptr;
                    double v = std::strtod(text.c_str(), &end);
                    amount = !text.empty() && *end == '\0' && std::isfinite(v) ? v : std::nan("");
                } else if (product_key && key == *product_key) {
                    product = val;
                }
            }
        }
        if (stays.empty()) continue;
        for (const stay &st : stays)
            if (st.left) s.stays[st.stage].add_exit(days_between(st.entered, *st.left), st.next, day_of(*st.left));
        const stay &last = stays.back();
        const std::int64_t age = days_between(last.entered, t);
        s.stays[last.stage].add_open(age);
        if (is_final(mdl.stage_at(last.stage).kind)) continue;
        deal_forecast d;
        d.customer = c;
        d.stage = last.stage;
        d.days_in_stage = age;
        d.value = amount;
        s.open.push_back(d);
        s.product.push_back(product);
    }
}

// Stages from which the chain can reach absorption (`ends`), given which
// stages are transient and the transitions among them.
inline std::vector<bool> reaches_absorption(const std::vector<bool> &transient, const std::vector<bool> &stops,
                                            const std::vector<std::vector<std::pair<stage_index, double>>> &out) {
    const std::size_t n = transient.size();
    std::vector<bool> ends(n, false);
    for (std::size_t s = 0; s < n; ++s) ends[s] = !transient[s] || stops[s];
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t s = 0; s < n; ++s) {
            if (ends[s]) continue;
            for (const auto &[j, pr] : out[s])
                if (pr > 0 && ends[j]) {
                    ends[s] = changed = true;
                    break;
                }
        }
    }
    return ends;
}

// x over the transient stages `tr` of: x_s = fixed_s + Σ_j Q_sj x_j, where
// Q lists transitions between transient stages and `fixed` holds the rest.
inline std::vector<double> solve_over(const std::vector<stage_index> &tr, std::size_t n,
                                      const std::vector<std::vector<std::pair<stage_index, double>>> &q,
                                      const std::vector<double> &fixed) {
    std::vector<std::size_t> at(n, std::size_t(-1));
    for (std::size_t i = 0; i < tr.size(); ++i) at[tr[i]] = i;
    chain_rows rows(tr.size());
    std::vector<double> r(tr.size(), 0.0);
    for (std::size_t i = 0; i < tr.size(); ++i) {
        r[i] = fixed[tr[i]];
        for (const auto &[j, pr] : q[tr[i]])
            if (at[j] != std::size_t(-1)) rows[i].emplace_back(at[j], pr);
    }
    return solve_absorbing(rows, r);
}

} // namespace detail

/// The fitted forecast of one model as of a date: the stage rates and the
/// survival of each stage, from which any open deal is scored (score_deal()).
/// It depends only on the stays observed (a multiset: not on the order of the
/// customers), so partitions of a portfolio that pool their stays fit the same
/// forecast as the whole portfolio (partial/forecast.hpp).
struct forecast_fit {
    forecast_report report;                ///< The stage-level figures (model, as_of, stages' rates); no deals, no sums.
    std::vector<double> w;                 ///< Each stage's rate (probability of winning from a fresh entry).
    std::vector<double> close_days;        ///< Expected days to close from a fresh entry, per stage (< 0: unknown).
    std::vector<bool> fitted;              ///< Stages scored by survival (enough completed stays).
    std::vector<stage_survival> fit;       ///< Their survival fits.
};

/// Fits the forecast of model `mdl` as of `as_of` from the stays of each of
/// its stages (`stays`, one per stage; sorted in place). Steps 2 and 3 of
/// forecast() (see the file comment).
inline forecast_fit fit_forecast(const model &mdl, std::vector<stage_stays> &stays, timestamp as_of,
                                 const forecast_options &opt = {}) {
    const std::size_t n = mdl.stage_count();
    if (stays.size() != n) throw invalid_argument("forecast: one set of stays per stage is needed");
    forecast_fit out;
    forecast_report &r = out.report;
    r.model = mdl.id();
    r.as_of = day_of(as_of) * seconds_per_day;
    r.stages.resize(n);
    std::vector<stage_survival> &fit = out.fit;
    fit.resize(n);
    auto won = [&](std::size_t j) { return mdl.stage_at(stage_index(j)).kind == stage_kind::won; };

    // 2. The stage rates (completed stays only), as before: the chain over the
    //    exit shares, with the model's probability for stages never left.
    std::vector<std::vector<std::pair<stage_index, double>>> exits(n), step_days(n); // P_sj and mean days of s -> j
    std::vector<double> win_fixed(n, 0.0), mean_exit(n, 0.0);
    std::vector<bool> transient(n, false), stops(n, false);
    std::vector<std::size_t> count_to(n, 0);
    std::vector<double> days_to(n, 0.0);
    std::vector<stage_index> touched;
    for (stage_index s = 0; s < n; ++s) {
        stage_forecast &f = r.stages[s];
        const stage &st = mdl.stage_at(s);
        f.stage = s;
        f.id = st.id;
        f.completed = stays[s].completed();
        f.censored = stays[s].open();
        touched.clear();
        double all_days = 0;
        for (const auto &[k, when] : stays[s].exits_view()) {
            (void)when;
            auto next = stage_index(k & 0xFFFF);
            if (count_to[next]++ == 0) touched.push_back(next);
            days_to[next] += double(k >> 16);
            all_days += double(k >> 16);
        }
        std::sort(touched.begin(), touched.end());
        if (f.completed) f.mean_days = all_days / double(f.completed);
        if (is_final(st.kind)) {
            f.source = forecast_source::absorbing;
        } else if (f.completed) {
            f.source = forecast_source::observed;
            transient[s] = true;
            mean_exit[s] = all_days / double(f.completed);
            for (stage_index j : touched) {
                double pr = double(count_to[j]) / double(f.completed);
                exits[s].emplace_back(j, pr);
                step_days[s].emplace_back(j, days_to[j] / double(count_to[j]));
                f.next.emplace_back(mdl.stage_at(j).id, pr);
                if (won(j)) win_fixed[s] += pr;
            }
        } else if (st.probability) {
            f.source = forecast_source::model_probability;
            transient[s] = stops[s] = true;
            win_fixed[s] = *st.probability;
        } else {
            f.source = forecast_source::unobserved;
        }
        for (stage_index j : touched) count_to[j] = 0, days_to[j] = 0;
    }
    const std::vector<bool> ends = detail::reaches_absorption(transient, stops, exits);
    std::vector<stage_index> tr;
    for (stage_index s = 0; s < n; ++s) {
        if (transient[s] && !ends[s]) {
            r.stages[s].source = forecast_source::unobserved;
            transient[s] = false;
            win_fixed[s] = 0;
        }
        if (transient[s]) tr.push_back(s);
    }
    std::vector<std::vector<std::pair<stage_index, double>>> q(n);
    for (stage_index s : tr)
        if (!stops[s]) q[s] = exits[s];
    std::vector<double> &w = out.w;
    w.assign(n, 0.0);
    for (std::size_t s = 0; s < n; ++s) w[s] = won(s) ? 1.0 : 0.0;
    {
        auto x = detail::solve_over(tr, n, q, win_fixed);
        for (std::size_t i = 0; i < tr.size(); ++i) w[tr[i]] = std::clamp(x[i], 0.0, 1.0);
    }
    // u = E[days × 1{win}]: g_s = Σ_j P_sj · days_sj · w_j (+ the model-probability stage's own limit).
    {
        std::vector<double> g(n, 0.0);
        for (stage_index s : tr) {
            const stage &st = mdl.stage_at(s);
            if (stops[s]) {
                g[s] = win_fixed[s] * (st.time_limit_days ? double(*st.time_limit_days) : 0.0);
                continue;
            }
            for (std::size_t x = 0; x < exits[s].size(); ++x)
                g[s] += exits[s][x].second * step_days[s][x].second * w[exits[s][x].first];
        }
        auto u = detail::solve_over(tr, n, q, g);
        for (std::size_t i = 0; i < tr.size(); ++i) {
            stage_forecast &f = r.stages[tr[i]];
            if (w[tr[i]] > 1e-12) f.expected_days_to_win = u[i] / w[tr[i]];
        }
    }
    for (stage_index s = 0; s < n; ++s) {
        r.stages[s].p_win = w[s];
        if (won(s)) r.stages[s].expected_days_to_win = 0.0;
    }

    // 3. The survival of each stage with enough completed stays; where a stay
    //    goes is valued by the stage rates w above, and days to close by the
    //    chain of mean stay lengths.
    std::vector<bool> &fitted = out.fitted;
    fitted.assign(n, false);
    for (stage_index s : tr)
        if (!stops[s] && r.stages[s].completed >= opt.min_sample) {
            fit[s] = stage_survival(stays[s]);
            fitted[s] = true;
            r.stages[s].never_leave = fit[s].plateau();
            r.stages[s].last_exit_days = fit[s].last_exit_day();
            r.stages[s].p90_days = fit[s].exit_quantile(0.9);
        }
    std::vector<double> &close_days = out.close_days;
    close_days.assign(n, -1.0);
    std::vector<stage_index> fitted_list;
    for (stage_index s = 0; s < n; ++s)
        if (fitted[s]) fitted_list.push_back(s);
    {
        // Days to close from a fresh entry, over the stays that leave: the
        // chain of exit shares P_sj with the mean length of the stays.
        std::vector<bool> known(n, false);
        for (stage_index s = 0; s < n; ++s)
            if (is_final(mdl.stage_at(s).kind)) known[s] = true, close_days[s] = 0;
        std::vector<stage_index> obs;
        for (stage_index s : tr)
            if (!stops[s]) obs.push_back(s);
        // A stage whose exits lead only to final or observed stages has a known time to close.
        std::vector<bool> ok(n, false);
        for (stage_index s : obs) ok[s] = true;
        for (bool changed = true; changed;) {
            changed = false;
            for (stage_index s : obs) {
                if (!ok[s]) continue;
                for (const auto &[j, pr] : exits[s])
                    if (!known[j] && !ok[j]) {
                        ok[s] = false;
                        changed = true;
                        break;
                    }
            }
        }
        std::vector<stage_index> solvable;
        for (stage_index s : obs)
            if (ok[s]) solvable.push_back(s);
        auto d = detail::solve_over(solvable, n, exits, mean_exit);
        for (std::size_t i = 0; i < solvable.size(); ++i) close_days[solvable[i]] = d[i];
        for (stage_index s : fitted_list) {
            fit[s].set_outcomes(w, close_days, opt.age_alpha);
            r.stages[s].age_p_value = fit[s].age_p_value();
            // A pattern that passes the test is tried on the recent past first.
            if (fit[s].age_matters() && opt.age_check_days > 0) {
                const int origins = std::max(1, opt.age_check_origins);
                bool passed = true;
                for (int k = 1; k <= origins; ++k) {
                    const std::int64_t back = std::max<std::int64_t>(1, opt.age_check_days * k / origins);
                    auto one = check_age_forward(stays[s], day_of(as_of), back, w, close_days, opt.min_sample, opt.prior_weight);
                    passed = passed && one->passed;
                    r.stages[s].age_check.push_back(*one);
                }
                fit[s].use_age(passed);
            }
        }
    }

    return out;
}

/// The value of an open deal whose `amount` attribute is unknown (NaN): the
/// mean purchase of its product when known, else the overall mean purchase,
/// else 0; counted in `basis`.
inline void value_deal(deal_forecast &d, std::optional<double> product_mean, std::optional<double> overall_mean,
                       value_basis &basis) {
    if (!std::isnan(d.value)) {
        ++basis.amount_attribute;
    } else if (product_mean) {
        d.value = *product_mean;
        ++basis.product_mean;
    } else if (overall_mean) {
        d.value = *overall_mean;
        ++basis.overall_mean;
    } else {
        d.value = 0;
        ++basis.none;
    }
}

/// Scores one open deal (its stage and days in stage set) with the fitted
/// forecast: its p_won, basis and expected days to close. Step 4 of forecast().
inline void score_deal(const forecast_fit &ff, const model &mdl, deal_forecast &d, const forecast_options &opt = {}) {
    const std::vector<double> &w = ff.w;
    const stage_forecast &f = ff.report.stages.at(d.stage);
    if (ff.fitted[d.stage]) {
        auto e = ff.fit[d.stage].estimate(d.days_in_stage);
        // By age: shrunk towards the stage's share of leavers who win; past
        // every observed stay: towards 0 by the stays that waited as long;
        // where age does not matter (or not stably): the stage rate.
        if (e.beyond) {
            d.p_won = opt.prior_weight * w[d.stage] / (e.evidence + opt.prior_weight);
            d.basis = p_won_basis::beyond_observed;
        } else if (e.by_age) {
            d.p_won = age_score(e, ff.fit[d.stage].win_share(), opt.prior_weight);
            d.basis = p_won_basis::age;
        } else {
            d.p_won = w[d.stage];
            d.basis = p_won_basis::stage;
        }
        d.days_to_close = e.days_to_close ? *e.days_to_close : -1.0;
    } else {
        d.p_won = f.p_win;
        d.basis = f.source == forecast_source::observed            ? p_won_basis::stage
                  : f.source == forecast_source::model_probability ? p_won_basis::model
                                                                   : p_won_basis::none;
        if (ff.close_days[d.stage] >= 0) d.days_to_close = std::max(0.0, ff.close_days[d.stage] - double(d.days_in_stage));
        else if (f.source == forecast_source::model_probability && mdl.stage_at(d.stage).time_limit_days)
            d.days_to_close = double(*mdl.stage_at(d.stage).time_limit_days);
    }
    d.p_won = std::clamp(d.p_won, 0.0, 1.0);
}

/// The sums of the scored deals, exact (partial/exact_sum.hpp): the same
/// whatever the order the deals are added in, so partitions' sums merge to
/// the whole portfolio's, bit for bit.
struct forecast_sums {
    std::vector<std::size_t> open;         ///< Open deals per stage.
    std::vector<exact_sum> wins;           ///< Σ p_won per stage.
    std::vector<exact_sum> revenue;        ///< Σ p_won × value per stage.
    value_basis basis;                     ///< How the deal values were found.

    /// Empty sums for `stages` stages.
    explicit forecast_sums(std::size_t stages = 0) : open(stages, 0), wins(stages), revenue(stages) {}
    /// Adds one scored deal.
    void add(const deal_forecast &d) {
        ++open.at(d.stage);
        wins[d.stage].add(d.p_won);
        revenue[d.stage].add(d.p_won * d.value);
    }
    /// Adds the sums of `other` (the same number of stages).
    void merge(const forecast_sums &other) {
        if (other.open.size() != open.size()) throw invalid_argument("forecast sums: different numbers of stages");
        for (std::size_t s = 0; s < open.size(); ++s) {
            open[s] += other.open[s];
            wins[s].merge(other.wins[s]);
            revenue[s].merge(other.revenue[s]);
        }
        basis.amount_attribute += other.basis.amount_attribute;
        basis.product_mean += other.basis.product_mean;
        basis.overall_mean += other.basis.overall_mean;
        basis.none += other.basis.none;
    }
    /// Writes the sums into the report's stages and pipeline totals.
    void write(forecast_report &r) const {
        exact_sum all_wins, all_revenue;
        r.open_customers = 0;
        for (std::size_t s = 0; s < open.size(); ++s) {
            stage_forecast &f = r.stages.at(s);
            f.open_customers = open[s];
            f.expected_wins = wins[s].value();
            f.expected_revenue = revenue[s].value();
            r.open_customers += open[s];
            all_wins.merge(wins[s]);
            all_revenue.merge(revenue[s]);
        }
        r.expected_wins = all_wins.value();
        r.expected_revenue = all_revenue.value();
        r.basis = basis;
    }
};

/// Forecasts model slot `slot` as of `as_of` (every event on that day
/// counted): the stage rates, and every open customer's probability of
/// being won by stage and days in stage (see the file comment). Sums are
/// exact (forecast_sums), so they do not depend on the customers' order.
inline forecast_report forecast(const portfolio &p, std::size_t slot, timestamp as_of, const forecast_options &opt = {}) {
    const model &mdl = p.model_at(slot);
    const timestamp t = end_of_day(as_of);
    // 1. Observe.
    detail::pipeline_scan scan;
    detail::scan_pipeline(p, slot, t, scan);
    // 2, 3. The stage rates and the survival of each stage.
    forecast_fit ff = fit_forecast(mdl, scan.stays, as_of, opt);
    forecast_report r = ff.report;
    // 4. Every open deal.
    if (scan.amount_count) r.overall_mean_amount = scan.amount_sum.value() / double(scan.amount_count);
    r.deals = std::move(scan.open);
    forecast_sums sums(mdl.stage_count());
    for (std::size_t i = 0; i < r.deals.size(); ++i) {
        deal_forecast &d = r.deals[i];
        std::optional<double> product_mean;
        if (auto it = scan.by_product.find(scan.product[i]); scan.product[i] && it != scan.by_product.end())
            product_mean = it->second.first.value() / double(it->second.second);
        value_deal(d, product_mean, r.overall_mean_amount, sums.basis);
        score_deal(ff, mdl, d, opt);
        sums.add(d);
    }
    sums.write(r);
    return r;
}

} // namespace clm
