// cmd_model.cpp -- model subcommands: presets, show, validate.
#include "cli.hpp"
#include "load.hpp"

#include <clm/diagram.hpp>
#include <clm/plan_actual.hpp>
#include <clm/policy.hpp>
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

// What `clm validate` checks: a model, a policy or a plan file.
enum class document_kind { model, policy, plan };

const char *to_string(document_kind k) {
    switch (k) {
    case document_kind::model: return "model";
    case document_kind::policy: return "policy";
    case document_kind::plan: return "plan";
    }
    return "model";
}

// Every problem of one file, each with its position; none when it is valid.
std::vector<clm::diagnostic> problems_of(document_kind kind, const std::string &file) {
    try {
        // A model, policy or plan is JSON: no file larger than a JSON document may be is read whole.
        std::string text = clm::read_file(file, clm::max_json_bytes(), "CLM_MAX_JSON_BYTES");
        switch (kind) {
        case document_kind::model: clm::model_from_json(text, file); break;
        case document_kind::policy: clm::policy_from_json(text, file); break;
        case document_kind::plan: clm::plan_from_json(text, file); break;
        }
    } catch (const clm::input_error &e) {
        return e.problems();
    } catch (const clm::io_error &e) {
        return {clm::diagnostic{file, 0, 0, e.what()}};
    }
    return {};
}

int validate(int argc, char **argv) {
    args a(argc, argv, {"json"}, {"policy", "plan"}, std::numeric_limits<std::size_t>::max());
    std::vector<std::pair<document_kind, std::string>> files;
    for (const auto &file : a.positional()) files.emplace_back(document_kind::model, file);
    if (a.option("policy")) files.emplace_back(document_kind::policy, a.required("policy"));
    if (a.option("plan")) files.emplace_back(document_kind::plan, a.required("plan"));
    if (files.empty()) throw clm::cli::usage_error("expected FILE (a model), --policy FILE or --plan FILE");
    int status = 0;
    nlohmann::ordered_json report = nlohmann::ordered_json::array();
    for (const auto &[kind, file] : files) {
        std::vector<clm::diagnostic> problems = problems_of(kind, file);
        if (!problems.empty()) status = 1;
        if (a.flag("json")) {
            nlohmann::ordered_json errs = nlohmann::ordered_json::array();
            for (const auto &p : problems)
                errs.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
            report.push_back({{"file", file}, {"ok", problems.empty()}, {"errors", errs}, {"kind", to_string(kind)}});
        } else if (problems.empty()) {
            std::cout << (files.size() > 1 ? file + ": ok" : std::string("ok")) << "\n";
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
clm::cli::registrar r3{{"validate", "check model, policy and plan files; print 'ok' or every problem as FILE:LINE:COL: error: message",
                        "clm validate [FILE...] [--policy FILE] [--plan FILE] [--json]  (FILE: a model)", validate}};

} // namespace
