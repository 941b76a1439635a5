// Advice a manager acts on: accounts and deals, one merged valued action per
// customer, the seeds read right (sleeping, control points, calendars, the
// week), advice that does not depend on the order of the models. Expected
// figures are computed here independently of the engine (sorted stays for
// the 90th percentile, calendars by hand).
#include <catch2/catch.hpp>

#include <clm/account.hpp>
#include <clm/event_log.hpp>
#include <clm/presets.hpp>
#include <clm/recommend_json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace clm;
using namespace std::string_literals;

namespace {

const char *header = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note,account\n";

std::int64_t day(const char *d) { return day_of(*parse_timestamp(d)); }

portfolio deals(const std::string &rows, std::initializer_list<const char *> models = {"sales6"}) {
    portfolio p;
    for (const char *m : models) p.add_model(load_preset(m));
    import_event_log(p, std::string(header) + rows, "deals.csv");
    return p;
}

std::shared_ptr<const policy> seeds_with(int per_customer) {
    auto p = std::make_shared<policy>(*load_policy("seeds"));
    p->per_customer_limit = per_customer;
    return p;
}

// Every recommendation of the seeds pack as of `as_of`, as JSON.
nlohmann::ordered_json advice(const portfolio &p, const char *as_of, int per_customer = 1) {
    compiled_policy cp(seeds_with(per_customer), p);
    auto recs = recommend_all(cp, day(as_of));
    return recommendations_to_json(cp, recs, day(as_of));
}

std::vector<std::string> rules_for(const nlohmann::ordered_json &j, const std::string &customer) {
    std::vector<std::string> out;
    for (const auto &r : j["recommendations"])
        if (r["customer_id"] == customer) {
            out.push_back(r["rule"]);
            for (const auto &m : r["merged_rules"]) out.push_back(m);
            for (const auto &a : r["alternatives"]) out.push_back(a["rule"]);
        }
    return out;
}

bool has(const std::vector<std::string> &v, const std::string &x) { return std::find(v.begin(), v.end(), x) != v.end(); }

} // namespace

TEST_CASE("the account column journals an account change once, as an attribute", "[advice][account]") {
    portfolio p = deals("d1,2024-01-10,stage,presentation,sales6,,,,,,,Acme\n"
                        "d1,2024-01-11,contact,ok,,call,,,,,,Acme\n"
                        "d1,2024-02-01,contact,ok,,call,,,,,,Globex\n"
                        "d2,2024-01-10,stage,presentation,sales6,,,,,,,\n");
    const std::uint32_t d1 = std::uint32_t(p.customer_index("d1"));
    REQUIRE(p.text(p.current_account(d1)) == "Globex");
    CHECK(p.current_account(std::uint32_t(p.customer_index("d2"))) == 0);
    CHECK(p.text(account_of(p, d1, *parse_timestamp("2024-01-31"))) == "Acme");
    // Two account changes: two attribute rows in the export (and none for the repeated Acme).
    std::string csv = export_event_log(p);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 4 + 2);
    CHECK(csv.find("d1,2024-01-10,attribute,account=Acme") != std::string::npos);
    CHECK(csv.find("d1,2024-02-01,attribute,account=Globex") != std::string::npos);
    // The export imports back to the same accounts.
    portfolio q;
    q.add_model(load_preset("sales6"));
    import_event_log(q, csv, "export.csv");
    CHECK(q.text(q.current_account(std::uint32_t(q.customer_index("d1")))) == "Globex");
    // A failed row changes nothing, its account neither.
    CHECK_THROWS(import_event_log(p, std::string(header) + "d2,2024-03-01,stage,nosuchstage,sales6,,,,,,,Initech\n", "bad.csv"));
    CHECK(p.current_account(std::uint32_t(p.customer_index("d2"))) == 0);
}

TEST_CASE("a stage row's amount values the deal; the newest of it and deal_value counts", "[advice][value]") {
    portfolio p = deals("d1,2024-05-01,stage,presentation,sales6,,,2500,,,,\n"
                        "d2,2024-05-01,attribute,deal_value=900,,,,,,,,\n"
                        "d2,2024-05-02,stage,presentation,sales6,,,4000,,,,\n"
                        "d3,2024-05-01,stage,presentation,sales6,,,4000,,,,\n"
                        "d3,2024-05-03,attribute,deal_value=700,,,,,,,,\n"
                        "d4,2024-05-01,stage,presentation,sales6,,,,,,,\n");
    auto j = advice(p, "2024-06-10");
    std::map<std::string, double> value;
    for (const auto &r : j["recommendations"]) value[r["customer_id"]] = r["value"];
    CHECK(value["d1"] == 2500);
    CHECK(value["d2"] == 4000); // the stage row is newer than the attribute
    CHECK(value["d3"] == 700);  // the attribute is newer than the stage row
    CHECK(value["d4"] == 1);    // the policy's default
    for (const auto &r : j["recommendations"]) {
        // The score is the product of its factors.
        const auto &k = r["score_factors"];
        const double pw = k["p_won"].is_null() ? 1.0 : k["p_won"].get<double>();
        CHECK(r["score"].get<double>() == Approx(k["priority"].get<double>() * k["class_weight"].get<double>() * k["urgency"].get<double>() *
                                                 k["value"].get<double>() * pw));
    }
}

TEST_CASE("one merged action per customer, the rest as alternatives", "[advice][merge]") {
    // In presentation with no next step: stage-task and next-step-missing say the same
    // (a contact): one action naming both reasons. An overdue proposal is another action.
    portfolio p = deals("c,2024-06-09,stage,presentation,sales6,,,,,,,\n"
                        "c,2024-06-09,document,proposal,,,,,,2024-06-05,,\n");
    auto j = advice(p, "2024-06-10");
    REQUIRE(j["count"] == 1);
    const auto &r = j["recommendations"][0];
    CHECK(r["rule"] == "control-point-overdue");
    REQUIRE(r["alternatives"].size() == 1);
    const auto &alt = r["alternatives"][0];
    CHECK(alt["rule"] == "next-step-missing");
    CHECK(alt["action"]["kind"] == "contact");
    std::set<std::string> reasons(alt["reasons"].begin(), alt["reasons"].end());
    CHECK(reasons.count("no next step planned") == 1);
    // Two per customer: both actions, the contact naming the stage task's rule as merged.
    auto j2 = advice(p, "2024-06-10", 2);
    REQUIRE(j2["count"] == 2);
    CHECK(j2["recommendations"][1]["rule"] == "next-step-missing");
    CHECK(j2["recommendations"][1]["merged_rules"] == nlohmann::ordered_json::array({"stage-task"}));
}

TEST_CASE("an account rule is heard once per account, carried by its best-scoring deal", "[advice][account]") {
    // Two open deals of Acme, both with a birthday in two days (the contact person's):
    // one greeting for Acme, on the deal whose firing scores higher (the bigger deal).
    const std::string rows = "a1,2024-06-01,stage,presentation,sales6,,,1000,,,,Acme\n"
                             "a1,2024-06-01,attribute,birthday=1980-06-12,,,,,,,,Acme\n"
                             "a2,2024-06-01,stage,presentation,sales6,,,9000,,,,Acme\n"
                             "a2,2024-06-01,attribute,birthday=1980-06-12,,,,,,,,Acme\n"
                             "b1,2024-06-01,stage,presentation,sales6,,,500,,,,\n"
                             "b1,2024-06-01,attribute,birthday=1980-06-12,,,,,,,,\n";
    portfolio p = deals(rows);
    auto j = advice(p, "2024-06-10", 10);
    std::map<std::string, int> greetings; // account (or customer) -> greetings
    for (const auto &r : j["recommendations"])
        if (r["action"]["kind"] == "greet") {
            ++greetings[r["account"].is_null() ? r["customer_id"].get<std::string>() : r["account"].get<std::string>()];
            CHECK(r["scope"] == "account");
            CHECK(r["action"]["due"] == "2024-06-12"); // on the birthday
        }
    CHECK(greetings["Acme"] == 1);
    CHECK(greetings["b1"] == 1);
    CHECK(has(rules_for(j, "a2"), "greet-birthday"));
    CHECK(!has(rules_for(j, "a1"), "greet-birthday"));
}

TEST_CASE("holiday calendars are chosen per account by region", "[advice][calendar]") {
    auto greeting = [](const std::string &region, const char *as_of) {
        portfolio p = deals("c,2024-01-01,stage,presentation,sales6,,,,,,,Co\n" +
                            (region.empty() ? std::string() : "c,2024-01-01,attribute,region=" + region + ",,,,,,,,Co\n"));
        auto j = advice(p, as_of, 10);
        for (const auto &r : j["recommendations"])
            if (r["rule"] == "greet-holiday") return r["reasons"][0].get<std::string>();
        return std::string();
    };
    // 23 February is Russian only; the Spring Festival of 2024 fell on 10 February.
    CHECK(greeting("Russia", "2024-02-21").find("23 February") == std::string::npos); // the name is the holiday's own
    CHECK(greeting("Russia", "2024-02-21").find("День защитника Отечества") != std::string::npos);
    CHECK(greeting("United States", "2024-02-21").empty());
    CHECK(greeting("China", "2024-02-08").find("春节") != std::string::npos);
    CHECK(greeting("China", "2024-02-08").find("in 2 days") != std::string::npos);
    CHECK(greeting("Russia", "2024-02-08").empty());
    // Thanksgiving 2024: the fourth Thursday of November, the 28th.
    CHECK(greeting("US", "2024-11-26").find("Thanksgiving' in 2 days") != std::string::npos);
    // 7 January is Orthodox Christmas in the Russian calendar only.
    CHECK(greeting("RU", "2024-01-05").find("Рождество") != std::string::npos);
    CHECK(greeting("", "2024-01-05").empty());
    // No greeting once lost.
    portfolio lost = deals("c,2024-01-01,stage,presentation,sales6,,,,,,,Co\nc,2024-01-01,attribute,region=US,,,,,,,,Co\n"
                           "c,2024-01-02,stage,lost,sales6,,,,price,,,Co\n");
    CHECK(!has(rules_for(advice(lost, "2024-11-26", 10), "c"), "greet-holiday"));
}

TEST_CASE("advice does not depend on the order of the models", "[advice][models]") {
    const std::string rows = "c,2024-01-02,stage,presentation,sales6,,,,,,,\n"
                             "c,2024-05-01,stage,competitors,maturity6,,,,,,,\n"
                             "c,2024-05-01,class,B,,,,,,,,\n"
                             "d,2024-06-01,stage,sleeping,maturity6,,,,,,,\n"
                             "d,2024-06-01,stage,presentation_refused,sales6,,,,,2024-06-05,,\n";
    portfolio a = deals(rows, {"sales6", "maturity6"});
    portfolio b = deals(rows, {"maturity6", "sales6"});
    CHECK(advice(a, "2024-06-10", 10).dump() == advice(b, "2024-06-10", 10).dump());
}

TEST_CASE("a sleeping customer is a repeat buyer whose work became irregular or whose check stopped growing", "[advice][sleeping]") {
    auto sleeping = [](const std::string &purchases) {
        portfolio p = deals("c,2023-01-01,stage,won,sales6,,,,,,,Co\n" + purchases);
        return has(rules_for(advice(p, "2024-06-10", 10), "c"), "sleeping-customer");
    };
    // A one-off buyer, however long ago: never sleeping.
    CHECK(!sleeping("c,2023-01-05,purchase,kit,,,,5000,,,,Co\n"));
    // Every 30 days with a growing check, the last 10 days ago: awake.
    CHECK(!sleeping("c,2024-04-01,purchase,kit,,,,100,,,,Co\nc,2024-05-01,purchase,kit,,,,150,,,,Co\nc,2024-05-31,purchase,kit,,,,200,,,,Co\n"));
    // The same, but the last purchase 60 days ago: 60 / 30 = 2 >= 1.5, irregular.
    CHECK(sleeping("c,2024-02-11,purchase,kit,,,,100,,,,Co\nc,2024-03-12,purchase,kit,,,,150,,,,Co\nc,2024-04-11,purchase,kit,,,,200,,,,Co\n"));
    // Regular, but the check fell (newer half 100 against older half 200): no growth.
    CHECK(sleeping("c,2024-04-01,purchase,kit,,,,200,,,,Co\nc,2024-05-01,purchase,kit,,,,150,,,,Co\nc,2024-05-31,purchase,kit,,,,100,,,,Co\n"));
}

TEST_CASE("control points as seed 001 runs them", "[advice][control]") {
    auto rules = [](const std::string &rows, const char *as_of) { return rules_for(advice(deals(rows), as_of, 10), "c"); };
    const std::string met = "c,2024-06-09,stage,presentation,sales6,,,,,,,\nc,2024-06-10,contact,met,,meeting,,,,,,\n";
    CHECK(has(rules(met, "2024-06-10"), "meeting-protocol"));
    // Sent after the meeting: silent; a later meeting asks again.
    CHECK(!has(rules(met + "c,2024-06-10,check,meeting protocol sent,,,,,,,,\n", "2024-06-10"), "meeting-protocol"));
    CHECK(has(rules(met + "c,2024-06-10,check,meeting protocol sent,,,,,,,,\nc,2024-06-14,contact,met again,,meeting,,,,,,\n", "2024-06-14"),
              "meeting-protocol"));
    // The retry date is the one recorded with the refusal.
    const std::string refused = "c,2024-06-01,stage,presentation,sales6,,,,,,,\nc,2024-06-03,stage,presentation_refused,sales6,,,,,2024-07-15,,\n";
    CHECK(!has(rules(refused, "2024-07-14"), "retry-refused-presentation"));
    CHECK(has(rules(refused, "2024-07-15"), "retry-refused-presentation"));
    CHECK(!has(rules("c,2024-01-01,stage,presentation,sales6,,,,,,,\nc,2024-01-03,stage,presentation_refused,sales6,,,,,,,\n", "2024-07-15"),
               "retry-refused-presentation"));
}

TEST_CASE("a deal past the stage's 90th percentile of completed stays is re-qualified, not unstuck", "[advice][requalify]") {
    // 40 deals left presentation after 1..40 days (to proposal or lost); the nearest-rank
    // 90th percentile of 1..40 is the 36th value: 36 days.
    std::string rows;
    std::vector<int> lengths;
    for (int i = 1; i <= 40; ++i) {
        char buf[200];
        const std::int64_t left = day("2023-01-01") + i;
        const std::string to = i % 2 ? "proposal" : "lost";
        std::snprintf(buf, sizeof buf, "h%d,2023-01-01,stage,presentation,sales6,,,,,,,\nh%d,%s,stage,%s,sales6,,,,%s,,,\n", i, i,
                      format_date(left * seconds_per_day).c_str(), to.c_str(), to == "lost" ? "price" : "");
        rows += buf;
        lengths.push_back(i);
    }
    // (Entering proposal needs the meeting protocol: sales6 requires it.)
    std::string with_requirements;
    for (int i = 1; i <= 40; i += 2) with_requirements += "h" + std::to_string(i) + ",2023-01-01,check,meeting protocol sent,,,,,,,,\n";
    std::sort(lengths.begin(), lengths.end());
    const int p90 = lengths[std::size_t(std::ceil(0.9 * double(lengths.size()))) - 1];
    REQUIRE(p90 == 36);
    rows = with_requirements + rows;
    // Two open deals: 20 days (past the time limit of 14, under the p90) and 50 days.
    rows += "young,2024-05-21,stage,presentation,sales6,,,,,,,\nold,2024-04-21,stage,presentation,sales6,,,,,,,\n";
    portfolio p = deals(rows);
    auto j = advice(p, "2024-06-10", 10);
    auto young = rules_for(j, "young"), old = rules_for(j, "old");
    CHECK(has(young, "stuck-in-stage"));
    CHECK(!has(young, "requalify-or-close"));
    CHECK(!has(old, "stuck-in-stage"));
    CHECK((has(old, "requalify-or-close") || has(old, "close-unlikely")));
    for (const auto &r : j["recommendations"])
        if (r["customer_id"] == "old" && r["action"]["kind"] == "requalify") {
            std::string all;
            for (const auto &x : r["reasons"]) all += x.get<std::string>() + "; ";
            CHECK(all.find("days in stage 50 > the 90th percentile of the stage's completed stays (36 days, of 40 stays)") != std::string::npos);
        }
}

TEST_CASE("the week: pre-contract deals first, service classes within their share, greetings on the day", "[advice][plan]") {
    // Manager m: ten class-D service customers due a check-in, two class-A deals, one birthday on Wednesday.
    std::string rows;
    for (int i = 0; i < 10; ++i)
        rows += "s" + std::to_string(i) + ",2024-01-01,stage,won,sales6,,,,,,,S" + std::to_string(i) + "\n" + "s" + std::to_string(i) +
                ",2024-01-01,class,D,,,,,,,,S" + std::to_string(i) + "\ns" + std::to_string(i) + ",2024-01-01,manager,m,,,,,,,,S" +
                std::to_string(i) + "\n";
    rows += "a1,2024-06-01,stage,presentation,sales6,,,,,,,A1\na1,2024-06-01,class,A,,,,,,,,A1\na1,2024-06-01,manager,m,,,,,,,,A1\n";
    rows += "a2,2024-06-01,stage,presentation,sales6,,,,,,,A2\na2,2024-06-01,class,A,,,,,,,,A2\na2,2024-06-01,manager,m,,,,,,,,A2\n";
    rows += "a2,2024-06-01,attribute,birthday=1975-06-12,,,,,,,,A2\n";
    portfolio p = deals(rows);
    compiled_policy cp(load_policy("seeds"), p);
    recommend_options opt;
    opt.manager = "m";
    opt.per_customer = 2;
    const std::int64_t monday = day("2024-06-10");
    auto recs = recommend_all(cp, monday, opt);
    // Ten hours: five for the service customers (D gets 70% of them: 210 minutes), five for the deals.
    auto w = plan_week(cp, recs, monday, 10);
    std::size_t a_planned = 0, d_planned = 0;
    for (const auto &pa : w.planned) {
        CHECK(pa.day <= std::max(pa.rec.due_day, w.week_start)); // never after its due date
        if (pa.customer_class == "A") ++a_planned;
        if (pa.customer_class == "D") ++d_planned;
        if (cp.source().rules[pa.rec.rule].then.kind == "greet") CHECK(pa.day == day("2024-06-12"));
    }
    CHECK(a_planned >= 2);
    CHECK(d_planned > 0);
    CHECK(w.class_minutes["D"].first == Approx(0.7 * 300));
    CHECK(w.class_minutes[""].first == Approx(300));
    // Two hours: a day's fifth is 24 minutes and a push takes 30: each push takes a day of its
    // own; the check-ins due on Tuesday find no time left on or before it, and say so.
    auto tight = plan_week(cp, recs, monday, 2);
    bool said = false;
    for (const auto &[a, why] : tight.not_fitted) said = said || why.find("on or before its due date") != std::string::npos;
    CHECK(said);
}

TEST_CASE("policy errors of the new fields name the place", "[advice][errors]") {
    auto error_of = [](const std::string &text) {
        try {
            policy_from_json(text, "p.json");
        } catch (const input_error &e) {
            return std::string(e.what());
        }
        return std::string();
    };
    const std::string rule = R"({"id": "r", "when": {"fact": "next_step", "op": "missing"}, "action": {"kind": "contact"}})";
    CHECK(error_of(R"({"id": "p", "rules": [)" + rule.substr(0, rule.size() - 1) + R"(, "scope": "company"}]})").find("unknown scope 'company'") !=
          std::string::npos);
    CHECK(error_of(R"({"id": "p", "rules": [)" + rule + R"(], "calendars": {"ru": []}, "calendar": {"attribute": "region", "default": "fr"}})")
              .find("unknown calendar 'fr' (calendars: ru)") != std::string::npos);
    CHECK(error_of(R"({"id": "p", "rules": [)" + rule + R"(], "calendars": {"zh": [{"name": "x", "dates": {"2023": "02-29"}}]}})")
              .find("a real day of that year") != std::string::npos);
    CHECK(error_of(R"({"id": "p", "rules": [)" + rule + R"(], "value": {"default": -1}})").find("value 'default'") != std::string::npos);
    CHECK(error_of(R"({"id": "p", "rules": [{"id": "r", "when": {"fact": "days_in_stage", "op": ">", "value": "p90"}, "action": {}}]})")
              .find("\"closed_p90\"") != std::string::npos);
    CHECK(error_of(R"({"id": "p", "rules": [)" + rule + R"(], "capacity": {"service_share": 1.5}})").find("service_share") != std::string::npos);
}

TEST_CASE("close-unlikely: p_won under a quarter of the stage's rate past the 90th percentile", "[advice][requalify]") {
    // crm-pipeline's engaging stage: 40 completed stays of 1..40 days (entered every third day,
    // so that short and long ones leave throughout), those of up to 30 days won, the 10 longer
    // lost. 35 open deals have waited 60 days, past every completed stay: the forecast's p_won
    // for them is k x rate / (e + k) with e = 35 stays that waited as long (docs/analytics.md,
    // beyond_observed), under a quarter of the stage's rate: 10 / 45 of it.
    std::string rows;
    for (int i = 0; i < 40; ++i) {
        const int length = (i * 7) % 40 + 1; // 1..40, each once
        const std::int64_t entered = day("2023-01-01") + 3 * i;
        const std::string id = "h" + std::to_string(i);
        rows += id + "," + format_date(entered * seconds_per_day) + ",stage,engaging,crm-pipeline,,,,,,,\n";
        rows += id + "," + format_date((entered + length) * seconds_per_day) + ",stage," + (length <= 30 ? "won" : "lost") + ",crm-pipeline,,,,,,,\n";
    }
    for (int i = 0; i < 35; ++i) rows += "old" + std::to_string(i) + ",2024-04-11,stage,engaging,crm-pipeline,,,,,,,\n";
    portfolio p;
    p.add_model(load_model(std::string(CLM_SOURCE_DIR) + "/examples/data/crm-pipeline.json"));
    import_event_log(p, std::string(header) + rows, "deals.csv");
    auto j = advice(p, "2024-06-10", 10);
    auto old = rules_for(j, "old0");
    CHECK(has(old, "close-unlikely"));
    CHECK(!has(old, "requalify-or-close"));
    CHECK(!has(old, "stuck-in-stage"));
    for (const auto &r : j["recommendations"])
        if (r["customer_id"] == "old0" && r["rule"] == "close-unlikely") {
            REQUIRE(!r["p_won"].is_null());
            CHECK(r["p_won"].get<double>() < 0.25);
            std::string all;
            for (const auto &x : r["reasons"]) all += x.get<std::string>() + "; ";
            CHECK(all.find("days in stage 60 > the 90th percentile of the stage's completed stays (36 days, of 40 stays)") != std::string::npos);
            CHECK(all.find("0.22 times the stage's rate") != std::string::npos); // 10 / 45
        }
}

TEST_CASE("classes are derived from the scores when not given (seed 004)", "[advice][classes]") {
    auto class_of = [](const std::string &rows) {
        portfolio p = deals(rows);
        compiled_policy cp(load_policy("seeds"), p);
        customer_facts f;
        cp.collect(std::uint32_t(p.customer_index("c")), day("2024-06-10"), f, false);
        return f.customer_class ? cp.class_text(f.customer_class) : std::string();
    };
    const std::string open = "c,2024-06-01,stage,presentation,sales6,,,,,,,\n";
    // Willingness 9 + progress 8 = 17, the signing in 10 days: + 4 = 21 >= 14: A.
    CHECK(class_of(open + "c,2024-06-01,score,willingness=9,,,,,,,,\nc,2024-06-01,score,plan_progress=8,,,,,,,,\n"
                          "c,2024-06-01,attribute,planned_signing=2024-06-20,,,,,,,,\n") == "A");
    // 5 + 3 = 8, the signing in 60 days: + 2 = 10: B. Without the date: 8: still B; 4 + 3 = 7: C.
    CHECK(class_of(open + "c,2024-06-01,score,willingness=5,,,,,,,,\nc,2024-06-01,score,plan_progress=3,,,,,,,,\n"
                          "c,2024-06-01,attribute,planned_signing=2024-08-09,,,,,,,,\n") == "B");
    CHECK(class_of(open + "c,2024-06-01,score,willingness=4,,,,,,,,\nc,2024-06-01,score,plan_progress=3,,,,,,,,\n") == "C");
    // Nothing to go by: no class. A class given wins.
    CHECK(class_of(open).empty());
    CHECK(class_of(open + "c,2024-06-01,score,willingness=9,,,,,,,,\nc,2024-06-01,class,C,,,,,,,,\n") == "C");
    // In service: expectation + satisfaction: 9 + 8 = 17 >= 16: D; 6 + 5 = 11: E; 3 + 4: F.
    const std::string won = "c,2024-05-01,stage,won,sales6,,,,,,,\n";
    CHECK(class_of(won + "c,2024-05-01,score,expectation=9,,,,,,,,\nc,2024-05-01,score,satisfaction=8,,,,,,,,\n") == "D");
    CHECK(class_of(won + "c,2024-05-01,score,expectation=6,,,,,,,,\nc,2024-05-01,score,satisfaction=5,,,,,,,,\n") == "E");
    CHECK(class_of(won + "c,2024-05-01,score,expectation=3,,,,,,,,\nc,2024-05-01,score,satisfaction=4,,,,,,,,\n") == "F");
    // The derived class drives the rules: a derived D gets the weekly service check-in.
    portfolio p = deals(won + "c,2024-05-01,score,expectation=9,,,,,,,,\nc,2024-05-01,score,satisfaction=8,,,,,,,,\n");
    auto j = advice(p, "2024-06-10", 10);
    CHECK(has(rules_for(j, "c"), "service-d"));
    for (const auto &r : j["recommendations"]) CHECK(r["class"] == "D");
}

TEST_CASE("derived classes: thresholds out of order are an error naming the place", "[advice][classes][errors]") {
    const std::string text = R"({"id": "p", "rules": [{"id": "r", "when": {"fact": "next_step", "op": "missing"}, "action": {"kind": "contact"}}],
  "derived_classes": {"service": {"scores": ["expectation"], "classes": [{"class": "D", "min": 10}, {"class": "E", "min": 12}], "otherwise": "F"}}})";
    try {
        policy_from_json(text, "p.json");
        FAIL("accepted");
    } catch (const input_error &e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("p.json:2:") && Catch::Contains("class thresholds out of order"));
    }
}
