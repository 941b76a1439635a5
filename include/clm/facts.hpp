/// @file facts.hpp
/// The facts a policy looks at, for one customer as of a date: a compact,
/// reusable record filled straight from the customer's journal chain. The
/// record keeps its buffers between customers, so evaluating a whole
/// portfolio allocates nothing per customer once the buffers have grown.
#pragma once

#include <clm/portfolio.hpp>

#include <boost/date_time/gregorian/gregorian_types.hpp>

#include <array>
#include <cstdlib>
#include <limits>

namespace clm {

/// "Unknown" for day counts in facts.
inline constexpr std::int64_t no_days = std::numeric_limits<std::int64_t>::min();

/// A customer's position in one model, as a fact.
struct stage_fact {
    stage_index stage = no_stage;  ///< Current stage, no_stage when not in the model.
    std::int64_t days_in_stage = no_days; ///< Whole days in it as of the date.
    std::int64_t due_in = no_days; ///< Days until the `due` recorded on a stage row of the current stay (newest first; negative: past), no_days without one.
};

struct policy_context;

/// An open control point, as a fact.
struct control_point_fact {
    string_id kind = 0;            ///< Document kind.
    std::int64_t days_to_due = no_days; ///< Days until due (negative: overdue), no_days without a due date.
};

/// One purchase, as a fact.
struct purchase_fact {
    std::int64_t day = 0;          ///< Day number of the purchase.
    double amount = 0;             ///< Its amount.
};

/// What a policy knows about one customer as of a date.
struct customer_facts {
    std::uint32_t customer = 0;    ///< Customer index.
    std::int64_t as_of_day = 0;    ///< The date, as a day number.
    std::vector<stage_fact> stages;///< Per model slot.
    string_id manager = 0;         ///< Current manager.
    string_id customer_class = 0;  ///< Class.
    std::int64_t days_since_contact = no_days; ///< Any channel.
    std::array<std::int64_t, channel_count> days_since_contact_by = {}; ///< Per channel (no_days when never).
    channel preferred = channel::none; ///< Preferred channel.
    std::vector<string_id> tags;   ///< Tags (unsorted, unique).
    std::vector<std::pair<string_id, string_id>> attributes; ///< key, value (last value wins).
    std::vector<std::pair<string_id, double>> scores; ///< name, value.
    std::vector<control_point_fact> control_points; ///< Open control points.
    std::vector<std::pair<string_id, std::int64_t>> done; ///< Control points done: kind, day done.
    bool has_next_step = false;    ///< A next step is planned.
    std::int64_t next_step_days_to_due = no_days; ///< Days until the next step (negative: overdue).
    std::vector<purchase_fact> purchases; ///< Purchases up to the date.
    std::vector<string_id> items;  ///< Checklist items and documents recorded (check, document, document_done events), unique.
    bool reached_won = false;      ///< Reached a won-kind stage in some model on or before the date.
    string_id account = 0;         ///< The account (company) as of the date: the newest `account=NAME` attribute (0: none).
    double stage_amount = std::numeric_limits<double>::quiet_NaN(); ///< The newest `amount` on a stage row (the deal's value), NaN without one.
    std::uint32_t stage_amount_event = none32; ///< The journal index of that stage row.
    std::vector<std::uint32_t> attribute_events; ///< Journal index of each entry of `attributes` (same order).
    std::vector<std::int64_t> item_days; ///< Day each entry of `items` was last recorded (same order).
    /// The portfolio-wide figures of the date a policy evaluation uses (the
    /// forecast, which deal carries each account's action): set by
    /// compiled_policy::collect() or recommend_all(); nullptr: none.
    const policy_context *context = nullptr;

    /// Whether checklist item or document `item` has been recorded.
    bool has_item(string_id item) const noexcept {
        for (auto x : items)
            if (x == item) return true;
        return false;
    }

    /// The value of attribute `key`, or nullptr.
    const string_id *attribute(string_id key) const noexcept {
        for (const auto &kv : attributes)
            if (kv.first == key) return &kv.second;
        return nullptr;
    }
    /// The value of score `name`, or nullptr.
    const double *score(string_id name) const noexcept {
        for (const auto &kv : scores)
            if (kv.first == name) return &kv.second;
        return nullptr;
    }
    /// Whether tag `t` is present.
    bool has_tag(string_id t) const noexcept {
        for (auto x : tags)
            if (x == t) return true;
        return false;
    }
};

/// Days from `today` to the next anniversary of `date` (0 when it is today).
/// Feb 29 anniversaries fall on Feb 28 in common years.
inline std::int64_t days_to_next_anniversary(timestamp date, std::int64_t today) {
    using namespace boost::gregorian;
    boost::gregorian::date origin = detail::epoch() + days(static_cast<long>(day_of(date)));
    boost::gregorian::date now = detail::epoch() + days(static_cast<long>(today));
    for (int y = int(now.year()); y <= std::min(int(now.year()) + 1, 9999); ++y) { // Boost dates end with 9999
        unsigned short month = origin.month();
        unsigned short dom = origin.day();
        unsigned short last = gregorian_calendar::end_of_month_day(static_cast<unsigned short>(y), month);
        boost::gregorian::date next(static_cast<unsigned short>(y), month, std::min(dom, last));
        if (next >= now) return (next - now).days();
    }
    return 366;
}

/// Fills `f` with customer `c`'s facts as of the end of day `as_of_day`,
/// reusing f's buffers. Only the journal chain is read.
inline void collect_facts(const portfolio &p, std::uint32_t c, std::int64_t as_of_day, customer_facts &f) {
    f.customer = c;
    f.as_of_day = as_of_day;
    f.stages.assign(p.model_count(), stage_fact{});
    f.manager = 0;
    f.customer_class = 0;
    f.days_since_contact = no_days;
    f.days_since_contact_by.fill(no_days);
    f.preferred = channel::none;
    f.tags.clear();
    f.attributes.clear();
    f.scores.clear();
    f.control_points.clear();
    f.done.clear();
    f.has_next_step = false;
    f.next_step_days_to_due = no_days;
    f.purchases.clear();
    f.items.clear();
    f.reached_won = false;
    f.account = 0;
    f.stage_amount = std::numeric_limits<double>::quiet_NaN();
    f.stage_amount_event = none32;
    f.attribute_events.clear();
    f.item_days.clear();
    f.context = nullptr;
    static const auto note_item = [](customer_facts &ff, string_id item, std::int64_t day) {
        for (std::size_t i = 0; i < ff.items.size(); ++i)
            if (ff.items[i] == item) return; // newest first: the first seen is the newest
        ff.items.push_back(item);
        ff.item_days.push_back(day);
    };

    const timestamp end = as_of_day * seconds_per_day + seconds_per_day - 1;
    // The chain runs newest first: the first value seen for a key is the latest.
    // Stage: the newest stage event; entry: the oldest event of that same run.
    bool manager_seen = false, class_seen = false, next_seen = false, contact_seen = false;
    std::array<bool, channel_count> channel_seen{};
    std::uint64_t stage_closed = 0; // bit per model slot (first 64): run of the current stage ended
    const auto &journal = p.journal();
    for (std::uint32_t e = p.last_event_of(c); e != none32; e = journal[e].prev) {
        const journal_event &ev = journal[e];
        if (ev.time > end) continue;
        const event_detail *d = p.detail_of(ev);
        std::int64_t ev_day = day_of(ev.time);
        switch (ev.type) {
        case event_type::stage: {
            stage_fact &sf = f.stages[ev.model];
            if (!f.reached_won && p.model_at(ev.model).stage_at(stage_index(ev.value)).kind == stage_kind::won) f.reached_won = true;
            std::uint64_t bit = ev.model < 64 ? (std::uint64_t(1) << ev.model) : 0;
            bool in_run = false;
            if (sf.stage == no_stage) {
                sf.stage = stage_index(ev.value);
                sf.days_in_stage = as_of_day - ev_day;
                in_run = true;
            } else if (!(stage_closed & bit)) {
                if (ev.value == sf.stage) {
                    sf.days_in_stage = as_of_day - ev_day;
                    in_run = true;
                } else {
                    stage_closed |= bit;
                }
            }
            if (in_run && sf.due_in == no_days && d && d->has_due) sf.due_in = day_of(d->due) - as_of_day;
            if (f.stage_amount_event == none32 && d && d->has_amount) {
                f.stage_amount = d->amount;
                f.stage_amount_event = e;
            }
            break;
        }
        case event_type::contact: {
            auto ch = static_cast<std::size_t>(ev.via);
            if (!contact_seen) {
                f.days_since_contact = as_of_day - ev_day;
                contact_seen = true;
            }
            if (!channel_seen[ch]) {
                f.days_since_contact_by[ch] = as_of_day - ev_day;
                channel_seen[ch] = true;
            }
            break;
        }
        case event_type::document: {
            note_item(f, ev.value, ev_day);
            bool closed = false;
            for (const auto &dn : f.done)
                if (dn.first == ev.value && dn.second >= ev_day) closed = true;
            bool listed = false;
            for (const auto &cp : f.control_points)
                if (cp.kind == ev.value) listed = true;
            if (!closed && !listed)
                f.control_points.push_back({ev.value, d && d->has_due ? day_of(d->due) - as_of_day : no_days});
            break;
        }
        case event_type::document_done:
            f.done.emplace_back(ev.value, ev_day);
            note_item(f, ev.value, ev_day);
            break;
        case event_type::purchase: f.purchases.push_back({ev_day, d && d->has_amount ? d->amount : 0.0}); break;
        case event_type::next_step:
            if (!next_seen) {
                next_seen = true;
                f.has_next_step = true;
                f.next_step_days_to_due = d && d->has_due ? day_of(d->due) - as_of_day : no_days;
            }
            break;
        case event_type::attribute: {
            auto [key, val] = p.key_value(ev.value);
            bool seen = false;
            for (const auto &a : f.attributes)
                if (a.first == key) seen = true;
            if (!seen) {
                f.attributes.emplace_back(key, val);
                f.attribute_events.push_back(e);
                const std::string &k = p.text(key);
                if (k == "preferred_channel") f.preferred = parse_channel(p.text(val)).value_or(channel::none);
                else if (k == "account") f.account = val;
            }
            break;
        }
        case event_type::tag:
        case event_type::untag: {
            // The newest tag/untag event for a tag decides; mark untagged with the high bit.
            bool seen = false;
            for (auto t : f.tags)
                if ((t & 0x7FFFFFFFu) == ev.value) seen = true;
            if (!seen) f.tags.push_back(ev.type == event_type::tag ? ev.value : (ev.value | 0x80000000u));
            break;
        }
        case event_type::class_change:
            if (!class_seen) {
                f.customer_class = ev.value;
                class_seen = true;
            }
            break;
        case event_type::score: {
            auto [key, val] = p.key_value(ev.value);
            bool seen = false;
            for (const auto &sc : f.scores)
                if (sc.first == key) seen = true;
            if (!seen) f.scores.emplace_back(key, std::strtod(p.text(val).c_str(), nullptr));
            break;
        }
        case event_type::manager:
            if (!manager_seen) {
                f.manager = ev.value;
                manager_seen = true;
            }
            break;
        case event_type::check:
            note_item(f, ev.value, ev_day);
            break;
        case event_type::event: break;
        }
    }
    // Drop removed tags (marked with the high bit).
    f.tags.erase(std::remove_if(f.tags.begin(), f.tags.end(), [](string_id t) { return (t & 0x80000000u) != 0; }), f.tags.end());
    // Purchases were collected newest first; analyses want them oldest first.
    std::reverse(f.purchases.begin(), f.purchases.end());
}

} // namespace clm
