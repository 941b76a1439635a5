/// @file portfolio.hpp
/// A portfolio: customers placed in one or more lifecycle models, and the
/// journal of everything that happened to them. State is a fold of the
/// journal; the portfolio keeps only what applying the next event needs
/// (each customer's stage and entry time per model) and answers everything
/// else, on any date, by folding the customer's events.
///
/// Every change is all-or-nothing: a failed apply or batch leaves the
/// portfolio exactly as it was.
///
/// This header declares the class, with its small and hot members inline
/// (portfolio::move); the rest is in include/clm/portfolio/, one file each:
/// the events (event.hpp) and customer state (state.hpp), applying events
/// (apply.hpp), refusals and guards (refusals.hpp), as-of queries and
/// snapshots (history.hpp), model migration (migrate.hpp), rollback (undo.hpp).
/// All of it is inline, and included at the end of this header.
#pragma once

#include <clm/journal.hpp>
#include <clm/model.hpp>
#include <clm/portfolio/event.hpp>
#include <clm/portfolio/state.hpp>
#include <clm/utf8.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

namespace clm {

/// Customers, their positions in the models, and the journal.
class portfolio {
public:
    /// Adds a model; throws duplicate when one with the same id is there.
    /// Returns its slot.
    std::size_t add_model(model_ptr m) {
        if (!m) throw invalid_argument("model must not be null");
        for (const auto &x : models_)
            if (x->id() == m->id()) throw duplicate("portfolio already has model '" + m->id() + "'");
        if (models_.size() >= 0xFFFE) throw invalid_argument("too many models");
        models_.push_back(m);
        try {
            positions_.emplace_back(customers_.size());
        } catch (...) {
            models_.pop_back();
            throw;
        }
        return models_.size() - 1;
    }
    /// Number of models.
    std::size_t model_count() const noexcept { return models_.size(); }
    /// The model in slot `i`.
    const model &model_at(std::size_t i) const { return *models_.at(i); }
    /// The shared model in slot `i`.
    const model_ptr &model_ptr_at(std::size_t i) const { return models_.at(i); }
    /// The slot of a model id; throws not_found.
    std::size_t model_slot(std::string_view id) const {
        for (std::size_t i = 0; i < models_.size(); ++i)
            if (models_[i]->id() == id) return i;
        throw not_found("portfolio has no model '" + std::string(id) + "'");
    }

    /// Reserves room for `customers` customers and `events` journal events in
    /// all, so that a bulk import or a stream of moves up to those sizes
    /// appends without reallocating (and copying) the tables as they grow.
    /// Changes nothing else; throws std::bad_alloc when the memory is not there.
    void reserve(std::size_t customers, std::size_t events) {
        journal_.reserve(events);
        customers_.reserve(customers);
        for (auto &pos : positions_) pos.reserve(customers);
    }

    /// While true, apply() trusts recorded history: guards are not re-checked
    /// (transitions still are). Used when loading a verified save file.
    void set_replaying(bool on) noexcept { replaying_ = on; }

    /// While true, an event older than its customer's last one is refused
    /// (CLM_E_INVALID_ARGUMENT naming both times), as before late events were
    /// folded in. Default false: a late event is folded in at its time, the
    /// customer's later events re-checked after it (portfolio/late.hpp,
    /// docs/event-log.md). A save being loaded is replayed either way.
    void set_strict_time_order(bool on) noexcept { strict_time_order_ = on; }
    /// Whether late events are refused (set_strict_time_order()).
    bool strict_time_order() const noexcept { return strict_time_order_; }

    /// Registers (or replaces) the host predicate `name` used by `predicate` guards.
    void register_predicate(const std::string &name, guard_predicate p) { predicates_[name] = std::move(p); }

    /// Number of customers.
    std::size_t customer_count() const noexcept { return customers_.size(); }
    /// A customer's index by id, or nullopt.
    std::optional<std::uint32_t> find_customer(std::string_view id) const {
        auto s = pool_.find(id);
        if (!s || *s >= customer_of_string_.size() || customer_of_string_[*s] == none32) return std::nullopt;
        return customer_of_string_[*s];
    }
    /// A customer's index by id; throws not_found.
    std::uint32_t customer_index(std::string_view id) const {
        auto c = find_customer(id);
        if (!c) throw not_found("no customer '" + std::string(id) + "'");
        return *c;
    }
    /// A customer's id.
    const std::string &customer_id(std::uint32_t c) const { return pool_.at(customers_.at(c).id); }
    /// Customer `c`'s current account (the value of its newest `account=NAME`
    /// attribute event, as text()), 0 when it has none. For an as-of date, see
    /// account_of() in account.hpp.
    string_id current_account(std::uint32_t c) const { return customers_.at(c).account; }
    /// A customer's current position in model slot `m`.
    const membership &position(std::uint32_t c, std::size_t m) const { return positions_.at(m).at(c); }

    /// The journal, in apply order.
    const std::vector<journal_event> &journal() const noexcept { return journal_; }
    /// The details of journal event `e`, or nullptr.
    /// `e` must be an element of journal() (the details are found by its position).
    const event_detail *detail_of(const journal_event &e) const noexcept {
        const auto *base = journal_.data();
        if (&e < base || &e >= base + journal_.size()) return nullptr;
        return detail_of(std::uint32_t(&e - base));
    }
    /// The details of the journal event at index `e`, or nullptr.
    const event_detail *detail_of(std::uint32_t e) const noexcept {
        // One bit per event says whether it has details (2-3% of real events do):
        // the others cost no lookup, and the few that do are found by binary search.
        if (std::size_t(e / 64) >= has_detail_.size() || !(has_detail_[e / 64] >> (e % 64) & 1)) return nullptr;
        auto it = std::lower_bound(detail_event_.begin(), detail_event_.end(), e);
        return it != detail_event_.end() && *it == e ? &details_[std::size_t(it - detail_event_.begin())] : nullptr;
    }
    /// An interned string.
    const std::string &text(string_id s) const noexcept { return pool_.at(s); }
    /// The id of an interned string, or nullopt when no event used it.
    std::optional<string_id> find_text(std::string_view s) const { return pool_.find(s); }
    /// For an attribute or score event's value "key=value": the interned key and value.
    std::pair<string_id, string_id> key_value(string_id s) const noexcept {
        return s < kv_parts_.size() ? kv_parts_[s] : std::pair<string_id, string_id>{0, 0};
    }
    /// The newest event of customer `c` (the head of its chain), or none32.
    std::uint32_t last_event_of(std::uint32_t c) const { return customers_.at(c).last_event; }

    /// Applies one event, checking the model's transition and guards. On any
    /// error nothing changes. Throws invalid_argument, not_found,
    /// illegal_transition or guard_failed with a message naming the customer,
    /// the stages and the guard.
    void apply(const event_input &ev) { apply(event_view::of(ev)); }
    /// apply() for an event that views its text.
    void apply(const event_view &ev);

    /// The interned fast path of apply() for the commonest event: customer `c`,
    /// already in model slot `m`, moved by model event `e` at time `t`
    /// (optionally over channel `via`), with no amount, manager, reason or note.
    /// Same checks, messages and journal entry as apply() with the event's name,
    /// without the string lookups: a host that keeps customer indexes
    /// (find_customer()) and event indexes (model::find_event()) moves a customer
    /// with table lookups only. On any error nothing changes.
    void move(std::uint32_t c, std::size_t m, event_index e, timestamp t) {
        // The checks, with their messages in move_refused() (cold, out of line) so
        // that this stays small enough to inline into a host's loop.
        if (c >= customers_.size() || m >= models_.size()) move_refused(c, m, e, t);
        const model &mdl = *models_[m];
        customer_state &st = customers_[c];
        membership &pos = positions_[m][c];
        if (st.last_event != none32 && t < st.last_time) return move_late(c, m, e, t);
        if (e >= mdl.event_count() || pos.stage == no_stage) move_refused(c, m, e, t);
        const auto [to, unchecked] = mdl.step(pos.stage, e);
        if (to == no_stage) move_refused(c, m, e, t);
        if (!unchecked && to != pos.stage && !replaying_)
            check_move(c, customer_id(c), t, {}, m, pos.stage, to, mdl.transition_between(pos.stage, to), pos.entered);
        // Built in place (the only step that can fail, on memory, before anything
        // has changed): a record assembled on the stack and copied would be
        // read back before its field stores land (a store-forwarding stall).
        journal_event &je = journal_.emplace_back();
        je.time = t;
        je.customer = c;
        je.type = event_type::stage;
        je.value = std::uint32_t(to);
        je.model = std::uint16_t(m);
        je.prev = st.last_event;
        st.last_event = std::uint32_t(journal_.size() - 1);
        st.last_time = t;
        if (pos.stage != to) {
            pos.stage = to;
            pos.entered = t;
            if (pos.moves < 0xFFFF) ++pos.moves;
        }
    }

    /// A rejected event of a batch: its position in the batch and why.
    struct rejection {
        std::size_t index;   ///< Position in the batch.
        clm_status code;     ///< The error's status.
        std::string message; ///< The error's message.
    };

    /// Called with the rejections just before a batch is made permanent; if it
    /// throws, the whole batch is rolled back (used to build reports that must
    /// not fail after the change).
    using batch_finisher = std::function<void(std::vector<rejection> &)>;

    /// Applies events in order. When `skip_bad` is false the batch is
    /// all-or-nothing (the first error is thrown, nothing changes); otherwise
    /// bad events are skipped and returned with their reasons. `where(i)`
    /// names event i in messages.
    std::vector<rejection> apply_batch(const std::vector<event_input> &events, bool skip_bad,
                                       const std::function<std::string(std::size_t)> &where = {},
                                       const batch_finisher &finish = {}) {
        return apply_each(events.size(), [&](std::size_t i) { return event_view::of(events[i]); }, skip_bad, where, finish);
    }

    /// Events of one customer sharing a time that a batch applied in another
    /// order than given, because the model refuses the order given and allows
    /// exactly one other (portfolio/same_time.hpp).
    struct reordering {
        std::vector<std::size_t> order; ///< Their positions in the batch, in the order applied.
    };
    /// The most moves (stage or event rows) of one customer at one time whose
    /// orders a batch tries when the order given is refused: 6, at most 720 orders.
    static constexpr std::size_t max_reordered_moves = 6;

    /// apply_batch() over `n` events that `get(i)` returns (an event_view, or
    /// anything that converts to one) in the order i = 0 .. n-1: a batch
    /// applied straight from the caller's own storage, in any order it likes.
    /// With `reordered`, consecutive events of one customer at one time whose
    /// order the model refuses are applied in the one order it allows (the
    /// rows other than moves first, then the moves in that order; each such
    /// group listed in `reordered`); when none or several orders are legal,
    /// the error names the rows (portfolio/same_time.hpp).
    template <class Get>
    std::vector<rejection> apply_each(std::size_t n, Get get, bool skip_bad, const std::function<std::string(std::size_t)> &where = {},
                                      const batch_finisher &finish = {}, std::vector<reordering> *reordered = nullptr);

    /// The stage of customer `c` in model slot `m` as of `t` (every event up to
    /// `t` counted), and when it was entered; stage no_stage when not yet in the model.
    membership position_as_of(std::uint32_t c, std::size_t m, timestamp t) const;

    /// Customers per stage of model slot `m` as of `t` (index = stage; customers not in the model are not counted).
    std::vector<std::size_t> stage_counts(std::size_t m, std::optional<timestamp> t = std::nullopt) const;

    /// Everything known about customer `c` as of `t` (all events when nullopt).
    customer_snapshot snapshot(std::uint32_t c, std::optional<timestamp> t = std::nullopt) const;

    /// The events of customer `c`, oldest first.
    std::vector<std::uint32_t> history(std::uint32_t c) const;

    /// Shows every model's text in `locale` (model::in_locale()); stages,
    /// customers and journal are unchanged. All-or-nothing: throws not_found
    /// listing a model's locales when it lacks `locale`, invalid_argument
    /// when the portfolio has no model.
    void set_locale(std::string_view locale) {
        if (models_.empty()) throw invalid_argument("the portfolio has no model to show in locale '" + std::string(locale) + "' (add models first)");
        std::vector<model_ptr> shown;
        shown.reserve(models_.size());
        for (const auto &m : models_) shown.push_back(m->in_locale(locale));
        models_.swap(shown);
    }

    /// Moves every customer of the model with the same id as `next` to `next`
    /// (a newer version), through its migration map. All-or-nothing: throws
    /// not_found listing the stages that have no place in the new version.
    void migrate(model_ptr next);

    /// The sequence number of journal event `index`: its place in apply order,
    /// counted from 1 over the portfolio's life, so that it stays the same
    /// when other events are erased (portfolio/sequence.hpp).
    std::uint64_t seq_of(std::size_t index) const noexcept;
    /// The index of the first journal event whose sequence number is above
    /// `seq` (journal().size() when none is); `seq` at most last_seq().
    std::size_t index_after(std::uint64_t seq) const noexcept;
    /// The newest sequence number handed out (0 before the first event).
    std::uint64_t last_seq() const noexcept { return journal_.size() + erased_seqs_.size(); }
    /// The sequence numbers of erased events, ascending.
    const std::vector<std::uint64_t> &erased_seqs() const noexcept { return erased_seqs_; }
    /// Records the sequence numbers of erased events (ascending, distinct), for
    /// a portfolio rebuilt without them (erase_customer.hpp).
    void set_erased_seqs(std::vector<std::uint64_t> seqs) noexcept { erased_seqs_ = std::move(seqs); }
    /// A portfolio with the same models, host predicates, time zone and time-order mode, and no customers.
    portfolio empty_copy() const;
    /// Sets the zone, in seconds east of UTC, that the portfolio keeps its times
    /// in (default 0: UTC): timestamps given with a UTC offset (`Z`, `+03:00`)
    /// are converted into it; those without one are taken as in it already.
    /// Times already in the journal are not converted.
    void set_time_zone(std::int32_t seconds_east) {
        if (seconds_east < -14 * 3600 || seconds_east > 14 * 3600)
            throw invalid_argument("time zone offset " + std::to_string(seconds_east) + " s is out of range (-14:00 to +14:00)");
        zone_ = seconds_east;
    }
    /// The portfolio's zone in seconds east of UTC.
    std::int32_t time_zone() const noexcept { return zone_; }
    /// Runs `body` (which applies batches) as one change: when it throws,
    /// every batch it applied is rolled back too. Used by the streaming import
    /// (event_stream.hpp), whose chunks must be all-or-nothing together.
    template <class Body>
    void atomically(Body &&body);

private:
    // A customer's state (and membership in one model) before a change.
    struct undo_record {
        std::uint32_t customer = 0;
        std::uint16_t model = 0xFFFF;  // 0xFFFF: no membership saved
        customer_state state;
        membership position;
    };

    // Records what a change touched so that it can be rolled back exactly
    // (portfolio/undo.hpp).
    class undo;

    [[noreturn]] static void rethrow_with(const error &e, const std::string &where);

    // The customer `existing` (saving its state before it changes), or a new customer `id`.
    std::uint32_t customer_for(std::string_view id, std::optional<std::uint32_t> existing, undo &u);

    std::size_t slot_for(const event_view &ev) const;

    // Whether customer `c` recorded `item` (a check or document) at or before `upto`.
    bool has_item(std::uint32_t c, const std::string &item, timestamp upto) const;

    // Appends `je` to the journal as customer `c`'s event: at the head of its
    // chain, or, when `late`, linked into the chain after the customer's
    // events at or before its time (the link it changes logged for undo).
    // Returns its index.
    std::uint32_t link(journal_event je, std::uint32_t c, bool late);
    // Re-checks customer `c`'s events after the late move `index` in model
    // slot `m` (the membership there as of just before it: `before`); returns
    // the membership they end in, or throws naming the event refused.
    membership refold_after_late(std::uint32_t c, std::uint32_t index, std::size_t m, const membership &before, std::string_view customer) const;
    // Customer `c`'s account as of `t` (its newest `account=` attribute by then; 0: none).
    string_id account_at(std::uint32_t c, timestamp t) const;
    // move() for an event older than the customer's last one: refused when
    // strict, otherwise applied by name through apply() (cold, out of line).
    [[gnu::cold]] void move_late(std::uint32_t c, std::size_t m, event_index e, timestamp t);

    // The refusals that apply() by name and move() by index share, worded once.
    static invalid_argument out_of_order(std::string_view customer, timestamp t, timestamp last);
    static illegal_transition not_in_model(std::string_view customer, const model &mdl, std::string_view event);
    static illegal_transition no_transition_on(std::string_view customer, const model &mdl, stage_index from, std::string_view event);

    // Why move(c, m, e, t) is refused: the same checks in the same order, each with its message.
    // Cold and never inlined (portfolio/refusals.hpp), so that move() stays small.
    [[noreturn]] [[gnu::cold]] void move_refused(std::uint32_t c, std::size_t m, event_index e, timestamp t) const;

    // Checks the move from the customer's current stage to `to`; throws when refused.
    void check_move(std::uint32_t c, std::string_view customer, timestamp time, std::string_view reason, std::size_t m,
                    stage_index from, stage_index to, std::uint16_t t_index, timestamp entered, std::string_view note = {}) const;

    void apply_unguarded(const event_view &ev, undo &u);

    // Applies the events [begin, end) of a batch, one customer's at one time,
    // in the order given or else the one order the model allows; false when
    // the group is left to the caller to apply one by one (skip_bad, and no
    // single legal order). portfolio/same_time.hpp.
    template <class Get>
    bool apply_same_time(std::size_t begin, std::size_t end, Get &get, undo &batch, bool skip_bad,
                         const std::function<std::string(std::size_t)> &where, std::vector<reordering> &reordered);

    void fold(customer_snapshot &s, const journal_event &ev, std::uint32_t index) const;

    std::vector<model_ptr> models_;
    std::vector<customer_state> customers_;
    std::vector<std::vector<membership>> positions_;   // [model slot][customer]
    std::vector<std::uint32_t> customer_of_string_;    // string id -> customer index
    std::vector<journal_event> journal_;
    std::vector<event_detail> details_;                // the details of the few events that have them
    std::vector<std::uint32_t> detail_event_;          // details_[i] belongs to journal event detail_event_[i] (ascending)
    std::vector<std::uint64_t> has_detail_;            // bit e: journal event e has details
    string_pool pool_;
    std::vector<std::pair<string_id, string_id>> kv_parts_; // attribute/score value -> (key, value)
    std::unordered_map<std::string, guard_predicate> predicates_;
    std::vector<undo_record> undo_log_;                // saved states of the change in progress
    std::vector<std::pair<std::uint32_t, std::uint32_t>> relink_log_; // (event, its prev before a late event was linked in) of the change in progress
    std::vector<std::uint64_t> erased_seqs_;           // sequence numbers of erased events, ascending
    std::int32_t zone_ = 0;                            // the zone times are kept in, seconds east of UTC
    undo *open_ = nullptr;                             // the change atomically() runs, enclosing batches
    bool replaying_ = false;
    bool strict_time_order_ = false;
};

} // namespace clm

#include <clm/portfolio/undo.hpp>
#include <clm/portfolio/refusals.hpp>
#include <clm/portfolio/apply.hpp>
#include <clm/portfolio/late.hpp>
#include <clm/portfolio/same_time.hpp>
#include <clm/portfolio/history.hpp>
#include <clm/portfolio/migrate.hpp>
#include <clm/portfolio/sequence.hpp>
