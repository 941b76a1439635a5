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

/// The time of the portfolio's newest event, whatever its year (before 1970
/// too); 0 (1970-01-01) when it has none.
inline clm::timestamp newest_event(const clm::portfolio &p) {
    std::optional<clm::timestamp> newest;
    for (const auto &e : p.journal())
        if (!newest || e.time > *newest) newest = e.time;
    return newest.value_or(0);
}

/// `m` showing its text in --locale when given; a usage error listing the
/// model's locales when it has no text in that locale.
inline clm::model_ptr in_locale(clm::model_ptr m, const args &a) {
    auto locale = a.locale();
    if (!locale) return m;
    if (!m->locales().has(*locale))
        throw usage_error("--locale " + *locale + ": model '" + m->id() + "' has no text in locale '" + *locale +
                          "' (available: " + m->locales().joined() + ")");
    return m->in_locale(*locale);
}

/// Loads --model (a preset id or a JSON file), shown in --locale, and --events (an event-log CSV);
/// the as-of date is --as-of, defaulting to the last event's date.
inline loaded load(const args &a) {
    loaded l;
    a.date("as-of"); // a bad date or locale is a usage error before any file is read
    a.locale();
    l.p.add_model(in_locale(clm::load_model(a.required("model")), a));
    std::string events = a.required("events");
    clm::import_event_log(l.p, clm::read_file(events), events);
    if (auto d = a.date("as-of")) l.as_of = *d;
    else l.as_of = newest_event(l.p);
    return l;
}

} // namespace clm::cli
