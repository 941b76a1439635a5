/// @file portfolio/late.hpp
/// Late events: an event older than its customer's last one is folded in at
/// its time. The journal stays in arrival order (the event gets the next
/// sequence number); the customer's chain of events, which every history and
/// as-of query walks, stays in time order: the late event is linked in after
/// the customer's events at or before its time. A late move is checked
/// against the customer's stage as of its time, and the customer's later
/// moves in that model are re-checked after it; if one no longer passes,
/// nothing changes and the error names it. Cost: O(later events of the
/// customer) beyond an ordinary apply. See docs/event-log.md, "Late events".
/// Included by portfolio.hpp.
#pragma once

#include <clm/portfolio.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace clm {

inline std::uint32_t portfolio::link(journal_event je, std::uint32_t c, bool late) {
    customer_state &st = customers_[c];
    const auto index = std::uint32_t(journal_.size());
    if (!late) {
        je.prev = st.last_event;
        journal_.push_back(je);
        st.last_event = index;
        st.last_time = je.time;
        return index;
    }
    // The customer's oldest event later than je (`next`), and the one before it.
    std::uint32_t next = none32, e = st.last_event;
    while (e != none32 && journal_[e].time > je.time) {
        next = e;
        e = journal_[e].prev;
    }
    je.prev = e;
    relink_log_.emplace_back(next, e); // first: if an append below throws, restoring it changes nothing
    journal_.push_back(je);
    journal_[next].prev = index; // last_event and last_time stay: a later event is still the newest
    return index;
}

inline membership portfolio::refold_after_late(std::uint32_t c, std::uint32_t index, std::size_t m, const membership &before,
                                               std::string_view customer) const {
    // The customer's events after the late one, oldest first.
    std::vector<std::uint32_t> later;
    for (std::uint32_t e = customers_[c].last_event; e != index && e != none32; e = journal_[e].prev) later.push_back(e);
    std::reverse(later.begin(), later.end());
    const model &mdl = *models_[m];
    const membership &now = positions_[m][c];
    // Stage changes the later events made before (from the stage as of the late
    // event's time) and make now (after it): the difference corrects the count.
    long moves_before = 0, moves_after = 0;
    stage_index s = before.stage;
    for (std::uint32_t e : later)
        if (journal_[e].type == event_type::stage && journal_[e].model == m && stage_index(journal_[e].value) != s) {
            s = stage_index(journal_[e].value);
            ++moves_before;
        }
    membership out = before;
    out.first_event = before.stage == no_stage ? index : now.first_event;
    const auto to = stage_index(journal_[index].value);
    if (to != before.stage) {
        out.stage = to;
        out.entered = journal_[index].time;
        ++moves_after;
    }
    for (std::uint32_t e : later) {
        const journal_event &ev = journal_[e];
        if (ev.type != event_type::stage || ev.model != m || stage_index(ev.value) == out.stage) continue;
        const auto next = stage_index(ev.value);
        try {
            auto t = mdl.transition_between(out.stage, next);
            if (t == no_transition)
                throw illegal_transition("customer '" + std::string(customer) + "' in model '" + mdl.id() + "': no transition from '" +
                                         mdl.stage_at(out.stage).id + "' to '" + mdl.stage_at(next).id + "'");
            if (!replaying_) {
                const event_detail *d = detail_of(e);
                check_move(c, customer, ev.time, d ? std::string_view(pool_.at(d->reason)) : std::string_view(), m, out.stage, next, t,
                           out.entered, d ? std::string_view(pool_.at(d->note)) : std::string_view());
            }
        } catch (const error &err) {
            rethrow_with(err, "customer '" + std::string(customer) + "': the late event at " + format_timestamp(journal_[index].time) +
                                  " (stage '" + mdl.stage_at(to).id + "') cannot be folded in: the customer's later event #" +
                                  std::to_string(seq_of(e)) + " at " + format_timestamp(ev.time) + " (stage '" + mdl.stage_at(next).id +
                                  "' in model '" + mdl.id() + "') would be refused");
        }
        out.stage = next;
        out.entered = ev.time;
        ++moves_after;
    }
    const long moves = now.moves == 0xFFFF ? 0xFFFF : long(now.moves) - moves_before + moves_after;
    out.moves = std::uint16_t(std::clamp(moves, 0L, 0xFFFFL));
    return out;
}

inline string_id portfolio::account_at(std::uint32_t c, timestamp t) const {
    const auto key = pool_.find("account");
    if (!key) return 0;
    for (std::uint32_t e = customers_[c].last_event; e != none32; e = journal_[e].prev) {
        const journal_event &ev = journal_[e];
        if (ev.time <= t && ev.type == event_type::attribute && ev.value < kv_parts_.size() && kv_parts_[ev.value].first == *key)
            return kv_parts_[ev.value].second;
    }
    return 0;
}

[[gnu::cold]] [[gnu::noinline]] inline void portfolio::move_late(std::uint32_t c, std::size_t m, event_index e, timestamp t) {
    if (strict_time_order_ || m >= models_.size() || e >= models_[m]->event_count()) move_refused(c, m, e, t);
    event_view ev;
    ev.customer_id = customer_id(c);
    ev.time = t;
    ev.type = event_type::event;
    ev.value = models_[m]->event_name(e);
    ev.model = models_[m]->id();
    ev.text_checked = true;
    apply(ev);
}

} // namespace clm
