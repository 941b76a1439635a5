/// @file recommend_json.hpp
/// JSON views of recommendations and weekly plans: what to do, for whom,
/// through which channel, by when, for which goal, with which priority, and why.
#pragma once

#include <clm/weekly_plan.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace clm {

/// A reason's code as JSON (docs/policy-format.md, "Reasons as codes"):
/// {"id", "fact", "op", "threshold", "actual", "subject"}; the threshold is a
/// number, an array of names, or null; the actual a number, a name, or null;
/// the subject a name or null.
inline nlohmann::ordered_json reason_code_to_json(const reason &r) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["id"] = r.id;
    j["fact"] = to_string(r.fact);
    j["op"] = to_string(r.op);
    j["threshold"] = !std::isnan(r.threshold) ? oj(r.threshold) : !r.threshold_list.empty() ? oj(r.threshold_list) : oj();
    j["actual"] = !std::isnan(r.actual) ? oj(r.actual) : !r.actual_text.empty() ? oj(r.actual_text) : oj();
    j["subject"] = r.subject.empty() ? oj() : oj(r.subject);
    return j;
}

/// One recommendation as JSON (`rank` is 1-based; 0 leaves it out): what to
/// do, for whom (customer, account), why (the reasons of every rule merged
/// into the action), how it ranks (score and its factors), and the customer's
/// other actions (`alternatives`).
inline nlohmann::ordered_json recommendation_to_json(const compiled_policy &cp, const recommendation &r, std::int64_t as_of_day,
                                                     std::size_t rank = 0) {
    using oj = nlohmann::ordered_json;
    const portfolio &p = cp.target();
    const policy &pol = cp.source();
    const rule &ru = pol.rules[r.rule];
    customer_facts f;
    cp.collect(r.customer, as_of_day, f, true);
    // The customer's actions as of the date, with the forecast: this one's
    // merged rules and p_won, and the others as alternatives.
    const auto groups = cp.actions(f);
    const compiled_policy::action_group *mine = nullptr;
    for (const auto &g : groups)
        if (g.primary.rule == r.rule) mine = &g;
    const double p_won = mine ? mine->primary.p_won : cp.p_won_of(f, r.model_slot);
    auto number_or_null = [](double x) { return std::isnan(x) ? oj() : oj(x); };
    auto action_json = [&](const recommendation &x) {
        const rule &xr = pol.rules[x.rule];
        oj a;
        a["kind"] = xr.then.kind;
        a["channel"] = to_string(x.via);
        a["goal"] = cp.goal(x, f);
        a["product"] = cp.product(x, f);
        if (std::string doc = cp.document(x); !doc.empty()) a["document"] = doc;
        if (!xr.then.target_stage.empty()) a["target_stage"] = xr.then.target_stage;
        a["due"] = format_date(x.due_day * seconds_per_day);
        return a;
    };
    // The reasons of an action (its rule's, then each merged rule's not said
    // before) as text and, in the same order, as codes.
    auto reasons_of = [&](const compiled_policy::action_group *g, const recommendation &x) {
        std::vector<std::string> text;
        oj codes = oj::array();
        auto add = [&](const recommendation &y) {
            for (const reason &re : cp.reasons(y)) {
                std::string line = cp.text_of(re);
                if (std::find(text.begin(), text.end(), line) != text.end()) continue;
                text.push_back(std::move(line));
                codes.push_back(reason_code_to_json(re));
            }
        };
        add(x);
        if (g)
            for (const auto &m : g->merged) add(m);
        return std::make_pair(oj(text), codes);
    };
    oj j;
    if (rank) j["rank"] = rank;
    j["customer_id"] = p.customer_id(r.customer);
    j["account"] = f.account ? oj(p.text(f.account)) : oj();
    j["manager"] = f.manager ? p.text(f.manager) : std::string();
    j["class"] = f.customer_class ? cp.class_text(f.customer_class) : std::string();
    j["model"] = p.model_count() ? oj(p.model_at(r.model_slot).id()) : oj();
    j["stage"] = r.model_slot < f.stages.size() && f.stages[r.model_slot].stage != no_stage
                     ? oj(p.model_at(r.model_slot).stage_at(f.stages[r.model_slot].stage).id)
                     : oj();
    j["rule"] = ru.id;
    j["scope"] = ru.scope == rule_scope::account ? "account" : "deal";
    j["action"] = action_json(r);
    j["priority"] = ru.then.priority;
    j["score"] = r.score;
    j["urgency"] = r.urgency;
    j["value"] = r.value;
    j["p_won"] = number_or_null(p_won);
    j["score_factors"] = {{"priority", ru.then.priority},
                          {"class_weight", r.class_weight},
                          {"urgency", r.urgency},
                          {"value", r.value},
                          {"p_won", pol.use_probability ? number_or_null(p_won) : oj()}};
    auto [reasons, codes] = reasons_of(mine, r);
    j["reasons"] = std::move(reasons);
    j["reason_codes"] = std::move(codes);
    oj merged = oj::array();
    if (mine)
        for (const auto &m : mine->merged) merged.push_back(pol.rules[m.rule].id);
    j["merged_rules"] = merged;
    oj alts = oj::array();
    for (const auto &g : groups) {
        if (&g == mine) continue;
        oj a;
        a["rule"] = pol.rules[g.primary.rule].id;
        a["action"] = action_json(g.primary);
        auto [alt_reasons, alt_codes] = reasons_of(&g, g.primary);
        a["reasons"] = std::move(alt_reasons);
        a["reason_codes"] = std::move(alt_codes);
        a["score"] = g.primary.score;
        alts.push_back(a);
    }
    j["alternatives"] = alts;
    j["task"] = cp.task(r, f);
    j["why"] = cp.why(r);
    return j;
}

/// A ranked list as JSON: {"as_of", "policy", "count", "recommendations":[...]}.
inline nlohmann::ordered_json recommendations_to_json(const compiled_policy &cp, const std::vector<recommendation> &recs,
                                                      std::int64_t as_of_day) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["as_of"] = format_date(as_of_day * seconds_per_day);
    j["policy"] = cp.source().id;
    j["count"] = recs.size();
    oj arr = oj::array();
    for (std::size_t i = 0; i < recs.size(); ++i) arr.push_back(recommendation_to_json(cp, recs[i], as_of_day, i + 1));
    j["recommendations"] = arr;
    return j;
}

/// A weekly plan as JSON.
inline nlohmann::ordered_json plan_to_json(const compiled_policy &cp, const weekly_plan &w, const std::string &manager) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["manager"] = manager;
    j["week_start"] = format_date(w.week_start * seconds_per_day);
    j["capacity_minutes"] = w.capacity_minutes;
    j["planned_minutes"] = w.planned_minutes;
    oj classes = oj::array();
    for (const auto &[cls, bu] : w.class_minutes)
        classes.push_back({{"class", cls.empty() ? oj("(other)") : oj(cls)}, {"budget_minutes", bu.first}, {"used_minutes", bu.second}});
    j["classes"] = classes;
    auto item = [&](const planned_action &a) {
        oj x = recommendation_to_json(cp, a.rec, w.as_of_day);
        x["minutes"] = a.minutes;
        return x;
    };
    oj planned = oj::array();
    for (const auto &a : w.planned) {
        oj x = item(a);
        x["day"] = format_date(a.day * seconds_per_day);
        planned.push_back(x);
    }
    j["planned"] = planned;
    oj rest = oj::array();
    for (const auto &[a, why] : w.not_fitted) {
        oj x = item(a);
        x["not_fitted_because"] = why;
        rest.push_back(x);
    }
    j["not_fitted"] = rest;
    return j;
}

} // namespace clm
