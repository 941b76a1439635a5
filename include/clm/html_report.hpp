/// @file html_report.hpp
/// The management report (BRIEF 1.3): report_data() assembles its figures as
/// JSON (report/data.hpp), html_report() renders them as one self-contained
/// HTML5 page (report/page.hpp). This header includes both, and the analyses
/// the report is made of, as it always did; the report's parts (HTML writing,
/// SVG primitives, the lifecycle diagram, charts, sections, style sheet) live
/// under include/clm/report/. Usage and contents: docs/analytics.md, "The HTML
/// report".
#pragma once

#include <clm/clm.h>
#include <clm/customer_value.hpp>
#include <clm/dynamics.hpp>
#include <clm/forecast.hpp>
#include <clm/funnel.hpp>
#include <clm/model_json.hpp>
#include <clm/plan_actual.hpp>
#include <clm/recommend_json.hpp>
#include <clm/report/data.hpp>
#include <clm/report/page.hpp>
#include <clm/time_in_stage.hpp>
