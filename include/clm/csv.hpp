/// @file csv.hpp
/// An RFC 4180 CSV reader: quoted fields with embedded commas, quotes and
/// newlines, CRLF or LF line ends, a UTF-8 byte-order mark. It reads from a
/// buffer without copying unquoted fields and reports the line of each record.
#pragma once

#include <clm/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace clm {

/// Reads CSV records one at a time from a buffer.
class csv_reader {
public:
    /// Reads `text`; `file` names it in errors.
    csv_reader(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {
        if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3; // UTF-8 BOM
    }

    /// Reads the next record into `fields`; false at the end of the input.
    /// Throws input_error (CLM_E_PARSE) for an unterminated quote or text after a closing quote.
    bool next(std::vector<std::string> &fields) {
        fields.clear();
        if (pos_ >= text_.size()) return false;
        record_line_ = line_;
        std::string field;
        for (;;) {
            field.clear();
            if (pos_ < text_.size() && text_[pos_] == '"') {
                std::size_t quote_line = line_;
                ++pos_;
                for (;;) {
                    if (pos_ >= text_.size())
                        throw input_error(CLM_E_PARSE, {diagnostic{file_, int(quote_line), 0, "unterminated quoted field"}});
                    char c = text_[pos_++];
                    if (c == '"') {
                        if (pos_ < text_.size() && text_[pos_] == '"') {
                            field += '"';
                            ++pos_;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') ++line_;
                    field += c;
                }
                if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r')
                    throw input_error(CLM_E_PARSE, {diagnostic{file_, int(line_), 0, "text after a closing quote"}});
            } else {
                std::size_t start = pos_;
                while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
                    if (text_[pos_] == '"')
                        throw input_error(CLM_E_PARSE, {diagnostic{file_, int(line_), 0, "a quote inside an unquoted field"}});
                    ++pos_;
                }
                field.assign(text_.substr(start, pos_ - start));
            }
            fields.push_back(field);
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

    /// The 1-based line where the last record returned by next() started.
    int line() const noexcept { return int(record_line_); }
    /// The source name.
    const std::string &file() const noexcept { return file_; }

private:
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
