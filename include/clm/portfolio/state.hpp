/// @file portfolio/state.hpp
/// What a portfolio knows of a customer: the compact state it keeps
/// (customer_state, a membership per model) and what it answers by folding
/// the customer's events (customer_snapshot); what a guard predicate sees.
#pragma once

#include <clm/journal.hpp>
#include <clm/model.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace clm {

/// What a guard predicate sees.
struct guard_context {
    std::string_view customer_id; ///< The customer moving.
    const model *lifecycle;        ///< The model.
    stage_index from;              ///< Current stage.
    stage_index to;                ///< Target stage.
    timestamp time;                ///< When the move happens.
};

/// A host predicate for `predicate` guards: true lets the move happen.
using guard_predicate = std::function<bool(const guard_context &)>;

/// A customer's position in one model. 16 bytes.
struct membership {
    timestamp entered = 0;         ///< When the current stage was entered.
    stage_index stage = no_stage;  ///< Current stage, or no_stage when not in the model.
    std::uint16_t moves = 0;       ///< Stage changes so far (saturating).
    std::uint32_t first_event = none32; ///< The event that placed the customer in the model.
};
static_assert(sizeof(membership) == 16, "membership is 16 bytes");

/// A customer's always-present state. 24 bytes.
struct customer_state {
    string_id id = 0;              ///< The customer id, interned.
    std::uint32_t last_event = none32; ///< Head of the customer's event chain.
    timestamp last_time = 0;       ///< Time of the last event (events arrive in time order).
    /// The account (company) the customer belongs to: the value of its newest
    /// `account=NAME` attribute event (0: none). Kept here so that a row's
    /// `account` column costs one comparison, not a walk of the history.
    string_id account = 0;
    std::uint32_t reserved = 0;    ///< Padding, always 0.
};
static_assert(sizeof(customer_state) == 24, "customer_state is 24 bytes");

/// A control point (document) sent and not yet done.
struct open_control_point {
    std::string kind;              ///< Document kind, e.g. "proposal".
    timestamp sent = 0;            ///< When it was sent.
    std::optional<timestamp> due;  ///< Its due or expiry date.
};

/// The next step planned for a customer.
struct next_step_info {
    timestamp planned = 0;         ///< When it was planned.
    std::optional<timestamp> due;  ///< Its date.
    std::string goal;              ///< Its goal.
    std::string product;           ///< The product to offer.
};

/// A purchase.
struct purchase_info {
    timestamp time = 0;            ///< When.
    std::string product;           ///< What.
    double amount = 0;             ///< For how much.
};

/// A stage entry in a customer's history.
struct stage_entry {
    std::size_t model_slot = 0;    ///< Which model.
    stage_index stage = no_stage;  ///< The stage entered.
    timestamp time = 0;            ///< When.
    std::string reason;            ///< Why, when given.
};

/// Everything known about a customer as of a date: a fold of their events.
struct customer_snapshot {
    std::string id;                                        ///< Customer id.
    std::string manager;                                   ///< Current manager ("" if none).
    std::string customer_class;                            ///< Class (A/B/C, D/E/F, ...).
    std::set<std::string> tags;                            ///< Static and dynamic tags.
    std::map<std::string, std::string> attributes;         ///< key = value attributes.
    std::map<std::string, double> scores;                  ///< Scores (expectation, satisfaction...).
    std::optional<channel> preferred_channel;              ///< From the attribute preferred_channel.
    std::optional<timestamp> last_contact;                 ///< Last contact, any channel.
    std::array<std::optional<timestamp>, channel_count> last_contact_by_channel{}; ///< Per channel.
    std::size_t contacts = 0;                              ///< Number of contacts.
    std::vector<open_control_point> open_control_points;   ///< Sent, not done.
    std::optional<next_step_info> next_step;               ///< The latest next step.
    std::vector<purchase_info> purchases;                  ///< Every purchase.
    std::set<std::string> items;                           ///< Checklist items and documents recorded.
    std::vector<stage_entry> stages;                       ///< Stage history, all models.
    std::vector<membership> positions;                     ///< Per model slot, as of the date.
};

} // namespace clm
