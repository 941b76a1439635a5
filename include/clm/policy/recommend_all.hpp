/// @file policy/recommend_all.hpp
/// A whole portfolio evaluated: every customer's facts collected and the
/// compiled policy evaluated on all cores, the recommendations ranked.
/// Defined in policy/recommend_all-inl.hpp: compiled once in
/// src/core/policy.cpp, or included here when CLM_HEADER_ONLY is defined.
#pragma once

#include <clm/build_mode.hpp>
#include <clm/policy/compiled_policy.hpp>
#include <clm/policy/ranked_action.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace clm {

/// Options of a portfolio-wide evaluation.
struct recommend_options {
    std::optional<std::string> manager;   ///< Only this manager's customers.
    std::size_t limit = 0;                ///< At most this many (0: all).
    unsigned threads = 0;                 ///< 0: all cores.
    std::size_t per_customer = 0;         ///< Recommendations per customer (0: the policy's per_customer_limit).
    /// Called from the calling thread with (done, total); return false to cancel.
    std::function<bool(std::size_t, std::size_t)> progress;
};

/// Evaluates the policy for every customer as of `as_of_day`, on all cores,
/// and returns the recommendations ranked: score descending, then customer
/// id, then rule order. Throws cancelled when progress returns false.
/// rank_all() followed by expand() of what it returns.
std::vector<recommendation> recommend_all(const compiled_policy &cp, std::int64_t as_of_day, const recommend_options &opt = {});

/// Evaluates the policy for every customer as of `as_of_day`, on all cores,
/// and returns their actions ranked, in the compact form (32 bytes each, no
/// explanation): the order and content of recommend_all()'s result without
/// its facts. The way to rank millions of customers and explain only the page
/// shown (expand()). Throws cancelled when progress returns false.
std::vector<ranked_action> rank_all(const compiled_policy &cp, std::int64_t as_of_day, const recommend_options &opt = {});

/// The full recommendations (matched facts, value, p_won, account, ...) of
/// ranked actions that rank_all() returned for the same policy, portfolio
/// state, date and `per_customer`, in the same order: each customer is
/// evaluated again. `threads` as in recommend_options (0: all cores). Throws
/// invalid_argument when an action is not what the policy recommends for
/// that customer on that date (the portfolio changed since, or another date).
std::vector<recommendation> expand(const compiled_policy &cp, std::int64_t as_of_day, const std::vector<ranked_action> &ranked,
                                   std::size_t per_customer = 0, unsigned threads = 0);

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/policy/recommend_all-inl.hpp>
#endif
