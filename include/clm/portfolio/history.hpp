/// @file portfolio/history.hpp
/// The journal answering for any date: a customer's position as of a date,
/// the customers per stage, a customer's snapshot (a fold of their events)
/// and event history. Included by portfolio.hpp.
#pragma once

#include <clm/portfolio.hpp>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace clm {

inline membership portfolio::position_as_of(std::uint32_t c, std::size_t m, timestamp t) const {
    membership out;
    // Walk back to the newest stage event at or before t, then on back
    // while the stage stays the same, to find when it was entered.
    bool found = false;
    for (std::uint32_t e = customers_.at(c).last_event; e != none32; e = journal_[e].prev) {
        const auto &ev = journal_[e];
        if (ev.type != event_type::stage || ev.model != m || ev.time > t) continue;
        if (!found) {
            out.stage = stage_index(ev.value);
            found = true;
        } else if (ev.value != out.stage) {
            break;
        }
        out.entered = ev.time;
        out.first_event = e;
    }
    return out;
}

inline std::vector<std::size_t> portfolio::stage_counts(std::size_t m, std::optional<timestamp> t) const {
    std::vector<std::size_t> counts(model_at(m).stage_count(), 0);
    for (std::uint32_t c = 0; c < customers_.size(); ++c) {
        stage_index s = t ? position_as_of(c, m, *t).stage : positions_[m][c].stage;
        if (s != no_stage) ++counts[s];
    }
    return counts;
}

inline customer_snapshot portfolio::snapshot(std::uint32_t c, std::optional<timestamp> t) const {
    customer_snapshot s;
    s.id = customer_id(c);
    s.positions.assign(models_.size(), membership{});
    std::vector<std::uint32_t> chain;
    for (std::uint32_t e = customers_.at(c).last_event; e != none32; e = journal_[e].prev) chain.push_back(e);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const journal_event &ev = journal_[*it];
        if (t && ev.time > *t) break;
        fold(s, ev, *it);
    }
    return s;
}

inline std::vector<std::uint32_t> portfolio::history(std::uint32_t c) const {
    std::vector<std::uint32_t> chain;
    for (std::uint32_t e = customers_.at(c).last_event; e != none32; e = journal_[e].prev) chain.push_back(e);
    std::reverse(chain.begin(), chain.end());
    return chain;
}

inline void portfolio::fold(customer_snapshot &s, const journal_event &ev, std::uint32_t index) const {
    const event_detail *d = detail_of(ev);
    const std::string &value = ev.type == event_type::stage ? pool_.at(0) : pool_.at(ev.value);
    switch (ev.type) {
    case event_type::stage: {
        membership &pos = s.positions[ev.model];
        if (pos.stage == no_stage) pos.first_event = index;
        if (pos.stage != stage_index(ev.value)) {
            pos.stage = stage_index(ev.value);
            pos.entered = ev.time;
            if (pos.moves < 0xFFFF) ++pos.moves;
        }
        s.stages.push_back({ev.model, stage_index(ev.value), ev.time, d ? pool_.at(d->reason) : std::string()});
        break;
    }
    case event_type::contact:
        s.last_contact = ev.time;
        s.last_contact_by_channel[static_cast<int>(ev.via)] = ev.time;
        ++s.contacts;
        break;
    case event_type::document:
        s.items.insert(value);
        s.open_control_points.push_back({value, ev.time, d && d->has_due ? std::optional<timestamp>(d->due) : std::nullopt});
        break;
    case event_type::document_done:
        s.items.insert(value);
        s.open_control_points.erase(std::remove_if(s.open_control_points.begin(), s.open_control_points.end(),
                                                   [&](const open_control_point &p) { return p.kind == value; }),
                                    s.open_control_points.end());
        break;
    case event_type::purchase:
        s.purchases.push_back({ev.time, value, d && d->has_amount ? d->amount : 0.0});
        break;
    case event_type::next_step: {
        next_step_info n;
        n.planned = ev.time;
        n.goal = value;
        if (d) {
            if (d->has_due) n.due = d->due;
            n.product = pool_.at(d->note);
        }
        s.next_step = n;
        break;
    }
    case event_type::attribute: {
        auto eq = value.find('=');
        std::string key = value.substr(0, eq), val = value.substr(eq + 1);
        if (key == "preferred_channel") s.preferred_channel = parse_channel(val);
        s.attributes[key] = val;
        break;
    }
    case event_type::tag: s.tags.insert(value); break;
    case event_type::untag: s.tags.erase(value); break;
    case event_type::class_change: s.customer_class = value; break;
    case event_type::score: {
        auto eq = value.find('=');
        s.scores[value.substr(0, eq)] = std::strtod(value.c_str() + eq + 1, nullptr);
        break;
    }
    case event_type::manager: s.manager = value; break;
    case event_type::check: s.items.insert(value); break;
    case event_type::event: break; // journaled as stage events
    }
    if (ev.type == event_type::contact && d && d->manager && s.manager.empty()) s.manager = pool_.at(d->manager);
}

} // namespace clm
