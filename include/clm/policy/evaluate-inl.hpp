/// @file policy/evaluate-inl.hpp
/// Evaluating a compiled policy for one customer's facts: the candidate rules,
/// each rule's condition tree and leaves, the score of what fired, the best
/// few kept. The hot path of recommend_all(): no allocation once warm.
#pragma once

#include <clm/policy/compiled_policy.hpp>

#include <gsl/util>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <vector>

namespace clm {

CLM_INLINE void compiled_policy::fire(const customer_facts &f, std::vector<recommendation> &out, bool account_only) const {
    const std::size_t first = out.size();
    if (select_) {
        // Only the rules that can fire for this customer's stages and class, in rule order.
        std::array<std::uint64_t, max_select_words> cand;
        candidates(f, cand.data());
        for (std::size_t w = 0; w < words_; ++w)
            for (std::uint64_t bits = cand[w]; bits; bits &= bits - 1) {
                const std::size_t r = w * 64 + std::size_t(__builtin_ctzll(bits));
                if (!account_only || pol_->rules[r].scope == rule_scope::account) evaluate_rule(r, f, out);
            }
    } else {
        for (std::size_t r = 0; r < roots_.size(); ++r)
            if (!account_only || pol_->rules[r].scope == rule_scope::account) evaluate_rule(r, f, out);
    }
    // An account's action is carried by one of its deals (policy_context): the
    // others leave it out, so that the account hears it once.
    if (account_rules_ && f.account != 0 && f.context && f.context->carriers_known) {
        auto keep = out.begin() + std::ptrdiff_t(first);
        for (auto i = keep; i != out.end(); ++i)
            if (i->scope != rule_scope::account || f.context->carrier(f.account, identity(*i)) == f.customer) *keep++ = *i;
        out.erase(keep, out.end());
    }
    // Best first, stable by rule order for ties. The usual few are
    // insertion-sorted: std::stable_sort allocates a buffer. (From `begin`,
    // not `begin + 1`: that is past the end, or null, when none fired.)
    auto begin = out.begin() + std::ptrdiff_t(first);
    if (out.end() - begin <= 32) {
        for (auto i = begin; i < out.end(); ++i) {
            recommendation x = *i;
            auto j = i;
            for (; j != begin && (j - 1)->score < x.score; --j) *j = *(j - 1);
            *j = x;
        }
    } else {
        std::stable_sort(begin, out.end(), [](const recommendation &a, const recommendation &b) { return a.score > b.score; });
    }
}

CLM_INLINE void compiled_policy::evaluate(const customer_facts &f, std::vector<recommendation> &out, std::size_t per_customer) const {
    const std::size_t first = out.size();
    fire(f, out, false);
    // Merge the rules that say the same (same identity) into the best-ranked
    // one: the actions are compacted to the front, best first.
    std::size_t actions = 0;
    for (std::size_t i = first; i < out.size(); ++i) {
        const recommendation x = out[i];
        const std::uint16_t id = identity(x);
        bool merged = false;
        for (std::size_t j = first; j < first + actions && !merged; ++j)
            if (identity(out[j]) == id) {
                if (out[j].merged_count < 0xFF) ++out[j].merged_count;
                merged = true;
            }
        if (!merged) out[first + actions++] = x;
    }
    const std::size_t keep = std::min(actions, per_customer ? per_customer : std::size_t(pol_->per_customer_limit));
    for (std::size_t k = first; k < first + keep; ++k) out[k].alternatives = std::uint16_t(std::min<std::size_t>(actions - keep, 0xFFFF));
    out.resize(first + keep);
}

CLM_INLINE void compiled_policy::candidates(const customer_facts &f, std::uint64_t *cand) const {
    for (std::size_t w = 0; w < words_; ++w) cand[w] = always_[w];
    const std::size_t models = std::min(f.stages.size(), stage_rules_.size());
    for (std::size_t m = 0; m < models; ++m) {
        const std::size_t row = std::size_t(f.stages[m].stage) * words_;
        const auto &rules = stage_rules_[m];
        if (row < rules.size())
            for (std::size_t w = 0; w < words_; ++w) cand[w] |= rules[row + w];
    }
    for (std::size_t k = 0; k < class_ids_.size(); ++k)
        if (class_ids_[k] == f.customer_class) {
            for (std::size_t w = 0; w < words_; ++w) cand[w] |= class_rules_[k * words_ + w];
            break;
        }
}

CLM_INLINE void compiled_policy::evaluate_rule(std::size_t r, const customer_facts &f, std::vector<recommendation> &out) const {
    recommendation rec;
    rec.customer = f.customer;
    rec.rule = gsl::narrow_cast<std::uint16_t>(r); // parse_policy() allows at most 60000 rules
    rec.scope = pol_->rules[r].scope;
    rec.account = f.account;
    double overdue = 0;
    if (!eval(roots_[r], f, rec, overdue)) return;
    finish(rec, f, overdue);
    out.push_back(rec);
}

CLM_INLINE bool compiled_policy::eval_leaf(const leaf_info &li, const customer_facts &f, double &value, double &overdue, int &slot, string_id &subject) const {
    const condition &c = *li.src;
    switch (c.fact) {
    case fact_kind::stage: {
        // The first model, by id, in which the customer is in one of the stages.
        bool in = false;
        for (std::size_t m : order_)
            for (const auto &[sm, st] : li.stages)
                if (!in && sm == m && f.stages[m].stage == st) {
                    in = true;
                    slot = int(m);
                    value = st;
                }
        if (!in && (c.op == op_kind::ne || c.op == op_kind::not_in)) slot = slot_for(li, f);
        return set_op(c.op, in);
    }
    case fact_kind::stage_kind:
    case fact_kind::days_in_stage:
    case fact_kind::p_won:
    case fact_kind::p_won_ratio:
    case fact_kind::stage_due_in: {
        // A condition that names its model looks there; one that does not holds
        // when it holds in some model the customer is in, looked at by model id.
        if (li.slot >= 0) {
            if (f.stages[std::size_t(li.slot)].stage == no_stage || !eval_in_model(li, f, std::size_t(li.slot), value, overdue)) return false;
            slot = li.slot;
            return true;
        }
        for (std::size_t m : order_)
            if (f.stages[m].stage != no_stage) {
                double v = 0, od = 0;
                if (eval_in_model(li, f, m, v, od)) {
                    value = v;
                    overdue = od;
                    slot = int(m);
                    return true;
                }
            }
        return false;
    }
    case fact_kind::days_since_contact: {
        std::int64_t d = f.days_since_contact;
        if (!li.any_channel) {
            channel ch = li.preferred ? f.preferred : li.via;
            if (li.preferred && ch == channel::none) return false;
            d = f.days_since_contact_by[std::size_t(ch)];
        }
        // Never contacted: as long as the customer is known, i.e. overdue by any measure.
        value = d == no_days ? 1e9 : double(d);
        if (c.op == op_kind::exists) return d != no_days;
        if (c.op == op_kind::missing) return d == no_days;
        overdue = d == no_days ? 30 : value - c.number;
        return compare(c.op, value, c.number);
    }
    case fact_kind::customer_class:
        value = f.customer_class;
        return set_op(c.op, f.customer_class != 0 && member(li.ids, f.customer_class));
    case fact_kind::manager:
        value = f.manager;
        return set_op(c.op, f.manager != 0 && member(li.ids, f.manager));
    case fact_kind::tag: {
        bool has = false;
        for (auto t : li.ids)
            if (f.has_tag(t)) has = true;
        return c.op == op_kind::has ? has : !has;
    }
    case fact_kind::attribute: {
        const string_id *v = li.name == none32 ? nullptr : f.attribute(li.name);
        if (c.op == op_kind::exists) return v != nullptr;
        if (c.op == op_kind::missing) return v == nullptr;
        if (!v) return false;
        if (li.string_compare) {
            value = *v;
            return set_op(c.op, member(li.ids, *v));
        }
        const std::string &text = p_.text(*v);
        char *end = nullptr;
        value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0') return false;
        return compare(c.op, value, c.number);
    }
    case fact_kind::score: {
        const double *v = li.name == none32 ? nullptr : f.score(li.name);
        if (!v) return false;
        value = *v;
        return compare(c.op, value, c.number);
    }
    case fact_kind::kpi_deviation: {
        const string_id *plan = li.plan == none32 ? nullptr : f.attribute(li.plan);
        const string_id *actual = li.actual == none32 ? nullptr : f.attribute(li.actual);
        if (!plan || !actual) return false;
        double pl = std::strtod(p_.text(*plan).c_str(), nullptr), ac = std::strtod(p_.text(*actual).c_str(), nullptr);
        if (pl == 0) return false;
        value = std::fabs(ac - pl) / std::fabs(pl);
        return compare(c.op, value, c.number);
    }
    case fact_kind::control_point_overdue:
    case fact_kind::control_point_due_in: {
        // Overdue: the most overdue point. Due in: the soonest point not yet overdue
        // (an overdue point is not "due in" anything; control_point_overdue covers it).
        const bool due_in = c.fact == fact_kind::control_point_due_in;
        bool found = false;
        std::int64_t best = 0;
        string_id best_kind = 0;
        for (const auto &cp : f.control_points) {
            if (li.kind != none32 && cp.kind != li.kind) continue;
            if (!c.kind.empty() && li.kind == none32) continue;
            if (cp.days_to_due == no_days) continue;
            if (due_in && cp.days_to_due < 0) continue;
            if (!found || cp.days_to_due < best) {
                best = cp.days_to_due;
                best_kind = cp.kind;
            }
            found = true;
        }
        if (!found) return false;
        value = double(best);
        subject = best_kind;
        if (c.fact == fact_kind::control_point_overdue) {
            overdue = -value;
            return best < 0;
        }
        return compare(c.op, value, c.number);
    }
    case fact_kind::next_step:
        if (c.op == op_kind::missing) {
            overdue = 0;
            return !f.has_next_step;
        }
        if (c.op == op_kind::planned) return f.has_next_step;
        if (!f.has_next_step || f.next_step_days_to_due == no_days) return false;
        value = double(f.next_step_days_to_due);
        overdue = -value;
        return f.next_step_days_to_due < 0;
    case fact_kind::birthday_in:
    case fact_kind::anniversary_in: {
        string_id attr = c.fact == fact_kind::birthday_in ? birthday_attr_ : anniversary_attr_;
        const string_id *v = attr == none32 ? nullptr : f.attribute(attr);
        if (!v) return false;
        auto t = parse_timestamp(p_.text(*v));
        if (!t) return false;
        value = double(days_to_next_anniversary(*t, f.as_of_day));
        return compare(c.op, value, c.number);
    }
    case fact_kind::holiday_in: {
        const auto &cal = calendar_of(f);
        if (cal.empty()) return false;
        std::int64_t best = 400;
        for (std::uint32_t k : cal) {
            const std::int64_t d = holidays_[k]->days_until(f.as_of_day);
            if (d < best) {
                best = d;
                subject = k + 1; // the holiday, for the explanation
            }
        }
        value = double(best);
        return compare(c.op, value, c.number);
    }
    case fact_kind::purchases_declined:
    case fact_kind::purchases_in: {
        double recent = 0, before = 0;
        std::size_t n_recent = 0;
        for (const auto &pu : f.purchases) {
            std::int64_t age = f.as_of_day - pu.day;
            if (age < c.days) {
                recent += pu.amount;
                ++n_recent;
            } else if (age < 2 * std::int64_t(c.days)) {
                before += pu.amount;
            }
        }
        if (c.fact == fact_kind::purchases_in) {
            value = double(n_recent);
            return compare(c.op, value, c.number);
        }
        value = recent;
        overdue = before > 0 ? (before - recent) / before * 10 : 0;
        return before > 0 && recent < before;
    }
    case fact_kind::done_within: {
        for (const auto &d : f.done)
            if (li.kind != none32 && d.first == li.kind) {
                value = double(f.as_of_day - d.second);
                return compare(c.op, value, c.number);
            }
        return false;
    }
    case fact_kind::recorded: {
        const bool has = li.kind != none32 && f.has_item(li.kind);
        return c.op == op_kind::exists ? has : !has;
    }
    case fact_kind::was_customer:
        // 0: reached a won stage; otherwise the number of purchases (for the explanation).
        value = f.reached_won ? 0.0 : double(f.purchases.size());
        return f.reached_won || !f.purchases.empty();
    case fact_kind::repeat_buyer: {
        // Purchases on two different days at least: a one-off buyer never "sleeps".
        std::size_t days = 0;
        for (std::size_t i = 0; i < f.purchases.size(); ++i)
            if (i == 0 || f.purchases[i].day != f.purchases[i - 1].day) ++days;
        value = double(days);
        return days >= 2;
    }
    case fact_kind::purchase_gap_ratio: {
        // Irregular: the wait since the last purchase against the usual interval.
        std::size_t n = f.purchases.size();
        if (n < 2 || f.purchases[n - 1].day == f.purchases[0].day) return false;
        const double usual = double(f.purchases[n - 1].day - f.purchases[0].day) / double(n - 1);
        value = double(f.as_of_day - f.purchases[n - 1].day) / usual;
        return compare(c.op, value, c.number);
    }
    case fact_kind::check_trend: {
        // The average check: newer half against older half (the middle one, of an odd count, in neither).
        std::size_t n = f.purchases.size();
        if (n < 2) return false;
        double older = 0, newer = 0;
        for (std::size_t i = 0; i < n / 2; ++i) {
            older += f.purchases[i].amount;
            newer += f.purchases[n - 1 - i].amount;
        }
        if (!(older > 0)) return false;
        value = newer / older;
        return compare(c.op, value, c.number);
    }
    case fact_kind::recorded_since_contact: {
        // Recorded on or after the day of the last contact (on the channel, when given).
        std::int64_t since = f.days_since_contact;
        if (!li.any_channel) since = f.days_since_contact_by[std::size_t(li.preferred ? f.preferred : li.via)];
        bool has = false;
        if (since != no_days && li.kind != none32)
            for (std::size_t i = 0; i < f.items.size(); ++i)
                if (f.items[i] == li.kind && f.item_days[i] >= f.as_of_day - since) has = true;
        value = since == no_days ? -1 : double(since);
        return c.op == op_kind::exists ? has : !has;
    }
    }
    return false;
}

CLM_INLINE bool compiled_policy::eval_in_model(const leaf_info &li, const customer_facts &f, std::size_t s, double &value, double &overdue) const {
    const condition &c = *li.src;
    const stage_fact &sf = f.stages[s];
    switch (c.fact) {
    case fact_kind::stage_kind: {
        const stage_kind k = p_.model_at(s).stage_at(sf.stage).kind;
        bool in = false;
        for (auto x : li.kinds)
            if (x == k) in = true;
        value = double(int(k));
        return set_op(c.op, in);
    }
    case fact_kind::days_in_stage: {
        double threshold = c.number;
        if (c.against_time_limit) {
            const auto &lim = p_.model_at(s).stage_at(sf.stage).time_limit_days;
            if (!lim) return false;
            threshold = *lim;
        } else if (c.against_p90) {
            const stage_odds *so = f.context && f.context->odds ? f.context->odds->stage(s, sf.stage) : nullptr;
            if (!so || !so->p90_days) return false; // too few completed stays to say
            threshold = double(*so->p90_days);
        }
        value = double(sf.days_in_stage);
        overdue = value - threshold;
        return compare(c.op, value, threshold);
    }
    case fact_kind::p_won: {
        const double pw = p_won_in(f, s);
        if (std::isnan(pw)) return false;
        value = pw;
        return compare(c.op, value, c.number);
    }
    case fact_kind::p_won_ratio: {
        const double pw = p_won_in(f, s);
        const stage_odds *so = f.context && f.context->odds ? f.context->odds->stage(s, sf.stage) : nullptr;
        if (std::isnan(pw) || !so || !(so->p_win > 0)) return false;
        value = pw / so->p_win;
        return compare(c.op, value, c.number);
    }
    case fact_kind::stage_due_in:
        if (sf.due_in == no_days) return false;
        value = double(sf.due_in);
        overdue = -value;
        return compare(c.op, value, c.number);
    default: return false;
    }
}

CLM_INLINE double compiled_policy::p_won_in(const customer_facts &f, std::size_t s) const {
    constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
    if (s >= f.stages.size() || f.stages[s].stage == no_stage || !f.context || !f.context->odds) return unknown;
    const deal_odds &o = *f.context->odds;
    if (s >= o.models.size() || !o.models[s].has_won_stage) return unknown;
    const stage_kind k = p_.model_at(s).stage_at(f.stages[s].stage).kind;
    if (k == stage_kind::won) return 1;
    if (is_final(k)) return 0;
    return o.p_won(s, f.customer);
}

CLM_INLINE double compiled_policy::p_won_of(const customer_facts &f, std::size_t slot) const {
    double pw = p_won_in(f, slot);
    for (std::size_t m : order_)
        if (std::isnan(pw)) pw = p_won_in(f, m);
    return pw;
}

CLM_INLINE const std::vector<std::uint32_t> &compiled_policy::calendar_of(const customer_facts &f) const {
    if (calendar_attr_ != none32)
        if (const string_id *v = f.attribute(calendar_attr_))
            for (const auto &[value, cal] : calendar_of_value_)
                if (value == *v) return calendars_[cal];
    return calendars_[default_calendar_];
}

CLM_INLINE bool compiled_policy::eval(std::uint32_t idx, const customer_facts &f, recommendation &rec, double &overdue) const {
    const node &n = nodes_[idx];
    switch (n.type) {
    case condition::type::leaf: {
        double value = 0, od = 0;
        int slot = -1;
        string_id subject = 0;
        if (!eval_leaf(leaves_[n.leaf], f, value, od, slot, subject)) return false;
        if (rec.matched_count < rec.matched.size()) rec.matched[rec.matched_count++] = {std::uint16_t(n.leaf), subject, value};
        if (slot >= 0) rec.model_slot = std::size_t(slot);
        overdue = std::max(overdue, od);
        return true;
    }
    case condition::type::all: {
        for (std::uint32_t i = 0; i < n.count; ++i)
            if (!eval(kids_[n.first + i], f, rec, overdue)) return false;
        return true;
    }
    case condition::type::any: {
        for (std::uint32_t i = 0; i < n.count; ++i) {
            std::uint8_t mark = rec.matched_count;
            if (eval(kids_[n.first + i], f, rec, overdue)) return true;
            rec.matched_count = mark; // a failed branch explains nothing
        }
        return false;
    }
    case condition::type::negate: {
        recommendation scratch = rec;
        double od = 0;
        return !eval(kids_[n.first], f, scratch, od);
    }
    }
    return false;
}

CLM_INLINE void compiled_policy::finish(recommendation &rec, const customer_facts &f, double overdue) const {
    const action &a = pol_->rules[rec.rule].then;
    double weight = pol_->default_class_weight;
    for (const auto &[cls, w] : class_weight_)
        if (cls == f.customer_class) weight = w;
    rec.class_weight = weight;
    rec.urgency = 1 + std::max(0.0, overdue);
    // The deal's value: the newest of a stage row's amount and the value attribute.
    double value = pol_->default_value;
    std::uint32_t newest = none32;
    if (value_attr_ != none32)
        for (std::size_t i = 0; i < f.attributes.size(); ++i)
            if (f.attributes[i].first == value_attr_) {
                char *end = nullptr;
                const std::string &text = p_.text(f.attributes[i].second);
                double x = std::strtod(text.c_str(), &end);
                if (!text.empty() && end && *end == '\0' && std::isfinite(x) && x >= 0) {
                    value = x;
                    newest = f.attribute_events[i];
                }
                break;
            }
    if (f.stage_amount_event != none32 && (newest == none32 || f.stage_amount_event > newest) && std::isfinite(f.stage_amount) && f.stage_amount >= 0)
        value = f.stage_amount;
    rec.value = value;
    if (rec.model_slot >= f.stages.size() || f.stages[rec.model_slot].stage == no_stage) {
        for (std::size_t m : order_)
            if (f.stages[m].stage != no_stage) {
                rec.model_slot = m;
                break;
            }
    }
    rec.stage = rec.model_slot < f.stages.size() ? f.stages[rec.model_slot].stage : no_stage;
    rec.p_won = f.context && f.context->odds ? p_won_of(f, rec.model_slot) : std::numeric_limits<double>::quiet_NaN();
    const double odds = pol_->use_probability && !std::isnan(rec.p_won) ? rec.p_won : 1.0;
    rec.score = a.priority * weight * rec.urgency * value * odds;
    const rule_channel &rc = channels_[rec.rule];
    if (rc.preferred) rec.via = f.preferred != channel::none ? f.preferred : rc.fallback;
    else rec.via = rc.fixed;
    rec.due_day = f.as_of_day + a.due_in_days;
    if (a.kind == "greet") {
        // A greeting is due on its occasion (the birthday, the holiday): the soonest matched.
        bool found = false;
        for (std::size_t i = 0; i < rec.matched_count; ++i) {
            const fact_kind k = leaves_[rec.matched[i].leaf].src->fact;
            if (k != fact_kind::birthday_in && k != fact_kind::anniversary_in && k != fact_kind::holiday_in) continue;
            if (rec.matched[i].value >= 400) continue; // no occurrence within a year (holiday::days_until)
            const std::int64_t day = f.as_of_day + std::int64_t(rec.matched[i].value);
            rec.due_day = found ? std::min(rec.due_day, day) : day;
            found = true;
        }
    }

}

} // namespace clm
