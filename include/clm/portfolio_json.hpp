/// @file portfolio_json.hpp
/// JSON views of a portfolio: one customer as of a date (stages, days in
/// stage, contacts per channel, open control points, next step) and a
/// customer's full history.
#pragma once

#include <clm/portfolio.hpp>

#include <nlohmann/json.hpp>

namespace clm {

/// A customer as of `as_of` (every event on that date included), as JSON.
inline nlohmann::ordered_json customer_to_json(const portfolio &p, std::uint32_t c, timestamp as_of) {
    using oj = nlohmann::ordered_json;
    auto s = p.snapshot(c, end_of_day(as_of));
    auto date_or_null = [](const std::optional<timestamp> &t) { return t ? oj(format_date(*t)) : oj(); };
    oj j;
    j["customer_id"] = s.id;
    j["as_of"] = format_date(as_of);
    j["manager"] = s.manager;
    j["class"] = s.customer_class;
    oj models = oj::array();
    for (std::size_t m = 0; m < p.model_count(); ++m) {
        const membership &pos = s.positions[m];
        oj one;
        one["model"] = p.model_at(m).id();
        if (pos.stage == no_stage) {
            one["stage"] = nullptr;
            one["days_in_stage"] = nullptr;
            one["over_time_limit"] = false;
        } else {
            const stage &st = p.model_at(m).stage_at(pos.stage);
            auto days = days_between(pos.entered, as_of);
            one["stage"] = st.id;
            one["kind"] = to_string(st.kind);
            one["entered"] = format_date(pos.entered);
            one["days_in_stage"] = days;
            one["over_time_limit"] = st.time_limit_days && days > *st.time_limit_days;
            one["task"] = st.task;
        }
        models.push_back(one);
    }
    j["models"] = models;
    j["last_contact"] = date_or_null(s.last_contact);
    j["days_since_contact"] = s.last_contact ? oj(days_between(*s.last_contact, as_of)) : oj();
    oj by = oj::object();
    for (int ch = 1; ch < channel_count; ++ch) {
        const auto &t = s.last_contact_by_channel[std::size_t(ch)];
        if (t) by[to_string(channel(ch))] = days_between(*t, as_of);
    }
    j["days_since_contact_by_channel"] = by;
    j["contacts"] = s.contacts;
    oj cps = oj::array();
    for (const auto &cp : s.open_control_points) {
        cps.push_back({{"kind", cp.kind},
                       {"sent", format_date(cp.sent)},
                       {"due", date_or_null(cp.due)},
                       {"overdue", cp.due.has_value() && day_of(*cp.due) < day_of(as_of)}});
    }
    j["open_control_points"] = cps;
    if (s.next_step) {
        j["next_step"] = {{"date", date_or_null(s.next_step->due)},
                          {"goal", s.next_step->goal},
                          {"product", s.next_step->product},
                          {"overdue", s.next_step->due.has_value() && day_of(*s.next_step->due) < day_of(as_of)}};
    } else {
        j["next_step"] = nullptr;
    }
    j["tags"] = s.tags;
    j["attributes"] = s.attributes;
    j["scores"] = s.scores;
    j["preferred_channel"] = s.preferred_channel ? oj(to_string(*s.preferred_channel)) : oj();
    double revenue = 0;
    for (const auto &pu : s.purchases) revenue += pu.amount;
    j["purchases"] = s.purchases.size();
    j["revenue"] = revenue;
    return j;
}

/// Every event of customer `c`, oldest first, as JSON objects with the event-log fields.
inline nlohmann::ordered_json history_to_json(const portfolio &p, std::uint32_t c) {
    using oj = nlohmann::ordered_json;
    oj out = oj::array();
    for (auto e : p.history(c)) {
        const journal_event &ev = p.journal()[e];
        const event_detail *d = p.detail_of(ev);
        oj j;
        j["timestamp"] = format_timestamp(ev.time);
        j["type"] = to_string(ev.type);
        if (ev.type == event_type::stage) {
            j["value"] = p.model_at(ev.model).stage_at(stage_index(ev.value)).id;
            j["model"] = p.model_at(ev.model).id();
        } else {
            j["value"] = p.text(ev.value);
        }
        if (ev.via != channel::none) j["channel"] = to_string(ev.via);
        if (d) {
            if (d->manager) j["manager"] = p.text(d->manager);
            if (d->has_amount) j["amount"] = d->amount;
            if (d->reason) j["reason"] = p.text(d->reason);
            if (d->has_due) j["due"] = format_timestamp(d->due);
            if (d->note) j["note"] = p.text(d->note);
        }
        out.push_back(j);
    }
    return out;
}

} // namespace clm
