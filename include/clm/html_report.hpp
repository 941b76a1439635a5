/// @file html_report.hpp
/// The management report as one self-contained HTML5 page (BRIEF 1.3): the
/// lifecycle diagram, the funnel, time in stage, the dynamics matrix, plan
/// against actual, the forecast, customer value and the top recommendations,
/// drawn as inline SVG with inline CSS: no script, font, image or network
/// access. Every figure on the page is rendered from the analyses' JSON
/// (`funnel_to_json`, `time_in_stage_to_json`, ...), so the page shows the
/// same numbers as `clm funnel --json` and friends, and that JSON is embedded
/// whole in `<script type="application/json" id="clm-data">`. Charts carry
/// their figures in `data-*` attributes (e.g. `data-stage="engaging"
/// data-entered="8300"`) as well as in their text labels. Usage and contents:
/// docs/analytics.md, "The HTML report".
#pragma once

#include <clm/clm.h>
#include <clm/customer_value.hpp>
#include <clm/dynamics.hpp>
#include <clm/forecast.hpp>
#include <clm/funnel.hpp>
#include <clm/model_json.hpp>
#include <clm/plan_actual.hpp>
#include <clm/recommend_json.hpp>
#include <clm/time_in_stage.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clm {

/// What the HTML report covers beyond its fixed sections.
struct report_options {
    /// First date (D1) of the dynamics section; default: 30 days before the as-of date.
    std::optional<timestamp> from;
    /// The plan of the plan-against-actual section; the section is left out without one.
    std::optional<period_plan> plan;
    /// The policy of the top-recommendations section; the section is left out without one.
    std::shared_ptr<const policy> recommend_policy;
    /// How many recommendations to show (0: all of them).
    std::size_t top_recommendations = 10;
};

/// Every figure of the report, as one JSON document: {"report": {"title",
/// "generator", "model", "as_of", "from"}, "model": model_to_json(),
/// "funnel": funnel_to_json(), "loss_reasons": loss_reasons_to_json(),
/// "time_in_stage": time_in_stage_to_json(), "dynamics": dynamics_to_json()
/// (from `opt.from` to `as_of`), "plan_actual": plan_actual_to_json() (only
/// with a plan), "value": customer_value_to_json(), "forecast":
/// forecast_to_json(), "recommendations": recommendations_to_json() (only
/// with a policy)}. The analyses of model slot `slot` as of `as_of` (every
/// event on that day counted). Throws invalid_argument when the dynamics'
/// first date is not before `as_of`, not_found when the policy names a model
/// the portfolio lacks.
inline nlohmann::ordered_json report_data(const portfolio &p, std::size_t slot, timestamp as_of,
                                          const report_options &opt = {}) {
    using oj = nlohmann::ordered_json;
    const model &mdl = p.model_at(slot);
    const timestamp day = day_of(as_of) * seconds_per_day;
    const timestamp from = opt.from ? day_of(*opt.from) * seconds_per_day : day - 30 * seconds_per_day;
    oj j;
    j["report"] = {{"title", mdl.name().empty() ? mdl.id() : mdl.name()},
                   {"generator", std::string("clm ") + CLM_VERSION_STRING},
                   {"model", mdl.id()},
                   {"as_of", format_date(day)},
                   {"from", format_date(from)}};
    j["model"] = model_to_json(mdl);
    const funnel_report f = funnel(p, slot, day);
    j["funnel"] = funnel_to_json(f);
    j["loss_reasons"] = loss_reasons_to_json(f);
    j["time_in_stage"] = time_in_stage_to_json(time_in_stage(p, slot, day));
    j["dynamics"] = dynamics_to_json(dynamics(p, slot, from, day));
    if (opt.plan) j["plan_actual"] = plan_actual_to_json(plan_actual(p, slot, *opt.plan));
    j["value"] = customer_value_to_json(customer_value(p, day));
    j["forecast"] = forecast_to_json(forecast(p, slot, day));
    if (opt.recommend_policy) {
        compiled_policy cp(opt.recommend_policy, p);
        recommend_options ro;
        ro.limit = opt.top_recommendations;
        j["recommendations"] = recommendations_to_json(cp, recommend_all(cp, day_of(day), ro), day_of(day));
    }
    return j;
}

namespace detail::report_html {

using oj = nlohmann::ordered_json;

// ---- text ------------------------------------------------------------------------

/// HTML-escapes text for element content and double- or single-quoted
/// attributes; C0 controls other than tab and newline become spaces.
inline std::string esc(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:
            if ((unsigned char)c < 0x20 && c != '\t' && c != '\n') out += ' ';
            else out += c;
        }
    }
    return out;
}

/// A JSON value as attribute text: strings as they are, null as "", numbers and booleans as JSON.
inline std::string raw(const oj &v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    return v.dump();
}

/// ` data-NAME="VALUE"` with VALUE = raw(v), escaped.
inline std::string data(const char *name, const oj &v) { return std::string(" data-") + name + "=\"" + esc(raw(v)) + "\""; }

/// A string member of `j`, or "" when absent or not a string.
inline std::string str(const oj &j, const char *key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// A member of `j`, or null.
inline const oj &at(const oj &j, const char *key) {
    static const oj null_value;
    if (!j.is_object()) return null_value;
    auto it = j.find(key);
    return it == j.end() ? null_value : *it;
}

/// A number as a double; 0 when it is not a number.
inline double num(const oj &v) { return v.is_number() ? v.get<double>() : 0.0; }

/// `x` with `decimals` decimals and thousands separators ("1,234.50").
inline std::string fixed(double x, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    std::string s = buf;
    std::size_t start = s[0] == '-' ? 1 : 0;
    std::size_t end = s.find('.');
    if (end == std::string::npos) end = s.size();
    for (std::ptrdiff_t i = std::ptrdiff_t(end) - 3; i > std::ptrdiff_t(start); i -= 3) s.insert(std::size_t(i), ",");
    return s;
}

/// A count: "8,300"; a non-whole number with one decimal; "–" when null.
inline std::string count(const oj &v) {
    if (!v.is_number()) return "\xE2\x80\x93";
    double x = v.get<double>();
    return fixed(x, x == std::floor(x) ? 0 : 1);
}

/// A share as a percentage with `decimals` decimals ("63.15%"); "–" when null.
inline std::string pct(const oj &v, int decimals = 2) {
    if (!v.is_number()) return "\xE2\x80\x93";
    return fixed(v.get<double>() * 100.0, decimals) + "%";
}

/// Days as days_text() writes them ("45", "47.9"); "–" when null.
inline std::string days(const oj &v) {
    if (!v.is_number()) return "\xE2\x80\x93";
    double x = v.get<double>();
    return x == std::floor(x) ? fixed(x, 0) : fixed(x, 1);
}

/// Money: whole amounts without decimals, others with two ("2,560,483.17"); "–" when null.
inline std::string money(const oj &v) {
    if (!v.is_number()) return "\xE2\x80\x93";
    double x = v.get<double>();
    return fixed(x, x == std::floor(x) ? 0 : 2);
}

/// A coordinate with at most one decimal.
inline std::string f1(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", x);
    std::string s = buf;
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    if (s == "-0") s = "0";
    return s;
}

/// Estimated rendered width of `s` at `px` pixels in a Helvetica/Arial-like face.
inline double text_width(std::string_view s, double px, bool bold = false) {
    double w = 0;
    for (char ch : s) {
        auto c = (unsigned char)ch;
        if ((c & 0xC0) == 0x80) continue; // UTF-8 continuation byte
        double k = 0.56;
        if (c >= 0x80) k = 0.62;
        else if (c != 0 && std::strchr("il.,:;'|!", c)) k = 0.28;
        else if (c != 0 && std::strchr("fjrtI()[] -/", c)) k = 0.34;
        else if (c != 0 && std::strchr("mwMW@%", c)) k = 0.85;
        else if (c >= 'A' && c <= 'Z') k = 0.68;
        else if (c == '_') k = 0.56;
        w += k;
    }
    return w * px * (bold ? 1.06 : 1.0);
}

/// `s` cut at a character boundary, with "…", to fit `max_px`.
inline std::string fit(const std::string &s, double max_px, double px, bool bold = false) {
    if (text_width(s, px, bold) <= max_px) return s;
    std::string cut = s;
    while (!cut.empty()) {
        do cut.pop_back();
        while (!cut.empty() && ((unsigned char)cut.back() & 0xC0) == 0x80);
        if (!cut.empty() && ((unsigned char)cut.back() & 0xC0) == 0xC0) cut.pop_back(); // a lead byte left alone
        if (text_width(cut, px, bold) + 0.9 * px <= max_px) break;
    }
    return cut + "\xE2\x80\xA6";
}

/// An SVG `<text>`: `s` escaped, with class `cls` and anchor `anchor`.
inline std::string text(double x, double y, const std::string &s, const char *cls, const char *anchor = "start",
                        const std::string &extra = "") {
    return "<text x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" class=\"" + cls + "\"" +
           (std::strcmp(anchor, "start") ? std::string(" text-anchor=\"") + anchor + "\"" : std::string()) + extra + ">" +
           esc(s) + "</text>";
}

/// An SVG `<rect>`.
inline std::string rect(double x, double y, double w, double h, const std::string &fill, const std::string &extra = "") {
    return "<rect x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" width=\"" + f1(std::max(0.0, w)) + "\" height=\"" +
           f1(std::max(0.0, h)) + "\" fill=\"" + fill + "\"" + extra + "/>";
}

/// An SVG `<line>`.
inline std::string line(double x1, double y1, double x2, double y2, const char *cls, const std::string &extra = "") {
    return "<line x1=\"" + f1(x1) + "\" y1=\"" + f1(y1) + "\" x2=\"" + f1(x2) + "\" y2=\"" + f1(y2) + "\" class=\"" + cls +
           "\"" + extra + "/>";
}

/// The opening `<svg>` tag of a chart `w` × `h` user units wide, drawn at most `w` pixels wide.
inline std::string svg_open(const char *cls, double w, double h, const std::string &label) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart " + std::string(cls) + "\" viewBox=\"0 0 " + f1(w) + " " +
           f1(h) + "\" style=\"max-width:" + f1(w) + "px\" role=\"img\" aria-label=\"" + esc(label) + "\">";
}

/// Round tick spacing for an axis from 0 to `max`: 1, 2, 2.5 or 5 × 10^k, about five ticks; at least `min_step`.
inline double tick_step(double max, double min_step = 1) {
    if (!(max > 0)) return min_step;
    double raw = max / 5.0, mag = std::pow(10.0, std::floor(std::log10(raw))), n = raw / mag;
    double step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * mag;
    return std::max(step, min_step);
}

// ---- colours ---------------------------------------------------------------------

/// The fill of a stage kind: diagram.hpp's palette.
inline const char *kind_fill(const std::string &k) {
    if (k == "won") return "#bbf7d0";
    if (k == "lost") return "#fecaca";
    if (k == "dormant") return "#e5e7eb";
    if (k == "terminal") return "#fde68a";
    return "#dbeafe";
}

/// The stroke (and text accent) of a stage kind.
inline const char *kind_stroke(const std::string &k) {
    if (k == "won") return "#15803d";
    if (k == "lost") return "#b91c1c";
    if (k == "dormant") return "#6b7280";
    if (k == "terminal") return "#b45309";
    return "#1d4ed8";
}

// ---- the model -------------------------------------------------------------------

/// What the charts need of a stage.
struct stage_info {
    std::string id, name, kind;
};

/// The model's stages by id, from model_to_json().
inline std::map<std::string, stage_info> stage_map(const oj &model) {
    std::map<std::string, stage_info> m;
    for (const auto &s : at(model, "stages")) {
        stage_info i{str(s, "id"), str(s, "name"), str(s, "kind")};
        if (i.name.empty()) i.name = i.id;
        m[i.id] = i;
    }
    return m;
}

/// A stage's display name (its id when unknown).
inline std::string stage_name(const std::map<std::string, stage_info> &m, const std::string &id) {
    auto it = m.find(id);
    return it == m.end() ? id : it->second.name;
}

/// A stage's kind ("" when unknown).
inline std::string stage_kind_of(const std::map<std::string, stage_info> &m, const std::string &id) {
    auto it = m.find(id);
    return it == m.end() ? std::string() : it->second.kind;
}

/// A kind-coloured dot before a stage label.
inline std::string kind_dot(double x, double y, const std::string &kind) {
    return "<circle cx=\"" + f1(x) + "\" cy=\"" + f1(y) + "\" r=\"5\" fill=\"" + kind_fill(kind) + "\" stroke=\"" +
           kind_stroke(kind) + "\"/>";
}

/// The widest stage label among `ids`, at `px`, clamped to [lo, hi].
inline double label_column(const std::map<std::string, stage_info> &m, const std::vector<std::string> &ids, double px,
                           double lo, double hi) {
    double w = 0;
    for (const auto &id : ids) w = std::max(w, text_width(stage_name(m, id), px));
    return std::clamp(w + 28, lo, hi);
}

// ---- the lifecycle diagram -------------------------------------------------------

/// A stage box of the diagram.
struct dnode {
    stage_info s;
    int row = 0;              // 0: the main path, 1: the others
    double col = 0;           // column, fractional in row 1
    double x = 0, y = 0;      // top-left corner
    std::vector<std::string> lines; // the name, on one or two lines
};

/// An arrow of the diagram (one per pair of stages; several events are joined).
struct dedge {
    std::size_t a = 0, b = 0;
    std::string event;
    enum { straight, arc_above, arc_below, cross, bus_above, bus_below } shape = straight;
    double lane = 0;                       // the y of a bus's horizontal run
    double ax = 0, ay = 0, bx = 0, by = 0; // end points
    int aside = 0, bside = 0;              // 0 top, 1 bottom, 2 left, 3 right
};

/// Splits a stage name into at most two lines no wider than `max_px`.
inline std::vector<std::string> wrap_name(const std::string &name, double max_px, double px) {
    if (text_width(name, px, true) <= max_px) return {name};
    std::size_t best = std::string::npos;
    double best_score = 1e18;
    for (std::size_t i = 1; i + 1 < name.size(); ++i) {
        if (name[i] != ' ' && name[i] != '_' && name[i] != '-') continue;
        double l = text_width(name.substr(0, i), px, true), r = text_width(name.substr(i + 1), px, true);
        double score = std::max(l, r);
        if (score < best_score) {
            best_score = score;
            best = i;
        }
    }
    if (best == std::string::npos) return {fit(name, max_px, px, true)};
    std::string first = name.substr(0, best + (name[best] == ' ' ? 0 : 1)), second = name.substr(best + 1);
    return {fit(first, max_px, px, true), fit(second, max_px, px, true)};
}

/// The model as an SVG diagram: the main path left to right in the first row,
/// the other stages in a second row under the main-path stages they connect
/// to, arrows coloured by the kind of stage they lead into.
inline std::string diagram_svg(const oj &model, const oj &funnel) {
    std::vector<dnode> nodes;
    std::map<std::string, std::size_t> index;
    for (const auto &s : at(model, "stages")) {
        dnode n;
        n.s = {str(s, "id"), str(s, "name"), str(s, "kind")};
        if (n.s.name.empty()) n.s.name = n.s.id;
        index[n.s.id] = nodes.size();
        nodes.push_back(n);
    }
    std::map<std::string, oj> current;
    for (const auto &s : at(funnel, "stages")) current[str(s, "id")] = at(s, "current");
    const std::string initial = str(model, "initial");

    // Rows and columns.
    std::vector<std::size_t> row0;
    for (const auto &id : at(model, "main_path"))
        if (id.is_string() && index.count(id.get<std::string>())) row0.push_back(index[id.get<std::string>()]);
    if (row0.empty()) { // no main path: the non-final stages, then the won ones
        for (std::size_t i = 0; i < nodes.size(); ++i)
            if (nodes[i].s.kind == "open" || nodes[i].s.kind == "dormant") row0.push_back(i);
        for (std::size_t i = 0; i < nodes.size(); ++i)
            if (nodes[i].s.kind == "won") row0.push_back(i);
    }
    std::vector<bool> on_row0(nodes.size(), false);
    for (std::size_t c = 0; c < row0.size(); ++c) {
        on_row0[row0[c]] = true;
        nodes[row0[c]].row = 0;
        nodes[row0[c]].col = double(c);
    }
    std::vector<dedge> edges;
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> edge_at;
    for (const auto &t : at(model, "transitions")) {
        auto fa = index.find(str(t, "from")), fb = index.find(str(t, "to"));
        if (fa == index.end() || fb == index.end() || fa->second == fb->second) continue;
        auto key = std::make_pair(fa->second, fb->second);
        if (auto it = edge_at.find(key); it != edge_at.end()) {
            edges[it->second].event += " / " + str(t, "event");
            continue;
        }
        edge_at[key] = edges.size();
        dedge e;
        e.a = fa->second;
        e.b = fb->second;
        e.event = str(t, "event");
        edges.push_back(e);
    }
    const double last_col = row0.empty() ? 0.0 : double(row0.size() - 1);
    struct pending {
        std::size_t node;
        double pref;
        int final_kind;
    };
    std::vector<pending> row1;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (on_row0[i]) continue;
        std::vector<double> cols;
        for (const auto &e : edges) {
            std::size_t other = e.a == i ? e.b : e.b == i ? e.a : nodes.size();
            if (other < nodes.size() && on_row0[other] &&
                std::find(cols.begin(), cols.end(), nodes[other].col) == cols.end())
                cols.push_back(nodes[other].col);
        }
        int final_kind = nodes[i].s.kind == "lost" || nodes[i].s.kind == "terminal" || nodes[i].s.kind == "won";
        double pref = last_col + 1;
        if (!cols.empty()) {
            double sum = 0;
            for (double c : cols) sum += c;
            pref = final_kind ? *std::max_element(cols.begin(), cols.end()) + 0.5 : sum / double(cols.size());
        }
        row1.push_back({i, pref, final_kind});
    }
    // Detours and pauses under the stages they hang off; exits (final stages) after them, at the right.
    std::stable_sort(row1.begin(), row1.end(), [](const pending &x, const pending &y) {
        return x.final_kind != y.final_kind ? x.final_kind < y.final_kind : x.pref < y.pref;
    });
    std::vector<double> pos(row1.size());
    for (std::size_t i = 0; i < row1.size(); ++i) pos[i] = std::max(i ? pos[i - 1] + 1 : 0.0, row1[i].pref);
    const double bound = std::max(last_col, row1.empty() ? 0.0 : double(row1.size() - 1));
    for (std::size_t k = row1.size(); k-- > 0;) pos[k] = std::min(pos[k], k + 1 < row1.size() ? pos[k + 1] - 1 : bound);
    for (std::size_t k = 0; k < row1.size(); ++k) {
        nodes[row1[k].node].row = 1;
        nodes[row1[k].node].col = pos[k];
    }
    double max_col = last_col;
    for (double p : pos) max_col = std::max(max_col, p);

    // Sizes.
    const double name_px = 12.5, label_px = 10.5;
    double node_w = 104;
    bool two_lines = false;
    for (auto &n : nodes) {
        n.lines = wrap_name(n.s.name, 112, name_px);
        two_lines = two_lines || n.lines.size() > 1;
        for (const auto &l : n.lines) node_w = std::max(node_w, text_width(l, name_px, true) + 22);
    }
    node_w = std::min(node_w, 158.0);
    const double node_h = two_lines ? 58 : 46;
    // Which edges are straight (same row, nothing in between), and the labels they need.
    auto between = [&](std::size_t a, std::size_t b) {
        double lo = std::min(nodes[a].col, nodes[b].col), hi = std::max(nodes[a].col, nodes[b].col);
        for (std::size_t i = 0; i < nodes.size(); ++i)
            if (i != a && i != b && nodes[i].row == nodes[a].row && nodes[i].col > lo && nodes[i].col < hi) return true;
        return false;
    };
    // Moves into a lost or terminal stage in the second row run along a "bus": down
    // from the source, along a lane between the rows (or under the second row), into
    // the exit; so the many "lose" arrows of a model merge into one line per exit.
    auto is_exit = [&](std::size_t i) { return nodes[i].s.kind == "lost" || nodes[i].s.kind == "terminal"; };
    std::vector<std::size_t> exits; // exits in the second row, rightmost first: lane 0 is the nearest
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].row == 1 && is_exit(i)) exits.push_back(i);
    std::stable_sort(exits.begin(), exits.end(), [&](std::size_t x, std::size_t y) { return nodes[x].col > nodes[y].col; });
    auto lane_of = [&](std::size_t i) { return double(std::find(exits.begin(), exits.end(), i) - exits.begin()); };
    double gap = 44, lanes_below = 0;
    for (auto &e : edges) {
        const dnode &na = nodes[e.a], &nb = nodes[e.b];
        bool adjacent = na.row == nb.row && !between(e.a, e.b);
        if (adjacent) e.shape = dedge::straight;
        else if (nb.row == 1 && is_exit(e.b)) e.shape = na.row == 0 ? dedge::bus_above : dedge::bus_below;
        else if (na.row != nb.row) e.shape = dedge::cross;
        else e.shape = na.row == 0 ? dedge::arc_above : dedge::arc_below;
        if (e.shape == dedge::bus_below) lanes_below = std::max(lanes_below, lane_of(e.b) + 1);
        if (e.shape == dedge::straight && std::fabs(na.col - nb.col) <= 1.0)
            gap = std::max(gap, text_width(e.event, label_px) + 14);
    }
    gap = std::min(gap, 120.0);
    const double pitch = node_w + gap;
    auto arc_h = [&](const dedge &e) { return std::min(150.0, 26 + 18 * std::fabs(nodes[e.a].col - nodes[e.b].col)); };
    double above = 0, below = 0;
    for (const auto &e : edges) {
        if (e.shape == dedge::arc_above) above = std::max(above, 0.75 * arc_h(e));
        if (e.shape == dedge::arc_below) below = std::max(below, 0.75 * arc_h(e));
    }
    if (lanes_below > 0) below = std::max(below, 18 + 9 * (lanes_below - 1) + 6);
    bool crossing = false;
    for (const auto &e : edges) crossing = crossing || e.shape == dedge::cross;
    double lanes_above = 0;
    for (const auto &e : edges)
        if (e.shape == dedge::bus_above) lanes_above = std::max(lanes_above, lane_of(e.b) + 1);
    const double margin = 14, row_gap = row1.empty() ? 0 : crossing ? 104 : std::max(64.0, 20 + 9 * lanes_above + 36);
    const double y0 = margin + above + 4, y1 = y0 + node_h + row_gap;
    for (auto &n : nodes) {
        n.x = margin + n.col * pitch;
        n.y = n.row == 0 ? y0 : y1;
    }
    for (auto &e : edges) {
        if (e.shape == dedge::bus_above) e.lane = y0 + node_h + 20 + 9 * lane_of(e.b);
        if (e.shape == dedge::bus_below) e.lane = y1 + node_h + 18 + 9 * lane_of(e.b);
    }
    const double width = margin * 2 + max_col * pitch + node_w;
    const double height = (row1.empty() ? y0 + node_h : y1 + node_h) + below + margin;

    // Ports: the end points of the arrows on each side of each box, ordered to limit crossings.
    struct port {
        std::size_t edge;
        bool at_b;
        double key1, key2;
    };
    std::map<std::pair<std::size_t, int>, std::vector<port>> ports;
    std::map<std::pair<std::size_t, int>, std::size_t> bus_end; // (exit, side) -> the edge whose end the bus shares
    for (std::size_t k = 0; k < edges.size(); ++k) {
        dedge &e = edges[k];
        const dnode &na = nodes[e.a], &nb = nodes[e.b];
        switch (e.shape) {
        case dedge::straight:
            e.aside = nb.col > na.col ? 3 : 2;
            e.bside = nb.col > na.col ? 2 : 3;
            break;
        case dedge::arc_above: e.aside = e.bside = 0; break;
        case dedge::arc_below: e.aside = e.bside = 1; break;
        case dedge::cross:
            e.aside = na.row == 0 ? 1 : 0;
            e.bside = nb.row == 0 ? 1 : 0;
            break;
        case dedge::bus_above: e.aside = 1, e.bside = 0; break;
        case dedge::bus_below: e.aside = e.bside = 1; break;
        }
        auto key = [&](const dnode &self, const dnode &other) -> std::pair<double, double> {
            double d = other.col - self.col;
            if (e.shape == dedge::arc_above || e.shape == dedge::arc_below)
                return d < 0 ? std::make_pair(0.0, -d) : std::make_pair(1.0, -d); // nested arcs do not cross
            return {other.col, 0.0};
        };
        auto ka = key(na, nb), kb = key(nb, na);
        ports[{e.a, e.aside}].push_back({k, false, ka.first, ka.second});
        bool bus = e.shape == dedge::bus_above || e.shape == dedge::bus_below;
        if (!bus || !bus_end.count({e.b, e.bside})) { // the arrows of one bus share their end
            if (bus) bus_end[{e.b, e.bside}] = k;
            ports[{e.b, e.bside}].push_back({k, true, bus ? 0.5 : kb.first, 0.0});
        }
    }
    for (auto &[where, list] : ports) {
        std::stable_sort(list.begin(), list.end(), [](const port &p, const port &q) {
            if (p.key1 != q.key1) return p.key1 < q.key1;
            if (p.key2 != q.key2) return p.key2 < q.key2;
            return p.edge < q.edge;
        });
        const dnode &n = nodes[where.first];
        const double m = double(list.size());
        for (std::size_t i = 0; i < list.size(); ++i) {
            double x = 0, y = 0, t = (double(i) + 1) / (m + 1);
            switch (where.second) {
            case 0: x = n.x + 12 + (node_w - 24) * t, y = n.y; break;
            case 1: x = n.x + 12 + (node_w - 24) * t, y = n.y + node_h; break;
            case 2: x = n.x, y = n.y + node_h * (m > 1 ? 0.3 + 0.4 * (double(i) / (m - 1)) : 0.5); break;
            default: x = n.x + node_w, y = n.y + node_h * (m > 1 ? 0.3 + 0.4 * (double(i) / (m - 1)) : 0.5); break;
            }
            dedge &e = edges[list[i].edge];
            if (list[i].at_b) e.bx = x, e.by = y;
            else e.ax = x, e.ay = y;
        }
    }
    for (auto &e : edges) {
        if (e.shape != dedge::bus_above && e.shape != dedge::bus_below) continue;
        const dedge &rep_edge = edges[bus_end[{e.b, e.bside}]];
        e.bx = rep_edge.bx, e.by = rep_edge.by;
    }

    std::string out = svg_open("diagram", width, height, "lifecycle model " + str(model, "id"));
    out += "<defs>";
    for (const char *k : {"open", "won", "lost", "dormant", "terminal", "main"}) {
        std::string colour = std::strcmp(k, "main") == 0       ? "#1e40af"
                             : std::strcmp(k, "lost") == 0     ? "#dc5a5a"
                             : std::strcmp(k, "terminal") == 0 ? "#c98a1e"
                                                               : kind_stroke(k);
        out += std::string("<marker id=\"clm-arrow-") + k +
               "\" viewBox=\"0 0 10 10\" refX=\"9.5\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" "
               "markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0.8 L10,5 L0,9.2 z\" fill=\"" +
               colour + "\"/></marker>";
    }
    out += "</defs>";
    // Arrows under the boxes; moves into lost stages drawn light so that the paths stand out.
    std::vector<std::size_t> order(edges.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t p, std::size_t q) {
        return is_exit(edges[p].b) > is_exit(edges[q].b);
    });
    std::string labels;
    for (std::size_t k : order) {
        const dedge &e = edges[k];
        const dnode &na = nodes[e.a], &nb = nodes[e.b];
        bool main = na.row == 0 && nb.row == 0 && nb.col == na.col + 1;
        std::string kind = nb.s.kind, d;
        if (e.shape == dedge::bus_above || e.shape == dedge::bus_below) {
            d = "M" + f1(e.ax) + "," + f1(e.ay) + " V" + f1(e.lane) + " H" + f1(e.bx) + " V" + f1(e.by);
        } else if (e.shape == dedge::arc_above || e.shape == dedge::arc_below) {
            double h = arc_h(e) * (e.shape == dedge::arc_above ? -1 : 1);
            d = "M" + f1(e.ax) + "," + f1(e.ay) + " C" + f1(e.ax) + "," + f1(e.ay + h) + " " + f1(e.bx) + "," +
                f1(e.by + h) + " " + f1(e.bx) + "," + f1(e.by);
        } else {
            d = "M" + f1(e.ax) + "," + f1(e.ay) + " L" + f1(e.bx) + "," + f1(e.by);
        }
        // Moves into exits are drawn light: they are many, and the paths matter more.
        std::string cls = main ? "edge main" : is_exit(e.b) ? "edge to-exit" : "edge";
        std::string colour = main ? "#1e40af" : kind == "lost" ? "#eea3a3" : kind == "terminal" ? "#e8c07a" : kind_stroke(kind);
        out += "<path class=\"" + cls + "\" d=\"" + d + "\" stroke=\"" + colour + "\" marker-end=\"url(#clm-arrow-" +
               (main ? std::string("main") : kind.empty() ? std::string("open") : kind) + ")\"" +
               data("from", na.s.id) + data("to", nb.s.id) + data("event", e.event) + "><title>" +
               esc(na.s.name + " \xE2\x86\x92 " + nb.s.name + ": " + e.event) + "</title></path>";
        if (e.shape == dedge::straight) {
            // Label above the upper of two parallel arrows, below the lower one.
            bool lower = edge_at.count({e.b, e.a}) && e.ay > nodes[e.a].y + node_h / 2;
            double ly = lower ? std::max(e.ay, e.by) + 13 : std::min(e.ay, e.by) - 5;
            labels += text((e.ax + e.bx) / 2, ly, fit(e.event, gap - 8, label_px), "elabel", "middle");
        }
    }
    out += labels;
    for (const auto &n : nodes) {
        const std::string &k = n.s.kind;
        const oj &now = current.count(n.s.id) ? current[n.s.id] : oj();
        bool is_final = k == "won" || k == "lost" || k == "terminal";
        out += "<g class=\"stage-node\"" + data("stage", n.s.id) + data("kind", k) + data("current", now) + ">";
        out += "<title>" + esc(n.s.name + " (" + n.s.id + ", " + k + ")") + "</title>";
        out += rect(n.x, n.y, node_w, node_h, kind_fill(k),
                    " rx=\"8\" stroke=\"" + std::string(kind_stroke(k)) + "\" stroke-width=\"" +
                        (n.s.id == initial ? "2.6" : "1.2") + "\"");
        if (is_final)
            out += rect(n.x + 3.5, n.y + 3.5, node_w - 7, node_h - 7, "none",
                        " rx=\"5.5\" stroke=\"" + std::string(kind_stroke(k)) + "\" stroke-width=\"0.9\"");
        double ty = n.y + (n.lines.size() > 1 ? 19 : 20) + (two_lines && n.lines.size() == 1 ? 7 : 0);
        for (const auto &l : n.lines) {
            out += text(n.x + node_w / 2, ty, l, "nname", "middle");
            ty += 14;
        }
        std::string sub = now.is_number() ? count(now) + " now" : k;
        out += text(n.x + node_w / 2, n.y + node_h - 9, sub, "nsub", "middle");
        out += "</g>";
    }
    return out + "</svg>";
}

/// The legend under the diagram: the kinds present, the borders, the arrows.
inline std::string diagram_legend(const oj &model) {
    std::vector<std::string> kinds;
    for (const char *k : {"open", "dormant", "won", "lost", "terminal"})
        for (const auto &s : at(model, "stages"))
            if (str(s, "kind") == k) {
                kinds.push_back(k);
                break;
            }
    std::string out = "<div class=\"legend\">";
    for (const auto &k : kinds)
        out += "<span><i class=\"sw\" style=\"background:" + std::string(kind_fill(k)) + ";border-color:" + kind_stroke(k) +
               "\"></i>" + k + "</span>";
    out += "<span><i class=\"sw thick\"></i>initial stage</span><span><i class=\"sw double\"></i>final stage</span>"
           "<span><i class=\"ln main\"></i>main path</span>";
    for (const auto &k : kinds)
        if (k == "lost" || k == "terminal")
            out += "<span><i class=\"ln " + k + "\"></i>move into a " + k + " stage</span>";
    out += "<span class=\"muted\">numbers: customers in the stage now; hover an arrow for its event</span></div>";
    return out;
}

// ---- charts ----------------------------------------------------------------------

/// A horizontal axis from `x0` to `x1` at `y` for values 0..`max` (ticks and
/// vertical grid lines from `top`), with a title, formatted by `label`.
template <class Label>
std::string x_axis(double x0, double x1, double top, double y, double max, double step, const std::string &title,
                   Label label) {
    std::string out;
    for (double v = 0; v <= max + step * 1e-9; v += step) {
        double x = x0 + (x1 - x0) * (max > 0 ? v / max : 0);
        out += line(x, top, x, y, "grid");
        out += text(x, y + 14, label(v), "ax", "middle");
    }
    out += line(x0, y, x1, y, "axis");
    out += text((x0 + x1) / 2, y + 32, title, "axt", "middle");
    return out;
}

/// An HTML legend item with a coloured swatch.
inline std::string swatch(const char *colour, const std::string &label, const char *extra_class = "") {
    return "<span><i class=\"sw " + std::string(extra_class) + "\" style=\"background:" + colour + "\"></i>" + esc(label) +
           "</span>";
}

/// A key-figure tile.
inline std::string tile(const char *key, const oj &value, const std::string &shown, const std::string &label,
                        const std::string &extra_class = "") {
    return "<div class=\"tile " + extra_class + "\" data-kpi=\"" + key + "\"" + data("value", value) + "><div class=\"tile-v\">" +
           esc(shown) + "</div><div class=\"tile-l\">" + esc(label) + "</div></div>";
}

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

// ---- tables ----------------------------------------------------------------------

/// A `<td>` with a number, right-aligned.
inline std::string td_num(const std::string &shown, const std::string &attrs = "", const std::string &extra_class = "") {
    return "<td class=\"n" + (extra_class.empty() ? std::string() : " " + extra_class) + "\"" + attrs + ">" + esc(shown) +
           "</td>";
}

/// A `<td>` with text.
inline std::string td(const std::string &shown, const std::string &attrs = "") { return "<td" + attrs + ">" + esc(shown) + "</td>"; }

// ---- the page --------------------------------------------------------------------

/// The page's style sheet.
inline const char *style_sheet() {
    return R"css(
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f1f5f9;--card:#fff;--accent:#1d4ed8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 "Segoe UI","Helvetica Neue",Helvetica,Arial,"Liberation Sans",sans-serif}
.page{max-width:1240px;margin:0 auto;padding:28px 24px 36px}
header.top{margin-bottom:6px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);font-weight:600}
h1{font-size:27px;line-height:1.25;margin:2px 0 4px;font-weight:700;color:#111827}
.meta{color:#4b5563;margin:0 0 10px}
.meta b{color:#111827}
nav.toc{display:flex;flex-wrap:wrap;gap:6px;margin:10px 0 0}
nav.toc a{font-size:12.5px;color:var(--accent);text-decoration:none;background:#fff;border:1px solid var(--line);border-radius:999px;padding:2px 10px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 24px 22px;margin:16px 0}
h2{font-size:18px;line-height:1.3;margin:0 0 2px;color:#111827}
h3{font-size:14px;margin:20px 0 6px;color:#111827}
p{margin:6px 0}
.lead{color:#4b5563;margin:0 0 12px;font-size:13px;max-width:900px}
.muted{color:var(--muted)}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0 4px}
.tile{flex:1 1 140px;max-width:250px;background:#fff;border:1px solid var(--line);border-radius:9px;padding:10px 14px}
section .tile{background:#f8fafc}
.tile-v{font-size:22px;font-weight:700;color:#111827;font-variant-numeric:tabular-nums;white-space:nowrap}
.tile-l{font-size:12px;color:var(--muted)}
.tile.good .tile-v{color:#15803d}.tile.bad .tile-v{color:#b91c1c}
svg.chart{display:block;width:100%;height:auto;margin:8px 0 0}
svg.diagram{margin:8px auto 0}
svg text{font-family:inherit}
svg text.lbl{font-size:13px;fill:#111827}
svg text.small{font-size:12px}
svg text.v{font-size:11.5px;fill:#374151;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg text.strong{font-weight:700;fill:#111827;font-size:12.5px}
svg text.hot{fill:#b91c1c;font-weight:700}
svg text.ax{font-size:11px;fill:#6b7280}
svg text.axt{font-size:12px;fill:#4b5563;font-weight:600}
svg text.colh{font-size:11.5px;fill:#6b7280;font-weight:600}
svg text.none{font-size:12px;fill:#9ca3af;font-style:italic;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg text.nname{font-size:12.5px;font-weight:600;fill:#111827}
svg text.nsub{font-size:11px;fill:#4b5563}
svg text.elabel{font-size:10.5px;fill:#334155;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg text.rate{font-size:13px;font-weight:700;fill:#111827}
svg text.cell{font-size:12px;fill:#1e3a8a;font-variant-numeric:tabular-nums}
svg text.cell.dark{fill:#fff}
svg text.cell.zero{fill:#cbd5e1}
svg .grid{stroke:#eef1f5;stroke-width:1}
svg .axis{stroke:#9ca3af;stroke-width:1}
svg .limit{stroke:#d97706;stroke-width:1.6;stroke-dasharray:4 3}
svg .conv-arrow{stroke:#475569;stroke-width:2}
svg path.edge{fill:none;stroke-width:1.4}
svg path.edge.main{stroke-width:2.2}
svg path.edge.to-exit{stroke-width:1.3}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:#4b5563;margin:10px 0 0;align-items:center}
.sw{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-2px;margin-right:6px;border:1px solid rgba(0,0,0,.18)}
.sw.thick{border:2.5px solid #1d4ed8;background:#dbeafe}
.sw.double{border:3px double #15803d;background:#bbf7d0}
.sw.dash{background:none;border:none;border-left:2px dashed #d97706;border-radius:0;width:2px;margin:0 8px 0 4px}
.ln{display:inline-block;width:22px;height:0;border-top:2.2px solid #1e40af;vertical-align:3px;margin-right:6px}
.ln.lost{border-top:1.6px solid #eea3a3}
.ln.terminal{border-top:1.6px solid #e8c07a}
.grad{display:inline-block;width:90px;height:10px;border-radius:2px;background:linear-gradient(90deg,#dbeafe,#1e3a8a);vertical-align:-1px;margin:0 6px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums;margin:6px 0 2px}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-weight:600;color:#374151;background:#f8fafc;border-bottom:1px solid #d1d5db;white-space:nowrap}
th.n,td.n{text-align:right}
table.compact{width:auto;min-width:560px}
td.mix{vertical-align:middle;padding-top:3px;padding-bottom:3px}
th.grp{text-align:center;border-left:1px solid var(--line)}
td.first{border-left:1px solid var(--line)}
td.total{font-weight:700}
td.zero{color:#cbd5e1}
th.reason-h{white-space:normal;min-width:64px;max-width:110px;vertical-align:bottom}
tbody tr:nth-child(even) td{background:#fbfcfd}
td.flag{color:#b91c1c;font-weight:700;background:#fef2f2!important}
td.ok{color:#15803d}
tr.unplanned td{color:#6b7280}
details{margin:10px 0 0}
summary{cursor:pointer;color:var(--accent);font-size:13px}
@media print{details{display:none}}
td.reason{color:#4b5563;font-size:12.5px;max-width:520px}
.note{font-size:12.5px;color:var(--muted)}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:8px 28px}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
footer{color:var(--muted);font-size:12px;margin-top:22px}
@media print{body{background:#fff}.page{padding:0}section{break-inside:avoid;border:none;padding:6px 0}nav.toc{display:none}}
)css";
}

/// The embedded JSON: `<`, `>` and `&` escaped as \u sequences (only strings can hold them), so it cannot end the script element.
inline std::string script_json(const oj &j) {
    std::string s = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), out;
    out.reserve(s.size() + 64);
    for (char c : s) {
        if (c == '<') out += "\\u003c";
        else if (c == '>') out += "\\u003e";
        else if (c == '&') out += "\\u0026";
        else out += c;
    }
    return out;
}

} // namespace detail::report_html

/// Renders report_data() as the HTML page: every number on it is taken from
/// `data`, which is also embedded whole as JSON. Sections with no data in
/// `data` (plan_actual, recommendations) are left out.
inline std::string html_report_from_data(const nlohmann::ordered_json &data) {
    using namespace detail::report_html;
    const oj &rep = at(data, "report"), &model = at(data, "model"), &fun = at(data, "funnel");
    const oj &losses = at(data, "loss_reasons"), &tis = at(data, "time_in_stage"), &dyn = at(data, "dynamics");
    const oj &plan = at(data, "plan_actual"), &val = at(data, "value"), &fc = at(data, "forecast");
    const oj &recs = at(data, "recommendations");
    const auto sm = stage_map(model);
    const std::string title = str(rep, "title"), model_id = str(rep, "model"), as_of = str(rep, "as_of");

    std::string h;
    h.reserve(1 << 20);
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
         "<meta name=\"generator\" content=\"" + esc(str(rep, "generator")) + "\">\n"
         "<title>" + esc(title + " \xE2\x80\x94 lifecycle report as of " + as_of) + "</title>\n<style>" + style_sheet() +
         "</style>\n</head>\n<body>\n<div class=\"page\">\n";

    // Title, key figures, contents.
    h += "<header class=\"top\"" + detail::report_html::data("model", model_id) + detail::report_html::data("as-of", as_of) +
         "><div class=\"eyebrow\">Customer lifecycle report</div><h1>" + esc(title) + "</h1>";
    h += "<p class=\"meta\">Model <b>" + esc(model_id) + "</b> v" + esc(raw(at(model, "version"))) + " &middot; as of <b>" +
         esc(as_of) + "</b> &middot; dynamics since " + esc(str(rep, "from")) + " &middot; " + esc(str(rep, "generator")) +
         "</p>";
    h += "<nav class=\"toc\"><a href=\"#lifecycle\">Lifecycle</a><a href=\"#funnel\">Funnel</a><a href=\"#time\">Time in "
         "stage</a><a href=\"#dynamics\">Dynamics</a>";
    if (!plan.is_null()) h += "<a href=\"#plan\">Plan vs actual</a>";
    h += "<a href=\"#forecast\">Forecast</a><a href=\"#value\">Customer value</a>";
    if (!recs.is_null()) h += "<a href=\"#recommendations\">Recommendations</a>";
    h += "</nav></header>\n";
    const oj &won = at(fun, "won"), &lost = at(fun, "lost");
    oj win_rate; // won / (won + lost), from the funnel JSON
    if (num(won) + num(lost) > 0) win_rate = num(won) / (num(won) + num(lost));
    const oj &pipe = at(fc, "pipeline");
    h += "<div class=\"tiles\">" + tile("customers", at(fun, "customers"), count(at(fun, "customers")), "customers in the model") +
         tile("won", won, count(won), "won") + tile("lost", lost, count(lost), "lost") +
         tile("win-rate", win_rate, pct(win_rate), "win rate of closed (won / (won + lost))") +
         tile("open-pipeline", at(pipe, "open_customers"), count(at(pipe, "open_customers")), "open customers") +
         tile("expected-revenue", at(pipe, "expected_revenue"), money(at(pipe, "expected_revenue")),
              "expected pipeline revenue") +
         tile("revenue", at(val, "revenue"), money(at(val, "revenue")), "revenue to date") + "</div>\n";

    // The lifecycle diagram.
    h += "<section id=\"lifecycle\"><h2>Lifecycle model</h2><p class=\"lead\">The stages of <b>" + esc(model_id) +
         "</b>: the main path from left to right, detours, pauses and exits below it.</p>";
    h += diagram_svg(model, fun) + diagram_legend(model) + "</section>\n";

    // Funnel.
    h += "<section id=\"funnel\"><h2>Funnel</h2><p class=\"lead\">Per stage as of " + esc(as_of) +
         ": customers who ever <b>entered</b> it, customers in it <b>now</b>, and moves from it into a lost stage.</p>";
    h += "<div class=\"legend\">" + swatch("#93c5fd", "entered") + swatch("#2563eb", "current") +
         swatch("#ef4444", "lost from the stage") + "</div>";
    h += funnel_svg(fun, sm);
    std::string conv = conversion_svg(fun, sm);
    if (!conv.empty())
        h += "<h3>Conversion along the main path</h3><p class=\"note\">Share of the customers who entered a stage that later "
             "entered the next one.</p>" + conv;
    {
        // Losses as a table: a row per stage with losses, a column per reason (most frequent first).
        std::map<std::string, double> by_reason;
        for (const auto &s : at(losses, "stages"))
            for (auto it = at(s, "reasons").begin(); it != at(s, "reasons").end(); ++it) by_reason[it.key()] += num(it.value());
        std::vector<std::pair<std::string, double>> reasons(by_reason.begin(), by_reason.end());
        std::stable_sort(reasons.begin(), reasons.end(), [](const auto &x, const auto &y) { return x.second > y.second; });
        std::string rows;
        for (const auto &s : at(losses, "stages")) {
            if (num(at(s, "lost_from")) <= 0) continue;
            rows += "<tr>" + td(stage_name(sm, str(s, "id"))) +
                    td_num(count(at(s, "lost_from")), detail::report_html::data("stage", str(s, "id")) +
                                                          detail::report_html::data("lost-from", at(s, "lost_from")),
                           "total");
            for (const auto &[reason, total] : reasons) {
                const oj &v = at(at(s, "reasons"), reason.c_str());
                rows += v.is_number() ? td_num(count(v),
                                               detail::report_html::data("stage", str(s, "id")) +
                                                   detail::report_html::data("reason", reason) + detail::report_html::data("count", v),
                                               "loss")
                                      : std::string("<td class=\"n zero\">\xC2\xB7</td>");
            }
            rows += "</tr>";
        }
        h += "<h3>Losses by stage and reason</h3>";
        if (rows.empty()) {
            h += "<p class=\"note\">No customer was lost.</p>";
        } else {
            std::string head = "<tr><th>stage</th><th class=\"n\">lost</th>";
            for (const auto &r : reasons) head += "<th class=\"n reason-h\">" + esc(r.first) + "</th>";
            h += "<div class=\"table-wrap\"><table class=\"compact losses\"><thead>" + head + "</tr></thead><tbody>" + rows +
                 "</tbody></table></div>";
        }
        if (num(at(losses, "lost_at_entry")) > 0)
            h += "<p class=\"note\">" + count(at(losses, "lost_at_entry")) +
                 " customers were lost at entry (their first stage was a lost one).</p>";
    }
    h += "</section>\n";

    // Time in stage.
    h += "<section id=\"time\"><h2>Time in stage</h2><p class=\"lead\">Length of completed stays in whole days; "
         "customers in the stage now (open stays), their mean age, the stage's time limit and the customers over it "
         "(stuck).</p>";
    h += "<div class=\"legend\">" + swatch("#0f766e", "median") + swatch("#2dd4bf", "mean") +
         swatch("#99f6e4", "90th percentile") + "<span><i class=\"sw dash\"></i>time limit</span></div>";
    h += time_svg(tis, sm);
    {
        const oj &tw = at(tis, "to_won");
        h += "<p class=\"towon\"" + detail::report_html::data("customers", at(tw, "customers")) +
             detail::report_html::data("mean-days", at(tw, "mean_days")) +
             detail::report_html::data("median-days", at(tw, "median_days")) + "><b>Lifecycle to won:</b> " +
             count(at(tw, "customers")) + " customers reached a won stage, mean " + days(at(tw, "mean_days")) +
             " days, median " + days(at(tw, "median_days")) + " days from their first stage.</p>";
        std::string rows;
        for (const auto &s : at(tis, "stages")) {
            const oj &stuck = at(s, "stuck");
            if (!stuck.is_array() || stuck.empty()) continue;
            std::string list;
            for (std::size_t i = 0; i < stuck.size() && i < 8; ++i)
                list += (i ? ", " : "") + esc(str(stuck[i], "customer_id")) + " <span class=\"muted\">(" +
                        count(at(stuck[i], "days")) + " d)</span>";
            if (stuck.size() > 8) list += " and " + fixed(double(stuck.size() - 8), 0) + " more";
            rows += "<tr>" + td(stage_name(sm, str(s, "id"))) + td_num(count(oj(stuck.size()))) +
                    td_num(count(at(s, "time_limit_days")) + " d") + "<td>" + list + "</td></tr>";
        }
        if (!rows.empty())
            h += "<h3>Stuck customers, longest first</h3><div class=\"table-wrap\"><table><thead><tr><th>stage</th><th "
                 "class=\"n\">stuck</th><th class=\"n\">limit</th><th>customers (days in the stage)</th></tr></thead><tbody>" +
                 rows + "</tbody></table></div>";
    }
    h += "</section>\n";

    // Dynamics.
    {
        const oj &tot = at(dyn, "totals");
        h += "<section id=\"dynamics\"><h2>Dynamics " + esc(str(dyn, "from")) + " \xE2\x86\x92 " + esc(str(dyn, "to")) +
             "</h2><p class=\"lead\">Every customer in the model on " + esc(str(dyn, "to")) +
             ", by their stage on both dates: promoted or regressed by the stage's progress rank, <b>new</b> when not yet in "
             "the model on " + esc(str(dyn, "from")) + ", <b>left</b> when now in a lost or terminal stage.</p>";
        h += progress_svg(tot);
        h += "<h3>Transitions</h3><p class=\"note\">Rows: stage on " + esc(str(dyn, "from")) + "; columns: stage on " +
             esc(str(dyn, "to")) + "; outlined cells: same stage on both dates.</p>";
        h += matrix_svg(dyn, sm);
        h += "<div class=\"legend\"><span>fewer<i class=\"grad\"></i>more customers</span></div>";
        std::string rows;
        for (const auto &m : at(dyn, "managers")) {
            rows += "<tr class=\"manager\"" + detail::report_html::data("manager", str(m, "manager")) + ">" +
                    td(str(m, "manager"));
            double total = 0, x = 0;
            for (const char *k : {"promoted", "regressed", "unchanged", "new", "left"}) {
                rows += td_num(count(at(m, k)), detail::report_html::data(k, at(m, k)));
                total += num(at(m, k));
            }
            std::string mix = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"180\" height=\"12\" viewBox=\"0 0 180 12\" "
                              "aria-hidden=\"true\">" + rect(0, 1, 180, 10, "#f1f5f9", " rx=\"2\"");
            const char *fills[] = {"#16a34a", "#f59e0b", "#94a3b8", "#3b82f6", "#dc2626"};
            int f = 0;
            for (const char *k : {"promoted", "regressed", "unchanged", "new", "left"}) {
                double w = total > 0 ? 180 * num(at(m, k)) / total : 0;
                mix += rect(x, 1, w, 10, fills[f++]);
                x += w;
            }
            rows += "<td class=\"mix\">" + mix + "</svg></td></tr>";
        }
        if (!rows.empty())
            h += "<h3>By manager</h3><div class=\"legend\">" + swatch("#16a34a", "promoted") + swatch("#f59e0b", "regressed") +
                 swatch("#94a3b8", "unchanged") + swatch("#3b82f6", "new") + swatch("#dc2626", "left") +
                 "</div><div class=\"table-wrap\"><table class=\"compact\"><thead><tr><th>manager on " + esc(str(dyn, "to")) +
                 "</th><th class=\"n\">promoted</th><th class=\"n\">regressed</th><th class=\"n\">unchanged</th><th "
                 "class=\"n\">new</th><th class=\"n\">left</th><th>mix</th></tr></thead><tbody>" + rows + "</tbody></table></div>";
        const oj &rot = at(dyn, "rotation");
        std::size_t nrot = rot.is_array() ? rot.size() : 0;
        h += "<h3>Rotation suggestions</h3><p class=\"note\"" + detail::report_html::data("rotation", oj(nrot)) + ">" +
             fixed(double(nrot), 0) +
             " stuck customers could go to a manager who converts their stage better and has fewer open customers" +
             (nrot > 10 ? std::string("; the 10 longest stuck:") : nrot ? std::string(":") : std::string(".")) + "</p>";
        if (nrot) {
            std::string rrows;
            for (std::size_t i = 0; i < nrot && i < 10; ++i) {
                const oj &r = rot[i];
                rrows += "<tr>" + td(str(r, "customer_id")) + td(stage_name(sm, str(r, "stage"))) +
                         td_num(count(at(r, "days_in_stage"))) + td(str(r, "manager") + " \xE2\x86\x92 " + str(r, "to_manager")) +
                         td(str(r, "reason"), " class=\"reason\"") + "</tr>";
            }
            h += "<div class=\"table-wrap\"><table><thead><tr><th>customer</th><th>stage</th><th class=\"n\">days</th><th>"
                 "hand over</th><th>why</th></tr></thead><tbody>" + rrows + "</tbody></table></div>";
        }
        h += "</section>\n";
    }

    // Plan against actual.
    if (!plan.is_null()) {
        const auto &names = plan_indicator_names();
        h += "<section id=\"plan\"><h2>Plan vs actual " + esc(str(plan, "from")) + " \xE2\x80\x93 " + esc(str(plan, "to")) +
             "</h2><p class=\"lead\">Per manager and indicator: plan, actual and deviation (actual \xE2\x88\x92 plan) / plan; "
             "flagged in red when the deviation exceeds " + pct(at(plan, "threshold"), 0) + ".</p>";
        std::string head1 = "<tr><th rowspan=\"2\">manager</th>", head2 = "<tr>";
        for (const char *n : names) {
            std::string label = n;
            std::replace(label.begin(), label.end(), '_', ' ');
            head1 += "<th class=\"grp\" colspan=\"3\">" + esc(label) + "</th>";
            head2 += "<th class=\"n first\">plan</th><th class=\"n\">actual</th><th class=\"n\">dev.</th>";
        }
        std::string planned_rows, other_rows;
        std::size_t flagged = 0, others = 0;
        for (const auto &m : at(plan, "managers")) {
            bool planned = at(m, "planned").is_boolean() && at(m, "planned").get<bool>();
            others += !planned;
            std::string &rows = planned ? planned_rows : other_rows;
            rows += std::string("<tr") + (planned ? "" : " class=\"unplanned\"") + ">" + td(str(m, "manager"));
            for (const char *n : names) {
                const oj &ind = at(at(m, "indicators"), n);
                bool flag = at(ind, "flagged").is_boolean() && at(ind, "flagged").get<bool>();
                flagged += flag;
                std::string attrs = detail::report_html::data("manager", str(m, "manager")) +
                                    detail::report_html::data("indicator", n) +
                                    detail::report_html::data("plan", at(ind, "plan")) +
                                    detail::report_html::data("actual", at(ind, "actual")) +
                                    detail::report_html::data("deviation", at(ind, "deviation")) +
                                    detail::report_html::data("flagged", at(ind, "flagged"));
                std::string dev = at(ind, "deviation").is_number()
                                      ? (num(at(ind, "deviation")) > 0 ? "+" : "") + pct(at(ind, "deviation"), 1)
                                      : std::string("\xE2\x80\x93");
                rows += td_num(count(at(ind, "plan")), "", "first") + td_num(count(at(ind, "actual"))) +
                        td_num(dev + (flag ? " \xE2\x9A\x91" : ""), attrs,
                               flag ? "pa flag" : at(ind, "deviation").is_number() ? "pa ok" : "pa");
            }
            rows += "</tr>";
        }
        std::string thead = "<thead>" + head1 + "</tr>" + head2 + "</tr></thead>";
        h += "<p class=\"note\"" + detail::report_html::data("flagged", oj(flagged)) + ">" + fixed(double(flagged), 0) +
             " indicator(s) flagged.</p>";
        if (!planned_rows.empty())
            h += "<div class=\"table-wrap\"><table class=\"plan\">" + thead + "<tbody>" + planned_rows + "</tbody></table></div>";
        if (others)
            h += "<details><summary>" + fixed(double(others), 0) +
                 " manager(s) with actuals but no plan</summary><div class=\"table-wrap\"><table class=\"plan\">" + thead +
                 "<tbody>" + other_rows + "</tbody></table></div></details>";
        h += "</section>\n";
    }

    // Forecast.
    {
        const oj &basis = at(pipe, "value_basis");
        h += "<section id=\"forecast\"><h2>Forecast</h2><p class=\"lead\">For each open stage: the probability that a "
             "customer in it reaches a won stage and the expected days to get there (from the completed stays as of " +
             esc(as_of) + "), and the expected revenue of the customers in it now.</p>";
        h += "<div class=\"tiles\">" + tile("fc-open", at(pipe, "open_customers"), count(at(pipe, "open_customers")), "open customers") +
             tile("fc-wins", at(pipe, "expected_wins"),
                  at(pipe, "expected_wins").is_number() ? fixed(num(at(pipe, "expected_wins")), 1) : "\xE2\x80\x93",
                  "expected wins") +
             tile("fc-revenue", at(pipe, "expected_revenue"), money(at(pipe, "expected_revenue")), "expected revenue") + "</div>";
        std::vector<const oj *> open;
        for (const auto &s : at(fc, "stages"))
            if (str(s, "source") != "absorbing") open.push_back(&s);
        if (open.empty()) {
            h += "<p class=\"note\">The model has no open stage.</p>";
        } else {
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
            h += svg + "</svg>";
        }
        h += "<p class=\"note\">Deal values: " + count(at(basis, "amount_attribute")) + " from the amount attribute, " +
             count(at(basis, "product_mean")) + " from the mean purchase of the product, " +
             count(at(basis, "overall_mean")) + " from the mean purchase overall, " + count(at(basis, "none")) +
             " unknown (0). Source <i>observed</i>: estimated from completed stays; <i>model probability</i>: never "
             "observed leaving, the model's probability is used.</p></section>\n";
    }

    // Customer value.
    {
        const oj &par = at(val, "pareto"), &rep_ = at(val, "repeat");
        h += "<section id=\"value\"><h2>Customer value</h2><p class=\"lead\">Revenue is the sum of purchase amounts up to " +
             esc(as_of) + ". Pareto: the fewest customers, largest first, whose revenue reaches " +
             pct(at(par, "threshold"), 0) + " of the total.</p>";
        h += "<div class=\"tiles\">" + tile("value-customers", at(val, "customers"), count(at(val, "customers")), "customers") +
             tile("value-buyers", at(rep_, "buyers"), count(at(rep_, "buyers")), "buyers") +
             tile("value-revenue", at(val, "revenue"), money(at(val, "revenue")), "revenue") +
             tile("pareto-customers", at(par, "customers"), count(at(par, "customers")),
                  "customers bring " + pct(at(par, "revenue_share")) + " of revenue") +
             tile("repeat-share", at(rep_, "share"), pct(at(rep_, "share")), "buyers who bought again") + "</div>";
        h += "<h3>Pareto</h3><p class=\"pareto\"" + detail::report_html::data("customers", at(par, "customers")) +
             detail::report_html::data("revenue", at(par, "revenue")) + ">" + count(at(par, "customers")) +
             " customers bring " + money(at(par, "revenue")) + " of " + money(at(val, "revenue")) + " (" +
             pct(at(par, "revenue_share")) + " of revenue). Repeat purchase: " + count(at(rep_, "repeat_buyers")) + " of " +
             count(at(rep_, "buyers")) + " buyers.</p>";
        h += shares_svg({{"those customers, of all customers", at(par, "share_of_all")},
                         {"those customers, of buyers", at(par, "share_of_buyers")},
                         {"their revenue, of all revenue", at(par, "revenue_share")},
                         {"buyers with a repeat purchase", at(rep_, "share")}},
                        {"pareto_share_of_all", "pareto_share_of_buyers", "pareto_revenue_share", "repeat_share"}, "#7c3aed");
        for (const auto &m : at(val, "by_stage")) {
            if (str(m, "model") != model_id) continue;
            h += "<h3>Revenue by current stage</h3>" + revenue_svg(at(m, "stages"), sm);
        }
        std::string rows;
        for (const auto &c : at(val, "by_class"))
            rows += "<tr class=\"class\"" + detail::report_html::data("class", str(c, "class")) + ">" + td(str(c, "class")) +
                    td_num(count(at(c, "customers"))) + td_num(money(at(c, "revenue"))) + "</tr>";
        if (!rows.empty())
            h += "<h3>Revenue by class</h3><div class=\"table-wrap\"><table class=\"compact\"><thead><tr><th>class</th><th "
                 "class=\"n\">customers</th><th class=\"n\">revenue</th></tr></thead><tbody>" + rows + "</tbody></table></div>";
        h += "</section>\n";
    }

    // Recommendations.
    if (!recs.is_null()) {
        h += "<section id=\"recommendations\"><h2>Top recommendations</h2><p class=\"lead\">Policy <b>" +
             esc(str(recs, "policy")) + "</b> as of " + esc(str(recs, "as_of")) +
             ": the next actions ranked by score (priority \xC3\x97 class weight \xC3\x97 urgency \xC3\x97 value).</p>";
        std::string rows;
        for (const auto &r : at(recs, "recommendations")) {
            const oj &a = at(r, "action");
            std::string why;
            for (const auto &x : at(r, "reasons")) why += (why.empty() ? "" : "; ") + raw(x);
            rows += "<tr class=\"rec\"" + detail::report_html::data("rank", at(r, "rank")) +
                    detail::report_html::data("customer", str(r, "customer_id")) +
                    detail::report_html::data("score", at(r, "score")) + ">" + td_num(count(at(r, "rank"))) +
                    td(str(r, "customer_id")) + td(str(r, "manager")) + td(stage_name(sm, raw(at(r, "stage")))) +
                    td(str(a, "kind") + " via " + str(a, "channel")) + td(str(a, "due")) +
                    td_num(at(r, "score").is_number() ? fixed(num(at(r, "score")), 2) : "\xE2\x80\x93") +
                    td(why, " class=\"reason\"") + "</tr>";
        }
        if (rows.empty()) h += "<p class=\"note\">No recommendation.</p>";
        else
            h += "<div class=\"table-wrap\"><table><thead><tr><th class=\"n\">#</th><th>customer</th><th>manager</th><th>"
                 "stage</th><th>action</th><th>due</th><th class=\"n\">score</th><th>because</th></tr></thead><tbody>" +
                 rows + "</tbody></table></div>";
        h += "</section>\n";
    }

    h += "<footer>Generated by " + esc(str(rep, "generator")) + " for model " + esc(model_id) + " as of " + esc(as_of) +
         ". Definitions of every figure: docs/analytics.md. The figures are embedded below as JSON "
         "(<code>script#clm-data</code>).</footer>\n</div>\n";
    h += "<script type=\"application/json\" id=\"clm-data\">" + script_json(data) + "</script>\n</body>\n</html>\n";
    return h;
}

/// The HTML report of model slot `slot` as of `as_of` (every event on that
/// day counted): one self-contained HTML5 page rendered from
/// report_data(p, slot, as_of, opt). Throws as report_data() does.
inline std::string html_report(const portfolio &p, std::size_t slot, timestamp as_of, const report_options &opt = {}) {
    return html_report_from_data(report_data(p, slot, as_of, opt));
}

} // namespace clm
