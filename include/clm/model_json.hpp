/// @file model_json.hpp
/// Lifecycle models to and from JSON (schema: docs/model-format.md and
/// docs/model.schema.json). Loading reports every problem at once, each with
/// its file, line and column.
#pragma once

#include <clm/json_source.hpp>
#include <clm/localized_text.hpp>
#include <clm/model_builder.hpp>
#include <clm/problem_cap.hpp>

#include <nlohmann/json.hpp>

#include <set>

namespace clm {

namespace detail {

// Reads typed fields of one JSON object, collecting problems instead of throwing.
class field_reader {
public:
    field_reader(const json_source &src, const nlohmann::json &obj, std::string pointer,
                 std::string what, std::vector<diagnostic> &out)
        : src_(src), obj_(obj), pointer_(std::move(pointer)), what_(std::move(what)), out_(out) {}

    bool is_object() {
        if (obj_.is_object()) return true;
        out_.push_back(src_.at(pointer_, what_ + " must be a JSON object"));
        return false;
    }

    // Reports fields outside `known`; "x-" keys and "$schema"/"$comment" are extensions.
    void only(std::initializer_list<const char *> known) {
        std::set<std::string> k(known.begin(), known.end());
        for (auto it = obj_.begin(); it != obj_.end(); ++it) {
            const std::string &key = it.key();
            if (k.count(key) || key.rfind("x-", 0) == 0 || key == "$schema" || key == "$comment") continue;
            out_.push_back(src_.at(pointer_ + "/" + key, what_ + ": unknown field '" + key + "'"));
        }
    }

    bool has(const char *key) const { return obj_.contains(key); }

    std::string string(const char *key, bool required, const std::string &fallback = {}) {
        if (!obj_.contains(key)) {
            if (required) missing(key);
            return fallback;
        }
        const auto &v = obj_.at(key);
        if (!v.is_string()) {
            wrong(key, "a string");
            return fallback;
        }
        return v.get<std::string>();
    }

    // A text field: a plain string (the default locale's text) or an object
    // of texts by locale (localized_text.hpp). Empty when missing or bad.
    localized_text localized(const char *key, bool required, const locale_list &locales) {
        if (!obj_.contains(key)) {
            if (required) missing(key);
            return {};
        }
        return read_localized_text(src_, obj_.at(key), pointer_ + "/" + key, what_ + ": '" + key + "'", locales, out_);
    }

    std::optional<long long> integer(const char *key, bool required) {
        if (!obj_.contains(key)) {
            if (required) missing(key);
            return std::nullopt;
        }
        const auto &v = obj_.at(key);
        if (v.is_number_integer()) {
            long long x = v.get<long long>();
            if (x < -1000000000LL || x > 1000000000LL) {
                out_.push_back(src_.at(pointer_ + "/" + key, what_ + ": '" + key + "' is out of range"));
                return std::nullopt;
            }
            return x;
        }
        wrong(key, "an integer");
        return std::nullopt;
    }

    std::optional<double> number(const char *key) {
        if (!obj_.contains(key)) return std::nullopt;
        const auto &v = obj_.at(key);
        if (!v.is_number()) {
            wrong(key, "a number");
            return std::nullopt;
        }
        return v.get<double>();
    }

    bool boolean(const char *key) {
        if (!obj_.contains(key)) return false;
        const auto &v = obj_.at(key);
        if (!v.is_boolean()) {
            wrong(key, "true or false");
            return false;
        }
        return v.get<bool>();
    }

    std::vector<std::string> strings(const char *key) {
        std::vector<std::string> res;
        if (!obj_.contains(key)) return res;
        const auto &v = obj_.at(key);
        if (!v.is_array()) {
            wrong(key, "an array of strings");
            return res;
        }
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string()) {
                out_.push_back(src_.at(pointer_ + "/" + key + "/" + std::to_string(i), what_ + ": '" + key + "' must hold only strings"));
                continue;
            }
            res.push_back(v[i].get<std::string>());
        }
        return res;
    }

    const nlohmann::json *array(const char *key, bool required) {
        if (!obj_.contains(key)) {
            if (required) missing(key);
            return nullptr;
        }
        const auto &v = obj_.at(key);
        if (!v.is_array()) {
            wrong(key, "an array");
            return nullptr;
        }
        return &v;
    }

    std::size_t errors_since(std::size_t mark) const { return out_.size() - mark; }

private:
    void missing(const char *key) {
        out_.push_back(src_.at(pointer_, what_ + ": missing required field '" + key + "'"));
    }
    void wrong(const char *key, const char *expected) {
        out_.push_back(src_.at(pointer_ + "/" + key, what_ + ": '" + key + "' must be " + expected));
    }

    const json_source &src_;
    const nlohmann::json &obj_;
    std::string pointer_;
    std::string what_;
    std::vector<diagnostic> &out_;
};

inline guard read_guard(const json_source &src, const nlohmann::json &j, const std::string &p,
                        const std::string &what, std::vector<diagnostic> &out) {
    guard g;
    field_reader r(src, j, p, what, out);
    if (!r.is_object()) return g;
    std::string kind = r.string("kind", true);
    if (kind == "requires") {
        r.only({"kind", "items"});
        g.kind = guard::type::items_present;
        if (!r.has("items")) out.push_back(src.at(p, what + ": a 'requires' guard needs 'items'"));
        g.items = r.strings("items");
    } else if (kind == "min_days") {
        r.only({"kind", "days"});
        g.kind = guard::type::min_days;
        g.days = int(r.integer("days", true).value_or(0));
    } else if (kind == "predicate") {
        r.only({"kind", "name"});
        g.kind = guard::type::predicate;
        g.name = r.string("name", true);
    } else if (!kind.empty()) {
        out.push_back(src.at(p + "/kind", what + ": unknown guard kind '" + kind + "' (expected requires, min_days or predicate)"));
    }
    return g;
}

} // namespace detail

/// Parses and validates a model definition. Throws input_error with every
/// problem: CLM_E_PARSE for malformed JSON, CLM_E_VALIDATION otherwise.
/// `file` names the source in diagnostics.
inline model_ptr model_from_json(std::string_view text, const std::string &file = "") {
    json_source src(text, file);
    const nlohmann::json &doc = src.doc();
    std::vector<diagnostic> out;
    detail::field_reader top(src, doc, "", "model", out);
    if (!top.is_object()) throw input_error(CLM_E_VALIDATION, capped(std::move(out)));
    top.only({"id", "version", "locales", "name", "description", "source", "initial", "main_path", "stages", "transitions", "migrations"});
    std::string id = top.string("id", true);
    int version = int(top.integer("version", true).value_or(1));
    model_builder b(id, version);
    b.set_locator([&src](const std::string &p, std::string m) { return src.at(p, std::move(m)); });
    locale_list locales;
    if (top.has("locales")) locales = read_locale_list(src, doc["locales"], "/locales", "model", out);
    const std::string &default_locale = locales.default_locale();
    b.locales(locales);
    // Text given in one locale only keeps no translation table: it is what name() says.
    auto one_locale = [](const localized_text &t) { return t.size() <= 1; };
    localized_text name = top.localized("name", false, locales), description = top.localized("description", false, locales);
    if (one_locale(name)) b.name(name.in(default_locale, default_locale));
    else b.localized_name(std::move(name));
    if (one_locale(description)) b.description(description.in(default_locale, default_locale));
    else b.localized_description(std::move(description));
    b.source(top.string("source", false));
    if (top.has("initial")) {
        std::string initial = top.string("initial", true);
        b.initial(initial);
    } else {
        out.push_back(src.at("", "model: missing required field 'initial' (the stage where customers start)"));
    }
    if (top.has("main_path")) b.main_path(top.strings("main_path"));

    bool kinds_ok = true; // without every stage's kind, dead ends cannot be judged
    if (const auto *stages = top.array("stages", true)) {
        for (std::size_t i = 0; i < stages->size(); ++i) {
            std::string p = "/stages/" + std::to_string(i);
            detail::field_reader r(src, (*stages)[i], p, "stage " + std::to_string(i), out);
            if (!r.is_object()) continue;
            r.only({"id", "name", "kind", "task", "requirements", "time_limit_days", "probability"});
            stage s;
            s.id = r.string("id", true);
            localized_text name = r.localized("name", true, locales);
            s.name = name.in(default_locale, default_locale);
            if (!one_locale(name)) s.localized_name = std::move(name);
            std::string kind = r.string("kind", true);
            if (auto k = parse_stage_kind(kind)) {
                s.kind = *k;
            } else {
                kinds_ok = false;
                if (r.has("kind") && (*stages)[i]["kind"].is_string())
                    out.push_back(src.at(p + "/kind", "stage '" + s.id + "': unknown kind '" + kind + "' (expected open, won, lost, dormant or terminal)"));
            }
            localized_text task = r.localized("task", true, locales);
            s.task = task.in(default_locale, default_locale);
            if (!one_locale(task)) s.localized_task = std::move(task);
            s.requirements = r.strings("requirements");
            if (auto t = r.integer("time_limit_days", false)) s.time_limit_days = int(*t);
            s.probability = r.number("probability");
            b.add_stage(std::move(s), p);
        }
    }
    if (const auto *transitions = top.array("transitions", true)) {
        for (std::size_t i = 0; i < transitions->size(); ++i) {
            std::string p = "/transitions/" + std::to_string(i);
            std::string what = "transition " + std::to_string(i);
            detail::field_reader r(src, (*transitions)[i], p, what, out);
            if (!r.is_object()) continue;
            r.only({"from", "to", "event", "guards", "reasons", "reason_required", "reasons_closed"});
            model_builder::transition_spec t;
            t.from = r.string("from", true);
            t.to = r.string("to", true);
            t.event = r.string("event", true);
            if (const auto *guards = r.array("guards", false))
                for (std::size_t g = 0; g < guards->size(); ++g)
                    t.guards.push_back(detail::read_guard(src, (*guards)[g], p + "/guards/" + std::to_string(g), what + " guard " + std::to_string(g), out));
            t.reasons = r.strings("reasons");
            t.reason_required = r.boolean("reason_required");
            t.reasons_closed = r.boolean("reasons_closed");
            b.add_transition(std::move(t), p);
        }
    }
    if (const auto *migrations = top.array("migrations", false)) {
        for (std::size_t i = 0; i < migrations->size(); ++i) {
            std::string p = "/migrations/" + std::to_string(i);
            detail::field_reader r(src, (*migrations)[i], p, "migration " + std::to_string(i), out);
            if (!r.is_object()) continue;
            r.only({"from_version", "stages"});
            migration m;
            m.from_version = int(r.integer("from_version", true).value_or(0));
            const auto &mj = (*migrations)[i];
            if (!mj.contains("stages") || !mj["stages"].is_object()) {
                out.push_back(src.at(p, "migration " + std::to_string(i) + ": 'stages' must be an object mapping old stage ids to new ones"));
            } else {
                for (auto it = mj["stages"].begin(); it != mj["stages"].end(); ++it) {
                    if (!it.value().is_string()) {
                        out.push_back(src.at(p + "/stages/" + it.key(), "migration " + std::to_string(i) + ": the new stage id must be a string"));
                        continue;
                    }
                    m.stages.emplace_back(it.key(), it.value().get<std::string>());
                }
            }
            b.add_migration(std::move(m), p);
        }
    }
    // The graph checks run beside field problems (the builder leaves out what
    // it cannot judge), except when a stage's kind is unknown: then which
    // stages finish is unknown too, and dead ends would only be noise.
    b.graph_checks(kinds_ok);
    for (auto &d : b.problems()) out.push_back(std::move(d));
    if (!out.empty()) {
        std::stable_sort(out.begin(), out.end(), [](const diagnostic &a, const diagnostic &b2) {
            return std::tie(a.line, a.column) < std::tie(b2.line, b2.column);
        });
        throw input_error(CLM_E_VALIDATION, capped(std::move(out)));
    }
    return b.build();
}

/// The canonical JSON of a model (stable field order); loading it gives the same model.
inline nlohmann::ordered_json model_to_json(const model &m) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["id"] = m.id();
    j["version"] = m.version();
    const std::string &default_locale = m.locales().default_locale();
    if (m.locales().tags != std::vector<std::string>{"en"}) j["locales"] = m.locales().tags;
    // Translated text is written in every locale, whichever locale the model shows.
    auto text = [&](const localized_text &all, const std::string &shown) -> oj {
        return all.empty() ? oj(shown) : all.to_json(default_locale);
    };
    if (!m.localized_name().empty() || !m.name().empty()) j["name"] = text(m.localized_name(), m.name());
    if (!m.localized_description().empty() || !m.description().empty()) j["description"] = text(m.localized_description(), m.description());
    if (!m.source().empty()) j["source"] = m.source();
    j["initial"] = m.stage_at(m.initial()).id;
    oj path = oj::array();
    for (auto s : m.main_path()) path.push_back(m.stage_at(s).id);
    j["main_path"] = path;
    oj stages = oj::array();
    for (stage_index i = 0; i < m.stage_count(); ++i) {
        const stage &s = m.stage_at(i);
        oj sj;
        sj["id"] = s.id;
        sj["name"] = text(s.localized_name, s.name);
        sj["kind"] = to_string(s.kind);
        sj["task"] = text(s.localized_task, s.task);
        if (!s.requirements.empty()) sj["requirements"] = s.requirements;
        if (s.time_limit_days) sj["time_limit_days"] = *s.time_limit_days;
        if (s.probability) sj["probability"] = *s.probability;
        stages.push_back(sj);
    }
    j["stages"] = stages;
    oj transitions = oj::array();
    for (std::size_t i = 0; i < m.transition_count(); ++i) {
        const transition &t = m.transition_at(i);
        oj tj;
        tj["from"] = m.stage_at(t.from).id;
        tj["to"] = m.stage_at(t.to).id;
        tj["event"] = m.event_name(t.event);
        if (!t.guards.empty()) {
            oj gs = oj::array();
            for (const auto &g : t.guards) {
                oj gj;
                gj["kind"] = to_string(g.kind);
                if (g.kind == guard::type::items_present) gj["items"] = g.items;
                if (g.kind == guard::type::min_days) gj["days"] = g.days;
                if (g.kind == guard::type::predicate) gj["name"] = g.name;
                gs.push_back(gj);
            }
            tj["guards"] = gs;
        }
        if (!t.reasons.empty()) tj["reasons"] = t.reasons;
        if (t.reason_required) tj["reason_required"] = true;
        if (t.reasons_closed) tj["reasons_closed"] = true;
        transitions.push_back(tj);
    }
    j["transitions"] = transitions;
    if (!m.migrations().empty()) {
        oj ms = oj::array();
        for (const auto &mg : m.migrations()) {
            oj mj;
            mj["from_version"] = mg.from_version;
            oj map = oj::object();
            for (const auto &[o, n] : mg.stages) map[o] = n;
            mj["stages"] = map;
            ms.push_back(mj);
        }
        j["migrations"] = ms;
    }
    return j;
}

} // namespace clm
