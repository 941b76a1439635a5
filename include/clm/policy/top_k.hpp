/// @file policy/top_k.hpp
/// Ranking recommendations (recommend_all()): score descending, then customer
/// id, then rule order. Each worker keeps its part in a top_k, which with a
/// limit drops at once what cannot be among the best `limit` and prunes
/// itself as it grows; the ranked parts are then merged pairwise. Internal.
#pragma once

#include <clm/policy/recommendation.hpp>
#include <clm/portfolio.hpp>

#include <gsl/util>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace clm::detail {

/// A recommendation's place in the ranking: score, customer id (its first 8
/// bytes as a big-endian number settle most comparisons without the strings),
/// rule; and where the recommendation is (part, position).
struct rank_key {
    double score;
    std::uint64_t prefix;
    std::uint32_t customer;
    std::uint32_t pos;
    std::uint32_t part;
    std::uint16_t rule;
};

/// The first 8 bytes of `s`, big-endian, zero-padded: ordered like the strings
/// whenever two prefixes differ.
inline std::uint64_t id_prefix(const std::string &s) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
    return v;
}

/// The ranking: score descending, then customer id, then rule order (a total order).
struct rank_before {
    const portfolio *p; ///< Whose customer ids settle ties.
    /// Whether `a` ranks before `b`.
    bool operator()(const rank_key &a, const rank_key &b) const {
        if (a.score != b.score) return a.score > b.score;
        if (a.customer != b.customer)
            return a.prefix != b.prefix ? a.prefix < b.prefix : p->customer_id(a.customer) < p->customer_id(b.customer);
        return a.rule < b.rule;
    }
};

/// One part of a portfolio-wide evaluation: the recommendations one worker
/// made, and their rank keys. With a limit, only what can still be among the
/// best `limit` is kept; rank() orders the keys for merge_ranked().
class top_k {
public:
    /// Part number `part` of an evaluation of `p` keeping the best `limit` (0: all).
    top_k(const portfolio &p, unsigned part, std::size_t limit)
        : p_(&p), before_{&p}, part_(part), limit_(limit),
          keep_(limit && limit < std::numeric_limits<std::uint32_t>::max() / 4 ? 2 * limit + 64 : 0) {}

    /// The recommendations of this part: compiled_policy::evaluate() appends here.
    std::vector<recommendation> &items() noexcept { return out_; }
    /// The recommendations of this part.
    const std::vector<recommendation> &items() const noexcept { return out_; }
    /// The rank keys, ranked after rank().
    std::vector<rank_key> &keys() noexcept { return keys_; }
    /// With a limit, the size at which the part is pruned to its best `limit` (0: never).
    std::size_t keep() const noexcept { return keep_; }

    /// Takes in the recommendations appended to items() from position `from`
    /// (one customer's). With a limit: keys kept in step with items(), and a
    /// recommendation that ranks below one already left out (the bar) is
    /// dropped at once: it cannot be among the best `limit`.
    void admit(std::size_t from) {
        if (!keep_) return;
        std::size_t w = from;
        std::uint64_t prefix = 0;
        bool have_prefix = false;
        for (std::size_t r = from; r < out_.size(); ++r) {
            const recommendation rec = out_[r];
            if (have_bar_ && rec.score < bar_.score) continue;
            if (!have_prefix) {
                prefix = id_prefix(p_->customer_id(rec.customer));
                have_prefix = true;
            }
            const rank_key key{rec.score, prefix, rec.customer, gsl::narrow_cast<std::uint32_t>(w), part_, rec.rule};
            if (have_bar_ && !before_(key, bar_)) continue;
            out_[w++] = rec;
            keys_.push_back(key);
        }
        out_.resize(w);
        if (out_.size() >= keep_) prune();
    }

    /// Ranks this part (each worker its own, in parallel): its best `limit`
    /// (all without a limit) in ranking order.
    void rank() {
        if (!keep_) keys_of_items();
        if (limit_ && limit_ < keys_.size()) {
            std::partial_sort(keys_.begin(), keys_.begin() + std::ptrdiff_t(limit_), keys_.end(), before_);
            keys_.resize(limit_);
        } else {
            std::sort(keys_.begin(), keys_.end(), before_);
        }
    }

private:
    // Only the best `limit` of a part can be among the best `limit` of all: keep those.
    void prune() {
        std::nth_element(keys_.begin(), keys_.begin() + std::ptrdiff_t(limit_), keys_.end(), before_);
        bar_ = keys_[limit_]; // the best one left out
        have_bar_ = true;
        keys_.resize(limit_);
        std::sort(keys_.begin(), keys_.end(), [](const rank_key &a, const rank_key &b) { return a.pos < b.pos; });
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            out_[i] = out_[keys_[i].pos];
            keys_[i].pos = gsl::narrow_cast<std::uint32_t>(i);
        }
        out_.resize(keys_.size());
    }

    // The rank keys of all the part's recommendations, in part order.
    void keys_of_items() {
        if (out_.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("recommend_all: too many recommendations");
        keys_.clear();
        keys_.reserve(out_.size());
        std::uint32_t last = none32;
        std::uint64_t prefix = 0;
        for (std::size_t i = 0; i < out_.size(); ++i) {
            const recommendation &r = out_[i];
            if (r.customer != last) {
                last = r.customer;
                prefix = id_prefix(p_->customer_id(r.customer));
            }
            keys_.push_back({r.score, prefix, r.customer, gsl::narrow_cast<std::uint32_t>(i), part_, r.rule});
        }
    }

    const portfolio *p_;
    rank_before before_;
    std::uint32_t part_;
    std::size_t limit_, keep_;
    std::vector<recommendation> out_;
    std::vector<rank_key> keys_;
    rank_key bar_{};
    bool have_bar_ = false;
};

/// The ranked parts merged pairwise, then the recommendations gathered in
/// ranking order: the best `limit` (all when 0). Consumes the parts' keys.
inline std::vector<recommendation> merge_ranked(std::vector<top_k> &parts, std::size_t limit, const rank_before &before) {
    std::vector<std::vector<rank_key>> keys;
    keys.reserve(parts.size());
    for (auto &part : parts) keys.push_back(std::move(part.keys()));
    while (keys.size() > 1) {
        std::vector<std::vector<rank_key>> merged;
        for (std::size_t i = 0; i + 1 < keys.size(); i += 2) {
            std::vector<rank_key> m(keys[i].size() + keys[i + 1].size());
            std::merge(keys[i].begin(), keys[i].end(), keys[i + 1].begin(), keys[i + 1].end(), m.begin(), before);
            std::vector<rank_key>().swap(keys[i]);
            std::vector<rank_key>().swap(keys[i + 1]);
            merged.push_back(std::move(m));
        }
        if (keys.size() % 2) merged.push_back(std::move(keys.back()));
        keys.swap(merged);
    }
    const auto &order = keys.front();
    const std::size_t count = limit ? std::min(limit, order.size()) : order.size();
    std::vector<recommendation> all;
    all.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        if (i + 16 < count) { // the reads are scattered: ask for the one 16 ahead now
            const char *ahead = reinterpret_cast<const char *>(&parts[order[i + 16].part].items()[order[i + 16].pos]);
            for (std::size_t b = 0; b < sizeof(recommendation); b += 64) __builtin_prefetch(ahead + b);
        }
        all.push_back(parts[order[i].part].items()[order[i].pos]);
    }
    return all;
}

} // namespace clm::detail
