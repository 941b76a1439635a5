// load.hpp -- what the portfolio subcommands share: loading --model and
// --events into a portfolio, and the --as-of date.
#pragma once

#include "cli.hpp"

#include <clm/event_log.hpp>
#include <clm/presets.hpp>

#include <algorithm>

namespace clm::cli {

/// A portfolio loaded from the command line, and the date to report on.
struct loaded {
    clm::portfolio p;          ///< The model of --model with the events of --events.
    clm::timestamp as_of = 0;  ///< --as-of, or the date of the last event.
};

/// Loads --model (a preset id or a JSON file) and --events (an event-log CSV);
/// the as-of date is --as-of, defaulting to the last event's date.
inline loaded load(const args &a) {
    loaded l;
    l.p.add_model(clm::load_model(a.required("model")));
    std::string events = a.required("events");
    clm::import_event_log(l.p, clm::read_file(events), events);
    if (auto d = a.option("as-of")) {
        l.as_of = clm::require_timestamp(*d, "--as-of");
    } else {
        for (const auto &e : l.p.journal()) l.as_of = std::max(l.as_of, e.time);
    }
    return l;
}

} // namespace clm::cli
