/// @file report/page.hpp
/// The management report as one self-contained HTML5 page (BRIEF 1.3): the
/// lifecycle diagram, the funnel, time in stage, the dynamics matrix, plan
/// against actual, the forecast, customer value and the top recommendations,
/// drawn as inline SVG with inline CSS: no script, font, image or network
/// access. Every figure on the page is rendered from report_data()'s JSON,
/// which is embedded whole in `<script type="application/json" id="clm-data">`.
/// Charts carry their figures in `data-*` attributes (e.g. `data-stage="engaging"
/// data-entered="8300"`) as well as in their text labels. Usage and contents:
/// docs/analytics.md, "The HTML report". Defined in report/page-inl.hpp.
#pragma once

#include <clm/build_mode.hpp>
#include <clm/report/data.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace clm {

/// Renders report_data() as the HTML page: every number on it is taken from
/// `data`, which is also embedded whole as JSON. Sections with no data in
/// `data` (plan_actual, recommendations) are left out.
std::string html_report_from_data(const nlohmann::ordered_json &data);

/// The HTML report of model slot `slot` as of `as_of` (every event on that
/// day counted): one self-contained HTML5 page rendered from
/// report_data(p, slot, as_of, opt). Throws as report_data() does.
std::string html_report(const portfolio &p, std::size_t slot, timestamp as_of, const report_options &opt = {});

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/report/page-inl.hpp>
#endif
