// Rates that do not mislead (issue 20): conversion over closed customers beside
// the cohort rate, rotation suggestions backed by a significance test, value
// and lifecycle per account, plan against actual by the seed's levels. Every
// expected figure is worked out by hand in the comments, not taken from the code.
#include <catch2/catch.hpp>

#include <clm/account.hpp>
#include <clm/customer_value.hpp>
#include <clm/dynamics.hpp>
#include <clm/event_log.hpp>
#include <clm/fisher_exact.hpp>
#include <clm/funnel.hpp>
#include <clm/model_json.hpp>
#include <clm/plan_actual.hpp>
#include <clm/presets.hpp>
#include <clm/time_in_stage.hpp>

using namespace clm;

namespace {

timestamp day(const char *d) { return *parse_timestamp(d); }

// lead -> demo -> won is the main path; demo can go back to lead.
const char *rates_model = R"({"id":"r","version":1,"initial":"lead","main_path":["lead","demo","won"],
  "stages":[{"id":"lead","name":"Lead","kind":"open","task":"t","time_limit_days":10},
            {"id":"demo","name":"Demo","kind":"open","task":"t","time_limit_days":5},
            {"id":"won","name":"Won","kind":"won","task":"t"},
            {"id":"lost","name":"Lost","kind":"lost","task":"t"}],
  "transitions":[{"from":"lead","to":"demo","event":"demo"},
                 {"from":"lead","to":"lost","event":"lose"},
                 {"from":"demo","to":"won","event":"win"},
                 {"from":"demo","to":"lost","event":"lose"},
                 {"from":"demo","to":"lead","event":"back"}]})";

portfolio make(const char *model_json, const std::string &events) {
    portfolio p;
    p.add_model(model_from_json(model_json));
    import_event_log(p, events, "rates.csv");
    return p;
}

std::vector<std::string> keys_of(const nlohmann::ordered_json &j) {
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    return keys;
}

} // namespace

TEST_CASE("funnel: conversion over closed customers beside the cohort rate", "[analytics][funnel][rates]") {
    // a: lead 01, demo 02, won 05      b: lead 01, lost 03          c: lead 01, demo 03 (open)
    // d: lead 02 (open)                e: lead 02, demo 04, lost 06  f: lead 03, demo 04, back to lead 05 (open)
    auto p = make(rates_model, "customer_id,timestamp,type,value\n"
                               "a,2024-01-01,stage,lead\na,2024-01-02,stage,demo\na,2024-01-05,stage,won\n"
                               "b,2024-01-01,stage,lead\nb,2024-01-03,stage,lost\n"
                               "c,2024-01-01,stage,lead\nc,2024-01-03,stage,demo\n"
                               "d,2024-01-02,stage,lead\n"
                               "e,2024-01-02,stage,lead\ne,2024-01-04,stage,demo\ne,2024-01-06,stage,lost\n"
                               "f,2024-01-03,stage,lead\nf,2024-01-04,stage,demo\nf,2024-01-05,stage,lead\n");
    auto r = funnel(p, 0, day("2024-01-31"));
    REQUIRE(r.conversion.size() == 2);
    // lead -> demo: entered a..f (6); converted a c e f (4); not converted: b (lost: closed), d (open).
    const auto &ld = r.conversion[0];
    CHECK(ld.entered == 6);
    CHECK(ld.converted == 4);
    CHECK(ld.still_open == 1);
    CHECK(*ld.rate == Approx(4.0 / 6));
    CHECK(*ld.closed_rate == Approx(4.0 / 5));
    // demo -> won: entered a c e f (4); converted a; e lost (closed); c in demo and f back in lead (open).
    const auto &dw = r.conversion[1];
    CHECK(dw.entered == 4);
    CHECK(dw.converted == 1);
    CHECK(dw.still_open == 2);
    CHECK(*dw.rate == 0.25);
    CHECK(*dw.closed_rate == 0.5);
    CHECK(*r.win_rate() == Approx(1.0 / 3)); // a won; b, e lost

    auto j = funnel_to_json(r);
    CHECK(keys_of(j) == std::vector<std::string>{"model", "as_of", "customers", "won", "lost", "stages", "conversion"});
    CHECK(j["conversion"][1] == nlohmann::ordered_json({{"from", "demo"},
                                                        {"to", "won"},
                                                        {"rate", 0.25},
                                                        {"entered", 4},
                                                        {"converted", 1},
                                                        {"still_open", 2},
                                                        {"cohort_rate", 0.25},
                                                        {"closed_rate", 0.5}}));
    CHECK_THAT(funnel_to_text(r), Catch::Contains("demo -> won") && Catch::Contains("cohort  25.00% (1 of 4)") &&
                                      Catch::Contains("closed  50.00% (1 of 2)  2 still open"));

    // As of 01-02 nobody has closed a demo: the closed rate is null, never 0 or NaN.
    auto early = funnel(p, 0, day("2024-01-02"));
    CHECK(early.conversion[1].entered == 1); // a
    CHECK(early.conversion[1].still_open == 1);
    CHECK_FALSE(early.conversion[1].closed_rate.has_value());
    CHECK(funnel_to_json(early)["conversion"][1]["closed_rate"].is_null());
    CHECK(*early.conversion[1].rate == 0.0);
}

TEST_CASE("Fisher's exact test, one-sided, against hand-computed tables", "[analytics][statistics][rates]") {
    // 5 of 5 against 0 of 5: only the observed table is as extreme: 1 / C(10, 5) = 1 / 252.
    CHECK(fisher_exact_greater(5, 0, 0, 5) == Approx(1.0 / 252).epsilon(1e-12));
    // 3 of 4 against 1 of 4 (the tea-tasting table): (C(4,3)C(4,1) + C(4,4)C(4,0)) / C(8,4) = 17/70.
    CHECK(fisher_exact_greater(3, 1, 1, 3) == Approx(17.0 / 70).epsilon(1e-12));
    // 3 of 5 against 0 of 5: C(3,3)C(7,2) / C(10,5) = 21/252.
    CHECK(fisher_exact_greater(3, 2, 0, 5) == Approx(21.0 / 252).epsilon(1e-12));
    // The other direction: 1 of 4 against 3 of 4: 1 - P(X <= 0) = 1 - C(4,0)C(4,4)/70 = 69/70.
    CHECK(fisher_exact_greater(1, 3, 3, 1) == Approx(69.0 / 70).epsilon(1e-12));
    CHECK(fisher_exact_greater(1, 0, 0, 1) == Approx(0.5));
    // No evidence either way: an empty group, nobody or everybody converting.
    CHECK(fisher_exact_greater(0, 0, 3, 1) == 1.0);
    CHECK(fisher_exact_greater(0, 4, 0, 4) == 1.0);
    CHECK(fisher_exact_greater(4, 0, 4, 0) == 1.0);
    // Large samples stay finite and in [0, 1]: 155 of 237 against 135 of 267.
    double pv = fisher_exact_greater(155, 82, 135, 132);
    CHECK(pv > 0);
    CHECK(pv < 0.01);
}

namespace {

// Managers at 'demo' (all closed in January), and Bob's stuck customers:
//   Ann: a1..a5 demo 01-05 -> won 01-10 (5 of 5)
//   Bob: b1..b5 demo 01-05 -> lost 01-10 (0 of 5); s1..s4 in demo since 01-01..01-04 (stuck);
//        o1..o4 in lead since 03-30 (open, not stuck)
//   Cy:  c1 c2 demo -> won (2 of 2: under a sample of 5)
//   Dee: d1 d2 d3 demo -> won, d4 d5 demo -> lost (3 of 5)
std::string rotation_events() {
    std::string csv = "customer_id,timestamp,type,value\n";
    auto deal = [&](const std::string &id, const char *mgr, const char *end) {
        csv += id + ",2024-01-05,manager," + mgr + "\n" + id + ",2024-01-05,stage,demo\n";
        if (end) csv += id + ",2024-01-10,stage," + end + "\n";
    };
    for (int i = 1; i <= 5; ++i) deal("a" + std::to_string(i), "Ann", "won");
    for (int i = 1; i <= 5; ++i) deal("b" + std::to_string(i), "Bob", "lost");
    for (int i = 1; i <= 2; ++i) deal("c" + std::to_string(i), "Cy", "won");
    for (int i = 1; i <= 5; ++i) deal("d" + std::to_string(i), "Dee", i <= 3 ? "won" : "lost");
    for (int i = 1; i <= 4; ++i) {
        std::string id = "s" + std::to_string(i), date = "2024-01-0" + std::to_string(i);
        csv += id + "," + date + ",manager,Bob\n" + id + "," + date + ",stage,demo\n";
        std::string o = "o" + std::to_string(i);
        csv += o + ",2024-03-30,manager,Bob\n" + o + ",2024-03-30,stage,lead\n";
    }
    return csv;
}

} // namespace

TEST_CASE("rotation: closed customers only, a minimum sample, Fisher's test and a cap per manager", "[analytics][dynamics][rates]") {
    auto p = make(rates_model, rotation_events());
    const timestamp d1 = day("2024-03-01"), d2 = day("2024-03-31");
    // Open customers on 03-31: Ann 0, Bob 8 (s1..s4, o1..o4), Cy 0, Dee 0. Stuck: s1 (90 days in
    // demo), s2 (89), s3 (88), s4 (87). Against Bob's 0 of 5 closed: Ann 5 of 5, p = 1/252 = 0.00397;
    // Dee 3 of 5, p = 21/252 = 0.0833; Cy 2 of 2 is under the sample of 5.
    dynamics_options opt;
    opt.max_per_manager = 2;
    auto r = dynamics(p, 0, d1, d2, opt);
    // s1 -> Ann (Ann 1 open, Bob 7), s2 -> Ann (2, 6); then Ann has had her 2 and Dee's p > 0.05.
    REQUIRE(r.rotation.size() == 2);
    CHECK(r.rotation[0].customer_id == "s1");
    CHECK(r.rotation[0].days_in_stage == 90);
    CHECK(r.rotation[1].customer_id == "s2");
    for (const auto &s : r.rotation) {
        CHECK(s.manager == "Bob");
        CHECK(s.to_manager == "Ann");
        CHECK(s.to_manager_converted == 5);
        CHECK(s.to_manager_closed == 5);
        CHECK(s.manager_converted == 0);
        CHECK(s.manager_closed == 5);
        CHECK(s.p_value == Approx(1.0 / 252).epsilon(1e-12));
        CHECK(s.alpha == 0.05);
    }
    CHECK_THAT(r.rotation[1].reason, Catch::Contains("Ann converts 'demo' -> 'won' at 100.0% of closed (5 of 5) with 1 open customers") &&
                                         Catch::Contains("Bob at 0.0% (0 of 5) with 7 open customers") &&
                                         Catch::Contains("one-sided Fisher exact p = 0.004 <= 0.05"));
    auto j = dynamics_to_json(r)["rotation"][0];
    CHECK(keys_of(j) == std::vector<std::string>{"customer_id", "stage", "days_in_stage", "manager", "to_manager", "reason",
                                                 "manager_converted", "manager_closed", "to_manager_converted",
                                                 "to_manager_closed", "p_value", "alpha"});
    CHECK(j["p_value"].get<double>() == Approx(1.0 / 252).epsilon(1e-12));
    CHECK(j["alpha"] == 0.05);
    CHECK_THAT(dynamics_to_text(r), Catch::Contains("rotation suggestions: 2 (closed customers compared: at least 5 each, "
                                                    "one-sided Fisher exact p <= 0.05; at most 2 to one manager)"));

    // alpha 0.1 lets Dee's 3 of 5 (p = 0.0833) through once Ann has her 2: s3 and s4 -> Dee.
    opt.alpha = 0.1;
    r = dynamics(p, 0, d1, d2, opt);
    REQUIRE(r.rotation.size() == 4);
    CHECK(r.rotation[2].to_manager == "Dee");
    CHECK(r.rotation[3].to_manager == "Dee");
    CHECK(r.rotation[2].p_value == Approx(21.0 / 252).epsilon(1e-12));

    // The default cap (20): Ann takes all four, her open count rising 1, 2, 3, 4 against Bob's 7, 6, 5, 4.
    r = dynamics(p, 0, d1, d2);
    REQUIRE(r.rotation.size() == 4);
    for (const auto &s : r.rotation) CHECK(s.to_manager == "Ann");

    // A sample of 6 closed customers: nobody (not even Bob) has enough to compare.
    opt = {};
    opt.min_conversion_sample = 6;
    CHECK(dynamics(p, 0, d1, d2, opt).rotation.empty());
    opt = {};
    opt.alpha = 0;
    CHECK_THROWS_AS(dynamics(p, 0, d1, d2, opt), invalid_argument);
}

TEST_CASE("rotation: open customers are neither successes nor failures", "[analytics][dynamics][rates]") {
    // Bob's stuck s1 and five more open demos (t1..t5) do not count against him: with no closed
    // demo he has no record to compare, so no suggestion however good Ann is.
    std::string csv = "customer_id,timestamp,type,value\n";
    for (int i = 1; i <= 5; ++i) {
        std::string a = "a" + std::to_string(i), t = "t" + std::to_string(i);
        csv += a + ",2024-01-05,manager,Ann\n" + a + ",2024-01-05,stage,demo\n" + a + ",2024-01-10,stage,won\n";
        csv += t + ",2024-03-29,manager,Bob\n" + t + ",2024-03-29,stage,demo\n";
    }
    csv += "s1,2024-01-01,manager,Bob\ns1,2024-01-01,stage,demo\n";
    auto p = make(rates_model, csv);
    dynamics_options opt;
    opt.min_conversion_sample = 1;
    opt.alpha = 1;
    CHECK(dynamics(p, 0, day("2024-03-01"), day("2024-03-31"), opt).rotation.empty());
}

TEST_CASE("accounts: account_of follows the newest account attribute by the date", "[analytics][accounts]") {
    auto p = make(rates_model, "customer_id,timestamp,type,value\n"
                               "x,2024-01-01,attribute,account=Acme\nx,2024-01-01,stage,lead\n"
                               "x,2024-01-10,attribute,account=Beta\nx,2024-01-20,attribute,account=\n"
                               "y,2024-01-01,stage,lead\ny,2024-01-02,attribute,region=North\n");
    const auto x = *p.find_customer("x"), y = *p.find_customer("y");
    CHECK(p.text(account_of(p, x, end_of_day(day("2024-01-01")))) == "Acme");
    CHECK(p.text(account_of(p, x, end_of_day(day("2024-01-15")))) == "Beta");
    CHECK(account_of(p, x, end_of_day(day("2024-01-31"))) == 0); // cleared
    CHECK(account_of(p, y, end_of_day(day("2024-01-31"))) == 0); // never had one
    CHECK(account_of(p, x, day("2023-12-31")) == 0);             // before any event
}

namespace {

// x1, x2 (account Acme), y1 (Beta), z1 and w1 (no account); all in January 2024:
//   x1: lead 01, won 11, purchase 100 on 11      x2: lead 05, won 25, purchase 50 on 25
//   y1: lead 03, won 15, purchase 30 on 15       z1: lead 02, won 06, purchases 20 on 06 and 20 on 20
//   w1: lead 04 (open)
const char *account_events = R"(customer_id,timestamp,type,value,amount
x1,2024-01-01,attribute,account=Acme,
x1,2024-01-01,stage,lead,
x1,2024-01-11,stage,won,
x1,2024-01-11,purchase,P,100
x2,2024-01-05,attribute,account=Acme,
x2,2024-01-05,stage,lead,
x2,2024-01-25,stage,won,
x2,2024-01-25,purchase,P,50
y1,2024-01-03,attribute,account=Beta,
y1,2024-01-03,stage,lead,
y1,2024-01-15,stage,won,
y1,2024-01-15,purchase,P,30
z1,2024-01-02,stage,lead,
z1,2024-01-06,stage,won,
z1,2024-01-06,purchase,P,20
z1,2024-01-20,purchase,P,20
w1,2024-01-04,stage,lead,
)";

// The same model with a direct lead -> won move for the account examples.
const char *direct_model = R"({"id":"r","version":1,"initial":"lead","main_path":["lead","won"],
  "stages":[{"id":"lead","name":"Lead","kind":"open","task":"t"},{"id":"won","name":"Won","kind":"won","task":"t"}],
  "transitions":[{"from":"lead","to":"won","event":"win"}]})";

} // namespace

TEST_CASE("customer value: Pareto and repeat purchases per account when accounts are given", "[analytics][value][accounts]") {
    auto p = make(direct_model, account_events);
    auto r = customer_value(p, day("2024-01-31"));
    // Units: Acme (x1 x2), Beta (y1), z1, w1 = 4. Revenue: Acme 150, Beta 30, z1 40, w1 0; total 220.
    CHECK(r.unit == "account");
    CHECK(r.customers == 5);
    CHECK(r.units == 4);
    CHECK(r.accounts == 2);
    CHECK(r.revenue == 220);
    // Buying units: Acme, Beta, z1; with >= 2 purchases: Acme (x1 + x2) and z1. Per customer it
    // would be 1 of 4 (only z1 bought twice).
    CHECK(r.buyers == 3);
    CHECK(r.repeat_buyers == 2);
    CHECK(*r.repeat_share == Approx(2.0 / 3));
    // 80% of 220 = 176: Acme 150 < 176, + z1 40 = 190 >= 176: 2 units.
    CHECK(r.pareto.customers == 2);
    CHECK(r.pareto.revenue == 190);
    CHECK(*r.pareto.share_of_buyers == Approx(2.0 / 3));
    CHECK(*r.pareto.share_of_all == 0.5);
    CHECK(*r.pareto.revenue_share == Approx(190.0 / 220));
    // By stage stays per customer: won x1 x2 y1 z1 (220), lead w1.
    CHECK(r.by_stage[0].stages[1].customers == 4);
    auto j = customer_value_to_json(r);
    CHECK(j["unit"] == "account");
    CHECK(j["units"] == 4);
    CHECK(j["repeat"] == nlohmann::ordered_json({{"buyers", 3}, {"repeat_buyers", 2}, {"share", 2.0 / 3}}));
    CHECK_THAT(customer_value_to_text(r), Catch::Contains("per account: 2 accounts and 2 customers without one, 4 units") &&
                                              Catch::Contains("repeat purchase: 2 of 3 buying accounts (66.67%)"));

    // Without accounts, the units are the customers.
    auto q = make(direct_model, "customer_id,timestamp,type,value,amount\n"
                                "u,2024-01-01,purchase,P,10\nu,2024-01-02,purchase,P,10\nv,2024-01-01,purchase,P,5\n");
    auto rq = customer_value(q, day("2024-01-31"));
    CHECK(rq.unit == "customer");
    CHECK(rq.units == 2);
    CHECK(rq.repeat_buyers == 1);
    CHECK(customer_value_to_json(rq)["unit"] == "customer");
}

TEST_CASE("lifecycle duration to won per account when accounts are given", "[analytics][time][accounts]") {
    auto p = make(direct_model, account_events);
    auto r = time_in_stage(p, 0, day("2024-01-31"));
    // Acme: first entry 01-01 (x1), first win 01-11 (x1): 10 days. Beta: 01-03 -> 01-15: 12.
    // z1: 01-02 -> 01-06: 4. w1 has not won. Mean (10 + 12 + 4) / 3, median 10.
    // (Per customer it would be x1 10, x2 20, y1 12, z1 4: mean 11.5, median 11.)
    CHECK(r.unit == "account");
    CHECK(r.won == 3);
    CHECK(*r.to_won_mean_days == Approx(26.0 / 3));
    CHECK(*r.to_won_median_days == 10);
    auto j = time_in_stage_to_json(r);
    CHECK(j["to_won"]["unit"] == "account");
    CHECK(j["to_won"]["customers"] == 3);
    CHECK_THAT(time_in_stage_to_text(r), Catch::Contains("lifecycle to won (per account): 3 accounts"));
    // As of 01-04 only x1 and y1 carry an account: still per account; nobody has won yet.
    auto early = time_in_stage(p, 0, day("2024-01-04"));
    CHECK(early.unit == "account");
    CHECK(early.won == 0);
    CHECK_FALSE(early.to_won_mean_days.has_value());
}

TEST_CASE("plan against actual on relationship4 follows the seed's levels", "[analytics][plan][rates]") {
    portfolio p;
    p.add_model(load_preset("relationship4"));
    // Period February 2024. Managers: p1 p2 p6 Ann; p3 p4 p5 Bob. The levels' entry requirements
    // are checked on each customer's first day (checks are neither contacts nor purchases).
    //   p1: potential 01-10, attracted 01-20, contact 02-03, new 02-10, purchase 02-10
    //   p2: potential 01-05, attracted 01-06, new 01-15, active 01-25, contact 02-05, purchase 02-06
    //   p3: potential 02-01, contact 02-02 (potential), attracted 02-04, contacts 02-05 and 02-07,
    //       new 02-20, active 02-27
    //   p4: active since 01-04, no event in February
    //   p5: active since 01-04, lost 02-15
    //   p6: potential 02-01, attracted 02-02, contact 02-03 with manager column Cy, new 03-05
    import_event_log(p, R"(customer_id,timestamp,type,value,manager,amount,reason
p1,2024-01-10,manager,Ann,,,
p1,2024-01-10,check,customer information collected,,,
p1,2024-01-10,check,first purchase,,,
p1,2024-01-10,check,repeat purchase,,,
p1,2024-01-10,stage,potential,,,
p1,2024-01-20,stage,attracted,,,
p1,2024-02-03,contact,,,,
p1,2024-02-10,stage,new,,,
p1,2024-02-10,purchase,P,,50,
p2,2024-01-05,manager,Ann,,,
p2,2024-01-05,check,customer information collected,,,
p2,2024-01-05,check,first purchase,,,
p2,2024-01-05,check,repeat purchase,,,
p2,2024-01-05,stage,potential,,,
p2,2024-01-06,stage,attracted,,,
p2,2024-01-15,stage,new,,,
p2,2024-01-25,stage,active,,,
p2,2024-02-05,contact,,,,
p2,2024-02-06,purchase,P,,70,
p3,2024-02-01,manager,Bob,,,
p3,2024-02-01,check,customer information collected,,,
p3,2024-02-01,check,first purchase,,,
p3,2024-02-01,check,repeat purchase,,,
p3,2024-02-01,stage,potential,,,
p3,2024-02-02,contact,,,,
p3,2024-02-04,stage,attracted,,,
p3,2024-02-05,contact,,,,
p3,2024-02-07,contact,,,,
p3,2024-02-20,stage,new,,,
p3,2024-02-27,stage,active,,,
p4,2024-01-01,manager,Bob,,,
p4,2024-01-01,check,customer information collected,,,
p4,2024-01-01,check,first purchase,,,
p4,2024-01-01,check,repeat purchase,,,
p4,2024-01-01,stage,potential,,,
p4,2024-01-02,stage,attracted,,,
p4,2024-01-03,stage,new,,,
p4,2024-01-04,stage,active,,,
p5,2024-01-01,manager,Bob,,,
p5,2024-01-01,check,customer information collected,,,
p5,2024-01-01,check,first purchase,,,
p5,2024-01-01,check,repeat purchase,,,
p5,2024-01-01,stage,potential,,,
p5,2024-01-02,stage,attracted,,,
p5,2024-01-03,stage,new,,,
p5,2024-01-04,stage,active,,,
p5,2024-02-15,stage,lost,,,no need
p6,2024-02-01,manager,Ann,,,
p6,2024-02-01,check,customer information collected,,,
p6,2024-02-01,check,first purchase,,,
p6,2024-02-01,check,repeat purchase,,,
p6,2024-02-01,stage,potential,,,
p6,2024-02-02,stage,attracted,,,
p6,2024-02-03,contact,,Cy,,
p6,2024-03-05,stage,new,,,
)",
                     "rel.csv");
    auto plan = plan_from_json(R"({"from": "2024-02-01", "to": "2024-02-29",
      "managers": {"Ann": {"active_customers": 2, "new_customers": 1, "prospects_contacted": 1},
                   "Bob": {"active_customers": 2, "new_customers": 1, "prospects_contacted": 2}}})");
    auto r = plan_actual(p, 0, plan);
    REQUIRE(r.managers.size() == 3);
    const auto &ann = r.managers[0], &bob = r.managers[1], &cy = r.managers[2];
    REQUIRE(cy.manager == "Cy");
    enum { active, fresh, prospects, products, contacts };
    // active = in 'active' on 02-29: p2 (Ann); p3, p4 (Bob); p5 was lost. (The kind rule would
    // have counted p1, p2, p6 for Ann, touched and not lost, and only p3 for Bob.)
    CHECK(ann.indicators[active].actual == 1);
    CHECK(bob.indicators[active].actual == 2);
    // new = moves into 'new' in February: p1 (Ann), p3 (Bob); p6's is in March. (The kind rule
    // would have counted the move into the won stage 'active': p3 only.)
    CHECK(ann.indicators[fresh].actual == 1);
    CHECK(bob.indicators[fresh].actual == 1);
    // prospects = contacted while in 'attracted': p1 (Ann), p3 once for two contacts (Bob), p6 (Cy,
    // the contact's manager). p3's contact in 'potential' and p2's in 'active' do not count. (The
    // kind rule would have counted p3's contact in the initial stage 'potential' only.)
    CHECK(ann.indicators[prospects].actual == 1);
    CHECK(bob.indicators[prospects].actual == 1);
    CHECK(cy.indicators[prospects].actual == 1);
    CHECK(ann.indicators[products].actual == 2);
    CHECK(ann.indicators[contacts].actual == 2);
    CHECK(bob.indicators[contacts].actual == 3);
    // Deviations: Ann active (1 - 2) / 2 = -0.5, flagged; Bob prospects (1 - 2) / 2 = -0.5, flagged.
    CHECK(*ann.indicators[active].deviation == -0.5);
    CHECK(ann.indicators[active].flagged);
    CHECK(*bob.indicators[active].deviation == 0.0);
    CHECK(*bob.indicators[prospects].deviation == -0.5);
    CHECK(r.measures[0] == "customers in 'active' at the end of the period");
    CHECK(r.measures[1] == "customers who moved into 'new' in the period");
    CHECK(r.measures[2] == "customers contacted in the period while in 'attracted'");
    auto j = plan_actual_to_json(r);
    CHECK(keys_of(j) == std::vector<std::string>{"model", "from", "to", "threshold", "managers", "measures"});
    CHECK(j["measures"]["new_customers"] == "customers who moved into 'new' in the period");
    CHECK_THAT(plan_actual_to_text(r), Catch::Contains("measured as:\n  active_customers: customers in 'active'"));
}

TEST_CASE("plan against actual: models without the seed's levels keep the kind rules", "[analytics][plan][rates]") {
    auto p = make(rates_model, "customer_id,timestamp,type,value\n");
    auto r = plan_actual(p, 0, plan_from_json(R"({"from": "2024-02-01", "to": "2024-02-29", "managers": {}})"));
    CHECK(r.measures[1] == "customers who moved into a won-kind stage in the period");
    CHECK(r.measures[2] == "customers contacted in the period while in 'lead' (the initial stage) or in no model");
    CHECK(plan_measures_of(*load_preset("relationship4")).fresh.has_value());
    CHECK_FALSE(plan_measures_of(*load_preset("sales6")).fresh.has_value());
}
