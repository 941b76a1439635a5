/// @file weekly_plan.hpp
/// A manager's week: ranked recommendations fitted into the manager's
/// capacity (hours per week, minutes per action kind), with each class's
/// share of the time respected (e.g. D/E/F 70/20/10). What does not fit is
/// listed with the reason.
#pragma once

#include <clm/recommend.hpp>

#include <algorithm>
#include <array>
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
/// With `capacity.service_share` set, that share of the week is the service
/// customers' (the classes of class_shares, e.g. D/E/F 70/20/10 of it) and the
/// rest is the pre-contract deals' (A/B/C and customers of no listed class),
/// which are planned first; without it, the listed classes get their share of
/// the whole week and the others what is left, as before. Within each budget,
/// actions are taken in rank order; time the service classes leave unused then
/// goes to the pre-contract deals that did not fit, in rank order.
///
/// Each action is placed on a weekday on or before its due date (a greeting
/// on the occasion, or the weekday before it), as early as the day's share of
/// the time allows; an action already due before the week is placed first
/// thing. Every minute figure is rounded to hundredths of a minute (round_minutes()).
inline weekly_plan plan_week(const compiled_policy &cp, const std::vector<recommendation> &ranked, std::int64_t week_day, double hours = 0) {
    const policy &pol = cp.source();
    weekly_plan w;
    // Monday on or before the given date (1970-01-01 was a Thursday).
    std::int64_t weekday = ((week_day + 3) % 7 + 7) % 7; // 0 = Monday
    w.week_start = week_day - weekday;
    w.as_of_day = week_day;
    w.capacity_minutes = round_minutes((hours > 0 ? hours : pol.hours_per_week) * 60.0);
    const bool service_split = pol.service_share >= 0;
    const double service_total = service_split ? w.capacity_minutes * pol.service_share : w.capacity_minutes;
    double shared = 0;
    for (const auto &[cls, share] : pol.class_shares) {
        w.class_minutes[cls] = {round_minutes(share * service_total), 0.0};
        shared += share;
    }
    w.class_minutes[""] = {round_minutes(service_split ? w.capacity_minutes - service_total : std::max(0.0, 1.0 - shared) * w.capacity_minutes), 0.0};

    std::vector<planned_action> items;
    customer_facts f;
    for (const auto &r : ranked) {
        cp.collect(r.customer, week_day, f, false);
        planned_action a;
        a.rec = r;
        auto m = pol.minutes.find(pol.rules[r.rule].then.kind);
        a.minutes = m == pol.minutes.end() ? pol.default_minutes : m->second;
        a.customer_class = f.customer_class ? cp.class_text(f.customer_class) : std::string();
        items.push_back(std::move(a));
    }
    std::vector<bool> chosen(items.size(), false);
    auto bucket_of = [&](const planned_action &a) { return pol.class_shares.count(a.customer_class) ? a.customer_class : std::string(); };
    // Each weekday's share of the time, for placing actions by their due dates.
    const double per_day = w.capacity_minutes / 5.0;
    std::array<double, 5> day_left;
    day_left.fill(per_day);
    std::vector<std::int64_t> day_of_item(items.size(), 0);
    auto place = [&](std::size_t i) -> bool {
        const planned_action &a = items[i];
        const std::int64_t last = std::clamp<std::int64_t>(a.rec.due_day - w.week_start, 0, 4);
        const bool greeting = pol.rules[a.rec.rule].then.kind == "greet";
        for (std::int64_t k = 0; k <= last; ++k) {
            const std::int64_t d = greeting ? last - k : k; // a greeting on the occasion, other work as early as possible
            // (An action longer than a day's share takes a day of its own.)
            if (day_left[std::size_t(d)] + 1e-9 >= a.minutes || (a.minutes > per_day && day_left[std::size_t(d)] + 1e-9 >= per_day)) {
                day_left[std::size_t(d)] -= a.minutes;
                day_of_item[i] = w.week_start + d;
                return true;
            }
        }
        return false;
    };
    std::vector<std::string> why(items.size());
    auto fill = [&](bool shared_classes) {
        for (std::size_t i = 0; i < items.size(); ++i) {
            std::string bucket = bucket_of(items[i]);
            if (bucket.empty() == shared_classes || chosen[i]) continue;
            auto &[budget, used] = w.class_minutes[bucket];
            if (used + items[i].minutes > budget + 1e-9) continue;
            if (!place(i)) {
                why[i] = "no time is left on or before its due date " + format_date(items[i].rec.due_day * seconds_per_day);
                continue;
            }
            used = round_minutes(used + items[i].minutes);
            chosen[i] = true;
        }
    };
    if (service_split) {
        fill(false); // pre-contract deals first, within their part of the week
        fill(true);  // then each service class within its share of the service time
    } else {
        fill(true); // classes with a share, each within its share
        double left = w.capacity_minutes;
        for (const auto &[cls, bu] : w.class_minutes)
            if (!cls.empty()) left -= bu.second;
        w.class_minutes[""].first = round_minutes(std::max(0.0, left)); // the rest of the week, for everyone else
        fill(false);
    }
    // Time the service classes left unused goes to the pre-contract deals that did not
    // fit, in rank order (a service class never gets more than its share).
    double planned = 0;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (chosen[i]) planned += items[i].minutes;
    for (std::size_t i = 0; i < items.size() && service_split; ++i) {
        if (chosen[i] || !bucket_of(items[i]).empty() || planned + items[i].minutes > w.capacity_minutes + 1e-9 || !place(i)) continue;
        auto &used = w.class_minutes[bucket_of(items[i])].second;
        used = round_minutes(used + items[i].minutes);
        planned += items[i].minutes;
        chosen[i] = true;
    }

    for (std::size_t i = 0; i < items.size(); ++i) {
        planned_action &a = items[i];
        if (chosen[i]) {
            a.day = day_of_item[i];
            w.planned_minutes = round_minutes(w.planned_minutes + a.minutes);
            w.planned.push_back(a);
            continue;
        }
        std::string bucket = bucket_of(a);
        const auto &bu = w.class_minutes[bucket];
        if (!why[i].empty() && bu.second + a.minutes <= bu.first + 1e-9) {
            w.not_fitted.emplace_back(a, why[i]);
            continue;
        }
        const std::string share = bucket.empty() ? std::string(service_split ? "the pre-contract deals' share of the" : "the week's remaining")
                                                 : "class " + bucket + "'s share of the";
        if (bu.second == 0 && a.minutes > bu.first + 1e-9) // nothing used, and it would not fit alone
            w.not_fitted.emplace_back(a, share + " time is too short for it (" + format_minutes(a.minutes) + " minutes; the share is " +
                                             format_minutes(bu.first) + ")");
        else
            w.not_fitted.emplace_back(a, share + " time is used up (" + format_minutes(bu.second) + " of " + format_minutes(bu.first) + " minutes)");
    }
    return w;
}

} // namespace clm
