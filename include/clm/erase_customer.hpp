/// @file erase_customer.hpp
/// Erasing a customer for a data-protection request: the customer, every
/// event of theirs and the text only they used leave the portfolio, and so
/// the next save. See docs/embedding.md.
#pragma once

#include <clm/event_log.hpp>
#include <clm/portfolio.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace clm {

/// Removes customer `id` with its history and interned text. The portfolio
/// is rebuilt from its journal without the customer's events (replayed as a
/// load replays a save: transitions checked, guards not), so the cost is that
/// of a load, O(journal). The sequence numbers of the other events stay the
/// same (the erased ones are never handed out again). All-or-nothing: throws
/// not_found for an unknown customer, and on any error changes nothing.
inline void erase_customer(portfolio &p, std::string_view id) {
    const std::uint32_t c = p.customer_index(id);
    // The journal as event-log rows: the same path as a save, so every field
    // an event can carry comes back.
    std::vector<event_input> events = parse_event_log(export_event_log(p), "journal");
    const auto &journal = p.journal();
    std::vector<event_input> kept;
    kept.reserve(events.size());
    std::vector<std::uint64_t> erased;
    const auto &old = p.erased_seqs();
    std::size_t next_gap = 0;
    std::uint64_t seq = 0;
    for (std::size_t i = 0; i < journal.size(); ++i) {
        // The numbers in apply order, stepping over those erased before.
        for (++seq; next_gap < old.size() && old[next_gap] == seq; ++next_gap) ++seq;
        if (journal[i].customer == c) erased.push_back(seq);
        else kept.push_back(std::move(events[i]));
    }
    std::vector<std::uint64_t> all(old.size() + erased.size());
    std::merge(old.begin(), old.end(), erased.begin(), erased.end(), all.begin());
    portfolio q = p.empty_copy();
    q.reserve(p.customer_count(), kept.size());
    q.set_replaying(true);
    q.apply_batch(kept, false);
    q.set_replaying(false);
    q.set_erased_seqs(std::move(all));
    p = std::move(q); // nothing below the rebuild can fail
}

} // namespace clm
