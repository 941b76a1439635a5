// run_bad_inputs.cpp -- runs every case of the bad-input manifest
// (tests/bad_inputs/cases.json) through the C ABI and checks that it fails
// (or, for the few marked CLM_OK, succeeds) with the expected status and a
// message containing the expected fragment. nlohmann::json only reads the
// manifest; every call under test is a clm.h function.
//
// Besides status and message it checks, for every case, what clm.h promises
// about failures: out-parameters stay untouched, clm_last_status() agrees,
// clm_last_error() is "" after success and names the function after an
// error, and a failed call on a portfolio changes nothing (customers, events,
// models, the exported journal).
//
// A case: {"id", "entry", "status", "message"} plus what the entry needs:
//   model_json / policy_json   "file" (relative to the manifest) or "text" or "hex";
//                              optional "len" (bytes passed) or "len_delta" (added to the size)
//   event_csv                  the same, into a portfolio of "models" (default sales6,
//                              maturity6) after "setup" (CSV text) was imported; "flags"
//   save_file                  "file" loaded with clm_portfolio_load, or "path" as given
//   clm_<function>             "args": the function's parameters by name; absent ones take
//                              a valid default, null is NULL. Handles name fixtures:
//                              model "sales6" (any preset id), portfolio "fixture" /
//                              "empty" / "sales6", policy "seeds" or a .json file of this
//                              folder, builder {"id","version","ops"}.
// Strings are JSON strings, {"hex": "ff fe"} for raw bytes, {"file": "x"} for the
// contents of the file x beside the manifest, "@HERE@/x" for its path; numbers may be
// strings ("1e400", "nan", "inf") for what JSON cannot hold.
//
// Usage: clm_bad_inputs path/to/cases.json [CASE_ID...]   prints `N passed, M failed`;
// with CLM_BAD_INPUTS_VERBOSE=1 also each passing case's status and message.
#include <clm/clm.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;

struct failure {
    std::string what;
};

[[noreturn]] void fail(const std::string &what) { throw failure{what}; }

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string from_hex(const std::string &hex) {
    std::string out;
    int hi = -1;
    for (char c : hex) {
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) continue; // spaces
        if (hi < 0) hi = v;
        else {
            out += char(hi * 16 + v);
            hi = -1;
        }
    }
    return out;
}

// A pointer no clm call returns, preset in out-parameters.
template <class T>
T *sentinel() {
    return reinterpret_cast<T *>(std::uintptr_t(0x5e5e5e5e0ULL));
}
constexpr size_t size_sentinel = 0x5e5e5e;

// The sales6 + maturity6 fixture: customer c1 in presentation / headless, c2 in proposal.
const char *const fixture_csv = "customer_id,timestamp,type,value,model,manager\n"
                                "c1,2017-01-10,stage,presentation,sales6,Ann\n"
                                "c1,2017-01-10,stage,headless,maturity6,\n"
                                "c1,2017-01-10,manager,Ann,,\n"
                                "c2,2017-02-01,stage,proposal,sales6,Bo\n";

// What a portfolio looks like from outside.
struct snapshot {
    size_t customers = 0, events = 0, models = 0;
    std::string journal;
    bool operator==(const snapshot &o) const {
        return customers == o.customers && events == o.events && models == o.models && journal == o.journal;
    }
};

snapshot observe(const clm_portfolio *p) {
    snapshot s;
    if (!p) return s;
    s.customers = clm_portfolio_customer_count(p);
    s.events = clm_portfolio_event_count(p);
    s.models = clm_portfolio_model_count(p);
    char *out = nullptr;
    size_t len = 0;
    if (clm_portfolio_export_events(&out, &len, p) == CLM_OK) s.journal.assign(out, len);
    clm_string_free(out);
    return s;
}

class runner {
public:
    runner(const json &c, std::string dir) : c_(c), dir_(std::move(dir)) {}
    ~runner() {
        for (auto *m : models_) clm_model_free(m);
        for (auto *p : portfolios_) clm_portfolio_free(p);
        for (auto *p : policies_) clm_policy_free(p);
        for (auto *b : builders_) clm_model_builder_free(b);
    }

    // Runs the case; throws failure with what went wrong.
    void run() {
        const std::string entry = c_.at("entry").get<std::string>();
        const std::string expected = c_.at("status").get<std::string>();
        const std::string fragment = c_.value("message", std::string());
        clm_status s = dispatch(entry);
        if (clm_last_error() == nullptr) fail("clm_last_error() is NULL");
        const std::string message = clm_last_error(); // copied: the checks below make calls
        const char *msg = message.c_str();
        if (clm_last_status() != s) fail("clm_last_status() disagrees with the returned status");
        if (std::string(clm_status_name(s)) != expected)
            fail("expected " + expected + ", got " + clm_status_name(s) + ": " + msg);
        if (s == CLM_OK) {
            if (*msg != '\0') fail("clm_last_error() is not \"\" after success: " + std::string(msg));
        } else {
            if (std::strncmp(msg, function_.c_str(), function_.size()) != 0)
                fail("the message does not start with the function name " + function_ + ": " + msg);
            if (std::strstr(msg, fragment.c_str()) == nullptr)
                fail("the message lacks \"" + fragment + "\": " + msg);
            if (!untouched_) fail("an out-parameter was written by a failed call");
            if (watched_ && !(observe(watched_) == before_)) fail("the failed call changed the portfolio");
        }
        if (std::getenv("CLM_BAD_INPUTS_VERBOSE"))
            std::printf("ok %s: %s %s\n", c_.at("id").get<std::string>().c_str(), clm_status_name(s), msg);
    }

private:
    // ---- arguments ----

    const json &args() const {
        static const json none = json::object();
        return c_.contains("args") ? c_["args"] : none;
    }
    bool has(const char *key) const { return args().contains(key); }

    // Bytes of a text given as "file", "text" or "hex" in `j`.
    std::string input_of(const json &j) {
        if (j.contains("file")) return slurp(dir_ + "/" + j["file"].get<std::string>());
        if (j.contains("hex")) return from_hex(j["hex"].get<std::string>());
        if (j.contains("text")) return j["text"].get<std::string>();
        fail("the case needs \"file\", \"text\" or \"hex\"");
    }
    size_t len_of(const json &j, const std::string &data) {
        if (j.contains("len")) return j["len"].get<size_t>();
        if (j.contains("len_delta")) return size_t(std::ptrdiff_t(data.size()) + j["len_delta"].get<std::ptrdiff_t>());
        return data.size();
    }

    // A C string argument: absent -> `def`; null -> NULL; a string or {"hex"}.
    const char *str(const char *key, const char *def) {
        if (!has(key)) return def;
        const json &v = args()[key];
        if (v.is_null()) return nullptr;
        if (v.is_object() && v.contains("file")) strings_.push_back(slurp(dir_ + "/" + v.at("file").get<std::string>()));
        else strings_.push_back(v.is_object() ? from_hex(v.at("hex").get<std::string>()) : v.get<std::string>());
        // "@HERE@/x" names x in the manifest's folder (a file committed beside the cases).
        if (strings_.back().rfind("@HERE@/", 0) == 0) strings_.back() = dir_ + strings_.back().substr(6);
        return strings_.back().c_str();
    }
    double number(const char *key, double def) {
        if (!has(key)) return def;
        const json &v = args()[key];
        if (v.is_string()) return std::strtod(v.get<std::string>().c_str(), nullptr);
        return v.get<double>();
    }
    long long integer(const char *key, long long def) {
        if (!has(key)) return def;
        return args()[key].get<long long>();
    }

    // ---- fixtures ----

    clm_model *model(const char *key, const char *def) {
        const char *id = str(key, def);
        if (!id) return nullptr;
        clm_model *m = nullptr;
        if (clm_model_preset(&m, id) != CLM_OK) fail(std::string("fixture: no preset ") + id);
        models_.push_back(m);
        return m;
    }
    clm_portfolio *portfolio_named(const std::string &name) {
        clm_portfolio *p = nullptr;
        if (clm_portfolio_new(&p) != CLM_OK) fail("fixture: clm_portfolio_new");
        portfolios_.push_back(p);
        std::vector<std::string> ids;
        if (name == "fixture") ids = {"sales6", "maturity6"};
        else if (name != "empty") ids = {name};
        for (const auto &id : ids) {
            clm_model *m = nullptr;
            if (clm_model_preset(&m, id.c_str()) != CLM_OK || clm_portfolio_add_model(nullptr, p, m) != CLM_OK)
                fail("fixture: preset " + id);
            clm_model_free(m);
        }
        if (name == "fixture" &&
            clm_portfolio_import_csv(nullptr, nullptr, p, fixture_csv, std::strlen(fixture_csv), "fixture.csv", 0) != CLM_OK)
            fail(std::string("fixture: ") + clm_last_error());
        return p;
    }
    clm_portfolio *portfolio(const char *key = "portfolio") {
        const char *name = str(key, "fixture");
        return name ? portfolio_named(name) : nullptr;
    }
    clm_policy *policy() {
        const char *id = str("policy", "seeds");
        if (!id) return nullptr;
        // A preset id, or a policy file of this folder.
        std::string path = std::string(id).size() > 5 && std::string(id).rfind(".json") == std::strlen(id) - 5 ? dir_ + "/" + id : id;
        clm_policy *p = nullptr;
        if (clm_policy_load(&p, path.c_str()) != CLM_OK) fail("fixture: policy " + path + ": " + clm_last_error());
        policies_.push_back(p);
        return p;
    }
    // A builder from {"id", "version", "ops": [["add_stage", ...], ...]}; every op must succeed.
    clm_model_builder *builder() {
        if (has("builder") && args()["builder"].is_null()) return nullptr;
        json spec = has("builder") ? args()["builder"] : json::object();
        clm_model_builder *b = nullptr;
        std::string id = spec.value("id", std::string("m"));
        if (clm_model_builder_new(&b, id.c_str(), spec.value("version", 1)) != CLM_OK) fail("fixture: builder");
        builders_.push_back(b);
        for (const auto &op : spec.value("ops", json::array())) {
            auto s = [&](size_t i) -> const char * {
                if (op.at(i).is_null()) return nullptr;
                strings_.push_back(op.at(i).is_object() ? from_hex(op.at(i).at("hex").get<std::string>()) : op.at(i).get<std::string>());
                return strings_.back().c_str();
            };
            auto num = [&](size_t i) {
                return op.at(i).is_string() ? std::strtod(op.at(i).get<std::string>().c_str(), nullptr) : op.at(i).get<double>();
            };
            const std::string name = op.at(0).get<std::string>();
            clm_status st;
            if (name == "add_stage") st = clm_model_builder_add_stage(b, s(1), s(2), clm_stage_kind(op.at(3).get<int>()), s(4));
            else if (name == "add_transition") st = clm_model_builder_add_transition(b, s(1), s(2), s(3));
            else if (name == "set_probability") st = clm_model_builder_set_probability(b, s(1), num(2));
            else if (name == "set_time_limit") st = clm_model_builder_set_time_limit(b, s(1), op.at(2).get<int>());
            else if (name == "set_initial") st = clm_model_builder_set_initial(b, s(1));
            else if (name == "set_name") st = clm_model_builder_set_name(b, s(1));
            else if (name == "add_requirement") st = clm_model_builder_add_requirement(b, s(1), s(2));
            else if (name == "add_migration") st = clm_model_builder_add_migration(b, op.at(1).get<int>(), s(2), s(3));
            else if (name == "guard_min_days") st = clm_model_builder_guard_min_days(b, s(1), s(2), op.at(3).get<int>());
            else fail("unknown builder op " + name);
            if (st != CLM_OK) fail("fixture: builder op " + name + ": " + clm_last_error());
        }
        return b;
    }
    // A clm_event from args.event: {"customer_id", "timestamp", "type", "value", "model", ..., "struct_size"}.
    clm_event event_from(const json &e) {
        clm_event ev = CLM_EVENT_INIT;
        auto s = [&](const char *key, const char *def) -> const char * {
            if (!e.contains(key)) return def;
            if (e[key].is_null()) return nullptr;
            strings_.push_back(e[key].is_object() ? from_hex(e[key].at("hex").get<std::string>()) : e[key].get<std::string>());
            return strings_.back().c_str();
        };
        ev.customer_id = s("customer_id", "c3");
        ev.timestamp = s("timestamp", "2017-03-01");
        ev.type = s("type", "tag");
        ev.value = s("value", "vip");
        ev.model = s("model", nullptr);
        ev.channel = s("channel", nullptr);
        ev.manager = s("manager", nullptr);
        ev.reason = s("reason", nullptr);
        ev.due = s("due", nullptr);
        ev.note = s("note", nullptr);
        if (e.contains("amount")) {
            ev.has_amount = 1;
            ev.amount = e["amount"].is_string() ? std::strtod(e["amount"].get<std::string>().c_str(), nullptr) : e["amount"].get<double>();
        }
        if (e.contains("struct_size")) ev.struct_size = e["struct_size"].get<size_t>();
        return ev;
    }

    // Records the portfolio a call may change, to check a failure changed nothing.
    clm_portfolio *watch(clm_portfolio *p) {
        watched_ = p;
        before_ = observe(p);
        return p;
    }

    // A string result: on failure the out-parameters must be untouched. (By
    // reference: they are read after the call, whatever the argument order.)
    clm_status string_result(clm_status s, char *const &out, const size_t &len) {
        if (s == CLM_OK) clm_string_free(out);
        else untouched_ = out == sentinel<char>() && len == size_sentinel;
        return s;
    }

    // ---- the entries ----

    clm_status dispatch(const std::string &entry) {
        function_ = entry;
        if (entry == "model_json") {
            function_ = "clm_model_from_json";
            std::string data = input_of(c_);
            clm_model *m = sentinel<clm_model>();
            clm_status s = clm_model_from_json(&m, data.data(), len_of(c_, data));
            if (s == CLM_OK) clm_model_free(m);
            else untouched_ = m == sentinel<clm_model>();
            return s;
        }
        if (entry == "policy_json") {
            function_ = "clm_policy_from_json";
            std::string data = input_of(c_);
            clm_policy *p = sentinel<clm_policy>();
            clm_status s = clm_policy_from_json(&p, data.data(), len_of(c_, data));
            if (s == CLM_OK) clm_policy_free(p);
            else untouched_ = p == sentinel<clm_policy>();
            return s;
        }
        if (entry == "event_csv") {
            function_ = "clm_portfolio_import_csv";
            clm_portfolio *p = portfolio_named("empty");
            for (const auto &id : c_.value("models", std::vector<std::string>{"sales6", "maturity6"})) {
                clm_model *m = nullptr;
                if (clm_model_preset(&m, id.c_str()) != CLM_OK || clm_portfolio_add_model(nullptr, p, m) != CLM_OK)
                    fail("fixture: preset " + id);
                clm_model_free(m);
            }
            if (c_.contains("setup")) {
                std::string setup = c_["setup"].get<std::string>();
                if (clm_portfolio_import_csv(nullptr, nullptr, p, setup.data(), setup.size(), "setup.csv", 0) != CLM_OK)
                    fail(std::string("fixture: setup: ") + clm_last_error());
            }
            std::string data = input_of(c_);
            watch(p);
            size_t applied = size_sentinel;
            char *rej = sentinel<char>();
            std::string name = c_.contains("file") ? c_["file"].get<std::string>() : "input.csv";
            clm_status s = clm_portfolio_import_csv(&applied, &rej, p, data.data(), len_of(c_, data), name.c_str(),
                                                    c_.value("flags", 0u));
            if (s == CLM_OK) clm_string_free(rej);
            else untouched_ = applied == size_sentinel && rej == sentinel<char>();
            return s;
        }
        if (entry == "save_file") {
            function_ = "clm_portfolio_load";
            std::string path = c_.contains("file") ? dir_ + "/" + c_["file"].get<std::string>() : c_.at("path").get<std::string>();
            clm_portfolio *p = sentinel<clm_portfolio>();
            clm_status s = clm_portfolio_load(&p, path.c_str());
            if (s == CLM_OK) clm_portfolio_free(p);
            else untouched_ = p == sentinel<clm_portfolio>();
            return s;
        }
        return call(entry);
    }

    clm_status call(const std::string &fn) {
        char *out = sentinel<char>();
        size_t len = size_sentinel;
        size_t index = size_sentinel;
        if (fn == "clm_model_preset" || fn == "clm_model_load" || fn == "clm_model_from_json" ||
            fn == "clm_model_builder_build") {
            bool null_out = has("out") && args()["out"].is_null();
            clm_model *m = sentinel<clm_model>();
            clm_status s;
            if (fn == "clm_model_preset") s = clm_model_preset(null_out ? nullptr : &m, str("preset_id", "sales6"));
            else if (fn == "clm_model_load") s = clm_model_load(null_out ? nullptr : &m, str("path", "sales6"));
            else if (fn == "clm_model_from_json") {
                const char *j = str("json", "{}");
                s = clm_model_from_json(null_out ? nullptr : &m, j, size_t(integer("len", j ? long(std::strlen(j)) : 0)));
            } else {
                auto *b = builder();
                s = clm_model_builder_build(null_out ? nullptr : &m, b);
            }
            if (s == CLM_OK) clm_model_free(m);
            else untouched_ = m == sentinel<clm_model>();
            return s;
        }
        if (fn == "clm_model_validate_json") {
            const char *j = str("json", "{}");
            size_t count = size_sentinel;
            bool null_out = has("out_report") && args()["out_report"].is_null();
            clm_status s = clm_model_validate_json(null_out ? nullptr : &out, &count, j, size_t(integer("len", j ? long(std::strlen(j)) : 0)),
                                                   str("name", nullptr));
            if (s == CLM_OK) clm_string_free(out);
            else untouched_ = out == sentinel<char>() && count == size_sentinel;
            return s;
        }
        if (fn == "clm_model_find_stage" || fn == "clm_model_next_stage" || fn == "clm_model_migrate_stage") {
            clm_model *m = model("model", "sales6");
            clm_status s;
            if (fn == "clm_model_find_stage") s = clm_model_find_stage(&index, m, str("stage_id", "proposal"));
            else if (fn == "clm_model_next_stage")
                s = clm_model_next_stage(&index, m, size_t(integer("from_stage", 0)), str("event", "advance"));
            else s = clm_model_migrate_stage(&index, m, int(integer("from_version", 1)), str("old_stage_id", "proposal"));
            if (s != CLM_OK) untouched_ = index == size_sentinel;
            return s;
        }
        if (fn == "clm_model_transition") {
            size_t to = size_sentinel;
            const char *event = sentinel<const char>();
            clm_status s = clm_model_transition(&index, &to, &event, model("model", "sales6"), size_t(integer("index", 0)));
            if (s != CLM_OK) untouched_ = index == size_sentinel && to == size_sentinel && event == sentinel<const char>();
            return s;
        }
        if (fn == "clm_model_render") {
            clm_model *m = model("model", "sales6");
            return string_result(clm_model_render(&out, &len, m, clm_model_format(integer("format", 0))), out, len);
        }
        if (fn == "clm_model_builder_new") {
            clm_model_builder *b = sentinel<clm_model_builder>();
            bool null_out = has("out") && args()["out"].is_null();
            clm_status s = clm_model_builder_new(null_out ? nullptr : &b, str("model_id", "m"), int(integer("version", 1)));
            if (s == CLM_OK) clm_model_builder_free(b);
            else untouched_ = b == sentinel<clm_model_builder>();
            return s;
        }
        if (fn.rfind("clm_model_builder_", 0) == 0) {
            auto *b = builder();
            if (fn == "clm_model_builder_add_stage")
                return clm_model_builder_add_stage(b, str("stage_id", "a"), str("name", "A"),
                                                   clm_stage_kind(integer("kind", 0)), str("task", nullptr));
            if (fn == "clm_model_builder_set_time_limit")
                return clm_model_builder_set_time_limit(b, str("stage_id", "a"), int(integer("days", 1)));
            if (fn == "clm_model_builder_set_probability")
                return clm_model_builder_set_probability(b, str("stage_id", "a"), number("p", 0.5));
            if (fn == "clm_model_builder_add_requirement")
                return clm_model_builder_add_requirement(b, str("stage_id", "a"), str("item", "doc"));
            if (fn == "clm_model_builder_set_initial") return clm_model_builder_set_initial(b, str("stage_id", "a"));
            if (fn == "clm_model_builder_set_name") return clm_model_builder_set_name(b, str("name", "n"));
            if (fn == "clm_model_builder_add_transition")
                return clm_model_builder_add_transition(b, str("from", "a"), str("to", "b"), str("event", "go"));
            if (fn == "clm_model_builder_guard_requires")
                return clm_model_builder_guard_requires(b, str("from", "a"), str("event", "go"), str("item", "doc"));
            if (fn == "clm_model_builder_guard_min_days")
                return clm_model_builder_guard_min_days(b, str("from", "a"), str("event", "go"), int(integer("days", 1)));
            if (fn == "clm_model_builder_guard_predicate")
                return clm_model_builder_guard_predicate(b, str("from", "a"), str("event", "go"), str("predicate_name", "ok"));
            if (fn == "clm_model_builder_add_reason")
                return clm_model_builder_add_reason(b, str("from", "a"), str("event", "go"), str("reason", "r"), int(integer("required", 0)));
            if (fn == "clm_model_builder_add_migration")
                return clm_model_builder_add_migration(b, int(integer("from_version", 1)), str("old_stage_id", "x"),
                                                       str("new_stage_id", "a"));
            fail("unknown function " + fn);
        }
        if (fn == "clm_portfolio_add_model") {
            auto *p = watch(portfolio());
            clm_status s = clm_portfolio_add_model(&index, p, model("model", "sales6"));
            if (s != CLM_OK) untouched_ = index == size_sentinel;
            return s;
        }
        if (fn == "clm_portfolio_migrate") {
            auto *p = watch(portfolio());
            return clm_portfolio_migrate(p, model("model", "sales6"));
        }
        if (fn == "clm_portfolio_register_predicate")
            return clm_portfolio_register_predicate(portfolio(), str("name", "ok"), nullptr, nullptr);
        if (fn == "clm_portfolio_apply") {
            auto *p = watch(portfolio());
            if (has("event") && args()["event"].is_null()) return clm_portfolio_apply(p, nullptr);
            clm_event ev = event_from(has("event") ? args()["event"] : json::object());
            return clm_portfolio_apply(p, &ev);
        }
        if (fn == "clm_portfolio_apply_batch") {
            auto *p = watch(portfolio());
            std::vector<clm_event> evs;
            for (const auto &e : has("events") && !args()["events"].is_null() ? args()["events"] : json::array())
                evs.push_back(event_from(e));
            size_t count = size_t(integer("count", long(evs.size())));
            char *rej = sentinel<char>();
            clm_status s = clm_portfolio_apply_batch(&index, &rej, p, evs.empty() ? nullptr : evs.data(), count,
                                                     unsigned(integer("flags", 0)));
            if (s == CLM_OK) clm_string_free(rej);
            else untouched_ = index == size_sentinel && rej == sentinel<char>();
            return s;
        }
        if (fn == "clm_portfolio_import_csv") {
            auto *p = watch(portfolio());
            const char *csv = str("csv", "customer_id,timestamp,type,value\n");
            char *rej = sentinel<char>();
            clm_status s = clm_portfolio_import_csv(&index, &rej, p, csv, size_t(integer("len", csv ? long(std::strlen(csv)) : 0)),
                                                    str("name", nullptr), unsigned(integer("flags", 0)));
            if (s == CLM_OK) clm_string_free(rej);
            else untouched_ = index == size_sentinel && rej == sentinel<char>();
            return s;
        }
        if (fn == "clm_portfolio_import_csv_file") {
            auto *p = watch(portfolio());
            char *rej = sentinel<char>();
            clm_status s = clm_portfolio_import_csv_file(&index, &rej, p, str("path", "/nonexistent/events.csv"), 0);
            if (s == CLM_OK) clm_string_free(rej);
            else untouched_ = index == size_sentinel && rej == sentinel<char>();
            return s;
        }
        if (fn == "clm_portfolio_stage") {
            int64_t days = int64_t(size_sentinel);
            clm_status s = clm_portfolio_stage(&index, &days, portfolio(), str("customer_id", "c1"), str("model_id", "sales6"),
                                               str("as_of", nullptr));
            if (s != CLM_OK) untouched_ = index == size_sentinel && days == int64_t(size_sentinel);
            return s;
        }
        if (fn == "clm_portfolio_stage_counts") {
            std::vector<size_t> counts(64, size_sentinel);
            size_t total = size_sentinel;
            clm_status s = clm_portfolio_stage_counts(has("counts") ? nullptr : counts.data(), size_t(integer("capacity", 64)), &total,
                                                      portfolio(), str("model_id", "sales6"), str("as_of", nullptr));
            if (s != CLM_OK) {
                untouched_ = total == size_sentinel;
                for (auto c : counts) untouched_ = untouched_ && c == size_sentinel;
            }
            return s;
        }
        if (fn == "clm_portfolio_customer_json")
            return string_result(clm_portfolio_customer_json(&out, &len, portfolio(), str("customer_id", "c1"), str("as_of", nullptr)),
                                 out, len);
        if (fn == "clm_portfolio_history_json")
            return string_result(clm_portfolio_history_json(&out, &len, portfolio(), str("customer_id", "c1")), out, len);
        if (fn == "clm_portfolio_export")
            return string_result(clm_portfolio_export(&out, &len, portfolio(), str("as_of", nullptr),
                                                      clm_export_format(integer("format", 0))),
                                 out, len);
        if (fn == "clm_portfolio_export_events") {
            bool null_out = has("out") && args()["out"].is_null();
            return string_result(clm_portfolio_export_events(null_out ? nullptr : &out, &len, portfolio()), out, len);
        }
        if (fn == "clm_portfolio_save") return clm_portfolio_save(portfolio(), str("path", "/nonexistent-dir/x.clm"));
        if (fn == "clm_portfolio_new") return clm_portfolio_new(nullptr);
        if (fn == "clm_policy_load" || fn == "clm_policy_from_json") {
            clm_policy *pol = sentinel<clm_policy>();
            bool null_out = has("out") && args()["out"].is_null();
            clm_status s;
            if (fn == "clm_policy_load") s = clm_policy_load(null_out ? nullptr : &pol, str("path", "seeds"));
            else {
                const char *j = str("json", "{}");
                s = clm_policy_from_json(null_out ? nullptr : &pol, j, size_t(integer("len", j ? long(std::strlen(j)) : 0)));
            }
            if (s == CLM_OK) clm_policy_free(pol);
            else untouched_ = pol == sentinel<clm_policy>();
            return s;
        }
        if (fn == "clm_policy_recommend") {
            clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
            const clm_recommend_options *o = nullptr;
            if (has("options")) {
                const json &oj = args()["options"];
                opt.struct_size = oj.value("struct_size", opt.struct_size);
                opt.limit = oj.value("limit", size_t(0));
                opt.threads = oj.value("threads", 0u);
                o = &opt;
            }
            auto *pol = policy();
            auto *p = portfolio();
            return string_result(clm_policy_recommend(&out, &len, pol, p, str("as_of", "2017-03-01"), o), out, len);
        }
        if (fn == "clm_policy_recommend_customer") {
            auto *pol = policy();
            auto *p = portfolio();
            return string_result(
                clm_policy_recommend_customer(&out, &len, pol, p, str("customer_id", "c1"), str("as_of", "2017-03-01")), out, len);
        }
        if (fn == "clm_policy_plan_week") {
            auto *pol = policy();
            auto *p = portfolio();
            return string_result(clm_policy_plan_week(&out, &len, pol, p, str("manager", "Ann"), str("week", "2017-03-01"),
                                                      number("hours", 0)),
                                 out, len);
        }
        if (fn == "clm_portfolio_funnel_json")
            return string_result(clm_portfolio_funnel_json(&out, &len, portfolio(), str("model_id", "sales6"), str("as_of", nullptr)), out, len);
        if (fn == "clm_portfolio_time_in_stage_json")
            return string_result(
                clm_portfolio_time_in_stage_json(&out, &len, portfolio(), str("model_id", "sales6"), str("as_of", nullptr)), out, len);
        if (fn == "clm_portfolio_forecast_json")
            return string_result(clm_portfolio_forecast_json(&out, &len, portfolio(), str("model_id", "sales6"), str("as_of", nullptr)), out,
                                 len);
        if (fn == "clm_portfolio_value_json")
            return string_result(clm_portfolio_value_json(&out, &len, portfolio(), str("as_of", nullptr)), out, len);
        if (fn == "clm_portfolio_dynamics_json")
            return string_result(clm_portfolio_dynamics_json(&out, &len, portfolio(), str("model_id", "sales6"), str("from", "2017-01-01"),
                                                             str("to", nullptr)),
                                 out, len);
        if (fn == "clm_portfolio_plan_actual_json") {
            const char *plan = str("plan", "{}");
            return string_result(clm_portfolio_plan_actual_json(&out, &len, portfolio(), str("model_id", "sales6"), plan,
                                                                size_t(integer("len", plan ? long(std::strlen(plan)) : 0))),
                                 out, len);
        }
        if (fn == "clm_partial_merge_json") {
            const char *a = str("a", "{}"), *b = str("b", "{}");
            return string_result(clm_partial_merge_json(&out, &len, a, a ? std::strlen(a) : 0, b, b ? std::strlen(b) : 0), out, len);
        }
        if (fn == "clm_partial_finish_json") {
            const char *partial = str("partial", "{}");
            return string_result(clm_partial_finish_json(&out, &len, model("model", "sales6"), partial, partial ? std::strlen(partial) : 0,
                                                         int(integer("indent", 2))),
                                 out, len);
        }
        fail("unknown entry " + fn);
    }

    const json &c_;
    std::string dir_;
    std::string function_;
    bool untouched_ = true;
    clm_portfolio *watched_ = nullptr;
    snapshot before_;
    std::deque<std::string> strings_;
    std::vector<clm_model *> models_;
    std::vector<clm_portfolio *> portfolios_;
    std::vector<clm_policy *> policies_;
    std::vector<clm_model_builder *> builders_;
};

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s cases.json [CASE_ID...]\n", argv[0]);
        return 2;
    }
    std::string manifest = argv[1];
    std::string dir = manifest.find('/') == std::string::npos ? "." : manifest.substr(0, manifest.rfind('/'));
    json doc;
    try {
        doc = json::parse(slurp(manifest));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: %s\n", manifest.c_str(), e.what());
        return 2;
    } catch (const failure &f) {
        std::fprintf(stderr, "%s\n", f.what.c_str());
        return 2;
    }
    std::set<std::string> only(argv + 2, argv + argc);
    std::set<std::string> ids;
    int passed = 0, failed = 0;
    for (const auto &c : doc.at("cases")) {
        std::string id = c.at("id").get<std::string>();
        if (!ids.insert(id).second) {
            std::printf("FAIL %s: duplicate case id\n", id.c_str());
            ++failed;
            continue;
        }
        if (!only.empty() && !only.count(id)) continue;
        try {
            runner(c, dir).run();
            ++passed;
        } catch (const failure &f) {
            std::printf("FAIL %s (%s): %s\n", id.c_str(), c.value("entry", std::string("?")).c_str(), f.what.c_str());
            ++failed;
        } catch (const std::exception &e) {
            std::printf("FAIL %s: bad case: %s\n", id.c_str(), e.what());
            ++failed;
        }
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    // The manifest promises at least 60 bad inputs.
    if (only.empty() && ids.size() < 60) {
        std::printf("the manifest has %zu cases; at least 60 are expected\n", ids.size());
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
