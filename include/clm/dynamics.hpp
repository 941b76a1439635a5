/// @file dynamics.hpp
/// Portfolio dynamics between two dates (the seeds' end-of-month export: who
/// moved up, who moved down, who stayed), overall and per manager, the
/// stage-to-stage transition matrix, and grounds for rotating stuck customers
/// to another manager. Definitions, including the progress rank of every kind
/// of stage: docs/analytics.md.
#pragma once

#include <clm/fisher_exact.hpp>
#include <clm/report_format.hpp>
#include <clm/stays.hpp>

#include <deque>
#include <map>
#include <tuple>

namespace clm {

/// The progress rank of each stage of `mdl` (index = stage), used to tell a
/// promotion from a regression. With L the length of the main path:
/// - a non-final stage on the main path at index i ranks 2i;
/// - a won-kind stage ranks 2L + 2i (i its main-path index, 0 when off the
///   path): above every other stage, ordered along the path among themselves;
/// - an open or dormant stage off the main path ranks 2i - 1, where i is the
///   highest main-path index of the stages that lead to it (directly, or
///   through other off-path open or dormant stages): just below the stage it
///   is a detour or a pause from; -1 when no main-path stage leads to it;
/// - a lost or terminal stage ranks -2 (a move into one counts as `left`, so
///   its rank only matters for a customer who comes back from it: promoted).
inline std::vector<int> progress_ranks(const model &mdl) {
    const std::size_t n = mdl.stage_count();
    const auto &path = mdl.main_path();
    const int L = int(path.size());
    std::vector<int> on_path(n, -1);
    for (std::size_t i = 0; i < path.size(); ++i) on_path[path[i]] = int(i);
    std::vector<int> rank(n, -1);
    const auto &g = mdl.graph();
    for (stage_index s = 0; s < n; ++s) {
        stage_kind k = mdl.stage_at(s).kind;
        if (k == stage_kind::won) {
            rank[s] = 2 * L + 2 * std::max(on_path[s], 0);
        } else if (k == stage_kind::lost || k == stage_kind::terminal) {
            rank[s] = -2;
        } else if (on_path[s] >= 0) {
            rank[s] = 2 * on_path[s];
        } else {
            // Walk back through off-path non-final stages to the main path.
            int best = -1;
            std::vector<bool> seen(n, false);
            std::deque<stage_index> todo{s};
            seen[s] = true;
            while (!todo.empty()) {
                stage_index v = todo.front();
                todo.pop_front();
                for (auto [e, end] = boost::in_edges(v, g); e != end; ++e) {
                    auto u = stage_index(boost::source(*e, g));
                    if (seen[u]) continue;
                    seen[u] = true;
                    if (on_path[u] >= 0) best = std::max(best, on_path[u]);
                    else if (!is_final(mdl.stage_at(u).kind)) todo.push_back(u);
                }
            }
            rank[s] = best >= 0 ? 2 * best - 1 : -1;
        }
    }
    return rank;
}

/// How customers moved between two dates.
struct progress_counts {
    std::size_t promoted = 0;  ///< Moved to a stage of higher rank.
    std::size_t regressed = 0; ///< Moved to a stage of lower rank.
    std::size_t unchanged = 0; ///< Same stage (or another stage of the same rank).
    std::size_t joined = 0;    ///< Not in the model on the first date ("new" in JSON).
    std::size_t left = 0;      ///< Moved into a lost or terminal stage.
};

/// A suggestion to hand a stuck customer to another manager.
struct rotation_suggestion {
    std::string customer_id;       ///< The stuck customer.
    std::string stage;             ///< Their stage on the second date.
    std::int64_t days_in_stage = 0;///< Whole days in it on the second date.
    std::string manager;           ///< Their manager on the second date.
    std::string to_manager;        ///< The suggested manager.
    std::string reason;            ///< Why, with the numbers.
    std::size_t manager_converted = 0;    ///< The current manager's closed customers at the stage who converted.
    std::size_t manager_closed = 0;       ///< The current manager's closed customers at the stage.
    std::size_t to_manager_converted = 0; ///< The suggested manager's closed customers at the stage who converted.
    std::size_t to_manager_closed = 0;    ///< The suggested manager's closed customers at the stage.
    double p_value = 1;            ///< One-sided Fisher exact test of the two records (fisher_exact_greater()).
    double alpha = 0.05;           ///< The threshold it passed (dynamics_options::alpha).
};

/// Options of the rotation suggestions.
struct dynamics_options {
    /// Two managers' conversions at a stage are compared only when each has
    /// at least this many *closed* customers there (converted, or in a final
    /// stage without converting): too few make a rate meaningless.
    std::size_t min_conversion_sample = 5;
    /// The largest p-value of the one-sided Fisher exact test for which the
    /// suggested manager's conversion counts as better (0 < alpha <= 1).
    double alpha = 0.05;
    /// At most this many suggestions hand customers to one manager in one
    /// report, so that a strong manager is not handed everyone.
    std::size_t max_per_manager = 20;
};

/// The dynamics of one model between two dates.
struct dynamics_report {
    std::string model;                       ///< The model's id.
    timestamp from = 0;                      ///< The first date (D1).
    timestamp to = 0;                        ///< The second date (D2).
    std::vector<std::string> stage_ids;      ///< The model's stage ids, in order.
    std::vector<int> ranks;                  ///< progress_ranks() of the model.
    /// Customers by stage on D1 (row; row 0 is "(none)", row s+1 stage s) and stage on D2 (column = stage).
    std::vector<std::vector<std::size_t>> matrix;
    progress_counts total;                   ///< Every customer in the model on D2.
    std::map<std::string, progress_counts> by_manager; ///< By manager on D2 ("(none)" when none).
    std::vector<rotation_suggestion> rotation;///< Suggested hand-overs, longest stuck first.
    dynamics_options options;                ///< The options the suggestions were made with.
};

/// The dynamics of model slot `slot` from `from` to `to` (each "as of": every
/// event on that day counted). Throws invalid_argument unless from < to (by day).
///
/// Each customer in the model on `to` is classified: `new` when not in the
/// model on `from`; else `unchanged` when in the same stage; else `left` when
/// now in a lost or terminal stage; else promoted / regressed / unchanged by
/// comparing progress_ranks(). The manager is the customer's manager on `to`.
///
/// Rotation: a customer is stuck when, on `to`, they are in a non-final stage
/// with a time limit and have a manager, and either have been in it longer
/// than the limit or were in the same stage on `from` with at least the limit
/// between the dates. Managers are compared on *closed* customers only: of
/// their customers who entered the stage, those who later entered the next
/// main-path stage (converted) against those now in a final stage without
/// having done so; customers still open count for neither. Stuck customers
/// are taken longest first (then by id); each is suggested to the manager
/// who, among those with fewer open customers (non-final stages) than the
/// current manager, fewer than `opt.max_per_manager` suggestions so far and at
/// least `opt.min_conversion_sample` closed customers at the stage (the
/// current manager needs as many), has the best closed conversion of the
/// stage, strictly better than the current manager's with a one-sided Fisher
/// exact p-value <= `opt.alpha` (ties: fewer open customers, then name). A
/// stage off the main path, or its last stage, gets no suggestion. Each
/// suggestion moves one open customer between the two managers' counts before
/// the next is made.
inline dynamics_report dynamics(const portfolio &p, std::size_t slot, timestamp from, timestamp to,
                                const dynamics_options &opt = {}) {
    if (day_of(from) >= day_of(to))
        throw invalid_argument("dynamics: the first date " + format_date(from) + " must be before the second date " +
                               format_date(to));
    if (!(opt.alpha > 0 && opt.alpha <= 1)) throw invalid_argument("dynamics: alpha must be in (0, 1]");
    const model &mdl = p.model_at(slot);
    const std::size_t n = mdl.stage_count();
    const timestamp t1 = end_of_day(from), t2 = end_of_day(to);
    dynamics_report r;
    r.model = mdl.id();
    r.from = day_of(from) * seconds_per_day;
    r.to = day_of(to) * seconds_per_day;
    r.options = opt;
    for (stage_index s = 0; s < n; ++s) r.stage_ids.push_back(mdl.stage_at(s).id);
    r.ranks = progress_ranks(mdl);
    r.matrix.assign(n + 1, std::vector<std::size_t>(n, 0));

    const auto &path = mdl.main_path();
    std::vector<stage_index> next_on_path(n, no_stage);
    for (std::size_t i = 0; i + 1 < path.size(); ++i) next_on_path[path[i]] = path[i + 1];

    struct candidate {
        std::uint32_t customer;
        stage_index stage;
        std::int64_t age;
        string_id manager;
    };
    std::vector<candidate> stuck;
    std::map<string_id, std::size_t> open_count;               // manager -> customers in non-final stages on D2
    std::map<std::pair<string_id, stage_index>, std::pair<std::size_t, std::size_t>> conv; // (manager, stage) -> (closed, converted)

    std::vector<std::uint32_t> events;
    std::vector<stay> stays;
    std::vector<std::size_t> first_at(n), last_at(n);
    constexpr std::size_t none = std::size_t(-1);
    const std::int64_t span = days_between(r.from, r.to);
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        stays_of(p, events, slot, t2, stays);
        if (stays.empty()) continue;
        stage_index s2 = stays.back().stage;
        stage_index s1 = no_stage;
        for (const stay &st : stays)
            if (st.entered <= t1) s1 = st.stage;
        string_id mgr = manager_as_of(p, events, t2);
        ++r.matrix[s1 == no_stage ? 0 : std::size_t(s1) + 1][s2];
        progress_counts &pm = r.by_manager[manager_label(p, mgr)];
        auto count = [&](std::size_t progress_counts::*field) {
            ++(r.total.*field);
            ++(pm.*field);
        };
        stage_kind k2 = mdl.stage_at(s2).kind;
        if (s1 == no_stage) count(&progress_counts::joined);
        else if (s1 == s2) count(&progress_counts::unchanged);
        else if (k2 == stage_kind::lost || k2 == stage_kind::terminal) count(&progress_counts::left);
        else if (r.ranks[s2] > r.ranks[s1]) count(&progress_counts::promoted);
        else if (r.ranks[s2] < r.ranks[s1]) count(&progress_counts::regressed);
        else count(&progress_counts::unchanged);

        // Rotation inputs: open load, per-stage conversion, stuck customers.
        open_count[mgr] += is_final(k2) ? 0 : 1; // every manager is a candidate, even with no open customer
        std::fill(first_at.begin(), first_at.end(), none);
        std::fill(last_at.begin(), last_at.end(), none);
        for (std::size_t i = 0; i < stays.size(); ++i) {
            if (first_at[stays[i].stage] == none) first_at[stays[i].stage] = i;
            last_at[stays[i].stage] = i;
        }
        for (stage_index s = 0; s < n; ++s) {
            if (first_at[s] == none || next_on_path[s] == no_stage) continue;
            stage_index b = next_on_path[s];
            bool converted = last_at[b] != none && last_at[b] > first_at[s];
            if (!converted && !is_final(k2)) continue; // still open: neither a success nor a failure
            auto &cv = conv[{mgr, s}];
            ++cv.first;
            cv.second += converted;
        }
        const auto &limit = mdl.stage_at(s2).time_limit_days;
        std::int64_t age = days_between(stays.back().entered, r.to);
        if (!is_final(k2) && limit && mgr != 0 && (age > *limit || (s1 == s2 && span >= *limit)))
            stuck.push_back({c, s2, age, mgr});
    }

    std::sort(stuck.begin(), stuck.end(), [&](const candidate &a, const candidate &b) {
        return a.age != b.age ? a.age > b.age : p.customer_id(a.customer) < p.customer_id(b.customer);
    });
    struct record {
        std::size_t closed = 0, converted = 0;
        double rate() const { return double(converted) / double(closed); }
    };
    auto record_of = [&](string_id m, stage_index s) {
        auto it = conv.find({m, s});
        return it == conv.end() ? record{} : record{it->second.first, it->second.second};
    };
    std::map<std::tuple<string_id, string_id, stage_index>, double> p_values; // (candidate, current, stage)
    auto p_value = [&](string_id m, string_id cur, stage_index s, const record &theirs, const record &mine) {
        auto [it, fresh] = p_values.try_emplace({m, cur, s}, 1.0);
        if (fresh)
            it->second = fisher_exact_greater(theirs.converted, theirs.closed - theirs.converted, mine.converted,
                                              mine.closed - mine.converted);
        return it->second;
    };
    std::map<string_id, std::size_t> received;
    for (const candidate &k : stuck) {
        stage_index b = next_on_path[k.stage];
        if (b == no_stage) continue;
        const record mine = record_of(k.manager, k.stage);
        if (mine.closed == 0 || mine.closed < opt.min_conversion_sample) continue;
        string_id best = 0;
        record best_rec;
        double best_p = 1;
        for (const auto &[m, load] : open_count) {
            if (m == 0 || m == k.manager || load >= open_count[k.manager] || received[m] >= opt.max_per_manager) continue;
            const record theirs = record_of(m, k.stage);
            if (theirs.closed == 0 || theirs.closed < opt.min_conversion_sample || theirs.rate() <= mine.rate()) continue;
            bool better = best == 0 || theirs.rate() > best_rec.rate() ||
                          (theirs.rate() == best_rec.rate() &&
                           (load < open_count[best] || (load == open_count[best] && p.text(m) < p.text(best))));
            if (!better) continue;
            double pv = p_value(m, k.manager, k.stage, theirs, mine);
            if (pv > opt.alpha) continue;
            best = m;
            best_rec = theirs;
            best_p = pv;
        }
        if (best == 0) continue;
        const stage &st = mdl.stage_at(k.stage);
        std::string why = k.age > *st.time_limit_days
                              ? "in '" + st.id + "' for " + std::to_string(k.age) + " days, over its limit of " +
                                    std::to_string(*st.time_limit_days)
                              : "in '" + st.id + "' since before " + format_date(r.from) + " (" + std::to_string(span) +
                                    " days between the dates, limit " + std::to_string(*st.time_limit_days) + ")";
        // Names can be long: only the numbers go through a fixed buffer.
        auto num = [](const char *format, double v) {
            char out[48];
            std::snprintf(out, sizeof out, format, v);
            return std::string(out);
        };
        auto counts = [](const record &x) { return std::to_string(x.converted) + " of " + std::to_string(x.closed); };
        why += "; " + p.text(best) + " converts '" + st.id + "' -> '" + mdl.stage_at(b).id + "' at " +
               num("%.1f%%", best_rec.rate() * 100.0) + " of closed (" + counts(best_rec) + ") with " +
               std::to_string(open_count[best]) + " open customers, " + p.text(k.manager) + " at " +
               num("%.1f%%", mine.rate() * 100.0) + " (" + counts(mine) + ") with " + std::to_string(open_count[k.manager]) +
               " open customers; one-sided Fisher exact p = " + num("%.2g", best_p) + " <= " + num("%g", opt.alpha);
        rotation_suggestion sug{p.customer_id(k.customer), st.id, k.age, p.text(k.manager), p.text(best), why};
        sug.manager_converted = mine.converted;
        sug.manager_closed = mine.closed;
        sug.to_manager_converted = best_rec.converted;
        sug.to_manager_closed = best_rec.closed;
        sug.p_value = best_p;
        sug.alpha = opt.alpha;
        r.rotation.push_back(std::move(sug));
        ++received[best];
        // The hand-over moves the customer's load; later suggestions see it.
        --open_count[k.manager];
        ++open_count[best];
    }
    return r;
}

/// Progress counts as JSON: {"promoted", "regressed", "unchanged", "new", "left"}.
inline nlohmann::ordered_json progress_to_json(const progress_counts &c) {
    return {{"promoted", c.promoted}, {"regressed", c.regressed}, {"unchanged", c.unchanged}, {"new", c.joined}, {"left", c.left}};
}

/// The dynamics as JSON: {"model", "from", "to", "stages": [{"id", "rank"}],
/// "matrix": [{"from": stage or "(none)", "to": {stage: count}}], "totals": {...},
/// "managers": [{"manager", "promoted", "regressed", "unchanged", "new", "left"}],
/// "rotation": [{"customer_id", "stage", "days_in_stage", "manager", "to_manager", "reason",
/// "manager_converted", "manager_closed", "to_manager_converted", "to_manager_closed",
/// "p_value", "alpha"}]}.
inline nlohmann::ordered_json dynamics_to_json(const dynamics_report &r) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["model"] = r.model;
    j["from"] = format_date(r.from);
    j["to"] = format_date(r.to);
    oj stages = oj::array();
    for (std::size_t s = 0; s < r.stage_ids.size(); ++s) stages.push_back({{"id", r.stage_ids[s]}, {"rank", r.ranks[s]}});
    j["stages"] = std::move(stages);
    oj matrix = oj::array();
    for (std::size_t row = 0; row < r.matrix.size(); ++row) {
        oj to = oj::object();
        for (std::size_t s = 0; s < r.stage_ids.size(); ++s) to[r.stage_ids[s]] = r.matrix[row][s];
        matrix.push_back({{"from", row == 0 ? std::string("(none)") : r.stage_ids[row - 1]}, {"to", std::move(to)}});
    }
    j["matrix"] = std::move(matrix);
    j["totals"] = progress_to_json(r.total);
    oj managers = oj::array();
    for (const auto &[name, c] : r.by_manager) {
        oj one;
        one["manager"] = name;
        oj counts = progress_to_json(c);
        for (auto it = counts.begin(); it != counts.end(); ++it) one[it.key()] = it.value();
        managers.push_back(std::move(one));
    }
    j["managers"] = std::move(managers);
    oj rot = oj::array();
    for (const auto &s : r.rotation)
        rot.push_back({{"customer_id", s.customer_id},
                       {"stage", s.stage},
                       {"days_in_stage", s.days_in_stage},
                       {"manager", s.manager},
                       {"to_manager", s.to_manager},
                       {"reason", s.reason},
                       {"manager_converted", s.manager_converted},
                       {"manager_closed", s.manager_closed},
                       {"to_manager_converted", s.to_manager_converted},
                       {"to_manager_closed", s.to_manager_closed},
                       {"p_value", s.p_value},
                       {"alpha", s.alpha}});
    j["rotation"] = std::move(rot);
    return j;
}

/// The dynamics as text for the clm command (the first `max_rotation` suggestions).
inline std::string dynamics_to_text(const dynamics_report &r, std::size_t max_rotation = 20) {
    std::string out = "dynamics of " + r.model + " from " + format_date(r.from) + " to " + format_date(r.to) + "\n";
    char line[512];
    auto counts = [&](const std::string &who, const progress_counts &c) {
        std::snprintf(line, sizeof line, "  %-28s %9zu %9zu %9zu %9zu %9zu\n", who.c_str(), c.promoted, c.regressed,
                      c.unchanged, c.joined, c.left);
        out += line;
    };
    std::snprintf(line, sizeof line, "  %-28s %9s %9s %9s %9s %9s\n", "", "promoted", "regressed", "unchanged", "new", "left");
    out += line;
    counts("total", r.total);
    for (const auto &[name, c] : r.by_manager) counts(name, c);
    out += "transitions (rows: stage on " + format_date(r.from) + ", columns: stage on " + format_date(r.to) + "):\n";
    std::string head = "  " + std::string(16, ' ');
    for (const auto &id : r.stage_ids) {
        std::snprintf(line, sizeof line, " %12.12s", id.c_str());
        head += line;
    }
    out += head + "\n";
    for (std::size_t row = 0; row < r.matrix.size(); ++row) {
        std::snprintf(line, sizeof line, "  %-16.16s", row == 0 ? "(none)" : r.stage_ids[row - 1].c_str());
        out += line;
        for (auto v : r.matrix[row]) {
            std::snprintf(line, sizeof line, " %12zu", v);
            out += line;
        }
        out += "\n";
    }
    std::snprintf(line, sizeof line,
                  " (closed customers compared: at least %zu each, one-sided Fisher exact p <= %g; at most %zu to one manager)",
                  r.options.min_conversion_sample, r.options.alpha, r.options.max_per_manager);
    out += "rotation suggestions: " + std::to_string(r.rotation.size()) + line + "\n";
    for (std::size_t i = 0; i < r.rotation.size() && i < max_rotation; ++i) {
        const auto &s = r.rotation[i];
        out += "  " + s.customer_id + ": " + s.manager + " -> " + s.to_manager + ": " + s.reason + "\n";
    }
    if (r.rotation.size() > max_rotation) out += "  ... and " + std::to_string(r.rotation.size() - max_rotation) + " more (--json lists all)\n";
    return out;
}

} // namespace clm
