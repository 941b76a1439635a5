/// @file partial/json_fields.hpp
/// Reading and writing the fields of a partial (partial/partials.hpp):
/// checked members, counts, day histograms and exact sums as JSON. A
/// malformed partial is an invalid_argument naming the field.
#pragma once

#include <clm/error.hpp>
#include <clm/input_limits.hpp>
#include <clm/partial/day_histogram.hpp>
#include <clm/partial/exact_sum.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace clm::detail::partial_json {

/// The JSON type of partials (key order kept).
using oj = nlohmann::ordered_json;

/// Throws invalid_argument("partial: " + what).
[[noreturn]] inline void bad(const std::string &what) { throw invalid_argument("partial: " + what); }

/// Member `key` of object `j`; throws when `j` is not an object or lacks it.
inline const oj &member(const oj &j, const char *key) {
    if (!j.is_object()) bad(std::string("expected an object holding \"") + key + "\"");
    auto it = j.find(key);
    if (it == j.end()) bad(std::string("missing \"") + key + "\"");
    return *it;
}

/// The largest count a partial holds, 10^12: far above the customers or
/// events of any portfolio, and small enough that no sum of counts over the
/// stages of a model (at most 65,534) overflows.
inline constexpr std::uint64_t max_count = 1'000'000'000'000ULL;

/// The largest magnitude of a whole number in a partial (days, seconds, sums
/// of days): 2^53, so that it is exact as a double and two of them add up
/// without overflow.
inline constexpr std::int64_t max_whole = std::int64_t(1) << 53;

/// `j` as a whole number from 0 to max_count (`what` names it in errors).
inline std::uint64_t count(const oj &j, const std::string &what) {
    if (!j.is_number_unsigned()) bad(what + " must be a whole number >= 0");
    const auto v = j.get<std::uint64_t>();
    if (v > max_count) bad(what + " is out of range (at most 10^12)");
    return v;
}

/// a + b for two counts; refused when the sum is above max_count.
inline std::uint64_t add_count(std::uint64_t a, std::uint64_t b, const std::string &what) {
    if (a > max_count || b > max_count - a) bad(what + ": the sum of the counts is out of range (at most 10^12)");
    return a + b;
}

/// `j` as a whole number of magnitude at most max_whole (`what` names it in errors).
inline std::int64_t whole(const oj &j, const std::string &what) {
    std::int64_t v = 0;
    if (j.is_number_unsigned()) {
        const auto u = j.get<std::uint64_t>();
        if (u > std::uint64_t(max_whole)) bad(what + " is out of range");
        v = std::int64_t(u);
    } else if (j.is_number_integer()) {
        v = j.get<std::int64_t>();
    } else {
        bad(what + " must be a whole number");
    }
    if (v > max_whole || v < -max_whole) bad(what + " is out of range");
    return v;
}

/// a + b for two whole numbers read by whole(); refused when the sum is out of its range.
inline std::int64_t add_whole(std::int64_t a, std::int64_t b, const std::string &what) {
    const std::int64_t sum = a + b; // both within 2^53: no overflow
    if (sum > max_whole || sum < -max_whole) bad(what + ": the sum is out of range");
    return sum;
}

/// Parses a partial handed in (`what` names it in errors): strict JSON
/// within the JSON input limit, nested at most 256 levels deep, with no
/// duplicate key. Throws invalid_argument.
inline oj parse(std::string_view text, const std::string &what) {
    if (text.size() > max_json_bytes())
        throw invalid_argument(what + ": " + std::to_string(text.size()) + " bytes, over the JSON input limit of " +
                               std::to_string(max_json_bytes()) + " bytes (CLM_MAX_JSON_BYTES)");
    std::vector<std::set<std::string>> keys; // the keys of each object being read
    auto check = [&](int depth, oj::parse_event_t event, oj &parsed) {
        switch (event) {
        case oj::parse_event_t::object_start:
        case oj::parse_event_t::array_start:
            if (depth >= 256) throw invalid_argument(what + ": JSON nesting deeper than 256 levels");
            if (event == oj::parse_event_t::object_start) keys.emplace_back();
            break;
        case oj::parse_event_t::object_end:
            if (!keys.empty()) keys.pop_back();
            break;
        case oj::parse_event_t::key:
            if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
                throw invalid_argument(what + ": duplicate key " + parsed.dump());
            break;
        default:
            break;
        }
        return true;
    };
    oj j = oj::parse(text, check, false);
    if (j.is_discarded()) throw invalid_argument(what + ": not a JSON document");
    return j;
}

/// `j` as an array of `n` elements (any length when n is npos).
inline const oj &array(const oj &j, const std::string &what, std::size_t n = std::string::npos) {
    if (!j.is_array()) bad(what + " must be an array");
    if (n != std::string::npos && j.size() != n) bad(what + " must have " + std::to_string(n) + " elements");
    return j;
}

/// `j` as a string.
inline const std::string &text(const oj &j, const std::string &what) {
    if (!j.is_string()) bad(what + " must be a string");
    return j.get_ref<const std::string &>();
}

/// A day histogram as [[days, count], ...], days ascending.
inline oj histogram_json(const day_histogram &h) {
    oj out = oj::array();
    for (const auto &[d, c] : h.counts()) out.push_back(oj::array({d, c}));
    return out;
}

/// The day histogram written by histogram_json().
inline day_histogram histogram_from(const oj &j, const std::string &what) {
    day_histogram h;
    for (const auto &pair : array(j, what)) {
        array(pair, what + " entry", 2);
        h.add(whole(pair[0], what + " days"), count(pair[1], what + " count"));
    }
    return h;
}

/// An exact sum as its partials, [double, ...] (each round-trips exactly).
inline oj sum_json(const exact_sum &s) {
    oj out = oj::array();
    for (double x : s.partials()) out.push_back(x);
    return out;
}

/// The exact sum written by sum_json().
inline exact_sum sum_from(const oj &j, const std::string &what) {
    exact_sum s;
    for (const auto &x : array(j, what)) {
        if (!x.is_number()) bad(what + " must hold numbers");
        double v = x.get<double>();
        if (!std::isfinite(v)) bad(what + " must hold finite numbers");
        s.add(v);
    }
    return s;
}

} // namespace clm::detail::partial_json
