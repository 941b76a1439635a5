/// @file partial/partials.hpp
/// Mergeable partial results: the analyses of a portfolio split by customer
/// (by account when customers have one: partial/partition.hpp) computed on
/// each part, merged, and finished into exactly the document the whole
/// portfolio gives, byte for byte (docs/distributed.md).
///
/// A partial is a JSON object {"clm_partial": 1, "analysis", "model",
/// "stages", "as_of", ...}: counts, day histograms (partial/day_histogram.hpp:
/// medians and percentiles merge exactly) and exact sums
/// (partial/exact_sum.hpp: money and probabilities merge bit for bit).
/// merge_partials() is associative and commutative; merging the partial of
/// one part twice counts it twice (the caller merges each part once).
///
/// Analyses: `status`, `funnel`, `time-in-stage` (one phase each), and the
/// forecast in two phases: `forecast-fit` (the stays of every stage and the
/// purchase amounts, which the stage rates and survival fits need), merged
/// over all parts, then `forecast` (each part's open deals scored with the
/// merged fit, summed).
#pragma once

#include <clm/build_mode.hpp>
#include <clm/deal_forecast.hpp>
#include <clm/model.hpp>
#include <clm/portfolio.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace clm {

/// The version of the partial format ("clm_partial"): partials of another
/// version are refused.
inline constexpr int partial_format_version = 1;

/// The partial result of `analysis` ("status", "funnel", "time-in-stage",
/// "forecast-fit" or "forecast") over model slot `slot` of `p` as of
/// `as_of` (every event on that day counted). The "forecast" phase needs
/// `fit`, the merge of every part's "forecast-fit" partial; the others take
/// none. Throws invalid_argument for an unknown analysis or a missing or
/// mismatched fit.
nlohmann::ordered_json partial_of(const portfolio &p, std::size_t slot, const std::string &analysis, timestamp as_of,
                                  const nlohmann::ordered_json *fit = nullptr);

/// The merge of two partials of the same analysis, model and date.
/// Throws invalid_argument when they differ or are malformed.
nlohmann::ordered_json merge_partials(const nlohmann::ordered_json &a, const nlohmann::ordered_json &b);

/// The forecast's fit (each stage's rate and survival, deal_forecast.hpp) from
/// `fit`, the merge of every part's "forecast-fit" partial of model `m` as of
/// `as_of`: what a part scores its open deals with, so that its per-deal
/// p_won (the forecast's, and the policy engine's: compiled_policy::use_forecast_fits())
/// is the whole portfolio's. Throws invalid_argument when `fit` is malformed,
/// or of another analysis, model or date.
forecast_fit fit_of_partial(const model &m, const nlohmann::ordered_json &fit, timestamp as_of);

/// The document the whole portfolio gives for the merged partial `partial`
/// of model `m`: the JSON of `clm status|funnel|time-in-stage|forecast
/// --json` (for "forecast-fit", the forecast's stage rates without deals).
/// Throws invalid_argument when the partial is malformed or of another model.
nlohmann::ordered_json finish_partial(const model &m, const nlohmann::ordered_json &partial);

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/partial/partials-inl.hpp>
#endif
