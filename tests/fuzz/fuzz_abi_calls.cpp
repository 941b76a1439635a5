// fuzz_abi_calls.cpp -- the input bytes are a program: a sequence of C ABI
// calls on a few handles (models, builders, portfolios, policies), with
// arguments drawn from dictionaries of meaningful tokens (preset stage ids,
// events, dates valid and not, invalid UTF-8, NULL) or from raw bytes.
//
// After every call it checks what clm.h promises: a known status, never
// CLM_E_INTERNAL; clm_last_status() and clm_last_error() agree with it
// (fuzz_common.hpp); on failure every out-parameter is untouched; a failed
// change to a portfolio changes nothing (customers, events, models, the
// exported journal); a successful one never loses a customer or an event.
#include "fuzz_common.hpp"

#include <cmath>
#include <cstddef>
#include <deque>
#include <limits>
#include <string>
#include <vector>

namespace {

// ---- the input, read as a stream of choices ----

class program {
public:
    program(const uint8_t *data, size_t size) : p_(data), n_(size) {}
    bool done() const { return n_ == 0; }
    uint8_t byte() {
        if (n_ == 0) return 0;
        --n_;
        return *p_++;
    }
    size_t below(size_t n) { return n ? byte() % n : 0; }
    int small_int() {
        static const int table[] = {0, 1, 2, 3, 7, 30, -1, -100, std::numeric_limits<int>::max(), std::numeric_limits<int>::min()};
        uint8_t b = byte();
        return b < 200 ? table[b % 10] : int(b) - 220;
    }
    double number() {
        static const double table[] = {0.0, 0.5, 1.0, -1.0, 2.0, 1e-300, 1e308, 150.25,
                                       std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                                       std::numeric_limits<double>::quiet_NaN(), -0.0};
        return table[below(12)];
    }
    std::string raw(size_t max) {
        size_t len = below(max + 1);
        if (len > n_) len = n_;
        std::string s(reinterpret_cast<const char *>(p_), len);
        p_ += len;
        n_ -= len;
        return s;
    }

private:
    const uint8_t *p_;
    size_t n_;
};

// ---- token dictionaries ----

using pool = std::vector<const char *>;

const pool customers = {"c1", "c2", "c3", "c4", "", "c 5", "\xD0\x9A\xD0\xBB\xD0\xB8\xD0\xB5\xD0\xBD\xD1\x82"};
const pool models = {"sales6", "maturity6", "m0", "m1", "buttle5", "nope", ""};
const pool presets = {"sales6", "maturity6", "buttle5", "clm5", "relationship4", "journey6", "sales-process5", "nope", ""};
const pool stages = {"presentation", "proposal", "contract", "payment", "fulfilment", "closing", "won", "lost",
                     "complaint", "refunded", "headless", "competitors", "doubting", "deal", "loyal", "sleeping",
                     "gone", "s0", "s1", "s2", "s3", "", "x y"};
const pool events = {"advance", "refuse", "lose", "retry", "revise", "resubmit", "pay_part", "close", "complain",
                     "resolve", "refund", "leave", "sleep", "revive", "compare", "doubt", "reopen", "go", "back", ""};
const pool types = {"stage", "event", "contact", "document", "document_done", "purchase", "next_step", "attribute",
                    "tag", "untag", "class", "score", "manager", "check", "bogus", ""};
const pool values = {"invoice paid", "director approval", "accountant approval", "meeting protocol sent",
                     "proposal sent", "contract signed", "client sign-off", "act signed", "satisfaction survey",
                     "prepayment received", "deal_value=1000", "deal_value=abc", "satisfaction=4", "satisfaction=x",
                     "birthday=2000-02-29", "anniversary=2010-12-31", "preferred_channel=email", "noequals", "=", "A",
                     "D", "vip", "Ann", "proposal", "ok", ""};
const pool channels = {"", "call", "email", "meeting", "messenger", "online_meeting", "other", "fax"};
const pool managers = {"Ann", "Bo", ""};
const pool items = {"invoice paid", "director approval", "client sign-off", "act signed", "doc", ""};
const pool predicates = {"ok", "no", "err", "unregistered", "bad name", ""};
const pool fixed_dates = {"2017-01-01", "2017-02-28", "2017-03-15", "2017-02-30", "2017-13-01", "2017-01-01T24:00:00",
                          "2017-01-01T23:59:59", "1400-01-01", "9999-12-31", "9999-12-31T23:59:59", "1399-12-31",
                          "2017-1-1", "2016-02-29", "2017-02-29", ""};
const pool invalid_utf8 = {"\xFF", "\xC3\x28", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC0\xAF", "a\xE2\x82"};

// Policies small enough to build quickly; one names model m0, which
// portfolios may lack.
const pool policy_texts = {
    "{\"id\":\"p\",\"rules\":[{\"id\":\"r\",\"when\":{\"fact\":\"next_step\",\"op\":\"missing\"},"
    "\"action\":{\"kind\":\"contact\",\"due_in_days\":3650}}]}",
    "{\"id\":\"q\",\"rules\":[{\"id\":\"r\",\"when\":{\"fact\":\"stage\",\"model\":\"m0\",\"op\":\"is\",\"value\":\"s0\"},"
    "\"action\":{\"kind\":\"move_stage\",\"target_stage\":\"s1\"}}]}",
    "{\"id\":\"h\",\"holidays\":[{\"name\":\"x\",\"weekday\":\"monday\",\"nth\":5,\"month\":12}],"
    "\"rules\":[{\"id\":\"r\",\"when\":{\"any\":[{\"fact\":\"holiday_in\",\"op\":\"<\",\"value\":400},"
    "{\"fact\":\"birthday_in\",\"op\":\"<=\",\"value\":400}]},\"action\":{\"kind\":\"greet\"}}]}",
    "{\"id\":\"bad\",\"rules\":[{}]}",
    "{",
};

const pool plans = {
    "{\"from\":\"2017-01-01\",\"to\":\"2017-12-31\",\"managers\":{\"Ann\":{\"contacts\":3}}}",
    "{\"from\":\"2017-12-31\",\"to\":\"2017-01-01\",\"managers\":{}}",
    "{\"from\":\"9999-12-31\",\"to\":\"9999-12-31\",\"threshold\":1e400,\"managers\":{\"Bo\":{}}}",
    "[]",
};

// ---- predicate and progress callbacks ----

struct predicate_state {
    int result;
    int calls;
};
predicate_state predicate_states[3] = {{1, 0}, {0, 0}, {-1, 0}};

int predicate(const char *customer_id, const char *model_id, const char *from_stage, const char *to_stage,
              const char *date, void *payload) {
    if (!customer_id || !model_id || !from_stage || !to_stage || !date) std::abort();
    auto *st = static_cast<predicate_state *>(payload);
    ++st->calls;
    return st->result;
}

int progress(size_t done, size_t total, void *payload) {
    if (done > total) std::abort();
    return --*static_cast<int *>(payload) < 0;
}

// ---- presets, loaded once per process ----
//
// Parsing the preset policy took half of each execution, the preset models
// another tenth and the fixed policy texts another tenth (a profile of
// 2026-12-05), while what they test, the JSON readers, is fuzz_model_json's
// and fuzz_policy_json's work. So each preset, and each fixed policy text,
// that loads is loaded once, by a real call, and shared after: the
// interpreter hands out the shared handle and never frees it. Failing ids and
// texts still make the real call every time.

struct shared_presets {
    std::vector<std::pair<std::string, clm_model *>> models;
    std::vector<std::pair<const char *, clm_policy *>> policies; // by text
    clm_policy *seeds = nullptr;
    shared_presets() = default;
    shared_presets(const shared_presets &) = delete;
    shared_presets &operator=(const shared_presets &) = delete;
    ~shared_presets() { // at exit, so that the leak check finds nothing
        for (auto &m : models) clm_model_free(m.second);
        for (auto &p : policies) clm_policy_free(p.second);
        clm_policy_free(seeds);
    }
    bool owns(const void *h) const {
        if (h != nullptr && h == seeds) return true;
        for (const auto &p : policies)
            if (p.second == h) return true;
        for (const auto &m : models)
            if (m.second == h) return true;
        return false;
    }
};
shared_presets &presets_loaded() {
    static shared_presets p;
    return p;
}

void free_model(clm_model *m) {
    if (!presets_loaded().owns(m)) clm_model_free(m);
}
void free_policy(clm_policy *p) {
    if (!presets_loaded().owns(p)) clm_policy_free(p);
}

// clm_model_preset, through the cache.
clm_status model_preset(clm_model **out, const char *id) {
    auto &cache = presets_loaded().models;
    if (id)
        for (const auto &m : cache)
            if (m.first == id) {
                *out = m.second;
                return CLM_OK;
            }
    clm_status s = CLM_CALL(clm_model_preset, out, id);
    if (s == CLM_OK) cache.emplace_back(id, *out);
    return s;
}

// clm_policy_from_json of one of the fixed policy texts, through the cache
// (the texts never change, so neither does what they compile to).
clm_status policy_text(clm_policy **out, const char *text) {
    auto &cache = presets_loaded().policies;
    for (const auto &p : cache)
        if (p.first == text) {
            *out = p.second;
            return CLM_OK;
        }
    clm_status s = CLM_CALL(clm_policy_from_json, out, text, std::strlen(text));
    if (s == CLM_OK) cache.emplace_back(text, *out);
    return s;
}

// clm_policy_load of the preset "seeds", through the cache.
clm_status seeds_policy(clm_policy **out) {
    auto &p = presets_loaded();
    if (p.seeds) {
        *out = p.seeds;
        return CLM_OK;
    }
    clm_status s = CLM_CALL(clm_policy_load, out, "seeds");
    if (s == CLM_OK) p.seeds = *out;
    return s;
}

// ---- the interpreter ----

class interpreter {
public:
    explicit interpreter(program &in) : in_(in) {}
    ~interpreter() {
        for (auto *m : models_) free_model(m);
        for (auto *b : builders_) clm_model_builder_free(b);
        for (auto *p : portfolios_) clm_portfolio_free(p);
        for (auto *p : policies_) free_policy(p);
        std::remove(save_path_.c_str());
        std::remove((save_path_ + ".tmp-clm").c_str());
    }

    void run() {
        for (int steps = 0; steps < 256 && !in_.done(); ++steps) step();
    }

private:
    // A token, raw bytes, invalid UTF-8 or NULL.
    const char *pick(const pool &p) {
        uint8_t b = in_.byte();
        if (b < 0xE0) return p[b % p.size()];
        if (b < 0xF0) return keep(in_.raw(16));
        if (b < 0xF8) return keep(std::string(p[in_.below(p.size())]) + invalid_utf8[in_.below(invalid_utf8.size())]);
        return nullptr;
    }
    const char *keep(std::string s) {
        arena_.push_back(std::move(s));
        return arena_.back().c_str();
    }
    // Dates mostly move forward, so that customers' events stay in time order.
    const char *date() {
        uint8_t b = in_.byte();
        if (b < 0xC0) {
            day_ += b % 4;
            int y = 2017 + day_ / 336, m = 1 + day_ / 28 % 12, d = 1 + day_ % 28;
            char buf[32];
            if (b & 0x20) std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:00", y, m, d, b % 24, b % 60);
            else std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
            return keep(buf);
        }
        return pick(fixed_dates);
    }
    const char *value() {
        switch (in_.below(4)) {
        case 0: return pick(stages);
        case 1: return pick(events);
        default: return pick(values);
        }
    }

    template <class T>
    T *&slot(std::vector<T *> &v) {
        return v[in_.below(v.size())];
    }
    // A handle, or sometimes NULL.
    template <class T>
    T *handle(std::vector<T *> &v) {
        size_t i = in_.below(v.size() + 1);
        return i < v.size() ? v[i] : nullptr;
    }

    clm_event event() {
        clm_event ev = CLM_EVENT_INIT;
        ev.customer_id = pick(customers);
        ev.timestamp = date();
        ev.type = pick(types);
        ev.value = value();
        ev.model = in_.byte() & 1 ? pick(models) : nullptr;
        ev.channel = in_.byte() & 1 ? pick(channels) : nullptr;
        ev.manager = in_.byte() & 1 ? pick(managers) : nullptr;
        uint8_t extra = in_.byte();
        if (extra & 1) ev.reason = in_.byte() & 1 ? "price" : pick(values);
        if (extra & 2) ev.due = date();
        if (extra & 4) ev.note = pick(values);
        if (extra & 8) {
            ev.amount = in_.number();
            ev.has_amount = 1;
        }
        switch (extra >> 5) {
        case 0: ev.struct_size = offsetof(clm_event, value) + sizeof(const char *); break;
        case 1: ev.struct_size = in_.byte(); break;
        case 2: ev.struct_size = sizeof(clm_event) + 8; break;
        default: break;
        }
        return ev;
    }

    // What a portfolio looks like from outside, to compare around a call.
    struct state {
        size_t customers = 0, events = 0, models = 0;
        std::string journal;
        bool operator==(const state &o) const {
            return customers == o.customers && events == o.events && models == o.models && journal == o.journal;
        }
    };
    static state observe(const clm_portfolio *p) {
        state s;
        if (!p) return s;
        s.customers = clm_portfolio_customer_count(p);
        s.events = clm_portfolio_event_count(p);
        s.models = clm_portfolio_model_count(p);
        char *out = nullptr;
        size_t len = 0;
        CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_export_events, &out, &len, p) == CLM_OK, "clm_portfolio_export_events", CLM_OK);
        s.journal = fuzz::take(out, len);
        return s;
    }
    // After a call that may change `p`: nothing changed on failure, nothing lost on success.
    static void changed(const char *function, clm_status s, const clm_portfolio *p, const state &before) {
        if (!p) return;
        state after = observe(p);
        if (s != CLM_OK) {
            CLM_FUZZ_CHECK(after == before, function, s);
        } else {
            CLM_FUZZ_CHECK(after.customers >= before.customers && after.events >= before.events && after.models >= before.models,
                           function, s);
            CLM_FUZZ_CHECK(after.journal.compare(0, before.journal.size(), before.journal) == 0, function, s);
        }
    }
    // A string result: freed on success, the out-parameter untouched on failure.
    static void result(const char *function, clm_status s, char *out, size_t len, size_t len_in) {
        if (s == CLM_OK) {
            CLM_FUZZ_CHECK(out != nullptr && out != fuzz::sentinel<char>() && std::strlen(out) == len, function, s);
            clm_string_free(out);
        } else {
            CLM_FUZZ_CHECK(out == fuzz::sentinel<char>() && len == len_in, function, s);
        }
    }

    void step() {
        switch (in_.below(28)) {
        case 0: { // a preset
            clm_model *m = fuzz::sentinel<clm_model>();
            clm_status s = model_preset(&m, pick(presets));
            if (s == CLM_OK) {
                auto &dst = slot(models_);
                free_model(dst);
                dst = m;
            } else {
                CLM_FUZZ_CHECK(m == fuzz::sentinel<clm_model>(), "clm_model_preset", s);
            }
            break;
        }
        case 1: {
            auto &m = slot(models_);
            free_model(m);
            m = nullptr;
            break;
        }
        case 2: { // a builder
            clm_model_builder *b = fuzz::sentinel<clm_model_builder>();
            clm_status s = CLM_CALL(clm_model_builder_new, &b, pick(models), in_.small_int());
            if (s == CLM_OK) {
                auto &dst = slot(builders_);
                clm_model_builder_free(dst);
                dst = b;
            } else {
                CLM_FUZZ_CHECK(b == fuzz::sentinel<clm_model_builder>(), "clm_model_builder_new", s);
            }
            break;
        }
        case 3:
            CLM_CALL(clm_model_builder_add_stage, handle(builders_), pick(stages), pick(values),
                     clm_stage_kind(int(in_.below(7)) - 1), pick(values));
            break;
        case 4: {
            auto *b = handle(builders_);
            switch (in_.below(6)) {
            case 0: CLM_CALL(clm_model_builder_set_time_limit, b, pick(stages), in_.small_int()); break;
            case 1: CLM_CALL(clm_model_builder_set_probability, b, pick(stages), in_.number()); break;
            case 2: CLM_CALL(clm_model_builder_add_requirement, b, pick(stages), pick(items)); break;
            case 3: CLM_CALL(clm_model_builder_set_initial, b, pick(stages)); break;
            case 4: CLM_CALL(clm_model_builder_set_name, b, pick(values)); break;
            default: CLM_CALL(clm_model_builder_add_migration, b, in_.small_int(), pick(stages), pick(stages)); break;
            }
            break;
        }
        case 5:
        case 6:
            CLM_CALL(clm_model_builder_add_transition, handle(builders_), pick(stages), pick(stages), pick(events));
            break;
        case 7: {
            auto *b = handle(builders_);
            switch (in_.below(4)) {
            case 0: CLM_CALL(clm_model_builder_guard_requires, b, pick(stages), pick(events), pick(items)); break;
            case 1: CLM_CALL(clm_model_builder_guard_min_days, b, pick(stages), pick(events), in_.small_int()); break;
            case 2: CLM_CALL(clm_model_builder_guard_predicate, b, pick(stages), pick(events), pick(predicates)); break;
            default:
                CLM_CALL(clm_model_builder_add_reason, b, pick(stages), pick(events), pick(values), int(in_.byte() & 1));
                break;
            }
            break;
        }
        case 8: { // build
            clm_model *m = fuzz::sentinel<clm_model>();
            clm_status s = CLM_CALL(clm_model_builder_build, &m, handle(builders_));
            if (s == CLM_OK) {
                auto &dst = slot(models_);
                free_model(dst);
                dst = m;
            } else {
                CLM_FUZZ_CHECK(m == fuzz::sentinel<clm_model>(), "clm_model_builder_build", s);
            }
            break;
        }
        case 9: { // a portfolio, new or freed
            auto &p = slot(portfolios_);
            clm_portfolio_free(p);
            p = nullptr;
            if (in_.byte() & 3) {
                clm_portfolio *q = fuzz::sentinel<clm_portfolio>();
                CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_new, &q) == CLM_OK, "clm_portfolio_new", CLM_OK);
                p = q;
            }
            break;
        }
        case 10: {
            auto *p = handle(portfolios_);
            auto *m = handle(models_);
            state before = observe(p);
            size_t out = 4242;
            clm_status s = CLM_CALL(clm_portfolio_add_model, &out, p, m);
            CLM_FUZZ_CHECK(s == CLM_OK ? out == before.models : out == 4242, "clm_portfolio_add_model", s);
            changed("clm_portfolio_add_model", s, p, before);
            if (s == CLM_OK)
                CLM_FUZZ_CHECK(clm_portfolio_model(p, out) != nullptr && clm_portfolio_model(p, out + 1) == nullptr,
                               "clm_portfolio_model", s);
            break;
        }
        case 11:
        case 12:
        case 13: { // one event
            auto *p = handle(portfolios_);
            clm_event ev = event();
            state before = observe(p);
            clm_status s = CLM_CALL(clm_portfolio_apply, p, in_.byte() == 0xFF ? nullptr : &ev);
            changed("clm_portfolio_apply", s, p, before);
            if (s == CLM_OK) CLM_FUZZ_CHECK(clm_portfolio_event_count(p) == before.events + 1, "clm_portfolio_apply", s);
            break;
        }
        case 14: { // a batch, with the caller's stride
            auto *p = handle(portfolios_);
            size_t count = in_.below(5);
            std::vector<clm_event> evs;
            for (size_t i = 0; i < count; ++i) evs.push_back(event());
            size_t stride = count ? evs[0].struct_size : 0;
            if (stride > 1024) stride = sizeof(clm_event);
            for (auto &e : evs) e.struct_size = stride;
            std::vector<unsigned char> buf(count * stride + sizeof(clm_event), 0);
            for (size_t i = 0; i < count; ++i)
                std::memcpy(buf.data() + i * stride, &evs[i], std::min(stride, sizeof(clm_event)));
            unsigned flags = in_.byte() & 3;
            size_t applied = 4242;
            char *rej = fuzz::sentinel<char>();
            state before = observe(p);
            clm_status s = CLM_CALL(clm_portfolio_apply_batch, &applied, &rej, p,
                                    count ? reinterpret_cast<const clm_event *>(buf.data()) : nullptr, count, flags);
            changed("clm_portfolio_apply_batch", s, p, before);
            if (s == CLM_OK) {
                CLM_FUZZ_CHECK(applied <= count && clm_portfolio_event_count(p) == before.events + applied,
                               "clm_portfolio_apply_batch", s);
                clm_string_free(rej);
            } else {
                CLM_FUZZ_CHECK(applied == 4242 && rej == fuzz::sentinel<char>(), "clm_portfolio_apply_batch", s);
            }
            break;
        }
        case 15: { // a small event log
            auto *p = handle(portfolios_);
            std::string csv = in_.byte() & 7 ? "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n"
                                             : in_.raw(40);
            size_t rows = in_.below(6);
            for (size_t r = 0; r < rows; ++r) {
                clm_event ev = event();
                const char *f[] = {ev.customer_id, ev.timestamp, ev.type, ev.value, ev.model, ev.channel,
                                   ev.manager, nullptr, ev.reason, ev.due, ev.note};
                for (size_t k = 0; k < 11; ++k) {
                    if (k) csv += ',';
                    if (k == 7 && ev.has_amount) csv += std::to_string(ev.amount);
                    if (!f[k]) continue;
                    std::string v = f[k];
                    if (v.find_first_of(",\"\r\n") == std::string::npos) csv += v;
                    else {
                        csv += '"';
                        for (char c : v) csv += c == '"' ? std::string("\"\"") : std::string(1, c);
                        csv += '"';
                    }
                }
                csv += in_.byte() & 1 ? "\r\n" : "\n";
            }
            size_t applied = 4242;
            char *rej = fuzz::sentinel<char>();
            size_t len = csv.size();
            if (in_.byte() == 0xFF) len = in_.below(len + 1); // len shorter than the text
            state before = observe(p);
            clm_status s = CLM_CALL(clm_portfolio_import_csv, &applied, &rej, p, csv.data(), len, "abi.csv", in_.byte() & 1);
            changed("clm_portfolio_import_csv", s, p, before);
            if (s == CLM_OK) {
                CLM_FUZZ_CHECK(clm_portfolio_event_count(p) == before.events + applied, "clm_portfolio_import_csv", s);
                clm_string_free(rej);
            } else {
                CLM_FUZZ_CHECK(applied == 4242 && rej == fuzz::sentinel<char>(), "clm_portfolio_import_csv", s);
            }
            break;
        }
        case 16: {
            size_t which = in_.below(3);
            CLM_CALL(clm_portfolio_register_predicate, handle(portfolios_), pick(predicates), in_.byte() == 0xFF ? nullptr : predicate,
                     &predicate_states[which]);
            break;
        }
        case 17: {
            auto *p = handle(portfolios_);
            state before = observe(p);
            clm_status s = CLM_CALL(clm_portfolio_migrate, p, handle(models_));
            changed("clm_portfolio_migrate", s, p, before);
            if (s == CLM_OK)
                CLM_FUZZ_CHECK(clm_portfolio_customer_count(p) == before.customers && clm_portfolio_event_count(p) == before.events,
                               "clm_portfolio_migrate", s);
            break;
        }
        case 18:
        case 19: query(); break;
        case 20: analytics(); break;
        case 21: { // a policy
            clm_policy *pol = fuzz::sentinel<clm_policy>();
            const char *text = policy_texts[in_.below(policy_texts.size())];
            clm_status s = in_.byte() & 1 ? (in_.byte() & 1 ? seeds_policy(&pol) : CLM_CALL(clm_policy_load, &pol, "/nonexistent/policy.json"))
                                          : policy_text(&pol, text);
            if (s == CLM_OK) {
                auto &dst = slot(policies_);
                free_policy(dst);
                dst = pol;
            } else {
                CLM_FUZZ_CHECK(pol == fuzz::sentinel<clm_policy>(), "clm_policy_from_json", s);
            }
            break;
        }
        case 22:
        case 23: recommend(); break;
        case 24: save_load(); break;
        case 25: model_getters(); break;
        case 26: journal_ops(); break;
        default: { // a JSON model with a fuzzed tail, checked by both entry points
            std::string text = "{\"id\":\"m0\",\"version\":1,\"initial\":\"s0\",\"stages\":[{\"id\":\"s0\",\"name\":\"S\","
                               "\"kind\":\"open\",\"task\":\"t\"},{\"id\":\"s1\",\"name\":\"W\",\"kind\":\"won\",\"task\":\"t\"}],"
                               "\"transitions\":[{\"from\":\"s0\",\"to\":\"s1\",\"event\":\"go\"}]" +
                               in_.raw(24) + "}";
            clm_model *m = fuzz::sentinel<clm_model>();
            clm_status s = CLM_CALL(clm_model_from_json, &m, text.data(), text.size());
            char *report = fuzz::sentinel<char>();
            size_t problems = 4242;
            CLM_FUZZ_CHECK(CLM_CALL(clm_model_validate_json, &report, &problems, text.data(), text.size(), nullptr) == CLM_OK,
                           "clm_model_validate_json", CLM_OK);
            CLM_FUZZ_CHECK((problems == 0) == (s == CLM_OK), "clm_model_validate_json", s);
            clm_string_free(report);
            if (s == CLM_OK) {
                auto &dst = slot(models_);
                free_model(dst);
                dst = m;
            } else {
                CLM_FUZZ_CHECK(m == fuzz::sentinel<clm_model>(), "clm_model_from_json", s);
            }
            break;
        }
        }
    }

    // The journal as a host's store of record: the cursor, erasure, time zones,
    // saves in memory. A failure changes nothing; an erasure loses one customer
    // and their rows and no sequence number; the cursor hands out rows in order.
    static int count_rows(const clm_change *c, void *payload) {
        auto *seen = static_cast<std::pair<uint64_t, size_t> *>(payload);
        CLM_FUZZ_CHECK(c->seq > seen->first && c->event && c->event->customer_id && c->event->timestamp && c->event->type,
                       "clm_portfolio_events_since (row order)", CLM_OK);
        seen->first = c->seq;
        ++seen->second;
        return 0;
    }
    void journal_ops() {
        auto *p = handle(portfolios_);
        if (p == nullptr) {
            char *out = fuzz::sentinel<char>();
            CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_events_since, nullptr, p, 0, 0, count_rows, nullptr) == CLM_E_INVALID_ARGUMENT &&
                               CLM_CALL(clm_portfolio_erase_customer, p, "c1") == CLM_E_INVALID_ARGUMENT &&
                               CLM_CALL(clm_portfolio_save_buffer, &out, nullptr, p) == CLM_E_INVALID_ARGUMENT &&
                               out == fuzz::sentinel<char>(),
                           "journal functions on NULL", CLM_E_INVALID_ARGUMENT);
            return;
        }
        state before = observe(p);
        const uint64_t last = clm_portfolio_last_seq(p);
        switch (in_.below(4)) {
        case 0: {
            size_t n = clm_portfolio_customer_count(p);
            std::string id = n && in_.byte() & 1 ? std::string(clm_portfolio_customer_id(p, in_.below(n))) : in_.raw(8);
            clm_status s = CLM_CALL(clm_portfolio_erase_customer, p, id.c_str());
            if (s != CLM_OK) {
                CLM_FUZZ_CHECK(observe(p) == before, "clm_portfolio_erase_customer", s);
            } else {
                CLM_FUZZ_CHECK(clm_portfolio_customer_count(p) + 1 == before.customers && clm_portfolio_event_count(p) < before.events &&
                                   clm_portfolio_last_seq(p) == last,
                               "clm_portfolio_erase_customer", s);
            }
            break;
        }
        case 1: {
            uint64_t after = in_.byte() & 1 ? in_.below(size_t(last) + 3) : last;
            size_t limit = in_.below(4);
            std::pair<uint64_t, size_t> seen{after, 0};
            uint64_t next = 4242;
            clm_status s = CLM_CALL(clm_portfolio_events_since, &next, p, after, limit, count_rows, &seen);
            if (after > last) {
                CLM_FUZZ_CHECK(s == CLM_E_INVALID_ARGUMENT && next == 4242, "clm_portfolio_events_since", s);
            } else {
                CLM_FUZZ_CHECK(s == CLM_OK && next == seen.first && (limit == 0 || seen.second <= limit) && next <= last,
                               "clm_portfolio_events_since", s);
            }
            CLM_FUZZ_CHECK(observe(p) == before, "clm_portfolio_events_since", s);
            break;
        }
        case 2: {
            std::string zone = in_.byte() & 1 ? std::string(in_.byte() & 1 ? "+03:00" : "-05:30") : in_.raw(7);
            clm_status s = CLM_CALL(clm_portfolio_set_time_zone, p, zone.c_str());
            CLM_FUZZ_CHECK(s == CLM_OK || s == CLM_E_INVALID_ARGUMENT, "clm_portfolio_set_time_zone", s);
            CLM_FUZZ_CHECK(observe(p) == before, "clm_portfolio_set_time_zone", s);
            break;
        }
        default: {
            char *out = nullptr;
            size_t len = 0;
            CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_save_buffer, &out, &len, p) == CLM_OK, "clm_portfolio_save_buffer", CLM_OK);
            std::string bytes = fuzz::take(out, len);
            if (!bytes.empty() && in_.byte() & 1) bytes[in_.below(bytes.size())] ^= char(1 + in_.below(255));
            clm_portfolio *q = fuzz::sentinel<clm_portfolio>();
            clm_status s = CLM_CALL(clm_portfolio_load_buffer, &q, bytes.data(), bytes.size(), "fuzz");
            if (s == CLM_OK) {
                clm_portfolio_free(q);
            } else {
                CLM_FUZZ_CHECK(q == fuzz::sentinel<clm_portfolio>() && (s == CLM_E_CORRUPT || s == CLM_E_VERSION),
                               "clm_portfolio_load_buffer", s);
            }
            break;
        }
        }
    }

    void query() {
        auto *p = handle(portfolios_);
        const char *model = in_.byte() & 1 ? pick(models) : nullptr;
        char *out = fuzz::sentinel<char>();
        size_t len = 4242;
        switch (in_.below(7)) {
        case 0: {
            size_t st = 4242;
            int64_t days = 4242;
            clm_status s = CLM_CALL(clm_portfolio_stage, &st, &days, p, pick(customers), model, in_.byte() & 1 ? date() : nullptr);
            if (s != CLM_OK) CLM_FUZZ_CHECK(st == 4242 && days == 4242, "clm_portfolio_stage", s);
            break;
        }
        case 1: {
            size_t counts[16];
            for (auto &c : counts) c = 4242;
            size_t total = 4242;
            size_t cap = in_.below(17);
            clm_status s = CLM_CALL(clm_portfolio_stage_counts, in_.byte() == 0xFF ? nullptr : counts, cap, &total, p, model,
                                    in_.byte() & 1 ? date() : nullptr);
            if (s != CLM_OK) {
                CLM_FUZZ_CHECK(total == 4242, "clm_portfolio_stage_counts", s);
                for (auto c : counts) CLM_FUZZ_CHECK(c == 4242, "clm_portfolio_stage_counts", s);
            } else {
                size_t sum = 0;
                for (size_t i = 0; i < cap && counts[i] != 4242; ++i) sum += counts[i];
                CLM_FUZZ_CHECK(total == sum && total <= clm_portfolio_customer_count(p), "clm_portfolio_stage_counts", s);
            }
            break;
        }
        case 2: {
            clm_status s = CLM_CALL(clm_portfolio_customer_json, &out, &len, p, pick(customers), in_.byte() & 1 ? date() : nullptr);
            result("clm_portfolio_customer_json", s, out, len, 4242);
            break;
        }
        case 3: {
            clm_status s = CLM_CALL(clm_portfolio_history_json, &out, &len, p, pick(customers));
            result("clm_portfolio_history_json", s, out, len, 4242);
            break;
        }
        case 4: {
            clm_status s = CLM_CALL(clm_portfolio_export, &out, &len, p, in_.byte() & 1 ? date() : nullptr,
                                    clm_export_format(int(in_.below(3))));
            result("clm_portfolio_export", s, out, len, 4242);
            break;
        }
        case 5: {
            clm_status s = CLM_CALL(clm_portfolio_export_events, &out, &len, p);
            result("clm_portfolio_export_events", s, out, len, 4242);
            break;
        }
        default: {
            size_t n = clm_portfolio_customer_count(p);
            for (size_t i = 0; i < n; ++i) CLM_FUZZ_CHECK(clm_portfolio_customer_id(p, i) != nullptr, "clm_portfolio_customer_id", CLM_OK);
            CLM_FUZZ_CHECK(clm_portfolio_customer_id(p, n) == nullptr, "clm_portfolio_customer_id", CLM_OK);
            break;
        }
        }
    }

    void analytics() {
        auto *p = handle(portfolios_);
        const char *model = in_.byte() & 1 ? pick(models) : nullptr;
        const char *as_of = in_.byte() & 1 ? date() : nullptr;
        char *out = fuzz::sentinel<char>();
        size_t len = 4242;
        clm_status s;
        const char *fn;
        switch (in_.below(6)) {
        case 0: fn = "clm_portfolio_funnel_json"; s = CLM_CALL(clm_portfolio_funnel_json, &out, &len, p, model, as_of); break;
        case 1: fn = "clm_portfolio_time_in_stage_json"; s = CLM_CALL(clm_portfolio_time_in_stage_json, &out, &len, p, model, as_of); break;
        case 2:
            fn = "clm_portfolio_dynamics_json";
            s = CLM_CALL(clm_portfolio_dynamics_json, &out, &len, p, model, date(), as_of);
            break;
        case 3: fn = "clm_portfolio_value_json"; s = CLM_CALL(clm_portfolio_value_json, &out, &len, p, as_of); break;
        case 4: fn = "clm_portfolio_forecast_json"; s = CLM_CALL(clm_portfolio_forecast_json, &out, &len, p, model, as_of); break;
        default: {
            fn = "clm_portfolio_plan_actual_json";
            const char *plan = plans[in_.below(plans.size())];
            s = CLM_CALL(clm_portfolio_plan_actual_json, &out, &len, p, model, plan, std::strlen(plan));
            break;
        }
        }
        result(fn, s, out, len, 4242);
    }

    void recommend() {
        auto *pol = handle(policies_);
        auto *p = handle(portfolios_);
        char *out = fuzz::sentinel<char>();
        size_t len = 4242;
        switch (in_.below(3)) {
        case 0: {
            clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
            uint8_t b = in_.byte();
            opt.limit = in_.below(4);
            opt.threads = 1 + (b & 1);
            if (b & 2) opt.manager = pick(managers);
            int budget = int(in_.below(4));
            if (b & 4) {
                opt.progress = progress;
                opt.payload = &budget;
            }
            if (b & 8) opt.struct_size = in_.byte();
            clm_status s = CLM_CALL(clm_policy_recommend, &out, &len, pol, p, date(), b & 16 ? nullptr : &opt);
            result("clm_policy_recommend", s, out, len, 4242);
            break;
        }
        case 1: {
            clm_status s = CLM_CALL(clm_policy_recommend_customer, &out, &len, pol, p, pick(customers), date());
            result("clm_policy_recommend_customer", s, out, len, 4242);
            break;
        }
        default: {
            clm_status s = CLM_CALL(clm_policy_plan_week, &out, &len, pol, p, pick(managers), date(), in_.number());
            result("clm_policy_plan_week", s, out, len, 4242);
            break;
        }
        }
    }

    void save_load() {
        if (in_.byte() & 1) {
            auto *p = handle(portfolios_);
            state before = observe(p);
            CLM_CALL(clm_portfolio_save, p, in_.byte() & 7 ? save_path_.c_str() : "/nonexistent-dir/x.clm");
            CLM_FUZZ_CHECK(observe(p) == before, "clm_portfolio_save", CLM_OK);
            return;
        }
        clm_portfolio *q = fuzz::sentinel<clm_portfolio>();
        clm_status s = CLM_CALL(clm_portfolio_load, &q, in_.byte() & 7 ? save_path_.c_str() : "/nonexistent-dir/x.clm");
        if (s == CLM_OK) {
            auto &dst = slot(portfolios_);
            clm_portfolio_free(dst);
            dst = q;
        } else {
            CLM_FUZZ_CHECK(q == fuzz::sentinel<clm_portfolio>(), "clm_portfolio_load", s);
            CLM_FUZZ_CHECK(s == CLM_E_IO || s == CLM_E_CORRUPT || s == CLM_E_VERSION, "clm_portfolio_load", s);
        }
    }

    void model_getters() {
        const clm_model *m = handle(models_);
        if (in_.byte() & 1) {
            auto *p = handle(portfolios_);
            m = clm_portfolio_model(p, in_.below(3));
        }
        size_t n = clm_model_stage_count(m);
        size_t i = in_.below(n + 2);
        (void)clm_model_stage_id(m, i);
        (void)clm_model_stage_name(m, i);
        (void)clm_model_stage_task(m, i);
        (void)clm_model_stage_kind(m, i);
        (void)clm_model_stage_time_limit(m, i);
        (void)clm_model_stage_probability(m, i);
        (void)clm_model_stage_requirement(m, i, in_.below(3));
        size_t out = 4242;
        const char *ev = fuzz::sentinel<const char>();
        size_t to = 4242;
        clm_status s;
        switch (in_.below(5)) {
        case 0:
            s = CLM_CALL(clm_model_find_stage, &out, m, pick(stages));
            CLM_FUZZ_CHECK(s == CLM_OK ? out < n : out == 4242, "clm_model_find_stage", s);
            break;
        case 1:
            s = CLM_CALL(clm_model_next_stage, &out, m, i, pick(events));
            CLM_FUZZ_CHECK(s == CLM_OK ? out < n : out == 4242, "clm_model_next_stage", s);
            break;
        case 2:
            s = CLM_CALL(clm_model_transition, &out, &to, &ev, m, in_.below(clm_model_transition_count(m) + 2));
            CLM_FUZZ_CHECK(s == CLM_OK ? out < n && to < n && ev != nullptr : out == 4242 && to == 4242 && ev == fuzz::sentinel<const char>(),
                           "clm_model_transition", s);
            break;
        case 3:
            s = CLM_CALL(clm_model_migrate_stage, &out, m, in_.small_int(), pick(stages));
            CLM_FUZZ_CHECK(s == CLM_OK ? out < n : out == 4242, "clm_model_migrate_stage", s);
            break;
        default: {
            char *text = fuzz::sentinel<char>();
            size_t len = 4242;
            s = CLM_CALL(clm_model_render, &text, &len, m, clm_model_format(int(in_.below(5))));
            result("clm_model_render", s, text, len, 4242);
            break;
        }
        }
    }

    program &in_;
    std::deque<std::string> arena_;
    int day_ = 0;
    std::vector<clm_model *> models_ = std::vector<clm_model *>(4, nullptr);
    std::vector<clm_model_builder *> builders_ = std::vector<clm_model_builder *>(2, nullptr);
    std::vector<clm_portfolio *> portfolios_ = std::vector<clm_portfolio *>(2, nullptr);
    std::vector<clm_policy *> policies_ = std::vector<clm_policy *>(2, nullptr);
    std::string save_path_ = fuzz::temp_path("abi.clm");
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    program in(data, size);
    interpreter run(in);
    run.run();
    return 0;
}
