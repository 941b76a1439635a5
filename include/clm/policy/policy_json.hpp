/// @file policy/policy_json.hpp
/// Reading a policy from JSON (policy_from_json()): every field checked, every
/// problem reported at once with its line and column; the holiday calendars
/// (policy/calendar.hpp) and the derived classes included. Included by policy.hpp.
#pragma once

#include <clm/policy.hpp>
#include <clm/policy/messages.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace clm {

/// The largest class weight a policy may give (class_weights, default_class_weight).
inline constexpr double max_weight = 1e6;
/// The most minutes a policy may give an action (a week: 7 x 24 x 60).
inline constexpr double max_minutes = 10080;

namespace detail {

struct policy_reader {
    const json_source &src;
    std::vector<diagnostic> &out;
    locale_list locales; // the policy's "locales" (read first: the text fields need them)

    void problem(const std::string &pointer, const std::string &msg) { out.push_back(src.at(pointer, msg)); }

    // Reports every key of object `j` outside `known` ("$comment" is always allowed).
    void only(const nlohmann::json &j, const std::string &p, std::initializer_list<const char *> known, const std::string &what) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            bool ok = it.key() == "$comment";
            for (const char *k : known) ok = ok || it.key() == k;
            if (!ok) {
                std::string list;
                for (const char *k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                problem(p + "/" + pointer_token(it.key()), what + ": unknown field '" + printable(it.key()) + "' (expected " + list + ")");
            }
        }
    }

    // An optional string field: a wrong type is a problem, not ignored.
    void optional_string(const nlohmann::json &j, const std::string &p, const char *key, std::string &dst, const std::string &what) {
        if (!j.contains(key)) return;
        if (!j[key].is_string()) problem(p + "/" + key, what + ": '" + key + "' must be a string");
        else dst = j[key].get<std::string>();
    }

    static std::string pointer_token(const std::string &key) {
        std::string t;
        for (char ch : key) t += ch == '~' ? std::string("~0") : ch == '/' ? std::string("~1") : std::string(1, ch);
        return t;
    }

    static std::optional<fact_kind> fact_of(const std::string &s) {
        static const std::pair<const char *, fact_kind> table[] = {
            {"stage", fact_kind::stage}, {"stage_kind", fact_kind::stage_kind}, {"days_in_stage", fact_kind::days_in_stage},
            {"days_since_contact", fact_kind::days_since_contact}, {"class", fact_kind::customer_class}, {"tag", fact_kind::tag},
            {"attribute", fact_kind::attribute}, {"score", fact_kind::score}, {"control_point_overdue", fact_kind::control_point_overdue},
            {"control_point_due_in", fact_kind::control_point_due_in}, {"next_step", fact_kind::next_step},
            {"birthday_in", fact_kind::birthday_in}, {"anniversary_in", fact_kind::anniversary_in}, {"holiday_in", fact_kind::holiday_in},
            {"purchases_declined", fact_kind::purchases_declined}, {"purchases_in", fact_kind::purchases_in},
            {"done_within", fact_kind::done_within}, {"kpi_deviation", fact_kind::kpi_deviation}, {"manager", fact_kind::manager},
            {"recorded", fact_kind::recorded}, {"was_customer", fact_kind::was_customer}, {"p_won", fact_kind::p_won},
            {"recorded_since_contact", fact_kind::recorded_since_contact}, {"stage_due_in", fact_kind::stage_due_in},
            {"repeat_buyer", fact_kind::repeat_buyer}, {"purchase_gap_ratio", fact_kind::purchase_gap_ratio},
            {"check_trend", fact_kind::check_trend}, {"p_won_ratio", fact_kind::p_won_ratio}};
        for (const auto &[n, f] : table)
            if (s == n) return f;
        return std::nullopt;
    }

    static std::optional<op_kind> op_of(const std::string &s) {
        static const std::pair<const char *, op_kind> table[] = {
            {"==", op_kind::eq}, {"is", op_kind::eq}, {"!=", op_kind::ne}, {"<", op_kind::lt}, {"<=", op_kind::le}, {">", op_kind::gt},
            {">=", op_kind::ge}, {"in", op_kind::in}, {"not_in", op_kind::not_in}, {"has", op_kind::has}, {"lacks", op_kind::lacks},
            {"exists", op_kind::exists}, {"missing", op_kind::missing}, {"planned", op_kind::planned}, {"overdue", op_kind::overdue},
            {"true", op_kind::is_true}};
        for (const auto &[n, o] : table)
            if (s == n) return o;
        return std::nullopt;
    }

    static bool numeric(op_kind o) {
        return o == op_kind::eq || o == op_kind::ne || o == op_kind::lt || o == op_kind::le || o == op_kind::gt || o == op_kind::ge;
    }

    condition read_condition(const nlohmann::json &j, const std::string &p, int depth) {
        condition c;
        if (depth > 32) {
            problem(p, "conditions nested deeper than 32 levels");
            return c;
        }
        if (!j.is_object()) {
            problem(p, "a condition must be an object");
            return c;
        }
        for (const char *comb : {"all", "any"}) {
            if (!j.contains(comb)) continue;
            c.node = std::string(comb) == "all" ? condition::type::all : condition::type::any;
            if (j.size() != 1) problem(p, std::string("'") + comb + "' must be the only key of its object");
            const auto &arr = j[comb];
            if (!arr.is_array() || arr.empty()) {
                problem(p + "/" + comb, std::string("'") + comb + "' needs a non-empty array of conditions");
                return c;
            }
            for (std::size_t i = 0; i < arr.size(); ++i) c.children.push_back(read_condition(arr[i], p + "/" + comb + "/" + std::to_string(i), depth + 1));
            return c;
        }
        if (j.contains("not")) {
            c.node = condition::type::negate;
            if (j.size() != 1) problem(p, "'not' must be the only key of its object");
            c.children.push_back(read_condition(j["not"], p + "/not", depth + 1));
            return c;
        }
        for (auto it = j.begin(); it != j.end(); ++it) {
            static const std::set<std::string> known = {"fact", "op", "value", "model", "name", "kind", "channel", "days"};
            if (!known.count(it.key())) problem(p + "/" + it.key(), "condition: unknown field '" + it.key() + "'");
        }
        if (!j.contains("fact") || !j["fact"].is_string()) {
            problem(p, "condition: needs 'fact' (a string), or 'all', 'any' or 'not'");
            return c;
        }
        std::string fname = j["fact"].get<std::string>();
        auto f = fact_of(fname);
        if (!f) {
            problem(p + "/fact", "unknown fact '" + fname + "'");
            return c;
        }
        c.fact = *f;
        std::string opname = j.contains("op") && j["op"].is_string() ? j["op"].get<std::string>() : "";
        auto o = op_of(opname);
        if (!o) {
            problem(j.contains("op") ? p + "/op" : p, "fact '" + fname + "': unknown or missing op '" + opname + "'");
            return c;
        }
        c.op = *o;
        auto str_param = [&](const char *key, std::string &dst) {
            if (!j.contains(key)) return;
            if (!j[key].is_string()) problem(p + "/" + key, std::string("'") + key + "' must be a string");
            else dst = j[key].get<std::string>();
        };
        str_param("model", c.model);
        str_param("name", c.name);
        str_param("kind", c.kind);
        str_param("channel", c.channel_name);
        if (j.contains("days")) {
            if (!j["days"].is_number_integer() || j["days"].get<long long>() < 1 || j["days"].get<long long>() > 100000) problem(p + "/days", "'days' must be a whole number of days >= 1");
            else c.days = int(j["days"].get<long long>());
        }
        if (!c.channel_name.empty() && c.channel_name != "preferred" && !parse_channel(c.channel_name))
            problem(p + "/channel", "unknown channel '" + c.channel_name + "'");
        const nlohmann::json *v = j.contains("value") ? &j["value"] : nullptr;
        auto need_number = [&] {
            if (!v || !v->is_number()) problem(v ? p + "/value" : p, "fact '" + fname + "' with op '" + opname + "' needs a numeric 'value'");
            else if (std::fabs(v->get<double>()) > max_amount) problem(p + "/value", "fact '" + fname + "': 'value' must be within -1e12 and 1e12");
            else c.number = v->get<double>();
        };
        auto need_strings = [&] {
            if (v && v->is_string()) c.strings.push_back(v->get<std::string>());
            else if (v && v->is_array() && std::all_of(v->begin(), v->end(), [](const nlohmann::json &x) { return x.is_string(); }))
                for (const auto &x : *v) c.strings.push_back(x.get<std::string>());
            else problem(v ? p + "/value" : p, "fact '" + fname + "' with op '" + opname + "' needs a string or an array of strings as 'value'");
        };
        auto allow = [&](std::initializer_list<op_kind> ops) {
            for (auto x : ops)
                if (x == c.op) return true;
            problem(p + "/op", "fact '" + fname + "' does not take op '" + opname + "'");
            return false;
        };
        switch (c.fact) {
        case fact_kind::stage:
        case fact_kind::stage_kind:
        case fact_kind::customer_class:
        case fact_kind::manager:
            if (allow({op_kind::eq, op_kind::ne, op_kind::in, op_kind::not_in})) need_strings();
            if (c.fact == fact_kind::stage_kind)
                for (const auto &k : c.strings)
                    if (k != "open" && k != "won" && k != "lost" && k != "dormant" && k != "terminal") problem(p + "/value", "unknown stage kind '" + k + "'");
            break;
        case fact_kind::tag:
            if (allow({op_kind::has, op_kind::lacks})) need_strings();
            break;
        case fact_kind::days_in_stage:
            if (allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge})) {
                if (v && v->is_string() && v->get<std::string>() == "time_limit") c.against_time_limit = true;
                else if (v && v->is_string() && v->get<std::string>() == "closed_p90") c.against_p90 = true;
                else if (v && v->is_string())
                    problem(p + "/value", "fact 'days_in_stage': 'value' must be a number, \"time_limit\" or \"closed_p90\", not '" + printable(v->get<std::string>()) + "'");
                else need_number();
            }
            break;
        case fact_kind::attribute:
            if (c.name.empty()) problem(p, "fact 'attribute' needs 'name'");
            if (c.op == op_kind::exists || c.op == op_kind::missing) break;
            if (!allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge, op_kind::in, op_kind::not_in})) break;
            if (v && v->is_number()) need_number();
            else need_strings();
            if (v && !v->is_number() && (c.op == op_kind::lt || c.op == op_kind::le || c.op == op_kind::gt || c.op == op_kind::ge))
                problem(p + "/value", "attribute comparison '" + opname + "' needs a numeric value");
            break;
        case fact_kind::score:
        case fact_kind::kpi_deviation:
            if (c.name.empty()) problem(p, "fact '" + fname + "' needs 'name'");
            if (allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge})) need_number();
            break;
        case fact_kind::recorded:
        case fact_kind::recorded_since_contact:
            if (c.kind.empty()) problem(p, "fact '" + fname + "' needs 'kind' (the checklist item or document)");
            allow({op_kind::exists, op_kind::missing});
            break;
        case fact_kind::p_won:
        case fact_kind::p_won_ratio:
            if (allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge})) need_number();
            break;
        case fact_kind::purchase_gap_ratio:
        case fact_kind::check_trend:
        case fact_kind::stage_due_in:
            if (allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge})) need_number();
            break;
        case fact_kind::repeat_buyer:
        case fact_kind::was_customer:
        case fact_kind::control_point_overdue:
        case fact_kind::purchases_declined:
            allow({op_kind::is_true});
            if ((c.fact == fact_kind::purchases_declined) && c.days == 0) problem(p, "fact 'purchases_declined' needs 'days' (the window)");
            break;
        case fact_kind::next_step:
            allow({op_kind::missing, op_kind::planned, op_kind::overdue});
            break;
        case fact_kind::done_within:
            if (c.kind.empty()) problem(p, "fact 'done_within' needs 'kind' (the control point)");
            if (allow({op_kind::lt, op_kind::le})) need_number();
            break;
        case fact_kind::purchases_in:
            if (c.days == 0) problem(p, "fact 'purchases_in' needs 'days' (the window)");
            if (allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge})) need_number();
            break;
        case fact_kind::days_since_contact:
            if (c.op == op_kind::exists || c.op == op_kind::missing) break;
            if (allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge, op_kind::exists, op_kind::missing})) need_number();
            break;
        case fact_kind::control_point_due_in:
        case fact_kind::birthday_in:
        case fact_kind::anniversary_in:
        case fact_kind::holiday_in:
            if (allow({op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge})) need_number();
            break;
        }
        return c;
    }

    action read_action(const nlohmann::json &j, const std::string &p, const std::string &rule_id) {
        action a;
        if (!j.is_object()) {
            problem(p, "rule '" + rule_id + "': 'action' must be an object");
            return a;
        }
        static const std::set<std::string> kinds = {"contact", "send_document", "follow_up", "move_stage", "offer_product",
                                                    "satisfaction_survey", "invite_event", "greet", "reassign", "requalify"};
        for (auto it = j.begin(); it != j.end(); ++it) {
            static const std::set<std::string> known = {"kind", "channel", "fallback_channel", "goal", "product", "document", "target_stage", "due_in_days", "priority"};
            if (!known.count(it.key())) problem(p + "/" + it.key(), "rule '" + rule_id + "': unknown action field '" + it.key() + "'");
        }
        auto s = [&](const char *key, std::string &dst) {
            if (!j.contains(key)) return;
            if (!j[key].is_string()) problem(p + "/" + key, "rule '" + rule_id + "': '" + key + "' must be a string");
            else dst = j[key].get<std::string>();
        };
        s("kind", a.kind);
        s("channel", a.channel);
        s("fallback_channel", a.fallback_channel);
        if (j.contains("goal")) {
            localized_text goal = read_localized_text(src, j["goal"], p + "/goal", "rule '" + rule_id + "': 'goal'", locales, out);
            a.goal = goal.in(locales.default_locale(), locales.default_locale());
            if (goal.size() > 1) a.localized_goal = std::move(goal);
        }
        s("product", a.product);
        s("document", a.document);
        s("target_stage", a.target_stage);
        if (!kinds.count(a.kind)) problem(p + "/kind", "rule '" + rule_id + "': unknown action kind '" + a.kind + "'");
        if (a.channel != "preferred" && (!parse_channel(a.channel) || a.channel.empty())) problem(p + "/channel", "rule '" + rule_id + "': unknown channel '" + a.channel + "'");
        if (!parse_channel(a.fallback_channel) || a.fallback_channel.empty()) problem(p + "/fallback_channel", "rule '" + rule_id + "': unknown channel '" + a.fallback_channel + "'");
        if (j.contains("due_in_days")) {
            if (!j["due_in_days"].is_number_integer() || j["due_in_days"].get<long long>() < 0 || j["due_in_days"].get<long long>() > 3650)
                problem(p + "/due_in_days", "rule '" + rule_id + "': 'due_in_days' must be a whole number from 0 to 3650");
            else a.due_in_days = int(j["due_in_days"].get<long long>());
        }
        if (j.contains("priority")) {
            if (!j["priority"].is_number() || !(j["priority"].get<double>() > 0) || j["priority"].get<double>() > 1e6)
                problem(p + "/priority", "rule '" + rule_id + "': 'priority' must be a number > 0");
            else a.priority = j["priority"].get<double>();
        }
        if (a.kind == "move_stage" && a.target_stage.empty()) problem(p, "rule '" + rule_id + "': a move_stage action needs 'target_stage'");
        return a;
    }
};

// "derived_classes": {"pre_contract": {...}, "service": {...}}.
inline void read_derived_classes(const nlohmann::json &j, policy &pol, const std::function<void(const std::string &, const std::string &)> &problem) {
    if (!j.contains("derived_classes")) return;
    const auto &dc = j["derived_classes"];
    if (!dc.is_object()) {
        problem("/derived_classes", "policy: 'derived_classes' must be an object {pre_contract, service}");
        return;
    }
    for (auto it = dc.begin(); it != dc.end(); ++it) {
        const std::string p = "/derived_classes/" + policy_reader::pointer_token(it.key());
        if (it.key() == "$comment") continue;
        if (it.key() != "pre_contract" && it.key() != "service") {
            problem(p, "derived_classes: unknown field '" + printable(it.key()) + "' (expected pre_contract, service)");
            continue;
        }
        const auto &d = it.value();
        const std::string who = "derived_classes " + it.key();
        if (!d.is_object()) {
            problem(p, who + ": must be an object {scores, date_attribute, date_points, classes, otherwise}");
            continue;
        }
        class_derivation out;
        for (auto k = d.begin(); k != d.end(); ++k)
            if (k.key() != "scores" && k.key() != "date_attribute" && k.key() != "date_points" && k.key() != "classes" && k.key() != "otherwise" &&
                k.key() != "$comment")
                problem(p + "/" + policy_reader::pointer_token(k.key()), who + ": unknown field '" + printable(k.key()) +
                                                                              "' (expected scores, date_attribute, date_points, classes, otherwise)");
        if (d.contains("scores")) {
            if (!d["scores"].is_array() || !std::all_of(d["scores"].begin(), d["scores"].end(), [](const nlohmann::json &x) { return x.is_string() && !x.get<std::string>().empty(); }))
                problem(p + "/scores", who + ": 'scores' must be an array of score names");
            else
                for (const auto &x : d["scores"]) out.scores.push_back(x.get<std::string>());
        }
        if (d.contains("date_attribute")) {
            if (!d["date_attribute"].is_string() || d["date_attribute"].get<std::string>().empty()) problem(p + "/date_attribute", who + ": 'date_attribute' must be a non-empty string");
            else out.date_attribute = d["date_attribute"].get<std::string>();
        }
        if (d.contains("date_points")) {
            const auto &dp = d["date_points"];
            if (!dp.is_array()) problem(p + "/date_points", who + ": 'date_points' must be an array of {within_days, points}");
            else
                for (std::size_t i = 0; i < dp.size(); ++i) {
                    const std::string q = p + "/date_points/" + std::to_string(i);
                    const auto &x = dp[i];
                    if (!x.is_object() || x.size() != 2 || !x.contains("within_days") || !x.contains("points") || !x["within_days"].is_number_integer() ||
                        x["within_days"].get<long long>() < 0 || x["within_days"].get<long long>() > 36600 || !x["points"].is_number() ||
                        !std::isfinite(x["points"].get<double>()) || std::fabs(x["points"].get<double>()) > max_score) {
                        problem(q, who + ": a date point is {\"within_days\": 0..36600, \"points\": a finite number}");
                        continue;
                    }
                    if (!out.date_points.empty() && x["within_days"].get<long long>() <= out.date_points.back().first)
                        problem(q, who + ": date points must be in ascending order of within_days");
                    out.date_points.emplace_back(int(x["within_days"].get<long long>()), x["points"].get<double>());
                }
            if (!out.date_points.empty() && out.date_attribute.empty()) problem(p, who + ": 'date_points' need a 'date_attribute'");
        }
        if (out.scores.empty() && out.date_points.empty()) problem(p, who + ": needs 'scores' or 'date_points' to count");
        if (!d.contains("classes") || !d["classes"].is_array() || d["classes"].empty()) {
            problem(d.contains("classes") ? p + "/classes" : p, who + ": 'classes' must be a non-empty array of {class, min}, the best class first");
        } else {
            const auto &cs = d["classes"];
            for (std::size_t i = 0; i < cs.size(); ++i) {
                const std::string q = p + "/classes/" + std::to_string(i);
                const auto &x = cs[i];
                if (!x.is_object() || x.size() != 2 || !x.contains("class") || !x["class"].is_string() || x["class"].get<std::string>().empty() ||
                    !x.contains("min") || !x["min"].is_number() || !std::isfinite(x["min"].get<double>()) || std::fabs(x["min"].get<double>()) > max_score) {
                    problem(q, who + ": a class is {\"class\": a name, \"min\": a finite number}");
                    continue;
                }
                if (!out.classes.empty() && !(x["min"].get<double>() < out.classes.back().second))
                    problem(q + "/min", who + ": class thresholds out of order: '" + printable(x["class"].get<std::string>()) + "' needs a 'min' below the " +
                                            "previous class's (" + printable(out.classes.back().first) + ")");
                out.classes.emplace_back(x["class"].get<std::string>(), x["min"].get<double>());
            }
        }
        if (!d.contains("otherwise") || !d["otherwise"].is_string() || d["otherwise"].get<std::string>().empty())
            problem(d.contains("otherwise") ? p + "/otherwise" : p, who + ": 'otherwise' must name the class below every minimum");
        else out.otherwise = d["otherwise"].get<std::string>();
        (it.key() == "service" ? pol.service : pol.pre_contract) = std::move(out);
    }
}

// "calendars": {"NAME": [holidays]} and "calendar": {"attribute", "map", "default"}.
inline void read_calendars(const nlohmann::json &j, policy &pol, const std::function<void(const std::string &, const std::string &)> &problem) {
    if (j.contains("calendars")) {
        const auto &cs = j["calendars"];
        if (!cs.is_object()) problem("/calendars", "policy: 'calendars' must be an object of named holiday lists");
        else
            for (auto it = cs.begin(); it != cs.end(); ++it) {
                if (it.key().empty()) problem("/calendars/", "policy: a calendar needs a name");
                pol.calendars[it.key()] = read_holidays(it.value(), "/calendars/" + policy_reader::pointer_token(it.key()), problem);
            }
    }
    if (!j.contains("calendar")) return;
    const auto &c = j["calendar"];
    if (!c.is_object()) {
        problem("/calendar", "policy: 'calendar' must be an object {attribute, map, default}");
        return;
    }
    for (auto it = c.begin(); it != c.end(); ++it)
        if (it.key() != "attribute" && it.key() != "map" && it.key() != "default" && it.key() != "$comment")
            problem("/calendar/" + policy_reader::pointer_token(it.key()), "calendar: unknown field '" + printable(it.key()) + "' (expected attribute, map, default)");
    auto known = [&](const std::string &name, const std::string &ptr) {
        if (!pol.calendars.count(name)) {
            std::string list;
            for (const auto &[n, h] : pol.calendars) list += (list.empty() ? "" : ", ") + n;
            problem(ptr, "calendar: unknown calendar '" + printable(name) + "' (calendars: " + (list.empty() ? std::string("none defined") : list) + ")");
        }
    };
    if (c.contains("attribute")) {
        if (!c["attribute"].is_string() || c["attribute"].get<std::string>().empty()) problem("/calendar/attribute", "calendar: 'attribute' must be a non-empty string");
        else pol.calendar_attribute = c["attribute"].get<std::string>();
    }
    if (c.contains("map")) {
        if (!c["map"].is_object()) problem("/calendar/map", "calendar: 'map' must be an object of attribute value -> calendar name");
        else
            for (auto it = c["map"].begin(); it != c["map"].end(); ++it) {
                const std::string ptr = "/calendar/map/" + policy_reader::pointer_token(it.key());
                if (!it.value().is_string()) problem(ptr, "calendar: the map's values must be calendar names");
                else {
                    known(it.value().get<std::string>(), ptr);
                    pol.calendar_map[it.key()] = it.value().get<std::string>();
                }
            }
    }
    if (c.contains("default")) {
        if (!c["default"].is_string()) problem("/calendar/default", "calendar: 'default' must be a calendar name");
        else {
            known(c["default"].get<std::string>(), "/calendar/default");
            pol.default_calendar = c["default"].get<std::string>();
        }
    }
}

// "messages": {message id: {locale: template}}: every id one of the built-in
// table's, every locale one of the policy's, every placeholder one the
// message fills.
inline std::map<std::string, localized_text> read_messages(const json_source &src, const nlohmann::json &j, const locale_list &locales,
                                                           std::vector<diagnostic> &out) {
    std::map<std::string, localized_text> messages;
    if (!j.is_object()) {
        out.push_back(src.at("/messages", "policy: 'messages' must be an object of message ids, each an object of templates by locale"));
        return messages;
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string p = "/messages/" + policy_reader::pointer_token(it.key());
        const message_entry *m = find_message(it.key());
        if (!m) {
            out.push_back(src.at(p, "messages: unknown message id '" + printable(it.key()) + "' (docs/policy-format.md, \"Reasons as codes\", lists them)"));
            continue;
        }
        if (!it.value().is_object()) {
            out.push_back(src.at(p, "messages: '" + it.key() + "' must be an object of templates by locale (e.g. {\"ru\": \"...\"})"));
            continue;
        }
        for (auto t = it.value().begin(); t != it.value().end(); ++t) {
            const std::string tp = p + "/" + policy_reader::pointer_token(t.key());
            if (!locales.has(t.key())) {
                out.push_back(src.at(tp, "messages: '" + it.key() + "': unknown locale '" + printable(t.key()) + "' (the policy's locales: " +
                                             locales.joined() + "; add it to \"locales\" to use it)"));
                continue;
            }
            if (!t.value().is_string()) {
                out.push_back(src.at(tp, "messages: '" + it.key() + "': the '" + t.key() + "' template must be a string"));
                continue;
            }
            const std::string text = t.value().get<std::string>();
            bool ok = true;
            for (const auto &name : message_placeholders(text))
                if (!message_has_placeholder(*m, name)) {
                    const std::string known = *m->placeholders ? std::string(m->placeholders) : std::string("none");
                    out.push_back(src.at(tp, "messages: '" + it.key() + "': unknown placeholder '{" + printable(name) + "}' (this message has: " + known + ")"));
                    ok = false;
                }
            if (ok) messages[it.key()].set(t.key(), text);
        }
    }
    return messages;
}

} // namespace detail

/// Parses and validates a policy; throws input_error with every problem
/// (CLM_E_PARSE for malformed JSON, CLM_E_VALIDATION otherwise).
inline std::shared_ptr<const policy> policy_from_json(std::string_view text, const std::string &file = "") {
    json_source src(text, file);
    const auto &j = src.doc();
    std::vector<diagnostic> out;
    detail::policy_reader r{src, out, {}};
    auto pol = std::make_shared<policy>();
    if (!j.is_object()) throw input_error(CLM_E_VALIDATION, {src.at("", "a policy must be a JSON object")});
    static const std::set<std::string> known = {"id", "version", "name", "description", "rules", "class_weights", "default_class_weight", "value",
                                                "per_customer_limit", "holidays", "calendars", "calendar", "derived_classes", "capacity", "locales", "messages", "$schema", "$comment"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key()) && it.key().rfind("x-", 0) != 0) r.problem("/" + it.key(), "policy: unknown field '" + it.key() + "'");
    if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty()) r.problem(j.contains("id") ? "/id" : "", "policy: 'id' must be a non-empty string");
    else pol->id = j["id"].get<std::string>();
    if (j.contains("version")) {
        if (!j["version"].is_number_integer() || j["version"].get<long long>() < 1 || j["version"].get<long long>() > 1000000) r.problem("/version", "policy: 'version' must be an integer >= 1");
        else pol->version = int(j["version"].get<long long>());
    }
    if (j.contains("locales")) r.locales = read_locale_list(src, j["locales"], "/locales", "policy", out);
    pol->locales = r.locales;
    r.optional_string(j, "", "name", pol->name, "policy");
    r.optional_string(j, "", "description", pol->description, "policy");
    if (j.contains("messages")) pol->messages = detail::read_messages(src, j["messages"], r.locales, out);
    auto weights = [&](const char *key, std::map<std::string, double> &dst, bool share) {
        if (!j.contains(key)) return;
        if (!j[key].is_object()) {
            r.problem(std::string("/") + key, std::string("policy: '") + key + "' must be an object of numbers");
            return;
        }
        double sum = 0;
        for (auto it = j[key].begin(); it != j[key].end(); ++it) {
            if (!it.value().is_number() || it.value().get<double>() < 0 || it.value().get<double>() > (share ? 1.0 : max_weight)) {
                r.problem(std::string("/") + key + "/" + r.pointer_token(it.key()), std::string("policy: '") + key + "' of '" + printable(it.key()) + "' must be a number" + (share ? " in [0, 1]" : " from 0 to 1e6"));
                continue;
            }
            dst[it.key()] = it.value().get<double>();
            sum += it.value().get<double>();
        }
        if (share && sum > 1.0 + 1e-9) r.problem(std::string("/") + key, "policy: class shares add up to more than 1");
    };
    weights("class_weights", pol->class_weights, false);
    if (j.contains("default_class_weight")) {
        if (!j["default_class_weight"].is_number() || j["default_class_weight"].get<double>() < 0 || j["default_class_weight"].get<double>() > max_weight)
            r.problem("/default_class_weight", "policy: 'default_class_weight' must be a number from 0 to 1e6");
        else pol->default_class_weight = j["default_class_weight"].get<double>();
    }
    if (j.contains("value")) {
        const auto &v = j["value"];
        if (!v.is_object()) r.problem("/value", "policy: 'value' must be an object");
        else {
            r.only(v, "/value", {"attribute", "default", "use_probability"}, "policy value");
            r.optional_string(v, "/value", "attribute", pol->value_attribute, "policy value");
            if (v.contains("default")) {
                if (!v["default"].is_number() || v["default"].get<double>() < 0 || v["default"].get<double>() > max_amount)
                    r.problem("/value/default", "policy: value 'default' must be a number from 0 to 1e12");
                else pol->default_value = v["default"].get<double>();
            }
            if (v.contains("use_probability")) {
                if (!v["use_probability"].is_boolean()) r.problem("/value/use_probability", "policy: 'use_probability' must be true or false");
                else pol->use_probability = v["use_probability"].get<bool>();
            }
        }
    }
    if (j.contains("per_customer_limit")) {
        if (!j["per_customer_limit"].is_number_integer() || j["per_customer_limit"].get<long long>() < 1 || j["per_customer_limit"].get<long long>() > 1000)
            r.problem("/per_customer_limit", "policy: 'per_customer_limit' must be a whole number from 1 to 1000");
        else pol->per_customer_limit = int(j["per_customer_limit"].get<long long>());
    }
    auto holiday_problem = [&](const std::string &ptr, const std::string &msg) { r.problem(ptr, msg); };
    if (j.contains("holidays")) pol->holidays = detail::read_holidays(j["holidays"], "/holidays", holiday_problem);
    detail::read_calendars(j, *pol, holiday_problem);
    detail::read_derived_classes(j, *pol, holiday_problem);
    if (j.contains("capacity")) {
        const auto &c = j["capacity"];
        if (!c.is_object()) r.problem("/capacity", "policy: 'capacity' must be an object");
        else {
            r.only(c, "/capacity", {"hours_per_week", "default_minutes", "minutes", "class_shares", "service_share"}, "capacity");
            if (c.contains("service_share")) {
                if (!c["service_share"].is_number() || !(c["service_share"].get<double>() >= 0) || c["service_share"].get<double>() > 1)
                    r.problem("/capacity/service_share", "capacity: 'service_share' must be a number in [0, 1]");
                else pol->service_share = c["service_share"].get<double>();
            }
            if (c.contains("hours_per_week")) {
                if (!c["hours_per_week"].is_number() || !(c["hours_per_week"].get<double>() > 0) || c["hours_per_week"].get<double>() > 168)
                    r.problem("/capacity/hours_per_week", "capacity: 'hours_per_week' must be a number in (0, 168]");
                else pol->hours_per_week = c["hours_per_week"].get<double>();
            }
            if (c.contains("default_minutes")) {
                if (!c["default_minutes"].is_number() || !(c["default_minutes"].get<double>() > 0) || c["default_minutes"].get<double>() > max_minutes)
                    r.problem("/capacity/default_minutes", "capacity: 'default_minutes' must be a number > 0 and at most 10080 (a week)");
                else pol->default_minutes = c["default_minutes"].get<double>();
            }
            if (c.contains("minutes")) {
                if (!c["minutes"].is_object()) r.problem("/capacity/minutes", "capacity: 'minutes' must be an object");
                else
                    for (auto it = c["minutes"].begin(); it != c["minutes"].end(); ++it) {
                        if (!it.value().is_number() || !(it.value().get<double>() > 0) || it.value().get<double>() > max_minutes)
                            r.problem("/capacity/minutes/" + r.pointer_token(it.key()), "capacity: minutes of '" + printable(it.key()) + "' must be a number > 0 and at most 10080 (a week)");
                        else pol->minutes[it.key()] = it.value().get<double>();
                    }
            }
            if (c.contains("class_shares")) {
                const auto &cs = c["class_shares"];
                if (!cs.is_object()) r.problem("/capacity/class_shares", "capacity: 'class_shares' must be an object");
                else {
                    double sum = 0;
                    for (auto it = cs.begin(); it != cs.end(); ++it) {
                        if (!it.value().is_number() || it.value().get<double>() < 0 || it.value().get<double>() > 1) {
                            r.problem("/capacity/class_shares/" + it.key(), "capacity: share of '" + it.key() + "' must be in [0, 1]");
                            continue;
                        }
                        pol->class_shares[it.key()] = it.value().get<double>();
                        sum += it.value().get<double>();
                    }
                    if (sum > 1.0 + 1e-9) r.problem("/capacity/class_shares", "capacity: class shares add up to more than 1");
                }
            }
        }
    }
    if (!j.contains("rules") || !j["rules"].is_array()) {
        r.problem(j.contains("rules") ? "/rules" : "", "policy: 'rules' must be an array of rules");
    } else {
        std::set<std::string> ids;
        const auto &rs = j["rules"];
        for (std::size_t i = 0; i < rs.size(); ++i) {
            std::string p = "/rules/" + std::to_string(i);
            const auto &rj = rs[i];
            rule ru;
            if (!rj.is_object()) {
                r.problem(p, "rule " + std::to_string(i) + " must be an object");
                continue;
            }
            for (auto it = rj.begin(); it != rj.end(); ++it) {
                static const std::set<std::string> rk = {"id", "description", "source", "when", "action", "scope"};
                if (!rk.count(it.key())) r.problem(p + "/" + it.key(), "rule " + std::to_string(i) + ": unknown field '" + it.key() + "'");
            }
            if (!rj.contains("id") || !rj["id"].is_string() || rj["id"].get<std::string>().empty()) r.problem(p, "rule " + std::to_string(i) + ": needs an 'id'");
            else {
                ru.id = rj["id"].get<std::string>();
                if (!ids.insert(ru.id).second) r.problem(p + "/id", "duplicate rule id '" + ru.id + "'");
            }
            if (rj.contains("description")) {
                localized_text d = read_localized_text(src, rj["description"], p + "/description", "rule '" + printable(ru.id) + "': 'description'", r.locales, out);
                ru.description = d.in(r.locales.default_locale(), r.locales.default_locale());
                if (d.size() > 1) ru.localized_description = std::move(d);
            }
            r.optional_string(rj, p, "source", ru.source, "rule '" + printable(ru.id) + "'");
            if (rj.contains("scope")) {
                const std::string sc = rj["scope"].is_string() ? rj["scope"].get<std::string>() : "";
                if (sc == "deal") ru.scope = rule_scope::deal;
                else if (sc == "account") ru.scope = rule_scope::account;
                else r.problem(p + "/scope", "rule '" + printable(ru.id) + "': unknown scope '" + printable(rj["scope"].is_string() ? sc : rj["scope"].dump()) + "' (deal or account)");
            }
            if (!rj.contains("when")) r.problem(p, "rule '" + ru.id + "': needs 'when' (a condition)");
            else ru.when = r.read_condition(rj["when"], p + "/when", 0);
            if (!rj.contains("action")) r.problem(p, "rule '" + ru.id + "': needs 'action'");
            else ru.then = r.read_action(rj["action"], p + "/action", ru.id);
            pol->rules.push_back(std::move(ru));
        }
        if (pol->rules.size() > 60000) r.problem("/rules", "policy: too many rules");
    }
    if (!out.empty()) {
        std::stable_sort(out.begin(), out.end(), [](const diagnostic &a, const diagnostic &b) { return std::tie(a.line, a.column) < std::tie(b.line, b.column); });
        throw input_error(CLM_E_VALIDATION, capped(std::move(out)));
    }
    return pol;
}

} // namespace clm
