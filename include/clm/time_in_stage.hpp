/// @file time_in_stage.hpp
/// Time spent in each stage of a model as of a date (BRIEF 1.3): mean, median
/// and 90th percentile (nearest rank) of completed stays; open stays and their
/// mean age; customers stuck past the stage's time limit; and the average
/// lifecycle duration from first entry into the model to a won stage, per
/// account when customers have accounts (account.hpp), per customer
/// otherwise. Definitions: docs/analytics.md.
#pragma once

#include <clm/account.hpp>
#include <clm/report_format.hpp>
#include <clm/statistics.hpp>
#include <clm/stays.hpp>

#include <limits>

namespace clm {

/// A customer over a stage's time limit.
struct stuck_customer {
    std::string customer_id;           ///< The customer.
    std::int64_t days = 0;             ///< Whole days in the stage on the date.
};

/// One stage's time figures.
struct stage_time {
    stage_index stage = no_stage;      ///< The stage.
    std::string id;                    ///< Its id.
    std::size_t completed = 0;         ///< Stays that ended by the date.
    std::optional<double> mean_days;   ///< Mean length of those stays, whole days each.
    std::optional<double> median_days; ///< Their median.
    std::optional<double> p90_days;    ///< Their 90th percentile, nearest rank.
    std::size_t open = 0;              ///< Stays still open on the date (customers in the stage).
    std::optional<double> open_mean_age_days; ///< Mean whole days those customers have been in it.
    std::optional<int> time_limit_days;///< The stage's time limit, if any.
    std::vector<stuck_customer> stuck; ///< Open stays longer than the limit, longest first (then by id).
};

/// The time report of one model as of a date.
struct time_in_stage_report {
    std::string model;                 ///< The model's id.
    timestamp as_of = 0;               ///< The date (every event on it counted).
    std::vector<stage_time> stages;    ///< One per stage, in model order.
    std::string unit = "customer";     ///< What the lifecycle figures count: "account" or "customer".
    std::size_t won = 0;               ///< Units (accounts or customers) that reached a won-kind stage by the date.
    std::optional<double> to_won_mean_days;   ///< Mean whole days from a unit's first entry into the model to its first won stage.
    std::optional<double> to_won_median_days; ///< Their median.
};

/// Time in each stage of model slot `slot` as of the date `as_of` (every event
/// on that day counted). The lifecycle duration to won is per unit
/// (units_of(): accounts when any customer has one by the date, a customer
/// without one being a unit of its own; customers otherwise): from the
/// earliest first entry into the model of the unit's customers to the
/// earliest first entry of one of them into a won-kind stage.
inline time_in_stage_report time_in_stage(const portfolio &p, std::size_t slot, timestamp as_of) {
    const model &mdl = p.model_at(slot);
    const std::size_t n = mdl.stage_count();
    const timestamp t = end_of_day(as_of);
    time_in_stage_report r;
    r.model = mdl.id();
    r.as_of = day_of(as_of) * seconds_per_day;
    r.stages.resize(n);
    std::vector<std::vector<std::int64_t>> done(n);
    std::vector<std::int64_t> age_sum(n, 0);
    const unit_map units = units_of(p, t);
    r.unit = units.name();
    constexpr timestamp never = std::numeric_limits<timestamp>::max();
    std::vector<timestamp> unit_entered(units.count, never), unit_won(units.count, never);
    std::vector<std::int64_t> to_won;
    std::vector<std::uint32_t> events;
    std::vector<stay> stays;
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        stays_of(p, events, slot, t, stays);
        if (stays.empty()) continue;
        for (const stay &st : stays)
            if (st.left) done[st.stage].push_back(days_between(st.entered, *st.left));
        const stay &last = stays.back();
        std::int64_t age = days_between(last.entered, r.as_of);
        ++r.stages[last.stage].open;
        age_sum[last.stage] += age;
        const auto &limit = mdl.stage_at(last.stage).time_limit_days;
        if (limit && age > *limit) r.stages[last.stage].stuck.push_back({p.customer_id(c), age});
        const std::uint32_t u = units.of[c];
        unit_entered[u] = std::min(unit_entered[u], stays.front().entered);
        for (const stay &st : stays) {
            if (mdl.stage_at(st.stage).kind != stage_kind::won) continue;
            unit_won[u] = std::min(unit_won[u], st.entered);
            break;
        }
    }
    for (std::size_t u = 0; u < units.count; ++u)
        if (unit_won[u] != never) to_won.push_back(days_between(unit_entered[u], unit_won[u]));
    for (stage_index s = 0; s < n; ++s) {
        stage_time &st = r.stages[s];
        st.stage = s;
        st.id = mdl.stage_at(s).id;
        st.time_limit_days = mdl.stage_at(s).time_limit_days;
        st.completed = done[s].size();
        st.mean_days = mean_of(done[s]);
        st.median_days = median_of(done[s]);
        st.p90_days = percentile_nearest_rank(done[s], 90);
        if (st.open) st.open_mean_age_days = double(age_sum[s]) / double(st.open);
        std::sort(st.stuck.begin(), st.stuck.end(), [](const stuck_customer &a, const stuck_customer &b) {
            return a.days != b.days ? a.days > b.days : a.customer_id < b.customer_id;
        });
    }
    r.won = to_won.size();
    r.to_won_mean_days = mean_of(to_won);
    r.to_won_median_days = median_of(to_won);
    return r;
}

/// The time report as JSON: {"model", "as_of", "stages": [{"id", "completed_stays",
/// "mean_days", "median_days", "p90_days", "open_stays", "open_mean_age_days",
/// "time_limit_days", "stuck": [{"customer_id", "days"}]}], "to_won": {"customers",
/// "mean_days", "median_days", "unit"}}; absent figures are null. "to_won" counts
/// units: "unit" is "account" or "customer", "customers" the number of units.
inline nlohmann::ordered_json time_in_stage_to_json(const time_in_stage_report &r) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["model"] = r.model;
    j["as_of"] = format_date(r.as_of);
    oj stages = oj::array();
    for (const auto &s : r.stages) {
        oj one;
        one["id"] = s.id;
        one["completed_stays"] = s.completed;
        one["mean_days"] = number_or_null(s.mean_days);
        one["median_days"] = number_or_null(s.median_days);
        one["p90_days"] = number_or_null(s.p90_days);
        one["open_stays"] = s.open;
        one["open_mean_age_days"] = number_or_null(s.open_mean_age_days);
        one["time_limit_days"] = s.time_limit_days ? oj(*s.time_limit_days) : oj();
        oj stuck = oj::array();
        for (const auto &k : s.stuck) stuck.push_back({{"customer_id", k.customer_id}, {"days", k.days}});
        one["stuck"] = std::move(stuck);
        stages.push_back(std::move(one));
    }
    j["stages"] = std::move(stages);
    j["to_won"] = {{"customers", r.won},
                   {"mean_days", number_or_null(r.to_won_mean_days)},
                   {"median_days", number_or_null(r.to_won_median_days)},
                   {"unit", r.unit}};
    return j;
}

/// The time report as text for the clm command (stuck customers: the first
/// `max_stuck` per stage, then a count of the rest).
inline std::string time_in_stage_to_text(const time_in_stage_report &r, std::size_t max_stuck = 10) {
    std::string out = "time in stage of " + r.model + " as of " + format_date(r.as_of) + " (whole days)\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-24s %9s %8s %8s %8s %8s %9s %6s %7s\n", "stage", "completed", "mean", "median",
                  "p90", "open", "open_age", "limit", "stuck");
    out += line;
    for (const auto &s : r.stages) {
        std::string limit = s.time_limit_days ? std::to_string(*s.time_limit_days) : "-";
        std::snprintf(line, sizeof line, "  %-24s %9zu %8s %8s %8s %8zu %9s %6s %7zu\n", s.id.c_str(), s.completed,
                      days_text(s.mean_days).c_str(), days_text(s.median_days).c_str(), days_text(s.p90_days).c_str(),
                      s.open, days_text(s.open_mean_age_days).c_str(), limit.c_str(), s.stuck.size());
        out += line;
    }
    for (const auto &s : r.stages) {
        if (s.stuck.empty()) continue;
        out += "stuck in " + s.id + " (over " + std::to_string(*s.time_limit_days) + " days):";
        for (std::size_t i = 0; i < s.stuck.size() && i < max_stuck; ++i)
            out += (i ? ", " : " ") + s.stuck[i].customer_id + " (" + std::to_string(s.stuck[i].days) + ")";
        if (s.stuck.size() > max_stuck) out += " and " + std::to_string(s.stuck.size() - max_stuck) + " more";
        out += "\n";
    }
    out += "lifecycle to won (per " + r.unit + "): " + std::to_string(r.won) + (r.unit == "account" ? " accounts" : " customers") + ", mean " + days_text(r.to_won_mean_days) +
           " days, median " + days_text(r.to_won_median_days) + " days\n";
    return out;
}

} // namespace clm
