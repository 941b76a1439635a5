/// @file diagram.hpp
/// Renders a model as a Graphviz DOT graph, a Mermaid state diagram or plain
/// text: stages coloured by kind, edges labelled by event.
#pragma once

#include <clm/model.hpp>

#include <cctype>
#include <cstdio>
#include <string>

namespace clm {

namespace detail {

inline const char *kind_colour(stage_kind k) {
    switch (k) {
    case stage_kind::open: return "#dbeafe";     // blue: in progress
    case stage_kind::won: return "#bbf7d0";      // green
    case stage_kind::lost: return "#fecaca";     // red
    case stage_kind::dormant: return "#e5e7eb";  // grey: sleeping
    case stage_kind::terminal: return "#fde68a"; // amber: ended, neither won nor lost
    }
    return "#ffffff";
}

// Escapes a string for a DOT double-quoted id or label.
inline std::string dot_quote(const std::string &s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

// Mermaid ids must be plain words; stage ids may hold '-' and more.
inline std::string mermaid_id(const std::string &s) {
    std::string out = "s_";
    for (unsigned char c : s) {
        if (std::isalnum(c)) out += char(c);
        else {
            static const char hex[] = "0123456789abcdef";
            out += '_';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// Mermaid labels: quotes and markup-ish characters become entity codes.
inline std::string mermaid_text(const std::string &s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '"' || c == ':' || c == ';' || c == '#' || c == '<' || c == '>' || c == '{' || c == '}' || c == '\n')
            out += "#" + std::to_string(int(c)) + ";";
        else
            out += char(c);
    }
    return out;
}

} // namespace detail

/// The model as a Graphviz DOT digraph (`dot -Tsvg` renders it).
inline std::string model_to_dot(const model &m) {
    std::string out = "digraph " + detail::dot_quote(m.id()) + " {\n";
    out += "  graph [rankdir=LR, label=" + detail::dot_quote((m.name().empty() ? m.id() : m.name()) + " (" + m.id() + " v" + std::to_string(m.version()) + ")") + ", labelloc=t, fontname=\"Helvetica\"];\n";
    out += "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n";
    out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
    for (stage_index i = 0; i < m.stage_count(); ++i) {
        const stage &s = m.stage_at(i);
        std::string label = (s.name.empty() ? s.id : s.name) + "\n(" + to_string(s.kind) + ")";
        out += "  " + detail::dot_quote(s.id) + " [label=" + detail::dot_quote(label) + ", fillcolor=\"" + detail::kind_colour(s.kind) + "\"";
        if (i == m.initial()) out += ", penwidth=2";
        if (is_final(s.kind)) out += ", peripheries=2";
        out += "];\n";
    }
    for (std::size_t i = 0; i < m.transition_count(); ++i) {
        const transition &t = m.transition_at(i);
        std::string label = m.event_name(t.event);
        if (!t.guards.empty()) label += " [guarded]";
        out += "  " + detail::dot_quote(m.stage_at(t.from).id) + " -> " + detail::dot_quote(m.stage_at(t.to).id) + " [label=" + detail::dot_quote(label) + "];\n";
    }
    out += "}\n";
    return out;
}

/// The model as a Mermaid `stateDiagram-v2`.
inline std::string model_to_mermaid(const model &m) {
    std::string out = "stateDiagram-v2\n";
    for (stage_index i = 0; i < m.stage_count(); ++i) {
        const stage &s = m.stage_at(i);
        out += "    state \"" + detail::mermaid_text(s.name.empty() ? s.id : s.name) + "\" as " + detail::mermaid_id(s.id) + "\n";
    }
    out += "    [*] --> " + detail::mermaid_id(m.stage_at(m.initial()).id) + "\n";
    for (std::size_t i = 0; i < m.transition_count(); ++i) {
        const transition &t = m.transition_at(i);
        out += "    " + detail::mermaid_id(m.stage_at(t.from).id) + " --> " + detail::mermaid_id(m.stage_at(t.to).id) + " : " + detail::mermaid_text(m.event_name(t.event)) + "\n";
    }
    for (stage_kind k : {stage_kind::open, stage_kind::won, stage_kind::lost, stage_kind::dormant, stage_kind::terminal}) {
        std::string members;
        for (stage_index i = 0; i < m.stage_count(); ++i)
            if (m.stage_at(i).kind == k) members += (members.empty() ? "" : ",") + detail::mermaid_id(m.stage_at(i).id);
        if (members.empty()) continue;
        out += "    classDef " + std::string(to_string(k)) + " fill:" + detail::kind_colour(k) + "\n";
        out += "    class " + members + " " + to_string(k) + "\n";
    }
    return out;
}

/// The model as readable text: stages with kind, task and limits, then transitions.
inline std::string model_to_text(const model &m) {
    std::string out = m.id() + " v" + std::to_string(m.version());
    if (!m.name().empty()) out += ": " + m.name();
    out += "\n";
    if (!m.source().empty()) out += "source: " + m.source() + "\n";
    out += "initial: " + m.stage_at(m.initial()).id + "\n\nstages:\n";
    for (stage_index i = 0; i < m.stage_count(); ++i) {
        const stage &s = m.stage_at(i);
        out += "  " + s.id + " [" + to_string(s.kind) + "] " + s.name;
        if (s.time_limit_days) out += ", limit " + std::to_string(*s.time_limit_days) + " days";
        if (s.probability) {
            char buf[32];
            std::snprintf(buf, sizeof buf, ", p=%.2f", *s.probability);
            out += buf;
        }
        out += "\n";
        if (!s.task.empty()) out += "      task: " + s.task + "\n";
        for (const auto &r : s.requirements) out += "      requires: " + r + "\n";
    }
    out += "\ntransitions:\n";
    for (std::size_t i = 0; i < m.transition_count(); ++i) {
        const transition &t = m.transition_at(i);
        out += "  " + m.stage_at(t.from).id + " -> " + m.stage_at(t.to).id + " on " + m.event_name(t.event);
        for (const auto &g : t.guards) {
            out += std::string(" [") + to_string(g.kind) + " ";
            if (g.kind == guard::type::items_present) {
                for (std::size_t k = 0; k < g.items.size(); ++k) out += (k ? ", " : "") + g.items[k];
            } else if (g.kind == guard::type::min_days) {
                out += std::to_string(g.days);
            } else {
                out += g.name;
            }
            out += "]";
        }
        if (t.reason_required) out += " (reason required)";
        out += "\n";
    }
    return out;
}

} // namespace clm
