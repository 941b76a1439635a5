/// @file report/charts.hpp
/// The report's charts, each an inline SVG drawn from one analysis' JSON:
/// the funnel, conversion along the main path, time in stage, the dynamics'
/// progress and transition matrix, shares, revenue by stage and the forecast.
/// Each chart carries its figures in `data-*` attributes as well as in its
/// labels. Internal.
#pragma once

#include <clm/report/stages.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clm::detail::report_html {

/// The funnel: entered, current and lost per stage as grouped bars.
inline std::string funnel_svg(const oj &funnel, const std::map<std::string, stage_info> &sm) {
    const oj &stages = at(funnel, "stages");
    std::vector<std::string> ids;
    double max = 0;
    for (const auto &s : stages) {
        ids.push_back(str(s, "id"));
        for (const char *k : {"entered", "current", "lost_from"}) max = std::max(max, num(at(s, k)));
    }
    const double W = 1160, lab = label_column(sm, ids, 13, 110, 240), x0 = lab + 8, x1 = W - 84;
    const double bar = 11, step = 3 * bar + 2 * 3 + 16, top = 8;
    const double axis_y = top + step * double(ids.size()) - 8;
    const double tick = tick_step(max), amax = max > 0 ? std::ceil(max / tick) * tick : 1;
    std::string out = svg_open("funnel", W, axis_y + 42, "funnel by stage");
    out += x_axis(x0, x1, top - 4, axis_y, amax, tick, "customers", [](double v) { return fixed(v, 0); });
    double y = top;
    for (const auto &s : stages) {
        std::string id = str(s, "id"), kind = stage_kind_of(sm, id);
        out += "<g class=\"funnel-stage\"" + data("stage", id) + data("entered", at(s, "entered")) +
               data("current", at(s, "current")) + data("lost-from", at(s, "lost_from")) +
               data("median-days", at(s, "median_days")) + ">";
        double mid = y + (3 * bar + 6) / 2;
        out += kind_dot(10, mid, kind);
        out += "<title>" + esc(stage_name(sm, id) + " (" + id + ")") + "</title>";
        out += text(22, mid + 4.5, fit(stage_name(sm, id), lab - 26, 13), "lbl");
        const char *keys[] = {"entered", "current", "lost_from"};
        const char *fills[] = {"#93c5fd", "#2563eb", "#ef4444"};
        const char *classes[] = {"v v-entered", "v v-current", "v v-lost"};
        for (int k = 0; k < 3; ++k) {
            double v = num(at(s, keys[k])), w = (x1 - x0) * v / amax;
            if (v > 0) w = std::max(w, 1.5);
            double by = y + k * (bar + 3);
            out += rect(x0, by, w, bar, fills[k], " rx=\"2\"");
            out += text(x0 + w + 5, by + bar - 1.5, count(at(s, keys[k])), classes[k]);
        }
        out += "</g>";
        y += step;
    }
    return out + "</svg>";
}

/// Conversion along the main path: a box per stage with its `entered`, and the rate on each arrow.
inline std::string conversion_svg(const oj &funnel, const std::map<std::string, stage_info> &sm) {
    const oj &conv = at(funnel, "conversion");
    if (!conv.is_array() || conv.empty()) return "";
    std::vector<std::string> path{str(conv[0], "from")};
    for (const auto &c : conv) path.push_back(str(c, "to"));
    std::map<std::string, oj> entered;
    for (const auto &s : at(funnel, "stages")) entered[str(s, "id")] = at(s, "entered");
    const double n = double(path.size()), gap = 78;
    const double box = std::min(200.0, (1160 - gap * (n - 1)) / n), W = box * n + gap * (n - 1) + 4, H = 74;
    std::string out = svg_open("conversion", W, H, "conversion along the main path");
    out += "<defs><marker id=\"clm-arrow-conv\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
           "markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0.8 L10,5 L0,9.2 z\" "
           "fill=\"#475569\"/></marker></defs>";
    for (std::size_t i = 0; i < path.size(); ++i) {
        double x = 2 + double(i) * (box + gap);
        std::string kind = stage_kind_of(sm, path[i]);
        const oj &e = entered.count(path[i]) ? entered[path[i]] : oj();
        out += "<g class=\"conv-stage\"" + data("stage", path[i]) + data("entered", e) + ">";
        out += rect(x, 14, box, 50, kind_fill(kind), " rx=\"7\" stroke=\"" + std::string(kind_stroke(kind)) + "\"");
        out += text(x + box / 2, 34, fit(stage_name(sm, path[i]), box - 10, 12.5, true), "nname", "middle");
        out += text(x + box / 2, 53, count(e) + " entered", "nsub", "middle");
        out += "</g>";
        if (i + 1 < path.size()) {
            const oj &c = conv[i];
            double ax = x + box + 4, bx = x + box + gap - 4;
            out += "<g class=\"conv-step\"" + data("from", str(c, "from")) + data("to", str(c, "to")) +
                   data("rate", at(c, "rate")) + ">";
            out += line(ax, 39, bx, 39, "conv-arrow", " marker-end=\"url(#clm-arrow-conv)\"");
            out += text((ax + bx) / 2, 32, at(c, "rate").is_number() ? pct(at(c, "rate")) : "no data", "rate", "middle");
            out += "</g>";
        }
    }
    return out + "</svg>";
}

/// Time in stage: median, mean and 90th percentile bars per stage, the time limit, open and stuck counts.
inline std::string time_svg(const oj &tis, const std::map<std::string, stage_info> &sm) {
    const oj &stages = at(tis, "stages");
    std::vector<std::string> ids;
    double max = 0;
    for (const auto &s : stages) {
        ids.push_back(str(s, "id"));
        for (const char *k : {"median_days", "mean_days", "p90_days", "time_limit_days"}) max = std::max(max, num(at(s, k)));
    }
    const double W = 1160, lab = label_column(sm, ids, 13, 110, 240), x0 = lab + 8, x1 = W - 330;
    const double cols[] = {W - 262, W - 186, W - 112, W - 36}; // right edges of the number columns
    const double bar = 10, step = 3 * bar + 2 * 3 + 16, top = 26;
    const double axis_y = top + step * double(ids.size()) - 8;
    const double tick = tick_step(max), amax = max > 0 ? std::ceil(max / tick) * tick : 1;
    std::string out = svg_open("time", W, axis_y + 42, "time in stage");
    const char *heads[] = {"open", "mean age", "limit", "stuck"};
    for (int c = 0; c < 4; ++c) out += text(cols[c], 12, heads[c], "colh", "end");
    out += x_axis(x0, x1, top - 4, axis_y, amax, tick, "days in stage (completed stays)", [](double v) { return fixed(v, 0); });
    double y = top;
    for (const auto &s : stages) {
        std::string id = str(s, "id"), kind = stage_kind_of(sm, id);
        const oj &stuck = at(s, "stuck");
        oj stuck_n = stuck.is_array() ? oj(stuck.size()) : oj(0);
        out += "<g class=\"tis-stage\"" + data("stage", id) + data("completed", at(s, "completed_stays")) +
               data("median-days", at(s, "median_days")) + data("mean-days", at(s, "mean_days")) +
               data("p90-days", at(s, "p90_days")) + data("open", at(s, "open_stays")) +
               data("open-mean-age-days", at(s, "open_mean_age_days")) + data("time-limit-days", at(s, "time_limit_days")) +
               data("stuck", stuck_n) + ">";
        double mid = y + (3 * bar + 6) / 2;
        out += kind_dot(10, mid, kind);
        out += "<title>" + esc(stage_name(sm, id) + " (" + id + ")") + "</title>";
        out += text(22, mid + 4.5, fit(stage_name(sm, id), lab - 26, 13), "lbl");
        if (at(s, "time_limit_days").is_number()) {
            double lx = x0 + (x1 - x0) * num(at(s, "time_limit_days")) / amax;
            out += line(lx, y - 4, lx, y + 3 * bar + 10, "limit");
        }
        if (num(at(s, "completed_stays")) <= 0) {
            out += text(x0 + 6, mid + 4, "no completed stays", "none");
        } else {
            const char *keys[] = {"median_days", "mean_days", "p90_days"};
            const char *fills[] = {"#0f766e", "#2dd4bf", "#99f6e4"};
            const char *classes[] = {"v v-median", "v v-mean", "v v-p90"};
            for (int k = 0; k < 3; ++k) {
                double v = num(at(s, keys[k])), w = (x1 - x0) * v / amax;
                if (v > 0) w = std::max(w, 1.5);
                double by = y + k * (bar + 3);
                out += rect(x0, by, w, bar, fills[k], " rx=\"2\"");
                out += text(x0 + w + 5, by + bar - 1, days(at(s, keys[k])), classes[k]);
            }
        }
        out += text(cols[0], mid + 4, count(at(s, "open_stays")), "v v-open", "end");
        out += text(cols[1], mid + 4, at(s, "open_mean_age_days").is_number() ? days(at(s, "open_mean_age_days")) + " d" : "\xE2\x80\x93",
                    "v", "end");
        out += text(cols[2], mid + 4, at(s, "time_limit_days").is_number() ? count(at(s, "time_limit_days")) + " d" : "\xE2\x80\x93",
                    "v", "end");
        out += text(cols[3], mid + 4, count(stuck_n), num(stuck_n) > 0 ? "v v-stuck hot" : "v v-stuck", "end");
        out += "</g>";
        y += step;
    }
    return out + "</svg>";
}

/// Horizontal bars of named counts (the dynamics' promoted / regressed / ...).
inline std::string progress_svg(const oj &totals) {
    struct item {
        const char *key, *label, *fill;
    };
    const item items[] = {{"promoted", "promoted", "#16a34a"},
                          {"regressed", "regressed", "#f59e0b"},
                          {"unchanged", "unchanged", "#94a3b8"},
                          {"new", "new", "#3b82f6"},
                          {"left", "left (lost or ended)", "#dc2626"}};
    double max = 0;
    for (const auto &it : items) max = std::max(max, num(at(totals, it.key)));
    const double W = 1160, x0 = 170, x1 = W - 84, bar = 16, step = 26, top = 6;
    const double axis_y = top + step * 5 - 4;
    const double tick = tick_step(max), amax = max > 0 ? std::ceil(max / tick) * tick : 1;
    std::string out = svg_open("progress", W, axis_y + 42, "customers by progress");
    out += x_axis(x0, x1, top - 2, axis_y, amax, tick, "customers", [](double v) { return fixed(v, 0); });
    double y = top;
    for (const auto &it : items) {
        const oj &v = at(totals, it.key);
        double w = (x1 - x0) * num(v) / amax;
        if (num(v) > 0) w = std::max(w, 1.5);
        out += "<g class=\"dyn-progress\"" + data("progress", it.key) + data("count", v) + ">";
        out += text(10, y + bar - 3, it.label, "lbl");
        out += rect(x0, y, w, bar, it.fill, " rx=\"2\"");
        out += text(x0 + w + 5, y + bar - 3.5, count(v), "v");
        out += "</g>";
        y += step;
    }
    return out + "</svg>";
}

/// The dynamics matrix as a heat map: stage on D1 (rows) by stage on D2 (columns).
inline std::string matrix_svg(const oj &dyn, const std::map<std::string, stage_info> &sm) {
    std::vector<std::string> cols;
    for (const auto &s : at(dyn, "stages")) cols.push_back(str(s, "id"));
    const oj &matrix = at(dyn, "matrix");
    double max = 0, widest = 0;
    for (const auto &row : matrix)
        for (const auto &c : cols) {
            max = std::max(max, num(at(at(row, "to"), c.c_str())));
            widest = std::max(widest, text_width(count(at(at(row, "to"), c.c_str())), 12));
        }
    double lab = 0;
    for (const auto &row : matrix) lab = std::max(lab, text_width(stage_name(sm, str(row, "from")), 12.5));
    lab = std::clamp(lab + 26, 90.0, 200.0);
    const double left = 26, x0 = left + lab;
    const double cell_w = std::clamp(std::max((1100 - x0) / std::max<double>(1, double(cols.size())), widest + 14), 46.0, 96.0);
    const double cell_h = 30;
    double col_label = 0;
    for (const auto &c : cols) col_label = std::max(col_label, text_width(stage_name(sm, c), 12));
    col_label = std::min(col_label, 150.0);
    const bool rotate = col_label > cell_w - 8;
    const double head = rotate ? col_label * 0.6428 + 34 : 40; // sin 40°
    const double y0 = head;
    const double W = x0 + cell_w * double(cols.size()) + (rotate ? col_label * 0.766 : 0) + 12;
    const double H = y0 + cell_h * double(matrix.size()) + 8;
    std::string out = svg_open("matrix", W, H, "transition matrix");
    out += text(x0 + cell_w * double(cols.size()) / 2, 13, "stage on " + str(dyn, "to") + " \xE2\x86\x92", "axt", "middle");
    out += text(14, y0 + cell_h * double(matrix.size()) / 2, "stage on " + str(dyn, "from"), "axt", "middle",
                " transform=\"rotate(-90 14 " + f1(y0 + cell_h * double(matrix.size()) / 2) + ")\"");
    for (std::size_t c = 0; c < cols.size(); ++c) {
        double cx = x0 + cell_w * (double(c) + 0.5);
        std::string name = fit(stage_name(sm, cols[c]), 150, 12);
        if (rotate)
            out += text(cx - 3, y0 - 7, name, "lbl small", "start",
                        " transform=\"rotate(-40 " + f1(cx - 3) + " " + f1(y0 - 7) + ")\"");
        else
            out += text(cx, y0 - 9, name, "lbl small", "middle");
    }
    double y = y0;
    for (const auto &row : matrix) {
        std::string from = str(row, "from");
        out += text(x0 - 8, y + cell_h / 2 + 4.5, fit(stage_name(sm, from), lab - 10, 12.5), "lbl", "end");
        for (std::size_t c = 0; c < cols.size(); ++c) {
            const oj &v = at(at(row, "to"), cols[c].c_str());
            double t = max > 0 ? std::sqrt(num(v) / max) : 0;
            std::string fill = "#f8fafc";
            if (num(v) > 0) { // #dbeafe -> #1e3a8a
                int r = int(std::lround(219 + (30 - 219) * t)), g = int(std::lround(234 + (58 - 234) * t)),
                    b = int(std::lround(254 + (138 - 254) * t));
                char buf[16];
                std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
                fill = buf;
            }
            double x = x0 + cell_w * double(c);
            bool diagonal = from == cols[c];
            out += "<g class=\"dyn-cell\"" + data("from", from) + data("to", cols[c]) + data("count", v) + ">";
            out += "<title>" + esc(stage_name(sm, from) + " \xE2\x86\x92 " + stage_name(sm, cols[c]) + ": " + count(v)) + "</title>";
            out += rect(x + 1, y + 1, cell_w - 2, cell_h - 2, fill,
                        diagonal ? " rx=\"3\" stroke=\"#475569\" stroke-width=\"1.4\"" : " rx=\"3\"");
            out += text(x + cell_w / 2, y + cell_h / 2 + 4, count(v),
                        num(v) <= 0 ? "cell zero" : t > 0.55 ? "cell dark" : "cell", "middle");
            out += "</g>";
        }
        y += cell_h;
    }
    return out + "</svg>";
}

/// 100% bars of shares (Pareto, repeat purchase), each with its label and percentage.
inline std::string shares_svg(const std::vector<std::pair<std::string, oj>> &rows, const std::vector<std::string> &keys,
                              const char *fill) {
    const double W = 1160, x0 = 250, x1 = W - 90, bar = 18, step = 30;
    std::string out = svg_open("shares", W, step * double(rows.size()) + 30, "shares");
    double y = 4;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const oj &v = rows[i].second;
        double w = (x1 - x0) * std::clamp(num(v), 0.0, 1.0);
        out += "<g class=\"share\"" + data("share", keys[i]) + data("value", v) + ">";
        out += text(10, y + bar - 4, rows[i].first, "lbl");
        out += rect(x0, y, x1 - x0, bar, "#eef2f7", " rx=\"3\"");
        out += rect(x0, y, w, bar, fill, " rx=\"3\"");
        out += text(x1 + 8, y + bar - 4, pct(v), "v strong");
        out += "</g>";
        y += step;
    }
    for (int p = 0; p <= 100; p += 20) {
        double x = x0 + (x1 - x0) * p / 100.0;
        out += text(x, y + 8, std::to_string(p) + "%", "ax", "middle");
    }
    return out + "</svg>";
}

/// Revenue by current stage: one bar per stage with its revenue and customers.
inline std::string revenue_svg(const oj &stages, const std::map<std::string, stage_info> &sm) {
    std::vector<std::string> ids;
    double max = 0;
    auto shown = [&](const oj &s) { return sm.count(str(s, "stage")) || num(at(s, "customers")) > 0; }; // "(none)" only when used
    for (const auto &s : stages) {
        if (!shown(s)) continue;
        ids.push_back(str(s, "stage"));
        max = std::max(max, num(at(s, "revenue")));
    }
    const double W = 1160, lab = label_column(sm, ids, 13, 110, 240), x0 = lab + 8, x1 = W - 260;
    const double bar = 16, step = 26, top = 20;
    const double axis_y = top + step * double(ids.size()) - 4;
    const double tick = tick_step(max), amax = max > 0 ? std::ceil(max / tick) * tick : 1;
    std::string out = svg_open("revenue", W, axis_y + 42, "revenue by stage");
    out += text(W - 10, 12, "customers", "colh", "end");
    out += x_axis(x0, x1, top - 2, axis_y, amax, tick, "revenue of the customers now in the stage",
                  [](double v) { return fixed(v, 0); });
    double y = top;
    for (const auto &s : stages) {
        if (!shown(s)) continue;
        std::string id = str(s, "stage");
        double w = (x1 - x0) * num(at(s, "revenue")) / amax;
        if (num(at(s, "revenue")) > 0) w = std::max(w, 1.5);
        out += "<g class=\"revenue-stage\"" + data("stage", id) + data("customers", at(s, "customers")) +
               data("revenue", at(s, "revenue")) + ">";
        if (sm.count(id)) out += kind_dot(10, y + bar / 2, stage_kind_of(sm, id));
        out += text(22, y + bar - 3, fit(stage_name(sm, id), lab - 26, 13), "lbl");
        out += rect(x0, y, w, bar, "#8b5cf6", " rx=\"2\"");
        out += text(x0 + w + 5, y + bar - 3.5, money(at(s, "revenue")), "v v-revenue");
        out += text(W - 10, y + bar - 3.5, count(at(s, "customers")), "v v-customers", "end");
        out += "</g>";
        y += step;
    }
    return out + "</svg>";
}

/// Forecast by open stage: P(win) bars, expected days to win, open customers, expected revenue and source.
inline std::string forecast_svg(const std::vector<const oj *> &open, const std::map<std::string, stage_info> &sm) {
    const double W = 1160, x0 = 0, lab = [&] {
        std::vector<std::string> ids;
        for (const oj *s : open) ids.push_back(str(*s, "id"));
        return label_column(sm, ids, 13, 110, 240);
    }() + x0;
    const double t0 = lab + 8, t1 = t0 + 380, step = 32, top = 24, bar = 16;
    const double cols[] = {t1 + 150, t1 + 270, t1 + 440, W - 10};
    std::string svg = svg_open("forecast", W, top + step * double(open.size()) + 30, "forecast by stage");
    const char *heads[] = {"days to win", "open customers", "expected revenue", "source"};
    svg += text(t0, 12, "P(win)", "colh");
    for (int c = 0; c < 4; ++c) svg += text(cols[c], 12, heads[c], "colh", "end");
    double y = top;
    for (const oj *sp : open) {
        const oj &s = *sp;
        std::string id = str(s, "id");
        double p = std::clamp(num(at(s, "p_win")), 0.0, 1.0);
        svg += "<g class=\"fc-stage\"" + detail::report_html::data("stage", id) +
               detail::report_html::data("p-win", at(s, "p_win")) +
               detail::report_html::data("expected-days", at(s, "expected_days_to_win")) +
               detail::report_html::data("open", at(s, "open_customers")) +
               detail::report_html::data("expected-revenue", at(s, "expected_revenue")) +
               detail::report_html::data("source", at(s, "source")) + ">";
        svg += kind_dot(10, y + bar / 2, stage_kind_of(sm, id));
        svg += text(22, y + bar - 3, fit(stage_name(sm, id), lab - 26, 13), "lbl");
        svg += rect(t0, y, t1 - t0, bar, "#eef2f7", " rx=\"3\"");
        svg += rect(t0, y, (t1 - t0) * p, bar, "#16a34a", " rx=\"3\"");
        svg += text(t1 + 8, y + bar - 3.5, pct(at(s, "p_win")), "v strong v-pwin");
        svg += text(cols[0], y + bar - 3.5,
                    at(s, "expected_days_to_win").is_number()
                        ? fixed(num(at(s, "expected_days_to_win")), 1) + " d"
                        : std::string("\xE2\x80\x93"),
                    "v v-days", "end");
        svg += text(cols[1], y + bar - 3.5, count(at(s, "open_customers")), "v", "end");
        svg += text(cols[2], y + bar - 3.5, money(at(s, "expected_revenue")), "v", "end");
        std::string src = str(s, "source");
        std::replace(src.begin(), src.end(), '_', ' ');
        svg += text(cols[3], y + bar - 3.5, src, "v muted", "end");
        svg += "</g>";
        y += step;
    }
    for (int p = 0; p <= 100; p += 25)
        svg += text(t0 + (t1 - t0) * p / 100.0, y + 6, std::to_string(p) + "%", "ax", "middle");
    return svg + "</svg>";
}

} // namespace clm::detail::report_html
