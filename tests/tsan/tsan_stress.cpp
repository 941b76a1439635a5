// tsan_stress.cpp -- the threading contract (docs/threading.md), exercised by
// 8 threads through the C ABI under ThreadSanitizer.
//
//  - one model and one policy shared by every thread (immutable, shareable);
//    presets, JSON models and policies created concurrently;
//  - 3 writer threads, each with its own portfolio: events one by one, batches,
//    CSV imports, a host predicate (called on the writer's own thread), queries,
//    save and load (to its own path);
//  - 4 reader threads querying one frozen portfolio at once: stage counts,
//    customer JSON, recommendations on worker threads with a progress callback
//    (called on the calling thread), exports, analytics, weekly plans, and a
//    save of it each; every answer must equal the one computed before the
//    threads started;
//  - every thread makes failing calls with its own bad ids and checks that
//    clm_last_error() and clm_last_status() are its own (per thread).
//
// Built only in the TSan build (-DCLM_TSAN=ON, scripts/test.sh); it is a
// plain test of the contract elsewhere too.
#include <clm/clm.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<int> failures{0};

#define CHECK(cond)                                                                                            \
    do {                                                                                                       \
        if (!(cond)) {                                                                                         \
            failures.fetch_add(1);                                                                             \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n  last error: %s\n", __FILE__, __LINE__, #cond,     \
                         clm_last_error());                                                                    \
        }                                                                                                      \
    } while (0)

std::string take(char *s) {
    std::string out = s ? s : "";
    clm_string_free(s);
    return out;
}

const char *model_json =
    "{\"id\":\"deal\",\"version\":1,\"initial\":\"lead\",\"stages\":["
    "{\"id\":\"lead\",\"name\":\"Lead\",\"kind\":\"open\",\"task\":\"qualify\"},"
    "{\"id\":\"won\",\"name\":\"Won\",\"kind\":\"won\",\"task\":\"deliver\"},"
    "{\"id\":\"lost\",\"name\":\"Lost\",\"kind\":\"lost\",\"task\":\"learn\"}],"
    "\"transitions\":[{\"from\":\"lead\",\"to\":\"won\",\"event\":\"win\",\"guards\":[{\"kind\":\"predicate\",\"name\":\"credit_ok\"}]},"
    "{\"from\":\"lead\",\"to\":\"lost\",\"event\":\"lose\"}]}";

// An event log for the sales6 model: `customers` customers with a few events each.
std::string event_log(int customers, const std::string &prefix) {
    std::string log = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n";
    static const char *classes[] = {"A", "B", "C", "D"};
    for (int i = 0; i < customers; ++i) {
        std::string id = prefix + std::to_string(i);
        std::string manager = i % 3 ? "Ann" : "Bo";
        log += id + ",2024-03-0" + std::to_string(1 + i % 9) + ",stage,presentation,sales6,,,,,,\n";
        log += id + ",2024-03-10,manager," + manager + ",,,,,,,\n";
        log += id + ",2024-03-10,class," + classes[i % 4] + ",,,,,,,\n";
        if (i % 2) log += id + ",2024-03-12,contact,ok,,call," + manager + ",,,,\n";
        if (i % 5 == 0) log += id + ",2024-03-15,document,proposal,,,,,,2024-04-01,\n";
        if (i % 7 == 0) {
            log += id + ",2024-03-20,check,meeting protocol sent,,,,,,,\n";
            log += id + ",2024-03-21,event,advance,sales6,,,,,,\n";
            log += id + ",2024-03-22,purchase,widget,,,," + std::to_string(100 + i) + ",,,\n";
        }
    }
    return log;
}

// Fails a call with this thread's own bad id and checks that the error is this thread's.
void own_error(int thread, int round) {
    std::string bad = "no-such-preset-" + std::to_string(thread) + "-" + std::to_string(round);
    clm_model *m = nullptr;
    CHECK(clm_model_preset(&m, bad.c_str()) == CLM_E_NOT_FOUND);
    std::this_thread::yield(); // let other threads fail their own calls meanwhile
    CHECK(clm_last_status() == CLM_E_NOT_FOUND);
    CHECK(std::strstr(clm_last_error(), bad.c_str()) != nullptr);
    CHECK(m == nullptr);
    // A success clears it, for this thread only.
    CHECK(clm_model_preset(&m, "sales6") == CLM_OK);
    CHECK(clm_last_status() == CLM_OK && clm_last_error()[0] == '\0');
    clm_model_free(m);
}

struct shared_state {
    const clm_model *sales6 = nullptr, *deal = nullptr;
    const clm_policy *seeds = nullptr;
    const clm_portfolio *frozen = nullptr;
    std::string dir;
    // Answers computed before the threads start.
    std::vector<size_t> counts;
    std::string customer, recommend, export_csv, export_json, events, funnel, plan, history;
};

struct predicate_calls {
    std::thread::id owner;
    int calls = 0;
    int wrong_thread = 0;
};

int credit_ok(const char *customer_id, const char *, const char *, const char *, const char *, void *payload) {
    auto *p = static_cast<predicate_calls *>(payload);
    ++p->calls;
    if (std::this_thread::get_id() != p->owner) ++p->wrong_thread;
    return std::strchr(customer_id, '7') == nullptr; // customers with a 7 in their id are refused
}

struct progress_calls {
    std::thread::id owner;
    int calls = 0;
    int wrong_thread = 0;
};

int on_progress(size_t, size_t, void *payload) {
    auto *p = static_cast<progress_calls *>(payload);
    ++p->calls;
    if (std::this_thread::get_id() != p->owner) ++p->wrong_thread;
    return 0;
}

void writer(const shared_state &s, int id) {
    for (int round = 0; round < 3; ++round) {
        own_error(id, round);
        clm_portfolio *p = nullptr;
        CHECK(clm_portfolio_new(&p) == CLM_OK);
        CHECK(clm_portfolio_add_model(nullptr, p, s.sales6) == CLM_OK);
        CHECK(clm_portfolio_add_model(nullptr, p, s.deal) == CLM_OK);
        predicate_calls pc;
        pc.owner = std::this_thread::get_id();
        CHECK(clm_portfolio_register_predicate(p, "credit_ok", credit_ok, &pc) == CLM_OK);
        // Events one by one, through the host predicate.
        int won = 0;
        for (int i = 0; i < 40; ++i) {
            std::string cust = "w" + std::to_string(id) + "-" + std::to_string(i);
            clm_event ev = CLM_EVENT_INIT;
            ev.customer_id = cust.c_str();
            ev.timestamp = "2024-05-01";
            ev.type = "stage";
            ev.value = "lead";
            ev.model = "deal";
            CHECK(clm_portfolio_apply(p, &ev) == CLM_OK);
            ev.timestamp = "2024-05-02";
            ev.type = "event";
            ev.value = "win";
            clm_status st = clm_portfolio_apply(p, &ev);
            CHECK(st == (std::strchr(cust.c_str(), '7') ? CLM_E_GUARD_FAILED : CLM_OK));
            won += st == CLM_OK;
        }
        CHECK(pc.calls == 40 && pc.wrong_thread == 0);
        // A batch and an import.
        std::vector<clm_event> batch(10, clm_event CLM_EVENT_INIT);
        std::vector<std::string> ids;
        for (int i = 0; i < 10; ++i) ids.push_back("b" + std::to_string(id) + "-" + std::to_string(i));
        for (int i = 0; i < 10; ++i) {
            batch[i].customer_id = ids[i].c_str();
            batch[i].timestamp = "2024-05-03";
            batch[i].type = "stage";
            batch[i].value = "presentation";
            batch[i].model = "sales6";
        }
        size_t applied = 0;
        CHECK(clm_portfolio_apply_batch(&applied, nullptr, p, batch.data(), batch.size(), 0) == CLM_OK && applied == 10);
        std::string log = event_log(60, "i" + std::to_string(id) + "-");
        CHECK(clm_portfolio_import_csv(&applied, nullptr, p, log.data(), log.size(), "writer.csv", 0) == CLM_OK);
        own_error(id, 100 + round);
        // Queries on its own portfolio, a save and a load.
        size_t counts[16];
        size_t total = 0;
        CHECK(clm_portfolio_stage_counts(counts, 16, &total, p, "deal", nullptr) == CLM_OK && total == 40);
        CHECK(counts[1] == size_t(won));
        char *out = nullptr;
        CHECK(clm_portfolio_customer_json(&out, nullptr, p, "w0-1", nullptr) == (id == 0 ? CLM_OK : CLM_E_NOT_FOUND));
        clm_string_free(out);
        std::string path = s.dir + "/writer-" + std::to_string(id) + ".clm";
        CHECK(clm_portfolio_save(p, path.c_str()) == CLM_OK);
        clm_portfolio *back = nullptr;
        CHECK(clm_portfolio_load(&back, path.c_str()) == CLM_OK);
        char *a = nullptr, *b = nullptr;
        CHECK(clm_portfolio_export_events(&a, nullptr, p) == CLM_OK);
        CHECK(clm_portfolio_export_events(&b, nullptr, back) == CLM_OK);
        CHECK(a && b && std::strcmp(a, b) == 0);
        clm_string_free(a);
        clm_string_free(b);
        clm_portfolio_free(back);
        clm_portfolio_free(p);
        ::unlink(path.c_str());
    }
}

void reader(const shared_state &s, int id) {
    for (int round = 0; round < 3; ++round) {
        own_error(id, round);
        std::vector<size_t> counts(clm_model_stage_count(s.sales6));
        CHECK(clm_portfolio_stage_counts(counts.data(), counts.size(), nullptr, s.frozen, "sales6", nullptr) == CLM_OK);
        CHECK(counts == s.counts);
        char *out = nullptr;
        CHECK(clm_portfolio_customer_json(&out, nullptr, s.frozen, "f-7", "2024-03-31") == CLM_OK);
        CHECK(take(out) == s.customer);
        CHECK(clm_portfolio_history_json(&out, nullptr, s.frozen, "f-14") == CLM_OK);
        CHECK(take(out) == s.history);
        // Recommendations on worker threads; progress on this thread.
        progress_calls pc;
        pc.owner = std::this_thread::get_id();
        clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
        opt.threads = 2;
        opt.limit = 50;
        opt.progress = on_progress;
        opt.payload = &pc;
        CHECK(clm_policy_recommend(&out, nullptr, s.seeds, s.frozen, "2024-04-15", &opt) == CLM_OK);
        CHECK(take(out) == s.recommend);
        CHECK(pc.calls >= 2 && pc.wrong_thread == 0);
        own_error(id, 100 + round);
        if ((id + round) % 2 == 0) {
            CHECK(clm_portfolio_export(&out, nullptr, s.frozen, "2024-04-15", CLM_EXPORT_CSV) == CLM_OK);
            CHECK(take(out) == s.export_csv);
            CHECK(clm_portfolio_export_events(&out, nullptr, s.frozen) == CLM_OK);
            CHECK(take(out) == s.events);
        } else {
            CHECK(clm_portfolio_export(&out, nullptr, s.frozen, "2024-04-15", CLM_EXPORT_JSON) == CLM_OK);
            CHECK(take(out) == s.export_json);
            CHECK(clm_portfolio_funnel_json(&out, nullptr, s.frozen, "sales6", "2024-04-15") == CLM_OK);
            CHECK(take(out) == s.funnel);
        }
        CHECK(clm_policy_plan_week(&out, nullptr, s.seeds, s.frozen, "Ann", "2024-04-15", 0) == CLM_OK);
        CHECK(take(out) == s.plan);
        // Saving is a read: several readers save the frozen portfolio at once (each to its own path).
        std::string path = s.dir + "/reader-" + std::to_string(id) + ".clm";
        CHECK(clm_portfolio_save(s.frozen, path.c_str()) == CLM_OK);
        ::unlink(path.c_str());
    }
}

// Models and policies created concurrently (the preset cache is shared), used, freed.
void creator(const shared_state &s, int id) {
    for (int round = 0; round < 6; ++round) {
        own_error(id, round);
        clm_model *m = nullptr, *j = nullptr;
        CHECK(clm_model_preset(&m, clm_preset_id(size_t(round) % clm_preset_count())) == CLM_OK);
        CHECK(clm_model_from_json(&j, model_json, std::strlen(model_json)) == CLM_OK);
        char *out = nullptr;
        CHECK(clm_model_render(&out, nullptr, s.sales6, CLM_FORMAT_MERMAID) == CLM_OK);
        clm_string_free(out);
        clm_policy *pol = nullptr;
        if (round % 3 == 0) {
            CHECK(clm_policy_load(&pol, "seeds") == CLM_OK);
            CHECK(clm_policy_rule_count(pol) == clm_policy_rule_count(s.seeds));
        }
        clm_policy_free(pol);
        clm_model_free(j);
        clm_model_free(m);
        // Bad input, with errors naming this thread's own text.
        std::string bad = "{\"id\": \"bad-" + std::to_string(id) + "\", \"version\": 0}";
        CHECK(clm_model_from_json(&j, bad.c_str(), bad.size()) == CLM_E_VALIDATION);
        std::this_thread::yield();
        CHECK(clm_last_status() == CLM_E_VALIDATION);
        CHECK(std::strstr(clm_last_error(), "clm_model_from_json") != nullptr);
    }
}

} // namespace

int main() {
    shared_state s;
    char tmpl[] = "/tmp/clm-tsan-XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 1;
    }
    s.dir = tmpl;
    clm_model *sales6 = nullptr, *deal = nullptr;
    clm_policy *seeds = nullptr;
    clm_portfolio *frozen = nullptr;
    CHECK(clm_model_preset(&sales6, "sales6") == CLM_OK);
    CHECK(clm_model_from_json(&deal, model_json, std::strlen(model_json)) == CLM_OK);
    CHECK(clm_policy_load(&seeds, "seeds") == CLM_OK);
    CHECK(clm_portfolio_new(&frozen) == CLM_OK);
    CHECK(clm_portfolio_add_model(nullptr, frozen, sales6) == CLM_OK);
    // Enough customers for recommend_all to start two worker threads (one per 256 customers).
    std::string log = event_log(600, "f-");
    CHECK(clm_portfolio_import_csv(nullptr, nullptr, frozen, log.data(), log.size(), "frozen.csv", 0) == CLM_OK);
    if (failures) return 1;
    s.sales6 = sales6;
    s.deal = deal;
    s.seeds = seeds;
    s.frozen = frozen;

    // The answers, before any thread starts.
    s.counts.resize(clm_model_stage_count(sales6));
    CHECK(clm_portfolio_stage_counts(s.counts.data(), s.counts.size(), nullptr, frozen, "sales6", nullptr) == CLM_OK);
    char *out = nullptr;
    CHECK(clm_portfolio_customer_json(&out, nullptr, frozen, "f-7", "2024-03-31") == CLM_OK);
    s.customer = take(out);
    CHECK(clm_portfolio_history_json(&out, nullptr, frozen, "f-14") == CLM_OK);
    s.history = take(out);
    clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
    opt.threads = 1;
    opt.limit = 50;
    CHECK(clm_policy_recommend(&out, nullptr, seeds, frozen, "2024-04-15", &opt) == CLM_OK);
    s.recommend = take(out);
    CHECK(clm_portfolio_export(&out, nullptr, frozen, "2024-04-15", CLM_EXPORT_CSV) == CLM_OK);
    s.export_csv = take(out);
    CHECK(clm_portfolio_export(&out, nullptr, frozen, "2024-04-15", CLM_EXPORT_JSON) == CLM_OK);
    s.export_json = take(out);
    CHECK(clm_portfolio_export_events(&out, nullptr, frozen) == CLM_OK);
    s.events = take(out);
    CHECK(clm_portfolio_funnel_json(&out, nullptr, frozen, "sales6", "2024-04-15") == CLM_OK);
    s.funnel = take(out);
    CHECK(clm_policy_plan_week(&out, nullptr, seeds, frozen, "Ann", "2024-04-15", 0) == CLM_OK);
    s.plan = take(out);
    if (failures) return 1;

    // 8 threads: 3 writers, 4 readers, 1 creator.
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back(writer, std::cref(s), i);
    for (int i = 0; i < 4; ++i) threads.emplace_back(reader, std::cref(s), 10 + i);
    threads.emplace_back(creator, std::cref(s), 20);
    for (auto &t : threads) t.join();

    // The shared handles are freed only after every thread is done with them.
    clm_portfolio_free(frozen);
    clm_policy_free(seeds);
    clm_model_free(deal);
    clm_model_free(sales6);
    ::rmdir(s.dir.c_str());
    std::printf("tsan stress: 8 threads (3 writers, 4 readers, 1 creator): %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
