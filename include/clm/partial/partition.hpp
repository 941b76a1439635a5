/// @file partial/partition.hpp
/// Splitting an event log into parts by customer, for engines that run the
/// analyses in parts and merge them (partial/partials.hpp, docs/distributed.md).
///
/// The partitioning contract: a row belongs to part
/// `fnv1a64(key) mod parts`, where `key` is the UTF-8 text of the
/// customer's account when the customer has one (the value of their newest
/// `account=NAME` attribute row at or before the as-of date, the rule of
/// account.hpp), else the customer id. So every deal of one account lands
/// in one part, which the account-level figures (lifecycle duration to won,
/// Pareto, account advice) need. Each part reads every row and keeps its
/// own, with blank lines in place of the others, so that an error names the
/// file and line the single-process import would.
#pragma once

#include <clm/build_mode.hpp>
#include <clm/dates.hpp>
#include <clm/portfolio.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clm {

/// The FNV-1a 64-bit hash of `key` (offset basis 14695981039346656037,
/// prime 1099511628211): stable across machines, processes and versions.
inline std::uint64_t fnv1a64(std::string_view key) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

/// The part, in [0, parts), of partition key `key`. Throws invalid_argument when parts is 0.
std::uint32_t partition_of(std::string_view key, std::uint32_t parts);

/// The partition key of every customer that has an account as of a date
/// (customers without one are keyed by their id), read from event logs.
class partition_keys {
public:
    /// Keys as of `as_of` (every row on that day counted).
    explicit partition_keys(timestamp as_of) : as_of_(end_of_day(as_of)) {}
    /// Reads the `account=NAME` attribute rows of the event-log CSV `csv`
    /// (named `file` in errors). Rows that are malformed are skipped here:
    /// the import reports them.
    void scan(std::string_view csv, const std::string &file);
    /// The key of customer `customer_id`: their account, else their id.
    std::string_view key_of(std::string_view customer_id) const;

private:
    struct newest {
        timestamp time = 0;
        std::string account; // empty: cleared
    };
    timestamp as_of_;
    std::unordered_map<std::string, newest> accounts_;
};

/// The rows of the event-log CSV `csv` (named `file`) that belong to part
/// `part` of `parts`: the header, those rows, and blank lines in place of the
/// others (line numbers kept). A row too short to name its customer is kept
/// in every part, so that each reports it. Throws input_error (CLM_E_PARSE)
/// for malformed CSV, as the import would.
std::string partition_rows(std::string_view csv, const std::string &file, const partition_keys &keys, std::uint32_t part,
                           std::uint32_t parts);

/// Imports into `p` the rows of the event-log files `files` (read from disk,
/// each within the input limit) that belong to part `part` of `parts` as of
/// `as_of`. All or nothing: on any error `p` is unchanged.
void import_partition(portfolio &p, const std::vector<std::string> &files, timestamp as_of, std::uint32_t part,
                      std::uint32_t parts);

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/partial/partition-inl.hpp>
#endif
