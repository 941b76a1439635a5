/// @file portfolio/apply.hpp
/// Applying events: one (apply), a batch all-or-nothing or skipping the bad
/// ones (apply_each), each checked then journaled, the customer created on
/// its first event. Included by portfolio.hpp.
#pragma once

#include <clm/numbers.hpp>
#include <clm/portfolio.hpp>

#include <clm/portfolio/refusals.hpp>
#include <clm/portfolio/undo.hpp>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clm {

inline void portfolio::apply(const event_view &ev) {
    undo u(*this);
    apply_unguarded(ev, u);
    u.commit();
}

template <class Get>
std::vector<portfolio::rejection> portfolio::apply_each(std::size_t n, Get get, bool skip_bad, const std::function<std::string(std::size_t)> &where,
                                  const batch_finisher &finish, std::vector<reordering> *reordered) {
    std::vector<rejection> rejected;
    undo batch(*this, open_);
    for (std::size_t i = 0; i < n; ++i) {
        const event_view ev = get(i);
        if (reordered) {
            // One customer's events at one time: applied in an order the model allows (portfolio/same_time.hpp).
            std::size_t end = i + 1;
            while (end < n) {
                const event_view next = get(end);
                if (next.time != ev.time || next.customer_id != ev.customer_id) break;
                ++end;
            }
            if (end - i > 1 && apply_same_time(i, end, get, batch, skip_bad, where, *reordered)) {
                i = end - 1;
                continue;
            }
        }
        if (!skip_bad) {
            try {
                apply_unguarded(ev, batch);
            } catch (const error &e) {
                if (!where) throw;
                rethrow_with(e, where(i));
            }
            continue;
        }
        undo one(*this, &batch);
        try {
            apply_unguarded(ev, one);
            one.commit_into(batch);
        } catch (const error &e) {
            rejected.push_back({i, e.code(), where ? where(i) + ": " + e.what() : e.what()});
        }
    }
    if (finish) finish(rejected);
    batch.commit();
    return rejected;
}

template <class Body>
void portfolio::atomically(Body &&body) {
    if (open_) {
        body();
        return;
    }
    undo all(*this);
    struct closing {
        undo *&open;
        ~closing() { open = nullptr; }
    } close{open_};
    open_ = &all;
    body();
    all.commit();
}

inline std::uint32_t portfolio::customer_for(std::string_view id, std::optional<std::uint32_t> existing, undo &u) {
    if (existing) {
        u.save(*existing);
        return *existing;
    }
    if (customers_.size() >= none32 - 1) throw invalid_argument("too many customers");
    string_id s = pool_.intern(id);
    customer_state st;
    st.id = s;
    customers_.push_back(st);
    for (auto &pos : positions_) pos.emplace_back();
    if (customer_of_string_.size() <= s) customer_of_string_.resize(std::size_t(s) + 1, none32);
    customer_of_string_[s] = std::uint32_t(customers_.size() - 1);
    return std::uint32_t(customers_.size() - 1);
}

inline std::size_t portfolio::slot_for(const event_view &ev) const {
    if (!ev.model.empty()) return model_slot(ev.model);
    if (models_.size() == 1) return 0;
    if (models_.empty()) throw not_found("customer '" + std::string(ev.customer_id) + "': the portfolio has no model for a " + to_string(ev.type) + " event");
    throw invalid_argument("customer '" + std::string(ev.customer_id) + "': the portfolio has several models, so a " +
                           to_string(ev.type) + " event must name its model");
}

inline void portfolio::apply_unguarded(const event_view &ev, undo &u) {
    if (ev.customer_id.empty()) throw invalid_argument("an event needs a customer id");
    if (!ev.text_checked)
        for (std::string_view s : {ev.customer_id, ev.value, ev.model, ev.manager, ev.reason, ev.note, ev.account})
            if (!valid_utf8(s))
                throw invalid_argument("customer '" + (valid_utf8(ev.customer_id) ? std::string(ev.customer_id) : std::string("(invalid UTF-8)")) +
                                       "': event text is not valid UTF-8");
    bool needs_value = ev.type != event_type::contact && ev.type != event_type::next_step;
    if (needs_value && ev.value.empty())
        throw invalid_argument("customer '" + std::string(ev.customer_id) + "': a " + to_string(ev.type) + " event needs a value");
    if (ev.amount && !valid_amount(*ev.amount, ev.type == event_type::purchase)) // numbers.hpp: finite, |x| <= 1e12, < 0 only as a refund
        throw invalid_argument("customer '" + std::string(ev.customer_id) + "': " + (ev.type == event_type::purchase ? "purchase " : "") +
                               "amount must be a finite number, at most 1e12 in magnitude, negative only on a purchase (a refund)");
    if ((ev.type == event_type::attribute || ev.type == event_type::score) && ev.value.find('=') == std::string::npos)
        throw invalid_argument("customer '" + std::string(ev.customer_id) + "': a " + to_string(ev.type) + " event's value must be key=value, got '" + std::string(ev.value) + "'");
    if (ev.type == event_type::score) {
        if (!parse_decimal_in(ev.value.substr(ev.value.find('=') + 1), -max_score, max_score)) // numbers.hpp
            throw invalid_argument("customer '" + std::string(ev.customer_id) + "': score '" + std::string(ev.value) + "' needs a number after '='");
    }

    std::size_t m = 0;
    stage_index to = no_stage;
    bool is_move = ev.type == event_type::stage || ev.type == event_type::event;
    if (!is_move && !ev.model.empty()) model_slot(ev.model); // a row naming an unknown model is refused whatever its type
    std::optional<std::uint32_t> existing =
        ev.customer_memo && *ev.customer_memo != none32 ? std::optional<std::uint32_t>(*ev.customer_memo) : find_customer(ev.customer_id);
    // A late event (older than the customer's last one) is folded in at its
    // time (portfolio/late.hpp): it is checked against the customer's state as
    // of then, and the later events are re-checked after it.
    const bool late = existing && customers_[*existing].last_event != none32 && ev.time < customers_[*existing].last_time;
    if (late && strict_time_order_ && !replaying_) throw out_of_order(ev.customer_id, ev.time, customers_[*existing].last_time);
    membership before; // a late move's membership in its model as of its time
    if (is_move) {
        m = slot_for(ev);
        const model &mdl = *models_[m];
        membership cur = existing ? (late ? position_as_of(*existing, m, ev.time) : positions_[m][*existing]) : membership{};
        before = cur;
        if (ev.type == event_type::stage) {
            auto s = mdl.find_stage(ev.value);
            if (!s) throw not_found("customer '" + std::string(ev.customer_id) + "': model '" + mdl.id() + "' has no stage '" + std::string(ev.value) + "'");
            to = *s;
        } else {
            if (cur.stage == no_stage)
                throw not_in_model(ev.customer_id, mdl, ev.value);
            auto e = mdl.find_event(ev.value);
            if (!e) throw not_found("customer '" + std::string(ev.customer_id) + "': model '" + mdl.id() + "' has no event '" + std::string(ev.value) + "'");
            to = mdl.next(cur.stage, *e);
            if (to == no_stage)
                throw no_transition_on(ev.customer_id, mdl, cur.stage, ev.value);
        }
        if (cur.stage != no_stage && cur.stage != to) {
            auto t = mdl.transition_between(cur.stage, to);
            if (t == no_transition)
                throw illegal_transition("customer '" + std::string(ev.customer_id) + "' in model '" + mdl.id() + "': no transition from '" +
                                         mdl.stage_at(cur.stage).id + "' to '" + mdl.stage_at(to).id + "'");
            if (!replaying_) check_move(*existing, ev.customer_id, ev.time, ev.reason, m, cur.stage, to, t, cur.entered, ev.note);
        }
    }

    std::uint32_t c = customer_for(ev.customer_id, existing, u);
    if (!ev.account.empty()) {
        // The `account` column: an account change is an attribute event of its own,
        // journaled just before this one, so that as-of queries, exports and saves
        // see it as if the log had an `account=NAME` row.
        const string_id acc = pool_.intern(ev.account);
        if ((late ? account_at(c, ev.time) : customers_[c].account) != acc) {
            std::string kv = "account=";
            kv += ev.account;
            journal_event ae;
            ae.time = ev.time;
            ae.customer = c;
            ae.type = event_type::attribute;
            ae.value = pool_.intern(kv);
            if (kv_parts_.size() < pool_.size()) kv_parts_.resize(pool_.size());
            kv_parts_[ae.value] = {pool_.intern("account"), acc};
            link(ae, c, late);
            if (!late) customers_[c].account = acc;
        }
    }
    journal_event je;
    je.time = ev.time;
    je.customer = c;
    je.type = is_move ? event_type::stage : ev.type;
    je.via = ev.via;
    je.value = is_move ? std::uint32_t(to) : pool_.intern(ev.value);
    if (ev.type == event_type::attribute || ev.type == event_type::score) {
        // Split once here so that policies compare keys and values as integers.
        auto eq = ev.value.find('=');
        string_id key = pool_.intern(std::string_view(ev.value).substr(0, eq));
        string_id val = pool_.intern(std::string_view(ev.value).substr(eq + 1));
        if (kv_parts_.size() < pool_.size()) kv_parts_.resize(pool_.size());
        kv_parts_[je.value] = {key, val};
        if (!late && ev.type == event_type::attribute && std::string_view(ev.value).substr(0, eq) == "account") customers_[c].account = val;
    }
    if (is_move) je.model = std::uint16_t(m);
    bool has_detail = ev.amount || ev.due || !ev.manager.empty() || !ev.reason.empty() || !ev.note.empty();
    if (has_detail) {
        event_detail d;
        if (ev.amount) {
            d.amount = *ev.amount;
            d.has_amount = true;
        }
        if (ev.due) {
            d.due = *ev.due;
            d.has_due = true;
        }
        d.manager = pool_.intern(ev.manager);
        d.reason = pool_.intern(ev.reason);
        d.note = pool_.intern(ev.note);
        const std::size_t e = journal_.size(); // the index this event will have
        if (has_detail_.size() <= e / 64) has_detail_.resize(e / 64 + 1 + has_detail_.size() / 2, 0);
        details_.push_back(d);
        detail_event_.push_back(std::uint32_t(e));
        has_detail_[e / 64] |= std::uint64_t(1) << (e % 64);
    }
    const std::uint32_t index = link(je, c, late);
    if (late) {
        // Re-check the later events; nothing changes past this call unless they pass.
        membership after = is_move ? refold_after_late(c, index, m, before, ev.customer_id) : membership{};
        if (is_move) positions_[m][c] = after;
        customers_[c].account = account_at(c, customers_[c].last_time);
    } else if (is_move) {
        membership &pos = positions_[m][c];
        if (pos.stage == no_stage) pos.first_event = index;
        if (pos.stage != to) {
            pos.stage = to;
            pos.entered = ev.time;
            if (pos.moves < 0xFFFF) ++pos.moves;
        }
    }
    if (ev.customer_memo) *ev.customer_memo = c; // only once nothing can fail any more
}

} // namespace clm
