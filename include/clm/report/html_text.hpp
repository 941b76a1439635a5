/// @file report/html_text.hpp
/// Writing HTML for the report (report/page.hpp): escaping text and
/// attributes, `data-*` attributes from JSON values, numbers formatted as the
/// page shows them, table cells, key-figure tiles, legend items, and the JSON
/// embedded in a script element. Internal: no API of its own.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace clm::detail::report_html {

/// The JSON type every part of the report reads its figures from.
using oj = nlohmann::ordered_json;

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

/// A `<td>` with a number, right-aligned.
inline std::string td_num(const std::string &shown, const std::string &attrs = "", const std::string &extra_class = "") {
    return "<td class=\"n" + (extra_class.empty() ? std::string() : " " + extra_class) + "\"" + attrs + ">" + esc(shown) +
           "</td>";
}

/// A `<td>` with text.
inline std::string td(const std::string &shown, const std::string &attrs = "") { return "<td" + attrs + ">" + esc(shown) + "</td>"; }

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

} // namespace clm::detail::report_html
