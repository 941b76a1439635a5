/// @file report/diagram_routing.hpp
/// The lifecycle diagram's arrows routed: where each arrow leaves and enters
/// its boxes (spread along the box's side, ordered so that arrows cross as
/// little as they can), the arrows of one bus sharing their end. Internal.
#pragma once

#include <clm/report/diagram_layout.hpp>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace clm::detail::report_html {

/// Sets the end points (ax, ay, bx, by) and sides of every arrow of `d`.
inline void route_edges(diagram_layout &d) {
    std::vector<dnode> &nodes = d.nodes;
    std::vector<dedge> &edges = d.edges;
    const double node_w = d.node_w, node_h = d.node_h;
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
}

} // namespace clm::detail::report_html
