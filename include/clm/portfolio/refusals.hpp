/// @file portfolio/refusals.hpp
/// Why the portfolio refuses an event, worded once: events out of time order,
/// moves out of a model, missing transitions, and the guards of a move
/// (required items, minimum days, host predicates, reasons). Included by
/// portfolio.hpp.
#pragma once

#include <clm/portfolio.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace clm {

inline void portfolio::rethrow_with(const error &e, const std::string &where) {
    std::string msg = where + ": " + e.what();
    switch (e.code()) {
    case CLM_E_NOT_FOUND: throw not_found(msg);
    case CLM_E_ILLEGAL_TRANSITION: throw illegal_transition(msg);
    case CLM_E_GUARD_FAILED: throw guard_failed(msg);
    case CLM_E_DUPLICATE: throw duplicate(msg);
    default: throw error(e.code(), msg);
    }
}

inline bool portfolio::has_item(std::uint32_t c, const std::string &item, timestamp upto) const {
    auto id = pool_.find(item);
    if (!id) return false;
    for (std::uint32_t e = customers_[c].last_event; e != none32; e = journal_[e].prev) {
        const auto &ev = journal_[e];
        if (ev.time > upto) continue; // recorded after the move being checked (a late event's later history)
        if ((ev.type == event_type::check || ev.type == event_type::document || ev.type == event_type::document_done) && ev.value == *id)
            return true;
    }
    return false;
}

inline invalid_argument portfolio::out_of_order(std::string_view customer, timestamp t, timestamp last) {
    return invalid_argument("customer '" + std::string(customer) + "': event at " + format_timestamp(t) +
                            " is older than the customer's last event at " + format_timestamp(last) +
                            "; apply a customer's events in time order");
}

inline illegal_transition portfolio::not_in_model(std::string_view customer, const model &mdl, std::string_view event) {
    return illegal_transition("customer '" + std::string(customer) + "' is not in model '" + mdl.id() + "', so event '" +
                              std::string(event) + "' cannot move them");
}

inline illegal_transition portfolio::no_transition_on(std::string_view customer, const model &mdl, stage_index from, std::string_view event) {
    return illegal_transition("customer '" + std::string(customer) + "' in model '" + mdl.id() + "': stage '" +
                              mdl.stage_at(from).id + "' has no transition on '" + std::string(event) + "'");
}

[[noreturn]] [[gnu::cold]] [[gnu::noinline]] inline void portfolio::move_refused(std::uint32_t c, std::size_t m, event_index e, timestamp t) const {
    if (c >= customers_.size()) throw not_found("no customer with index " + std::to_string(c));
    if (m >= models_.size()) throw not_found("no model in slot " + std::to_string(m));
    const model &mdl = *models_[m];
    if (e >= mdl.event_count()) throw not_found("model '" + mdl.id() + "' has no event with index " + std::to_string(e));
    const customer_state &st = customers_[c];
    if (st.last_event != none32 && t < st.last_time)
        throw out_of_order(customer_id(c), t, st.last_time);
    const membership &pos = positions_[m][c];
    if (pos.stage == no_stage)
        throw not_in_model(customer_id(c), mdl, mdl.event_name(e));
    throw no_transition_on(customer_id(c), mdl, pos.stage, mdl.event_name(e));
}

inline void portfolio::check_move(std::uint32_t c, std::string_view customer, timestamp time, std::string_view reason, std::size_t m,
                stage_index from, stage_index to, std::uint16_t t_index, timestamp entered, std::string_view note) const {
    const model &mdl = *models_[m];
    auto who = [&] { return "customer '" + std::string(customer) + "' in model '" + mdl.id() + "': "; };
    auto move = [&] { return "'" + mdl.stage_at(from).id + "' -> '" + mdl.stage_at(to).id + "'"; };
    const transition &tr = mdl.transition_at(t_index);
    for (const guard &g : tr.guards) {
        switch (g.kind) {
        case guard::type::items_present:
            for (const auto &item : g.items)
                if (!has_item(c, item, time))
                    throw guard_failed(who() + "move " + move() + " refused by guard requires '" + item + "': not recorded");
            break;
        case guard::type::min_days: {
            auto days = days_between(entered, time);
            if (days < g.days)
                throw guard_failed(who() + "move " + move() + " refused by guard min_days " + std::to_string(g.days) +
                                   ": " + std::to_string(days) + " days in '" + mdl.stage_at(from).id + "'");
            break;
        }
        case guard::type::predicate: {
            auto it = predicates_.find(g.name);
            if (it == predicates_.end())
                throw guard_failed(who() + "move " + move() + " needs predicate '" + g.name + "', which is not registered");
            guard_context ctx{customer, &mdl, from, to, time};
            if (!it->second(ctx))
                throw guard_failed(who() + "move " + move() + " refused by guard predicate '" + g.name + "'");
            break;
        }
        }
    }
    for (const auto &item : mdl.stage_at(to).requirements)
        if (!has_item(c, item, time))
            throw guard_failed(who() + "move " + move() + " refused: stage '" + mdl.stage_at(to).id + "' requires '" + item + "', not recorded");
    if (tr.reason_required && reason.empty())
        throw guard_failed(who() + "move " + move() + " needs a reason" +
                           (tr.reasons.empty() ? std::string() : " (e.g. '" + tr.reasons.front() + "')"));
    if (tr.reasons_closed && !reason.empty()) {
        // One of the model's reasons, or 'other' saying what in the note.
        if (reason == "other") {
            if (note.empty()) throw guard_failed(who() + "move " + move() + ": reason 'other' needs a note saying what it was");
        } else if (std::find(tr.reasons.begin(), tr.reasons.end(), reason) == tr.reasons.end()) {
            std::string list;
            for (const auto &r : tr.reasons) list += "'" + r + "', ";
            throw guard_failed(who() + "move " + move() + ": reason '" + std::string(reason) + "' is not one of " + list +
                               "or 'other' with a note");
        }
    }
}

} // namespace clm
