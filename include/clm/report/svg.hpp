/// @file report/svg.hpp
/// SVG primitives of the report's charts and diagram: coordinates, estimated
/// text widths and fitting, `<text>`, `<rect>`, `<line>`, the `<svg>` tag,
/// axis ticks and a horizontal axis. Internal: no API of its own.
#pragma once

#include <clm/report/html_text.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace clm::detail::report_html {

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

} // namespace clm::detail::report_html
