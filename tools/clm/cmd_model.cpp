// cmd_model.cpp -- model subcommands: presets, show, validate.
#include "cli.hpp"
#include "load.hpp"

#include <clm/diagram.hpp>
#include <clm/presets.hpp>

#include <iostream>
#include <limits>

namespace {

using clm::cli::args;

int presets(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"locale"});
    a.locale();
    if (a.flag("json")) {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < clm::preset_count(); ++i) {
            auto m = clm::cli::in_locale(clm::load_preset(clm::preset_id(i)), a);
            j.push_back({{"id", m->id()}, {"version", m->version()}, {"name", m->name()}, {"stages", m->stage_count()}});
        }
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    for (std::size_t i = 0; i < clm::preset_count(); ++i) std::cout << clm::preset_id(i) << "\n";
    return 0;
}

int show(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"format", "locale"}, 1);
    if (a.positional().size() != 1) throw clm::cli::usage_error("expected one MODEL (a preset id or a JSON file)");
    std::string format = a.flag("json") ? "json" : a.option("format").value_or("text");
    a.locale();
    auto m = clm::cli::in_locale(clm::load_model(a.positional()[0]), a);
    if (format == "text") std::cout << clm::model_to_text(*m);
    else if (format == "json") std::cout << clm::model_to_json(*m).dump(2) << "\n";
    else if (format == "dot") std::cout << clm::model_to_dot(*m);
    else if (format == "mermaid") std::cout << clm::model_to_mermaid(*m);
    else throw clm::cli::usage_error("unknown --format '" + format + "' (text, json, dot or mermaid)");
    return 0;
}

int validate(int argc, char **argv) {
    args a(argc, argv, {"json"}, {}, std::numeric_limits<std::size_t>::max());
    if (a.positional().empty()) throw clm::cli::usage_error("expected FILE");
    int status = 0;
    nlohmann::ordered_json report = nlohmann::ordered_json::array();
    for (const auto &file : a.positional()) {
        std::vector<clm::diagnostic> problems;
        try {
            // A model is JSON: no file larger than a JSON document may be is read whole.
            clm::model_from_json(clm::read_file(file, clm::max_json_bytes(), "CLM_MAX_JSON_BYTES"), file);
        } catch (const clm::input_error &e) {
            problems = e.problems();
        } catch (const clm::io_error &e) {
            problems.push_back(clm::diagnostic{file, 0, 0, e.what()});
        }
        if (!problems.empty()) status = 1;
        if (a.flag("json")) {
            nlohmann::ordered_json errs = nlohmann::ordered_json::array();
            for (const auto &p : problems)
                errs.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
            report.push_back({{"file", file}, {"ok", problems.empty()}, {"errors", errs}});
        } else if (problems.empty()) {
            std::cout << (a.positional().size() > 1 ? file + ": ok" : std::string("ok")) << "\n";
        } else {
            for (const auto &p : problems) std::cerr << p.to_string() << "\n";
        }
    }
    // File names need not be UTF-8: their invalid bytes print as U+FFFD.
    if (a.flag("json")) std::cout << report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return status;
}

clm::cli::registrar r1{{"presets", "list the preset model ids, one a line", "clm presets [--json] [--locale en|ru|zh]", presets}};
clm::cli::registrar r2{{"show", "print a model as text, JSON, DOT or Mermaid",
                        "clm show MODEL [--format text|json|dot|mermaid] [--json] [--locale en|ru|zh]  (MODEL: a preset id or a JSON file; "
                        "--json writes every locale's text)", show}};
clm::cli::registrar r3{{"validate", "check model files; print 'ok' or every problem as FILE:LINE:COL: error: message",
                        "clm validate FILE... [--json]", validate}};

} // namespace
