/// @file stays.hpp
/// What the analyses read from a customer's event chain: their *stays* in a
/// model (each visit to a stage, from the event that entered it to the event
/// that left it) and the manager each event is attributed to.
///
/// A stay starts with a stage event that changes the customer's stage and ends
/// with the next one that changes it again; a stage event naming the stage the
/// customer is already in does not start a new stay (the same rule as the
/// portfolio's fold). A stay is *completed* as of a date when the move that
/// ended it happened on or before that date, and *open* otherwise.
#pragma once

#include <clm/portfolio.hpp>

#include <optional>
#include <vector>

namespace clm {

/// One visit of a customer to a stage of a model.
struct stay {
    stage_index stage = no_stage;        ///< The stage visited.
    timestamp entered = 0;               ///< When the stage was entered.
    std::optional<timestamp> left;       ///< When it was left (completed stays only).
    stage_index next = no_stage;         ///< Where the customer went (completed stays only).
    string_id reason = 0;                ///< The reason given on the move that ended it (0: none).
    std::uint32_t enter_event = none32;  ///< Journal index of the event that entered the stage.
    std::uint32_t leave_event = none32;  ///< Journal index of the event that left it, or none32.
};

/// The journal indexes of customer `c`'s events, oldest first, into `out`
/// (cleared first; reuse one vector across customers to avoid allocations).
inline void customer_events(const portfolio &p, std::uint32_t c, std::vector<std::uint32_t> &out) {
    out.clear();
    const auto &journal = p.journal();
    for (std::uint32_t e = p.last_event_of(c); e != none32; e = journal[e].prev) out.push_back(e);
    std::reverse(out.begin(), out.end());
}

/// The stays in model slot `m` among `events` (one customer's events, oldest
/// first) that were entered by `t` (inclusive), oldest first, into `out`
/// (cleared first). A stay whose leaving move is after `t` is open.
inline void stays_of(const portfolio &p, const std::vector<std::uint32_t> &events, std::size_t m, timestamp t,
                     std::vector<stay> &out) {
    out.clear();
    const auto &journal = p.journal();
    for (std::uint32_t e : events) {
        const journal_event &ev = journal[e];
        if (ev.time > t) break; // a customer's events are in time order
        if (ev.type != event_type::stage || ev.model != m) continue;
        auto s = stage_index(ev.value);
        if (!out.empty() && out.back().stage == s) continue; // no change: the same stay
        if (!out.empty()) {
            stay &prev = out.back();
            prev.left = ev.time;
            prev.next = s;
            prev.leave_event = e;
            if (const event_detail *d = p.detail_of(ev)) prev.reason = d->reason;
        }
        stay st;
        st.stage = s;
        st.entered = ev.time;
        st.enter_event = e;
        out.push_back(st);
    }
}

/// Follows a customer's manager through their events, oldest first, with the
/// rule of portfolio::snapshot(): a `manager` event assigns the manager; a
/// contact that names a manager assigns them while the customer has none.
class manager_tracker {
public:
    /// Starts with no manager (0, the empty string).
    manager_tracker() = default;

    /// The manager an event is attributed to: the manager named on the event
    /// (its manager column), else the customer's manager before the event.
    /// Call before update() for the same event.
    string_id attribute(const portfolio &p, const journal_event &ev) const noexcept {
        if (ev.type == event_type::manager) return ev.value;
        if (const event_detail *d = p.detail_of(ev))
            if (d->manager) return d->manager;
        return current_;
    }

    /// Folds one event in.
    void update(const portfolio &p, const journal_event &ev) noexcept {
        if (ev.type == event_type::manager) {
            current_ = ev.value;
        } else if (ev.type == event_type::contact && current_ == 0) {
            if (const event_detail *d = p.detail_of(ev)) current_ = d->manager;
        }
    }

    /// The customer's manager after the events folded so far (0 when none).
    string_id current() const noexcept { return current_; }

private:
    string_id current_ = 0;
};

/// Customer `c`'s manager as of `t` (the snapshot rule), from their events
/// (oldest first); 0 (the empty string) when they have none.
inline string_id manager_as_of(const portfolio &p, const std::vector<std::uint32_t> &events, timestamp t) {
    manager_tracker m;
    for (std::uint32_t e : events) {
        const journal_event &ev = p.journal()[e];
        if (ev.time > t) break;
        m.update(p, ev);
    }
    return m.current();
}

/// The manager's name for reports: "(none)" for the empty string.
inline std::string manager_label(const portfolio &p, string_id manager) {
    return manager == 0 ? std::string("(none)") : p.text(manager);
}

/// The date of the portfolio's newest event (0 for an empty journal): the
/// default "as of" of the analyses.
inline timestamp last_event_date(const portfolio &p) {
    timestamp t = 0;
    for (const auto &e : p.journal()) t = std::max(t, e.time);
    return day_of(t) * seconds_per_day;
}

} // namespace clm
