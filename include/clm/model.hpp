/// @file model.hpp
/// A lifecycle model: stages and transitions as a Boost.Graph graph, with
/// stage and event names interned to small integers so that moving a
/// customer is a table lookup. A model is immutable once built and safe to
/// share between threads; build one with model_builder (or from JSON, see
/// model_json.hpp, or a preset, see presets.hpp).
#pragma once

#include <clm/error.hpp>
#include <clm/localized_text.hpp>

#include <boost/graph/adjacency_list.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clm {

/// A stage's index in its model (0-based, declaration order).
using stage_index = std::uint16_t;
/// An event name's index in its model (0-based, first-use order).
using event_index = std::uint16_t;
/// "No stage": the answer of a lookup that finds no move.
inline constexpr stage_index no_stage = std::numeric_limits<stage_index>::max();
/// "No transition": the answer of a transition lookup that finds none.
inline constexpr std::uint16_t no_transition = std::numeric_limits<std::uint16_t>::max();

/// What reaching a stage means. Values match clm_stage_kind in clm.h.
enum class stage_kind : std::uint8_t {
    open = 0,    ///< Work in progress.
    won = 1,     ///< The goal is reached (a deal, a loyal customer).
    lost = 2,    ///< The customer or deal is lost.
    dormant = 3, ///< Paused: sleeping, refused with a retry date.
    terminal = 4 ///< Ended without a win or a loss (dissolution, termination).
};

/// The JSON name of a kind ("open", "won", ...).
inline const char *to_string(stage_kind k) noexcept {
    switch (k) {
    case stage_kind::open: return "open";
    case stage_kind::won: return "won";
    case stage_kind::lost: return "lost";
    case stage_kind::dormant: return "dormant";
    case stage_kind::terminal: return "terminal";
    }
    return "open";
}

/// Parses a kind's JSON name; nullopt for anything else.
inline std::optional<stage_kind> parse_stage_kind(std::string_view s) noexcept {
    if (s == "open") return stage_kind::open;
    if (s == "won") return stage_kind::won;
    if (s == "lost") return stage_kind::lost;
    if (s == "dormant") return stage_kind::dormant;
    if (s == "terminal") return stage_kind::terminal;
    return std::nullopt;
}

/// True for the kinds where a lifecycle ends (won, lost, terminal).
inline bool is_final(stage_kind k) noexcept {
    return k == stage_kind::won || k == stage_kind::lost || k == stage_kind::terminal;
}

/// A condition a transition checks before it lets a customer move.
struct guard {
    /// The kinds of guard.
    enum class type : std::uint8_t {
        items_present = 0, ///< JSON "requires": named checklist items / documents are recorded.
        min_days = 1,      ///< At least `days` days spent in the source stage.
        predicate = 2      ///< A named predicate the host registers (C callback).
    };
    type kind = type::items_present;  ///< Which check.
    std::vector<std::string> items;   ///< For items_present: every item needed.
    int days = 0;                     ///< For min_days.
    std::string name;                 ///< For predicate: the registered name.

    /// Two guards are equal when they check the same thing.
    bool operator==(const guard &o) const {
        return kind == o.kind && items == o.items && days == o.days && name == o.name;
    }
};

/// The JSON name of a guard type ("requires", "min_days", "predicate").
inline const char *to_string(guard::type t) noexcept {
    switch (t) {
    case guard::type::items_present: return "requires";
    case guard::type::min_days: return "min_days";
    case guard::type::predicate: return "predicate";
    }
    return "requires";
}

/// A stage of a lifecycle (a vertex's bundled property).
struct stage {
    std::string id;                       ///< Unique id within the model, e.g. "proposal".
    std::string name;                     ///< Display name, e.g. "Commercial proposal".
    stage_kind kind = stage_kind::open;   ///< What reaching it means.
    std::string task;                     ///< The stage's goal: the default next action.
    std::vector<std::string> requirements;///< Items / documents needed to enter it.
    std::optional<int> time_limit_days;   ///< Days before a customer here counts as stuck.
    std::optional<double> probability;    ///< Win probability from this stage.
    /// `name` in every locale of the model (empty when only `name` was given).
    /// `name` itself is the text in the model's current locale (model::locale()).
    localized_text localized_name;
    /// `task` in every locale of the model (empty when only `task` was given).
    localized_text localized_task;
};

/// A move between stages (an edge's bundled property).
struct transition {
    stage_index from = 0;                ///< Source stage.
    stage_index to = 0;                  ///< Target stage.
    event_index event = 0;               ///< The event that triggers it.
    std::vector<guard> guards;           ///< Checked in order; all must pass.
    std::vector<std::string> reasons;    ///< Reasons offered for this move (loss, dissolution).
    bool reason_required = false;        ///< The move must carry a reason.
    /// A reason given must be one of `reasons`, or `other` with a note saying what.
    bool reasons_closed = false;
};

/// Stage renames from an older version of the same model.
struct migration {
    int from_version = 0;                                     ///< The older version.
    std::vector<std::pair<std::string, std::string>> stages;  ///< old stage id -> new stage id.
};

/// The Boost.Graph graph behind a model: vertices are stages, edges transitions.
using lifecycle_graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, stage, transition>;

class model_builder;
class model;

/// A shared, immutable model.
using model_ptr = std::shared_ptr<const model>;

/// An immutable lifecycle model. Share it as std::shared_ptr<const model>.
class model {
public:
    /// The model's id, e.g. "sales6".
    const std::string &id() const noexcept { return id_; }
    /// The model's version (>= 1).
    int version() const noexcept { return version_; }
    /// Display name ("" when none was given).
    const std::string &name() const noexcept { return name_; }
    /// One-paragraph description.
    const std::string &description() const noexcept { return description_; }
    /// Where the model comes from (a seed, a methodology).
    const std::string &source() const noexcept { return source_; }

    /// The locales the model's text is written in; the first is its default.
    const locale_list &locales() const noexcept { return locales_; }
    /// The locale name(), description() and every stage's name and task are
    /// shown in: the default locale unless in_locale() chose another.
    const std::string &locale() const noexcept { return locale_; }
    /// The model's name in every locale (empty when only name() was given).
    const localized_text &localized_name() const noexcept { return localized_name_; }
    /// The model's description in every locale (empty when only description() was given).
    const localized_text &localized_description() const noexcept { return localized_description_; }
    /// The same model with its text shown in `locale` (a text without a
    /// translation shows the default locale's). Stages, transitions and ids
    /// are unchanged, so customers' positions carry over. Throws not_found
    /// listing the model's locales when `locale` is not one of them.
    model_ptr in_locale(std::string_view locale) const;

    /// Number of stages.
    std::size_t stage_count() const noexcept { return boost::num_vertices(graph_); }
    /// The stage at index `i` (unchecked).
    const stage &stage_at(stage_index i) const noexcept { return graph_[i]; }
    /// A stage's index by id, or nullopt.
    std::optional<stage_index> find_stage(std::string_view id) const {
        if (stage_count() <= small_lookup) { // a few comparisons beat hashing a string
            for (std::size_t i = 0; i < stage_count(); ++i)
                if (graph_[i].id == id) return stage_index(i);
            return std::nullopt;
        }
        auto it = stage_ids_.find(std::string(id));
        if (it == stage_ids_.end()) return std::nullopt;
        return it->second;
    }
    /// A stage's index by id; throws not_found naming the model.
    stage_index stage_of(std::string_view id) const {
        auto s = find_stage(id);
        if (!s) throw not_found("model '" + id_ + "' has no stage '" + std::string(id) + "'");
        return *s;
    }
    /// The initial stage.
    stage_index initial() const noexcept { return initial_; }

    /// Number of distinct event names.
    std::size_t event_count() const noexcept { return events_.size(); }
    /// The name of event `e` (unchecked).
    const std::string &event_name(event_index e) const noexcept { return events_[e]; }
    /// An event's index by name, or nullopt.
    std::optional<event_index> find_event(std::string_view name) const {
        if (events_.size() <= small_lookup) { // a few comparisons beat hashing a string
            for (std::size_t e = 0; e < events_.size(); ++e)
                if (events_[e] == name) return event_index(e);
            return std::nullopt;
        }
        auto it = event_ids_.find(std::string(name));
        if (it == event_ids_.end()) return std::nullopt;
        return it->second;
    }

    /// Number of transitions.
    std::size_t transition_count() const noexcept { return transitions_.size(); }
    /// Transition `i` in declaration order (unchecked).
    const transition &transition_at(std::size_t i) const noexcept { return transitions_[i]; }

    /// The stage event `e` leads to from `from`, or no_stage. A table lookup.
    stage_index next(stage_index from, event_index e) const noexcept { return step(from, e).to; }
    /// The index of the transition event `e` takes from `from`, or no_transition.
    std::uint16_t transition_on(stage_index from, event_index e) const noexcept {
        if (dense_) return by_event_[std::size_t(from) * events_.size() + e];
        const move_entry *m = find_move(from, e);
        return m ? m->transition : no_transition;
    }
    /// The index of the first transition from `from` to `to`, or no_transition.
    std::uint16_t transition_between(stage_index from, stage_index to) const noexcept {
        if (dense_targets_) return by_target_[std::size_t(from) * stage_count() + to];
        // Sparse: the row of `from`, sorted by target.
        auto b = targets_.begin() + std::ptrdiff_t(target_rows_[from]);
        auto e = targets_.begin() + std::ptrdiff_t(target_rows_[std::size_t(from) + 1]);
        auto it = std::lower_bound(b, e, to, [](const target_entry &t, stage_index v) { return t.to < v; });
        return it != e && it->to == to ? it->transition : no_transition;
    }

    /// Where event `e` leads from `from`, and whether that move has nothing to
    /// check: no guard, no required reason, no entry requirement of the target
    /// (judged on transition_between(), as apply() checks it). One table load.
    struct step_result {
        stage_index to;  ///< The target stage, or no_stage when `e` does not apply.
        bool unchecked;  ///< The move has no guard, required reason or entry requirement.
    };
    /// next() and whether the move needs checks, in one lookup: the hot path of a recorded move.
    /// Ordinary models use a dense stage x event table; a model whose table would
    /// be large (docs/error-handling.md, "Limits") searches a sparse one instead.
    step_result step(stage_index from, event_index e) const noexcept {
        if (dense_) {
            const std::uint32_t v = steps_[std::size_t(from) * steps_width_ + e];
            return {stage_index(v & 0xFFFFu), (v >> 16) != 0};
        }
        return sparse_step(from, e);
    }

    /// Whether the stage x event and stage x stage tables are dense (ordinary
    /// models) rather than sparse (very large ones); for tests and diagnostics.
    bool dense_tables() const noexcept { return dense_ && dense_targets_; }

    /// The largest stage x event or stage x stage table kept dense, in entries
    /// (4 MB of step entries); larger models use sorted per-stage rows.
    static constexpr std::size_t dense_table_limit = std::size_t(1) << 20;

    /// The ideal path through the model (for funnel conversion), stage by stage.
    const std::vector<stage_index> &main_path() const noexcept { return main_path_; }
    /// Stage renames from older versions.
    const std::vector<migration> &migrations() const noexcept { return migrations_; }
    /// Where a customer in stage `old_id` of version `from_version` belongs in this
    /// version: the migration map's target, else the same id, else nullopt.
    std::optional<stage_index> migrate_stage(int from_version, std::string_view old_id) const {
        for (const auto &m : migrations_) {
            if (m.from_version != from_version) continue;
            for (const auto &[old_stage, new_stage] : m.stages) {
                if (old_stage == old_id) return find_stage(new_stage);
            }
        }
        return find_stage(old_id);
    }

    /// The underlying Boost.Graph graph, for graph algorithms.
    const lifecycle_graph &graph() const noexcept { return graph_; }

    /// Names of every predicate guard, sorted and unique (what a host must register).
    std::vector<std::string> predicate_names() const {
        std::vector<std::string> out;
        for (const auto &t : transitions_)
            for (const auto &g : t.guards)
                if (g.kind == guard::type::predicate) out.push_back(g.name);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

private:
    friend class model_builder;
    model() = default;

    // Up to this many stages or events, lookups by id scan instead of hashing.
    static constexpr std::size_t small_lookup = 16;

    std::string id_, name_, description_, source_;
    int version_ = 1;
    locale_list locales_;
    std::string locale_ = "en";
    localized_text localized_name_, localized_description_;
    lifecycle_graph graph_;
    std::vector<transition> transitions_;
    std::vector<std::string> events_;
    std::unordered_map<std::string, stage_index> stage_ids_;
    std::unordered_map<std::string, event_index> event_ids_;
    // A move in the sparse stage x event table (a row per source stage, sorted by event).
    struct move_entry {
        event_index event;          // the event
        stage_index to;             // where it leads
        std::uint16_t transition;   // the transition it takes
        bool unchecked;             // as in step_result
    };
    // A target in the sparse stage x stage table (a row per source stage, sorted by target).
    struct target_entry {
        stage_index to;             // the target stage
        std::uint16_t transition;   // the first transition from the row's stage to it
    };
    const move_entry *find_move(stage_index from, event_index e) const noexcept {
        auto b = moves_.begin() + std::ptrdiff_t(move_rows_[from]);
        auto en = moves_.begin() + std::ptrdiff_t(move_rows_[std::size_t(from) + 1]);
        auto it = std::lower_bound(b, en, e, [](const move_entry &m, event_index v) { return m.event < v; });
        return it != en && it->event == e ? &*it : nullptr;
    }
    step_result sparse_step(stage_index from, event_index e) const noexcept {
        const move_entry *m = find_move(from, e);
        return m ? step_result{m->to, m->unchecked} : step_result{no_stage, false};
    }

    bool dense_ = true;                      // steps_ and by_event_ in use (else moves_)
    bool dense_targets_ = true;              // by_target_ in use (else targets_)
    std::vector<std::uint16_t> by_event_;    // dense: [from * events + event] -> transition
    std::vector<std::uint16_t> by_target_;   // dense: [from * stages + to] -> first transition
    std::vector<std::uint32_t> steps_;       // dense: [from * events + event] -> to | unchecked << 16
    std::size_t steps_width_ = 0;            // the number of events (a row of steps_)
    std::vector<move_entry> moves_;          // sparse: rows by source stage, sorted by event
    std::vector<std::uint32_t> move_rows_;   // sparse: stage s's row is [move_rows_[s], move_rows_[s + 1])
    std::vector<target_entry> targets_;      // sparse: rows by source stage, sorted by target
    std::vector<std::uint32_t> target_rows_; // sparse: stage s's row is [target_rows_[s], target_rows_[s + 1])
    std::vector<stage_index> main_path_;
    std::vector<migration> migrations_;
    stage_index initial_ = 0;
};

inline model_ptr model::in_locale(std::string_view locale) const {
    locales_.require(locale, "model '" + id_ + "'");
    std::shared_ptr<model> m(new model(*this));
    const std::string &fallback = locales_.default_locale();
    m->locale_ = std::string(locale);
    if (!localized_name_.empty()) m->name_ = localized_name_.in(locale, fallback);
    if (!localized_description_.empty()) m->description_ = localized_description_.in(locale, fallback);
    for (std::size_t i = 0; i < stage_count(); ++i) {
        stage &s = m->graph_[i];
        if (!s.localized_name.empty()) s.name = s.localized_name.in(locale, fallback);
        if (!s.localized_task.empty()) s.task = s.localized_task.in(locale, fallback);
    }
    return m;
}

} // namespace clm
