/// @file model_builder.hpp
/// Builds a lifecycle model and validates it, reporting every problem at once.
#pragma once

#include <clm/model.hpp>
#include <clm/problem_cap.hpp>
#include <clm/utf8.hpp>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <gsl/gsl>

#include <cmath>
#include <functional>
#include <map>
#include <set>

namespace clm {

/// Collects stages and transitions by id, then validates and builds a model.
///
/// Ids are resolved at build() so stages and transitions may be added in any
/// order. build() reports every problem in one input_error (CLM_E_VALIDATION).
class model_builder {
public:
    /// Turns (JSON pointer, message) into a positioned diagnostic; set by the
    /// JSON loader so that semantic errors carry file, line and column.
    using locator = std::function<diagnostic(const std::string &pointer, std::string message)>;

    /// A transition as declared, with stage ids not yet resolved.
    struct transition_spec {
        std::string from;                  ///< Source stage id.
        std::string to;                    ///< Target stage id.
        std::string event;                 ///< Event name.
        std::vector<guard> guards;         ///< Guards, checked in order.
        std::vector<std::string> reasons;  ///< Reasons offered for the move.
        bool reason_required = false;      ///< The move must carry a reason.
        bool reasons_closed = false;       ///< A reason must be one of `reasons`, or `other` with a note.
    };

    /// Starts a model with its id and version.
    model_builder(std::string id, int version) : id_(std::move(id)), version_(version) {}

    /// Sets the display name.
    model_builder &name(std::string v) { name_ = std::move(v); return *this; }
    /// Sets the description.
    model_builder &description(std::string v) { description_ = std::move(v); return *this; }
    /// Sets the source note.
    model_builder &source(std::string v) { source_ = std::move(v); return *this; }
    /// Sets the locales the model's text is written in, the default first
    /// (default: ["en"]); the built model shows the default locale's text.
    model_builder &locales(locale_list v) { locales_ = std::move(v); return *this; }
    /// Sets the display name in every locale (name() is then its default locale's text).
    model_builder &localized_name(localized_text v) {
        name_ = v.in(locales_.default_locale(), locales_.default_locale());
        localized_name_ = std::move(v);
        return *this;
    }
    /// Sets the description in every locale (description() is then its default locale's text).
    model_builder &localized_description(localized_text v) {
        description_ = v.in(locales_.default_locale(), locales_.default_locale());
        localized_description_ = std::move(v);
        return *this;
    }
    /// Sets the initial stage by id (default: the first stage added).
    model_builder &initial(std::string stage_id) { initial_ = std::move(stage_id); return *this; }
    /// Sets the main path (default: derived by following the first forward moves).
    model_builder &main_path(std::vector<std::string> ids) { main_path_ = std::move(ids); return *this; }

    /// Adds a stage. `pointer` is its JSON pointer, for diagnostics.
    model_builder &add_stage(stage s, std::string pointer = {}) {
        stages_.push_back(std::move(s));
        stage_pointers_.push_back(std::move(pointer));
        return *this;
    }
    /// Adds a transition. `pointer` is its JSON pointer, for diagnostics.
    model_builder &add_transition(transition_spec t, std::string pointer = {}) {
        transitions_.push_back(std::move(t));
        transition_pointers_.push_back(std::move(pointer));
        return *this;
    }
    /// Adds a migration map from an older version.
    model_builder &add_migration(migration m, std::string pointer = {}) {
        migrations_.push_back(std::move(m));
        migration_pointers_.push_back(std::move(pointer));
        return *this;
    }
    /// Sets the locator used to position diagnostics.
    model_builder &set_locator(locator l) { locator_ = std::move(l); return *this; }
    /// Turns the graph-level checks (reachability, dead ends) on or off; a
    /// loader turns them off while other fields are malformed, where their
    /// findings would only be noise.
    model_builder &graph_checks(bool on) { graph_checks_ = on; return *this; }

    /// The stage with id `id` while building, or nullptr (to add requirements and limits).
    stage *find_stage(std::string_view id) {
        for (auto &s : stages_) if (s.id == id) return &s;
        return nullptr;
    }
    /// The last transition from `from` on `event` while building, or nullptr (to add guards).
    transition_spec *find_transition(std::string_view from, std::string_view event) {
        for (auto it = transitions_.rbegin(); it != transitions_.rend(); ++it)
            if (it->from == from && it->event == event) return &*it;
        return nullptr;
    }
    /// Whether a stage with this id was added.
    bool has_stage(std::string_view id) const {
        for (const auto &s : stages_) if (s.id == id) return true;
        return false;
    }

    /// Every problem that would stop build(), in a stable order; empty when valid.
    std::vector<diagnostic> problems() const {
        std::vector<diagnostic> out;
        check(out, nullptr);
        return out;
    }

    /// Validates and builds; throws input_error(CLM_E_VALIDATION) listing every problem.
    model_ptr build() const {
        std::shared_ptr<model> m(new model());
        std::vector<diagnostic> out;
        check(out, m.get());
        if (!out.empty()) throw input_error(CLM_E_VALIDATION, capped(std::move(out)));
        return m;
    }

private:
    static bool valid_id(const std::string &s) {
        if (s.empty() || s.size() > 200) return false;
        for (unsigned char c : s)
            if (c <= 0x20 || c == 0x7F) return false;
        return true;
    }

    // Every text must be valid UTF-8 so that the model can be written back as JSON.
    void check_utf8(std::vector<diagnostic> &out) const {
        auto bad = [&](const std::string &s) { return !valid_utf8(s); };
        if (bad(id_) || bad(name_) || bad(description_) || bad(source_) || (initial_ && bad(*initial_)))
            out.push_back(where("", "model text is not valid UTF-8"));
        auto bad_text = [&](const localized_text &t) {
            for (const auto &[l, v] : t.entries())
                if (bad(l) || bad(v)) return true;
            return false;
        };
        if (bad_text(localized_name_) || bad_text(localized_description_))
            out.push_back(where("", "model text is not valid UTF-8"));
        for (std::size_t i = 0; i < stages_.size(); ++i) {
            const auto &s = stages_[i];
            bool b = bad(s.id) || bad(s.name) || bad(s.task) || bad_text(s.localized_name) || bad_text(s.localized_task);
            for (const auto &r : s.requirements) b = b || bad(r);
            if (b) out.push_back(where(stage_pointers_[i], "stage " + std::to_string(i) + ": text is not valid UTF-8"));
        }
        for (std::size_t i = 0; i < transitions_.size(); ++i) {
            const auto &t = transitions_[i];
            bool b = bad(t.from) || bad(t.to) || bad(t.event);
            for (const auto &r : t.reasons) b = b || bad(r);
            for (const auto &g : t.guards) {
                b = b || bad(g.name);
                for (const auto &it : g.items) b = b || bad(it);
            }
            if (b) out.push_back(where(transition_pointers_[i], "transition " + std::to_string(i) + ": text is not valid UTF-8"));
        }
        for (std::size_t i = 0; i < migrations_.size(); ++i)
            for (const auto &[o, n] : migrations_[i].stages)
                if (bad(o) || bad(n)) out.push_back(where(migration_pointers_[i], "migration " + std::to_string(i) + ": text is not valid UTF-8"));
    }

    // Text given through the API in a locale the model does not list (the
    // JSON reader reports these with their positions before building).
    void check_locales(std::vector<diagnostic> &out) const {
        auto check = [&](const localized_text &t, const std::string &pointer, const std::string &what) {
            for (const auto &[l, v] : t.entries())
                if (!locales_.has(l))
                    out.push_back(where(pointer, what + ": text in locale '" + l + "', which is not one of the model's locales (" + locales_.joined() + ")"));
        };
        check(localized_name_, "/name", "model name");
        check(localized_description_, "/description", "model description");
        for (std::size_t i = 0; i < stages_.size(); ++i) {
            check(stages_[i].localized_name, stage_pointers_[i], "stage '" + stages_[i].id + "' name");
            check(stages_[i].localized_task, stage_pointers_[i], "stage '" + stages_[i].id + "' task");
        }
    }

    diagnostic where(const std::string &pointer, std::string message) const {
        if (locator_ && !pointer.empty()) return locator_(pointer, std::move(message));
        return diagnostic{"", 0, 0, std::move(message)};
    }

    std::string transition_name(std::size_t i) const {
        const auto &t = transitions_[i];
        return "transition " + std::to_string(i) + " (" + t.from + " -> " + t.to + " on '" +
               t.event + "')";
    }

    // Runs every check; when `m` is non-null and nothing failed, fills it.
    void check(std::vector<diagnostic> &out, model *m) const {
        if (!valid_id(id_)) out.push_back(where("/id", "model id must be a non-empty string without spaces"));
        if (version_ < 1) out.push_back(where("/version", "model version must be an integer >= 1, got " + std::to_string(version_)));
        if (stages_.empty()) out.push_back(where("/stages", "model '" + id_ + "' has no stages"));
        check_locales(out);
        // Indexes are 16 bits: past the limits nothing else can be checked
        // truthfully (a truncated index would invent dead ends), so stop here.
        bool too_big = false;
        if (stages_.size() >= no_stage) {
            out.push_back(where("/stages", "too many stages: " + std::to_string(stages_.size()) + " (at most 65534)"));
            too_big = true;
        }
        if (transitions_.size() >= no_transition) {
            out.push_back(where("/transitions", "too many transitions: " + std::to_string(transitions_.size()) + " (at most 65534)"));
            too_big = true;
        }
        if (too_big) return;
        check_utf8(out);

        std::unordered_map<std::string, stage_index> ids;
        // Stages the graph checks must not judge: a bad or duplicate id (already reported).
        std::vector<bool> unjudged(stages_.size(), false);
        for (std::size_t i = 0; i < stages_.size(); ++i) {
            const auto &s = stages_[i];
            const std::string &p = stage_pointers_[i];
            if (!valid_id(s.id)) {
                out.push_back(where(p + "/id", "stage " + std::to_string(i) + ": id must be a non-empty string without spaces or control characters"));
                unjudged[i] = true;
            } else if (!ids.emplace(s.id, gsl::narrow<stage_index>(i)).second) {
                out.push_back(where(p + "/id", "duplicate stage id '" + s.id + "'"));
                unjudged[i] = true;
            }
            if (s.probability && !(*s.probability >= 0.0 && *s.probability <= 1.0))
                out.push_back(where(p + "/probability", "stage '" + s.id + "': probability must be within [0, 1]"));
            if (s.time_limit_days && *s.time_limit_days < 0)
                out.push_back(where(p + "/time_limit_days", "stage '" + s.id + "': time limit must not be negative, got " + std::to_string(*s.time_limit_days)));
            for (const auto &r : s.requirements)
                if (r.empty()) out.push_back(where(p + "/requirements", "stage '" + s.id + "': empty requirement name"));
        }

        stage_index initial = 0;
        if (!stages_.empty()) {
            if (!initial_) {
                initial = 0;
            } else if (auto it = ids.find(*initial_); it != ids.end()) {
                initial = it->second;
            } else {
                out.push_back(where("/initial", "initial stage '" + *initial_ + "' is not a stage of the model"));
            }
        } else if (initial_) {
            out.push_back(where("/initial", "initial stage '" + *initial_ + "' is not a stage of the model"));
        }

        // Resolve transitions.
        std::unordered_map<std::string, event_index> events;
        std::vector<std::string> event_names;
        std::vector<transition> resolved;
        std::map<std::pair<stage_index, event_index>, std::size_t> seen_event;
        bool transitions_ok = true;
        // A transition with one unknown end still says something about the known
        // one: its source may finish through it, its target may be reached by it.
        std::vector<stage_index> may_finish, may_be_reached;
        for (std::size_t i = 0; i < transitions_.size(); ++i) {
            const auto &t = transitions_[i];
            const std::string &p = transition_pointers_[i];
            transition r;
            bool ok = true;
            auto from = ids.find(t.from);
            if (from == ids.end()) {
                out.push_back(where(p + "/from", transition_name(i) + ": unknown source stage '" + t.from + "'"));
                ok = false;
            }
            auto to = ids.find(t.to);
            if (to == ids.end()) {
                out.push_back(where(p + "/to", transition_name(i) + ": unknown target stage '" + t.to + "'"));
                ok = false;
            }
            if (!valid_id(t.event)) {
                out.push_back(where(p + "/event", transition_name(i) + ": event must be a non-empty name without spaces"));
                ok = false;
            }
            for (std::size_t g = 0; g < t.guards.size(); ++g) {
                const auto &gd = t.guards[g];
                std::string gp = p + "/guards/" + std::to_string(g);
                if (gd.kind == guard::type::items_present && (gd.items.empty() || std::any_of(gd.items.begin(), gd.items.end(), [](const std::string &s) { return s.empty(); })))
                    out.push_back(where(gp, transition_name(i) + ": a 'requires' guard needs non-empty item names"));
                if (gd.kind == guard::type::min_days && gd.days < 0)
                    out.push_back(where(gp + "/days", transition_name(i) + ": 'min_days' must not be negative"));
                if (gd.kind == guard::type::predicate && !valid_id(gd.name))
                    out.push_back(where(gp + "/name", transition_name(i) + ": a 'predicate' guard needs a name without spaces"));
            }
            if (!ok) {
                transitions_ok = false;
                if (from != ids.end()) may_finish.push_back(from->second);
                if (to != ids.end()) may_be_reached.push_back(to->second);
                continue;
            }
            auto [ev, fresh] = events.emplace(t.event, gsl::narrow<event_index>(event_names.size()));
            if (fresh) event_names.push_back(t.event);
            r.from = from->second;
            r.to = to->second;
            r.event = ev->second;
            r.guards = t.guards;
            r.reasons = t.reasons;
            r.reason_required = t.reason_required;
            r.reasons_closed = t.reasons_closed;
            if (t.reasons_closed && t.reasons.empty())
                out.push_back(where(p + "/reasons_closed", transition_name(i) + ": 'reasons_closed' needs the list of 'reasons'"));
            auto [prev, first] = seen_event.emplace(std::make_pair(r.from, r.event), i);
            if (!first) {
                const auto &o = transitions_[prev->second];
                out.push_back(where(p + "/event", transition_name(i) + ": event '" + t.event + "' from '" + t.from +
                                                      "' is already declared by " + transition_name(prev->second) +
                                                      (o.to == t.to ? " (duplicate transition)" : " (an event must lead to one stage)")));
            }
            resolved.push_back(std::move(r));
        }

        // Graph checks need every id resolved; otherwise they would report noise.
        lifecycle_graph g(stages_.size());
        for (std::size_t i = 0; i < stages_.size(); ++i) g[i] = stages_[i];
        for (const auto &r : resolved) boost::add_edge(r.from, r.to, r, g);
        bool ids_ok = ids.size() == stages_.size() && transitions_ok && !stages_.empty();
        // The graph checks run whenever the initial stage is known, beside any
        // id problem: stages they cannot judge are left out, and a transition
        // with an unknown end counts as a way in or out of its known end.
        const bool initial_ok = !stages_.empty() && (!initial_ || ids.count(*initial_));
        if (initial_ok && graph_checks_) {
            check_graph(g, initial, out, unjudged, may_finish, may_be_reached);
        }

        std::vector<stage_index> path;
        if (!main_path_.empty()) {
            for (std::size_t i = 0; i < main_path_.size(); ++i) {
                auto it = ids.find(main_path_[i]);
                if (it == ids.end()) {
                    out.push_back(where("/main_path/" + std::to_string(i), "main path: unknown stage '" + main_path_[i] + "'"));
                    continue;
                }
                if (!path.empty() && ids_ok) {
                    bool linked = std::any_of(resolved.begin(), resolved.end(), [&](const transition &t) { return t.from == path.back() && t.to == it->second; });
                    if (!linked)
                        out.push_back(where("/main_path/" + std::to_string(i), "main path: no transition from '" + stages_[path.back()].id + "' to '" + main_path_[i] + "'"));
                }
                path.push_back(it->second);
            }
        }
        for (std::size_t i = 0; i < migrations_.size(); ++i) {
            const auto &mg = migrations_[i];
            std::string p = migration_pointers_[i];
            if (mg.from_version < 1 || mg.from_version >= version_)
                out.push_back(where(p + "/from_version", "migration " + std::to_string(i) + ": from_version must be >= 1 and below the model version " + std::to_string(version_)));
            for (const auto &[old_id, new_id] : mg.stages)
                if (!ids.count(new_id))
                    out.push_back(where(p + "/stages/" + old_id, "migration from version " + std::to_string(mg.from_version) + ": '" + old_id + "' maps to unknown stage '" + new_id + "'"));
        }

        if (!out.empty() || m == nullptr) return;

        if (path.empty()) path = derive_main_path(g, initial);
        m->id_ = id_;
        m->version_ = version_;
        m->name_ = name_;
        m->description_ = description_;
        m->source_ = source_;
        m->locales_ = locales_;
        m->locale_ = locales_.default_locale();
        m->localized_name_ = localized_name_;
        m->localized_description_ = localized_description_;
        m->graph_ = std::move(g);
        m->transitions_ = std::move(resolved);
        m->events_ = std::move(event_names);
        m->stage_ids_ = std::move(ids);
        m->event_ids_ = std::move(events);
        m->initial_ = initial;
        m->main_path_ = std::move(path);
        m->migrations_ = migrations_;
        fill_tables(*m);
    }

    // The lookup tables of a built model: dense stage x event and stage x stage
    // tables for ordinary models (one load per move), sorted per-stage rows when
    // a dense table would pass model::dense_table_limit entries (memory
    // proportional to the transitions, not to stages x events).
    void fill_tables(model &m) const {
        const std::size_t ns = stages_.size(), ne = m.events_.size(), nt = m.transitions_.size();
        // First transition between each pair of stages, in declaration order.
        std::vector<std::pair<std::pair<stage_index, stage_index>, std::uint16_t>> pairs;
        pairs.reserve(nt);
        for (std::size_t i = 0; i < nt; ++i)
            pairs.push_back({{m.transitions_[i].from, m.transitions_[i].to}, gsl::narrow<std::uint16_t>(i)});
        std::stable_sort(pairs.begin(), pairs.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
        pairs.erase(std::unique(pairs.begin(), pairs.end(), [](const auto &x, const auto &y) { return x.first == y.first; }), pairs.end());
        auto first_between = [&](stage_index from, stage_index to) {
            auto it = std::lower_bound(pairs.begin(), pairs.end(), std::make_pair(from, to), [](const auto &x, const auto &v) { return x.first < v; });
            return it->second; // every move's pair exists: the move itself is one
        };
        auto unchecked = [&](const transition &t) {
            return t.guards.empty() && !t.reason_required && !t.reasons_closed && stages_[t.to].requirements.empty();
        };
        m.dense_targets_ = ns * ns <= model::dense_table_limit;
        if (m.dense_targets_) {
            m.by_target_.assign(ns * ns, no_transition);
            for (const auto &[ft, i] : pairs) m.by_target_[std::size_t(ft.first) * ns + ft.second] = i;
        } else {
            m.target_rows_.assign(ns + 1, 0);
            for (const auto &[ft, i] : pairs) {
                m.targets_.push_back({ft.second, i});
                ++m.target_rows_[std::size_t(ft.first) + 1];
            }
            for (std::size_t s = 0; s < ns; ++s) m.target_rows_[s + 1] += m.target_rows_[s];
        }
        // A move is checked against the first transition between its stages (as
        // apply() does); it is unchecked when that one has nothing to check.
        m.dense_ = ns * ne <= model::dense_table_limit;
        if (m.dense_) {
            m.steps_width_ = ne;
            m.steps_.assign(ns * ne, no_stage);
            m.by_event_.assign(ns * ne, no_transition);
            for (std::size_t i = 0; i < nt; ++i) {
                const auto &t = m.transitions_[i];
                const std::size_t k = std::size_t(t.from) * ne + t.event;
                m.by_event_[k] = gsl::narrow<std::uint16_t>(i);
                const bool free = unchecked(m.transitions_[first_between(t.from, t.to)]);
                m.steps_[k] = std::uint32_t(t.to) | std::uint32_t(free) << 16;
            }
        } else {
            m.moves_.reserve(nt);
            for (std::size_t i = 0; i < nt; ++i) {
                const auto &t = m.transitions_[i];
                m.moves_.push_back({t.event, t.to, gsl::narrow<std::uint16_t>(i), unchecked(m.transitions_[first_between(t.from, t.to)])});
            }
            // Sort by (source, event): each source's moves form its row.
            std::vector<std::uint32_t> order(nt);
            for (std::size_t i = 0; i < nt; ++i) order[i] = gsl::narrow<std::uint32_t>(i);
            std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
                const auto &tx = m.transitions_[x], &ty = m.transitions_[y];
                return std::tie(tx.from, tx.event) < std::tie(ty.from, ty.event);
            });
            std::vector<model::move_entry> sorted;
            sorted.reserve(nt);
            m.move_rows_.assign(ns + 1, 0);
            for (auto i : order) {
                sorted.push_back(m.moves_[i]);
                ++m.move_rows_[std::size_t(m.transitions_[i].from) + 1];
            }
            for (std::size_t s = 0; s < ns; ++s) m.move_rows_[s + 1] += m.move_rows_[s];
            m.moves_ = std::move(sorted);
        }
    }

    // Records every stage a BFS reaches.
    struct reach_recorder : boost::default_bfs_visitor {
        std::vector<bool> *seen;
        template <class V, class G> void discover_vertex(V v, const G &) const { (*seen)[v] = true; }
    };

    void check_graph(const lifecycle_graph &g, stage_index initial, std::vector<diagnostic> &out, const std::vector<bool> &unjudged,
                     const std::vector<stage_index> &may_finish, const std::vector<stage_index> &may_be_reached) const {
        const std::size_t n = boost::num_vertices(g);
        // Reachability from the initial stage (and from the targets of transitions
        // whose source is unknown: they may be reachable).
        std::vector<bool> reached(n, false);
        reach_recorder rec;
        rec.seen = &reached;
        {
            std::vector<std::size_t> starts{initial};
            starts.insert(starts.end(), may_be_reached.begin(), may_be_reached.end());
            std::vector<boost::default_color_type> colour(n, boost::white_color);
            auto colour_map = boost::make_iterator_property_map(colour.begin(), boost::get(boost::vertex_index, g));
            boost::queue<std::size_t> q;
            boost::breadth_first_search(g, starts.begin(), starts.end(), q, rec, colour_map);
        }
        for (std::size_t i = 0; i < n; ++i)
            if (!reached[i] && !unjudged[i])
                out.push_back(where(stage_pointers_[i] + "/id", "stage '" + stages_[i].id + "' is unreachable from the initial stage '" + stages_[initial].id + "'"));

        // Dead ends: walk backwards from every final stage (multi-source BFS on
        // the reversed graph); an open or dormant stage not met cannot finish.
        auto rg = boost::make_reverse_graph(g);
        std::vector<bool> can_finish(n, false);
        std::vector<boost::default_color_type> colour(n, boost::white_color);
        auto colour_map = boost::make_iterator_property_map(colour.begin(), boost::get(boost::vertex_index, rg));
        boost::queue<std::size_t> q;
        reach_recorder fin;
        fin.seen = &can_finish;
        std::vector<std::size_t> sources;
        for (std::size_t i = 0; i < n; ++i)
            if (is_final(stages_[i].kind)) sources.push_back(i);
        const bool has_final = !sources.empty();
        sources.insert(sources.end(), may_finish.begin(), may_finish.end());
        if (!has_final) {
            out.push_back(where("/stages", "model '" + id_ + "' has no won, lost or terminal stage, so no customer can finish"));
            return;
        }
        boost::breadth_first_search(rg, sources.begin(), sources.end(), q, fin, colour_map);
        for (std::size_t i = 0; i < n; ++i)
            if (!can_finish[i] && !is_final(stages_[i].kind) && !unjudged[i])
                out.push_back(where(stage_pointers_[i] + "/id", "stage '" + stages_[i].id + "' is a dead end: no won, lost or terminal stage can be reached from it"));
    }

    // Follows, from the initial stage, the first declared move to a stage not
    // yet on the path and neither lost nor dormant, until a final stage or no such move.
    static std::vector<stage_index> derive_main_path(const lifecycle_graph &g, stage_index initial) {
        std::vector<stage_index> path{initial};
        std::vector<bool> on(boost::num_vertices(g), false);
        on[initial] = true;
        stage_index cur = initial;
        while (!is_final(g[cur].kind)) {
            stage_index next = no_stage;
            for (auto [e, end] = boost::out_edges(cur, g); e != end; ++e) {
                auto t = stage_index(boost::target(*e, g));
                if (!on[t] && g[t].kind != stage_kind::lost && g[t].kind != stage_kind::dormant) {
                    next = t;
                    break;
                }
            }
            if (next == no_stage) break;
            path.push_back(next);
            on[next] = true;
            cur = next;
        }
        return path;
    }

    std::string id_;
    int version_;
    std::string name_, description_, source_;
    locale_list locales_;
    localized_text localized_name_, localized_description_;
    std::optional<std::string> initial_;
    bool graph_checks_ = true;
    std::vector<std::string> main_path_;
    std::vector<stage> stages_;
    std::vector<std::string> stage_pointers_;
    std::vector<transition_spec> transitions_;
    std::vector<std::string> transition_pointers_;
    std::vector<migration> migrations_;
    std::vector<std::string> migration_pointers_;
    locator locator_;
};

} // namespace clm
