// main.cpp -- the clm command: dispatches to subcommands (cmd_*.cpp).
// Exit status: 0 success, 1 a failure the input caused, 2 a usage mistake.
#include "cli.hpp"

#include <clm/clm.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <stdexcept>

namespace clm::cli {

std::vector<command> &commands() {
    static std::vector<command> table;
    return table;
}

} // namespace clm::cli

namespace {

using clm::cli::commands;

const char *const order[] = {"version", "help", "presets", "show", "validate", "status", "export",
                             "recommend", "plan", "funnel", "time-in-stage", "dynamics", "plan-actual", "value", "forecast", "report", "demo"};

std::size_t rank(const std::string &name) {
    for (std::size_t i = 0; i < std::size(order); ++i)
        if (name == order[i]) return i;
    return std::size(order);
}

int help(const char *topic) {
    auto &cmds = commands();
    if (topic) {
        for (const auto &c : cmds)
            if (std::strcmp(c.name, topic) == 0) {
                std::cout << "usage: " << c.usage << "\n\n" << c.summary << "\n";
                return 0;
            }
        std::cerr << "clm: error: unknown command '" << topic << "' (see 'clm help')\n";
        return 2;
    }
    std::cout << "clm " CLM_VERSION_STRING " - customer lifecycle management\n\n"
                 "usage: clm <command> [options]\n\ncommands:\n";
    int width = 0;
    for (const auto &c : cmds) width = std::max(width, int(std::strlen(c.name)));
    for (const auto &c : cmds) std::printf("  %-*s  %s\n", width, c.name, c.summary);
    std::cout << "\n'clm help <command>' shows a command's options. Commands that report\n"
                 "take --json for machine-readable output. Errors go to stderr; the exit\n"
                 "status is 1 for bad input and 2 for a usage mistake.\n";
    return 0;
}

clm::cli::registrar help_cmd{{"help", "show the commands, or one command's usage", "clm help [COMMAND]",
                              [](int argc, char **argv) { return help(argc > 0 ? argv[0] : nullptr); }}};

clm::cli::registrar version_cmd{{"version", "print the library version", "clm version [--json]", [](int argc, char **argv) {
    clm::cli::args a(argc, argv, {"json"}, {});
    if (a.flag("json"))
        std::cout << "{\"version\":\"" << CLM_VERSION_STRING << "\",\"version_number\":" << CLM_VERSION_NUMBER << "}\n";
    else
        std::cout << "clm " << CLM_VERSION_STRING << "\n";
    return 0;
}}};

} // namespace

int main(int argc, char **argv) {
    auto &cmds = commands();
    std::stable_sort(cmds.begin(), cmds.end(), [](const auto &a, const auto &b) { return rank(a.name) < rank(b.name); });
    if (argc < 2) return help(nullptr);
    std::string name = argv[1];
    if (name == "--help" || name == "-h") return help(nullptr);
    if (name == "--version") name = "version";
    for (const auto &c : cmds) {
        if (name != c.name) continue;
        try {
            return c.run(argc - 2, argv + 2);
        } catch (const clm::cli::usage_error &e) {
            std::cerr << "clm " << c.name << ": error: " << e.what() << "\nusage: " << c.usage << "\n";
            return 2;
        } catch (const clm::input_error &e) {
            // One `FILE:LINE:COL: error: message` line per problem, as compilers do.
            for (const auto &d : e.problems()) std::cerr << d.to_string() << "\n";
            return 1;
        } catch (const clm::error &e) {
            std::cerr << "clm " << c.name << ": " << e.what() << "\n";
            return 1;
        } catch (const std::bad_alloc &) {
            // Also the length_error of a container asked for more than it can hold:
            // the message is the library's, never an internal exception's text.
            std::cerr << "clm " << c.name << ": error: out of memory: the input is too large for this machine (see the limits in docs/error-handling.md)\n";
            return 1;
        } catch (const std::length_error &) {
            std::cerr << "clm " << c.name << ": error: out of memory: the input is too large for this machine (see the limits in docs/error-handling.md)\n";
            return 1;
        } catch (const std::exception &) {
            std::cerr << "clm " << c.name << ": error: an internal error stopped the command (please report it with the command line)\n";
            return 1;
        }
    }
    std::cerr << "clm: error: unknown command '" << name << "' (see 'clm help')\n";
    return 2;
}
