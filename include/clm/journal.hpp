/// @file journal.hpp
/// The event journal: every fact about every customer, in the order it was
/// applied. Portfolio state is a fold of it. Events are fixed-size records
/// (32 bytes) whose strings are interned in a pool; the rarer fields
/// (amount, reason, due date, note) live in a side table.
#pragma once

#include <clm/dates.hpp>

#include <cstdint>
#include <cstring>
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
    string_pool() : slots_(16) {
        strings_.emplace_back();
        place(0, hash(std::string_view()));
    }
    /// The id of `s`, adding it when new.
    string_id intern(std::string_view s) {
        const std::uint64_t h = hash(s);
        std::size_t i = probe(s, h);
        if (slots_[i].id != none) return slots_[i].id;
        if ((strings_.size() + 1) * 4 > slots_.size() * 3) { // keep the table at most 3/4 full
            grow();
            i = probe(s, h);
        }
        string_id id = string_id(strings_.size());
        strings_.emplace_back(s); // the only step left that can throw: nothing has changed yet
        slots_[i] = {id, std::uint32_t(h)};
        return id;
    }
    /// The id of `s` if interned.
    std::optional<string_id> find(std::string_view s) const {
        const slot &sl = slots_[probe(s, hash(s))];
        if (sl.id == none) return std::nullopt;
        return sl.id;
    }
    /// The string of an id (unchecked).
    const std::string &at(string_id id) const noexcept { return strings_[id]; }
    /// Number of strings.
    std::size_t size() const noexcept { return strings_.size(); }
    /// Drops strings added after the pool had `n` strings (transaction rollback).
    void truncate(std::size_t n) {
        while (strings_.size() > n) {
            erase(probe(strings_.back(), hash(strings_.back())));
            strings_.pop_back();
        }
    }

private:
    // An open-addressing hash table of ids (linear probing): 8 bytes per slot,
    // no allocation per string, and lookups by string_view without a copy.
    struct slot {
        string_id id = none;      // none: empty
        std::uint32_t hash = 0;   // the string's hash (low 32 bits): the home slot and a quick compare
    };
    static constexpr string_id none = 0xFFFFFFFFu;

    static std::uint64_t hash(std::string_view s) noexcept {
        auto mix = [](std::uint64_t h, std::uint64_t w) {
            h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
            return h ^ (h >> 31);
        };
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
        std::size_t i = 0;
        for (; i + 8 <= s.size(); i += 8) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            h = mix(h, w);
        }
        if (i < s.size()) {
            std::uint64_t w = 0;
            std::memcpy(&w, s.data() + i, s.size() - i);
            h = mix(h, w);
        }
        h *= 0x94d049bb133111ebull;
        return h ^ (h >> 29);
    }
    // The slot holding `s`, or the empty slot where it belongs.
    std::size_t probe(std::string_view s, std::uint64_t h) const noexcept {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = std::uint32_t(h) & mask;; i = (i + 1) & mask) {
            const slot &sl = slots_[i];
            if (sl.id == none || (sl.hash == std::uint32_t(h) && same(strings_[sl.id], s))) return i;
        }
    }
    // a == b, inline for short strings (ids, values) where a call to memcmp would dominate.
    static bool same(const std::string &a, std::string_view b) noexcept {
        const std::size_t n = b.size();
        if (a.size() != n) return false;
        if (n > 32) return std::memcmp(a.data(), b.data(), n) == 0;
        std::size_t i = 0;
        for (std::uint64_t x, y; i + 8 <= n; i += 8) {
            std::memcpy(&x, a.data() + i, 8);
            std::memcpy(&y, b.data() + i, 8);
            if (x != y) return false;
        }
        for (; i < n; ++i)
            if (a[i] != b[i]) return false;
        return true;
    }
    void place(string_id id, std::uint64_t h) noexcept {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = std::uint32_t(h) & mask;
        while (slots_[i].id != none) i = (i + 1) & mask;
        slots_[i] = {id, std::uint32_t(h)};
    }
    void grow() {
        std::vector<slot> old(slots_.size() * 2);
        old.swap(slots_);
        for (const slot &sl : old)
            if (sl.id != none) place(sl.id, sl.hash);
    }
    // Empties slot i, moving later entries of its probe run back (no tombstones).
    void erase(std::size_t i) noexcept {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t j = (i + 1) & mask; slots_[j].id != none; j = (j + 1) & mask) {
            std::size_t home = slots_[j].hash & mask;
            bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = slot{};
    }

    std::deque<std::string> strings_; // a deque: growing never moves a string, so c_str() pointers stay valid
    std::vector<slot> slots_;         // a power of two in size
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
    // The names of to_string(), as views (no strlen per comparison: every CSV row is parsed with this).
    static constexpr std::string_view names[] = {"stage",     "contact", "document", "document_done", "purchase",
                                                 "next_step", "attribute", "tag",    "untag",         "class",
                                                 "score",     "manager", "check",    "event"};
    static_assert(sizeof(names) / sizeof(names[0]) == static_cast<std::size_t>(event_type::event) + 1, "one name per event type");
    for (std::size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (s == names[i]) return static_cast<event_type>(i);
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
    std::uint32_t prev = none32;  ///< The customer's previous event, or none32 (a per-customer chain).
    std::uint16_t model = 0xFFFF; ///< Model slot for stage/event/check events, else 0xFFFF.
    event_type type = event_type::stage; ///< What it records.
    channel via = channel::none;  ///< Contact channel.
};
static_assert(sizeof(journal_event) == 24, "a journal event is 24 bytes (details live in a side table)");

/// The less frequent fields of an event. 32 bytes.
struct event_detail {
    double amount = 0;            ///< Purchase amount (has_amount tells if given).
    timestamp due = 0;            ///< Due / expiry date (has_due tells if given).
    string_id manager = 0;        ///< Manager who made the contact or sale.
    string_id reason = 0;         ///< Reason (loss, dissolution).
    string_id note = 0;           ///< Free note (for next_step: the product).
    bool has_amount = false;      ///< Whether amount was given.
    bool has_due = false;         ///< Whether due was given.
};
static_assert(sizeof(event_detail) <= 32, "event details must fit in 32 bytes");

} // namespace clm
