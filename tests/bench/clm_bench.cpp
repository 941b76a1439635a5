// clm_bench: the hot paths of clm against the peers in /work/shared/peers
// (docs/performance.md). Run it with scripts/bench-peers, which runs the peers
// on the same machine and turns the results into ratios. A benchmark is never
// a test: nothing here passes or fails on time, only on wrong answers.
//
// Workloads, like for like with the peers:
// - sales6: the graph of xstate_bench.mjs (six stages, ADVANCE / REVISE / LOSE /
//   RESTART / REOPEN, plus `lost`), built here from JSON, and its fixed cycle of
//   8 events. The preset sales6 is a richer graph on which that cycle does not
//   map (it has no REVISE from contract and no RESTART), so the preset is not used.
// - jre30: the 30 rules of jre_bench.mjs as clm policy data (tests/bench/jre30.json)
//   on the same generated customers: its seeded PRNG is replicated bit for bit,
//   and each customer's fields become events (stage, class, contact, an overdue
//   document, a revenue_growth attribute) in a six-stage model with its stages.
#include <benchmark/benchmark.h>

#include <clm/deal_forecast.hpp>
#include <clm/event_log.hpp>
#include <clm/file_io.hpp>
#include <clm/model_json.hpp>
#include <clm/recommend.hpp>

#include <malloc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace clm;

namespace {

// ---------------------------------------------------------------- models

// xstate_bench.mjs's machine, state for state and event for event.
const char *const xstate_sales6_json = R"({
  "id": "xstate_sales6", "version": 1,
  "description": "The graph of /work/shared/peers/xstate_bench.mjs: six stages, ADVANCE / REVISE / LOSE / RESTART, and lost with REOPEN.",
  "initial": "presentation",
  "stages": [
    {"id": "presentation", "name": "Presentation", "kind": "open", "task": "present"},
    {"id": "proposal", "name": "Proposal", "kind": "open", "task": "propose"},
    {"id": "contract", "name": "Contract", "kind": "open", "task": "sign"},
    {"id": "payment", "name": "Payment", "kind": "open", "task": "collect"},
    {"id": "fulfilment", "name": "Fulfilment", "kind": "open", "task": "deliver"},
    {"id": "closing", "name": "Closing", "kind": "open", "task": "close"},
    {"id": "lost", "name": "Lost", "kind": "lost", "task": "record why"}
  ],
  "transitions": [
    {"from": "presentation", "to": "lost", "event": "LOSE"},
    {"from": "presentation", "to": "proposal", "event": "ADVANCE"},
    {"from": "proposal", "to": "lost", "event": "LOSE"},
    {"from": "proposal", "to": "contract", "event": "ADVANCE"},
    {"from": "proposal", "to": "presentation", "event": "REVISE"},
    {"from": "contract", "to": "lost", "event": "LOSE"},
    {"from": "contract", "to": "payment", "event": "ADVANCE"},
    {"from": "contract", "to": "proposal", "event": "REVISE"},
    {"from": "payment", "to": "lost", "event": "LOSE"},
    {"from": "payment", "to": "fulfilment", "event": "ADVANCE"},
    {"from": "payment", "to": "contract", "event": "REVISE"},
    {"from": "fulfilment", "to": "lost", "event": "LOSE"},
    {"from": "fulfilment", "to": "closing", "event": "ADVANCE"},
    {"from": "fulfilment", "to": "payment", "event": "REVISE"},
    {"from": "closing", "to": "lost", "event": "LOSE"},
    {"from": "closing", "to": "fulfilment", "event": "REVISE"},
    {"from": "closing", "to": "presentation", "event": "RESTART"},
    {"from": "lost", "to": "presentation", "event": "REOPEN"}
  ]
})";

// jre_bench.mjs's six stages.
const char *const jre6_json = R"({
  "id": "jre6", "version": 1,
  "description": "The six stages of /work/shared/peers/jre_bench.mjs.",
  "initial": "unaware",
  "stages": [
    {"id": "unaware", "name": "Unaware", "kind": "open", "task": "make aware"},
    {"id": "comparing", "name": "Comparing", "kind": "open", "task": "win the comparison"},
    {"id": "doubting", "name": "Doubting", "kind": "open", "task": "remove doubts"},
    {"id": "deal", "name": "Deal", "kind": "open", "task": "close the deal"},
    {"id": "loyal", "name": "Loyal", "kind": "won", "task": "keep"},
    {"id": "dormant", "name": "Dormant", "kind": "dormant", "task": "wake up"}
  ],
  "transitions": [
    {"from": "unaware", "to": "comparing", "event": "advance"},
    {"from": "comparing", "to": "doubting", "event": "advance"},
    {"from": "doubting", "to": "deal", "event": "advance"},
    {"from": "deal", "to": "loyal", "event": "advance"},
    {"from": "loyal", "to": "dormant", "event": "sleep"},
    {"from": "dormant", "to": "loyal", "event": "wake"}
  ]
})";

const model_ptr &xstate_model() {
    static const model_ptr m = model_from_json(xstate_sales6_json, "xstate_sales6.json");
    return m;
}

const model_ptr &jre_model() {
    static const model_ptr m = model_from_json(jre6_json, "jre6.json");
    return m;
}

const std::shared_ptr<const policy> &jre_policy() {
    static const std::shared_ptr<const policy> pol = policy_from_json(read_file(CLM_BENCH_DIR "/jre30.json"), "jre30.json");
    return pol;
}

// The cycle of xstate_bench.mjs.
const std::array<const char *, 8> cycle_names = {"ADVANCE", "ADVANCE", "REVISE", "ADVANCE", "ADVANCE", "ADVANCE", "ADVANCE", "RESTART"};

// Heap bytes in use (main arena plus mmapped blocks); the benchmarks that read it run on one thread.
std::size_t heap_in_use() {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

// ---------------------------------------------------------------- next stage vs a switch

void BM_NextStage_Sales6(benchmark::State &state) {
    const model &m = *xstate_model();
    std::array<event_index, 8> ev{};
    for (std::size_t k = 0; k < 8; ++k) ev[k] = *m.find_event(cycle_names[k]);
    stage_index s = m.initial();
    std::size_t i = 0;
    for (auto _ : state) {
        s = m.next(s, ev[i++ & 7]);
        benchmark::DoNotOptimize(s);
    }
    // The walk must have followed the cycle: after whole cycles it is back at the start.
    stage_index check = m.initial();
    for (std::size_t k = 0; k < (i & 7); ++k) check = m.next(check, ev[k]);
    if (s != check) state.SkipWithError("next() left the cycle");
    state.SetItemsProcessed(std::int64_t(state.iterations()));
}

// The physical floor: the same machine as a hand-written switch (what a
// compile-time state machine such as boost-ext/sml compiles to).
enum sw_event : std::uint8_t { sw_advance, sw_revise, sw_lose, sw_restart, sw_reopen };
inline int switch_next(int s, int e) {
    switch (s) {
    case 0: return e == sw_advance ? 1 : e == sw_lose ? 6 : -1;
    case 1: return e == sw_advance ? 2 : e == sw_revise ? 0 : e == sw_lose ? 6 : -1;
    case 2: return e == sw_advance ? 3 : e == sw_revise ? 1 : e == sw_lose ? 6 : -1;
    case 3: return e == sw_advance ? 4 : e == sw_revise ? 2 : e == sw_lose ? 6 : -1;
    case 4: return e == sw_advance ? 5 : e == sw_revise ? 3 : e == sw_lose ? 6 : -1;
    case 5: return e == sw_restart ? 0 : e == sw_revise ? 4 : e == sw_lose ? 6 : -1;
    case 6: return e == sw_reopen ? 0 : -1;
    }
    return -1;
}

void BM_SwitchFloor_Sales6(benchmark::State &state) {
    std::array<std::uint8_t, 8> ev = {sw_advance, sw_advance, sw_revise, sw_advance, sw_advance, sw_advance, sw_advance, sw_restart};
    benchmark::DoNotOptimize(ev.data());
    benchmark::ClobberMemory();
    int s = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        s = switch_next(s, ev[i++ & 7]);
        benchmark::DoNotOptimize(s);
    }
    if ((i & 7) == 0 && s != 0) state.SkipWithError("switch left the cycle");
    state.SetItemsProcessed(std::int64_t(state.iterations()));
}

// ---------------------------------------------------------------- apply

constexpr std::size_t apply_customers = 1024;
constexpr std::size_t apply_steps = 256; // per customer: 32 whole cycles
const timestamp apply_base = *parse_timestamp("2024-01-01");

std::string customer_name(std::size_t k) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "c%07zu", k);
    return buf;
}

// The recorded events: every customer walks the cycle, customers interleaved.
const std::vector<event_input> &apply_moves() {
    static const std::vector<event_input> moves = [] {
        std::vector<event_input> out;
        out.reserve(apply_customers * apply_steps);
        for (std::size_t step = 0; step < apply_steps; ++step)
            for (std::size_t k = 0; k < apply_customers; ++k) {
                event_input ev;
                ev.customer_id = customer_name(k);
                ev.time = apply_base + timestamp(step + 1) * 60;
                ev.type = event_type::event;
                ev.value = cycle_names[step & 7];
                out.push_back(std::move(ev));
            }
        return out;
    }();
    return moves;
}

// A portfolio with every customer placed in the initial stage, with room for
// every move of the benchmark (as a host that imports in bulk reserves it).
std::unique_ptr<portfolio> fresh_sales6_portfolio() {
    auto p = std::make_unique<portfolio>();
    p->add_model(xstate_model());
    p->reserve(apply_customers, apply_customers * (apply_steps + 1));
    for (std::size_t k = 0; k < apply_customers; ++k) {
        event_input ev;
        ev.customer_id = customer_name(k);
        ev.time = apply_base;
        ev.type = event_type::stage;
        ev.value = "presentation";
        p->apply(ev);
    }
    return p;
}

// One recorded transition, as a host that keeps indexes applies it
// (portfolio::move): the next-stage lookup, the transition's guards and the
// stage's requirements, the time-order check, the journal append, all-or-nothing.
// XState's getNextSnapshot is likewise handed the snapshot (the customer) and
// the event; clm also journals the move.
void BM_Apply_Sales6(benchmark::State &state) {
    const model &m = *xstate_model();
    std::array<event_index, 8> ev{};
    for (std::size_t k = 0; k < 8; ++k) ev[k] = *m.find_event(cycle_names[k]);
    auto p = fresh_sales6_portfolio();
    std::size_t i = 0;
    for (auto _ : state) {
        if (i == apply_customers * apply_steps) {
            // The batch is used up: start again on a fresh portfolio, so that the journal stays bounded.
            state.PauseTiming();
            p = fresh_sales6_portfolio();
            i = 0;
            state.ResumeTiming();
        }
        const std::size_t step = i / apply_customers;
        p->move(std::uint32_t(i % apply_customers), 0, ev[step & 7], apply_base + timestamp(step + 1) * 60);
        ++i;
    }
    if (p->position(0, 0).stage == no_stage) state.SkipWithError("customer not placed");
    state.SetItemsProcessed(std::int64_t(state.iterations()));
}

// The same transitions through portfolio::apply, as an event-log row arrives:
// the customer's id and the event's name looked up as strings first.
void BM_Apply_Sales6_ByName(benchmark::State &state) {
    const auto &moves = apply_moves();
    auto p = fresh_sales6_portfolio();
    std::size_t i = 0;
    for (auto _ : state) {
        if (i == moves.size()) {
            state.PauseTiming();
            p = fresh_sales6_portfolio();
            i = 0;
            state.ResumeTiming();
        }
        p->apply(moves[i++]);
    }
    if (p->position(0, 0).stage == no_stage) state.SkipWithError("customer not placed");
    state.SetItemsProcessed(std::int64_t(state.iterations()));
}

// The same events as one all-or-nothing batch (apply_batch), per event.
void BM_ApplyBatch_Sales6(benchmark::State &state) {
    const auto &moves = apply_moves();
    for (auto _ : state) {
        state.PauseTiming();
        auto p = fresh_sales6_portfolio();
        state.ResumeTiming();
        p->apply_batch(moves, false);
        state.PauseTiming();
        if (p->journal().size() != apply_customers + moves.size()) state.SkipWithError("batch incomplete");
        p.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * moves.size()));
}

// ---------------------------------------------------------------- jre_bench.mjs's customers

const char *const jre_stages[] = {"unaware", "comparing", "doubting", "deal", "loyal", "dormant"};
const char *const jre_classes[] = {"A", "B", "C", "D", "E", "F"};
const std::int64_t jre_as_of = day_of(*parse_timestamp("2024-06-30"));

struct jre_customer {
    int stage, days_in_stage, klass, days_since_contact, overdue;
    double revenue_growth;
};

// jre_bench.mjs's generator: seed = (seed * 1103515245 + 12345) & 0x7fffffff in
// JavaScript numbers (the product rounded to a double, then ToInt32), bit for bit.
class jre_generator {
public:
    double rnd() {
        std::uint64_t product = seed_ * 1103515245ull;                        // exact (< 2^61)
        auto rounded = std::uint64_t(double(product));                         // JS: the product as a double
        auto sum = std::uint64_t(double(rounded + 12345));                     // JS: + 12345, as a double
        seed_ = sum & 0x7fffffffull;                                           // ToInt32, & 0x7fffffff
        return double(seed_) / double(0x7fffffff);
    }
    jre_customer next() {
        jre_customer c;
        c.stage = int(std::floor(rnd() * 6));
        c.days_in_stage = int(std::floor(rnd() * 60));
        c.klass = int(std::floor(rnd() * 6));
        c.days_since_contact = int(std::floor(rnd() * 30));
        c.overdue = rnd() < 0.1 ? 1 : 0;
        c.revenue_growth = rnd() - 0.5;
        return c;
    }

private:
    std::uint64_t seed_ = 42;
};

// One customer's fields as clm events, oldest first: class and revenue growth
// 100 days ago, an invoice sent 20 days ago and due 5 days ago when it has an
// overdue control point, the stage entered `days_in_stage` days ago and the
// last contact `days_since_contact` days ago.
void jre_events(const jre_customer &c, const std::string &id, std::vector<event_input> &out) {
    auto at = [](std::int64_t days_ago) { return (jre_as_of - days_ago) * seconds_per_day; };
    std::size_t first = out.size();
    auto add = [&](std::int64_t days_ago, event_type t, std::string value) -> event_input & {
        event_input ev;
        ev.customer_id = id;
        ev.time = at(days_ago);
        ev.type = t;
        ev.value = std::move(value);
        out.push_back(std::move(ev));
        return out.back();
    };
    add(100, event_type::class_change, jre_classes[c.klass]);
    char growth[48];
    std::snprintf(growth, sizeof growth, "revenue_growth=%.2f", c.revenue_growth);
    add(100, event_type::attribute, growth);
    if (c.overdue) add(20, event_type::document, "invoice").due = at(5);
    add(c.days_in_stage, event_type::stage, jre_stages[c.stage]);
    add(c.days_since_contact, event_type::contact, "ok").via = channel::call;
    std::stable_sort(out.begin() + std::ptrdiff_t(first), out.end(),
                     [](const event_input &a, const event_input &b) { return a.time < b.time; });
}

// Adds `n` generated customers to `p` (one model, jre6), in batches.
void add_jre_customers(portfolio &p, std::size_t n) {
    jre_generator gen;
    std::vector<event_input> batch;
    const std::size_t per_batch = 8192;
    for (std::size_t k = 0; k < n; ++k) {
        jre_events(gen.next(), customer_name(k), batch);
        if ((k + 1) % per_batch == 0 || k + 1 == n) {
            p.apply_batch(batch, false);
            batch.clear();
        }
    }
}

std::unique_ptr<portfolio> jre_portfolio(std::size_t n) {
    auto p = std::make_unique<portfolio>();
    p->add_model(jre_model());
    add_jre_customers(*p, n);
    return p;
}

// ---------------------------------------------------------------- recommendation

constexpr std::size_t jre_n = 20000; // jre_bench.mjs 20000

struct jre_fixture {
    std::unique_ptr<portfolio> p;
    std::unique_ptr<compiled_policy> cp;
    std::vector<customer_facts> facts;
    std::size_t fired = 0;
};

jre_fixture &jre_data() {
    static jre_fixture fx = [] {
        jre_fixture f;
        f.p = jre_portfolio(jre_n);
        f.cp = std::make_unique<compiled_policy>(jre_policy(), *f.p);
        f.facts.resize(jre_n);
        std::vector<recommendation> out;
        for (std::uint32_t c = 0; c < jre_n; ++c) {
            collect_facts(*f.p, c, jre_as_of, f.facts[c]);
            out.clear();
            f.cp->evaluate(f.facts[c], out);
            f.fired += out.size();
        }
        return f;
    }();
    return fx;
}

// The 30 rules for one customer, on facts collected beforehand (json-rules-engine
// is given its facts as a ready object too).
void BM_Recommend_30Rules(benchmark::State &state) {
    auto &fx = jre_data();
    std::vector<recommendation> out;
    out.reserve(64);
    std::size_t i = 0;
    for (auto _ : state) {
        out.clear();
        fx.cp->evaluate(fx.facts[i], out);
        benchmark::DoNotOptimize(out.data());
        if (++i == fx.facts.size()) i = 0;
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()));
    state.counters["rules"] = double(fx.cp->source().rules.size());
    state.counters["customers"] = double(jre_n);
    state.counters["fired"] = double(fx.fired); // jre_bench.mjs prints the same total as fired=
}

// The same, collecting each customer's facts from the journal first.
void BM_Recommend_30Rules_WithFacts(benchmark::State &state) {
    auto &fx = jre_data();
    std::vector<recommendation> out;
    out.reserve(64);
    customer_facts f;
    std::uint32_t i = 0;
    for (auto _ : state) {
        out.clear();
        collect_facts(*fx.p, i, jre_as_of, f);
        fx.cp->evaluate(f, out);
        benchmark::DoNotOptimize(out.data());
        if (++i == jre_n) i = 0;
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()));
}

// ---------------------------------------------------------------- whole portfolios

struct big_fixture {
    std::size_t n = 0;
    std::unique_ptr<compiled_policy> cp; // before p: destroyed first
    std::unique_ptr<portfolio> p;
};

// One portfolio at a time, built once per size, outside the timings.
big_fixture &big_portfolio(std::size_t n) {
    static big_fixture fx;
    if (fx.n != n) {
        fx.cp.reset();
        fx.p.reset();
        fx.n = 0;
        fx.p = jre_portfolio(n);
        fx.cp = std::make_unique<compiled_policy>(jre_policy(), *fx.p);
        fx.n = n;
    }
    return fx;
}

// rank_all on every core: facts, 30 rules, ranking of every customer's
// action as a 32-byte ranked_action (explanations are built by expand() only
// for what is shown: BM_PortfolioRecommendTop1000).
void BM_PortfolioRecommend(benchmark::State &state) {
    auto &fx = big_portfolio(std::size_t(state.range(0)));
    std::size_t recs = 0;
    for (auto _ : state) {
        auto all = rank_all(*fx.cp, jre_as_of);
        recs = all.size();
        benchmark::DoNotOptimize(all.data());
    }
    state.counters["bytes_per_record"] = double(sizeof(ranked_action));
    state.SetItemsProcessed(std::int64_t(state.iterations()) * state.range(0));
    state.counters["customers"] = double(state.range(0));
    state.counters["recommendations"] = double(recs);
    state.counters["threads"] = double(std::max(1u, std::thread::hardware_concurrency()));
}

// The per-deal forecast of every open customer (stage survival by age, the
// chains, each deal's p_won and value), beside BM_PortfolioRecommend on the
// same portfolios.
void BM_ForecastPerDeal(benchmark::State &state) {
    auto &fx = big_portfolio(std::size_t(state.range(0)));
    std::size_t deals = 0;
    for (auto _ : state) {
        auto r = forecast(*fx.p, 0, timestamp(jre_as_of) * seconds_per_day);
        deals = r.deals.size();
        benchmark::DoNotOptimize(r.deals.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()) * state.range(0));
    state.counters["customers"] = double(state.range(0));
    state.counters["open_deals"] = double(deals);
}

// The same, asking only for the best 1000 (a worklist), explained: every
// customer is still evaluated, the best 1000 kept as they come, and those
// 1000 expanded into full recommendations (recommend_all with a limit).
void BM_PortfolioRecommendTop1000(benchmark::State &state) {
    auto &fx = big_portfolio(std::size_t(state.range(0)));
    recommend_options opt;
    opt.limit = 1000;
    for (auto _ : state) {
        auto top = recommend_all(*fx.cp, jre_as_of, opt);
        if (top.size() != 1000) state.SkipWithError("expected 1000 recommendations");
        benchmark::DoNotOptimize(top.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()) * state.range(0));
    state.counters["customers"] = double(state.range(0));
}

// The same at 10^6 customers with the first R rules of the 30: linear in rules.
void BM_PortfolioRecommend_Rules(benchmark::State &state) {
    auto &fx = big_portfolio(1000000);
    auto pol = std::make_shared<policy>(*jre_policy());
    // Interleave the two rule families so that every prefix has both kinds.
    std::vector<rule> mixed;
    for (std::size_t k = 0; k < 18; ++k) {
        mixed.push_back(pol->rules[k]);
        if (k * 12 / 18 != (k + 1) * 12 / 18) mixed.push_back(pol->rules[18 + k * 12 / 18]);
    }
    mixed.resize(std::size_t(state.range(0)));
    pol->rules = mixed;
    compiled_policy cp(pol, *fx.p);
    for (auto _ : state) {
        auto all = recommend_all(cp, jre_as_of);
        benchmark::DoNotOptimize(all.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()) * 1000000);
    state.counters["rules"] = double(state.range(0));
}

// ---------------------------------------------------------------- CSV import

const std::string &jre_csv() {
    static const std::string csv = [] {
        const std::size_t n = 200000;
        std::string out = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n";
        jre_generator gen;
        std::vector<event_input> evs;
        for (std::size_t k = 0; k < n; ++k) {
            evs.clear();
            jre_events(gen.next(), customer_name(k), evs);
            for (const auto &ev : evs) {
                out += ev.customer_id;
                out += ',';
                out += format_timestamp(ev.time);
                out += ',';
                out += to_string(ev.type);
                out += ',';
                out += ev.value;
                out += ',';
                if (ev.type == event_type::stage) out += "jre6";
                out += ',';
                out += to_string(ev.via);
                out += ",,,,";
                if (ev.due) out += format_timestamp(*ev.due);
                out += ",\n";
            }
        }
        return out;
    }();
    return csv;
}

// Imports `csv` into a fresh portfolio of model `m` per iteration (the
// portfolio's creation and destruction not timed); bytes and rows per second.
void run_import(benchmark::State &state, const std::string &csv, const model_ptr &m, const std::string &name) {
    std::size_t rows = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto p = std::make_unique<portfolio>();
        p->add_model(m);
        state.ResumeTiming();
        auto r = import_event_log(*p, csv, name);
        rows = r.applied;
        state.PauseTiming();
        if (r.applied != r.rows) state.SkipWithError("rows rejected");
        p.reset();
        state.ResumeTiming();
    }
    state.SetBytesProcessed(std::int64_t(state.iterations() * csv.size()));
    state.SetItemsProcessed(std::int64_t(state.iterations() * rows));
    state.counters["MB"] = double(csv.size()) / 1e6;
}

void BM_ImportCSV(benchmark::State &state) { run_import(state, jre_csv(), jre_model(), "bench.csv"); }

// The real CRM data as an event log (scripts/crm_to_events.py; bench-peers
// writes it and names it in CLM_BENCH_REAL_EVENTS), eight copies with the
// customer ids made distinct: 500k rows of real text, 37 MB, rows grouped by
// opportunity as the export writes them.
const std::string &real_csv() {
    static const std::string csv = [] {
        const char *path = std::getenv("CLM_BENCH_REAL_EVENTS");
        if (!path || !*path) return std::string();
        const std::string one = read_file(path);
        const std::size_t body = one.find('\n') + 1;
        std::string out = one.substr(0, body);
        for (int copy = 0; copy < 8; ++copy)
            for (std::size_t pos = body; pos < one.size();) {
                std::size_t end = one.find('\n', pos);
                end = end == std::string::npos ? one.size() : end + 1;
                out += 'r';
                out += char('0' + copy);
                out.append(one, pos, end - pos);
                pos = end;
            }
        return out;
    }();
    return csv;
}

void BM_ImportCSV_RealData(benchmark::State &state) {
    const std::string &csv = real_csv();
    if (csv.empty()) {
        state.SkipWithError("set CLM_BENCH_REAL_EVENTS to the real event log (scripts/bench-peers does)");
        return;
    }
    static const model_ptr m = model_from_json(read_file(CLM_BENCH_DIR "/../../examples/data/crm-pipeline.json"), "crm-pipeline.json");
    run_import(state, csv, m, "real.csv");
}

// ---------------------------------------------------------------- memory

// Bytes per customer per model and per journal event, as counters (no timing).
void BM_Memory(benchmark::State &state) {
    const std::size_t n = 1000000;
    double index_bytes = 0, id_text_bytes = 0, heap_per_customer = 0, journal_bytes = 0, details_share = 0;
    for (auto _ : state) {
        // The customer ids' text alone: the strings as the pool keeps them (a deque of std::string).
        {
            std::size_t before = heap_in_use();
            auto ids = std::make_unique<std::deque<std::string>>();
            for (std::size_t k = 0; k < n; ++k) ids->push_back(customer_name(k));
            id_text_bytes = double(heap_in_use() - before) / double(n);
        }
        // The per-customer index: the interned id (the string pool: the text and
        // its hash-table entry) and the string id -> customer table, less the text.
        {
            std::size_t before = heap_in_use();
            auto pool = std::make_unique<string_pool>();
            std::vector<std::uint32_t> lookup;
            for (std::size_t k = 0; k < n; ++k) {
                string_id s = pool->intern(customer_name(k));
                if (lookup.size() <= s) lookup.resize(std::size_t(s) + 1, none32);
                lookup[s] = std::uint32_t(k);
            }
            index_bytes = double(heap_in_use() - before) / double(n) - id_text_bytes;
        }
        // Everything a customer placed in one model costs: heap in use after
        // placing n customers, per customer (one 24-byte journal event each).
        {
            std::size_t before = heap_in_use();
            auto p = std::make_unique<portfolio>();
            p->add_model(xstate_model());
            std::vector<event_input> batch;
            for (std::size_t k = 0; k < n; ++k) {
                event_input ev;
                ev.customer_id = customer_name(k);
                ev.time = apply_base;
                ev.type = event_type::stage;
                ev.value = "presentation";
                batch.push_back(std::move(ev));
                if (batch.size() == 8192 || k + 1 == n) {
                    p->apply_batch(batch, false);
                    batch.clear();
                }
            }
            batch.shrink_to_fit();
            heap_per_customer = double(heap_in_use() - before) / double(n);
        }
        // Journal events of the jre workload, details amortised.
        {
            auto p = jre_portfolio(100000);
            std::size_t with_detail = 0;
            for (const auto &ev : p->journal())
                if (p->detail_of(ev)) ++with_detail;
            details_share = double(with_detail) / double(p->journal().size());
            // Each event: its record and one bit of the has-details bitmap; an event
            // with details also its side record and its index in detail_event_.
            journal_bytes = double(sizeof(journal_event)) + 1.0 / 8.0 +
                            details_share * double(sizeof(event_detail) + sizeof(std::uint32_t));
        }
    }
    state.counters["membership_B"] = double(sizeof(membership));
    state.counters["customer_state_B"] = double(sizeof(customer_state));
    state.counters["index_B_per_customer"] = index_bytes;
    state.counters["id_text_B_per_customer"] = id_text_bytes;
    // sizeof(membership) + sizeof(customer_state) / models + the id index, for one model (the worst case).
    state.counters["B_per_customer_per_model"] = double(sizeof(membership)) + double(sizeof(customer_state)) + index_bytes;
    state.counters["heap_B_per_customer_1model"] = heap_per_customer;
    state.counters["journal_event_B"] = double(sizeof(journal_event));
    state.counters["event_detail_B"] = double(sizeof(event_detail));
    state.counters["details_share"] = details_share;
    state.counters["B_per_journal_event"] = journal_bytes;
}

} // namespace

BENCHMARK(BM_NextStage_Sales6);
BENCHMARK(BM_SwitchFloor_Sales6);
BENCHMARK(BM_Apply_Sales6);
BENCHMARK(BM_Apply_Sales6_ByName);
BENCHMARK(BM_ApplyBatch_Sales6)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Recommend_30Rules);
BENCHMARK(BM_Recommend_30Rules_WithFacts);
BENCHMARK(BM_ImportCSV)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImportCSV_RealData)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memory)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioRecommend)->RangeMultiplier(10)->Range(1000, 100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioRecommendTop1000)->RangeMultiplier(10)->Range(1000, 100000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioRecommend)->Arg(1000000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ForecastPerDeal)->Arg(1000000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioRecommendTop1000)->Arg(1000000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioRecommend_Rules)->Arg(10)->Arg(20)->Arg(30)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioRecommend)->Arg(10000000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ForecastPerDeal)->Arg(10000000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortfolioRecommendTop1000)->Arg(10000000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// A long-running host's allocator keeps the memory it has used: the
// benchmarks create and drop portfolios of the same sizes again and again,
// and glibc would otherwise hand the big blocks back to the kernel each time
// and fault the same pages in afresh. Applied to clm and to the floor alike.
int main(int argc, char **argv) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's largest
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
