/// @file partial/day_histogram.hpp
/// A histogram of whole days (stay lengths, days to win): how many values
/// of each length. Two histograms merge by adding their counts, and the
/// mean, median and nearest-rank percentile read from it are the very
/// doubles statistics.hpp computes from the list of values, so a median
/// merged over partitions equals the median of the whole portfolio exactly
/// (docs/distributed.md).
#pragma once

#include <clm/error.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>

namespace clm {

/// Counts of whole-day values.
class day_histogram {
public:
    /// Counts one value (`count` times). Throws invalid_argument when the
    /// number of values would overflow.
    void add(std::int64_t days, std::uint64_t count = 1) {
        if (count == 0) return;
        if (count > UINT64_MAX - total_) throw invalid_argument("day histogram: the number of values overflows");
        counts_[days] += count;
        total_ += count;
    }
    /// Adds the counts of `other`.
    void merge(const day_histogram &other) {
        for (const auto &[d, c] : other.counts_) add(d, c);
    }
    /// The number of values.
    std::uint64_t size() const noexcept { return total_; }
    /// The counts, by value ascending.
    const std::map<std::int64_t, std::uint64_t> &counts() const noexcept { return counts_; }

    /// The mean as mean_of() computes it: the sum of integer-valued doubles
    /// (exact below 2^53) over the count; nullopt when empty.
    std::optional<double> mean() const {
        if (total_ == 0) return std::nullopt;
        double sum = 0;
        for (const auto &[d, c] : counts_) sum += double(d) * double(c);
        return sum / double(total_);
    }
    /// The median as median_of() computes it; nullopt when empty.
    std::optional<double> median() const {
        if (total_ == 0) return std::nullopt;
        if (total_ % 2 == 1) return double(at(total_ / 2));
        return (double(at(total_ / 2 - 1)) + double(at(total_ / 2))) / 2.0;
    }
    /// The nearest-rank percentile as percentile_nearest_rank() computes it; nullopt when empty.
    std::optional<double> percentile(double pct) const {
        if (total_ == 0) return std::nullopt;
        double exact = pct / 100.0 * double(total_);
        auto rank = std::uint64_t(std::ceil(exact - 1e-9));
        rank = rank < 1 ? 1 : rank > total_ ? total_ : rank;
        return double(at(rank - 1));
    }

private:
    // The value at 0-based rank `k` in sorted order.
    std::int64_t at(std::uint64_t k) const {
        for (const auto &[d, c] : counts_) {
            if (k < c) return d;
            k -= c;
        }
        throw error(CLM_E_INTERNAL, "day histogram: rank out of range");
    }
    std::map<std::int64_t, std::uint64_t> counts_;
    std::uint64_t total_ = 0;
};

} // namespace clm
