/// @file partial/exact_sum.hpp
/// An exact sum of doubles: Shewchuk's non-overlapping partials (the
/// algorithm of Python's math.fsum), rounded once, correctly, when read.
/// The result does not depend on the order of the additions, so a sum split
/// over partitions (a map-reduce, a Dask cluster) and merged gives the same
/// double, bit for bit, as the sum of one process: this is what makes the
/// forecast's money and expected wins mergeable (docs/distributed.md).
#pragma once

#include <clm/error.hpp>

#include <cmath>
#include <utility>
#include <vector>

namespace clm {

/// The exact sum of the finite doubles added to it. Memory: a handful of
/// doubles (at most ~40 for any sequence of finite values).
class exact_sum {
public:
    /// Adds `x` exactly. Throws invalid_argument for a value that is not
    /// finite, and for a sum whose magnitude overflows a double.
    void add(double x) {
        if (!std::isfinite(x)) throw invalid_argument("exact sum: a value that is not finite");
        std::size_t i = 0;
        for (double y : partials_) {
            if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
            const double hi = x + y;
            const double lo = y - (hi - x);
            if (lo != 0.0) partials_[i++] = lo;
            x = hi;
        }
        if (!std::isfinite(x)) throw invalid_argument("exact sum: the sum overflows a double");
        partials_.resize(i);
        if (x != 0.0) partials_.push_back(x);
    }

    /// Adds every addend of `other` (the union of two sums).
    void merge(const exact_sum &other) {
        for (double x : other.partials_) add(x);
    }

    /// The exact sum rounded to the nearest double (ties to even).
    double value() const noexcept {
        std::size_t n = partials_.size();
        if (n == 0) return 0.0;
        double hi = partials_[--n], lo = 0.0;
        while (n > 0) {
            const double x = hi, y = partials_[--n];
            hi = x + y;
            lo = y - (hi - x);
            if (lo != 0.0) break;
        }
        // Half-way cases: the partials below decide which way to round.
        if (n > 0 && ((lo < 0.0 && partials_[n - 1] < 0.0) || (lo > 0.0 && partials_[n - 1] > 0.0))) {
            const double y = lo * 2.0, x = hi + y;
            if (y == x - hi) hi = x;
        }
        return hi;
    }

    /// The partials (non-overlapping, increasing magnitude): the exact state,
    /// for serialising. from_partials() restores it.
    const std::vector<double> &partials() const noexcept { return partials_; }

    /// A sum restored from partials() (each added again, so any finite list is accepted).
    static exact_sum from_partials(const std::vector<double> &values) {
        exact_sum s;
        for (double v : values) s.add(v);
        return s;
    }

private:
    std::vector<double> partials_;
};

} // namespace clm
