/// @file policy/top_k.hpp
/// Ranking the actions of a portfolio-wide evaluation (rank_all()): score
/// descending, then customer id, then rule order. Each worker keeps its part
/// as 32-byte ranked actions (policy/ranked_action.hpp) in a top_k, which with
/// a limit drops at once what cannot be among the best `limit` and prunes
/// itself as it grows; the ranked parts are then merged. Internal.
#pragma once

#include <clm/policy/ranked_action.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace clm::detail {

/// One part of a portfolio-wide evaluation: the ranked actions one worker
/// made. With a limit, only what can still be among the best `limit` is kept;
/// rank() orders the part for merge_ranked().
class top_k {
public:
    /// A part of an evaluation of `p` keeping the best `limit` (0: all).
    top_k(const portfolio &p, std::size_t limit)
        : before_{&p}, limit_(limit), keep_(limit && limit < (std::size_t(1) << 40) ? 2 * limit + 64 : 0) {}

    /// The actions of this part, in the order admitted (ranked after rank()).
    std::vector<ranked_action> &items() noexcept { return out_; }
    /// The actions of this part.
    const std::vector<ranked_action> &items() const noexcept { return out_; }
    /// With a limit, the size at which the part is pruned to its best `limit` (0: never).
    std::size_t keep() const noexcept { return keep_; }

    /// Takes in one action. With a limit, an action that ranks below one
    /// already left out (the bar) is dropped at once: it cannot be among the
    /// best `limit`.
    void admit(const ranked_action &a) {
        if (have_bar_ && !before_(a, bar_)) return;
        out_.push_back(a);
        if (keep_ && out_.size() >= keep_) prune();
    }

    /// Ranks this part (each worker its own, in parallel): its best `limit`
    /// (all without a limit) in ranking order.
    void rank() {
        if (limit_ && limit_ < out_.size()) {
            std::partial_sort(out_.begin(), out_.begin() + std::ptrdiff_t(limit_), out_.end(), before_);
            out_.resize(limit_);
        } else {
            std::sort(out_.begin(), out_.end(), before_);
        }
    }

private:
    // Only the best `limit` of a part can be among the best `limit` of all: keep those.
    void prune() {
        std::nth_element(out_.begin(), out_.begin() + std::ptrdiff_t(limit_), out_.end(), before_);
        bar_ = out_[limit_]; // the best one left out
        have_bar_ = true;
        out_.resize(limit_);
    }

    rank_before before_;
    std::size_t limit_, keep_;
    std::vector<ranked_action> out_;
    ranked_action bar_{};
    bool have_bar_ = false;
};

/// The ranked parts merged into one ranking: the best `limit` (all when 0).
/// Consumes the parts.
inline std::vector<ranked_action> merge_ranked(std::vector<top_k> &parts, std::size_t limit, const rank_before &before) {
    std::vector<std::vector<ranked_action>> runs;
    runs.reserve(parts.size());
    for (auto &part : parts) runs.push_back(std::move(part.items()));
    // Pairwise, so that each action moves about log2(parts) times.
    while (runs.size() > 1) {
        std::vector<std::vector<ranked_action>> merged;
        for (std::size_t i = 0; i + 1 < runs.size(); i += 2) {
            std::vector<ranked_action> m;
            m.reserve(runs[i].size() + runs[i + 1].size());
            std::merge(runs[i].begin(), runs[i].end(), runs[i + 1].begin(), runs[i + 1].end(), std::back_inserter(m), before);
            std::vector<ranked_action>().swap(runs[i]);
            std::vector<ranked_action>().swap(runs[i + 1]);
            merged.push_back(std::move(m));
        }
        if (runs.size() % 2) merged.push_back(std::move(runs.back()));
        runs.swap(merged);
    }
    std::vector<ranked_action> all = runs.empty() ? std::vector<ranked_action>() : std::move(runs.front());
    if (limit && all.size() > limit) all.resize(limit);
    return all;
}

} // namespace clm::detail
