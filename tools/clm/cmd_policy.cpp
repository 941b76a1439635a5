// cmd_policy.cpp -- policy subcommands: recommend (ranked next actions with
// reasons) and plan (a manager's week).
#include "cli.hpp"
#include "load.hpp"

#include <clm/event_log.hpp>
#include <clm/presets.hpp>
#include <clm/recommend_json.hpp>

#include <cmath>
#include <iostream>
#include <unistd.h>

namespace {

using clm::cli::args;

// A progress bar on stderr for runs longer than a second, when stderr is a terminal.
std::function<bool(std::size_t, std::size_t)> progress_bar() {
    if (!isatty(2)) return {};
    auto start = std::chrono::steady_clock::now();
    return [start](std::size_t done, std::size_t total) {
        if (std::chrono::steady_clock::now() - start < std::chrono::seconds(1) && done < total) return true;
        int width = 40, fill = total ? int(double(done) / double(total) * width) : width;
        std::fprintf(stderr, "\r[%s%s] %zu/%zu customers", std::string(std::size_t(fill), '#').c_str(),
                     std::string(std::size_t(width - fill), ' ').c_str(), done, total);
        if (done >= total) std::fprintf(stderr, "\n");
        return true;
    };
}

struct session {
    clm::portfolio p;
    std::int64_t as_of_day = 0;
};

void load(const args &a, session &s, const char *date_option) {
    a.date(date_option); // a bad date or locale is a usage error before any file is read
    a.locale();
    std::string models = a.required("model");
    for (std::size_t start = 0;;) {
        auto comma = models.find(',', start);
        s.p.add_model(clm::cli::in_locale(clm::load_model(models.substr(start, comma - start)), a));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    std::string events = a.required("events");
    clm::import_event_log(s.p, clm::read_file(events), events);
    auto d = a.date(date_option);
    s.as_of_day = clm::day_of(d ? *d : clm::cli::newest_event(s.p));
}

std::size_t limit_of(const args &a) { return std::size_t(a.whole("limit", 0, 1000000000).value_or(0)); }

int recommend(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "policy", "as-of", "manager", "limit", "per-customer", "locale"});
    limit_of(a); // every option is checked before any file is read
    const std::size_t per_customer = std::size_t(a.whole("per-customer", 1, 1000).value_or(0));
    a.required("policy");
    session s;
    load(a, s, "as-of");
    clm::compiled_policy cp(clm::load_policy(a.required("policy")), s.p);
    clm::recommend_options opt;
    opt.manager = a.option("manager");
    opt.limit = limit_of(a);
    opt.per_customer = per_customer;
    opt.progress = progress_bar();
    auto recs = clm::recommend_all(cp, s.as_of_day, opt);
    if (a.flag("json")) {
        std::cout << clm::recommendations_to_json(cp, recs, s.as_of_day).dump(2) << "\n";
        return 0;
    }
    std::cout << recs.size() << " recommendations as of " << clm::format_date(s.as_of_day * clm::seconds_per_day)
              << " (policy " << cp.source().id << ")\n";
    for (std::size_t i = 0; i < recs.size(); ++i) {
        auto j = clm::recommendation_to_json(cp, recs[i], s.as_of_day, i + 1);
        std::cout << "\n" << i + 1 << ". " << j["customer_id"].get<std::string>()
                  << (j["account"].is_null() ? std::string() : " (account " + j["account"].get<std::string>() + ")") << " [" << j["manager"].get<std::string>() << "] "
                  << j["action"]["kind"].get<std::string>() << " via " << j["action"]["channel"].get<std::string>() << " by "
                  << j["action"]["due"].get<std::string>() << ": " << j["action"]["goal"].get<std::string>() << "\n";
        char score[160];
        if (std::isnan(recs[i].p_won) && j["p_won"].is_null())
            std::snprintf(score, sizeof score, "%.2f (value %.2f)", recs[i].score, recs[i].value);
        else
            std::snprintf(score, sizeof score, "%.2f (value %.2f, p_won %.1f%%)", recs[i].score, recs[i].value, j["p_won"].get<double>() * 100);
        std::cout << "   rule " << j["rule"].get<std::string>();
        for (const auto &m : j["merged_rules"]) std::cout << " + " << m.get<std::string>();
        std::cout << ", score " << score << "; because ";
        bool first = true;
        for (const auto &r : j["reasons"]) {
            std::cout << (first ? "" : "; ") << r.get<std::string>();
            first = false;
        }
        std::cout << "\n";
        if (!j["alternatives"].empty()) {
            std::cout << "   also:";
            for (const auto &alt : j["alternatives"]) std::cout << " " << alt["rule"].get<std::string>() << " (" << alt["action"]["kind"].get<std::string>() << ")";
            std::cout << "\n";
        }
    }
    return 0;
}

int plan(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "policy", "week", "manager", "hours", "limit", "locale"});
    // Every option is checked before any file is read.
    std::string manager = a.required("manager");
    if (!a.option("week")) throw clm::cli::usage_error("missing --week");
    a.required("policy");
    const double hours = a.number("hours", 0, 168, false, "(0, 168]").value_or(0);
    limit_of(a);
    session s;
    load(a, s, "week");
    clm::compiled_policy cp(clm::load_policy(a.required("policy")), s.p);
    clm::recommend_options opt;
    opt.manager = manager;
    opt.progress = progress_bar();
    auto recs = clm::recommend_all(cp, s.as_of_day, opt);
    auto w = clm::plan_week(cp, recs, s.as_of_day, hours);
    if (a.flag("json")) {
        std::cout << clm::plan_to_json(cp, w, manager).dump(2) << "\n";
        return 0;
    }
    std::cout << "week of " << clm::format_date(w.week_start * clm::seconds_per_day) << " for " << manager << ": " << w.planned.size()
              << " actions, " << clm::format_minutes(w.planned_minutes) << " of " << clm::format_minutes(w.capacity_minutes) << " minutes; "
              << w.not_fitted.size() << " did not fit\n";
    std::size_t limit = limit_of(a);
    std::size_t shown = 0;
    for (const auto &pa : w.planned) {
        if (limit && shown++ >= limit) break;
        auto j = clm::recommendation_to_json(cp, pa.rec, w.as_of_day);
        std::cout << "  " << clm::format_date(pa.day * clm::seconds_per_day) << "  " << j["customer_id"].get<std::string>() << "  "
                  << j["action"]["kind"].get<std::string>() << " (" << clm::format_minutes(pa.minutes) << " min): " << j["action"]["goal"].get<std::string>() << "\n";
    }
    return 0;
}

clm::cli::registrar r1{{"recommend", "the next actions, ranked, each with its reasons",
                        "clm recommend --model MODEL[,MODEL...] [--locale en|ru|zh] --events FILE.csv --policy FILE|seeds --as-of DATE [--manager M] [--limit N] [--per-customer N] [--json]",
                        recommend}};
clm::cli::registrar r2{{"plan", "a manager's week: ranked actions fitted into capacity and class time shares",
                        "clm plan --model MODEL [--locale en|ru|zh] --events FILE.csv --policy FILE|seeds --manager M --week DATE [--hours H] [--limit N] [--json]",
                        plan}};

} // namespace
