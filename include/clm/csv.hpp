/// @file csv.hpp
/// An RFC 4180 CSV reader: quoted fields with embedded commas, quotes and
/// newlines, CRLF or LF line ends, a UTF-8 byte-order mark. It reads from a
/// buffer without copying unquoted fields and reports the line of each record.
#pragma once

#include <clm/error.hpp>

#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace clm {

/// Reads CSV records one at a time from a buffer.
class csv_reader {
public:
    /// Reads `text`; `file` names it in errors.
    /// Throws input_error (CLM_E_PARSE) for a text of 2 GiB or more, whose
    /// line numbers an int could not hold.
    csv_reader(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {
        if (text_.size() >= std::size_t(std::numeric_limits<int>::max()))
            throw input_error(CLM_E_PARSE, {diagnostic{file_, 0, 0, "CSV text of " + std::to_string(text_.size()) +
                                                                        " bytes: at most 2 GiB - 1 can be read at once (split the log)"}});
        if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3; // UTF-8 BOM
    }

    /// Reads the next record into `fields`; false at the end of the input.
    /// Throws input_error (CLM_E_PARSE) for an unterminated quote or text after a closing quote.
    bool next(std::vector<std::string> &fields) {
        // The strings already in `fields` are reused (assigned, not rebuilt) record after record.
        std::size_t n = 0;
        auto put = [&](std::string_view v, bool) {
            if (n < fields.size()) fields[n].assign(v.data(), v.size());
            else fields.emplace_back(v);
            ++n;
        };
        bool more = read(put, [&] { fields.resize(n); });
        if (more) fields.resize(n);
        else fields.clear();
        return more;
    }

    /// Reads the next record as views, without copying: unquoted fields point
    /// into the text, quoted ones into the reader's storage, valid until the
    /// next call. False at the end of the input; throws like the other next().
    bool next(std::vector<std::string_view> &fields) {
        quoted_.clear();
        return next(fields, quoted_);
    }

    /// next() as views, with the quoted fields (the only ones that are not
    /// slices of the text) appended to `keep`: they stay valid as long as it does.
    bool next(std::vector<std::string_view> &fields, std::deque<std::string> &keep) {
        fields.clear();
        auto put = [&](std::string_view v, bool temporary) {
            if (temporary) {
                keep.emplace_back(v);
                v = keep.back();
            }
            fields.push_back(v);
        };
        return read(put, [] {});
    }

    /// The 1-based line where the last record returned by next() started.
    int line() const noexcept { return int(record_line_); }
    /// The source name.
    const std::string &file() const noexcept { return file_; }

private:
    // Whether `c` ends an unquoted field (, \n \r) or may not appear in one (").
    static bool special(char c) noexcept {
        struct table {
            bool is[256] = {};
            constexpr table() {
                is[static_cast<unsigned char>(',')] = is[static_cast<unsigned char>('\n')] = true;
                is[static_cast<unsigned char>('\r')] = is[static_cast<unsigned char>('"')] = true;
            }
        };
        static constexpr table t;
        return t.is[static_cast<unsigned char>(c)];
    }

    // Reads one record, calling put(field, temporary) for each field (temporary:
    // the view dies with the call) and failed() before throwing.
    template <class Put, class Failed>
    bool read(Put &put, Failed failed) {
        if (pos_ >= text_.size()) return false;
        record_line_ = line_;
        auto fail = [&](std::size_t line, const char *msg) {
            failed();
            throw input_error(CLM_E_PARSE, {diagnostic{file_, int(line), 0, msg}});
        };
        std::string quoted;
        for (;;) {
            if (pos_ < text_.size() && text_[pos_] == '"') {
                std::size_t quote_line = line_;
                quoted.clear();
                ++pos_;
                for (;;) {
                    if (pos_ >= text_.size()) fail(quote_line, "unterminated quoted field");
                    char c = text_[pos_++];
                    if (c == '"') {
                        if (pos_ < text_.size() && text_[pos_] == '"') {
                            quoted += '"';
                            ++pos_;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') ++line_;
                    quoted += c;
                }
                if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') fail(line_, "text after a closing quote");
                put(std::string_view(quoted), true);
            } else {
                std::size_t start = pos_;
                // Up to the next , \n \r or " (one table lookup per byte).
                while (pos_ < text_.size() && !special(text_[pos_])) ++pos_;
                if (pos_ < text_.size() && text_[pos_] == '"') fail(line_, "a quote inside an unquoted field");
                put(text_.substr(start, pos_ - start), false);
            }
            if (pos_ >= text_.size()) return true;
            char c = text_[pos_];
            if (c == ',') {
                ++pos_;
                continue;
            }
            if (c == '\r') ++pos_;
            if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
            ++line_;
            return true;
        }
    }

    std::deque<std::string> quoted_; // quoted fields of the last record read as views (a deque: they never move)
    std::string_view text_;
    std::string file_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t record_line_ = 1;
};

/// Appends `value` to `out` as one CSV field, quoted when it must be.
inline void csv_append_field(std::string &out, std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(value);
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

} // namespace clm
