/// @file printable.hpp
/// Echoing input in a message: a value quoted in an error may hold control
/// characters, a NUL byte, invalid UTF-8 or megabytes of text; the message
/// must stay one short line of valid UTF-8 that a C string can carry.
#pragma once

#include <clm/utf8.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace clm {

/// `s` made safe to quote in a message: bytes below 0x20, 0x7F and any byte of
/// invalid UTF-8 become `\xNN`; more than `max_bytes` of input end in "...".
inline std::string printable(std::string_view s, std::size_t max_bytes = 60) {
    std::string out;
    const bool utf8 = valid_utf8(s);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i >= max_bytes) {
            // Never cut a UTF-8 sequence in two: when the next byte continues
            // one, drop the part already copied.
            if (utf8 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) {
                while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
                if (!out.empty()) out.pop_back();
            }
            out += "...";
            break;
        }
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(c));
            out += buf;
        } else {
            out += char(c);
        }
    }
    return out;
}

} // namespace clm
