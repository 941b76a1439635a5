/// @file report/stages.hpp
/// The stages as the report shows them: their names and kinds from
/// model_to_json(), the colours of each kind (diagram.hpp's palette), a
/// kind-coloured dot and the width of a column of stage labels. Internal.
#pragma once

#include <clm/report/svg.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace clm::detail::report_html {

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

} // namespace clm::detail::report_html
