/// @file report_format.hpp
/// Formatting shared by the analyses' JSON and text reports: numbers that
/// may be absent, percentages and day counts.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace clm {

/// A number as JSON: an integer when it is whole, else a double; null when absent.
inline nlohmann::ordered_json number_or_null(const std::optional<double> &v) {
    if (!v) return nullptr;
    double x = *v;
    if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9.0e15) return std::int64_t(x);
    return x;
}

/// A percentage with two decimals ("63.15%"), or "-" when absent.
inline std::string percent_text(const std::optional<double> &v) {
    if (!v) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", *v * 100.0);
    return buf;
}

/// A number of days with at most one decimal ("45", "12.5"), or "-" when absent.
inline std::string days_text(const std::optional<double> &v) {
    if (!v) return "-";
    char buf[32];
    if (*v == std::floor(*v)) std::snprintf(buf, sizeof buf, "%.0f", *v);
    else std::snprintf(buf, sizeof buf, "%.1f", *v);
    return buf;
}

/// A money amount with two decimals and no thousands separator ("1234.50").
inline std::string money_text(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

} // namespace clm
