// Analytics: funnel, time in stage, dynamics, plan against actual, customer
// value, forecast. Every expected figure is worked out by hand in the
// comments from the small portfolio below, not taken from the code.
#include <catch2/catch.hpp>

#include <clm/customer_value.hpp>
#include <clm/dynamics.hpp>
#include <clm/event_log.hpp>
#include <clm/forecast.hpp>
#include <clm/funnel.hpp>
#include <clm/model_json.hpp>
#include <clm/plan_actual.hpp>
#include <clm/presets.hpp>
#include <clm/time_in_stage.hpp>

using namespace clm;

namespace {

timestamp day(const char *d) { return *parse_timestamp(d); }

// lead -> demo -> won is the main path; pause is a dormant detour from demo.
const char *test_model = R"({"id":"t","version":1,"initial":"lead","main_path":["lead","demo","won"],
  "stages":[{"id":"lead","name":"Lead","kind":"open","task":"t","time_limit_days":10,"probability":0.2},
            {"id":"demo","name":"Demo","kind":"open","task":"t","time_limit_days":5,"probability":0.5},
            {"id":"won","name":"Won","kind":"won","task":"t"},
            {"id":"lost","name":"Lost","kind":"lost","task":"t"},
            {"id":"pause","name":"Pause","kind":"dormant","task":"t","time_limit_days":30,"probability":0.3}],
  "transitions":[{"from":"lead","to":"demo","event":"demo"},
                 {"from":"lead","to":"lost","event":"lose"},
                 {"from":"demo","to":"won","event":"win"},
                 {"from":"demo","to":"lost","event":"lose"},
                 {"from":"demo","to":"lead","event":"back"},
                 {"from":"demo","to":"pause","event":"pause"},
                 {"from":"pause","to":"demo","event":"resume"},
                 {"from":"pause","to":"lost","event":"lose"}]})";

// The portfolio, all in January 2024 (day numbers below):
//   c1 (Ann, class A): lead 01, demo 05, won 15; contact 14; purchase X 100 on 15 (manager column Ann), Y 50 on 25
//   c2 (Ann): lead 02, lost 04 (reason "price")
//   c3 (Bob, class B): lead 03, demo 06, lost 08 (no reason)
//   c4 (Bob): lead 04, demo 10, back to lead 12, contact 13 (manager column Cy), demo 20; purchase X 30 on 21;
//       attribute product=X
//   c5 (Bob): lead 10, contact 11; attribute amount=200
//   c6 (no manager): demo 05, contact 06, pause 09; attribute product=Z
//   c7 (Ann): lost 01 directly (reason "spam")
const char *test_events = R"(customer_id,timestamp,type,value,manager,amount,reason
c1,2024-01-01,manager,Ann,,,
c1,2024-01-01,class,A,,,
c1,2024-01-01,stage,lead,,,
c1,2024-01-05,stage,demo,,,
c1,2024-01-14,contact,,,,
c1,2024-01-15,stage,won,,,
c1,2024-01-15,purchase,X,Ann,100,
c1,2024-01-25,purchase,Y,,50,
c2,2024-01-02,manager,Ann,,,
c2,2024-01-02,stage,lead,,,
c2,2024-01-04,stage,lost,,,price
c3,2024-01-03,manager,Bob,,,
c3,2024-01-03,class,B,,,
c3,2024-01-03,stage,lead,,,
c3,2024-01-06,stage,demo,,,
c3,2024-01-08,stage,lost,,,
c4,2024-01-04,manager,Bob,,,
c4,2024-01-04,attribute,product=X,,,
c4,2024-01-04,stage,lead,,,
c4,2024-01-10,stage,demo,,,
c4,2024-01-12,stage,lead,,,
c4,2024-01-13,contact,,Cy,,
c4,2024-01-20,stage,demo,,,
c4,2024-01-21,purchase,X,,30,
c5,2024-01-10,manager,Bob,,,
c5,2024-01-10,attribute,amount=200,,,
c5,2024-01-10,stage,lead,,,
c5,2024-01-11,contact,,,,
c6,2024-01-05,attribute,product=Z,,,
c6,2024-01-05,stage,demo,,,
c6,2024-01-06,contact,,,,
c6,2024-01-09,stage,pause,,,
c7,2024-01-01,manager,Ann,,,
c7,2024-01-01,stage,lost,,,spam
)";

portfolio make_portfolio() {
    portfolio p;
    p.add_model(model_from_json(test_model));
    import_event_log(p, test_events, "test.csv");
    return p;
}

const funnel_stage &stage_line(const funnel_report &r, const std::string &id) {
    for (const auto &s : r.stages)
        if (s.id == id) return s;
    FAIL("no stage " << id);
    throw 0;
}

const stage_time &stage_line(const time_in_stage_report &r, const std::string &id) {
    for (const auto &s : r.stages)
        if (s.id == id) return s;
    FAIL("no stage " << id);
    throw 0;
}

const stage_forecast &stage_line(const forecast_report &r, const std::string &id) {
    for (const auto &s : r.stages)
        if (s.id == id) return s;
    FAIL("no stage " << id);
    throw 0;
}

} // namespace

TEST_CASE("statistics: median and nearest-rank percentile", "[analytics][statistics]") {
    std::vector<int> odd{8, 2, 4, 6, 3}, even{10, 2, 2, 4}, none;
    CHECK(*median_of(odd) == 4);
    CHECK(*median_of(even) == 3);          // (2 + 4) / 2
    CHECK_FALSE(median_of(none).has_value());
    CHECK(*mean_of(even) == 4.5);
    // The textbook nearest-rank example: 15, 20, 35, 40, 50.
    std::vector<int> v{50, 15, 40, 20, 35};
    CHECK(*percentile_nearest_rank(v, 5) == 15);   // rank ceil(0.25) = 1
    CHECK(*percentile_nearest_rank(v, 30) == 20);  // rank ceil(1.5) = 2
    CHECK(*percentile_nearest_rank(v, 40) == 20);  // rank ceil(2.0) = 2
    CHECK(*percentile_nearest_rank(v, 50) == 35);  // rank 3
    CHECK(*percentile_nearest_rank(v, 90) == 50);  // rank ceil(4.5) = 5
    CHECK(*percentile_nearest_rank(v, 100) == 50);
    std::vector<int> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(*percentile_nearest_rank(ten, 90) == 9); // rank ceil(9.0) = 9, not 10
}

TEST_CASE("funnel: entered, current, losses with reasons, median days, conversion", "[analytics][funnel]") {
    auto p = make_portfolio();
    auto r = funnel(p, 0, day("2024-01-31"));
    CHECK(r.model == "t");
    CHECK(r.customers == 7);
    CHECK(r.won == 1);  // c1
    CHECK(r.lost == 3); // c2, c3, c7
    CHECK(r.lost_at_entry == 1); // c7 entered 'lost' first
    // entered: lead c1..c5; demo c1 c3 c4 c6; won c1; lost c2 c3 c7; pause c6.
    CHECK(stage_line(r, "lead").entered == 5);
    CHECK(stage_line(r, "demo").entered == 4);
    CHECK(stage_line(r, "won").entered == 1);
    CHECK(stage_line(r, "lost").entered == 3);
    CHECK(stage_line(r, "pause").entered == 1);
    // current: lead c5, demo c4, won c1, lost c2 c3 c7, pause c6.
    CHECK(stage_line(r, "lead").current == 1);
    CHECK(stage_line(r, "demo").current == 1);
    CHECK(stage_line(r, "lost").current == 3);
    CHECK(stage_line(r, "pause").current == 1);
    // lost_from: lead (c2, "price"), demo (c3, no reason); c7 has no earlier stage.
    CHECK(stage_line(r, "lead").lost_from == 1);
    CHECK(stage_line(r, "lead").loss_reasons == std::map<std::string, std::size_t>{{"price", 1}});
    CHECK(stage_line(r, "demo").lost_from == 1);
    CHECK(stage_line(r, "demo").loss_reasons == std::map<std::string, std::size_t>{{"(no reason)", 1}});
    CHECK(stage_line(r, "pause").lost_from == 0);
    // Completed lead stays: c1 4, c2 2, c3 3, c4 6 and 8 days -> 2 3 4 6 8 -> median 4.
    CHECK(*stage_line(r, "lead").median_days == 4);
    // Completed demo stays: c1 10, c3 2, c4 2, c6 4 -> 2 2 4 10 -> median (2 + 4) / 2 = 3.
    CHECK(*stage_line(r, "demo").median_days == 3);
    CHECK_FALSE(stage_line(r, "won").median_days.has_value());
    CHECK_FALSE(stage_line(r, "pause").median_days.has_value()); // c6's pause is still open
    // lead -> demo: of c1..c5, c1 c3 c4 later entered demo: 3/5. demo -> won: of c1 c3 c4 c6, c1: 1/4.
    REQUIRE(r.conversion.size() == 2);
    CHECK(r.conversion[0].from_id == "lead");
    CHECK(r.conversion[0].to_id == "demo");
    CHECK(*r.conversion[0].rate == Approx(0.6));
    CHECK(*r.conversion[1].rate == Approx(0.25));
    CHECK(*r.win_rate() == Approx(0.25)); // 1 / (1 + 3)

    // The JSON has exactly the documented keys, in order.
    auto j = funnel_to_json(r);
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"model", "as_of", "customers", "won", "lost", "stages", "conversion"});
    keys.clear();
    for (auto it = j["stages"][0].begin(); it != j["stages"][0].end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"id", "entered", "current", "lost_from", "median_days"});
    CHECK(j["stages"][1]["median_days"] == 3);
    CHECK(j["stages"][2]["median_days"].is_null());
    // demo -> won: c1 converted, c3 lost (closed), c4 in demo and c6 in pause still open: closed 1 of 2.
    CHECK(j["conversion"][1] == nlohmann::ordered_json({{"from", "demo"},
                                                        {"to", "won"},
                                                        {"rate", 0.25},
                                                        {"entered", 4},
                                                        {"converted", 1},
                                                        {"still_open", 2},
                                                        {"cohort_rate", 0.25},
                                                        {"closed_rate", 0.5}}));
    CHECK(loss_reasons_to_json(r)["stages"][0]["reasons"]["price"] == 1);
    CHECK_THAT(funnel_to_text(r), Catch::Contains("lead -> demo") && Catch::Contains("60.00%"));
}

TEST_CASE("funnel as of an earlier date counts only what had happened", "[analytics][funnel]") {
    auto p = make_portfolio();
    // By 01-07: c1 lead->demo, c2 lead->lost, c3 lead->demo, c4 lead, c6 demo, c7 lost; c5 not yet.
    auto r = funnel(p, 0, day("2024-01-07"));
    CHECK(r.customers == 6);
    CHECK(stage_line(r, "lead").entered == 4);
    CHECK(stage_line(r, "demo").entered == 3);
    CHECK(stage_line(r, "demo").current == 3);
    CHECK(*stage_line(r, "lead").median_days == 3); // c1 4, c2 2, c3 3
    CHECK_FALSE(stage_line(r, "demo").median_days.has_value());
    CHECK(*r.conversion[0].rate == Approx(0.5));    // c1, c3 of 4
    CHECK(*r.conversion[1].rate == 0.0);            // nobody won yet
    // Nobody entered the model: rates are null, not 0.
    auto empty = funnel(p, 0, day("2023-12-31"));
    CHECK(empty.customers == 0);
    CHECK_FALSE(empty.conversion[0].rate.has_value());
    CHECK(funnel_to_json(empty)["conversion"][0]["rate"].is_null());
}

TEST_CASE("time in stage: completed stays, open stays, stuck customers, lifecycle to won", "[analytics][time]") {
    auto p = make_portfolio();
    auto r = time_in_stage(p, 0, day("2024-01-31"));
    const auto &lead = stage_line(r, "lead");
    // Completed lead stays 2 3 4 6 8: mean 4.6, median 4, p90 rank ceil(4.5) = 5 -> 8.
    CHECK(lead.completed == 5);
    CHECK(*lead.mean_days == Approx(4.6));
    CHECK(*lead.median_days == 4);
    CHECK(*lead.p90_days == 8);
    // Open: c5 since 01-10, 21 days > limit 10: stuck.
    CHECK(lead.open == 1);
    CHECK(*lead.open_mean_age_days == 21);
    REQUIRE(lead.stuck.size() == 1);
    CHECK(lead.stuck[0].customer_id == "c5");
    CHECK(lead.stuck[0].days == 21);
    const auto &demo = stage_line(r, "demo");
    // Completed demo stays 2 2 4 10: mean 4.5, median 3, p90 rank ceil(3.6) = 4 -> 10.
    CHECK(demo.completed == 4);
    CHECK(*demo.mean_days == 4.5);
    CHECK(*demo.median_days == 3);
    CHECK(*demo.p90_days == 10);
    REQUIRE(demo.stuck.size() == 1); // c4 since 01-20: 11 days > 5
    CHECK(demo.stuck[0].customer_id == "c4");
    CHECK(demo.stuck[0].days == 11);
    // lost: c2 (27 days), c3 (23), c7 (30) open; no limit, nobody stuck.
    const auto &lost = stage_line(r, "lost");
    CHECK(lost.open == 3);
    CHECK(*lost.open_mean_age_days == Approx(80.0 / 3));
    CHECK(lost.stuck.empty());
    CHECK_FALSE(lost.mean_days.has_value());
    // pause: c6 since 01-09, 22 days <= 30: not stuck.
    CHECK(stage_line(r, "pause").stuck.empty());
    // To won: only c1, 01-01 -> 01-15 = 14 days.
    CHECK(r.won == 1);
    CHECK(*r.to_won_mean_days == 14);
    CHECK(*r.to_won_median_days == 14);
    auto j = time_in_stage_to_json(r);
    CHECK(j["stages"][0]["p90_days"] == 8);
    CHECK(j["stages"][0]["stuck"][0]["customer_id"] == "c5");
    CHECK(j["stages"][2]["time_limit_days"].is_null());
    CHECK(j["to_won"]["customers"] == 1);
}

TEST_CASE("progress ranks follow the documented rule", "[analytics][dynamics]") {
    auto rank = [](const model &m, const char *id) { return progress_ranks(m)[m.stage_of(id)]; };
    auto t = model_from_json(test_model);
    // Main path lead(0) demo(1) won(2), L = 3: lead 0, demo 2, won 2*3 + 2*2 = 10,
    // pause (dormant, entered from demo at index 1) 2*1 - 1 = 1, lost -2.
    CHECK(rank(*t, "lead") == 0);
    CHECK(rank(*t, "demo") == 2);
    CHECK(rank(*t, "won") == 10);
    CHECK(rank(*t, "pause") == 1);
    CHECK(rank(*t, "lost") == -2);
    auto s6 = load_preset("sales6");
    // Main path of 7; detours rank just below the highest main-path stage leading to them.
    CHECK(rank(*s6, "presentation_refused") == -1); // from presentation (0)
    CHECK(rank(*s6, "proposal_revision") == 1);     // from proposal (1), below proposal (2)
    CHECK(rank(*s6, "partial_payment") == 5);       // from payment (3)
    CHECK(rank(*s6, "complaint") == 9);             // from fulfilment (4) and closing (5): 2*5 - 1
    CHECK(rank(*s6, "closing") == 10);
    CHECK(rank(*s6, "won") == 26);                  // 2*7 + 2*6
    CHECK(rank(*s6, "refunded") == -2);
    auto m6 = load_preset("maturity6");
    CHECK(rank(*m6, "deal") == 6);
    CHECK(rank(*m6, "loyal") == 18);                // won, main-path index 4: 2*5 + 2*4
    CHECK(rank(*m6, "sleeping") == 7);              // from loyal (index 4): between deal and loyal
}

TEST_CASE("dynamics: matrix, progress overall and per manager, rotation", "[analytics][dynamics]") {
    auto p = make_portfolio();
    dynamics_options opt;
    opt.min_conversion_sample = 1;
    opt.alpha = 1; // samples of one or two: the test of significance is tested in test_rates.cpp
    auto r = dynamics(p, 0, day("2024-01-07"), day("2024-01-31"), opt);
    // 01-07 -> 01-31: c1 demo->won promoted; c2 lost->lost unchanged; c3 demo->lost left;
    // c4 lead->demo promoted; c5 none->lead new; c6 demo->pause regressed (2 -> 1); c7 unchanged.
    CHECK(r.total.promoted == 2);
    CHECK(r.total.regressed == 1);
    CHECK(r.total.unchanged == 2);
    CHECK(r.total.joined == 1);
    CHECK(r.total.left == 1);
    // Managers on 01-31: Ann c1 c2 c7; Bob c3 c4 c5; (none) c6.
    REQUIRE(r.by_manager.size() == 3);
    CHECK(r.by_manager["Ann"].promoted == 1);
    CHECK(r.by_manager["Ann"].unchanged == 2);
    CHECK(r.by_manager["Bob"].promoted == 1);
    CHECK(r.by_manager["Bob"].left == 1);
    CHECK(r.by_manager["Bob"].joined == 1);
    CHECK(r.by_manager["(none)"].regressed == 1);
    // Matrix rows: 0 = (none), then lead demo won lost pause; columns lead demo won lost pause.
    CHECK(r.matrix[0] == std::vector<std::size_t>{1, 0, 0, 0, 0}); // c5
    CHECK(r.matrix[1] == std::vector<std::size_t>{0, 1, 0, 0, 0}); // c4
    CHECK(r.matrix[2] == std::vector<std::size_t>{0, 0, 1, 1, 1}); // c1 c3 c6
    CHECK(r.matrix[3] == std::vector<std::size_t>{0, 0, 0, 0, 0});
    CHECK(r.matrix[4] == std::vector<std::size_t>{0, 0, 0, 2, 0}); // c2 c7
    // Rotation. Stuck on 01-31: c5 (lead 21 days > 10, Bob), c4 (demo 11 > 5, Bob); c6 has no manager.
    // Open customers: Ann 0, Bob 2. Conversion of closed customers (c4, c5 still open count for
    // neither): lead->demo: Ann 1/2 (c1; c2 lost), Bob 2/2 (c3, c4); demo->won: Ann 1/1, Bob 0/1 (c3).
    // c5: Ann converts lead worse (50% < 100%): no suggestion. c4: Ann 100% > 0% and 0 < 2 open: Ann.
    REQUIRE(r.rotation.size() == 1);
    CHECK(r.rotation[0].customer_id == "c4");
    CHECK(r.rotation[0].manager == "Bob");
    CHECK(r.rotation[0].to_manager == "Ann");
    CHECK(r.rotation[0].stage == "demo");
    CHECK(r.rotation[0].days_in_stage == 11);
    CHECK_THAT(r.rotation[0].reason, Catch::Contains("11 days, over its limit of 5") &&
                                         Catch::Contains("Ann converts 'demo' -> 'won' at 100.0% of closed (1 of 1) with 0 open customers") &&
                                         Catch::Contains("Bob at 0.0% (0 of 1) with 2 open customers") &&
                                         Catch::Contains("one-sided Fisher exact p = 0.5 <= 1"));
    // With the default sample of 5, one customer is too few to compare; with a sample of 1 and the
    // default alpha, 1 of 1 against 0 of 1 (p = 1/2) is not significant.
    CHECK(dynamics(p, 0, day("2024-01-07"), day("2024-01-31")).rotation.empty());
    opt.alpha = 0.05;
    CHECK(dynamics(p, 0, day("2024-01-07"), day("2024-01-31"), opt).rotation.empty());
    opt.alpha = 1;
    auto j = dynamics_to_json(r);
    CHECK(j["totals"] == nlohmann::ordered_json({{"promoted", 2}, {"regressed", 1}, {"unchanged", 2}, {"new", 1}, {"left", 1}}));
    CHECK(j["matrix"][0]["from"] == "(none)");
    CHECK(j["matrix"][2]["to"]["pause"] == 1);
    CHECK(j["managers"][0]["manager"] == "(none)");
    CHECK(j["rotation"][0]["to_manager"] == "Ann");
    CHECK_THROWS_AS(dynamics(p, 0, day("2024-01-31"), day("2024-01-31")), invalid_argument);
}

TEST_CASE("dynamics: a customer whose stage did not change over a span of at least the limit is stuck", "[analytics][dynamics]") {
    auto p = make_portfolio();
    // 01-15 -> 01-20: c4 moved (lead -> demo); c5 has been in lead since 01-10: 10 days, not over
    // its limit of 10, and the 5 days between the dates are under it; c6 has no manager: nobody stuck.
    dynamics_options opt;
    opt.min_conversion_sample = 1;
    opt.alpha = 1;
    CHECK(dynamics(p, 0, day("2024-01-15"), day("2024-01-20"), opt).rotation.empty());
    // A portfolio where the unchanged-stage rule alone makes customers stuck:
    portfolio q;
    q.add_model(model_from_json(test_model));
    import_event_log(q, "customer_id,timestamp,type,value\n"
                        "a1,2024-01-01,manager,Ann\na1,2024-01-01,stage,lead\na1,2024-01-02,stage,demo\n"
                        "b0,2024-01-01,manager,Bob\nb0,2024-01-01,stage,lead\nb0,2024-01-03,stage,lost\n"
                        "b1,2024-01-10,manager,Bob\nb1,2024-01-10,stage,lead\n"
                        "b2,2024-01-10,manager,Bob\nb2,2024-01-10,stage,lead\n",
                     "q.csv");
    // On 01-20: b1 and b2 in lead since 01-10 (10 days, not over 10) but unchanged over the 10 days
    // between the dates (>= the limit): stuck. a1 (demo for 18 days > 5) is stuck too and comes first,
    // but Bob has more open customers than Ann: no suggestion. Open: Ann 1, Bob 2. Lead conversion of
    // closed customers: Ann 1/1, Bob 0/1 (b0 lost; b1, b2 open): b1 goes to Ann; that moves the load
    // (Ann 2, Bob 1), so b2 does not.
    auto r = dynamics(q, 0, day("2024-01-10"), day("2024-01-20"), opt);
    REQUIRE(r.rotation.size() == 1);
    CHECK(r.rotation[0].customer_id == "b1");
    CHECK_THAT(r.rotation[0].reason, Catch::Contains("since before 2024-01-10 (10 days between the dates, limit 10)"));
}

TEST_CASE("plan against actual: indicators, attribution, deviations and flags", "[analytics][plan]") {
    auto p = make_portfolio();
    auto plan = plan_from_json(R"({"from": "2024-01-10", "to": "2024-01-20", "threshold": 0.1,
      "managers": {"Ann": {"contacts": 1, "products_sold": 2, "new_customers": 1},
                   "Bob": {"active_customers": 2, "prospects_contacted": 0},
                   "Zed": {"contacts": 4}}})");
    auto r = plan_actual(p, 0, plan);
    // In 01-10..01-20: c1 contact 14 (Ann), won 15 (Ann), purchase 15 (Ann); c4 contact 13 with
    // manager column Cy while in lead (initial: a prospect), c4 demo 20; c5 contact 11 (Bob) in lead.
    // Active (touched, not lost on 01-20, by manager on 01-20): Ann c1; Bob c4 c5.
    REQUIRE(r.managers.size() == 4);
    const auto &ann = r.managers[0], &bob = r.managers[1], &cy = r.managers[2], &zed = r.managers[3];
    CHECK(ann.manager == "Ann");
    CHECK(bob.manager == "Bob");
    CHECK(cy.manager == "Cy");
    CHECK_FALSE(cy.planned);
    CHECK(zed.manager == "Zed");
    enum { active, fresh, prospects, products, contacts };
    CHECK(ann.indicators[active].actual == 1);
    CHECK(ann.indicators[fresh].actual == 1);
    CHECK(*ann.indicators[fresh].deviation == 0.0);
    CHECK_FALSE(ann.indicators[fresh].flagged);
    CHECK(ann.indicators[products].actual == 1);                // the 01-25 purchase is after the period
    CHECK(*ann.indicators[products].deviation == -0.5);
    CHECK(ann.indicators[products].flagged);
    CHECK(ann.indicators[contacts].actual == 1);
    CHECK_FALSE(ann.indicators[contacts].flagged);
    CHECK(bob.indicators[active].actual == 2);
    CHECK(*bob.indicators[active].deviation == 0.0);
    CHECK(bob.indicators[prospects].actual == 1);               // c5
    CHECK_FALSE(bob.indicators[prospects].deviation.has_value()); // a plan of 0 exceeded
    CHECK(bob.indicators[prospects].flagged);
    CHECK(bob.indicators[contacts].actual == 1);
    CHECK_FALSE(bob.indicators[contacts].plan.has_value());
    CHECK(cy.indicators[contacts].actual == 1);
    CHECK(cy.indicators[prospects].actual == 1);
    CHECK(cy.indicators[active].actual == 0);                   // c4 stays Bob's customer
    CHECK(zed.indicators[contacts].actual == 0);
    CHECK(*zed.indicators[contacts].deviation == -1.0);
    CHECK(zed.indicators[contacts].flagged);
    auto j = plan_actual_to_json(r);
    CHECK(j["managers"][0]["indicators"]["products_sold"] ==
          nlohmann::ordered_json({{"plan", 2}, {"actual", 1}, {"deviation", -0.5}, {"flagged", true}}));
    CHECK(j["managers"][1]["indicators"]["prospects_contacted"]["deviation"].is_null());
    CHECK_THAT(plan_actual_to_text(r), Catch::Contains("3 indicator(s) flagged"));
}

TEST_CASE("plan files: every problem with its line and column", "[analytics][plan]") {
    try {
        plan_from_json("{\"from\": \"2024-01-10\",\n \"to\": \"2024-13-01\",\n \"managers\": {\"A\": {\"contacts\": -1, \"calls\": 2}},\n \"x\": 1}",
                       "plan.json");
        FAIL("expected input_error");
    } catch (const input_error &e) {
        CHECK(e.code() == CLM_E_VALIDATION);
        REQUIRE(e.problems().size() == 4);
        CHECK(e.problems()[0].to_string() == "plan.json:2:8: error: \"to\" must be a date, YYYY-MM-DD, got \"2024-13-01\"");
        CHECK(e.problems()[1].line == 3);
        CHECK_THAT(e.problems()[1].message, Catch::Contains("\"contacts\" must be a whole number >= 0"));
        CHECK_THAT(e.problems()[2].message, Catch::Contains("unknown indicator \"calls\""));
        CHECK(e.problems()[3].line == 4);
        CHECK_THAT(e.problems()[3].message, Catch::Contains("unknown key \"x\""));
    }
    try {
        plan_from_json("{\"from\": \"2024-01-10\",\n \"to\": 2024-01-20}", "plan.json");
        FAIL("expected input_error");
    } catch (const input_error &e) {
        CHECK(e.code() == CLM_E_PARSE);
        CHECK(e.problems()[0].line == 2);
    }
    CHECK_THROWS_WITH(plan_from_json(R"({"from":"2024-02-01","to":"2024-01-01","managers":{}})"),
                      Catch::Contains("\"to\" (2024-01-01) is before \"from\" (2024-02-01)"));
    CHECK_THROWS_WITH(plan_from_json(R"({"from":"2024-01-01","to":"2024-01-31"})"), Catch::Contains("missing \"managers\""));
    CHECK_THROWS_WITH(plan_from_json(R"({"from":"2024-01-01","to":"2024-01-31","threshold":-1,"managers":{}})"),
                      Catch::Contains("\"threshold\" must be a number >= 0"));
    auto ok = plan_from_json(R"({"from":"2024-01-01","to":"2024-01-31","managers":{"A":{}}})");
    CHECK(ok.threshold == 0.1);
    CHECK(ok.managers.count("A") == 1);
}

TEST_CASE("plan files ignore $comment, $schema and x- keys, like policy files", "[analytics][plan]") {
    auto plan = plan_from_json(R"({"$comment": "Q1 targets, agreed on 2024-01-05", "$schema": "https://example.com/plan.json",
        "x-owner": "sales ops", "from": "2024-01-01", "to": "2024-03-31", "managers": {"A": {"contacts": 30}}})");
    CHECK(plan.managers.size() == 1);
    CHECK(plan.managers["A"].target[4] == 30);
    // Any other key is still an error, and so is a comment key where the indicators go.
    CHECK_THROWS_WITH(plan_from_json(R"({"comment": "x", "from": "2024-01-01", "to": "2024-03-31", "managers": {}})"),
                      Catch::Contains("unknown key \"comment\""));
    CHECK_THROWS_WITH(plan_from_json(R"({"from": "2024-01-01", "to": "2024-03-31", "managers": {"A": {"$comment": "x"}}})"),
                      Catch::Contains("unknown indicator \"$comment\""));
}

TEST_CASE("customer value: Pareto, repeat purchases, revenue by class and stage", "[analytics][value]") {
    auto p = make_portfolio();
    auto r = customer_value(p, day("2024-01-31"));
    // Revenue: c1 100 + 50 = 150, c4 30; total 180. Buyers c1 c4; repeat c1.
    CHECK(r.customers == 7);
    CHECK(r.revenue == 180);
    CHECK(r.buyers == 2);
    CHECK(r.repeat_buyers == 1);
    CHECK(*r.repeat_share == 0.5);
    // 80% of 180 = 144: c1 alone (150) reaches it.
    CHECK(r.pareto.customers == 1);
    CHECK(r.pareto.revenue == 150);
    CHECK(*r.pareto.share_of_buyers == 0.5);
    CHECK(*r.pareto.share_of_all == Approx(1.0 / 7));
    CHECK(*r.pareto.revenue_share == Approx(150.0 / 180));
    // Classes: (none) c2 c4 c5 c6 c7 with 30; A c1 150; B c3 0.
    REQUIRE(r.by_class.size() == 3);
    CHECK(r.by_class[0].key == "(none)");
    CHECK(r.by_class[0].customers == 5);
    CHECK(r.by_class[0].revenue == 30);
    CHECK(r.by_class[1].key == "A");
    CHECK(r.by_class[1].revenue == 150);
    CHECK(r.by_class[2].key == "B");
    CHECK(r.by_class[2].revenue == 0);
    // Stages: lead c5 0; demo c4 30; won c1 150; lost c2 c3 c7 0; pause c6 0; (none) nobody.
    REQUIRE(r.by_stage.size() == 1);
    const auto &st = r.by_stage[0].stages;
    REQUIRE(st.size() == 6);
    CHECK(st[1].key == "demo");
    CHECK(st[1].revenue == 30);
    CHECK(st[2].revenue == 150);
    CHECK(st[3].customers == 3);
    CHECK(st[5].key == "(none)");
    CHECK(st[5].customers == 0);
    // As of 01-20 only c1's first purchase had happened.
    auto early = customer_value(p, day("2024-01-20"));
    CHECK(early.revenue == 100);
    CHECK(early.buyers == 1);
    CHECK(early.repeat_buyers == 0);
    CHECK(early.pareto.customers == 1);
    auto j = customer_value_to_json(r);
    CHECK(j["pareto"]["customers"] == 1);
    CHECK(j["repeat"]["share"] == 0.5);
    CHECK(j["by_stage"][0]["stages"][2] == nlohmann::ordered_json({{"stage", "won"}, {"customers", 1}, {"revenue", 150}}));
}

TEST_CASE("matrix inversion by Gauss-Jordan elimination", "[analytics][forecast]") {
    // [[4, 7], [2, 6]]^-1 = [[0.6, -0.7], [-0.2, 0.4]]; the zero pivot needs a row swap.
    auto inv = invert_matrix({4, 7, 2, 6}, 2);
    CHECK(inv[0] == Approx(0.6));
    CHECK(inv[1] == Approx(-0.7));
    CHECK(inv[2] == Approx(-0.2));
    CHECK(inv[3] == Approx(0.4));
    auto swapped = invert_matrix({0, 1, 1, 0}, 2);
    CHECK(swapped == std::vector<double>{0, 1, 1, 0});
    CHECK_THROWS_AS(invert_matrix({1, 2, 2, 4}, 2), error);
}

TEST_CASE("forecast: transition estimates, absorption into won, expected days, pipeline value", "[analytics][forecast]") {
    auto p = make_portfolio();
    auto r = forecast(p, 0, day("2024-01-31"));
    // Completed lead stays: to demo 4 (c1 4d, c3 3d, c4 6d and 8d), to lost 1 (c2 2d): 0.8 / 0.2.
    const auto &lead = stage_line(r, "lead");
    CHECK(lead.source == forecast_source::observed);
    CHECK(lead.completed == 5);
    CHECK(lead.censored == 1); // c5
    REQUIRE(lead.next.size() == 2);
    CHECK(lead.next[0] == std::pair<std::string, double>{"demo", 0.8});
    CHECK(lead.next[1].second == Approx(0.2));
    // Completed demo stays: won (c1 10d), lost (c3 2d), lead (c4 2d), pause (c6 4d): 1/4 each.
    const auto &demo = stage_line(r, "demo");
    CHECK(demo.next.size() == 4);
    // pause was never left: the model's probability 0.3, its limit 30 days as the duration.
    const auto &pause = stage_line(r, "pause");
    CHECK(pause.source == forecast_source::model_probability);
    CHECK(pause.p_win == Approx(0.3));
    CHECK(*pause.expected_days_to_win == Approx(30));
    // w_demo = 0.25 + 0.25 w_lead + 0.25 * 0.3, w_lead = 0.8 w_demo -> w_demo = 0.325 / 0.8 = 0.40625.
    CHECK(demo.p_win == Approx(0.40625));
    CHECK(lead.p_win == Approx(0.325));
    // u = E[days x 1{win}]: u_demo = 0.25*10*1 + 0.25*2*w_lead + 0.25*4*w_pause + 0.25 u_lead + 0.25 u_pause,
    // u_lead = 0.8*5.25*w_demo + 0.8 u_demo, u_pause = 0.3*30 = 9 -> u_demo = 7.048828125,
    // u_lead = 7.3453125; days = u / w.
    CHECK(*demo.expected_days_to_win == Approx(7.048828125 / 0.40625));
    CHECK(*lead.expected_days_to_win == Approx(7.3453125 / 0.325));
    CHECK(*lead.expected_days_to_win == Approx(*demo.expected_days_to_win + 5.25)); // lead must pass demo
    CHECK(stage_line(r, "won").p_win == 1.0);
    CHECK(*stage_line(r, "won").expected_days_to_win == 0.0);
    CHECK(stage_line(r, "lost").p_win == 0.0);
    CHECK_FALSE(stage_line(r, "lost").expected_days_to_win.has_value());
    // Open deals: c4 demo (product X: mean of 100 and 30 = 65), c5 lead (amount 200),
    // c6 pause (product Z never bought: overall mean (100 + 50 + 30) / 3 = 60).
    CHECK(r.open_customers == 3);
    CHECK(*r.overall_mean_amount == 60);
    CHECK(r.basis.amount_attribute == 1);
    CHECK(r.basis.product_mean == 1);
    CHECK(r.basis.overall_mean == 1);
    CHECK(demo.expected_revenue == Approx(0.40625 * 65));
    CHECK(lead.expected_revenue == Approx(0.325 * 200));
    CHECK(pause.expected_revenue == Approx(0.3 * 60));
    CHECK(r.expected_revenue == Approx(26.40625 + 65 + 18));
    CHECK(r.expected_wins == Approx(0.40625 + 0.325 + 0.3));
    auto j = forecast_to_json(r);
    CHECK(j["stages"][0]["next"]["demo"] == 0.8);
    CHECK(j["stages"][4]["source"] == "model_probability");
    CHECK(j["pipeline"]["value_basis"]["product_mean"] == 1);
}

TEST_CASE("forecast: stages with no exit and no probability never win", "[analytics][forecast]") {
    // a <-> b observed looping, never absorbed; c never left and has no probability.
    portfolio p;
    p.add_model(model_from_json(R"({"id":"loop","version":1,"initial":"a",
      "stages":[{"id":"a","name":"A","kind":"open","task":"t"},{"id":"b","name":"B","kind":"open","task":"t"},
                {"id":"c","name":"C","kind":"open","task":"t"},{"id":"w","name":"W","kind":"won","task":"t"}],
      "transitions":[{"from":"a","to":"b","event":"go"},{"from":"b","to":"a","event":"back"},
                     {"from":"a","to":"c","event":"side"},{"from":"c","to":"w","event":"win"}]})"));
    import_event_log(p, "customer_id,timestamp,type,value\nx,2024-01-01,stage,a\nx,2024-01-02,stage,b\nx,2024-01-03,stage,a\n"
                        "y,2024-01-01,stage,c\n",
                     "loop.csv");
    auto r = forecast(p, 0, day("2024-01-31"));
    CHECK(stage_line(r, "a").source == forecast_source::unobserved);
    CHECK(stage_line(r, "b").source == forecast_source::unobserved);
    CHECK(stage_line(r, "c").source == forecast_source::unobserved);
    CHECK(stage_line(r, "a").p_win == 0.0);
    CHECK(r.expected_revenue == 0.0);
    CHECK(r.basis.none == 2); // no purchase anywhere
}
