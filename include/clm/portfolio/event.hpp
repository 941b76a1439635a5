/// @file portfolio/event.hpp
/// One event as a caller gives it, one definition (basic_event) for both the
/// event that owns its text (event_input) and the one that views it (event_view).
#pragma once

#include <clm/journal.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clm {

/// One event, as a caller gives it: one definition for the event that owns
/// its text (event_input: an event-log CSV row, or the C ABI's clm_event
/// copied) and the event that views text it does not own (event_view: a row
/// of a buffer being imported, what apply() reads; the text must outlive the
/// call). `Text` is std::string or std::string_view.
template <class Text>
struct basic_event {
    Text customer_id;              ///< Required.
    timestamp time = 0;            ///< Required.
    event_type type = event_type::stage; ///< Required.
    Text value;                    ///< Required for most types (stage id, outcome, kind, ...).
    Text model;                    ///< Model id; needed for stage/event when the portfolio has several.
    channel via = channel::none;   ///< Contact channel.
    Text manager;                  ///< Manager.
    std::optional<double> amount;  ///< Purchase amount.
    Text reason;                   ///< Reason (loss, dissolution).
    std::optional<timestamp> due;  ///< Due / expiry date.
    Text note;                     ///< Free note; for next_step, the product.
    /// True when the caller has already checked that every text field is valid
    /// UTF-8 (the event-log parser does): apply() skips its own check.
    bool text_checked = false;
    /// Optional: a memo of this customer's index shared by events of the same
    /// customer id in the same portfolio, none32 until known. apply() reads
    /// it instead of looking the id up, and fills it once the event is
    /// applied. The event-log import uses it for runs of rows of one customer,
    /// whose later rows then cost no hash lookup when applied in time order.
    std::uint32_t *customer_memo = nullptr;
    /// The account (the company) the customer belongs to from this event on,
    /// "" to leave it as it is. When it differs from the customer's current
    /// account, apply() journals an `attribute` event `account=NAME` at the
    /// event's time just before the event (docs/event-log.md, column `account`).
    Text account;

    /// A view of `e` (valid while `e` is unchanged).
    static basic_event<std::string_view> of(const basic_event<std::string> &e) noexcept {
        return {e.customer_id, e.time, e.type, e.value, e.model, e.via, e.manager,
                e.amount, e.reason, e.due, e.note, e.text_checked, e.customer_memo, e.account};
    }
};

/// An event that owns its text.
using event_input = basic_event<std::string>;
/// An event that views its text: what portfolio::apply() reads.
using event_view = basic_event<std::string_view>;

} // namespace clm
