/// @file portfolio/sequence.hpp
/// Sequence numbers of journal events (the journal cursor of a host that
/// keeps its own store): event i is number i + 1 in apply order, skipping the
/// numbers of events erased since, so that numbers already handed out to a
/// host stay true. Included by portfolio.hpp.
#pragma once

#include <clm/portfolio.hpp>

#include <algorithm>
#include <cstdint>

namespace clm {

inline std::uint64_t portfolio::seq_of(std::size_t index) const noexcept {
    // The (index + 1)-th number not erased: each erased number at or below
    // the candidate pushes it one further (the list is ascending).
    std::uint64_t s = std::uint64_t(index) + 1;
    for (std::uint64_t gap : erased_seqs_) {
        if (gap > s) break;
        ++s;
    }
    return s;
}

inline std::size_t portfolio::index_after(std::uint64_t seq) const noexcept {
    // Events with a number at or below `seq`: `seq` numbers, less the erased ones.
    auto erased = std::size_t(std::upper_bound(erased_seqs_.begin(), erased_seqs_.end(), seq) - erased_seqs_.begin());
    return std::size_t(std::min<std::uint64_t>(seq - erased, journal_.size()));
}

inline portfolio portfolio::empty_copy() const {
    portfolio q;
    for (const auto &m : models_) q.add_model(m);
    q.predicates_ = predicates_;
    q.zone_ = zone_;
    q.strict_time_order_ = strict_time_order_;
    return q;
}

} // namespace clm
