// cli.hpp -- what the clm command's subcommands share: argument parsing
// and the command table. Each subcommand lives in its own cmd_*.cpp file.
#pragma once

#include <clm/dates.hpp>
#include <clm/error.hpp>
#include <clm/localized_text.hpp>
#include <clm/numbers.hpp>
#include <clm/printable.hpp>

#include <cstdint>
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

/// Parsed arguments: positionals, `--name value` (or `--name=value`) options
/// and `--flag`s. Strict: an unknown option, a repeated one, a missing value,
/// a value given to a flag, a stray argument and a single-dash word are
/// usage errors; `--` ends the options (what follows is positional).
class args {
public:
    /// Parses argv after the subcommand; `flags` take no value; at most
    /// `max_positional` positional arguments are accepted (none by default).
    args(int argc, char **argv, std::set<std::string> flags, std::set<std::string> options, std::size_t max_positional = 0) {
        bool options_done = false;
        for (int i = 0; i < argc; ++i) {
            std::string a = argv[i];
            if (!options_done && a == "--") {
                options_done = true;
            } else if (!options_done && a.rfind("--", 0) == 0) {
                std::string name = a.substr(2), value;
                bool inline_value = false;
                if (auto eq = name.find('='); eq != std::string::npos) {
                    value = name.substr(eq + 1);
                    name = name.substr(0, eq);
                    inline_value = true;
                }
                if (flags.count(name)) {
                    if (inline_value) throw usage_error("--" + name + " takes no value");
                    if (!flags_.insert(name).second) throw usage_error("--" + name + " given twice");
                } else if (options.count(name)) {
                    if (!inline_value) {
                        if (i + 1 >= argc) throw usage_error("--" + name + " needs a value");
                        value = argv[++i];
                    }
                    if (!options_.emplace(name, value).second) throw usage_error("--" + name + " given twice");
                } else {
                    throw usage_error("unknown option --" + clm::printable(name));
                }
            } else if (!options_done && a.size() > 1 && a[0] == '-') {
                throw usage_error("unknown option " + clm::printable(a) + " (options start with --)");
            } else {
                if (positional_.size() >= max_positional)
                    throw usage_error("unexpected argument '" + clm::printable(a) + "'");
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
    /// The value of `--name`; a usage error when missing or empty.
    std::string required(const std::string &name) const {
        auto v = option(name);
        if (!v) throw usage_error("missing --" + name);
        if (v->empty()) throw usage_error("--" + name + " needs a non-empty value");
        return *v;
    }
    /// The whole number in `--name` within [lo, hi], if given; a usage error otherwise.
    std::optional<std::int64_t> whole(const std::string &name, std::int64_t lo, std::int64_t hi) const {
        auto v = option(name);
        if (!v) return std::nullopt;
        auto n = clm::parse_whole(*v, lo, hi);
        if (!n) throw usage_error("--" + name + " needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + clm::printable(*v) + "'");
        return n;
    }
    /// The decimal number in `--name` within (lo, hi] (or [lo, hi] when `lo_inclusive`), if given.
    std::optional<double> number(const std::string &name, double lo, double hi, bool lo_inclusive, const char *range) const {
        auto v = option(name);
        if (!v) return std::nullopt;
        auto n = clm::parse_decimal_in(*v, lo, hi);
        if (!n || (!lo_inclusive && *n == lo)) throw usage_error("--" + name + " needs a number in " + range + ", got '" + clm::printable(*v) + "'");
        return n;
    }
    /// The date in `--name` (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS), if given; a usage error otherwise.
    std::optional<clm::timestamp> date(const std::string &name) const {
        auto v = option(name);
        if (!v) return std::nullopt;
        auto t = clm::parse_timestamp(*v);
        if (!t) throw usage_error("--" + name + " needs a date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (a real calendar day), got '" + clm::printable(*v) + "'");
        return t;
    }
    /// The locale in `--locale` (a tag such as en, ru or zh), if given; a
    /// usage error when it is not a locale tag. Whether the model has it is
    /// checked when the model is loaded (load.hpp, in_locale()).
    std::optional<std::string> locale() const {
        auto v = option("locale");
        if (!v) return std::nullopt;
        if (!clm::is_locale_tag(*v)) throw usage_error("--locale needs a locale such as en, ru or zh, got '" + clm::printable(*v) + "'");
        return v;
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
