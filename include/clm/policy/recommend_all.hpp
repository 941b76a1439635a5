/// @file policy/recommend_all.hpp
/// A whole portfolio evaluated: every customer's facts collected and the
/// compiled policy evaluated on all cores, the recommendations ranked.
/// Defined in policy/recommend_all-inl.hpp: compiled once in
/// src/core/policy.cpp, or included here when CLM_HEADER_ONLY is defined.
#pragma once

#include <clm/build_mode.hpp>
#include <clm/policy/compiled_policy.hpp>

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
std::vector<recommendation> recommend_all(const compiled_policy &cp, std::int64_t as_of_day, const recommend_options &opt = {});

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/policy/recommend_all-inl.hpp>
#endif
