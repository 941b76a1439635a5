/// @file recommend_json.hpp
/// JSON views of recommendations and weekly plans: what to do, for whom,
/// through which channel, by when, for which goal, with which priority, and why.
#pragma once

#include <clm/weekly_plan.hpp>

#include <nlohmann/json.hpp>

namespace clm {

/// One recommendation as JSON (`rank` is 1-based; 0 leaves it out).
inline nlohmann::ordered_json recommendation_to_json(const compiled_policy &cp, const recommendation &r, std::int64_t as_of_day,
                                                     std::size_t rank = 0) {
    using oj = nlohmann::ordered_json;
    const portfolio &p = cp.target();
    const rule &ru = cp.source().rules[r.rule];
    customer_facts f;
    collect_facts(p, r.customer, as_of_day, f);
    oj j;
    if (rank) j["rank"] = rank;
    j["customer_id"] = p.customer_id(r.customer);
    j["manager"] = f.manager ? p.text(f.manager) : std::string();
    j["class"] = f.customer_class ? p.text(f.customer_class) : std::string();
    j["model"] = p.model_count() ? oj(p.model_at(r.model_slot).id()) : oj();
    j["stage"] = r.model_slot < f.stages.size() && f.stages[r.model_slot].stage != no_stage
                     ? oj(p.model_at(r.model_slot).stage_at(f.stages[r.model_slot].stage).id)
                     : oj();
    j["rule"] = ru.id;
    oj a;
    a["kind"] = ru.then.kind;
    a["channel"] = to_string(r.via);
    a["goal"] = cp.goal(r, f);
    a["product"] = cp.product(r, f);
    if (std::string doc = cp.document(r); !doc.empty()) a["document"] = doc;
    if (!ru.then.target_stage.empty()) a["target_stage"] = ru.then.target_stage;
    a["due"] = format_date(r.due_day * seconds_per_day);
    j["action"] = a;
    j["priority"] = ru.then.priority;
    j["score"] = r.score;
    j["urgency"] = r.urgency;
    j["value"] = r.value;
    j["reasons"] = cp.explain(r);
    j["task"] = cp.task(r, f);
    j["why"] = ru.description;
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
        oj x = recommendation_to_json(cp, a.rec, w.week_start);
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
