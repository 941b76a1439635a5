/// @file report/diagram_render.hpp
/// The lifecycle diagram drawn: the routed layout (report/diagram_routing.hpp)
/// as SVG, arrows under the boxes and coloured by the kind of stage they lead
/// into, each box with its customers now; and the legend under it. Internal.
#pragma once

#include <clm/report/diagram_routing.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace clm::detail::report_html {

/// The SVG of a routed layout of `model`, with each stage's customers now from `funnel`.
inline std::string render_diagram(const diagram_layout &d, const oj &model, const oj &funnel) {
    const std::vector<dnode> &nodes = d.nodes;
    const std::vector<dedge> &edges = d.edges;
    const auto &edge_at = d.edge_at;
    const double node_w = d.node_w, node_h = d.node_h, gap = d.gap, width = d.width, height = d.height;
    const double label_px = diagram_layout::label_px;
    const bool two_lines = d.two_lines;
    auto is_exit = [&](std::size_t i) { return d.is_exit(i); };
    auto arc_h = [&](const dedge &e) { return d.arc_h(e); };
    std::map<std::string, oj> current;
    for (const auto &s : at(funnel, "stages")) current[str(s, "id")] = at(s, "current");
    const std::string initial = str(model, "initial");

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

/// The model as an SVG diagram: the main path left to right in the first row,
/// the other stages in a second row under the main-path stages they connect
/// to, arrows coloured by the kind of stage they lead into.
inline std::string diagram_svg(const oj &model, const oj &funnel) {
    diagram_layout d = layout_diagram(model);
    route_edges(d);
    return render_diagram(d, model, funnel);
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

} // namespace clm::detail::report_html
