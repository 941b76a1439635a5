/// @file report/diagram_layout.hpp
/// The lifecycle diagram's layout: which stages go in which row and column,
/// how big the boxes are, and which shape each arrow takes (straight, an arc,
/// a crossing between the rows, or a "bus" into an exit). The arrows' end
/// points are chosen by report/diagram_routing.hpp, the SVG written by
/// report/diagram_render.hpp. Internal.
#pragma once

#include <clm/report/stages.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clm::detail::report_html {

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

/// The diagram laid out: its boxes, its arrows and its size.
struct diagram_layout {
    std::vector<dnode> nodes;
    std::vector<dedge> edges;
    /// (from, to) -> the index of the arrow between them in `edges`.
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> edge_at;
    bool second_row = false; // any stage off the main path
    double max_col = 0;      // the rightmost column
    double node_w = 104, node_h = 46;
    double gap = 44; // between boxes in a row: room for the straight arrows' labels
    double width = 0, height = 0;
    bool two_lines = false; // some name wraps: every box is two lines high
    static constexpr double name_px = 12.5, label_px = 10.5;

    /// A lost or terminal stage: moves into it are many and drawn light.
    bool is_exit(std::size_t i) const { return nodes[i].s.kind == "lost" || nodes[i].s.kind == "terminal"; }
    /// How far an arc bulges: further for stages further apart.
    double arc_h(const dedge &e) const { return std::min(150.0, 26 + 18 * std::fabs(nodes[e.a].col - nodes[e.b].col)); }
};

/// Places the stages: the main path left to right in the first row, the
/// other stages in a second row under the main-path stages they connect to
/// (exits after them, at the right); joins the transitions between two stages
/// into one arrow.
inline void place_stages(diagram_layout &d, const oj &model) {
    std::vector<dnode> &nodes = d.nodes;
    std::vector<dedge> &edges = d.edges;
    auto &edge_at = d.edge_at;
    std::map<std::string, std::size_t> index;
    for (const auto &s : at(model, "stages")) {
        dnode n;
        n.s = {str(s, "id"), str(s, "name"), str(s, "kind")};
        if (n.s.name.empty()) n.s.name = n.s.id;
        index[n.s.id] = nodes.size();
        nodes.push_back(n);
    }

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
    d.second_row = !row1.empty();
    d.max_col = max_col;
}

/// Sizes the boxes, gives each arrow its shape and the diagram its
/// coordinates: boxes wide enough for the names, gaps wide enough for the
/// labels of the straight arrows, room above and below for the arcs and buses.
inline void size_diagram(diagram_layout &d) {
    std::vector<dnode> &nodes = d.nodes;
    std::vector<dedge> &edges = d.edges;
    const double name_px = diagram_layout::name_px, label_px = diagram_layout::label_px;
    double &node_w = d.node_w;
    bool &two_lines = d.two_lines;
    for (auto &n : nodes) {
        n.lines = wrap_name(n.s.name, 112, name_px);
        two_lines = two_lines || n.lines.size() > 1;
        for (const auto &l : n.lines) node_w = std::max(node_w, text_width(l, name_px, true) + 22);
    }
    node_w = std::min(node_w, 158.0);
    d.node_h = two_lines ? 58 : 46;
    const double node_h = d.node_h;
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
    auto is_exit = [&](std::size_t i) { return d.is_exit(i); };
    std::vector<std::size_t> exits; // exits in the second row, rightmost first: lane 0 is the nearest
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].row == 1 && is_exit(i)) exits.push_back(i);
    std::stable_sort(exits.begin(), exits.end(), [&](std::size_t x, std::size_t y) { return nodes[x].col > nodes[y].col; });
    auto lane_of = [&](std::size_t i) { return double(std::find(exits.begin(), exits.end(), i) - exits.begin()); };
    double &gap = d.gap, lanes_below = 0;
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
    auto arc_h = [&](const dedge &e) { return d.arc_h(e); };
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
    const double margin = 14, row_gap = !d.second_row ? 0 : crossing ? 104 : std::max(64.0, 20 + 9 * lanes_above + 36);
    const double y0 = margin + above + 4, y1 = y0 + node_h + row_gap;
    for (auto &n : nodes) {
        n.x = margin + n.col * pitch;
        n.y = n.row == 0 ? y0 : y1;
    }
    for (auto &e : edges) {
        if (e.shape == dedge::bus_above) e.lane = y0 + node_h + 20 + 9 * lane_of(e.b);
        if (e.shape == dedge::bus_below) e.lane = y1 + node_h + 18 + 9 * lane_of(e.b);
    }
    d.width = margin * 2 + d.max_col * pitch + node_w;
    d.height = (!d.second_row ? y0 + node_h : y1 + node_h) + below + margin;
}

/// The diagram of model_to_json() laid out: place_stages(), then size_diagram().
inline diagram_layout layout_diagram(const oj &model) {
    diagram_layout d;
    place_stages(d, model);
    size_diagram(d);
    return d;
}

} // namespace clm::detail::report_html
