/// @file input_limits.hpp
/// How large an input may be (docs/error-handling.md, "Limits"): a file read
/// whole (event logs, saves, models, policies, plans) and a JSON document.
/// Past a limit the input is refused with a message naming the limit, before
/// memory runs out. Each limit is set by an environment variable, read once,
/// or at run time by its setter.
#pragma once

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <string_view>

namespace clm {

namespace detail {
inline std::size_t limit_from_env(const char *name, std::size_t fallback) {
    const char *env = std::getenv(name);
    if (!env) return fallback;
    std::string_view s(env);
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
    return ec == std::errc() && end == s.data() + s.size() && v >= 1 ? v : fallback;
}
inline std::atomic<std::size_t> &file_limit() {
    static std::atomic<std::size_t> v{limit_from_env("CLM_MAX_INPUT_BYTES", std::size_t(1) << 30)};
    return v;
}
inline std::atomic<std::size_t> &json_limit() {
    static std::atomic<std::size_t> v{limit_from_env("CLM_MAX_JSON_BYTES", std::size_t(64) << 20)};
    return v;
}
inline std::atomic<std::size_t> &partial_stays_limit() {
    static std::atomic<std::size_t> v{limit_from_env("CLM_MAX_PARTIAL_STAYS", std::size_t(20'000'000))};
    return v;
}
} // namespace detail

/// The largest file read_file() reads, in bytes: 1 GiB, or CLM_MAX_INPUT_BYTES.
inline std::size_t max_input_bytes() noexcept { return detail::file_limit().load(std::memory_order_relaxed); }
/// Sets the largest file read_file() reads, in bytes (at least 1).
inline void set_max_input_bytes(std::size_t bytes) noexcept { detail::file_limit().store(bytes < 1 ? 1 : bytes, std::memory_order_relaxed); }

/// The largest JSON document (model, policy, plan) parsed, in bytes: 64 MiB,
/// or CLM_MAX_JSON_BYTES. Parsing takes up to about 30 times its size in memory.
inline std::size_t max_json_bytes() noexcept { return detail::json_limit().load(std::memory_order_relaxed); }
/// Sets the largest JSON document parsed, in bytes (at least 1).
inline void set_max_json_bytes(std::size_t bytes) noexcept { detail::json_limit().store(bytes < 1 ? 1 : bytes, std::memory_order_relaxed); }

/// The most stays a forecast-fit partial may count in all, 20,000,000 or
/// CLM_MAX_PARTIAL_STAYS. A partial holds counts, but fitting the forecast
/// from it takes about 60 bytes per stay counted, so a few bytes of JSON
/// could otherwise ask for any amount of memory.
inline std::size_t max_partial_stays() noexcept { return detail::partial_stays_limit().load(std::memory_order_relaxed); }
/// Sets the most stays a forecast-fit partial may count (at least 1).
inline void set_max_partial_stays(std::size_t stays) noexcept {
    detail::partial_stays_limit().store(stays < 1 ? 1 : stays, std::memory_order_relaxed);
}

} // namespace clm
