/// @file plan_actual.hpp
/// Plan against actual per manager for a period (BRIEF 1.3, seed 002): the
/// plan is JSON, the actuals are counted from the journal, and every
/// indicator whose deviation exceeds the plan's threshold is flagged.
///
/// The plan format:
///
///     {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "threshold": 0.1,
///      "managers": {"NAME": {"active_customers": N, "new_customers": N,
///                            "prospects_contacted": N, "products_sold": N, "contacts": N}}}
///
/// `threshold` (default 0.1) and every indicator are optional. Top-level keys
/// starting with `x-`, and `$schema` and `$comment`, are ignored, as in policy
/// files; any other unknown key is an error. Definitions of the indicators:
/// docs/analytics.md.
#pragma once

#include <clm/json_source.hpp>
#include <clm/printable.hpp>
#include <clm/problem_cap.hpp>
#include <clm/report_format.hpp>
#include <clm/stays.hpp>

#include <array>
#include <map>
#include <set>

namespace clm {

/// Number of plan indicators.
inline constexpr std::size_t plan_indicator_count = 5;

/// The indicators' JSON names, in report order: active customers kept, new
/// customers won, prospects contacted, products sold, contacts made.
inline const std::array<const char *, plan_indicator_count> &plan_indicator_names() {
    static const std::array<const char *, plan_indicator_count> names = {
        "active_customers", "new_customers", "prospects_contacted", "products_sold", "contacts"};
    return names;
}

/// One manager's targets (nullopt: not planned).
struct manager_plan {
    std::array<std::optional<std::int64_t>, plan_indicator_count> target{}; ///< Per indicator, in plan_indicator_names() order.
};

/// A plan for a period.
struct period_plan {
    timestamp from = 0;                            ///< First day of the period.
    timestamp to = 0;                              ///< Last day of the period (inclusive).
    double threshold = 0.1;                        ///< Flag when |deviation| exceeds it.
    std::map<std::string, manager_plan> managers;  ///< Targets by manager name.
};

/// Parses a plan; throws input_error with every problem at its line and
/// column: CLM_E_PARSE for malformed JSON, CLM_E_VALIDATION for a wrong field.
inline period_plan plan_from_json(std::string_view text, const std::string &file = "") {
    json_source src(text, file);
    const nlohmann::json &doc = src.doc();
    std::vector<diagnostic> problems;
    auto bad = [&](const std::string &ptr, const std::string &msg) { problems.push_back(src.at(ptr, msg)); };
    period_plan plan;
    if (!doc.is_object()) {
        bad("", "a plan must be a JSON object with \"from\", \"to\" and \"managers\"");
        throw input_error(CLM_E_VALIDATION, capped(std::move(problems)));
    }
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "from" && it.key() != "to" && it.key() != "threshold" && it.key() != "managers" && it.key() != "$comment" &&
            it.key() != "$schema" && it.key().rfind("x-", 0) != 0)
            bad("/" + it.key(), "unknown key \"" + printable(it.key()) + "\" (from, to, threshold, managers)");
    std::optional<timestamp> from, to;
    auto date = [&](const char *key) -> std::optional<timestamp> {
        if (!doc.contains(key)) {
            bad("", std::string("missing \"") + key + "\" (a date, YYYY-MM-DD)");
            return std::nullopt;
        }
        const auto &v = doc[key];
        std::optional<timestamp> t = v.is_string() ? parse_timestamp(v.get<std::string>()) : std::nullopt;
        if (!t) bad(std::string("/") + key, std::string("\"") + key + "\" must be a date, YYYY-MM-DD, got " + printable(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
        return t;
    };
    from = date("from");
    to = date("to");
    if (from && to && day_of(*from) > day_of(*to))
        bad("/to", "\"to\" (" + format_date(*to) + ") is before \"from\" (" + format_date(*from) + ")");
    if (doc.contains("threshold")) {
        const auto &v = doc["threshold"];
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0 || v.get<double>() > 1e6)
            bad("/threshold", "\"threshold\" must be a number >= 0 (at most 1e6; 0.1 = 10%), got " + printable(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
        else plan.threshold = v.get<double>();
    }
    if (!doc.contains("managers")) {
        bad("", "missing \"managers\" (an object: manager name -> indicators)");
    } else if (!doc["managers"].is_object()) {
        bad("/managers", "\"managers\" must be an object: manager name -> indicators");
    } else {
        for (auto m = doc["managers"].begin(); m != doc["managers"].end(); ++m) {
            // The JSON pointer of the name, escaped as json_source records it.
            std::string ptr = "/managers/";
            for (char ch : m.key()) ptr += ch == '~' ? std::string("~0") : ch == '/' ? std::string("~1") : std::string(1, ch);
            if (m.key().empty()) bad(ptr, "a manager name must not be empty");
            if (!m.value().is_object()) {
                bad(ptr, "manager \"" + m.key() + "\": the plan must be an object of indicators");
                continue;
            }
            manager_plan mp;
            for (auto i = m.value().begin(); i != m.value().end(); ++i) {
                const auto &names = plan_indicator_names();
                auto k = std::find_if(names.begin(), names.end(), [&](const char *n) { return i.key() == n; });
                if (k == names.end()) {
                    bad(ptr + "/" + i.key(), "manager \"" + m.key() + "\": unknown indicator \"" + i.key() +
                                                 "\" (active_customers, new_customers, prospects_contacted, products_sold, contacts)");
                    continue;
                }
                if (!i.value().is_number_integer() || i.value().get<std::int64_t>() < 0 || i.value().get<std::int64_t>() > 1000000000000LL) {
                    bad(ptr + "/" + i.key(), "manager \"" + printable(m.key()) + "\": \"" + i.key() + "\" must be a whole number >= 0 (at most 1e12), got " +
                                                 printable(i.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
                    continue;
                }
                mp.target[std::size_t(k - names.begin())] = i.value().get<std::int64_t>();
            }
            plan.managers[m.key()] = mp;
        }
    }
    if (!problems.empty()) {
        std::stable_sort(problems.begin(), problems.end(), [](const diagnostic &a, const diagnostic &b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
        throw input_error(CLM_E_VALIDATION, capped(std::move(problems)));
    }
    plan.from = day_of(*from) * seconds_per_day;
    plan.to = day_of(*to) * seconds_per_day;
    return plan;
}

/// One indicator of one manager: plan, actual, deviation, flag.
struct indicator_result {
    std::optional<std::int64_t> plan;  ///< The target (nullopt: not planned).
    std::size_t actual = 0;            ///< Counted from the journal.
    std::optional<double> deviation;   ///< (actual - plan) / plan; 0 when both are 0; nullopt when not planned or plan 0 < actual.
    bool flagged = false;              ///< |deviation| > threshold, or a plan of 0 exceeded.
};

/// One manager's line of the report.
struct manager_result {
    std::string manager;               ///< The manager ("(none)" for events with no manager).
    bool planned = false;              ///< Whether the plan names them.
    std::array<indicator_result, plan_indicator_count> indicators{}; ///< In plan_indicator_names() order.
};

/// How plan_actual() measures the indicators that depend on the model: by
/// the seed's relationship levels when the model has stages with those ids
/// (`active`, `new`, `attracted`, as in the preset relationship4), by the
/// stages' kinds otherwise. Each indicator is decided on its own.
struct plan_measures {
    std::optional<stage_index> active;    ///< Stage `active`: active customers are the customers in it at the end of the period.
    std::optional<stage_index> fresh;     ///< Stage `new`: new customers are the moves into it in the period.
    std::optional<stage_index> attracted; ///< Stage `attracted`: prospects contacted are customers contacted while in it.

    /// One line per indicator, in plan_indicator_names() order, saying what is counted.
    std::array<std::string, plan_indicator_count> describe(const model &mdl) const {
        return {active ? "customers in '" + mdl.stage_at(*active).id + "' at the end of the period"
                       : std::string("customers contacted or buying in the period, not lost or terminal at its end"),
                fresh ? "customers who moved into '" + mdl.stage_at(*fresh).id + "' in the period"
                      : std::string("customers who moved into a won-kind stage in the period"),
                attracted ? "customers contacted in the period while in '" + mdl.stage_at(*attracted).id + "'"
                          : "customers contacted in the period while in '" + mdl.stage_at(mdl.initial()).id +
                                "' (the initial stage) or in no model",
                "purchase events in the period", "contact events in the period"};
    }
};

/// The measures of `mdl`: the stages with ids `active`, `new` and `attracted`, where it has them.
inline plan_measures plan_measures_of(const model &mdl) {
    return {mdl.find_stage("active"), mdl.find_stage("new"), mdl.find_stage("attracted")};
}

/// Plan against actual for a period.
struct plan_actual_report {
    std::string model;                 ///< The model whose stages define the indicators.
    timestamp from = 0;                ///< First day of the period.
    timestamp to = 0;                  ///< Last day (inclusive).
    double threshold = 0.1;            ///< The plan's threshold.
    std::vector<manager_result> managers; ///< Planned managers and managers with actuals, by name.
    std::array<std::string, plan_indicator_count> measures; ///< What each indicator counted (plan_measures::describe()).
};

/// Counts the actuals of `plan`'s period in the journal (model slot `slot`
/// gives the stages) and compares them with the plan. Over the period
/// [from 00:00:00, to 23:59:59], per manager, with the stages of
/// plan_measures_of() where the model has them (the seed's levels):
/// - active_customers: customers in stage `active` at the end of the period;
///   without that stage, customers with a contact or purchase in the period
///   who, at its end, are in the model in a stage that is not lost or
///   terminal; attributed to the customer's manager at the end of the period;
/// - new_customers: customers who moved into stage `new` in the period;
///   without it, into a won-kind stage;
/// - prospects_contacted: customers contacted in the period while in stage
///   `attracted`; without it, while in the model's initial stage or not yet
///   in any model;
/// - products_sold: purchase events; contacts: contact events.
/// The last four are attributed to the event's manager (manager_tracker).
/// Deviation = (actual - plan) / plan, flagged when |deviation| > threshold; a
/// plan of 0 gives deviation 0 for an actual of 0, else no deviation and a flag.
inline plan_actual_report plan_actual(const portfolio &p, std::size_t slot, const period_plan &plan) {
    const model &mdl = p.model_at(slot);
    const timestamp lo = plan.from, hi = end_of_day(plan.to);
    plan_actual_report r;
    r.model = mdl.id();
    r.from = plan.from;
    r.to = plan.to;
    r.threshold = plan.threshold;
    const plan_measures how = plan_measures_of(mdl);
    r.measures = how.describe(mdl);
    auto is_new = [&](stage_index s) { return how.fresh ? s == *how.fresh : mdl.stage_at(s).kind == stage_kind::won; };
    auto is_prospect = [&](stage_index s, bool in_any_model) {
        return how.attracted ? s == *how.attracted : !in_any_model || s == mdl.initial();
    };

    // Per manager (interned id): counts, and distinct customers where the indicator counts customers.
    struct tally {
        std::size_t active = 0, products = 0, contacts = 0;
        std::set<std::uint32_t> won, prospects;
    };
    std::map<string_id, tally> by;
    std::vector<std::uint32_t> events;
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        manager_tracker mgr;
        stage_index stage = no_stage;
        bool in_any_model = false;
        bool touched = false; // a contact or purchase in the period
        for (std::uint32_t e : events) {
            const journal_event &ev = p.journal()[e];
            if (ev.time > hi) break;
            bool in = ev.time >= lo;
            string_id who = mgr.attribute(p, ev);
            if (in) {
                if (ev.type == event_type::contact) {
                    ++by[who].contacts;
                    touched = true;
                    if (is_prospect(stage, in_any_model)) by[who].prospects.insert(c);
                } else if (ev.type == event_type::purchase) {
                    ++by[who].products;
                    touched = true;
                } else if (ev.type == event_type::stage && ev.model == slot && stage_index(ev.value) != stage &&
                           is_new(stage_index(ev.value))) {
                    by[who].won.insert(c);
                }
            }
            if (ev.type == event_type::stage) {
                in_any_model = true;
                if (ev.model == slot) stage = stage_index(ev.value);
            }
            mgr.update(p, ev);
        }
        if (how.active) {
            if (stage == *how.active) ++by[mgr.current()].active;
        } else if (touched && stage != no_stage) {
            stage_kind k = mdl.stage_at(stage).kind;
            if (k != stage_kind::lost && k != stage_kind::terminal) ++by[mgr.current()].active;
        }
    }

    std::map<std::string, manager_result> out;
    for (const auto &[name, mp] : plan.managers) {
        manager_result &m = out[name];
        m.manager = name;
        m.planned = true;
        for (std::size_t i = 0; i < plan_indicator_count; ++i) m.indicators[i].plan = mp.target[i];
    }
    for (const auto &[id, t] : by) {
        std::string name = manager_label(p, id);
        manager_result &m = out[name];
        m.manager = name;
        m.indicators[0].actual += t.active;
        m.indicators[1].actual += t.won.size();
        m.indicators[2].actual += t.prospects.size();
        m.indicators[3].actual += t.products;
        m.indicators[4].actual += t.contacts;
    }
    for (auto &[name, m] : out) {
        for (auto &ind : m.indicators) {
            if (!ind.plan) continue;
            if (*ind.plan == 0) {
                if (ind.actual == 0) ind.deviation = 0.0;
                ind.flagged = ind.actual != 0;
            } else {
                ind.deviation = (double(ind.actual) - double(*ind.plan)) / double(*ind.plan);
                ind.flagged = std::fabs(*ind.deviation) > plan.threshold + 1e-12;
            }
        }
        r.managers.push_back(m);
    }
    return r;
}

/// The report as JSON: {"model", "from", "to", "threshold", "managers": [{"manager",
/// "planned", "indicators": {NAME: {"plan", "actual", "deviation", "flagged"}}}],
/// "measures": {NAME: what was counted}}.
inline nlohmann::ordered_json plan_actual_to_json(const plan_actual_report &r) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["model"] = r.model;
    j["from"] = format_date(r.from);
    j["to"] = format_date(r.to);
    j["threshold"] = r.threshold;
    oj managers = oj::array();
    for (const auto &m : r.managers) {
        oj inds = oj::object();
        for (std::size_t i = 0; i < plan_indicator_count; ++i) {
            const auto &ind = m.indicators[i];
            inds[plan_indicator_names()[i]] = {{"plan", ind.plan ? oj(*ind.plan) : oj()},
                                               {"actual", ind.actual},
                                               {"deviation", ind.deviation ? oj(*ind.deviation) : oj()},
                                               {"flagged", ind.flagged}};
        }
        managers.push_back({{"manager", m.manager}, {"planned", m.planned}, {"indicators", std::move(inds)}});
    }
    j["managers"] = std::move(managers);
    oj measures = oj::object();
    for (std::size_t i = 0; i < plan_indicator_count; ++i) measures[plan_indicator_names()[i]] = r.measures[i];
    j["measures"] = std::move(measures);
    return j;
}

/// The report as text for the clm command: one block per manager, "!" marking flagged indicators.
inline std::string plan_actual_to_text(const plan_actual_report &r) {
    char line[256];
    std::snprintf(line, sizeof line, "%.0f%%", r.threshold * 100);
    std::string out = "plan vs actual, " + r.model + ", " + format_date(r.from) + " to " + format_date(r.to) +
                      " (flag above " + line + ")\n";
    std::size_t flagged = 0;
    for (const auto &m : r.managers) {
        out += m.manager + (m.planned ? "" : " (no plan)") + "\n";
        for (std::size_t i = 0; i < plan_indicator_count; ++i) {
            const auto &ind = m.indicators[i];
            if (!ind.plan && ind.actual == 0) continue;
            std::string plan = ind.plan ? std::to_string(*ind.plan) : "-";
            std::string dev = ind.deviation ? percent_text(ind.deviation) : "-";
            std::snprintf(line, sizeof line, "  %-20s plan %6s  actual %6zu  deviation %9s %s\n", plan_indicator_names()[i],
                          plan.c_str(), ind.actual, dev.c_str(), ind.flagged ? "!" : "");
            out += line;
            flagged += ind.flagged;
        }
    }
    out += std::to_string(flagged) + " indicator(s) flagged\n";
    out += "measured as:\n";
    for (std::size_t i = 0; i < plan_indicator_count; ++i)
        out += std::string("  ") + plan_indicator_names()[i] + ": " + r.measures[i] + "\n";
    return out;
}

} // namespace clm
