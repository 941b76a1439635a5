/// @file dates.hpp
/// Timestamps: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`, validated with
/// Boost.Date_Time's Gregorian calendar (2017-02-30 is refused) and stored
/// as seconds since 1970-01-01T00:00:00. Nothing here reads the clock.
#pragma once

#include <clm/error.hpp>

#include <boost/date_time/gregorian/gregorian_types.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace clm {

/// Seconds since 1970-01-01T00:00:00 (no time zone: the CRM's local time).
using timestamp = std::int64_t;

/// Seconds in a day.
inline constexpr timestamp seconds_per_day = 86400;

namespace detail {
inline bool digits(std::string_view s, std::size_t pos, std::size_t n, int &out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}
inline const boost::gregorian::date &epoch() {
    static const boost::gregorian::date e(1970, 1, 1);
    return e;
}
// Day number (days since 1970-01-01) to a proleptic Gregorian date (H. Hinnant's
// civil_from_days). Exact for every day, where Boost's dates stop at 9999 and
// throw: formatting must not fail for a date computed past that (a due date).
inline void civil_from_days(std::int64_t z, std::int64_t &y, unsigned &m, unsigned &d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}
// A proleptic Gregorian date to its day number (H. Hinnant's days_from_civil):
// what Boost's date arithmetic gives, without building a date.
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
} // namespace detail

/// The first day clm reads and writes, 1400-01-01 (a day number: days since 1970-01-01).
inline constexpr std::int64_t first_day = -208188;
/// The last day clm reads and writes, 9999-12-31 (a day number).
inline constexpr std::int64_t last_day = 2932896;

/// Parses a UTC offset `Z`, `+hh:mm` or `-hh:mm` (at most 14:00) into seconds east of UTC.
inline std::optional<std::int32_t> parse_utc_offset(std::string_view s) noexcept {
    if (s == "Z" || s == "z") return 0;
    int h = 0, m = 0;
    if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || !detail::digits(s, 1, 2, h) || s[3] != ':' ||
        !detail::digits(s, 4, 2, m) || m > 59 || h * 60 + m > 14 * 60)
        return std::nullopt;
    return std::int32_t((s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60));
}

/// Parses a timestamp; nullopt when malformed, not a real calendar date/time,
/// or outside 1400-01-01 to 9999-12-31.
/// A date and time may end with a UTC offset (`Z`, `+hh:mm`, `-hh:mm`): the
/// time is then converted to the zone `zone` seconds east of UTC (0: UTC),
/// where clm keeps every time; without one it is taken as already in that zone.
inline std::optional<timestamp> parse_timestamp(std::string_view s, std::int32_t zone = 0) noexcept {
    int y, mo, d, h = 0, mi = 0, se = 0;
    std::int32_t shift = 0; // seconds to add: into `zone` from the offset written
    if (s.size() > 19) {
        auto offset = parse_utc_offset(s.substr(19));
        if (!offset) return std::nullopt;
        shift = zone - *offset;
        s = s.substr(0, 19);
    }
    if (s.size() != 10 && s.size() != 19) return std::nullopt;
    if (!detail::digits(s, 0, 4, y) || s[4] != '-' || !detail::digits(s, 5, 2, mo) || s[7] != '-' ||
        !detail::digits(s, 8, 2, d))
        return std::nullopt;
    if (s.size() == 19) {
        if ((s[10] != 'T' && s[10] != ' ') || !detail::digits(s, 11, 2, h) || s[13] != ':' ||
            !detail::digits(s, 14, 2, mi) || s[16] != ':' || !detail::digits(s, 17, 2, se))
            return std::nullopt;
        if (h > 23 || mi > 59 || se > 59) return std::nullopt;
    }
    if (y < 1400 || mo < 1 || mo > 12 || d < 1) return std::nullopt;
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > month_days[mo - 1] + (mo == 2 && leap ? 1 : 0)) return std::nullopt; // not a real day (2017-02-30)
    timestamp days = detail::days_from_civil(y, unsigned(mo), unsigned(d));
    timestamp t = days * seconds_per_day + h * 3600 + mi * 60 + se + shift;
    // A shift across the edge of the calendar clm accepts (1400-01-01 .. 9999-12-31) is refused too.
    if (shift != 0 && (t < detail::days_from_civil(1400, 1, 1) * seconds_per_day ||
                       t >= detail::days_from_civil(10000, 1, 1) * seconds_per_day))
        return std::nullopt;
    return t;
}

/// Parses a timestamp or throws invalid_argument naming `what` and the value.
/// A UTC offset in `s` converts the time into the zone `zone` seconds east of UTC.
inline timestamp require_timestamp(std::string_view s, const std::string &what, std::int32_t zone = 0) {
    auto t = parse_timestamp(s, zone);
    if (!t)
        throw invalid_argument(what + " '" + std::string(s) +
                               "' is not a valid date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optionally ending in Z or +hh:mm)");
    return *t;
}

/// The day number (days since 1970-01-01) of a timestamp.
inline std::int64_t day_of(timestamp t) noexcept {
    return t >= 0 ? t / seconds_per_day : -((-t + seconds_per_day - 1) / seconds_per_day);
}

/// The last second of the day `t` falls in: "as of a date" includes every event on that date.
inline timestamp end_of_day(timestamp t) noexcept { return day_of(t) * seconds_per_day + seconds_per_day - 1; }

/// Formats a timestamp as `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` when it has a
/// time of day. Every date clm prints can be read back: a timestamp outside
/// 1400-01-01 to 9999-12-31 (a date computed past them, such as a due date
/// 3650 days after 9999-01-01) throws invalid_argument naming the day and the range.
inline std::string format_timestamp(timestamp t) {
    std::int64_t day = day_of(t);
    if (day < first_day || day > last_day) {
        std::int64_t y = 0;
        unsigned m = 0, d = 0;
        detail::civil_from_days(day, y, m, d);
        char buf[48];
        std::snprintf(buf, sizeof buf, "%lld-%02u-%02u", static_cast<long long>(y), m, d);
        throw invalid_argument(std::string("a date computed as ") + buf + (day < first_day ? " is before 1400-01-01" : " is after 9999-12-31") +
                               ", outside the dates clm reads and writes (1400-01-01 to 9999-12-31)");
    }
    timestamp rest = t - day * seconds_per_day;
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    detail::civil_from_days(day, y, m, d);
    char buf[64];
    if (rest == 0)
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
    else
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                      int(rest / 3600), int(rest / 60 % 60), int(rest % 60));
    return buf;
}

/// Formats only the date part, `YYYY-MM-DD`.
inline std::string format_date(timestamp t) { return format_timestamp(day_of(t) * seconds_per_day); }

/// Whole days from `from` to `to` (by calendar day).
inline std::int64_t days_between(timestamp from, timestamp to) noexcept { return day_of(to) - day_of(from); }

} // namespace clm
