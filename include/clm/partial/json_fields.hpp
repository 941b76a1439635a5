/// @file partial/json_fields.hpp
/// Reading and writing the fields of a partial (partial/partials.hpp):
/// checked members, counts, day histograms and exact sums as JSON. A
/// malformed partial is an invalid_argument naming the field.
#pragma once

#include <clm/error.hpp>
#include <clm/partial/day_histogram.hpp>
#include <clm/partial/exact_sum.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

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

/// `j` as a whole number >= 0 (`what` names it in errors).
inline std::uint64_t count(const oj &j, const std::string &what) {
    if (!j.is_number_unsigned()) bad(what + " must be a whole number >= 0");
    return j.get<std::uint64_t>();
}

/// `j` as a whole number (`what` names it in errors).
inline std::int64_t whole(const oj &j, const std::string &what) {
    if (j.is_number_unsigned()) {
        auto v = j.get<std::uint64_t>();
        if (v > std::uint64_t(INT64_MAX)) bad(what + " is out of range");
        return std::int64_t(v);
    }
    if (!j.is_number_integer()) bad(what + " must be a whole number");
    return j.get<std::int64_t>();
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
