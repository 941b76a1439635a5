/// @file funnel.hpp
/// The funnel of one model as of a date (BRIEF 1.3, seed 002): per stage, how
/// many customers ever entered it, how many are in it now, how many were lost
/// from it and why, and the median length of completed stays; conversion
/// between consecutive stages of the model's main path; totals won and lost.
/// Definitions: docs/analytics.md.
#pragma once

#include <clm/report_format.hpp>
#include <clm/statistics.hpp>
#include <clm/stays.hpp>

#include <map>

namespace clm {

/// One stage's line of the funnel.
struct funnel_stage {
    stage_index stage = no_stage;      ///< The stage.
    std::string id;                    ///< Its id.
    std::size_t entered = 0;           ///< Customers who entered it at least once by the date.
    std::size_t current = 0;           ///< Customers in it on the date.
    std::size_t lost_from = 0;         ///< Moves from it into a lost-kind stage by the date.
    std::map<std::string, std::size_t> loss_reasons; ///< Those moves by reason ("(no reason)" when none was given).
    std::size_t completed_stays = 0;   ///< Stays in it that ended by the date.
    std::optional<double> median_days; ///< Median length in whole days of those stays; nullopt when none.
};

/// Conversion between two consecutive stages of the main path.
struct funnel_step {
    stage_index from = no_stage;       ///< The earlier stage.
    stage_index to = no_stage;         ///< The next stage on the main path.
    std::string from_id;               ///< The earlier stage's id.
    std::string to_id;                 ///< The next stage's id.
    std::size_t entered = 0;           ///< Customers who entered `from` by the date.
    std::size_t converted = 0;         ///< Of those, customers who entered `to` after entering `from`.
    /// Of those who entered `from`, customers who have not converted and are
    /// in a non-final stage on the date: they may still convert.
    std::size_t still_open = 0;
    /// The cohort rate, converted / entered: still-open customers count
    /// against it. nullopt when nobody entered `from`.
    std::optional<double> rate;
    /// The rate over closed customers, converted / (entered - still_open):
    /// customers who converted against those who ended in a final stage
    /// without converting. nullopt when every one of them is still open.
    std::optional<double> closed_rate;

    /// Customers who entered `from` and are no longer open for this step.
    std::size_t closed() const { return entered - still_open; }
};

/// The funnel of one model as of a date.
struct funnel_report {
    std::string model;                 ///< The model's id.
    timestamp as_of = 0;               ///< The date (every event on it counted).
    std::size_t customers = 0;         ///< Customers in the model on the date.
    std::size_t won = 0;               ///< Customers in a won-kind stage on the date.
    std::size_t lost = 0;              ///< Customers in a lost-kind stage on the date.
    std::size_t lost_at_entry = 0;     ///< Moves into a lost stage that were a customer's first stage (no stage to attribute).
    std::vector<funnel_stage> stages;  ///< One per stage, in model order.
    std::vector<funnel_step> conversion; ///< One per consecutive pair of the main path.

    /// Win rate of closed customers: won / (won + lost); nullopt when both are 0.
    std::optional<double> win_rate() const {
        if (won + lost == 0) return std::nullopt;
        return double(won) / double(won + lost);
    }
};

/// The funnel of model slot `slot` as of the date `as_of` (every event on that
/// day counted). One pass over the customers; see docs/analytics.md.
inline funnel_report funnel(const portfolio &p, std::size_t slot, timestamp as_of) {
    const model &mdl = p.model_at(slot);
    const std::size_t n = mdl.stage_count();
    const timestamp t = end_of_day(as_of);
    funnel_report r;
    r.model = mdl.id();
    r.as_of = day_of(as_of) * seconds_per_day;
    r.stages.resize(n);
    for (stage_index s = 0; s < n; ++s) {
        r.stages[s].stage = s;
        r.stages[s].id = mdl.stage_at(s).id;
    }
    const auto &path = mdl.main_path();
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        funnel_step st;
        st.from = path[i];
        st.to = path[i + 1];
        st.from_id = mdl.stage_at(st.from).id;
        st.to_id = mdl.stage_at(st.to).id;
        r.conversion.push_back(st);
    }

    std::vector<std::vector<std::int64_t>> durations(n);
    std::vector<std::map<string_id, std::size_t>> reasons(n);
    std::vector<std::uint32_t> events;
    std::vector<stay> stays;
    constexpr std::size_t none = std::size_t(-1);
    std::vector<std::size_t> first_at(n), last_at(n);
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        stays_of(p, events, slot, t, stays);
        if (stays.empty()) continue;
        ++r.customers;
        std::fill(first_at.begin(), first_at.end(), none);
        std::fill(last_at.begin(), last_at.end(), none);
        for (std::size_t i = 0; i < stays.size(); ++i) {
            const stay &st = stays[i];
            if (first_at[st.stage] == none) first_at[st.stage] = i;
            last_at[st.stage] = i;
            if (st.left) {
                durations[st.stage].push_back(days_between(st.entered, *st.left));
                if (mdl.stage_at(st.next).kind == stage_kind::lost) {
                    ++r.stages[st.stage].lost_from;
                    ++reasons[st.stage][st.reason];
                }
            }
        }
        if (mdl.stage_at(stays.front().stage).kind == stage_kind::lost) ++r.lost_at_entry;
        for (stage_index s = 0; s < n; ++s)
            if (first_at[s] != none) ++r.stages[s].entered;
        stage_index now = stays.back().stage;
        ++r.stages[now].current;
        if (mdl.stage_at(now).kind == stage_kind::won) ++r.won;
        if (mdl.stage_at(now).kind == stage_kind::lost) ++r.lost;
        const bool open_now = !is_final(mdl.stage_at(now).kind);
        for (auto &step : r.conversion) {
            if (first_at[step.from] == none) continue;
            ++step.entered;
            if (last_at[step.to] != none && last_at[step.to] > first_at[step.from]) ++step.converted;
            else if (open_now) ++step.still_open;
        }
    }
    for (stage_index s = 0; s < n; ++s) {
        r.stages[s].completed_stays = durations[s].size();
        r.stages[s].median_days = median_of(durations[s]);
        for (const auto &[reason, count] : reasons[s])
            r.stages[s].loss_reasons[reason == 0 ? std::string("(no reason)") : p.text(reason)] += count;
    }
    for (auto &step : r.conversion) {
        if (step.entered) step.rate = double(step.converted) / double(step.entered);
        if (step.closed()) step.closed_rate = double(step.converted) / double(step.closed());
    }
    return r;
}

/// The funnel as JSON: {"model", "as_of", "customers", "won", "lost",
/// "stages": [{"id", "entered", "current", "lost_from", "median_days"}],
/// "conversion": [{"from", "to", "rate", "entered", "converted", "still_open",
/// "cohort_rate", "closed_rate"}]}: "rate" and "cohort_rate" are both the
/// cohort rate (null when nobody entered "from"), "closed_rate" the rate over
/// closed customers (null when none is closed).
inline nlohmann::ordered_json funnel_to_json(const funnel_report &r) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["model"] = r.model;
    j["as_of"] = format_date(r.as_of);
    j["customers"] = r.customers;
    j["won"] = r.won;
    j["lost"] = r.lost;
    oj stages = oj::array();
    for (const auto &s : r.stages) {
        oj one;
        one["id"] = s.id;
        one["entered"] = s.entered;
        one["current"] = s.current;
        one["lost_from"] = s.lost_from;
        one["median_days"] = number_or_null(s.median_days);
        stages.push_back(std::move(one));
    }
    j["stages"] = std::move(stages);
    oj conv = oj::array();
    for (const auto &c : r.conversion) {
        oj one;
        one["from"] = c.from_id;
        one["to"] = c.to_id;
        one["rate"] = c.rate ? oj(*c.rate) : oj();
        one["entered"] = c.entered;
        one["converted"] = c.converted;
        one["still_open"] = c.still_open;
        one["cohort_rate"] = one["rate"];
        one["closed_rate"] = c.closed_rate ? oj(*c.closed_rate) : oj();
        conv.push_back(std::move(one));
    }
    j["conversion"] = std::move(conv);
    return j;
}

/// The losses of the funnel by stage and reason as JSON: {"model", "as_of",
/// "lost_at_entry", "stages": [{"id", "lost_from", "reasons": {reason: count}}]}.
inline nlohmann::ordered_json loss_reasons_to_json(const funnel_report &r) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["model"] = r.model;
    j["as_of"] = format_date(r.as_of);
    j["lost_at_entry"] = r.lost_at_entry;
    oj stages = oj::array();
    for (const auto &s : r.stages) {
        oj reasons = oj::object();
        for (const auto &[why, count] : s.loss_reasons) reasons[why] = count;
        stages.push_back({{"id", s.id}, {"lost_from", s.lost_from}, {"reasons", std::move(reasons)}});
    }
    j["stages"] = std::move(stages);
    return j;
}

/// The funnel as text for the clm command: a table of stages, loss reasons,
/// the main-path conversions and the totals.
inline std::string funnel_to_text(const funnel_report &r) {
    std::string out = "funnel of " + r.model + " as of " + format_date(r.as_of) + ": " + std::to_string(r.customers) +
                      " customers, " + std::to_string(r.won) + " won, " + std::to_string(r.lost) + " lost";
    out += " (win rate of closed " + percent_text(r.win_rate()) + ")\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-24s %9s %9s %9s %12s\n", "stage", "entered", "current", "lost_from", "median_days");
    out += line;
    for (const auto &s : r.stages) {
        std::snprintf(line, sizeof line, "  %-24s %9zu %9zu %9zu %12s\n", s.id.c_str(), s.entered, s.current, s.lost_from,
                      days_text(s.median_days).c_str());
        out += line;
    }
    bool any_loss = false;
    for (const auto &s : r.stages) {
        for (const auto &[why, count] : s.loss_reasons) {
            if (!any_loss) out += "losses by stage and reason:\n";
            any_loss = true;
            out += "  " + s.id + ": " + why + ": " + std::to_string(count) + "\n";
        }
    }
    if (r.lost_at_entry) out += "  (lost at entry, no earlier stage): " + std::to_string(r.lost_at_entry) + "\n";
    if (!r.conversion.empty())
        out += "conversion along the main path (cohort: of all who entered; closed: of those no longer open):\n";
    for (const auto &c : r.conversion) {
        std::snprintf(line, sizeof line, "  %-24s  cohort %7s (%zu of %zu)  closed %7s (%zu of %zu)  %zu still open\n",
                      (c.from_id + " -> " + c.to_id).c_str(), percent_text(c.rate).c_str(), c.converted, c.entered,
                      percent_text(c.closed_rate).c_str(), c.converted, c.closed(), c.still_open);
        out += line;
    }
    return out;
}

} // namespace clm
