/// @file policy/recommend_all-inl.hpp
/// The definitions of rank_all(), expand() and recommend_all()
/// (policy/recommend_all.hpp): customers dealt to the workers in chunks
/// (policy/parallel_for.hpp), each worker ranking its part as 32-byte ranked
/// actions (policy/top_k.hpp), progress reported from the calling thread,
/// the parts merged; then the full recommendations rebuilt for what is
/// returned only.
#pragma once

#include <clm/policy/parallel_for.hpp>
#include <clm/policy/recommend_all.hpp>
#include <clm/policy/top_k.hpp>

#include <algorithm>
#include <string>
#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

namespace clm {

CLM_INLINE std::vector<ranked_action> rank_all(const compiled_policy &cp, std::int64_t as_of_day, const recommend_options &opt) {
    const portfolio &p = cp.target();
    const std::size_t n = p.customer_count();
    std::optional<string_id> manager_id;
    if (opt.manager) {
        manager_id = p.find_text(*opt.manager);
        if (!manager_id) return {};
    }
    unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    // The date's figures first (the forecast, each account's carrier), on the same threads.
    const std::shared_ptr<const policy_context> ctx = cp.context(as_of_day, false, threads);
    threads = unsigned(std::min<std::size_t>(threads, std::max<std::size_t>(1, n / 256 + 1)));
    std::vector<detail::top_k> parts;
    parts.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) parts.emplace_back(p, opt.limit);
    std::atomic<std::size_t> done{0};
    std::atomic<bool> stop{false};
    std::vector<std::exception_ptr> errors(threads);
    auto work = [&](unsigned t) {
        try {
            customer_facts f;
            std::vector<recommendation> one; // one customer's, reused: no allocation once warm
            detail::top_k &part = parts[t];
            const std::size_t chunk = 1024;
            bool sized = false;
            for (std::size_t c = std::size_t(t) * chunk; c < n; c += std::size_t(threads) * chunk) {
                for (std::size_t i = c; i < std::min(n, c + chunk); ++i) {
                    collect_facts(p, std::uint32_t(i), as_of_day, f);
                    if (manager_id && f.manager != *manager_id) continue;
                    cp.complete(f, ctx.get());
                    one.clear();
                    cp.evaluate(f, one, opt.per_customer);
                    if (one.empty()) continue;
                    const std::uint64_t prefix = detail::id_prefix(p.customer_id(std::uint32_t(i)));
                    for (const recommendation &r : one) part.admit(detail::rank_of(r, prefix));
                }
                if (!sized) {
                    // Room for this part's share at the first chunk's yield, so that the part rarely regrows.
                    sized = true;
                    const std::size_t seen = std::min(n, c + chunk) - c, mine = n / threads + chunk;
                    const std::size_t want = std::size_t(double(part.items().size()) / double(seen) * double(mine) * 1.1) + 16;
                    part.items().reserve(part.keep() ? std::min(want, part.keep() + 64) : want);
                }
                done += std::min(n, c + chunk) - c;
                // Stopped: give up, unless this part is complete (then rank it: the result may stand).
                if (stop.load(std::memory_order_relaxed) && c + std::size_t(threads) * chunk < n) return;
            }
            part.rank();
        } catch (...) {
            errors[t] = std::current_exception();
            stop = true;
        }
    };
    // A first report before any work, so that a caller can cancel deterministically.
    if (opt.progress && !opt.progress(0, n)) throw cancelled();
    std::function<void()> watch;
    if (opt.progress)
        watch = [&] {
            while (done.load() < n && !stop.load()) {
                if (!opt.progress(done.load(), n)) {
                    stop = true;
                    break;
                }
                // A report every 20 ms, but the end is noticed within 1 ms.
                for (int i = 0; i < 20 && done.load() < n && !stop.load(); ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        };
    detail::parallel_for(threads, stop, work, watch);
    if (opt.progress && !stop.load()) opt.progress(n, n);
    for (auto &e : errors)
        if (e) std::rethrow_exception(e);
    if (stop.load() && done.load() < n) throw cancelled();
    return detail::merge_ranked(parts, opt.limit, detail::rank_before{&p});
}

CLM_INLINE std::vector<recommendation> expand(const compiled_policy &cp, std::int64_t as_of_day, const std::vector<ranked_action> &ranked,
                                              std::size_t per_customer, unsigned threads) {
    const portfolio &p = cp.target();
    std::vector<recommendation> out(ranked.size());
    if (ranked.empty()) return out;
    threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<std::size_t>(threads, ranked.size() / 256 + 1));
    const std::shared_ptr<const policy_context> ctx = cp.context(as_of_day, false, threads);
    std::atomic<bool> stop{false};
    std::vector<std::exception_ptr> errors(threads);
    auto work = [&](unsigned t) {
        try {
            customer_facts f;
            std::vector<recommendation> one;
            const std::size_t chunk = 256;
            for (std::size_t c = std::size_t(t) * chunk; c < ranked.size(); c += std::size_t(threads) * chunk) {
                for (std::size_t i = c; i < std::min(ranked.size(), c + chunk); ++i) {
                    const ranked_action &a = ranked[i];
                    if (a.customer >= p.customer_count()) throw invalid_argument("expand: ranked action " + std::to_string(i) + " names no customer");
                    collect_facts(p, a.customer, as_of_day, f);
                    cp.complete(f, ctx.get());
                    one.clear();
                    cp.evaluate(f, one, per_customer);
                    auto it = std::find_if(one.begin(), one.end(), [&](const recommendation &r) { return r.rule == a.rule; });
                    if (it == one.end() || it->score != a.score)
                        throw invalid_argument("expand: ranked action " + std::to_string(i) + " (customer '" + p.customer_id(a.customer) +
                                               "') is not what the policy recommends on that date: rank again");
                    out[i] = *it;
                }
                if (stop.load(std::memory_order_relaxed)) return;
            }
        } catch (...) {
            errors[t] = std::current_exception();
            stop = true;
        }
    };
    detail::parallel_for(threads, stop, work, std::function<void()>());
    for (auto &e : errors)
        if (e) std::rethrow_exception(e);
    return out;
}

CLM_INLINE std::vector<recommendation> recommend_all(const compiled_policy &cp, std::int64_t as_of_day, const recommend_options &opt) {
    const std::vector<ranked_action> ranked = rank_all(cp, as_of_day, opt);
    return expand(cp, as_of_day, ranked, opt.per_customer, opt.threads);
}

} // namespace clm
