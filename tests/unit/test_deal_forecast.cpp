// Per-deal forecast and backtest. The survival estimates are checked on
// small journals worked out by hand, and on generated journals whose true
// probabilities by age are set here and computed independently (by direct
// summation over the distribution the deals were drawn from).
#include <catch2/catch.hpp>

#include <clm/backtest.hpp>
#include <clm/event_log.hpp>
#include <clm/forecast.hpp>
#include <clm/model_json.hpp>

#include <random>
#include <sstream>

using namespace clm;

namespace {

timestamp day(const char *d) { return *parse_timestamp(d); }

const char *deal_model = R"({"id":"d","version":1,"initial":"lead","main_path":["lead","won"],
  "stages":[{"id":"lead","name":"Lead","kind":"open","task":"t","probability":0.5},
            {"id":"won","name":"Won","kind":"won","task":"t"},
            {"id":"lost","name":"Lost","kind":"lost","task":"t"}],
  "transitions":[{"from":"lead","to":"won","event":"win"},{"from":"lead","to":"lost","event":"lose"}]})";

std::string date_text(std::int64_t day_number) { return format_date(day_number * seconds_per_day); }

// A uniform draw in [0, 1) from the raw 64-bit output of mt19937_64 (whose
// sequence the standard fixes), so the journal is the same everywhere.
struct draws {
    std::mt19937_64 g{20261205};
    double next() { return double(g() >> 11) * (1.0 / 9007199254740992.0); }
};

// The generated truth: a stay lasts T days, T uniform on 1..60, and a deal
// leaving after T days is won with probability won_if(T); a share of the
// deals never leaves.
double won_if(int t) { return t <= 10 ? 0.6 : t <= 30 ? 0.3 : 0.1; }

// P(won | leaves after a days), by direct summation over T = a+1 .. 60.
double truth(int a) {
    double num = 0;
    for (int t = a + 1; t <= 60; ++t) num += won_if(t);
    return num / double(60 - a);
}

// n deals entering `lead` uniformly over the 730 days before the as-of day
// 2024-12-31; each leaves (or not) per the truth above.
std::string generated_log(int n, double zombie) {
    draws r;
    const std::int64_t as_of = day_of(day("2024-12-31"));
    std::ostringstream csv;
    csv << "customer_id,timestamp,type,value\n";
    for (int i = 0; i < n; ++i) {
        std::int64_t entered = as_of - 729 + std::int64_t(r.next() * 730);
        csv << "g" << i << "," << date_text(entered) << ",stage,lead\n";
        if (r.next() < zombie) continue;
        int t = 1 + int(r.next() * 60);
        bool won = r.next() < won_if(t);
        csv << "g" << i << "," << date_text(entered + t) << ",stage," << (won ? "won" : "lost") << "\n";
    }
    return csv.str();
}

portfolio load(const std::string &csv) {
    portfolio p;
    p.add_model(model_from_json(deal_model));
    import_event_log(p, csv, "gen.csv");
    return p;
}

} // namespace

TEST_CASE("stage survival: Kaplan-Meier and Aalen-Johansen by hand", "[forecast][survival]") {
    // Stays of one stage: exits at 2 (to 1), 4 (to 2), 4 (to 1), 6 (to 2); open at ages 3 and 8.
    stage_stays s;
    s.add_exit(2, 1);
    s.add_exit(4, 2);
    s.add_exit(4, 1);
    s.add_exit(6, 2);
    s.add_open(3);
    s.add_open(8);
    stage_survival f(s);
    // u=2: at risk 6, 1 exit -> S = 5/6, F1 += 1/6.
    // u=4: at risk 4 (exits of 4 and 6, open 8; the open 3 is censored), 2 exits -> S = 5/6 * 1/2 = 5/12,
    //      F1 += 5/6 * 1/4, F2 += 5/6 * 1/4.
    // u=6: at risk 2 (exit 6, open 8), 1 exit -> S = 5/24, F2 += 5/12 * 1/2.
    CHECK(f.plateau() == Approx(5.0 / 24));
    REQUIRE(f.leave_to().size() == 2);
    CHECK(f.leave_to()[0].second == Approx(1.0 / 6 + 5.0 / 24));
    CHECK(f.leave_to()[1].second == Approx(5.0 / 24 + 5.0 / 24));
    // Stage 1 wins, stage 2 does not; days from entry to close: 0 from both.
    // Four stays are too few for the age test (p-value 1): the stage's share.
    f.set_outcomes({0, 1, 0}, {0, 0, 0});
    CHECK(f.age_p_value() == 1.0);
    CHECK_FALSE(f.age_matters());
    // Won share of the leavers: F1 / (F1 + F2) = (9/24) / (19/24).
    CHECK(f.win_share() == Approx(9.0 / 19));
    CHECK(f.estimate(3).p_win == Approx(9.0 / 19));
    CHECK_FALSE(f.estimate(3).by_age);
    // Forced by age (a level above 1): a stay 3 days old leaves after it to 1
    // with 5/24, to 2 with 10/24; S(3) = 5/6.
    f.set_outcomes({0, 1, 0}, {0, 0, 0}, 2.0);
    auto e = f.estimate(3);
    CHECK(e.by_age);
    CHECK(e.p_win == Approx(1.0 / 3));
    CHECK(e.p_leave == Approx((15.0 / 24) / (5.0 / 6)));
    CHECK_FALSE(e.beyond);
    // Expected exit time given a later exit: (4*5/24 + 4*5/24 + 6*5/24) / (15/24) = 14/3, minus the age 3.
    CHECK(*e.days_to_close == Approx(14.0 / 3 - 3));
    // Evidence at 3: the completed stays longer than 3 (4, 4, 6).
    CHECK(e.evidence == 3);
    // Past the last exit (6): nothing left but the plateau; the evidence is
    // the stays that lasted that long and never left (the open one of age 8).
    auto old = f.estimate(7);
    CHECK(old.beyond);
    CHECK(old.p_win == 0);
    CHECK_FALSE(old.days_to_close.has_value());
    CHECK(old.evidence == 1);
}

TEST_CASE("the age test: a pattern must hold in the older and the newer half of the stays", "[forecast][survival]") {
    // 400 stays leaving over 400 days; short stays (1 day) win, long ones (30) lose.
    auto fit = [](bool flip_later) {
        stage_stays s;
        for (int i = 0; i < 400; ++i) {
            bool short_stay = i % 2 == 0;
            bool later = i >= 200;
            bool wins = short_stay != (flip_later && later);
            s.add_exit(short_stay ? 1 : 30, wins ? 1 : 2, 19000 + i);
        }
        stage_survival f(s);
        f.set_outcomes({0, 1, 0}, {0, 0, 0});
        return f;
    };
    auto steady = fit(false);
    CHECK(steady.age_p_value() < 1e-6);
    CHECK(steady.age_matters());
    CHECK(steady.estimate(0).p_win == Approx(0.5));  // leaves after 0: half short (won), half long (lost)
    CHECK(steady.estimate(5).p_win == Approx(0.0));  // only long stays leave after 5 days
    // The pattern reverses in the newer half: not used.
    auto flipped = fit(true);
    CHECK(flipped.age_p_value() == 1.0);
    CHECK_FALSE(flipped.age_matters());
}

TEST_CASE("per-deal probabilities recover the generated truth by age", "[forecast][survival]") {
    const double zombie = 0.2;
    auto p = load(generated_log(40000, zombie));
    auto r = forecast(p, 0, day("2024-12-31"));
    // The pattern is steady over the two years: used, and it did better than
    // the stage's share from each of the three earlier dates of the forward check.
    REQUIRE(r.stages[0].age_p_value);
    CHECK(*r.stages[0].age_p_value < 1e-6);
    REQUIRE(r.stages[0].age_check.size() == 3);
    for (const auto &c : r.stages[0].age_check) {
        CHECK(c.passed);
        CHECK(c.scored > 500);
        CHECK(c.brier_age < c.brier_stage);
    }
    CHECK(r.stages[0].age_check[0].since_day == day_of(day("2024-12-31")) - 30);
    CHECK(r.stages[0].age_check[2].since_day == day_of(day("2024-12-31")) - 90);
    // Mean p_won of the open deals at each age, against the truth at that age.
    std::map<std::int64_t, std::pair<double, int>> by_age;
    for (const auto &d : r.deals) {
        by_age[d.days_in_stage].first += d.p_won;
        ++by_age[d.days_in_stage].second;
        if (d.days_in_stage < 59) CHECK(d.basis == p_won_basis::age);
    }
    for (int a : {0, 5, 10, 20, 30, 45}) {
        INFO("age " << a);
        REQUIRE(by_age.count(a));
        // Every deal of one age gets the same estimate; ~30,000 completed stays
        // give a standard error near 0.01 at young ages, 0.03 at 45 days.
        CHECK(by_age[a].first / by_age[a].second == Approx(truth(a)).margin(a < 30 ? 0.03 : 0.06));
    }
    // Deals older than every stay ever seen to leave: thousands of zombies say they are not won.
    double old_sum = 0;
    int old_n = 0;
    for (const auto &d : r.deals)
        if (d.days_in_stage > 100) {
            CHECK(d.basis == p_won_basis::beyond_observed);
            old_sum += d.p_won;
            ++old_n;
        }
    REQUIRE(old_n > 1000);
    CHECK(old_sum / old_n < 0.01);
    // The stage rate (completed stays only) is the same for everyone: about
    // the mean of won_if over 1..60 (0.6/6 + 0.3/3 + 0.1/2 = 0.25 ... weighted: 10*.6+20*.3+30*.1 = 15 / 60).
    const auto &lead = r.stages[0];
    CHECK(lead.p_win == Approx(0.25).margin(0.02));
    // The pipeline sums the per-deal probabilities.
    double sum = 0;
    for (const auto &d : r.deals) sum += d.p_won;
    CHECK(r.expected_wins == Approx(sum));
    CHECK(lead.expected_wins == Approx(sum));
}

TEST_CASE("too few completed stays: the stage rate, and the model's probability for a stage never left", "[forecast]") {
    auto p = load("customer_id,timestamp,type,value\na,2024-01-01,stage,lead\na,2024-01-05,stage,won\n"
                  "b,2024-01-01,stage,lead\nb,2024-01-03,stage,lost\nc,2024-01-02,stage,lead\n");
    auto r = forecast(p, 0, day("2024-01-31"));
    REQUIRE(r.deals.size() == 1);
    CHECK(r.deals[0].basis == p_won_basis::stage);
    CHECK(r.deals[0].p_won == Approx(0.5)); // one won, one lost
    CHECK(r.deals[0].days_in_stage == 29);
    auto fresh = load("customer_id,timestamp,type,value\nc,2024-01-02,stage,lead\n");
    auto r2 = forecast(fresh, 0, day("2024-01-31"));
    CHECK(r2.deals[0].basis == p_won_basis::model);
    CHECK(r2.deals[0].p_won == 0.5);
    auto json = forecast_customers_to_json(fresh, r2);
    CHECK(json["customers"][0]["customer_id"] == "c");
    CHECK(json["customers"][0]["basis"] == "model");
}

TEST_CASE("no peeking: the forecast as of a date ignores every later event", "[forecast]") {
    auto full = load(generated_log(3000, 0.1));
    // The same journal cut at the as-of date.
    std::istringstream in(generated_log(3000, 0.1));
    std::string line, cut;
    std::getline(in, line);
    cut = line + "\n";
    while (std::getline(in, line))
        if (line.substr(line.find(',') + 1, 10) <= "2024-06-30") cut += line + "\n";
    auto part = load(cut);
    auto a = forecast(full, 0, day("2024-06-30")), b = forecast(part, 0, day("2024-06-30"));
    REQUIRE(a.deals.size() == b.deals.size());
    for (std::size_t i = 0; i < a.deals.size(); ++i) CHECK(a.deals[i].p_won == b.deals[i].p_won);
}

TEST_CASE("AUC, Brier and calibration against a hand computation", "[backtest]") {
    // p: 0.9 (won), 0.8 (lost), 0.3 (won), 0.1 (lost), 0.3 (lost).
    // Pairs (won, lost): (0.9 > 0.8, 0.1, 0.3) = 3; (0.3: > 0.1, = 0.3 half, < 0.8) = 1.5 -> 4.5 / 6.
    auto q = score_predictions({0.9, 0.8, 0.3, 0.1, 0.3}, {true, false, true, false, false});
    CHECK(*q.auc == Approx(0.75));
    // Brier: (0.01 + 0.64 + 0.49 + 0.01 + 0.09) / 5 = 0.248.
    CHECK(*q.brier == Approx(0.248));
    CHECK(q.calibration[3].count == 2);
    CHECK(*q.calibration[3].observed == Approx(0.5));
    CHECK(q.calibration[9].count == 1);
    CHECK_FALSE(q.calibration[5].predicted.has_value());
    auto all_won = score_predictions({0.2, 0.4}, {true, true});
    CHECK_FALSE(all_won.auc.has_value());
    CHECK(*all_won.brier == Approx((0.64 + 0.36) / 2));
    auto none = score_predictions({}, {});
    CHECK_FALSE(none.brier.has_value());
}

TEST_CASE("backtest: per-deal probabilities beat the stage rate where age carries signal", "[backtest]") {
    auto p = load(generated_log(20000, 0.2));
    auto r = backtest(p, 0, day("2024-06-30"), day("2024-12-31"));
    CHECK(r.open == r.closed + r.still_open);
    CHECK(r.closed == r.won + r.lost);
    REQUIRE(r.per_deal.auc);
    CHECK(*r.per_deal.auc > *r.stage_only.auc + 0.05); // the stage rate ranks nothing: AUC 0.5
    CHECK(*r.stage_only.auc == Approx(0.5));
    CHECK(*r.per_deal.brier < *r.stage_only.brier);
    CHECK_THROWS_AS(backtest(p, 0, day("2024-06-30"), day("2024-06-30")), invalid_argument);
    CHECK_THROWS_WITH(backtest(p, 0, day("2024-06-30"), day("2024-01-01")), Catch::Contains("must be after"));
    auto j = backtest_to_json(r);
    CHECK(j["calibration"].is_null());
    CHECK(j["per_deal"]["calibration"].size() == 10);
    CHECK(j["policy"].is_null());
}

TEST_CASE("backtest: a model without a won stage is refused; no closed deal gives nulls with a note", "[backtest]") {
    portfolio p;
    p.add_model(model_from_json(R"({"id":"n","version":1,"initial":"a",
      "stages":[{"id":"a","name":"A","kind":"open","task":"t"},{"id":"z","name":"Z","kind":"lost","task":"t"}],
      "transitions":[{"from":"a","to":"z","event":"end"}]})"));
    import_event_log(p, "customer_id,timestamp,type,value\nx,2024-01-01,stage,a\n", "n.csv");
    CHECK_THROWS_WITH(backtest(p, 0, day("2024-01-10"), day("2024-02-10")), Catch::Contains("no won stage"));
    auto q = load("customer_id,timestamp,type,value\nx,2024-01-01,stage,lead\n");
    auto r = backtest(q, 0, day("2024-01-10"), day("2024-02-10"));
    CHECK(r.open == 1);
    CHECK(r.closed == 0);
    CHECK_FALSE(r.per_deal.brier.has_value());
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].find("AUC and Brier are null") != std::string::npos);
}

TEST_CASE("the forward check by hand: one earlier date, the stays open then scored twice", "[forecast][survival]") {
    // Day numbers: as of day 1000, checked from day 990 (10 days back).
    // Completed by 990: 20 stays of 1 day won (left 900..919), 20 of 5 days lost (left 920..939).
    // Open on 990 and left since: A entered 989 (age 1 then), left 995 after 6 days, lost;
    //                             B entered 986 (age 4 then), left 996 after 10 days, lost.
    // Still open on day 1000 at age 30 (open since 970: censored on 990 at age 20).
    stage_stays s;
    for (int i = 0; i < 20; ++i) s.add_exit(1, 1, 900 + i);
    for (int i = 0; i < 20; ++i) s.add_exit(5, 2, 920 + i);
    s.add_exit(6, 2, 995);
    s.add_exit(10, 2, 996);
    s.add_open(30);
    const std::vector<double> w{0, 1, 0}, close{-1, 0, 0};
    auto r = check_age_forward(s, 1000, 10, w, close, 20, 10);
    REQUIRE(r);
    CHECK(r->since_day == 990);
    CHECK(r->completed == 40);
    // On day 990 every stay longer than either deal's age left lost (all 5-day
    // stays): P(won | leaves after its age) = 0, on the evidence of 20 stays.
    // The win share of the leavers, with A, B and the open stay censored:
    // at u=1, 43 at risk, 20 leave won (I1 = 20/43, S = 23/43); at u=5, 21 at
    // risk (20 stays of 5 days, the open one of age 20), 20 leave lost
    // (I2 = 23/43 * 20/21): share I1 / (I1 + I2) = 21/44.
    // p_age = (20 * 0 + 10 * 21/44) / (20 + 10) = 7/44 for both.
    // Stage share then: 20 of 40 completed stays won, 0.5. Outcomes: both lost.
    CHECK(r->scored == 2);
    CHECK(r->brier_age == Approx(49.0 / 1936));
    CHECK(r->brier_stage == Approx(0.25));
    // Better, but two scored stays are fewer than the minimum sample of 20: not passed.
    CHECK_FALSE(r->passed);
    CHECK(check_age_forward(s, 1000, 10, w, close, 2, 10)->passed);
    // No horizon, no check.
    CHECK_FALSE(check_age_forward(s, 1000, 0, w, close, 20, 10));
}

TEST_CASE("an age pattern that reversed over the last quarter is not used", "[forecast][survival]") {
    // Two years of stays: short ones (1..10 days) win, long ones (31..60) lose; then
    // over the last 90 days the reverse. The age test (older and newer half of the
    // history) still sees the old pattern; the forward check sees it fail.
    auto make = [](bool reverse_lately) {
        draws r;
        const std::int64_t as_of = day_of(day("2024-12-31"));
        std::ostringstream csv;
        csv << "customer_id,timestamp,type,value\n";
        for (int i = 0; i < 20000; ++i) {
            std::int64_t entered = as_of - 729 + std::int64_t(r.next() * 730);
            int t = 1 + int(r.next() * 60);
            bool short_stay = t <= 30;
            bool lately = entered + t > as_of - 90;
            bool won = (short_stay != (reverse_lately && lately)) ? r.next() < 0.8 : r.next() < 0.2;
            csv << "h" << i << "," << date_text(entered) << ",stage,lead\n";
            if (entered + t <= as_of) csv << "h" << i << "," << date_text(entered + t) << ",stage," << (won ? "won" : "lost") << "\n";
        }
        return forecast(load(csv.str()), 0, day("2024-12-31"));
    };
    auto steady = make(false), reversed = make(true);
    REQUIRE(reversed.stages[0].age_p_value);
    CHECK(*reversed.stages[0].age_p_value < 0.05); // the age test alone would use it
    REQUIRE_FALSE(reversed.stages[0].age_check.empty());
    bool all = true;
    for (const auto &c : reversed.stages[0].age_check) all = all && c.passed;
    CHECK_FALSE(all);
    for (const auto &d : reversed.deals)
        if (d.basis != p_won_basis::beyond_observed) CHECK(d.basis == p_won_basis::stage);
    // The steady history keeps scoring by age.
    std::size_t by_age = 0;
    for (const auto &d : steady.deals) by_age += d.basis == p_won_basis::age;
    CHECK(by_age > 500);
}
