/// @file report/calibration.hpp
/// The backtest's calibration chart: for each tenth of predicted
/// probability, the mean predicted probability of the deals scored in it
/// against the share of them that was won, for the per-deal probabilities
/// and the stage rate, with the diagonal of a perfect forecast. Each point
/// carries its figures in `data-*` attributes. Internal.
#pragma once

#include <clm/report/stages.hpp>

#include <string>

namespace clm::detail::report_html {

/// The calibration chart of a backtest's JSON (backtest_to_json()).
inline std::string calibration_svg(const oj &backtest) {
    const double W = 560, H = 400, x0 = 60, x1 = W - 150, y0 = 20, y1 = H - 50;
    auto px = [&](double p) { return x0 + (x1 - x0) * p; };
    auto py = [&](double p) { return y1 - (y1 - y0) * p; };
    std::string svg = svg_open("calibration", W, H, "calibration of the forecast: predicted against observed");
    for (int t = 0; t <= 100; t += 20) {
        double v = t / 100.0;
        svg += line(px(v), y0, px(v), y1, "grid") + line(x0, py(v), x1, py(v), "grid");
        svg += text(px(v), y1 + 16, std::to_string(t) + "%", "ax", "middle");
        svg += text(x0 - 6, py(v) + 4, std::to_string(t) + "%", "ax", "end");
    }
    svg += line(x0, y1, x1, y1, "axis") + line(x0, y0, x0, y1, "axis");
    svg += line(px(0), py(0), px(1), py(1), "grid", " stroke-dasharray=\"4 4\"");
    svg += text((x0 + x1) / 2, y1 + 36, "predicted probability of winning", "axt", "middle");
    svg += text(14, (y0 + y1) / 2, "share won", "axt", "middle",
                " transform=\"rotate(-90 14 " + f1((y0 + y1) / 2) + ")\"");
    struct series {
        const char *key, *label, *colour;
    };
    const series all[] = {{"per_deal", "per deal (stage and age)", "#16a34a"}, {"stage_only", "stage rate only", "#94a3b8"}};
    double ly = y0 + 6;
    for (const series &s : all) {
        const oj &q = at(backtest, s.key);
        std::string path;
        for (const auto &b : at(q, "calibration")) {
            if (!at(b, "predicted").is_number()) continue;
            double x = px(num(at(b, "predicted"))), y = py(num(at(b, "observed")));
            path += (path.empty() ? "M" : " L") + f1(x) + " " + f1(y);
            svg += "<g class=\"cal-point cal-" + std::string(s.key) + "\"" + data("lo", at(b, "lo")) + data("hi", at(b, "hi")) +
                   data("count", at(b, "count")) + data("predicted", at(b, "predicted")) +
                   data("observed", at(b, "observed")) + ">";
            double r = 3 + std::min(6.0, std::sqrt(num(at(b, "count"))) / 4);
            svg += "<circle cx=\"" + f1(x) + "\" cy=\"" + f1(y) + "\" r=\"" + f1(r) + "\" fill=\"" + s.colour +
                   "\" fill-opacity=\"0.75\"><title>" + esc(std::string(s.label) + ": predicted " + pct(at(b, "predicted"), 1) +
                                                          ", won " + pct(at(b, "observed"), 1) + " of " + count(at(b, "count"))) +
                   "</title></circle></g>";
        }
        if (!path.empty()) svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"1.5\"/>";
        svg += rect(x1 + 14, ly - 8, 10, 10, s.colour) + text(x1 + 30, ly + 1, s.label, "lbl");
        ly += 20;
    }
    return svg + "</svg>";
}

} // namespace clm::detail::report_html
