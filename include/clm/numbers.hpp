/// @file numbers.hpp
/// Numbers read from text (CSV cells, score values, command-line options):
/// one strict decimal syntax and the documented ranges, shared by every
/// parser so that no hex, `inf`, `nan`, `1e999`, spaces, trailing text or
/// NUL byte is ever taken for a number (docs/error-handling.md, "Limits").
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace clm {

/// The largest magnitude of an amount (a purchase, a value): 10^12. With at
/// most 2^32 rows, any sum of amounts stays finite and exact to the cent.
inline constexpr double max_amount = 1e12;
/// The largest magnitude of a score (`score` events: key=number).
inline constexpr double max_score = 1e9;

/// Whether `s` is a decimal number as JSON writes one: an optional '-',
/// digits, an optional fraction and an optional exponent. No '+', no
/// leading '.', no spaces, hex, `inf` or `nan`, nothing after it.
inline bool decimal_syntax(std::string_view s) noexcept {
    std::size_t i = 0;
    auto digits = [&] {
        std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return i > start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == s.size();
}

/// Parses a finite decimal number (decimal_syntax); nullopt for anything
/// else, including a number too large for a double (1e999).
inline std::optional<double> parse_decimal(std::string_view s) noexcept {
    if (!decimal_syntax(s)) return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

/// Parses a decimal number within [lo, hi]; nullopt otherwise.
inline std::optional<double> parse_decimal_in(std::string_view s, double lo, double hi) noexcept {
    auto v = parse_decimal(s);
    if (!v || *v < lo || *v > hi) return std::nullopt;
    return v;
}

/// Parses a whole number (an optional '-' and digits only) within [lo, hi];
/// nullopt for anything else, including a number that overflows.
inline std::optional<std::int64_t> parse_whole(std::string_view s, std::int64_t lo, std::int64_t hi) noexcept {
    if (s.empty() || s[0] == '+') return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
    if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
    return v;
}

/// Whether `v` may be a purchase amount: finite and at most max_amount in
/// magnitude; negative only when `refund_allowed` (a purchase row: a refund).
inline bool valid_amount(double v, bool refund_allowed) noexcept {
    return std::isfinite(v) && v <= max_amount && v >= (refund_allowed ? -max_amount : 0.0);
}

} // namespace clm
