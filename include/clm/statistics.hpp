/// @file statistics.hpp
/// The few descriptive statistics the analyses share, each with one fixed
/// definition (see docs/analytics.md): the arithmetic mean, the median (the
/// middle value, or the mean of the two middle values for an even count) and
/// the nearest-rank percentile.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace clm {

/// The arithmetic mean of `v`; nullopt when `v` is empty.
template <class T>
std::optional<double> mean_of(const std::vector<T> &v) {
    if (v.empty()) return std::nullopt;
    double sum = 0;
    for (const auto &x : v) sum += double(x);
    return sum / double(v.size());
}

/// The median of `v` (sorted in place): the middle value for an odd count,
/// the mean of the two middle values for an even count; nullopt when empty.
template <class T>
std::optional<double> median_of(std::vector<T> &v) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    if (n % 2 == 1) return double(v[n / 2]);
    return (double(v[n / 2 - 1]) + double(v[n / 2])) / 2.0;
}

/// The nearest-rank percentile `pct` (0 < pct <= 100) of `v` (sorted in
/// place): the smallest value such that at least pct% of the values are at
/// or below it, i.e. the value of rank ceil(pct/100 * n) (1-based) in sorted
/// order. Always one of the values. nullopt when `v` is empty.
template <class T>
std::optional<double> percentile_nearest_rank(std::vector<T> &v, double pct) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    double exact = pct / 100.0 * double(v.size());
    auto rank = std::size_t(std::ceil(exact - 1e-9)); // tolerate 0.9 * 10 = 9.000000000000002
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return double(v[rank - 1]);
}

} // namespace clm
