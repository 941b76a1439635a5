// cmd_portfolio.cpp -- portfolio subcommands: status (customers per stage on
// a date) and export (the maturity export).
#include "cli.hpp"
#include "load.hpp"

#include <clm/event_log.hpp>
#include <clm/maturity_export.hpp>
#include <clm/presets.hpp>

#include <iostream>

namespace {

using clm::cli::args;
using clm::cli::load;

int status(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "as-of", "locale"});
    auto l = load(a);
    const clm::model &m = l.p.model_at(0);
    auto counts = l.p.stage_counts(0, clm::end_of_day(l.as_of));
    std::size_t total = 0;
    for (auto n : counts) total += n;
    if (a.flag("json")) {
        nlohmann::ordered_json j;
        j["model"] = m.id();
        j["as_of"] = clm::format_date(l.as_of);
        j["customers"] = total;
        nlohmann::ordered_json stages = nlohmann::ordered_json::array();
        for (clm::stage_index s = 0; s < m.stage_count(); ++s)
            stages.push_back({{"id", m.stage_at(s).id}, {"current", counts[s]}});
        j["stages"] = stages;
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << "model " << m.id() << " v" << m.version() << ", as of " << clm::format_date(l.as_of) << ": "
              << total << " customers\n";
    for (clm::stage_index s = 0; s < m.stage_count(); ++s) {
        char line[256];
        std::snprintf(line, sizeof line, "  %-24s %-9s %8zu\n", m.stage_at(s).id.c_str(), clm::to_string(m.stage_at(s).kind), counts[s]);
        std::cout << line;
    }
    return 0;
}

int export_cmd(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"model", "events", "as-of", "output", "format", "locale"});
    std::string format = a.flag("json") ? "json" : a.option("format").value_or("csv");
    if (format != "csv" && format != "json") throw clm::cli::usage_error("unknown --format '" + clm::printable(format) + "' (csv or json)");
    auto l = load(a);
    auto rows = clm::maturity_export(l.p, l.as_of);
    std::string text;
    if (format == "csv") text = clm::maturity_export_csv(l.p, rows);
    else if (format == "json") text = clm::maturity_export_json(l.p, rows, l.as_of).dump(2) + "\n";
    else throw clm::cli::usage_error("unknown --format '" + format + "' (csv or json)");
    if (auto out = a.option("output")) {
        clm::write_file_atomic(*out, text);
        std::cerr << "wrote " << rows.size() << " customers to " << *out << "\n";
    } else {
        std::cout << text;
    }
    return 0;
}

clm::cli::registrar r1{{"status", "count the customers in each stage on a date",
                        "clm status --model MODEL [--locale en|ru|zh] --events FILE.csv [--as-of YYYY-MM-DD] [--json]", status}};
clm::cli::registrar r2{{"export", "the portfolio export with maturity markers, one row per customer",
                        "clm export --model MODEL [--locale en|ru|zh] --events FILE.csv [--as-of DATE] [--format csv|json] [--json] [--output FILE]",
                        export_cmd}};

} // namespace
