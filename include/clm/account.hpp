/// @file account.hpp
/// The account a customer belongs to, for the analyses that count accounts
/// rather than deals (repeat purchases, Pareto, lifecycle duration; see
/// docs/analytics.md). Today an account is given by the customer's `account`
/// attribute (an `attribute` event with value `account=NAME`, as
/// scripts/crm_to_events.py writes for the real data); account_of() is the
/// one place that knows it.
#pragma once

#include <clm/stays.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace clm {

/// Customer `customer`'s account as of `as_of` (inclusive): the value of
/// their newest `account=NAME` attribute event at or before `as_of`; 0 (the
/// empty string) when they have none, or when the newest one is `account=`
/// (cleared).
inline string_id account_of(const portfolio &p, std::uint32_t customer, timestamp as_of) {
    const auto key = p.find_text("account");
    if (!key) return 0;
    const auto &journal = p.journal();
    for (std::uint32_t e = p.last_event_of(customer); e != none32; e = journal[e].prev) {
        const journal_event &ev = journal[e];
        if (ev.time > as_of || ev.type != event_type::attribute) continue;
        auto [k, v] = p.key_value(ev.value);
        if (k == *key) return v;
    }
    return 0;
}

/// The units an analysis counts: accounts when any customer has one as of
/// the date, each customer on its own otherwise.
struct unit_map {
    bool by_account = false;           ///< Whether the units are accounts.
    std::vector<std::uint32_t> of;     ///< Unit index of each customer (by customer index).
    std::size_t count = 0;             ///< Number of units.
    std::size_t accounts = 0;          ///< Units that are accounts (the rest are customers without one).

    /// "account" or "customer", as the reports write it.
    const char *name() const { return by_account ? "account" : "customer"; }
};

/// The units of every customer of `p` as of `as_of` (inclusive): when at
/// least one customer has an account (account_of()), one unit per account
/// and one per customer without an account; otherwise one unit per customer.
/// Units are numbered in order of their first customer.
inline unit_map units_of(const portfolio &p, timestamp as_of) {
    unit_map u;
    const std::uint32_t n = std::uint32_t(p.customer_count());
    std::vector<string_id> account(n);
    for (std::uint32_t c = 0; c < n; ++c) {
        account[c] = account_of(p, c, as_of);
        u.by_account = u.by_account || account[c] != 0;
    }
    u.of.resize(n);
    std::unordered_map<string_id, std::uint32_t> index;
    for (std::uint32_t c = 0; c < n; ++c) {
        if (u.by_account && account[c] != 0) {
            auto [it, fresh] = index.try_emplace(account[c], std::uint32_t(u.count));
            if (fresh) ++u.count, ++u.accounts;
            u.of[c] = it->second;
        } else {
            u.of[c] = std::uint32_t(u.count++);
        }
    }
    return u;
}

} // namespace clm
