/// @file utf8.hpp
/// UTF-8 validation: every string clm stores must be valid UTF-8, so that
/// whatever goes in can come out again as JSON or CSV.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace clm {

namespace detail {
// valid_utf8() from byte i on (the bytes before i are ASCII).
inline bool valid_utf8_from(std::string_view s, std::size_t i) noexcept {
    while (i < s.size()) {
        // ASCII, 8 bytes at a time.
        std::uint64_t w;
        while (i + 8 <= s.size() && (std::memcpy(&w, s.data() + i, 8), (w & 0x8080808080808080ull) == 0)) i += 8;
        if (i == s.size()) break;
        auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            ++i;
            continue;
        }
        int extra = b >= 0xF0 && b <= 0xF4 ? 3 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xC2 && b <= 0xDF ? 1 : -1;
        if (extra < 0 || i + std::size_t(extra) >= s.size()) return false;
        std::uint32_t cp = b & (0x3Fu >> extra);
        for (int k = 1; k <= extra; ++k) {
            auto c = static_cast<unsigned char>(s[i + std::size_t(k)]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += std::size_t(extra) + 1;
    }
    return true;
}
} // namespace detail

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool valid_utf8(std::string_view s) noexcept {
    // Short enough to inline: plain ASCII (ids, most text) is settled here, 8 bytes at a time.
    std::size_t i = 0;
    for (std::uint64_t w; i + 8 <= s.size(); i += 8) {
        std::memcpy(&w, s.data() + i, 8);
        if (w & 0x8080808080808080ull) return detail::valid_utf8_from(s, i);
    }
    for (; i < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) >= 0x80) return detail::valid_utf8_from(s, i);
    return true;
}

} // namespace clm
