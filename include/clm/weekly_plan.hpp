/// @file weekly_plan.hpp
/// A manager's week: ranked recommendations fitted into the manager's
/// capacity (hours per week, minutes per action kind), with each class's
/// share of the time respected (e.g. D/E/F 70/20/10). What does not fit is
/// listed with the reason.
#pragma once

#include <clm/recommend.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace clm {

/// Minutes rounded to hundredths: shares of the week (0.7 x 90 is
/// 62.99999999999999 in doubles) come out as 63.
inline double round_minutes(double minutes) noexcept { return std::round(minutes * 100.0) / 100.0; }

/// Minutes as text: "63", "62.5", "4.25" (rounded to hundredths, no trailing zeros).
inline std::string format_minutes(double minutes) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", round_minutes(minutes));
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

/// One planned action.
struct planned_action {
    recommendation rec;            ///< The recommendation.
    double minutes = 0;            ///< Time it takes.
    std::int64_t day = 0;          ///< The weekday (day number) it is planned for.
    std::string customer_class;    ///< The customer's class.
};

/// A week's plan.
struct weekly_plan {
    std::int64_t week_start = 0;   ///< Monday of the week (day number).
    std::int64_t as_of_day = 0;    ///< The date the recommendations were made for (day number).
    double capacity_minutes = 0;   ///< Hours per week x 60 (rounded to hundredths, as every minute figure of the plan).
    double planned_minutes = 0;    ///< Minutes planned.
    std::vector<planned_action> planned; ///< In rank order, with days.
    std::vector<std::pair<planned_action, std::string>> not_fitted; ///< With the reason.
    std::map<std::string, std::pair<double, double>> class_minutes; ///< class -> (budget, used); "" for other classes.
};

/// Plans a week for the recommendations `ranked` (already filtered to one
/// manager and ranked). `hours` overrides the policy's hours per week when > 0.
///
/// Classes listed in the policy's class_shares get at most that share of the
/// time. Customers of other classes (or none) get the share left over, plus
/// whatever the listed classes did not use. Within each budget, actions are
/// taken in rank order; planned actions are spread over Monday to Friday.
/// Every minute figure is rounded to hundredths of a minute (round_minutes()).
inline weekly_plan plan_week(const compiled_policy &cp, const std::vector<recommendation> &ranked, std::int64_t week_day, double hours = 0) {
    const policy &pol = cp.source();
    const portfolio &p = cp.target();
    weekly_plan w;
    // Monday on or before the given date (1970-01-01 was a Thursday).
    std::int64_t weekday = ((week_day + 3) % 7 + 7) % 7; // 0 = Monday
    w.week_start = week_day - weekday;
    w.as_of_day = week_day;
    w.capacity_minutes = round_minutes((hours > 0 ? hours : pol.hours_per_week) * 60.0);
    double shared = 0;
    for (const auto &[cls, share] : pol.class_shares) {
        w.class_minutes[cls] = {round_minutes(share * w.capacity_minutes), 0.0};
        shared += share;
    }
    w.class_minutes[""] = {round_minutes(std::max(0.0, 1.0 - shared) * w.capacity_minutes), 0.0};

    std::vector<planned_action> items;
    std::vector<bool> chosen;
    customer_facts f;
    for (const auto &r : ranked) {
        collect_facts(p, r.customer, week_day, f);
        planned_action a;
        a.rec = r;
        auto m = pol.minutes.find(pol.rules[r.rule].then.kind);
        a.minutes = m == pol.minutes.end() ? pol.default_minutes : m->second;
        a.customer_class = f.customer_class ? p.text(f.customer_class) : std::string();
        items.push_back(std::move(a));
    }
    chosen.assign(items.size(), false);
    auto bucket_of = [&](const planned_action &a) { return pol.class_shares.count(a.customer_class) ? a.customer_class : std::string(); };
    auto fill = [&](bool shared_classes) {
        for (std::size_t i = 0; i < items.size(); ++i) {
            std::string bucket = bucket_of(items[i]);
            if (bucket.empty() == shared_classes || chosen[i]) continue;
            auto &[budget, used] = w.class_minutes[bucket];
            if (used + items[i].minutes > budget + 1e-9) continue;
            used = round_minutes(used + items[i].minutes);
            chosen[i] = true;
        }
    };
    fill(true); // classes with a share, each within its share
    double left = w.capacity_minutes;
    for (const auto &[cls, bu] : w.class_minutes)
        if (!cls.empty()) left -= bu.second;
    w.class_minutes[""].first = round_minutes(std::max(0.0, left)); // the rest of the week, for everyone else
    fill(false);

    const double per_day = w.capacity_minutes / 5.0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        planned_action &a = items[i];
        if (chosen[i]) {
            a.day = w.week_start + std::min<std::int64_t>(4, std::int64_t(w.planned_minutes / per_day));
            w.planned_minutes = round_minutes(w.planned_minutes + a.minutes);
            w.planned.push_back(a);
            continue;
        }
        std::string bucket = bucket_of(a);
        const auto &bu = w.class_minutes[bucket];
        w.not_fitted.emplace_back(a, (bucket.empty() ? std::string("the week's remaining") : "class " + bucket + "'s share of the") +
                                         " time is used up (" + format_minutes(bu.second) + " of " + format_minutes(bu.first) + " minutes)");
    }
    return w;
}

} // namespace clm
