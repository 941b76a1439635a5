// The policy engine: every seed rule fires when its facts hold and stays
// silent when they do not; ranking, explanations, validation with positions,
// portfolio-wide evaluation and the weekly plan.
#include <catch2/catch.hpp>

#include <clm/event_log.hpp>
#include <clm/presets.hpp>
#include <clm/recommend_json.hpp>

using namespace clm;

namespace {

const char *header = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n";

// The seeds policy with no per-customer limit, so that every firing rule shows.
std::shared_ptr<const policy> seeds_unlimited() {
    auto p = std::make_shared<policy>(*load_policy("seeds"));
    p->per_customer_limit = 1000;
    return p;
}

portfolio make_portfolio(const std::string &rows) {
    portfolio p;
    p.add_model(load_preset("sales6"));
    p.add_model(load_preset("maturity6"));
    import_event_log(p, std::string(header) + rows, "scenario.csv");
    return p;
}

std::vector<std::string> fired(const std::string &rows, const char *as_of) {
    portfolio p = make_portfolio(rows);
    compiled_policy cp(seeds_unlimited(), p);
    customer_facts f;
    collect_facts(p, p.customer_index("c"), day_of(*parse_timestamp(as_of)), f);
    std::vector<recommendation> recs;
    cp.evaluate(f, recs);
    std::vector<std::string> ids;
    for (const auto &r : recs) ids.push_back(cp.source().rules[r.rule].id);
    return ids;
}

bool fires(const std::string &rule, const std::string &rows, const char *as_of = "2024-06-10") {
    auto ids = fired(rows, as_of);
    return std::find(ids.begin(), ids.end(), rule) != ids.end();
}

struct scenario {
    const char *rule;
    std::string fire;       // events under which the rule fires
    std::string silent;     // events under which it does not
    const char *as_of;
};

const std::string in_presentation = "c,2024-06-09,stage,presentation,sales6,,,,,,\n";

} // namespace

TEST_CASE("every seed rule fires on its facts and not otherwise", "[policy][seeds]") {
    const std::vector<scenario> scenarios = {
        {"control-point-overdue", in_presentation + "c,2024-06-09,document,proposal,,,,,,2024-06-05,\n",
         in_presentation + "c,2024-06-09,document,proposal,,,,,,2024-06-20,\n", "2024-06-10"},
        {"control-point-due-soon", in_presentation + "c,2024-06-09,document,invoice,,,,,,2024-06-11,\n",
         in_presentation + "c,2024-06-09,document,invoice,,,,,,2024-06-20,\n", "2024-06-10"},
        {"next-step-overdue", in_presentation + "c,2024-06-09,next_step,call back,,,,,,2024-06-05,\n",
         in_presentation + "c,2024-06-09,next_step,call back,,,,,,2024-06-20,\n", "2024-06-10"},
        {"next-step-missing", in_presentation, in_presentation + "c,2024-06-09,next_step,present,,,,,,2024-06-20,\n", "2024-06-10"},
        {"stuck-in-stage", "c,2024-01-02,stage,presentation,sales6,,,,,,\n", in_presentation, "2024-06-10"},
        {"stage-task", in_presentation, "c,2024-06-09,stage,won,sales6,,,,,,\n", "2024-06-10"},
        {"retry-refused-presentation", "c,2024-04-01,stage,presentation_refused,sales6,,,,,,\n",
         "c,2024-06-09,stage,presentation_refused,sales6,,,,,,\n", "2024-06-10"},
        {"meeting-protocol", in_presentation + "c,2024-06-10,contact,met,,meeting,,,,,\n",
         in_presentation + "c,2024-06-01,contact,met,,meeting,,,,,\n", "2024-06-10"},
        {"class-a-push", in_presentation + "c,2024-06-09,class,A,,,,,,,\nc,2024-06-09,contact,ok,,call,,,,,\n",
         in_presentation + "c,2024-06-09,class,B,,,,,,,\n", "2024-06-20"},
        {"class-b-online", "c,2024-06-01,class,B,,,,,,,\nc,2024-06-01,contact,ok,,call,,,,,\n",
         "c,2024-06-01,class,B,,,,,,,\nc,2024-06-08,contact,ok,,call,,,,,\n", "2024-06-10"},
        {"class-b-meeting", "c,2024-06-01,class,B,,,,,,,\nc,2024-06-09,contact,ok,,call,,,,,\n",
         "c,2024-06-01,class,B,,,,,,,\nc,2024-06-05,contact,ok,,meeting,,,,,\n", "2024-06-10"},
        {"class-c-online", "c,2024-05-01,class,C,,,,,,,\nc,2024-05-20,contact,ok,,email,,,,,\n",
         "c,2024-05-01,class,C,,,,,,,\nc,2024-06-05,contact,ok,,email,,,,,\n", "2024-06-10"},
        {"class-c-meeting", "c,2024-05-01,class,C,,,,,,,\nc,2024-06-09,contact,ok,,email,,,,,\n",
         "c,2024-05-01,class,C,,,,,,,\nc,2024-06-01,contact,ok,,meeting,,,,,\n", "2024-06-10"},
        {"service-d", "c,2024-05-01,class,D,,,,,,,\nc,2024-06-01,contact,ok,,call,,,,,\n",
         "c,2024-05-01,class,D,,,,,,,\nc,2024-06-08,contact,ok,,call,,,,,\n", "2024-06-10"},
        {"service-e", "c,2024-05-01,class,E,,,,,,,\nc,2024-05-20,contact,ok,,call,,,,,\n",
         "c,2024-05-01,class,E,,,,,,,\nc,2024-06-01,contact,ok,,call,,,,,\n", "2024-06-10"},
        {"service-f", "c,2024-04-01,class,F,,,,,,,\nc,2024-05-01,contact,ok,,call,,,,,\n",
         "c,2024-04-01,class,F,,,,,,,\nc,2024-05-20,contact,ok,,call,,,,,\n", "2024-06-10"},
        {"survey-unanswered", "c,2024-06-01,stage,won,sales6,,,,,,\n",
         "c,2024-06-01,stage,won,sales6,,,,,,\nc,2024-06-02,attribute,satisfaction_surveyed=yes,,,,,,,\n", "2024-06-10"},
        {"greet-birthday", "c,2024-01-01,attribute,birthday=1980-06-12,,,,,,,\n", "c,2024-01-01,attribute,birthday=1980-07-12,,,,,,,\n",
         "2024-06-10"},
        {"greet-anniversary", "c,2024-01-01,attribute,anniversary=2020-06-11,,,,,,,\n",
         "c,2024-01-01,attribute,anniversary=2020-08-01,,,,,,,\n", "2024-06-10"},
        {"greet-holiday", "c,2024-12-01,stage,presentation,sales6,,,,,,\n", "c,2024-12-01,stage,lost,sales6,,,,,,\n", "2024-12-23"},
        {"invite-event", "c,2024-03-01,stage,won,sales6,,,,,,\nc,2024-04-01,contact,ok,,call,,,,,\n",
         "c,2024-03-01,stage,won,sales6,,,,,,\nc,2024-06-05,contact,ok,,call,,,,,\n", "2024-06-10"},
        {"sleeping-customer", "c,2024-03-01,purchase,widget,,,,100,,,\n",
         "c,2024-03-01,purchase,widget,,,,100,,,\nc,2024-06-01,purchase,widget,,,,200,,,\n", "2024-06-10"},
        {"kpi-deviation", "c,2024-06-01,attribute,kpi.campaign.plan=100,,,,,,,\nc,2024-06-01,attribute,kpi.campaign.actual=85,,,,,,,\n",
         "c,2024-06-01,attribute,kpi.campaign.plan=100,,,,,,,\nc,2024-06-01,attribute,kpi.campaign.actual=95,,,,,,,\n", "2024-06-10"},
        {"upsell-after-results", "c,2024-06-01,document,results report,,,,,,,\nc,2024-06-05,document_done,results report,,,,,,,\n",
         "c,2024-04-01,document,results report,,,,,,,\nc,2024-05-01,document_done,results report,,,,,,,\n", "2024-06-10"},
        {"loyal-raise-check", "c,2024-05-01,stage,loyal,maturity6,,,,,,\nc,2024-05-20,contact,ok,,call,,,,,\n",
         "c,2024-05-01,stage,loyal,maturity6,,,,,,\nc,2024-06-05,contact,ok,,call,,,,,\n", "2024-06-10"},
    };
    auto pol = load_policy("seeds");
    std::set<std::string> covered;
    for (const auto &s : scenarios) {
        INFO("rule " << s.rule);
        CHECK(fires(s.rule, s.fire, s.as_of));
        CHECK_FALSE(fires(s.rule, s.silent, s.as_of));
        covered.insert(s.rule);
    }
    // Every rule of the preset has its pair of scenarios.
    for (const auto &r : pol->rules) {
        INFO("rule without scenarios: " << r.id);
        CHECK(covered.count(r.id) == 1);
    }
}

TEST_CASE("recommendations explain themselves and rank by score", "[policy]") {
    portfolio p = make_portfolio("c,2024-05-01,class,B,,,,,,,\nc,2024-05-01,stage,presentation,sales6,,,,,,\n"
                                 "c,2024-05-25,contact,ok,,call,Ann,,,,\n"
                                 "d,2024-05-01,class,C,,,,,,,\nd,2024-06-01,stage,proposal,sales6,,,,,,\n");
    compiled_policy cp(load_policy("seeds"), p);
    auto recs = recommend_all(cp, day_of(*parse_timestamp("2024-06-10")));
    REQUIRE_FALSE(recs.empty());
    for (std::size_t i = 1; i < recs.size(); ++i) CHECK(recs[i - 1].score >= recs[i].score);
    // At most per_customer_limit (3) per customer.
    std::map<std::uint32_t, int> per;
    for (const auto &r : recs) ++per[r.customer];
    for (const auto &[c, n] : per) CHECK(n <= 3);

    auto j = recommendations_to_json(cp, recs, day_of(*parse_timestamp("2024-06-10")));
    bool saw_cadence = false;
    for (const auto &r : j["recommendations"]) {
        CHECK_FALSE(r["reasons"].empty());
        if (r["rule"] == "class-b-online") {
            saw_cadence = true;
            CHECK(r["customer_id"] == "c");
            CHECK(r["reasons"][0] == "class B in B");
            CHECK(r["reasons"][1] == "days since last contact 16 >= 7");
            CHECK(r["action"]["channel"] == "messenger"); // no preferred channel: the fallback
            CHECK(r["action"]["due"] == "2024-06-11");
            CHECK_THAT(r["task"].get<std::string>(), Catch::Contains("present") || Catch::Contains("Present"));
        }
    }
    CHECK(saw_cadence);
}

TEST_CASE("the score is priority x class weight x urgency x value", "[policy][ranking]") {
    const char *text = R"({"id":"t","class_weights":{"A":3},"value":{"attribute":"deal_value","default":1,"use_probability":true},
      "rules":[{"id":"late","when":{"fact":"days_since_contact","op":">=","value":10},"action":{"kind":"contact","priority":2}}]})";
    portfolio p;
    p.add_model(load_preset("sales6"));
    import_event_log(p, std::string(header) +
                            "a,2024-06-01,stage,proposal,sales6,,,,,,\na,2024-06-01,class,A,,,,,,,\na,2024-06-01,attribute,deal_value=1000,,,,,,,\n"
                            "a,2024-06-01,contact,ok,,call,,,,,\n",
                     "x.csv");
    compiled_policy cp(policy_from_json(text), p);
    auto recs = recommend_all(cp, day_of(*parse_timestamp("2024-06-15")));
    REQUIRE(recs.size() == 1);
    double prob = *p.model_at(0).stage_at(p.model_at(0).stage_of("proposal")).probability;
    // 14 days since contact, threshold 10: 4 days overdue -> urgency 5.
    CHECK(recs[0].urgency == Approx(5));
    CHECK(recs[0].value == Approx(1000 * prob));
    CHECK(recs[0].score == Approx(2 * 3 * 5 * 1000 * prob));
}

TEST_CASE("a policy with errors gets every problem with line and column", "[policy][validation]") {
    std::string text = "{\n"
                       "  \"id\": \"bad\",\n"
                       "  \"colour\": 1,\n"
                       "  \"rules\": [\n"
                       "    {\"id\": \"r1\", \"when\": {\"fact\": \"mood\", \"op\": \">\", \"value\": 1}, \"action\": {\"kind\": \"contact\"}},\n"
                       "    {\"id\": \"r1\", \"when\": {\"fact\": \"days_in_stage\", \"op\": \"has\", \"value\": 1}, \"action\": {\"kind\": \"dance\"}},\n"
                       "    {\"id\": \"r3\", \"when\": {\"all\": []}, \"action\": {\"kind\": \"greet\", \"priority\": -1, \"channel\": \"fax\"}}\n"
                       "  ]\n"
                       "}\n";
    try {
        policy_from_json(text, "p.json");
        FAIL("expected errors");
    } catch (const input_error &e) {
        auto has = [&](const std::string &frag, int line) {
            for (const auto &d : e.problems())
                if (d.message.find(frag) != std::string::npos && d.line == line && d.file == "p.json" && d.column > 0) return true;
            return false;
        };
        CHECK(e.code() == CLM_E_VALIDATION);
        CHECK(has("unknown field 'colour'", 3));
        CHECK(has("unknown fact 'mood'", 5));
        CHECK(has("duplicate rule id 'r1'", 6));
        CHECK(has("does not take op 'has'", 6));
        CHECK(has("unknown action kind 'dance'", 6));
        CHECK(has("needs a non-empty array", 7));
        CHECK(has("'priority' must be a number > 0", 7));
        CHECK(has("unknown channel 'fax'", 7));
        CHECK(e.problems().size() == 8);
    }
    CHECK_THROWS_AS(policy_from_json("{\"id\": \"x\", \"rules\": [", "p.json"), input_error);
}

TEST_CASE("holidays: fixed dates and nth weekdays via Boost.Date_Time", "[policy][holidays]") {
    holiday labor{"Labor Day", 9, 0, 1, 1};   // first Monday of September
    holiday xmas{"Christmas", 12, 25, 0, 0};
    holiday last{"Last Friday of November", 11, 0, 5, 5};
    auto d = [](const char *s) { return day_of(*parse_timestamp(s)); };
    CHECK(labor.days_until(d("2024-08-30")) == 3);  // 2024-09-02
    CHECK(labor.days_until(d("2024-09-03")) == d("2025-09-01") - d("2024-09-03"));
    CHECK(xmas.days_until(d("2024-12-25")) == 0);
    CHECK(last.days_until(d("2024-11-01")) == d("2024-11-29") - d("2024-11-01"));
    CHECK(days_to_next_anniversary(*parse_timestamp("2000-02-29"), d("2023-02-27")) == 1); // Feb 28 in common years
}

TEST_CASE("portfolio-wide evaluation: parallel equals serial, progress and cancellation", "[policy][batch]") {
    std::string rows;
    for (int i = 0; i < 3000; ++i) {
        std::string id = "k" + std::to_string(i);
        rows += id + ",2024-05-01,stage," + (i % 3 ? "presentation" : "proposal") + ",sales6,,m" + std::to_string(i % 4) + ",,,,\n";
        rows += id + ",2024-05-01,manager,m" + std::to_string(i % 4) + ",,,,,,,\n";
        rows += id + ",2024-05-01,class," + std::string(1, char('A' + i % 3)) + ",,,,,,,\n";
        if (i % 5 == 0) rows += id + ",2024-06-01,contact,ok,,call,,,,,\n";
    }
    portfolio p = make_portfolio(rows);
    compiled_policy cp(load_policy("seeds"), p);
    auto day = day_of(*parse_timestamp("2024-06-10"));
    recommend_options one;
    one.threads = 1;
    recommend_options four;
    four.threads = 4;
    auto a = recommend_all(cp, day, one);
    auto b = recommend_all(cp, day, four);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].customer == b[i].customer);
        CHECK(a[i].rule == b[i].rule);
    }
    recommend_options only;
    only.manager = "m2";
    auto mine = recommend_all(cp, day, only);
    CHECK_FALSE(mine.empty());
    customer_facts f;
    for (const auto &r : mine) {
        collect_facts(p, r.customer, day, f);
        CHECK(p.text(f.manager) == "m2");
    }
    recommend_options lim;
    lim.limit = 10;
    CHECK(recommend_all(cp, day, lim).size() == 10);

    std::size_t last_done = 0, calls = 0;
    recommend_options prog;
    prog.progress = [&](std::size_t done, std::size_t total) {
        CHECK(total == 3000);
        CHECK(done >= last_done);
        last_done = done;
        ++calls;
        return true;
    };
    recommend_all(cp, day, prog);
    CHECK(calls >= 1);
    CHECK(last_done == 3000);
    recommend_options cancel;
    cancel.progress = [](std::size_t, std::size_t) { return false; };
    CHECK_THROWS_AS(recommend_all(cp, day, cancel), cancelled);
}

TEST_CASE("the weekly plan respects capacity and class time shares", "[policy][plan]") {
    std::string rows;
    for (int i = 0; i < 60; ++i) {
        std::string id = "s" + std::to_string(i);
        char cls = "DEF"[i % 3];
        rows += id + ",2024-05-01,manager,Ann,,,,,,,\n" + id + ",2024-05-01,class," + cls + ",,,,,,,\n" + id +
                ",2024-05-01,stage,proposal,sales6,,,,,,\n";
    }
    portfolio p = make_portfolio(rows);
    auto pol = std::make_shared<policy>(*load_policy("seeds"));
    compiled_policy cp(pol, p);
    auto day = day_of(*parse_timestamp("2024-06-12")); // a Wednesday
    recommend_options opt;
    opt.manager = "Ann";
    auto recs = recommend_all(cp, day, opt);
    auto w = plan_week(cp, recs, day, 5); // 5 hours: 300 minutes
    CHECK(format_date(w.week_start * seconds_per_day) == "2024-06-10");
    CHECK(w.capacity_minutes == 300);
    CHECK(w.planned_minutes <= 300);
    CHECK(w.planned.size() + w.not_fitted.size() == recs.size());
    CHECK(w.class_minutes["D"].second <= 0.7 * 300 + 1e-9);
    CHECK(w.class_minutes["E"].second <= 0.2 * 300 + 1e-9);
    CHECK(w.class_minutes["F"].second <= 0.1 * 300 + 1e-9);
    CHECK(w.class_minutes["D"].second > w.class_minutes["E"].second);
    REQUIRE_FALSE(w.not_fitted.empty());
    CHECK_THAT(w.not_fitted[0].second, Catch::Contains("share"));
    for (const auto &a : w.planned) {
        CHECK(a.day >= w.week_start);
        CHECK(a.day <= w.week_start + 4);
    }
}
