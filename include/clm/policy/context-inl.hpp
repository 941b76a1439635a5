/// @file policy/context-inl.hpp
/// The figures of a date a compiled policy evaluates against
/// (compiled_policy::context()): the per-deal forecast when the policy or the
/// caller needs it, and which deal carries each account's action; the facts
/// of a customer with them (collect()); and a customer's actions with the
/// rules merged into each (actions()), for explanations.
#pragma once

#include <clm/policy/compiled_policy.hpp>
#include <clm/policy/parallel_for.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <tuple>

namespace clm {

CLM_INLINE std::shared_ptr<const policy_context> compiled_policy::context(std::int64_t as_of_day, bool with_odds, unsigned threads) const {
    std::lock_guard<std::mutex> lock(context_mutex_);
    const bool want_odds = with_odds || needs_odds_;
    if (context_ && context_->as_of_day == as_of_day && (context_->odds || !want_odds)) return context_;
    auto ctx = std::make_shared<policy_context>();
    ctx->as_of_day = as_of_day;
    if (context_ && context_->as_of_day == as_of_day) *ctx = *context_; // only the forecast is missing
    if (want_odds && !ctx->odds) ctx->odds = std::make_shared<const deal_odds>(compute_deal_odds(p_, as_of_day, fits_.empty() ? nullptr : &fits_));
    if (account_rules_ && !ctx->carriers_known) find_carriers(*ctx, threads);
    context_ = ctx;
    return context_;
}

CLM_INLINE void compiled_policy::find_carriers(policy_context &ctx, unsigned threads) const {
    // Every deal of an account bids its best firing of each account action
    // (identity); the best bid carries it: highest score, then the smallest
    // customer id (by text, so that the order of the input does not matter).
    struct bid {
        std::uint64_t key;
        double score;
        std::uint32_t customer;
    };
    const std::size_t n = p_.customer_count();
    threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<std::size_t>(threads, std::max<std::size_t>(1, n / 4096 + 1)));
    std::vector<std::vector<bid>> parts(threads);
    std::vector<std::exception_ptr> errors(threads);
    std::atomic<bool> stop{false};
    auto work = [&](unsigned t) {
        try {
            customer_facts f;
            std::vector<recommendation> fired;
            for (std::size_t c = t; c < n && !stop.load(std::memory_order_relaxed); c += threads) {
                collect_facts(p_, std::uint32_t(c), ctx.as_of_day, f);
                if (f.account == 0) continue;
                complete(f, &ctx); // carriers not known yet: nothing is left out
                fired.clear();
                fire(f, fired, true);
                for (std::size_t i = 0; i < fired.size(); ++i) {
                    const std::uint16_t id = identity(fired[i]);
                    bool seen = false;
                    for (std::size_t k = 0; k < i && !seen; ++k) seen = identity(fired[k]) == id;
                    if (!seen) parts[t].push_back({(std::uint64_t(f.account) << 16) | id, fired[i].score, std::uint32_t(c)});
                }
            }
        } catch (...) {
            errors[t] = std::current_exception();
            stop = true;
        }
    };
    detail::parallel_for(threads, stop, work);
    for (auto &e : errors)
        if (e) std::rethrow_exception(e);
    std::vector<bid> all;
    for (auto &part : parts) all.insert(all.end(), part.begin(), part.end());
    std::sort(all.begin(), all.end(), [&](const bid &a, const bid &b) {
        if (a.key != b.key) return a.key < b.key;
        if (a.score != b.score) return a.score > b.score;
        return p_.customer_id(a.customer) < p_.customer_id(b.customer);
    });
    ctx.carriers.clear();
    for (std::size_t i = 0; i < all.size(); ++i)
        if (i == 0 || all[i].key != all[i - 1].key) ctx.carriers.emplace_back(all[i].key, all[i].customer);
    ctx.carriers_known = true;
}

CLM_INLINE void compiled_policy::collect(std::uint32_t c, std::int64_t as_of_day, customer_facts &f, bool with_odds) const {
    auto ctx = context(as_of_day, with_odds);
    collect_facts(p_, c, as_of_day, f);
    complete(f, ctx.get()); // the context is kept alive by context_ until the next date is asked
}

CLM_INLINE std::vector<compiled_policy::action_group> compiled_policy::actions(const customer_facts &f) const {
    std::vector<recommendation> fired;
    fire(f, fired, false);
    std::vector<action_group> out;
    for (const recommendation &r : fired) {
        auto it = std::find_if(out.begin(), out.end(), [&](const action_group &g) { return identity(g.primary) == identity(r); });
        if (it == out.end()) out.push_back({r, {}});
        else it->merged.push_back(r);
    }
    return out;
}

} // namespace clm
