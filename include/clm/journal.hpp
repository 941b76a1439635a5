/// @file journal.hpp
/// The event journal: every fact about every customer, in the order it was
/// applied. Portfolio state is a fold of it. Events are fixed-size records
/// (32 bytes) whose strings are interned in a pool; the rarer fields
/// (amount, reason, due date, note) live in a side table.
#pragma once

#include <clm/dates.hpp>

#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clm {

/// Index of an interned string; 0 is the empty string.
using string_id = std::uint32_t;
/// "None" for 32-bit indexes (events, customers, details).
inline constexpr std::uint32_t none32 = std::numeric_limits<std::uint32_t>::max();

/// Interns strings so that events hold 4-byte ids and compare by integer.
class string_pool {
public:
    string_pool() { strings_.emplace_back(); ids_.emplace(std::string(), 0); }
    /// The id of `s`, adding it when new.
    string_id intern(std::string_view s) {
        auto it = ids_.find(std::string(s));
        if (it != ids_.end()) return it->second;
        string_id id = string_id(strings_.size());
        strings_.emplace_back(s);
        try {
            ids_.emplace(strings_.back(), id);
        } catch (...) {
            strings_.pop_back();
            throw;
        }
        return id;
    }
    /// The id of `s` if interned.
    std::optional<string_id> find(std::string_view s) const {
        auto it = ids_.find(std::string(s));
        if (it == ids_.end()) return std::nullopt;
        return it->second;
    }
    /// The string of an id (unchecked).
    const std::string &at(string_id id) const noexcept { return strings_[id]; }
    /// Number of strings.
    std::size_t size() const noexcept { return strings_.size(); }
    /// Drops strings added after the pool had `n` strings (transaction rollback).
    void truncate(std::size_t n) {
        while (strings_.size() > n) {
            ids_.erase(strings_.back());
            strings_.pop_back();
        }
    }

private:
    std::deque<std::string> strings_; // a deque: growing never moves a string, so c_str() pointers stay valid
    std::unordered_map<std::string, string_id> ids_;
};

/// What an event records. The names are the event-log CSV `type` values.
enum class event_type : std::uint8_t {
    stage = 0,         ///< Entered a stage (value: stage id; reason optional).
    contact = 1,       ///< A contact (value: outcome; channel, manager).
    document = 2,      ///< A document / control point sent (value: kind; due: expiry or due date).
    document_done = 3, ///< A control point completed (value: kind).
    purchase = 4,      ///< A purchase (value: product; amount).
    next_step = 5,     ///< The next step planned (value: goal; due: its date; note: product).
    attribute = 6,     ///< An attribute set (value: key=value).
    tag = 7,           ///< A tag added (value: tag).
    untag = 8,         ///< A tag removed (value: tag).
    class_change = 9,  ///< Class set, e.g. A/B/C or D/E/F (value: class). CSV type `class`.
    score = 10,        ///< A score set (value: name=number, e.g. satisfaction=4).
    manager = 11,      ///< Manager assigned (value: manager).
    check = 12,        ///< A checklist item recorded (value: item), for `requires` guards.
    event = 13         ///< A model event fired by name (value: event; moves the stage).
};

/// The CSV name of an event type.
inline const char *to_string(event_type t) noexcept {
    static const char *const names[] = {"stage",     "contact", "document", "document_done", "purchase",
                                        "next_step", "attribute", "tag",    "untag",         "class",
                                        "score",     "manager", "check",    "event"};
    return names[static_cast<int>(t)];
}

/// Parses a CSV event type name.
inline std::optional<event_type> parse_event_type(std::string_view s) noexcept {
    for (int i = 0; i <= static_cast<int>(event_type::event); ++i)
        if (s == to_string(static_cast<event_type>(i))) return static_cast<event_type>(i);
    return std::nullopt;
}

/// Contact channels (BRIEF 1.2: preferred channel).
enum class channel : std::uint8_t {
    none = 0,           ///< Not given.
    messenger = 1,      ///< Messenger.
    email = 2,          ///< E-mail.
    call = 3,           ///< Phone call.
    online_meeting = 4, ///< Online meeting.
    meeting = 5,        ///< Offline (face-to-face) meeting.
    other = 6           ///< Any other channel.
};

/// Number of channel values.
inline constexpr int channel_count = 7;

/// The CSV name of a channel ("" for none).
inline const char *to_string(channel c) noexcept {
    static const char *const names[] = {"", "messenger", "email", "call", "online_meeting", "meeting", "other"};
    return names[static_cast<int>(c)];
}

/// Parses a channel name; accepts a few common spellings. nullopt when unknown.
inline std::optional<channel> parse_channel(std::string_view s) noexcept {
    if (s.empty()) return channel::none;
    if (s == "messenger" || s == "chat") return channel::messenger;
    if (s == "email" || s == "e-mail") return channel::email;
    if (s == "call" || s == "phone") return channel::call;
    if (s == "online_meeting" || s == "online-meeting" || s == "video") return channel::online_meeting;
    if (s == "meeting" || s == "offline_meeting" || s == "offline-meeting") return channel::meeting;
    if (s == "other") return channel::other;
    return std::nullopt;
}

/// One journal record. 32 bytes.
struct journal_event {
    timestamp time = 0;           ///< When it happened.
    std::uint32_t customer = 0;   ///< Customer index in the portfolio.
    std::uint32_t value = 0;      ///< Interned value; for stage events the stage index.
    std::uint32_t detail = none32;///< Index into the details table, or none32.
    std::uint32_t prev = none32;  ///< The customer's previous event, or none32 (a per-customer chain).
    std::uint16_t model = 0xFFFF; ///< Model slot for stage/event/check events, else 0xFFFF.
    event_type type = event_type::stage; ///< What it records.
    channel via = channel::none;  ///< Contact channel.
};
static_assert(sizeof(journal_event) <= 32, "a journal event must fit in 32 bytes");

/// The less frequent fields of an event.
struct event_detail {
    double amount = 0;            ///< Purchase amount (has_amount tells if given).
    bool has_amount = false;      ///< Whether amount was given.
    string_id manager = 0;        ///< Manager who made the contact or sale.
    string_id reason = 0;         ///< Reason (loss, dissolution).
    string_id note = 0;           ///< Free note (for next_step: the product).
    timestamp due = 0;            ///< Due / expiry date (has_due tells if given).
    bool has_due = false;         ///< Whether due was given.
};

} // namespace clm
