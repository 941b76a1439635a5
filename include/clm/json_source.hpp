/// @file json_source.hpp
/// A JSON reader that remembers where every value stood in the text.
///
/// nlohmann::json gives a fine document model but forgets positions once
/// parsing succeeds, and clm must report "file:line:col" for a semantic
/// problem such as a transition to an unknown stage. This small strict
/// (RFC 8259) recursive-descent reader builds the nlohmann document and a
/// table from each value's JSON pointer to its line and column.
#pragma once

#include <clm/error.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

namespace clm {

/// A parsed JSON document with the position of each of its values.
class json_source {
public:
    /// Parses `text`; throws input_error (CLM_E_PARSE) with the position on malformed JSON.
    /// `file` names the source in diagnostics.
    json_source(std::string_view text, std::string file) : file_(std::move(file)), text_(text) {
        skip_ws();
        doc_ = value("", 0);
        skip_ws();
        if (pos_ != text_.size()) fail("unexpected text after the JSON value");
    }

    /// The document.
    const nlohmann::json &doc() const noexcept { return doc_; }
    /// The source name given at construction.
    const std::string &file() const noexcept { return file_; }

    /// A diagnostic positioned at the value with JSON pointer `pointer`
    /// (e.g. "/stages/2/id"); falls back to the nearest enclosing value.
    diagnostic at(const std::string &pointer, std::string message) const {
        std::string p = pointer;
        for (;;) {
            auto it = positions_.find(p);
            if (it != positions_.end()) {
                return diagnostic{file_, it->second.line, it->second.column, std::move(message)};
            }
            if (p.empty()) return diagnostic{file_, 0, 0, std::move(message)};
            p.erase(p.rfind('/'));
        }
    }

private:
    struct position {
        int line;
        int column;
    };

    static constexpr int max_depth = 256; // deep nesting is an attack, not a model

    [[noreturn]] void fail(const std::string &what) const {
        auto [line, col] = line_col(pos_);
        throw input_error(CLM_E_PARSE,
                          {diagnostic{file_, line, col, "malformed JSON: " + what}});
    }

    std::pair<int, int> line_col(std::size_t offset) const {
        // Lines are counted lazily: only diagnostics and value starts need them.
        while (scan_ < offset && scan_ < text_.size()) {
            if (text_[scan_] == '\n') {
                ++line_;
                line_start_ = scan_ + 1;
            }
            ++scan_;
        }
        return {line_, static_cast<int>(offset - line_start_) + 1};
    }

    void skip_ws() {
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos_;
        }
    }

    static std::string escape_pointer_token(const std::string &key) {
        std::string out;
        for (char c : key) {
            if (c == '~') out += "~0";
            else if (c == '/') out += "~1";
            else out += c;
        }
        return out;
    }

    nlohmann::json value(const std::string &pointer, int depth) {
        if (depth > max_depth) fail("nesting deeper than 256 levels");
        if (pos_ >= text_.size()) fail("unexpected end of input, a value was expected");
        auto [line, col] = line_col(pos_);
        positions_[pointer] = position{line, col};
        char c = text_[pos_];
        if (c == '{') return object(pointer, depth);
        if (c == '[') return array(pointer, depth);
        if (c == '"') return nlohmann::json(string());
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (literal("true")) return true;
        if (literal("false")) return false;
        if (literal("null")) return nullptr;
        fail(std::string("unexpected character '") + c + "'");
    }

    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    nlohmann::json object(const std::string &pointer, int depth) {
        ++pos_; // '{'
        nlohmann::json obj = nlohmann::json::object();
        skip_ws();
        if (pos_ < text_.size() && text_[pos_] == '}') {
            ++pos_;
            return obj;
        }
        for (;;) {
            skip_ws();
            if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a string key");
            std::size_t key_pos = pos_;
            std::string key = string();
            if (obj.contains(key)) {
                pos_ = key_pos;
                fail("duplicate key \"" + key + "\"");
            }
            skip_ws();
            if (pos_ >= text_.size() || text_[pos_] != ':') fail("expected ':' after a key");
            ++pos_;
            skip_ws();
            obj[key] = value(pointer + "/" + escape_pointer_token(key), depth + 1);
            skip_ws();
            if (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_[pos_] == '}') {
                ++pos_;
                return obj;
            }
            fail("expected ',' or '}' in an object");
        }
    }

    nlohmann::json array(const std::string &pointer, int depth) {
        ++pos_; // '['
        nlohmann::json arr = nlohmann::json::array();
        skip_ws();
        if (pos_ < text_.size() && text_[pos_] == ']') {
            ++pos_;
            return arr;
        }
        for (std::size_t i = 0;; ++i) {
            skip_ws();
            arr.push_back(value(pointer + "/" + std::to_string(i), depth + 1));
            skip_ws();
            if (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_[pos_] == ']') {
                ++pos_;
                return arr;
            }
            fail("expected ',' or ']' in an array");
        }
    }

    unsigned hex4() {
        if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            char h = text_[pos_++];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= unsigned(h - '0');
            else if (h >= 'a' && h <= 'f') v |= unsigned(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= unsigned(h - 'A' + 10);
            else fail("bad hex digit in a \\u escape");
        }
        return v;
    }

    static void put_utf8(std::string &out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    // Validates one UTF-8 sequence starting at pos_ and copies it.
    void utf8_char(std::string &out) {
        auto b = static_cast<unsigned char>(text_[pos_]);
        int extra = b >= 0xF0 && b <= 0xF4 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : -1;
        if (extra < 0) fail("invalid UTF-8 in a string");
        if (pos_ + std::size_t(extra) >= text_.size()) fail("truncated UTF-8 sequence in a string");
        std::uint32_t cp = b & (0x3F >> extra);
        for (int i = 1; i <= extra; ++i) {
            auto cb = static_cast<unsigned char>(text_[pos_ + std::size_t(i)]);
            if ((cb & 0xC0) != 0x80) fail("invalid UTF-8 in a string");
            cp = (cp << 6) | (cb & 0x3F);
        }
        if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
            fail("invalid UTF-8 in a string");
        }
        out.append(text_.data() + pos_, std::size_t(extra) + 1);
        pos_ += std::size_t(extra) + 1;
    }

    std::string string() {
        ++pos_; // opening quote
        std::string out;
        for (;;) {
            if (pos_ >= text_.size()) fail("unterminated string");
            char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
            if (c == '\\') {
                ++pos_;
                if (pos_ >= text_.size()) fail("unterminated escape");
                char e = text_[pos_++];
                switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (!literal("\\u")) fail("lone high surrogate in a \\u escape");
                        std::uint32_t lo = hex4();
                        if (lo < 0xDC00 || lo > 0xDFFF) fail("bad low surrogate in a \\u escape");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        fail("lone low surrogate in a \\u escape");
                    } else if (cp == 0) {
                        // Every text clm keeps must come back out through the C ABI as a C string.
                        fail("\\u0000 in a string: text may not contain a NUL character");
                    }
                    put_utf8(out, cp);
                    break;
                }
                default: --pos_; fail(std::string("unknown escape '\\") + e + "'");
                }
                continue;
            }
            if (static_cast<unsigned char>(c) >= 0x80) {
                utf8_char(out);
                continue;
            }
            out += c;
            ++pos_;
        }
    }

    nlohmann::json number() {
        std::size_t start = pos_;
        if (text_[pos_] == '-') ++pos_;
        auto digits = [&] {
            std::size_t s = pos_;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
            return pos_ - s;
        };
        std::size_t int_start = pos_;
        if (digits() == 0) fail("a number needs digits");
        if (text_[int_start] == '0' && pos_ - int_start > 1) {
            pos_ = int_start;
            fail("leading zeros are not allowed in a number");
        }
        bool integral = true;
        if (pos_ < text_.size() && text_[pos_] == '.') {
            ++pos_;
            integral = false;
            if (digits() == 0) fail("a fraction needs digits");
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            integral = false;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
            if (digits() == 0) fail("an exponent needs digits");
        }
        std::string lexeme(text_.substr(start, pos_ - start));
        if (integral) {
            errno = 0;
            char *end = nullptr;
            long long v = std::strtoll(lexeme.c_str(), &end, 10);
            if (errno != ERANGE) return nlohmann::json(static_cast<std::int64_t>(v));
        }
        char *end = nullptr;
        double d = std::strtod(lexeme.c_str(), &end);
        return nlohmann::json(d);
    }

    std::string file_;
    std::string_view text_;
    std::size_t pos_ = 0;
    mutable std::size_t scan_ = 0;
    mutable int line_ = 1;
    mutable std::size_t line_start_ = 0;
    nlohmann::json doc_;
    std::unordered_map<std::string, position> positions_;
};

} // namespace clm
