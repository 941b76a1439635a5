/// @file portfolio/undo.hpp
/// Rolling a change back exactly (portfolio::undo): what a change touched is
/// saved in one log that nested changes (a batch and its events) share, so
/// that a change allocates nothing once the log has grown. Included by
/// portfolio.hpp.
#pragma once

#include <clm/portfolio.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace clm {

/// @cond CLM_PRIVATE
// Records what a change touched so that it can be rolled back exactly.
// Saved states go to one log that nested changes (a batch and its events)
// share, so that a change allocates nothing once the log has grown.
class portfolio::undo {
public:
    // A change, nested in `outer` when given. A nested change that applies
    // several events and may be rolled back on its own (a trial order of
    // same-time rows) passes `save_all`, so that it saves every customer it
    // touches, not only those the outermost change has not touched yet.
    explicit undo(portfolio &p, const undo *outer = nullptr, bool save_all = false)
        : p_(p), journal_(p.journal_.size()), details_(p.details_.size()), pool_(p.pool_.size()),
          customers_(p.customers_.size()), lookup_(p.customer_of_string_.size()), log_(p.undo_log_.size()),
          relinks_(p.relink_log_.size()), base_(outer ? outer->base_ : journal_), outermost_(outer == nullptr), save_all_(save_all) {}
    undo(const undo &) = delete;
    undo &operator=(const undo &) = delete;
    ~undo() {
        if (!done_) rollback();
    }
    // Saves an existing customer's state and memberships before they first
    // change in the outermost change. A customer's state changes only
    // together with a journal append for them, so a customer whose last
    // event is newer than the outermost change's start is saved already.
    void save(std::uint32_t c) {
        const customer_state &st = p_.customers_[c];
        if (!save_all_ && st.last_event != none32 && st.last_event >= base_) return;
        undo_record r;
        r.customer = c;
        r.state = st;
        if (p_.positions_.empty()) p_.undo_log_.push_back(r);
        for (std::size_t m = 0; m < p_.positions_.size(); ++m) {
            r.model = std::uint16_t(m);
            r.position = p_.positions_[m][c];
            p_.undo_log_.push_back(r);
        }
    }
    void commit() {
        done_ = true;
        if (outermost_) release(); // an inner change's saved states belong to the enclosing one
    }
    // Hands this (nested) transaction's saved states to the enclosing one
    // (they are already in the shared log).
    void commit_into(undo &) { done_ = true; }

private:
    // The outermost change drops the log when it ends (and a big one's memory).
    void release() noexcept {
        if (log_ != 0 || relinks_ != 0) return;
        if (p_.undo_log_.capacity() > 4096) std::vector<undo_record>().swap(p_.undo_log_);
        else p_.undo_log_.clear();
        p_.relink_log_.clear();
    }
    void rollback() noexcept {
        // Newest first, so that a customer changed twice ends in its oldest saved state.
        auto &log = p_.undo_log_;
        for (std::size_t i = log.size(); i > log_; --i) {
            const undo_record &r = log[i - 1];
            p_.customers_[r.customer] = r.state;
            if (r.model != 0xFFFF) p_.positions_[r.model][r.customer] = r.position;
        }
        log.erase(log.begin() + std::ptrdiff_t(log_), log.end());
        // The links late events changed, newest first (before the journal shrinks).
        auto &relinks = p_.relink_log_;
        for (std::size_t i = relinks.size(); i > relinks_; --i) {
            const auto &[e, prev] = relinks[i - 1];
            if (e < p_.journal_.size()) p_.journal_[e].prev = prev;
        }
        relinks.erase(relinks.begin() + std::ptrdiff_t(relinks_), relinks.end());
        for (std::size_t c = customers_; c < p_.customers_.size(); ++c) {
            string_id id = p_.customers_[c].id;
            if (id < p_.customer_of_string_.size()) p_.customer_of_string_[id] = none32;
        }
        p_.journal_.resize(journal_);
        for (std::size_t i = details_; i < p_.detail_event_.size(); ++i) {
            const std::uint32_t e = p_.detail_event_[i];
            p_.has_detail_[e / 64] &= ~(std::uint64_t(1) << (e % 64));
        }
        p_.details_.resize(details_);
        p_.detail_event_.resize(std::min(details_, p_.detail_event_.size()));
        p_.customers_.resize(customers_);
        for (auto &pos : p_.positions_) pos.resize(customers_);
        p_.customer_of_string_.resize(lookup_);
        if (p_.kv_parts_.size() > pool_) p_.kv_parts_.resize(pool_);
        try {
            p_.pool_.truncate(pool_);
        } catch (...) {
            // Truncating the pool does not allocate; nothing to do.
        }
        release();
    }
    portfolio &p_;
    std::size_t journal_, details_, pool_, customers_, lookup_, log_, relinks_;
    std::size_t base_; // the journal's size when the outermost change began
    bool outermost_;
    bool save_all_;
    bool done_ = false;
};
/// @endcond

} // namespace clm
