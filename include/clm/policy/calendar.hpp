/// @file policy/calendar.hpp
/// Holidays and holiday calendars of a policy (docs/policy-format.md,
/// "Calendars"): a holiday is a fixed day, the nth weekday of a month, or a
/// table of dates by year; a calendar is a named list of them, chosen per
/// customer by an attribute (e.g. region). Reading them reports every problem
/// with its JSON pointer.
#pragma once

#include <clm/dates.hpp>
#include <clm/printable.hpp>

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clm {

/// A holiday: a fixed date each year, the nth weekday of a month, or a
/// table of dates by year (holidays of the lunar calendar, e.g. the Spring
/// Festival, given by their Gregorian dates).
struct holiday {
    std::string name;              ///< Its name.
    int month = 1;                 ///< 1..12.
    int day = 0;                   ///< Day of month for fixed dates (0 for nth-weekday rules).
    int nth = 0;                   ///< 1..5 (5 = last) for nth-weekday rules.
    int weekday = 0;               ///< 0 = Sunday .. 6 = Saturday.
    std::map<int, std::pair<int, int>> by_year; ///< Year -> (month, day), for table holidays (no occurrence in other years).

    /// The next occurrence on or after `from`, in days from it.
    std::int64_t days_until(std::int64_t from_day) const {
        using namespace boost::gregorian;
        date from = detail::epoch() + days(static_cast<long>(from_day));
        // Boost dates end with 9999: no occurrence after that year.
        for (int y = int(from.year()); y <= std::min(int(from.year()) + 1, 9999); ++y) {
            date d;
            if (!by_year.empty()) {
                auto it = by_year.find(y);
                if (it == by_year.end()) continue;
                d = date(static_cast<unsigned short>(y), static_cast<unsigned short>(it->second.first), static_cast<unsigned short>(it->second.second));
            } else if (nth == 0) {
                if (month == 2 && day == 29 && !gregorian_calendar::is_leap_year(static_cast<unsigned short>(y)))
                    continue; // Feb 29 in a common year (get_date would throw std::invalid_argument)
                partial_date pd(static_cast<unsigned short>(day), static_cast<unsigned short>(month));
                d = pd.get_date(static_cast<unsigned short>(y));
            } else if (nth >= 5) {
                last_day_of_the_week_in_month ld(static_cast<unsigned short>(weekday), static_cast<unsigned short>(month));
                d = ld.get_date(static_cast<unsigned short>(y));
            } else {
                nth_day_of_the_week_in_month nd(static_cast<nth_day_of_the_week_in_month::week_num>(nth),
                                                static_cast<unsigned short>(weekday), static_cast<unsigned short>(month));
                d = nd.get_date(static_cast<unsigned short>(y));
            }
            if (d >= from) return (d - from).days();
        }
        return 400;
    }
};

namespace detail {

inline int weekday_of(const std::string &s) {
    static const char *const names[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
    for (int i = 0; i < 7; ++i)
        if (s == names[i]) return i;
    return -1;
}

// "MM-DD" as (month, day), a real day of a leap year; false otherwise.
inline bool month_day(const nlohmann::json &v, int &mo, int &dd) {
    std::string d = v.is_string() ? v.get<std::string>() : "";
    return d.size() == 5 && d[2] == '-' && digits(d, 0, 2, mo) && digits(d, 3, 2, dd) && mo >= 1 && mo <= 12 && dd >= 1 &&
           dd <= int(boost::gregorian::gregorian_calendar::end_of_month_day(2000, static_cast<unsigned short>(mo)));
}

/// Reads an array of holidays at JSON pointer `p`; `problem(pointer, message)` receives each problem.
inline std::vector<holiday> read_holidays(const nlohmann::json &hs, const std::string &p0,
                                          const std::function<void(const std::string &, const std::string &)> &problem) {
    std::vector<holiday> out;
    if (!hs.is_array()) {
        problem(p0, "policy: '" + p0.substr(p0.rfind('/') + 1) + "' must be an array of holidays");
        return out;
    }
    for (std::size_t i = 0; i < hs.size(); ++i) {
        std::string p = p0 + "/" + std::to_string(i);
        const auto &h = hs[i];
        holiday hd;
        if (!h.is_object() || !h.contains("name") || !h["name"].is_string()) {
            problem(p, "holiday: needs a 'name'");
            continue;
        }
        hd.name = h["name"].get<std::string>();
        const std::string who = "holiday '" + printable(hd.name) + "'";
        for (auto it = h.begin(); it != h.end(); ++it)
            if (it.key() != "$comment" && it.key() != "name" && it.key() != "date" && it.key() != "weekday" && it.key() != "nth" &&
                it.key() != "month" && it.key() != "dates")
                problem(p + "/" + it.key(), who + ": unknown field '" + printable(it.key()) + "' (expected name, date, weekday, nth, month, dates)");
        const int forms = int(h.contains("date")) + int(h.contains("weekday") || h.contains("nth") || h.contains("month")) + int(h.contains("dates"));
        if (forms > 1) {
            problem(p, who + ": 'date' (a fixed day) conflicts with 'weekday', 'nth' and 'month' (a weekday of a month) and with 'dates' (a table by year): give one of them");
            continue;
        }
        if (h.contains("dates")) {
            const auto &t = h["dates"];
            if (!t.is_object() || t.empty()) {
                problem(p + "/dates", who + ": 'dates' must be a non-empty object of \"YYYY\": \"MM-DD\"");
                continue;
            }
            for (auto it = t.begin(); it != t.end(); ++it) {
                int y = 0, mo = 0, dd = 0;
                const std::string &k = it.key();
                if (k.size() != 4 || !digits(k, 0, 4, y) || y < 1400 || y > 9999) {
                    problem(p + "/dates/" + k, who + ": year '" + printable(k) + "' must be YYYY (1400-9999)");
                    continue;
                }
                if (!month_day(it.value(), mo, dd) ||
                    dd > int(boost::gregorian::gregorian_calendar::end_of_month_day(static_cast<unsigned short>(y), static_cast<unsigned short>(mo)))) {
                    problem(p + "/dates/" + k, who + ": the date of " + k + " must be MM-DD, a real day of that year");
                    continue;
                }
                hd.by_year[y] = {mo, dd};
            }
        } else if (h.contains("date")) {
            int mo = 0, dd = 0;
            if (!month_day(h["date"], mo, dd)) {
                problem(p + "/date", who + ": 'date' must be MM-DD, a real day of the year");
                continue;
            }
            hd.month = mo;
            hd.day = dd;
        } else {
            int wd = h.contains("weekday") && h["weekday"].is_string() ? weekday_of(h["weekday"].get<std::string>()) : -1;
            long long nth = h.contains("nth") && h["nth"].is_number_integer() ? h["nth"].get<long long>() : 0;
            long long mo = h.contains("month") && h["month"].is_number_integer() ? h["month"].get<long long>() : 0;
            if (wd < 0 && h.contains("weekday") && !h["weekday"].is_string()) problem(p + "/weekday", who + ": 'weekday' must be a string");
            if (h.contains("nth") && !h["nth"].is_number_integer()) problem(p + "/nth", who + ": 'nth' must be a whole number");
            if (h.contains("month") && !h["month"].is_number_integer()) problem(p + "/month", who + ": 'month' must be a whole number");
            if (wd < 0 || nth < 1 || nth > 5 || mo < 1 || mo > 12) {
                problem(p, who + ": needs 'date' (MM-DD), 'dates' (a table by year) or 'weekday' (monday..sunday), 'nth' (1-4, 5 = last) and 'month' (1-12)");
                continue;
            }
            hd.weekday = wd;
            hd.nth = int(nth);
            hd.month = int(mo);
        }
        out.push_back(std::move(hd));
    }
    return out;
}

} // namespace detail
} // namespace clm
