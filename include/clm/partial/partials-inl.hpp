/// @file partial/partials-inl.hpp
/// The definitions of partial/partials.hpp: the common header of a partial
/// ({"clm_partial", "analysis", "model", "stages", "as_of"}), and the
/// dispatch to each analysis (partial/counts-inl.hpp, partial/forecast-inl.hpp).
#pragma once

#include <clm/partial/counts-inl.hpp>
#include <clm/partial/forecast-inl.hpp>
#include <clm/partial/partials.hpp>

namespace clm {

namespace detail::partial {

inline const char *const analyses[] = {"status", "funnel", "time-in-stage", "forecast-fit", "forecast"};

inline bool known_analysis(const std::string &a) {
    for (const char *x : analyses)
        if (a == x) return true;
    return false;
}

// The header's analysis, after checking the version and the fields every partial has.
inline std::string header_of(const oj &j) {
    if (!j.is_object()) bad("a partial must be a JSON object");
    if (count(member(j, "clm_partial"), "clm_partial") != std::uint64_t(partial_format_version))
        bad("clm_partial version " + member(j, "clm_partial").dump() + " (this library reads version " +
            std::to_string(partial_format_version) + ")");
    std::string a = text(member(j, "analysis"), "analysis");
    if (!known_analysis(a)) bad("unknown analysis '" + a + "'");
    text(member(j, "model"), "model");
    count(member(j, "stages"), "stages");
    whole(member(j, "as_of"), "as_of");
    return a;
}

inline oj header(const std::string &analysis, const model &m, timestamp as_of) {
    oj j;
    j["clm_partial"] = partial_format_version;
    j["analysis"] = analysis;
    j["model"] = m.id();
    j["stages"] = m.stage_count();
    j["as_of"] = day_of(as_of) * seconds_per_day;
    return j;
}

// Throws unless `j` is a partial of `analysis` for model `m` (its stage count too) as of `as_of` (a day start).
inline void check_matches(const oj &j, const std::string &analysis, const model &m, std::optional<timestamp> as_of, const char *what) {
    if (header_of(j) != analysis) bad(std::string(what) + " is a '" + j["analysis"].get<std::string>() + "' partial, not '" + analysis + "'");
    if (j["model"].get<std::string>() != m.id() || j["stages"].get<std::uint64_t>() != m.stage_count())
        bad(std::string(what) + " is of model '" + j["model"].get<std::string>() + "', not '" + m.id() + "'");
    if (as_of && whole(j["as_of"], "as_of") != *as_of)
        bad(std::string(what) + " is as of " + format_date(whole(j["as_of"], "as_of")) + ", not " + format_date(*as_of));
}

} // namespace detail::partial

CLM_INLINE nlohmann::ordered_json partial_of(const portfolio &p, std::size_t slot, const std::string &analysis, timestamp as_of,
                                             const nlohmann::ordered_json *fit) {
    using namespace detail::partial;
    if (!known_analysis(analysis))
        throw invalid_argument("partial: unknown analysis '" + analysis + "' (status, funnel, time-in-stage, forecast-fit or forecast)");
    const model &m = p.model_at(slot);
    const timestamp day = day_of(as_of) * seconds_per_day;
    if ((analysis == "forecast") != (fit != nullptr))
        throw invalid_argument(analysis == "forecast" ? "partial: the forecast needs the merged forecast-fit partial of every part"
                                                      : "partial: only the forecast takes a fit");
    oj j = header(analysis, m, as_of);
    if (analysis == "status") status_make(p, slot, as_of, j);
    else if (analysis == "funnel") funnel_make(p, slot, as_of, j);
    else if (analysis == "time-in-stage") time_in_stage_make(p, slot, as_of, j);
    else if (analysis == "forecast-fit") forecast_fit_make(p, slot, as_of, j);
    else {
        check_matches(*fit, "forecast-fit", m, day, "the fit");
        forecast_make(p, slot, as_of, *fit, j);
    }
    return j;
}

CLM_INLINE forecast_fit fit_of_partial(const model &m, const nlohmann::ordered_json &fit, timestamp as_of) {
    using namespace detail::partial;
    check_matches(fit, "forecast-fit", m, day_of(as_of) * seconds_per_day, "the fit");
    return fitted_from(m, fit, as_of).fit;
}

CLM_INLINE nlohmann::ordered_json merge_partials(const nlohmann::ordered_json &a, const nlohmann::ordered_json &b) {
    using namespace detail::partial;
    const std::string analysis = header_of(a);
    if (header_of(b) != analysis) bad("cannot merge a '" + analysis + "' partial with a '" + b["analysis"].get<std::string>() + "' one");
    if (a["model"] != b["model"] || a["stages"] != b["stages"]) bad("cannot merge partials of different models");
    if (a["as_of"] != b["as_of"]) bad("cannot merge partials of different dates");
    const std::size_t n = a["stages"].get<std::size_t>();
    oj out;
    for (const char *k : {"clm_partial", "analysis", "model", "stages", "as_of"}) out[k] = a[k];
    if (analysis == "status") status_merge(a, b, n, out);
    else if (analysis == "funnel") funnel_merge(a, b, n, out);
    else if (analysis == "time-in-stage") time_in_stage_merge(a, b, n, out);
    else if (analysis == "forecast-fit") forecast_fit_merge(a, b, n, out);
    else forecast_merge(a, b, n, out);
    return out;
}

CLM_INLINE nlohmann::ordered_json finish_partial(const model &m, const nlohmann::ordered_json &partial) {
    using namespace detail::partial;
    const std::string analysis = header_of(partial);
    check_matches(partial, analysis, m, std::nullopt, "the partial");
    const timestamp as_of = whole(partial["as_of"], "as_of");
    if (analysis == "status") return status_finish(m, partial, as_of);
    if (analysis == "funnel") return funnel_to_json(funnel_finish(m, partial, as_of));
    if (analysis == "time-in-stage") return time_in_stage_to_json(time_in_stage_finish(m, partial, as_of));
    if (analysis == "forecast") check_matches(member(partial, "fit"), "forecast-fit", m, as_of, "the fit");
    return forecast_to_json(forecast_finish(m, partial, as_of, analysis == "forecast"));
}

} // namespace clm
