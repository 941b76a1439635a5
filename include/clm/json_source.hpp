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
#include <clm/input_limits.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

namespace clm {

/// A parsed JSON document with the position of each of its values.
class json_source {
public:
    /// Parses `text`; throws input_error (CLM_E_PARSE) with the position on malformed JSON.
    /// `file` names the source in diagnostics.
    json_source(std::string_view text, std::string file) : file_(std::move(file)), text_(text) {
        // Lines and columns are ints, and parsing takes many times the text in memory.
        const std::size_t limit = std::min<std::size_t>(max_json_bytes(), std::size_t(std::numeric_limits<int>::max()) - 1);
        if (text.size() > limit)
            throw input_error(CLM_E_PARSE, {diagnostic{file_, 0, 0, "JSON document of " + std::to_string(text.size()) + " bytes is larger than the limit of " +
                                                                        std::to_string(limit) + " bytes (set CLM_MAX_JSON_BYTES to change it)"}});
        skip_ws();
        std::vector<std::uint32_t> root_children; // the root's one slot (unused)
        doc_ = value(no_key, 0, root_children);
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
        // Walk down from the root, token by token; stop at the deepest value found.
        std::uint32_t cur = 0;
        std::size_t i = 0;
        while (!nodes_.empty() && i < pointer.size() && pointer[i] == '/') {
            std::size_t end = pointer.find('/', i + 1);
            if (end == std::string::npos) end = pointer.size();
            std::string token = unescape_pointer_token(pointer.substr(i + 1, end - i - 1));
            auto child = find_child(cur, token);
            if (!child) break;
            cur = *child;
            i = end;
        }
        if (nodes_.empty()) return diagnostic{file_, 0, 0, std::move(message)};
        return diagnostic{file_, int(nodes_[cur].line), int(nodes_[cur].column), std::move(message)};
    }

private:
    // Where each value stood: one small record per value, its children's ids
    // kept contiguously in children_ (an array's by index, an object's sorted
    // by key), so memory stays proportional to the input whatever the nesting.
    struct node {
        std::uint32_t key_pos;     // offset of the key's opening quote in an object, else no_key
        std::uint32_t line;        // 1-based
        std::uint32_t column;      // 1-based
        std::uint32_t first_child; // index in children_
        std::uint32_t child_count; // children (0 for scalars)
        bool is_object;            // children are found by key
    };
    static constexpr std::uint32_t no_key = std::numeric_limits<std::uint32_t>::max();

    static std::string unescape_pointer_token(const std::string &t) {
        std::string out;
        for (std::size_t k = 0; k < t.size(); ++k) {
            if (t[k] == '~' && k + 1 < t.size() && (t[k + 1] == '0' || t[k + 1] == '1')) {
                out += t[k + 1] == '0' ? '~' : '/';
                ++k;
            } else {
                out += t[k];
            }
        }
        return out;
    }

    std::optional<std::uint32_t> find_child(std::uint32_t parent, const std::string &token) const {
        const node &n = nodes_[parent];
        if (n.child_count == 0) return std::nullopt;
        const std::uint32_t *b = children_.data() + n.first_child, *e = b + n.child_count;
        if (!n.is_object) {
            if (token.empty() || token.size() > 10 || token.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
            unsigned long long k = std::stoull(token);
            if (k >= n.child_count) return std::nullopt;
            return b[k];
        }
        auto it = std::lower_bound(b, e, token, [&](std::uint32_t c, const std::string &t) { return key_of(c) < t; });
        if (it != e && key_of(*it) == token) return *it;
        return std::nullopt;
    }

    // The (unescaped) key of an object member, read again from the text.
    std::string key_of(std::uint32_t id) const {
        std::size_t p = nodes_[id].key_pos;
        return read_string(p);
    }

    static constexpr int max_depth = 256; // deep nesting is an attack, not a model

    [[noreturn]] void fail(const std::string &what) const { fail_at(pos_, what); }

    [[noreturn]] void fail_at(std::size_t pos, const std::string &what) const {
        auto [line, col] = line_col(pos);
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

    // Parses one value; `key_pos` is its key's offset (members of objects);
    // its node's id is appended to `siblings`.
    nlohmann::json value(std::uint32_t key_pos, int depth, std::vector<std::uint32_t> &siblings) {
        if (depth > max_depth) fail("nesting deeper than 256 levels");
        if (pos_ >= text_.size()) fail("unexpected end of input, a value was expected");
        auto [line, col] = line_col(pos_);
        const auto id = std::uint32_t(nodes_.size());
        nodes_.push_back(node{key_pos, std::uint32_t(line), std::uint32_t(col), 0, 0, false});
        siblings.push_back(id);
        char c = text_[pos_];
        if (c == '{') return object(id, depth);
        if (c == '[') return array(id, depth);
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

    // Records a container's children contiguously.
    void adopt(std::uint32_t id, const std::vector<std::uint32_t> &kids, bool is_object) {
        nodes_[id].first_child = std::uint32_t(children_.size());
        nodes_[id].child_count = std::uint32_t(kids.size());
        nodes_[id].is_object = is_object;
        children_.insert(children_.end(), kids.begin(), kids.end());
    }

    nlohmann::json object(std::uint32_t id, int depth) {
        ++pos_; // '{'
        nlohmann::json obj = nlohmann::json::object();
        std::vector<std::pair<std::string, std::uint32_t>> keyed; // (key, child), sorted at the end
        std::vector<std::uint32_t> kids;
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
            kids.clear();
            auto &slot = obj[key];
            slot = value(std::uint32_t(key_pos), depth + 1, kids);
            keyed.emplace_back(std::move(key), kids.front());
            skip_ws();
            if (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_[pos_] == '}') {
                ++pos_;
                std::sort(keyed.begin(), keyed.end());
                kids.clear();
                for (const auto &k : keyed) kids.push_back(k.second);
                adopt(id, kids, true);
                return obj;
            }
            fail("expected ',' or '}' in an object");
        }
    }

    nlohmann::json array(std::uint32_t id, int depth) {
        ++pos_; // '['
        nlohmann::json arr = nlohmann::json::array();
        std::vector<std::uint32_t> kids;
        skip_ws();
        if (pos_ < text_.size() && text_[pos_] == ']') {
            ++pos_;
            return arr;
        }
        for (;;) {
            skip_ws();
            arr.push_back(value(no_key, depth + 1, kids));
            skip_ws();
            if (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_[pos_] == ']') {
                ++pos_;
                adopt(id, kids, false);
                return arr;
            }
            fail("expected ',' or ']' in an array");
        }
    }

    unsigned hex4(std::size_t &pos) const {
        if (pos + 4 > text_.size()) fail_at(pos, "truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            char h = text_[pos++];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= unsigned(h - '0');
            else if (h >= 'a' && h <= 'f') v |= unsigned(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= unsigned(h - 'A' + 10);
            else fail_at(pos, "bad hex digit in a \\u escape");
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

    // Validates one UTF-8 sequence starting at `pos` and copies it.
    void utf8_char(std::string &out, std::size_t &pos) const {
        auto b = static_cast<unsigned char>(text_[pos]);
        int extra = b >= 0xF0 && b <= 0xF4 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : -1;
        if (extra < 0) fail_at(pos, "invalid UTF-8 in a string");
        if (pos + std::size_t(extra) >= text_.size()) fail_at(pos, "truncated UTF-8 sequence in a string");
        std::uint32_t cp = b & (0x3F >> extra);
        for (int i = 1; i <= extra; ++i) {
            auto cb = static_cast<unsigned char>(text_[pos + std::size_t(i)]);
            if ((cb & 0xC0) != 0x80) fail_at(pos, "invalid UTF-8 in a string");
            cp = (cp << 6) | (cb & 0x3F);
        }
        if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
            fail_at(pos, "invalid UTF-8 in a string");
        }
        out.append(text_.data() + pos, std::size_t(extra) + 1);
        pos += std::size_t(extra) + 1;
    }

    std::string string() { return read_string(pos_); }

    // Reads the string whose opening quote is at `pos`, leaving `pos` past its closing one.
    std::string read_string(std::size_t &pos) const {
        ++pos; // opening quote
        std::string out;
        for (;;) {
            if (pos >= text_.size()) fail_at(pos, "unterminated string");
            char c = text_[pos];
            if (c == '"') {
                ++pos;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail_at(pos, "control character in a string");
            if (c == '\\') {
                ++pos;
                if (pos >= text_.size()) fail_at(pos, "unterminated escape");
                char e = text_[pos++];
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
                    std::uint32_t cp = hex4(pos);
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (text_.substr(pos, 2) != "\\u") fail_at(pos, "lone high surrogate in a \\u escape");
                        pos += 2;
                        std::uint32_t lo = hex4(pos);
                        if (lo < 0xDC00 || lo > 0xDFFF) fail_at(pos, "bad low surrogate in a \\u escape");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        fail_at(pos, "lone low surrogate in a \\u escape");
                    } else if (cp == 0) {
                        // Every text clm keeps must come back out through the C ABI as a C string.
                        fail_at(pos, "\\u0000 in a string: text may not contain a NUL character");
                    }
                    put_utf8(out, cp);
                    break;
                }
                default: --pos; fail_at(pos, std::string("unknown escape '\\") + e + "'");
                }
                continue;
            }
            if (static_cast<unsigned char>(c) >= 0x80) {
                utf8_char(out, pos);
                continue;
            }
            out += c;
            ++pos;
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
        // 1e999 would be infinity: no value clm keeps may be non-finite.
        if (!std::isfinite(d)) {
            pos_ = start;
            fail("number out of range: " + lexeme.substr(0, 40));
        }
        // A number with no fractional part is an integer, however it is written
        // (7, 7.0, 7e0): JSON Schema counts it so, and the schemas in docs/
        // and this reader must accept the same documents. Up to 2^53 the
        // double holds it exactly.
        if (d == std::floor(d) && std::fabs(d) <= 9007199254740992.0) return nlohmann::json(static_cast<std::int64_t>(d));
        return nlohmann::json(d);
    }

    std::string file_;
    std::string_view text_;
    std::size_t pos_ = 0;
    mutable std::size_t scan_ = 0;
    mutable int line_ = 1;
    mutable std::size_t line_start_ = 0;
    nlohmann::json doc_;
    std::vector<node> nodes_;               // every value, in document order (node 0 is the root)
    std::vector<std::uint32_t> children_;   // each container's children, contiguous
};

} // namespace clm
