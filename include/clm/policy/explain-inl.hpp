/// @file policy/explain-inl.hpp
/// Explaining a recommendation: each matched fact as text ("days since last
/// contact 16 >= 14"), the document, goal, product and stage task of the action.
#pragma once

#include <clm/policy/compiled_policy.hpp>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace clm {

CLM_INLINE std::vector<std::string> compiled_policy::explain(const recommendation &rec) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < rec.matched_count; ++i) out.push_back(describe(leaves_[rec.matched[i].leaf], rec.matched[i], rec));
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
    std::string g = a.goal.empty() ? task : a.goal;
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

CLM_INLINE std::string compiled_policy::describe(const leaf_info &li, const matched_fact &m, const recommendation &rec) const {
    const condition &c = *li.src;
    const double value = m.value;
    const deal_odds *odds_ = current_odds(); // the forecast of the date evaluated last, for the figures
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not in", "has", "lacks", "exists", "missing", "planned", "overdue", "true"};
    const char *op = ops[int(c.op)];
    auto num = [](double v) {
        char buf[32];
        if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
        else std::snprintf(buf, sizeof buf, "%.2f", v);
        return std::string(buf);
    };
    // A number of days: "1 day", "3 days".
    auto days = [&](double v) { return num(v) + (v == 1 || v == -1 ? " day" : " days"); };
    // A probability as a percentage to a tenth: "63.2%".
    auto pct = [&](double v) { return num(std::round(v * 1000) / 10) + "%"; };
    // The control point a fact is about: the condition's kind, else the one that matched.
    auto point = [&] {
        const std::string k = !c.kind.empty() ? c.kind : m.subject ? p_.text(m.subject) : std::string();
        return k.empty() ? std::string() : " '" + k + "'";
    };
    auto list = [&] {
        std::string s;
        for (const auto &x : c.strings) s += (s.empty() ? "" : ", ") + x;
        return c.strings.size() == 1 ? s : "[" + s + "]";
    };
    std::string model_note = p_.model_count() > 1 ? " (" + p_.model_at(rec.model_slot).id() + ")" : "";
    switch (c.fact) {
    case fact_kind::stage:
        if (c.op == op_kind::ne || c.op == op_kind::not_in) return "stage " + std::string(op) + " " + list();
        return "stage '" + p_.model_at(rec.model_slot).stage_at(stage_index(value)).id + "'" + model_note;
    case fact_kind::stage_kind: {
        std::string st = rec.stage == no_stage ? std::string("?") : p_.model_at(rec.model_slot).stage_at(rec.stage).id;
        return "stage '" + st + "' is " + to_string(stage_kind(int(value))) + model_note;
    }
    case fact_kind::days_in_stage: {
        std::string threshold = num(c.number);
        if (c.against_time_limit && rec.stage != no_stage) {
            const auto &lim = p_.model_at(rec.model_slot).stage_at(rec.stage).time_limit_days;
            threshold = "the time limit " + (lim ? std::to_string(*lim) : std::string("?"));
        }
        if (c.against_p90) {
            threshold = "the 90th percentile of the stage's completed stays";
            if (const stage_odds *so = odds_ ? odds_->stage(rec.model_slot, rec.stage) : nullptr; so && so->p90_days)
                threshold += " (" + days(double(*so->p90_days)) + ", of " + std::to_string(so->completed) + " stays)";
        }
        return "days in stage " + num(value) + " " + op + " " + threshold + model_note;
    }
    case fact_kind::days_since_contact: {
        std::string ch = li.any_channel ? "" : li.preferred ? " (preferred channel)" : std::string(" by ") + to_string(li.via);
        if (c.op == op_kind::missing) return "never contacted" + ch;
        if (c.op == op_kind::exists) return "contacted before" + ch + " (last " + days(value) + " ago)";
        if (value >= 1e9) return "never contacted" + ch;
        return "days since last contact" + ch + " " + num(value) + " " + op + " " + num(c.number);
    }
    case fact_kind::customer_class: return "class " + (value ? class_text(string_id(value)) : std::string("(none)")) + " " + op + " " + list();
    case fact_kind::manager: return "manager " + (value ? p_.text(string_id(value)) : std::string("(none)")) + " " + op + " " + list();
    case fact_kind::tag: return std::string(c.op == op_kind::has ? "has tag " : "lacks tag ") + list();
    case fact_kind::attribute:
        if (c.op == op_kind::exists || c.op == op_kind::missing) return "attribute " + c.name + " " + op;
        if (li.string_compare) return "attribute " + c.name + " = '" + p_.text(string_id(value)) + "' " + op + " " + list();
        return "attribute " + c.name + " " + num(value) + " " + op + " " + num(c.number);
    case fact_kind::score: return "score " + c.name + " " + num(value) + " " + op + " " + num(c.number);
    case fact_kind::kpi_deviation: return "KPI " + c.name + " deviates " + num(value * 100) + "% from plan (" + op + " " + num(c.number * 100) + "%)";
    case fact_kind::control_point_overdue: return "control point" + point() + " overdue by " + days(-value);
    case fact_kind::control_point_due_in: return "control point" + point() + " due in " + days(value) + " " + op + " " + num(c.number);
    case fact_kind::next_step:
        if (c.op == op_kind::missing) return "no next step planned";
        if (c.op == op_kind::planned) return "next step planned";
        return "next step overdue by " + days(-value);
    case fact_kind::birthday_in: return "birthday in " + days(value) + " " + op + " " + num(c.number);
    case fact_kind::anniversary_in: return "anniversary in " + days(value) + " " + op + " " + num(c.number);
    case fact_kind::holiday_in:
        return (m.subject ? "holiday '" + holiday_name(m.subject - 1) + "'" : std::string("holiday")) + " in " + days(value) + " " + op + " " + num(c.number);
    case fact_kind::purchases_declined: return "purchases in the last " + days(c.days) + " (" + num(value) + ") below the previous " + std::to_string(c.days);
    case fact_kind::purchases_in: return "purchases in the last " + days(c.days) + " " + num(value) + " " + op + " " + num(c.number);
    case fact_kind::done_within: return "'" + c.kind + "' done " + days(value) + " ago " + op + " " + num(c.number);
    case fact_kind::recorded: return "'" + c.kind + (c.op == op_kind::exists ? "' recorded" : "' not recorded");
    case fact_kind::was_customer:
        if (value == 0) return "was a customer (reached a won stage)";
        return "was a customer (" + num(value) + (value == 1 ? " purchase)" : " purchases)");
    case fact_kind::purchase_gap_ratio: return "days since the last purchase " + num(value) + " times the usual interval " + op + " " + num(c.number);
    case fact_kind::check_trend: return "average check of the newer purchases " + num(value) + " times the older ones' " + op + " " + num(c.number);
    case fact_kind::repeat_buyer: return "a repeat buyer (purchases on " + num(value) + " days)";
    case fact_kind::p_won: {
        std::string s = "p_won " + pct(value) + " " + op + " " + pct(c.number);
        if (const stage_odds *so = odds_ ? odds_->stage(rec.model_slot, rec.stage) : nullptr)
            s += " (the stage's rate " + pct(so->p_win) + ")";
        return s + model_note;
    }
    case fact_kind::p_won_ratio: {
        const std::string ratio = num(std::round(value * 100) / 100) + " times the stage's rate";
        if (const stage_odds *so = odds_ ? odds_->stage(rec.model_slot, rec.stage) : nullptr)
            return "p_won " + pct(value * so->p_win) + ", " + ratio + " " + pct(so->p_win) + " " + op + " " + num(c.number) + model_note;
        return "p_won " + ratio + " " + op + " " + num(c.number) + model_note;
    }
    case fact_kind::recorded_since_contact: {
        std::string ch = li.any_channel ? "" : li.preferred ? " (preferred channel)" : std::string(" by ") + to_string(li.via);
        if (value < 0) return "'" + c.kind + "' " + (c.op == op_kind::exists ? "recorded" : "not recorded") + ": never contacted" + ch;
        return "'" + c.kind + "' " + (c.op == op_kind::exists ? "recorded" : "not recorded") + " since the last contact" + ch + " (" + days(value) + " ago)";
    }
    case fact_kind::stage_due_in:
        if (value < 0) return "the date recorded with the stage passed " + days(-value) + " ago" + model_note;
        return "the date recorded with the stage is in " + days(value) + " " + op + " " + num(c.number) + model_note;
    }
    return "";
}

} // namespace clm
