/// @file event_columns.hpp
/// Which event-log columns have an effect on a row of each type
/// (docs/event-log.md): a value in any other column is kept in the journal
/// but nothing reads it, so an import reports it as a warning rather than
/// dropping it silently.
#pragma once

#include <clm/journal.hpp>

#include <cstddef>

namespace clm {

/// Whether column `k` (in event_log_columns() order) has an effect on a row of
/// type `t`. customer_id, timestamp, type, value, manager (who made the contact,
/// sale or move) and note (free text on any row) always do.
inline bool event_column_used(event_type t, std::size_t k) noexcept {
    const bool move = t == event_type::stage || t == event_type::event;
    switch (k) {
    case 4: return move;                                                   // model
    case 5: return t == event_type::contact;                               // channel
    case 7: return t == event_type::purchase || move;                      // amount: a sale, or a deal's value on a move
    case 8: return move;                                                   // reason: of a loss or dissolution
    case 9: return t == event_type::document || t == event_type::next_step || move; // due (on a move: e.g. the retry date of a refusal)
    default: return true;
    }
}

} // namespace clm
