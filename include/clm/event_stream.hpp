/// @file event_stream.hpp
/// Importing an event-log CSV from a stream (docs/embedding.md): the host's
/// read callback fills a buffer of bounded size, complete rows are parsed and
/// applied chunk by chunk, and the whole import is still all-or-nothing
/// (portfolio::atomically). Memory: one chunk and the longest row, plus the
/// portfolio's own growth, however long the stream.
#pragma once

#include <clm/event_log.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace clm {

/// The longest record (a row, or the header) a streamed event log may hold:
/// 64 MiB. A stream without a line break, or with a quote that never closes,
/// ends with an error at this length instead of growing until memory runs
/// out (and the search for a record's end, which reads the record again for
/// every chunk, stays bounded too).
inline constexpr std::size_t max_stream_record_bytes = std::size_t(64) << 20;

/// The most lines a streamed event log may have: its line numbers are ints.
inline constexpr std::size_t max_stream_lines = std::size_t(2147483647) - 1;

/// What a streaming import does besides import_event_log(): the stream's
/// bytes read so far are passed to `progress`, which returns false to cancel.
struct stream_import_options {
    std::string file;                 ///< Names the stream in messages (empty: `<input>`).
    bool skip_bad = false;            ///< Skip rows the model refuses (malformed rows still fail).
    std::size_t chunk_bytes = 1 << 20; ///< Bytes asked of the reader per call (at least 4096).
    std::function<bool(std::size_t bytes_read)> progress; ///< After each chunk applied; false cancels (nothing changes).
};

namespace detail {

// The end of the last complete record in `text` (just after its '\n', outside
// quotes), `text` starting at a record; 0 when no record ends in it.
inline std::size_t last_record_end(std::string_view text) noexcept {
    bool quoted = false;
    std::size_t end = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"') quoted = !quoted; // a doubled quote toggles twice
        else if (text[i] == '\n' && !quoted) end = i + 1;
    }
    return end;
}

// Line breaks in `text` (the lines a chunk spans).
inline std::size_t line_breaks(std::string_view text) noexcept { return std::size_t(std::count(text.begin(), text.end(), '\n')); }

} // namespace detail

/// Imports an event-log CSV that `read(buffer, capacity)` delivers (returning
/// the bytes written, 0 at the end; throwing to fail). Rows are applied in
/// chunks, each sorted by time (stably) as import_event_log() sorts a whole
/// file; across chunks a customer's rows must come in time order (an export
/// sorted by time, or grouped by customer, is). All-or-nothing unless
/// `skip_bad`; messages name the stream's real line numbers. `finish`, when
/// given, sees the result before the import is made permanent.
template <class Read>
import_result import_event_log_stream(portfolio &p, Read &&read, const stream_import_options &options,
                                      const std::function<void(const import_result &)> &finish = {}) {
    const std::string name = options.file.empty() ? std::string("<input>") : options.file;
    const std::size_t chunk = std::max<std::size_t>(options.chunk_bytes, 4096);
    import_result result;
    std::vector<diagnostic> unused;
    std::vector<std::string> notes; // same-time rows reordered
    std::size_t more_unused = 0;
    std::string header;       // the header record, prefixed to every chunk's rows
    std::string pending;      // bytes read and not yet applied (at most one partial record beyond a chunk)
    std::size_t next_line = 2; // the stream's line of the first pending row
    std::size_t bytes = 0;
    bool at_end = false;

    // Parses and applies the complete records `rows` (starting on line next_line).
    auto apply_rows = [&](std::string_view rows) {
        // Line numbers are ints: the base below and every line of the chunk must fit one.
        if (next_line + detail::line_breaks(rows) > max_stream_lines)
            throw input_error(CLM_E_PARSE, {diagnostic{options.file, 0, 0, "more than " + std::to_string(max_stream_lines) +
                                                                       " lines in one stream: split it into several imports"}});
        const std::string text = header + std::string(rows);
        const int base = int(next_line) - 2; // a chunk's line L is the stream's L + base (the header is line 1 of both)
        auto real = [&](int line) { return line > 1 ? line + base : line; };
        parsed_event_log parsed;
        try {
            parsed = parse_event_log_views(text, options.file, p.time_zone());
        } catch (const input_error &e) {
            std::vector<diagnostic> ps = e.problems();
            for (auto &d : ps) d.line = real(d.line);
            throw input_error(e.code(), std::move(ps));
        }
        for (auto &d : parsed.unused) {
            d.line = real(d.line);
            if (unused.size() < max_reported_problems) unused.push_back(std::move(d));
            else ++more_unused;
        }
        more_unused += parsed.more_unused;
        const auto &events = parsed.events;
        std::vector<std::pair<timestamp, std::uint32_t>> by_time(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) by_time[i] = {events[i].time, std::uint32_t(i)};
        std::sort(by_time.begin(), by_time.end());
        detail::group_same_time(by_time, events);
        auto where = [&](std::size_t i) { return name + ":" + std::to_string(real(parsed.lines[by_time[i].second])); };
        std::vector<portfolio::reordering> reordered;
        auto rejected = p.apply_each(
            events.size(), [&](std::size_t i) { return events[by_time[i].second]; }, options.skip_bad, where, {}, &reordered);
        for (const auto &g : reordered) {
            std::vector<int> at;
            for (std::size_t i : g.order) at.push_back(real(parsed.lines[by_time[i].second]));
            const event_view &ev = events[by_time[g.order.front()].second];
            notes.push_back(detail::reordered_note(name, std::move(at), ev.customer_id, ev.time));
        }
        for (auto &r : rejected) {
            r.index = std::size_t(real(parsed.lines[by_time[r.index].second]));
            result.rejected.push_back(std::move(r));
        }
        result.rows += events.size();
        next_line += detail::line_breaks(rows);
    };

    p.atomically([&] {
        std::string buffer(chunk, '\0');
        // While a record is longer than a chunk, its end is looked for again only
        // once `pending` has doubled: each byte is scanned a bounded number of
        // times, not once per chunk read (quadratic in the record's length).
        std::size_t next_scan = 0;
        while (!at_end) {
            std::size_t n = read(&buffer[0], buffer.size());
            if (n > buffer.size()) throw invalid_argument(name + ": the reader returned more bytes than asked for");
            at_end = n == 0;
            bytes += n;
            pending.append(buffer.data(), n);
            // A record longer than the limit (pending holds at most a chunk before it).
            if (pending.size() > chunk + max_stream_record_bytes)
                throw input_error(CLM_E_PARSE, {diagnostic{options.file, header.empty() ? 1 : int(std::min(next_line, max_stream_lines)), 0,
                                                           "a record longer than " + std::to_string(max_stream_record_bytes) +
                                                               " bytes, the limit of a streamed row (a missing line break, or a quote that never closes?)"}});
            if (!at_end && pending.size() < next_scan) continue;
            if (header.empty()) {
                std::size_t end = at_end ? pending.size() : detail::last_record_end(pending);
                if (end == 0) {
                    next_scan = 2 * pending.size();
                    continue;
                }
                end = pending.find('\n') == std::string::npos ? pending.size() : std::min(end, pending.find('\n') + 1);
                header = pending.substr(0, end);
                if (header.back() != '\n') header += '\n';
                pending.erase(0, end);
                next_scan = 0;
            }
            if (!at_end && pending.size() < chunk) continue; // a whole chunk is sorted and applied at once
            std::size_t end = at_end ? pending.size() : detail::last_record_end(pending);
            if (end == 0 && !at_end) { // a record longer than a chunk: read on
                next_scan = 2 * pending.size();
                continue;
            }
            next_scan = 0;
            apply_rows(std::string_view(pending).substr(0, end));
            pending.erase(0, end);
            if (options.progress && !options.progress(bytes)) throw cancelled();
        }
        if (header.empty()) throw input_error(CLM_E_PARSE, {diagnostic{options.file, 1, 0, "empty event log: a header row is required"}});
        std::sort(result.rejected.begin(), result.rejected.end(), [](const auto &a, const auto &b) { return a.index < b.index; });
        result.applied = result.rows - result.rejected.size();
        for (const auto &d : unused) result.warnings.push_back(warning_text(d));
        if (more_unused) result.warnings.push_back(std::to_string(more_unused) + " more warnings not shown");
        result.warnings.insert(result.warnings.end(), notes.begin(), notes.end());
        if (finish) finish(result);
    });
    return result;
}

} // namespace clm
