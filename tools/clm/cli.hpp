// cli.hpp -- what the clm command's subcommands share: argument parsing
// and the command table. Each subcommand lives in its own cmd_*.cpp file.
#pragma once

#include <clm/error.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace clm::cli {

/// A usage mistake: printed with the subcommand's usage, exit status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Parsed arguments: positionals, `--name value` options and `--flag`s.
class args {
public:
    /// Parses argv after the subcommand; `flags` take no value.
    args(int argc, char **argv, std::set<std::string> flags, std::set<std::string> options) {
        for (int i = 0; i < argc; ++i) {
            std::string a = argv[i];
            if (a.rfind("--", 0) == 0 && a.size() > 2) {
                std::string name = a.substr(2), value;
                bool inline_value = false;
                if (auto eq = name.find('='); eq != std::string::npos) {
                    value = name.substr(eq + 1);
                    name = name.substr(0, eq);
                    inline_value = true;
                }
                if (flags.count(name)) {
                    if (inline_value) throw usage_error("--" + name + " takes no value");
                    flags_.insert(name);
                } else if (options.count(name)) {
                    if (!inline_value) {
                        if (i + 1 >= argc) throw usage_error("--" + name + " needs a value");
                        value = argv[++i];
                    }
                    options_[name] = value;
                } else {
                    throw usage_error("unknown option --" + name);
                }
            } else {
                positional_.push_back(a);
            }
        }
    }
    /// Whether `--name` was given.
    bool flag(const std::string &name) const { return flags_.count(name) != 0; }
    /// The value of `--name`, if given.
    std::optional<std::string> option(const std::string &name) const {
        auto it = options_.find(name);
        if (it == options_.end()) return std::nullopt;
        return it->second;
    }
    /// The value of `--name`; a usage error when missing.
    std::string required(const std::string &name) const {
        auto v = option(name);
        if (!v) throw usage_error("missing --" + name);
        return *v;
    }
    /// Positional arguments.
    const std::vector<std::string> &positional() const { return positional_; }

private:
    std::set<std::string> flags_;
    std::map<std::string, std::string> options_;
    std::vector<std::string> positional_;
};

/// One subcommand: its name, a one-line summary, its usage and its body.
struct command {
    const char *name;
    const char *summary;
    const char *usage;
    std::function<int(int argc, char **argv)> run; ///< returns the exit status
};

/// Every subcommand, in the order `clm help` lists them.
std::vector<command> &commands();

/// Registers a subcommand at static-initialisation time.
struct registrar {
    registrar(command c) { commands().push_back(std::move(c)); }
};

} // namespace clm::cli
