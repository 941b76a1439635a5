// cmd_report.cpp -- `clm report`: the management report (BRIEF 1.3) as one
// self-contained HTML file (clm/report/page.hpp), or its figures as JSON.
// Loads --model and --events like the analysis subcommands.
#include "cli.hpp"
#include "load.hpp"

#include <clm/file_io.hpp>
#include <clm/plan_actual.hpp>
#include <clm/report/page.hpp>

#include <iostream>

namespace {

using clm::cli::args;

int report(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "as-of", "from", "plan", "policy", "top", "html", "locale"});
    auto html = a.option("html");
    if (!html && !a.flag("json")) throw clm::cli::usage_error("missing --html OUT.html (or --json)");
    clm::report_options opt;
    if (auto f = a.date("from")) opt.from = *f;
    if (auto t = a.whole("top", 0, 1000000000)) opt.top_recommendations = std::size_t(*t);
    a.date("as-of");
    a.required("model");
    a.required("events");
    if (auto plan = a.option("plan")) opt.plan = clm::plan_from_json(clm::read_file(*plan, clm::max_json_bytes(), "CLM_MAX_JSON_BYTES"), *plan);
    if (auto pol = a.option("policy")) opt.recommend_policy = clm::load_policy(*pol);
    auto l = clm::cli::load(a);
    auto data = clm::report_data(l.p, 0, l.as_of, opt);
    if (html) {
        clm::write_file_atomic(*html, clm::html_report_from_data(data));
        if (!a.flag("json")) std::cout << *html << "\n";
    }
    if (a.flag("json")) std::cout << data.dump(2) << "\n";
    return 0;
}

clm::cli::registrar r{{"report", "the management report as one self-contained HTML file (or its figures as JSON)",
                       "clm report --model MODEL [--locale en|ru|zh] --events FILE.csv [--as-of DATE] [--from DATE] [--plan PLAN.json] "
                       "[--policy FILE|seeds] [--top N] (--html OUT.html | --json)",
                       report}};

} // namespace
