/// @file report/page-inl.hpp
/// The definitions of report/page.hpp: the page is its sections
/// (report/sections.hpp) in order. Compiled once in src/core/report.cpp, or
/// included by report/page.hpp when CLM_HEADER_ONLY is defined.
#pragma once

#include <clm/report/page.hpp>
#include <clm/report/sections.hpp>

#include <string>

namespace clm {

CLM_INLINE std::string html_report_from_data(const nlohmann::ordered_json &data) {
    using namespace detail::report_html;
    const page_parts pp(data);
    std::string h;
    h.reserve(1 << 20);
    h += page_head(pp);
    h += page_top(pp);
    h += lifecycle_section(pp);
    h += funnel_section(pp);
    h += time_section(pp);
    h += dynamics_section(pp);
    if (!pp.plan.is_null()) h += plan_section(pp);
    h += forecast_section(pp);
    h += value_section(pp);
    if (!pp.recs.is_null()) h += recommendations_section(pp);
    h += page_footer(pp);
    return h;
}

CLM_INLINE std::string html_report(const portfolio &p, std::size_t slot, timestamp as_of, const report_options &opt) {
    return html_report_from_data(report_data(p, slot, as_of, opt));
}

} // namespace clm
