// cmd_analytics.cpp -- analysis subcommands (BRIEF 1.3, control and
// analysis): funnel, time-in-stage, dynamics, plan-actual, value, forecast.
// Each loads --model and --events like `clm status` and prints text, or
// JSON with --json. Definitions: docs/analytics.md.
#include "cli.hpp"
#include "load.hpp"

#include <clm/backtest_policy.hpp>
#include <clm/customer_value.hpp>
#include <clm/dynamics.hpp>
#include <clm/forecast.hpp>
#include <clm/funnel.hpp>
#include <clm/plan_actual.hpp>
#include <clm/time_in_stage.hpp>

#include <iostream>

namespace {

using clm::cli::args;
using clm::cli::load;

void print(const args &a, const nlohmann::ordered_json &j, const std::string &text) {
    if (a.flag("json")) std::cout << j.dump(2) << "\n";
    else std::cout << text;
}

int funnel(int argc, char **argv) {
    args a(argc, argv, {"json", "reasons"}, {"model", "events", "as-of", "locale"});
    auto l = load(a);
    auto r = clm::funnel(l.p, 0, l.as_of);
    print(a, a.flag("reasons") ? clm::loss_reasons_to_json(r) : clm::funnel_to_json(r), clm::funnel_to_text(r));
    return 0;
}

int time_in_stage(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "as-of", "locale"});
    auto l = load(a);
    auto r = clm::time_in_stage(l.p, 0, l.as_of);
    print(a, clm::time_in_stage_to_json(r), clm::time_in_stage_to_text(r));
    return 0;
}

int dynamics(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "from", "to", "min-sample", "alpha", "max-per-manager", "locale"});
    a.required("from");
    a.required("to");
    auto from = *a.date("from");
    auto to = *a.date("to");
    clm::dynamics_options opt;
    if (auto m = a.whole("min-sample", 1, 1000000000)) opt.min_conversion_sample = std::size_t(*m);
    if (auto m = a.whole("max-per-manager", 1, 1000000000)) opt.max_per_manager = std::size_t(*m);
    if (auto v = a.number("alpha", 0, 1, false, "(0, 1] (the p-value threshold, e.g. 0.05)")) opt.alpha = *v;
    auto l = load(a);
    auto r = clm::dynamics(l.p, 0, from, to, opt);
    print(a, clm::dynamics_to_json(r), clm::dynamics_to_text(r));
    return 0;
}

int plan_actual(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "plan", "locale"});
    std::string file = a.required("plan");
    a.required("model");
    a.required("events");
    auto plan = clm::plan_from_json(clm::read_file(file, clm::max_json_bytes(), "CLM_MAX_JSON_BYTES"), file);
    auto l = load(a);
    auto r = clm::plan_actual(l.p, 0, plan);
    print(a, clm::plan_actual_to_json(r), clm::plan_actual_to_text(r));
    return 0;
}

int value(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "as-of", "locale"});
    auto l = load(a);
    auto r = clm::customer_value(l.p, l.as_of);
    print(a, clm::customer_value_to_json(r), clm::customer_value_to_text(r));
    return 0;
}

int forecast(int argc, char **argv) {
    args a(argc, argv, {"json", "per-customer"}, {"model", "events", "as-of", "locale"});
    auto l = load(a);
    auto r = clm::forecast(l.p, 0, l.as_of);
    if (a.flag("per-customer")) print(a, clm::forecast_customers_to_json(l.p, r), clm::forecast_customers_to_text(l.p, r));
    else print(a, clm::forecast_to_json(r), clm::forecast_to_text(r));
    return 0;
}

int backtest(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "as-of", "until", "policy", "locale"});
    a.required("as-of");
    a.required("until");
    auto as_of = *a.date("as-of");
    auto until = *a.date("until");
    if (clm::day_of(until) <= clm::day_of(as_of))
        throw clm::cli::usage_error("--until (" + clm::format_date(until) + ") must be after --as-of (" + clm::format_date(as_of) + ")");
    auto l = load(a);
    auto r = clm::backtest(l.p, 0, as_of, until);
    if (auto pol = a.option("policy")) {
        clm::compiled_policy cp(clm::load_policy(*pol), l.p);
        clm::backtest_policy(r, cp, 0);
    }
    print(a, clm::backtest_to_json(r), clm::backtest_to_text(r));
    return 0;
}

clm::cli::registrar r1{{"funnel", "the funnel on a date: entered, current, lost and median days per stage, conversion",
                        "clm funnel --model MODEL [--locale en|ru|zh] --events FILE.csv [--as-of DATE] [--json] [--reasons]  "
                        "(--reasons with --json: losses by stage and reason)",
                        funnel}};
clm::cli::registrar r2{{"time-in-stage", "time spent in each stage, stuck customers, lifecycle duration to won",
                        "clm time-in-stage --model MODEL [--locale en|ru|zh] --events FILE.csv [--as-of DATE] [--json]", time_in_stage}};
clm::cli::registrar r3{{"dynamics", "who moved up, down or stayed between two dates, per manager; rotation suggestions",
                        "clm dynamics --model MODEL [--locale en|ru|zh] --events FILE.csv --from DATE --to DATE [--min-sample N] [--alpha P] "
                        "[--max-per-manager N] [--json]",
                        dynamics}};
clm::cli::registrar r4{{"plan-actual", "actual against plan per manager for the plan's period, deviations flagged",
                        "clm plan-actual --model MODEL [--locale en|ru|zh] --events FILE.csv --plan PLAN.json [--json]", plan_actual}};
clm::cli::registrar r5{{"value", "Pareto of revenue, repeat purchases, revenue by class and by stage",
                        "clm value --model MODEL [--locale en|ru|zh] --events FILE.csv [--as-of DATE] [--json]", value}};
clm::cli::registrar r6{{"forecast", "win probability and days to win per stage, expected revenue of the open pipeline",
                        "clm forecast --model MODEL [--locale en|ru|zh] --events FILE.csv [--as-of DATE] [--per-customer] [--json]  "
                        "(--per-customer: every open deal's p_won by stage and days in stage)",
                        forecast}};
clm::cli::registrar r7{{"backtest", "replays the journal to a date, scores the open deals, checks against a later date",
                        "clm backtest --model MODEL [--locale en|ru|zh] --events FILE.csv --as-of DATE --until DATE [--policy FILE|seeds] [--json]",
                        backtest}};

} // namespace
