/// @file policy/explain-inl.hpp
/// Explaining a recommendation: each matched fact as a structured reason
/// (policy/reason.hpp) and as text in the portfolio's locale ("days since last
/// contact 16 >= 14"), the document, goal, product and stage task of the action.
#pragma once

#include <clm/policy/compiled_policy.hpp>
#include <clm/policy/message_format.hpp>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace clm {

CLM_INLINE std::vector<std::string> compiled_policy::explain(const recommendation &rec) const {
    std::vector<std::string> out;
    out.reserve(rec.matched_count);
    for (std::size_t i = 0; i < rec.matched_count; ++i) out.push_back(text_of(describe(leaves_[rec.matched[i].leaf], rec.matched[i], rec)));
    return out;
}

CLM_INLINE std::string compiled_policy::document(const recommendation &rec) const {
    const action &a = pol_->rules[rec.rule].then;
    if (!a.document.empty()) return a.document;
    if (a.kind != "send_document" && a.kind != "follow_up") return {};
    for (std::size_t i = 0; i < rec.matched_count; ++i)
        if (rec.matched[i].subject) return p_.text(rec.matched[i].subject);
    return {};
}

CLM_INLINE std::string compiled_policy::goal(const recommendation &rec, const customer_facts &f) const {
    const action &a = pol_->rules[rec.rule].then;
    std::string stage_id, task;
    if (rec.model_slot < f.stages.size() && f.stages[rec.model_slot].stage != no_stage) {
        const stage &s = p_.model_at(rec.model_slot).stage_at(f.stages[rec.model_slot].stage);
        stage_id = s.id;
        task = s.task;
    }
    const std::string &own = a.localized_goal.empty() ? a.goal : a.localized_goal.in(locale(), pol_->locales.default_locale());
    std::string g = own.empty() ? task : own;
    auto replace = [&](const std::string &key, const std::string &val) {
        for (std::size_t pos = g.find(key); pos != std::string::npos; pos = g.find(key, pos + val.size())) g.replace(pos, key.size(), val);
    };
    replace("{stage}", stage_id);
    replace("{task}", task);
    replace("{product}", product(rec, f));
    return g;
}

CLM_INLINE std::string compiled_policy::product(const recommendation &rec, const customer_facts &f) const {
    const action &a = pol_->rules[rec.rule].then;
    if (!a.product.empty()) return a.product;
    if (auto id = p_.find_text("product"))
        if (const string_id *v = f.attribute(*id)) return p_.text(*v);
    return {};
}

CLM_INLINE std::string compiled_policy::task(const recommendation &rec, const customer_facts &f) const {
    if (rec.model_slot < f.stages.size() && f.stages[rec.model_slot].stage != no_stage)
        return p_.model_at(rec.model_slot).stage_at(f.stages[rec.model_slot].stage).task;
    return {};
}

CLM_INLINE const std::string &compiled_policy::locale() const noexcept {
    static const std::string english = "en";
    return p_.model_count() ? p_.model_at(0).locale() : english;
}

CLM_INLINE std::vector<reason> compiled_policy::reasons(const recommendation &rec) const {
    std::vector<reason> out;
    out.reserve(rec.matched_count);
    for (std::size_t i = 0; i < rec.matched_count; ++i) out.push_back(describe(leaves_[rec.matched[i].leaf], rec.matched[i], rec));
    return out;
}

CLM_INLINE std::string compiled_policy::text_of(const reason &r) const { return reason_text(r, *pol_, locale()); }

CLM_INLINE std::string compiled_policy::why(const recommendation &rec) const {
    const rule &ru = pol_->rules[rec.rule];
    return ru.localized_description.empty() ? ru.description : ru.localized_description.in(locale(), pol_->locales.default_locale());
}

CLM_INLINE reason compiled_policy::describe(const leaf_info &li, const matched_fact &m, const recommendation &rec) const {
    const condition &c = *li.src;
    const double value = m.value;
    const deal_odds *odds_ = current_odds(); // the forecast of the date evaluated last, for the figures
    // The operator as the text writes it (to_string(op_kind) is the JSON spelling, "not_in").
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not in", "has", "lacks", "exists", "missing", "planned", "overdue", "true"};
    reason r;
    r.fact = c.fact;
    r.op = c.op;
    r.threshold_list = c.strings;
    if (p_.model_count() > 1) r.model = p_.model_at(rec.model_slot).id();
    auto arg = [&](const char *name, arg_form form, double number, std::string text = {}) {
        r.args.push_back(message_arg{name, form, number, std::move(text)});
    };
    auto text_arg = [&](const char *name, std::string text, arg_form form = arg_form::text) { arg(name, form, 0, std::move(text)); };
    // The common shape "{actual} {op} {threshold}": the fact's value (`actual_form`) against the condition's number.
    auto compared = [&](const char *id, arg_form actual_form, double actual) {
        r.id = id;
        r.actual = value;
        r.threshold = c.number;
        arg("actual", actual_form, actual);
        text_arg("op", ops[int(c.op)], arg_form::op);
        arg("threshold", arg_form::number, c.number);
    };
    auto list = [&] {
        std::string s;
        for (const auto &x : c.strings) s += (s.empty() ? "" : ", ") + x;
        return c.strings.size() == 1 ? s : "[" + s + "]";
    };
    // "{actual} {op} {threshold}" where the actual is a name and the threshold a list of names.
    auto named = [&](const char *id, std::string actual, arg_form actual_form = arg_form::text) {
        r.id = id;
        r.actual_text = actual;
        text_arg("actual", std::move(actual), actual_form);
        text_arg("op", ops[int(c.op)], arg_form::op);
        text_arg("threshold", list());
    };
    // The channel a contact fact looks at: "" for any, "preferred", or the channel's name.
    auto via = [&] { text_arg("via", li.any_channel ? std::string() : li.preferred ? std::string("preferred") : std::string(to_string(li.via)), arg_form::via); };
    auto subject = [&](std::string s) {
        r.subject = s;
        text_arg("subject", std::move(s));
    };
    text_arg("model", r.model, arg_form::model);
    switch (c.fact) {
    case fact_kind::stage:
        if (c.op == op_kind::ne || c.op == op_kind::not_in) {
            r.id = "stage.not";
            text_arg("op", ops[int(c.op)], arg_form::op);
            text_arg("threshold", list());
        } else {
            r.id = "stage";
            r.actual_text = p_.model_at(rec.model_slot).stage_at(stage_index(value)).id;
            text_arg("actual", r.actual_text);
        }
        break;
    case fact_kind::stage_kind:
        r.id = "stage_kind";
        r.actual_text = to_string(stage_kind(int(value)));
        text_arg("stage", rec.stage == no_stage ? std::string("?") : p_.model_at(rec.model_slot).stage_at(rec.stage).id);
        text_arg("actual", r.actual_text, arg_form::word);
        break;
    case fact_kind::days_in_stage:
        compared("days_in_stage", arg_form::number, value);
        if (c.against_time_limit && rec.stage != no_stage) {
            const auto &lim = p_.model_at(rec.model_slot).stage_at(rec.stage).time_limit_days;
            r.id = "days_in_stage.time_limit";
            r.threshold = lim ? double(*lim) : std::numeric_limits<double>::quiet_NaN();
            r.args.back() = message_arg{"threshold", arg_form::text, 0, lim ? std::to_string(*lim) : std::string("?")};
        }
        if (c.against_p90) {
            r.id = "days_in_stage.p90_unknown";
            r.threshold = std::numeric_limits<double>::quiet_NaN();
            r.args.pop_back();
            if (const stage_odds *so = odds_ ? odds_->stage(rec.model_slot, rec.stage) : nullptr; so && so->p90_days) {
                r.id = "days_in_stage.p90";
                r.threshold = double(*so->p90_days);
                arg("threshold", arg_form::days, r.threshold);
                text_arg("stays", std::to_string(so->completed));
            }
        }
        break;
    case fact_kind::days_since_contact:
        via();
        if (c.op == op_kind::missing || (c.op != op_kind::exists && value >= 1e9)) r.id = "never_contacted";
        else if (c.op == op_kind::exists) {
            r.id = "contacted_before";
            r.actual = value;
            arg("actual", arg_form::days, value);
        } else compared("days_since_contact", arg_form::number, value);
        break;
    case fact_kind::customer_class:
        if (value) named("class", class_text(string_id(value)));
        else named("class", "none", arg_form::word), r.actual_text.clear();
        break;
    case fact_kind::manager:
        if (value) named("manager", p_.text(string_id(value)));
        else named("manager", "none", arg_form::word), r.actual_text.clear();
        break;
    case fact_kind::tag:
        r.id = c.op == op_kind::has ? "tag.has" : "tag.lacks";
        text_arg("threshold", list());
        break;
    case fact_kind::attribute:
        subject(c.name);
        if (c.op == op_kind::exists || c.op == op_kind::missing) r.id = c.op == op_kind::exists ? "attribute.exists" : "attribute.missing";
        else if (li.string_compare) named("attribute.text", p_.text(string_id(value)));
        else compared("attribute", arg_form::number, value);
        break;
    case fact_kind::score:
        subject(c.name);
        compared("score", arg_form::number, value);
        break;
    case fact_kind::kpi_deviation:
        subject(c.name);
        compared("kpi_deviation", arg_form::number, value * 100);
        r.args.back().number = c.number * 100; // the text shows percentages; the record keeps the fractions
        break;
    case fact_kind::control_point_overdue:
    case fact_kind::control_point_due_in: {
        const bool overdue = c.fact == fact_kind::control_point_overdue;
        const std::string k = !c.kind.empty() ? c.kind : m.subject ? p_.text(m.subject) : std::string();
        if (!k.empty()) subject(k);
        if (overdue) {
            r.id = "control_point_overdue";
            r.actual = -value;
            arg("actual", arg_form::days, -value);
        } else compared("control_point_due_in", arg_form::days, value);
        if (k.empty()) r.id += ".any";
        break;
    }
    case fact_kind::next_step:
        if (c.op == op_kind::missing) r.id = "next_step.missing";
        else if (c.op == op_kind::planned) r.id = "next_step.planned";
        else {
            r.id = "next_step.overdue";
            r.actual = -value;
            arg("actual", arg_form::days, -value);
        }
        break;
    case fact_kind::birthday_in: compared("birthday_in", arg_form::days, value); break;
    case fact_kind::anniversary_in: compared("anniversary_in", arg_form::days, value); break;
    case fact_kind::holiday_in:
        compared(m.subject ? "holiday_in" : "holiday_in.any", arg_form::days, value);
        if (m.subject) subject(holiday_name(m.subject - 1));
        break;
    case fact_kind::purchases_declined:
        r.id = "purchases_declined";
        r.actual = value;
        r.threshold = c.days;
        arg("window", arg_form::days, c.days);
        arg("actual", arg_form::number, value);
        text_arg("window_number", std::to_string(c.days));
        break;
    case fact_kind::purchases_in:
        compared("purchases_in", arg_form::number, value);
        arg("window", arg_form::days, c.days);
        break;
    case fact_kind::done_within:
        subject(c.kind);
        compared("done_within", arg_form::days, value);
        break;
    case fact_kind::recorded:
        subject(c.kind);
        r.id = c.op == op_kind::exists ? "recorded.exists" : "recorded.missing";
        break;
    case fact_kind::was_customer:
        r.id = value == 0 ? "was_customer.won" : "was_customer.purchases";
        if (value != 0) {
            r.actual = value;
            arg("actual", arg_form::purchases, value);
        }
        break;
    case fact_kind::purchase_gap_ratio: compared("purchase_gap_ratio", arg_form::number, value); break;
    case fact_kind::check_trend: compared("check_trend", arg_form::number, value); break;
    case fact_kind::repeat_buyer:
        r.id = "repeat_buyer";
        r.actual = value;
        arg("actual", arg_form::number, value);
        break;
    case fact_kind::p_won: {
        compared("p_won.no_rate", arg_form::percent, value);
        r.args.back().form = arg_form::percent;
        if (const stage_odds *so = odds_ ? odds_->stage(rec.model_slot, rec.stage) : nullptr) {
            r.id = "p_won";
            arg("rate", arg_form::percent, so->p_win);
        }
        break;
    }
    case fact_kind::p_won_ratio:
        compared("p_won_ratio.no_rate", arg_form::number, std::round(value * 100) / 100);
        if (const stage_odds *so = odds_ ? odds_->stage(rec.model_slot, rec.stage) : nullptr) {
            r.id = "p_won_ratio";
            arg("p_won", arg_form::percent, value * so->p_win);
            arg("rate", arg_form::percent, so->p_win);
        }
        break;
    case fact_kind::recorded_since_contact:
        subject(c.kind);
        via();
        r.id = c.op == op_kind::exists ? "recorded_since_contact.exists" : "recorded_since_contact.missing";
        if (value < 0) r.id += ".never_contacted";
        else {
            r.actual = value;
            arg("actual", arg_form::days, value);
        }
        break;
    case fact_kind::stage_due_in:
        if (value < 0) {
            r.id = "stage_due_in.passed";
            r.actual = -value;
            arg("actual", arg_form::days, -value);
        } else compared("stage_due_in", arg_form::days, value);
        break;
    }
    return r;
}

} // namespace clm
