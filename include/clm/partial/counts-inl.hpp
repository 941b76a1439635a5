/// @file partial/counts-inl.hpp
/// The partials of status, funnel and time in stage (partial/partials.hpp):
/// counts and day histograms, made from a part of a portfolio, merged, and
/// finished into the reports of funnel.hpp and time_in_stage.hpp.
#pragma once

#include <clm/funnel.hpp>
#include <clm/partial/json_fields.hpp>
#include <clm/time_in_stage.hpp>

#include <algorithm>
#include <limits>

namespace clm::detail::partial {

using partial_json::oj;
using namespace partial_json;

// ---- status ---------------------------------------------------------------

inline void status_make(const portfolio &p, std::size_t slot, timestamp as_of, oj &j) {
    j["current"] = p.stage_counts(slot, end_of_day(as_of));
}

inline void status_merge(const oj &a, const oj &b, std::size_t n, oj &out) {
    const oj &x = array(member(a, "current"), "current", n), &y = array(member(b, "current"), "current", n);
    oj sum = oj::array();
    for (std::size_t s = 0; s < n; ++s) sum.push_back(add_count(count(x[s], "current"), count(y[s], "current"), "current"));
    out["current"] = std::move(sum);
}

// The document of `clm status --json`.
inline oj status_finish(const model &m, const oj &j, timestamp as_of) {
    const oj &current = array(member(j, "current"), "current", m.stage_count());
    std::uint64_t total = 0;
    for (const auto &c : current) total += count(c, "current");
    oj out;
    out["model"] = m.id();
    out["as_of"] = format_date(as_of);
    out["customers"] = total;
    oj stages = oj::array();
    for (stage_index s = 0; s < m.stage_count(); ++s) stages.push_back({{"id", m.stage_at(s).id}, {"current", count(current[s], "current")}});
    out["stages"] = std::move(stages);
    return out;
}

// ---- funnel ---------------------------------------------------------------

inline void funnel_make(const portfolio &p, std::size_t slot, timestamp as_of, oj &j) {
    const funnel_report r = funnel(p, slot, as_of);
    const std::size_t n = r.stages.size();
    // The lengths of completed stays, as funnel() collects them for its medians.
    std::vector<day_histogram> durations(n);
    std::vector<std::uint32_t> events;
    std::vector<stay> stays;
    const timestamp t = end_of_day(as_of);
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        stays_of(p, events, slot, t, stays);
        for (const stay &st : stays)
            if (st.left) durations[st.stage].add(days_between(st.entered, *st.left));
    }
    j["customers"] = r.customers;
    j["won"] = r.won;
    j["lost"] = r.lost;
    j["lost_at_entry"] = r.lost_at_entry;
    oj stages = oj::array();
    for (std::size_t s = 0; s < n; ++s) {
        oj reasons = oj::object();
        for (const auto &[why, k] : r.stages[s].loss_reasons) reasons[why] = k;
        stages.push_back({{"entered", r.stages[s].entered},
                          {"current", r.stages[s].current},
                          {"lost_from", r.stages[s].lost_from},
                          {"reasons", std::move(reasons)},
                          {"durations", histogram_json(durations[s])}});
    }
    j["stage_figures"] = std::move(stages);
    oj conv = oj::array();
    for (const auto &c : r.conversion) conv.push_back(oj::array({c.entered, c.converted, c.still_open}));
    j["conversion"] = std::move(conv);
}

inline oj add_counts(const oj &a, const oj &b, const char *key) {
    return add_count(count(member(a, key), key), count(member(b, key), key), key);
}

inline void funnel_merge(const oj &a, const oj &b, std::size_t n, oj &out) {
    for (const char *k : {"customers", "won", "lost", "lost_at_entry"}) out[k] = add_counts(a, b, k);
    const oj &sa = array(member(a, "stage_figures"), "stage_figures", n), &sb = array(member(b, "stage_figures"), "stage_figures", n);
    oj stages = oj::array();
    for (std::size_t s = 0; s < n; ++s) {
        oj one;
        for (const char *k : {"entered", "current", "lost_from"}) one[k] = add_counts(sa[s], sb[s], k);
        std::map<std::string, std::uint64_t> reasons;
        for (const oj *side : {&sa[s], &sb[s]}) {
            const oj &r = member(*side, "reasons");
            if (!r.is_object()) bad("reasons must be an object");
            for (auto it = r.begin(); it != r.end(); ++it) {
                auto &k = reasons[it.key()];
                k = add_count(k, count(it.value(), "reason count"), "reason count");
            }
        }
        one["reasons"] = oj::object();
        for (const auto &[why, k] : reasons) one["reasons"][why] = k;
        day_histogram h = histogram_from(member(sa[s], "durations"), "durations");
        h.merge(histogram_from(member(sb[s], "durations"), "durations"));
        one["durations"] = histogram_json(h);
        stages.push_back(std::move(one));
    }
    out["stage_figures"] = std::move(stages);
    const oj &ca = array(member(a, "conversion"), "conversion"), &cb = array(member(b, "conversion"), "conversion", ca.size());
    oj conv = oj::array();
    for (std::size_t i = 0; i < ca.size(); ++i) {
        array(ca[i], "conversion step", 3);
        array(cb[i], "conversion step", 3);
        oj step = oj::array();
        for (std::size_t k = 0; k < 3; ++k) step.push_back(add_count(count(ca[i][k], "conversion count"), count(cb[i][k], "conversion count"), "conversion count"));
        conv.push_back(std::move(step));
    }
    out["conversion"] = std::move(conv);
}

// The report funnel() gives for the whole portfolio.
inline funnel_report funnel_finish(const model &m, const oj &j, timestamp as_of) {
    const std::size_t n = m.stage_count();
    funnel_report r;
    r.model = m.id();
    r.as_of = as_of;
    r.customers = count(member(j, "customers"), "customers");
    r.won = count(member(j, "won"), "won");
    r.lost = count(member(j, "lost"), "lost");
    r.lost_at_entry = count(member(j, "lost_at_entry"), "lost_at_entry");
    const oj &stages = array(member(j, "stage_figures"), "stage_figures", n);
    r.stages.resize(n);
    for (stage_index s = 0; s < n; ++s) {
        funnel_stage &f = r.stages[s];
        f.stage = s;
        f.id = m.stage_at(s).id;
        f.entered = count(member(stages[s], "entered"), "entered");
        f.current = count(member(stages[s], "current"), "current");
        f.lost_from = count(member(stages[s], "lost_from"), "lost_from");
        const oj &reasons = member(stages[s], "reasons");
        if (!reasons.is_object()) bad("reasons must be an object");
        for (auto it = reasons.begin(); it != reasons.end(); ++it) f.loss_reasons[it.key()] = count(it.value(), "reason count");
        day_histogram h = histogram_from(member(stages[s], "durations"), "durations");
        f.completed_stays = h.size();
        f.median_days = h.median();
    }
    const auto &path = m.main_path();
    const oj &conv = array(member(j, "conversion"), "conversion", path.empty() ? 0 : path.size() - 1);
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        funnel_step st;
        st.from = path[i];
        st.to = path[i + 1];
        st.from_id = m.stage_at(st.from).id;
        st.to_id = m.stage_at(st.to).id;
        array(conv[i], "conversion step", 3);
        st.entered = count(conv[i][0], "conversion count");
        st.converted = count(conv[i][1], "conversion count");
        st.still_open = count(conv[i][2], "conversion count");
        if (st.still_open > st.entered) bad("conversion: more still open than entered");
        if (st.entered) st.rate = double(st.converted) / double(st.entered);
        if (st.closed()) st.closed_rate = double(st.converted) / double(st.closed());
        r.conversion.push_back(st);
    }
    return r;
}

// ---- time in stage --------------------------------------------------------

inline void time_in_stage_make(const portfolio &p, std::size_t slot, timestamp as_of, oj &j) {
    // What time_in_stage() computes, with the lists of days kept as histograms.
    const time_in_stage_report r = time_in_stage(p, slot, as_of);
    const model &mdl = p.model_at(slot);
    const std::size_t n = mdl.stage_count();
    const timestamp t = end_of_day(as_of), day = day_of(as_of) * seconds_per_day;
    std::vector<day_histogram> done(n);
    std::vector<std::int64_t> age_sum(n, 0);
    const unit_map units = units_of(p, t);
    constexpr timestamp never = std::numeric_limits<timestamp>::max();
    std::vector<timestamp> unit_entered(units.count, never), unit_won(units.count, never);
    std::vector<std::uint32_t> events;
    std::vector<stay> stays;
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        stays_of(p, events, slot, t, stays);
        if (stays.empty()) continue;
        for (const stay &st : stays)
            if (st.left) done[st.stage].add(days_between(st.entered, *st.left));
        age_sum[stays.back().stage] += days_between(stays.back().entered, day);
        const std::uint32_t u = units.of[c];
        unit_entered[u] = std::min(unit_entered[u], stays.front().entered);
        for (const stay &st : stays) {
            if (mdl.stage_at(st.stage).kind != stage_kind::won) continue;
            unit_won[u] = std::min(unit_won[u], st.entered);
            break;
        }
    }
    day_histogram to_won;
    for (std::size_t u = 0; u < units.count; ++u)
        if (unit_won[u] != never) to_won.add(days_between(unit_entered[u], unit_won[u]));
    oj stages = oj::array();
    for (std::size_t s = 0; s < n; ++s) {
        oj stuck = oj::array();
        for (const auto &k : r.stages[s].stuck) stuck.push_back(oj::array({k.customer_id, k.days}));
        stages.push_back({{"done", histogram_json(done[s])},
                          {"open", r.stages[s].open},
                          {"age_sum", age_sum[s]},
                          {"stuck", std::move(stuck)}});
    }
    j["by_account"] = units.by_account;
    j["stage_figures"] = std::move(stages);
    j["to_won"] = histogram_json(to_won);
}

inline std::vector<stuck_customer> stuck_from(const oj &j) {
    std::vector<stuck_customer> out;
    for (const auto &k : array(j, "stuck")) {
        array(k, "stuck entry", 2);
        out.push_back({text(k[0], "stuck customer id"), whole(k[1], "stuck days")});
    }
    return out;
}

inline void sort_stuck(std::vector<stuck_customer> &v) {
    std::sort(v.begin(), v.end(), [](const stuck_customer &a, const stuck_customer &b) {
        return a.days != b.days ? a.days > b.days : a.customer_id < b.customer_id;
    });
}

inline void time_in_stage_merge(const oj &a, const oj &b, std::size_t n, oj &out) {
    const oj &ba = member(a, "by_account"), &bb = member(b, "by_account");
    if (!ba.is_boolean() || !bb.is_boolean()) bad("by_account must be true or false");
    out["by_account"] = ba.get<bool>() || bb.get<bool>();
    const oj &sa = array(member(a, "stage_figures"), "stage_figures", n), &sb = array(member(b, "stage_figures"), "stage_figures", n);
    oj stages = oj::array();
    for (std::size_t s = 0; s < n; ++s) {
        day_histogram h = histogram_from(member(sa[s], "done"), "done");
        h.merge(histogram_from(member(sb[s], "done"), "done"));
        std::vector<stuck_customer> stuck = stuck_from(member(sa[s], "stuck")), more = stuck_from(member(sb[s], "stuck"));
        stuck.insert(stuck.end(), more.begin(), more.end());
        sort_stuck(stuck);
        oj list = oj::array();
        for (const auto &k : stuck) list.push_back(oj::array({k.customer_id, k.days}));
        stages.push_back({{"done", histogram_json(h)},
                          {"open", add_counts(sa[s], sb[s], "open")},
                          {"age_sum", add_whole(whole(member(sa[s], "age_sum"), "age_sum"), whole(member(sb[s], "age_sum"), "age_sum"), "age_sum")},
                          {"stuck", std::move(list)}});
    }
    out["stage_figures"] = std::move(stages);
    day_histogram w = histogram_from(member(a, "to_won"), "to_won");
    w.merge(histogram_from(member(b, "to_won"), "to_won"));
    out["to_won"] = histogram_json(w);
}

// The report time_in_stage() gives for the whole portfolio.
inline time_in_stage_report time_in_stage_finish(const model &m, const oj &j, timestamp as_of) {
    const std::size_t n = m.stage_count();
    time_in_stage_report r;
    r.model = m.id();
    r.as_of = as_of;
    const oj &by = member(j, "by_account");
    if (!by.is_boolean()) bad("by_account must be true or false");
    r.unit = by.get<bool>() ? "account" : "customer";
    const oj &stages = array(member(j, "stage_figures"), "stage_figures", n);
    r.stages.resize(n);
    for (stage_index s = 0; s < n; ++s) {
        stage_time &st = r.stages[s];
        st.stage = s;
        st.id = m.stage_at(s).id;
        st.time_limit_days = m.stage_at(s).time_limit_days;
        day_histogram h = histogram_from(member(stages[s], "done"), "done");
        st.completed = h.size();
        st.mean_days = h.mean();
        st.median_days = h.median();
        st.p90_days = h.percentile(90);
        st.open = count(member(stages[s], "open"), "open");
        const std::int64_t age_sum = whole(member(stages[s], "age_sum"), "age_sum");
        if (st.open) st.open_mean_age_days = double(age_sum) / double(st.open);
        st.stuck = stuck_from(member(stages[s], "stuck"));
        sort_stuck(st.stuck);
    }
    day_histogram w = histogram_from(member(j, "to_won"), "to_won");
    r.won = w.size();
    r.to_won_mean_days = w.mean();
    r.to_won_median_days = w.median();
    return r;
}

} // namespace clm::detail::partial
