/// @file fisher_exact.hpp
/// Fisher's exact test, one-sided, for comparing two success rates: is the
/// first group's rate higher than the second's by more than chance? The
/// rotation suggestions (dynamics.hpp) use it to compare two managers'
/// closed deals. Definitions: docs/analytics.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace clm {

/// The one-sided p-value of Fisher's exact test for the 2x2 table
///
///     group 1: a successes, b failures
///     group 2: c successes, d failures
///
/// against the alternative "group 1's success rate is higher": the
/// probability, with the row and column totals fixed (hypergeometric), of a
/// table with at least `a` successes in group 1. 1 when a group is empty or
/// nobody (or everybody) succeeded: no evidence either way. Exact up to
/// floating-point rounding; O(a + b + c + d).
inline double fisher_exact_greater(std::size_t a, std::size_t b, std::size_t c, std::size_t d) {
    const double n1 = double(a + b), n2 = double(c + d), k = double(a + c), n = n1 + n2;
    if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0) return 1.0;
    // log C(k, a) + log C(n - k, n1 - a) - log C(n, n1), from log-factorials.
    auto log_factorial = [](double m) {
        double s = 0;
        for (double i = 2; i <= m; ++i) s += std::log(i);
        return s;
    };
    auto log_choose = [&](double m, double r) { return log_factorial(m) - log_factorial(r) - log_factorial(m - r); };
    const double x0 = double(a);
    double term = std::exp(log_choose(k, x0) + log_choose(n - k, n1 - x0) - log_choose(n, n1));
    double p = 0;
    const double hi = std::min(k, n1);
    // P(x + 1) / P(x) = (k - x)(n1 - x) / ((x + 1)(n - k - n1 + x + 1)).
    for (double x = x0; x <= hi; ++x) {
        p += term;
        term *= (k - x) * (n1 - x) / ((x + 1) * (n - k - n1 + x + 1));
    }
    return std::min(1.0, std::max(0.0, p));
}

} // namespace clm
