/// @file event_log.hpp
/// The event-log CSV (docs/event-log.md): import into a portfolio and export
/// of its journal. Columns: customer_id, timestamp, type, value (required);
/// model, channel, manager, amount, reason, due, note, account (optional). Rows are
/// applied per customer in timestamp order (stable), so the file need not be sorted.
#pragma once

#include <clm/csv.hpp>
#include <clm/event_columns.hpp>
#include <clm/numbers.hpp>
#include <clm/printable.hpp>
#include <clm/problem_cap.hpp>
#include <clm/portfolio.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <numeric>
#include <unordered_map>

namespace clm {

/// The event-log columns, in the order export writes them.
inline const std::array<const char *, 11> &event_log_columns() {
    static const std::array<const char *, 11> cols = {"customer_id", "timestamp", "type", "value", "model", "channel",
                                                       "manager", "amount", "reason", "due", "note"};
    return cols;
}

/// The columns an import reads: event_log_columns() and `account` (the
/// customer's company from that row on). Export writes no `account` column:
/// an account change is journaled as an `attribute` event `account=NAME`,
/// which export writes as such a row.
inline const std::array<const char *, 12> &event_log_input_columns() {
    static const std::array<const char *, 12> cols = {"customer_id", "timestamp", "type", "value", "model", "channel",
                                                       "manager", "amount", "reason", "due", "note", "account"};
    return cols;
}

/// What an import did.
struct import_result {
    std::size_t rows = 0;      ///< Data rows read.
    std::size_t applied = 0;   ///< Events applied.
    std::vector<portfolio::rejection> rejected; ///< Skipped rows with reasons (skip_bad only); index = row's line.
    std::vector<std::string> warnings; ///< `FILE:LINE:COL: warning: ...` for values in columns a row's type does not use (event_columns.hpp).
};

/// An event log parsed without copying its text: events that view the text
/// they were parsed from (and `quoted`, for fields that had to be unquoted).
struct parsed_event_log {
    std::vector<event_view> events;   ///< In file order.
    std::vector<int> lines;           ///< The line each event starts on.
    std::deque<std::string> quoted;   ///< The unquoted text of quoted fields (never moves).
    std::vector<diagnostic> unused;   ///< Values in columns their row's type does not use (the first max_reported_problems).
    std::size_t more_unused = 0;      ///< How many more there were.
};

/// A warning about an unused column as `FILE:LINE:COL: warning: message`.
inline std::string warning_text(const diagnostic &d) {
    return (d.file.empty() ? std::string("<input>") : d.file) + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) +
           ": warning: " + d.message;
}

/// The warnings of a parse, one line each, capped like problems.
inline std::vector<std::string> unused_column_warnings(const parsed_event_log &parsed) {
    std::vector<std::string> out;
    for (const auto &d : parsed.unused) out.push_back(warning_text(d));
    if (parsed.more_unused) out.push_back(std::to_string(parsed.more_unused) + " more warnings not shown");
    return out;
}

namespace detail {

// Within each run of rows at one time in `by_time` ((time, row) pairs sorted),
// brings each customer's rows together, in file order, the customers in the
// order of their first row there, so that a batch sees one customer's
// same-time rows as one group (portfolio/same_time.hpp). Rows of different
// customers are independent, so this changes no outcome, only which of them
// a same-time journal lists first.
inline void group_same_time(std::vector<std::pair<timestamp, std::uint32_t>> &by_time, const std::vector<event_view> &events) {
    std::unordered_map<std::string_view, std::uint32_t> first;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> keyed; // (the customer's first position in the run, row)
    for (std::size_t a = 0, b = 0; a < by_time.size(); a = b) {
        for (b = a + 1; b < by_time.size() && by_time[b].first == by_time[a].first;) ++b;
        if (b - a < 3) continue; // one or two rows are grouped already
        first.clear();
        keyed.clear();
        for (std::size_t i = a; i < b; ++i) {
            const std::uint32_t row = by_time[i].second;
            keyed.emplace_back(first.emplace(events[row].customer_id, std::uint32_t(i - a)).first->second, row);
        }
        if (std::is_sorted(keyed.begin(), keyed.end())) continue;
        std::sort(keyed.begin(), keyed.end());
        for (std::size_t i = a; i < b; ++i) by_time[i].second = keyed[i - a].second;
    }
}

// The note for same-time rows applied in another order than the file's: `lines` in the order applied.
inline std::string reordered_note(const std::string &name, std::vector<int> lines, std::string_view customer, timestamp t) {
    std::string applied;
    for (int l : lines) applied += (applied.empty() ? "" : ", ") + std::to_string(l);
    std::sort(lines.begin(), lines.end());
    std::string given;
    for (int l : lines) given += (given.empty() ? "" : ", ") + std::to_string(l);
    return name + ":" + std::to_string(lines.front()) + ": note: customer '" + std::string(customer) + "': rows " + given + " at " +
           format_timestamp(t) + " applied in the order " + applied + " (the model refuses the file's order; it allows only this one)";
}

} // namespace detail

/// Parses an event-log CSV into views of `text`, which must outlive the result;
/// throws input_error (CLM_E_PARSE) listing every malformed row (file, line,
/// column name, customer id). Times with a UTC offset are converted into the
/// zone `zone` seconds east of UTC (portfolio::time_zone()).
inline parsed_event_log parse_event_log_views(std::string_view text, const std::string &file, std::int32_t zone = 0) {
    parsed_event_log out;
    csv_reader reader(text, file);
    std::vector<std::string> row;
    // Problems past the first max_reported_problems are only counted (a million bad rows are not a million messages).
    struct problem_list : std::vector<diagnostic> {
        std::size_t *more;
        void push_back(diagnostic d) {
            if (size() < max_reported_problems) std::vector<diagnostic>::push_back(std::move(d));
            else ++*more;
        }
    };
    std::size_t more = 0;
    problem_list problems;
    problems.more = &more;
    if (!reader.next(row)) throw input_error(CLM_E_PARSE, {diagnostic{file, 1, 0, "empty event log: a header row is required"}});
    const auto &cols = event_log_input_columns();
    std::array<int, 12> at;
    at.fill(-1);
    for (std::size_t i = 0; i < row.size(); ++i) {
        bool known = false;
        for (std::size_t k = 0; k < cols.size(); ++k) {
            if (row[i] != cols[k]) continue;
            known = true;
            if (at[k] >= 0) problems.push_back({file, 1, int(i) + 1, "duplicate column '" + printable(row[i]) + "'"});
            at[k] = int(i);
        }
        if (!known) problems.push_back({file, 1, int(i) + 1, "unknown column '" + printable(row[i]) + "' (columns: customer_id, timestamp, type, value, model, channel, manager, amount, reason, due, note, account)"});
    }
    for (std::size_t k = 0; k < 4; ++k)
        if (at[k] < 0) problems.push_back({file, 1, 0, std::string("missing required column '") + cols[k] + "'"});
    if (!problems.empty()) throw input_error(CLM_E_PARSE, capped(std::move(problems), more));
    const std::size_t width = row.size();

    {
        // Room for every line (an upper bound on the rows).
        std::size_t newlines = 0;
        for (const char *q = text.data(), *e = q + text.size(); (q = static_cast<const char *>(std::memchr(q, '\n', std::size_t(e - q)))) != nullptr; ++q) ++newlines;
        out.events.reserve(newlines + 1);
        out.lines.reserve(newlines + 1);
    }
    std::vector<std::string_view> cells; // a row's fields, viewed in the text (no copy)
    while (reader.next(cells, out.quoted)) {
        int line = reader.line();
        if (cells.size() == 1 && cells[0].empty()) continue; // blank line
        auto field = [&](std::size_t k) -> std::string_view {
            return at[k] >= 0 && std::size_t(at[k]) < cells.size() ? cells[std::size_t(at[k])] : std::string_view();
        };
        // Names the customer in a problem's message (built only when there is a problem).
        auto who = [&]() -> std::string {
            return field(0).empty() || !valid_utf8(field(0)) || field(0).find('\0') != std::string::npos
                       ? std::string()
                       : " (customer '" + printable(field(0)) + "')";
        };
        auto bad = [&](std::size_t k, const std::string &msg) {
            problems.push_back({file, line, at[k] + 1, std::string("column '") + cols[k] + "'" + who() + ": " + msg});
        };
        if (cells.size() != width) {
            problems.push_back({file, line, 0, "expected " + std::to_string(width) + " fields, found " + std::to_string(cells.size()) + who()});
            continue;
        }
        event_view &ev = out.events.emplace_back(); // built in place
        ev.customer_id = field(0);
        if (ev.customer_id.empty()) bad(0, "customer id is empty");
        if (auto t = parse_timestamp(field(1), zone)) ev.time = *t;
        else bad(1, "'" + printable(field(1)) + "' is not a valid date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optionally ending in Z or +hh:mm)");
        if (auto ty = parse_event_type(field(2))) ev.type = *ty;
        else bad(2, "unknown type '" + printable(field(2)) + "' (stage, event, contact, document, document_done, purchase, next_step, attribute, tag, untag, class, score, manager, check)");
        ev.value = field(3);
        ev.model = field(4);
        if (auto ch = parse_channel(field(5))) ev.via = *ch;
        else bad(5, "unknown channel '" + printable(field(5)) + "' (messenger, email, call, online_meeting, meeting, other)");
        ev.manager = field(6);
        if (!field(7).empty()) {
            auto v = parse_decimal(field(7));
            if (!v) bad(7, "'" + printable(field(7)) + "' is not a number (decimal digits, e.g. 1234.50)");
            else if (!valid_amount(*v, ev.type == event_type::purchase))
                bad(7, "'" + printable(field(7)) + "' is out of range (at most 1e12; negative only on a purchase row, a refund)");
            else ev.amount = *v;
        }
        ev.reason = field(8);
        if (!field(9).empty()) {
            if (auto t = parse_timestamp(field(9), zone)) ev.due = *t;
            else bad(9, "'" + printable(field(9)) + "' is not a valid date");
        }
        ev.note = field(10);
        ev.account = field(11);
        if (cells.size() == width && parse_event_type(field(2)))
            for (std::size_t k : {4, 5, 7, 8, 9})
                if (!field(k).empty() && !event_column_used(ev.type, k)) {
                    if (out.unused.size() >= max_reported_problems) ++out.more_unused;
                    else out.unused.push_back({file, line, at[k] + 1, std::string("column '") + cols[k] + "'" + who() +
                                                                          " is not used on a '" + to_string(ev.type) + "' row (kept, but nothing reads it)"});
                }
        // Malformed text is a parse error of its row and column, like a bad date; so is
        // a NUL byte, which no C string (and so no C ABI call) could give back.
        for (std::size_t k : {0, 3, 4, 6, 8, 10, 11}) {
            if (!valid_utf8(field(k))) bad(k, "text is not valid UTF-8");
            else if (field(k).find('\0') != std::string::npos) bad(k, "text contains a NUL byte");
        }
        ev.text_checked = true; // (a row with a problem is never applied: the parse throws)
        out.lines.push_back(line);
    }
    if (!problems.empty()) throw input_error(CLM_E_PARSE, capped(std::move(problems), more));
    return out;
}

/// Parses an event-log CSV into events, in file order; throws input_error
/// (CLM_E_PARSE) listing every malformed row (file, line, column name, customer id).
/// `lines` receives each event's line number.
inline std::vector<event_input> parse_event_log(std::string_view text, const std::string &file, std::vector<int> *lines = nullptr) {
    parsed_event_log parsed = parse_event_log_views(text, file);
    std::vector<event_input> events(parsed.events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const event_view &v = parsed.events[i];
        event_input &e = events[i];
        e.customer_id = v.customer_id;
        e.time = v.time;
        e.type = v.type;
        e.value = v.value;
        e.model = v.model;
        e.via = v.via;
        e.manager = v.manager;
        e.amount = v.amount;
        e.reason = v.reason;
        e.due = v.due;
        e.note = v.note;
        e.account = v.account;
    }
    if (lines) lines->insert(lines->end(), parsed.lines.begin(), parsed.lines.end());
    return events;
}

/// Imports an event-log CSV into `p`. All-or-nothing unless `skip_bad`, in
/// which case rows the model refuses are skipped and reported (malformed
/// rows are always an error). Rows are applied per customer in timestamp
/// order. `finish`, when given, sees the result before the import is made
/// permanent; if it throws, the import is rolled back.
inline import_result import_event_log(portfolio &p, std::string_view text, const std::string &file, bool skip_bad = false,
                                      const std::function<void(const import_result &)> &finish = {}) {
    const parsed_event_log parsed = parse_event_log_views(text, file, p.time_zone());
    const auto &events = parsed.events;
    const auto &lines = parsed.lines;
    // Stable by time: sort (time, row) pairs, which are all distinct, rather than
    // rows through the events (a cache miss per comparison); then apply the rows
    // in that order where they lie, moving none.
    std::vector<std::pair<timestamp, std::uint32_t>> by_time(events.size());
    if (events.size() >= 0xFFFFFFFFu) throw invalid_argument(file + ": too many rows in one event log");
    for (std::size_t i = 0; i < events.size(); ++i) by_time[i] = {events[i].time, std::uint32_t(i)};
    if (!std::is_sorted(by_time.begin(), by_time.end())) std::sort(by_time.begin(), by_time.end());
    detail::group_same_time(by_time, events);
    // Rows of one customer often come together in a file (an export per
    // customer): such a run shares one memo of the customer's index, so that
    // only its first row applied looks the id up (in time order, the lookups
    // would miss the caches).
    std::vector<std::uint32_t> run(events.size());
    std::uint32_t runs = 0;
    for (std::size_t i = 0; i < events.size(); ++i)
        run[i] = i > 0 && events[i].customer_id == events[i - 1].customer_id ? run[i - 1] : runs++;
    std::vector<std::uint32_t> memo(runs, none32);
    std::string name = file.empty() ? std::string("<input>") : file;
    auto where = [&](std::size_t i) { return name + ":" + std::to_string(lines[by_time[i].second]); };
    import_result r;
    r.rows = events.size();
    r.warnings = unused_column_warnings(parsed);
    std::vector<portfolio::reordering> reordered;
    p.apply_each(
        events.size(),
        [&](std::size_t i) {
            const std::uint32_t row = by_time[i].second;
            event_view ev = events[row];
            ev.customer_memo = &memo[run[row]];
            return ev;
        },
        skip_bad, where,
        [&](std::vector<portfolio::rejection> &rejected) {
            for (auto &rej : rejected) rej.index = std::size_t(lines[by_time[rej.index].second]);
            std::sort(rejected.begin(), rejected.end(), [](const auto &a, const auto &b) { return a.index < b.index; });
            r.rejected = rejected;
            r.applied = r.rows - r.rejected.size();
            for (const auto &g : reordered) {
                std::vector<int> at;
                for (std::size_t i : g.order) at.push_back(lines[by_time[i].second]);
                const event_view &ev = events[by_time[g.order.front()].second];
                r.warnings.push_back(detail::reordered_note(name, std::move(at), ev.customer_id, ev.time));
            }
            if (finish) finish(r);
        },
        &reordered);
    return r;
}

/// The portfolio's journal as an event-log CSV (header + one row per event, in apply order).
/// Importing it into a portfolio with the same models rebuilds the same state.
inline std::string export_event_log(const portfolio &p) {
    std::string out;
    const auto &cols = event_log_columns();
    for (std::size_t k = 0; k < cols.size(); ++k) {
        if (k) out += ',';
        out += cols[k];
    }
    out += '\n';
    char num[64];
    for (const auto &ev : p.journal()) {
        const event_detail *d = p.detail_of(ev);
        csv_append_field(out, p.customer_id(ev.customer));
        out += ',';
        out += format_timestamp(ev.time);
        out += ',';
        out += to_string(ev.type);
        out += ',';
        if (ev.type == event_type::stage) {
            csv_append_field(out, p.model_at(ev.model).stage_at(stage_index(ev.value)).id);
            out += ',';
            csv_append_field(out, p.model_at(ev.model).id());
        } else {
            csv_append_field(out, p.text(ev.value));
            out += ',';
        }
        out += ',';
        out += to_string(ev.via);
        out += ',';
        if (d) csv_append_field(out, p.text(d->manager));
        out += ',';
        if (d && d->has_amount) {
            std::snprintf(num, sizeof num, "%.17g", d->amount);
            out += num;
        }
        out += ',';
        if (d) csv_append_field(out, p.text(d->reason));
        out += ',';
        if (d && d->has_due) out += format_timestamp(d->due);
        out += ',';
        if (d) csv_append_field(out, p.text(d->note));
        out += '\n';
    }
    return out;
}

} // namespace clm
