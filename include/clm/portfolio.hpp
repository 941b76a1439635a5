/// @file portfolio.hpp
/// A portfolio: customers placed in one or more lifecycle models, and the
/// journal of everything that happened to them. State is a fold of the
/// journal; the portfolio keeps only what applying the next event needs
/// (each customer's stage and entry time per model) and answers everything
/// else, on any date, by folding the customer's events.
///
/// Every change is all-or-nothing: a failed apply or batch leaves the
/// portfolio exactly as it was.
#pragma once

#include <clm/journal.hpp>
#include <clm/model.hpp>
#include <clm/numbers.hpp>
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

/// One event as a caller gives it (an event-log CSV row, or the C ABI's clm_event).
struct event_input {
    std::string customer_id;       ///< Required.
    timestamp time = 0;            ///< Required.
    event_type type = event_type::stage; ///< Required.
    std::string value;             ///< Required for most types (stage id, outcome, kind, ...).
    std::string model;             ///< Model id; needed for stage/event when the portfolio has several.
    channel via = channel::none;   ///< Contact channel.
    std::string manager;           ///< Manager.
    std::optional<double> amount;  ///< Purchase amount.
    std::string reason;            ///< Reason (loss, dissolution).
    std::optional<timestamp> due;  ///< Due / expiry date.
    std::string note;              ///< Free note; for next_step, the product.
};

/// The same event viewing text it does not own (a row of a buffer being
/// imported): what apply() reads. The text must outlive the call.
struct event_view {
    std::string_view customer_id;  ///< Required.
    timestamp time = 0;            ///< Required.
    event_type type = event_type::stage; ///< Required.
    std::string_view value;        ///< Required for most types.
    std::string_view model;        ///< Model id; needed for stage/event when the portfolio has several.
    channel via = channel::none;   ///< Contact channel.
    std::string_view manager;      ///< Manager.
    std::optional<double> amount;  ///< Purchase amount.
    std::string_view reason;       ///< Reason (loss, dissolution).
    std::optional<timestamp> due;  ///< Due / expiry date.
    std::string_view note;         ///< Free note; for next_step, the product.
    /// True when the caller has already checked that every text field is valid
    /// UTF-8 (the event-log parser does): apply() skips its own check.
    bool text_checked = false;
    /// Optional: a memo of this customer's index shared by events of the same
    /// customer id in the same portfolio, none32 until known. apply() reads
    /// it instead of looking the id up, and fills it once the event is
    /// applied. The event-log import uses it for runs of rows of one customer,
    /// whose later rows then cost no hash lookup when applied in time order.
    std::uint32_t *customer_memo = nullptr;

    /// A view of `e` (valid while `e` is unchanged).
    static event_view of(const event_input &e) noexcept {
        return {e.customer_id, e.time, e.type, e.value, e.model, e.via, e.manager, e.amount, e.reason, e.due, e.note};
    }
};

/// What a guard predicate sees.
struct guard_context {
    std::string_view customer_id; ///< The customer moving.
    const model *lifecycle;        ///< The model.
    stage_index from;              ///< Current stage.
    stage_index to;                ///< Target stage.
    timestamp time;                ///< When the move happens.
};

/// A host predicate for `predicate` guards: true lets the move happen.
using guard_predicate = std::function<bool(const guard_context &)>;

/// A customer's position in one model. 16 bytes.
struct membership {
    timestamp entered = 0;         ///< When the current stage was entered.
    stage_index stage = no_stage;  ///< Current stage, or no_stage when not in the model.
    std::uint16_t moves = 0;       ///< Stage changes so far (saturating).
    std::uint32_t first_event = none32; ///< The event that placed the customer in the model.
};
static_assert(sizeof(membership) == 16, "membership is 16 bytes");

/// A customer's always-present state. 16 bytes.
struct customer_state {
    string_id id = 0;              ///< The customer id, interned.
    std::uint32_t last_event = none32; ///< Head of the customer's event chain.
    timestamp last_time = 0;       ///< Time of the last event (events arrive in time order).
};
static_assert(sizeof(customer_state) == 16, "customer_state is 16 bytes");

/// A control point (document) sent and not yet done.
struct open_control_point {
    std::string kind;              ///< Document kind, e.g. "proposal".
    timestamp sent = 0;            ///< When it was sent.
    std::optional<timestamp> due;  ///< Its due or expiry date.
};

/// The next step planned for a customer.
struct next_step_info {
    timestamp planned = 0;         ///< When it was planned.
    std::optional<timestamp> due;  ///< Its date.
    std::string goal;              ///< Its goal.
    std::string product;           ///< The product to offer.
};

/// A purchase.
struct purchase_info {
    timestamp time = 0;            ///< When.
    std::string product;           ///< What.
    double amount = 0;             ///< For how much.
};

/// A stage entry in a customer's history.
struct stage_entry {
    std::size_t model_slot = 0;    ///< Which model.
    stage_index stage = no_stage;  ///< The stage entered.
    timestamp time = 0;            ///< When.
    std::string reason;            ///< Why, when given.
};

/// Everything known about a customer as of a date: a fold of their events.
struct customer_snapshot {
    std::string id;                                        ///< Customer id.
    std::string manager;                                   ///< Current manager ("" if none).
    std::string customer_class;                            ///< Class (A/B/C, D/E/F, ...).
    std::set<std::string> tags;                            ///< Static and dynamic tags.
    std::map<std::string, std::string> attributes;         ///< key = value attributes.
    std::map<std::string, double> scores;                  ///< Scores (expectation, satisfaction...).
    std::optional<channel> preferred_channel;              ///< From the attribute preferred_channel.
    std::optional<timestamp> last_contact;                 ///< Last contact, any channel.
    std::array<std::optional<timestamp>, channel_count> last_contact_by_channel{}; ///< Per channel.
    std::size_t contacts = 0;                              ///< Number of contacts.
    std::vector<open_control_point> open_control_points;   ///< Sent, not done.
    std::optional<next_step_info> next_step;               ///< The latest next step.
    std::vector<purchase_info> purchases;                  ///< Every purchase.
    std::set<std::string> items;                           ///< Checklist items and documents recorded.
    std::vector<stage_entry> stages;                       ///< Stage history, all models.
    std::vector<membership> positions;                     ///< Per model slot, as of the date.
};

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
    void apply(const event_view &ev) {
        undo u(*this);
        apply_unguarded(ev, u);
        u.commit();
    }

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
        if (e >= mdl.event_count() || (st.last_event != none32 && t < st.last_time) || pos.stage == no_stage) move_refused(c, m, e, t);
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

    /// apply_batch() over `n` events that `get(i)` returns (an event_view, or
    /// anything that converts to one) in the order i = 0 .. n-1: a batch
    /// applied straight from the caller's own storage, in any order it likes.
    template <class Get>
    std::vector<rejection> apply_each(std::size_t n, Get get, bool skip_bad, const std::function<std::string(std::size_t)> &where = {},
                                      const batch_finisher &finish = {}) {
        std::vector<rejection> rejected;
        undo batch(*this);
        for (std::size_t i = 0; i < n; ++i) {
            const event_view ev = get(i);
            if (!skip_bad) {
                try {
                    apply_unguarded(ev, batch);
                } catch (const error &e) {
                    if (!where) throw;
                    rethrow_with(e, where(i));
                }
                continue;
            }
            undo one(*this, &batch);
            try {
                apply_unguarded(ev, one);
                one.commit_into(batch);
            } catch (const error &e) {
                rejected.push_back({i, e.code(), where ? where(i) + ": " + e.what() : e.what()});
            }
        }
        if (finish) finish(rejected);
        batch.commit();
        return rejected;
    }

    /// The stage of customer `c` in model slot `m` as of `t` (every event up to
    /// `t` counted), and when it was entered; stage no_stage when not yet in the model.
    membership position_as_of(std::uint32_t c, std::size_t m, timestamp t) const {
        membership out;
        // Walk back to the newest stage event at or before t, then on back
        // while the stage stays the same, to find when it was entered.
        bool found = false;
        for (std::uint32_t e = customers_.at(c).last_event; e != none32; e = journal_[e].prev) {
            const auto &ev = journal_[e];
            if (ev.type != event_type::stage || ev.model != m || ev.time > t) continue;
            if (!found) {
                out.stage = stage_index(ev.value);
                found = true;
            } else if (ev.value != out.stage) {
                break;
            }
            out.entered = ev.time;
            out.first_event = e;
        }
        return out;
    }

    /// Customers per stage of model slot `m` as of `t` (index = stage; customers not in the model are not counted).
    std::vector<std::size_t> stage_counts(std::size_t m, std::optional<timestamp> t = std::nullopt) const {
        std::vector<std::size_t> counts(model_at(m).stage_count(), 0);
        for (std::uint32_t c = 0; c < customers_.size(); ++c) {
            stage_index s = t ? position_as_of(c, m, *t).stage : positions_[m][c].stage;
            if (s != no_stage) ++counts[s];
        }
        return counts;
    }

    /// Everything known about customer `c` as of `t` (all events when nullopt).
    customer_snapshot snapshot(std::uint32_t c, std::optional<timestamp> t = std::nullopt) const {
        customer_snapshot s;
        s.id = customer_id(c);
        s.positions.assign(models_.size(), membership{});
        std::vector<std::uint32_t> chain;
        for (std::uint32_t e = customers_.at(c).last_event; e != none32; e = journal_[e].prev) chain.push_back(e);
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            const journal_event &ev = journal_[*it];
            if (t && ev.time > *t) break;
            fold(s, ev, *it);
        }
        return s;
    }

    /// The events of customer `c`, oldest first.
    std::vector<std::uint32_t> history(std::uint32_t c) const {
        std::vector<std::uint32_t> chain;
        for (std::uint32_t e = customers_.at(c).last_event; e != none32; e = journal_[e].prev) chain.push_back(e);
        std::reverse(chain.begin(), chain.end());
        return chain;
    }

    /// Moves every customer of the model with the same id as `next` to `next`
    /// (a newer version), through its migration map. All-or-nothing: throws
    /// not_found listing the stages that have no place in the new version.
    void migrate(model_ptr next) {
        if (!next) throw invalid_argument("model must not be null");
        std::size_t m = model_slot(next->id());
        const model &old = *models_[m];
        if (next->version() <= old.version())
            throw invalid_argument("model '" + next->id() + "': migration needs a newer version than " +
                                   std::to_string(old.version()) + ", got " + std::to_string(next->version()));
        std::vector<stage_index> map(old.stage_count(), no_stage);
        std::vector<bool> used(old.stage_count(), false);
        for (const auto &ev : journal_)
            if (ev.type == event_type::stage && ev.model == m) used[ev.value] = true;
        std::string missing;
        for (stage_index s = 0; s < old.stage_count(); ++s) {
            auto to = next->migrate_stage(old.version(), old.stage_at(s).id);
            if (to) map[s] = *to;
            else if (used[s]) missing += (missing.empty() ? "'" : ", '") + old.stage_at(s).id + "'";
        }
        if (!missing.empty())
            throw not_found("model '" + next->id() + "' v" + std::to_string(next->version()) + " has no place for stage(s) " +
                            missing + " of v" + std::to_string(old.version()) + "; add a migration map");
        std::vector<journal_event> journal = journal_;
        std::vector<membership> pos = positions_[m];
        for (auto &ev : journal)
            if (ev.type == event_type::stage && ev.model == m) ev.value = map[ev.value];
        for (auto &p : pos)
            if (p.stage != no_stage) p.stage = map[p.stage];
        // Nothing below can throw.
        journal_.swap(journal);
        positions_[m].swap(pos);
        models_[m] = std::move(next);
    }

private:
    // A customer's state (and membership in one model) before a change.
    struct undo_record {
        std::uint32_t customer = 0;
        std::uint16_t model = 0xFFFF;  // 0xFFFF: no membership saved
        customer_state state;
        membership position;
    };

    // Records what a change touched so that it can be rolled back exactly.
    // Saved states go to one log that nested changes (a batch and its events)
    // share, so that a change allocates nothing once the log has grown.
    class undo {
    public:
        // A change, nested in `outer` when given.
        explicit undo(portfolio &p, const undo *outer = nullptr)
            : p_(p), journal_(p.journal_.size()), details_(p.details_.size()), pool_(p.pool_.size()),
              customers_(p.customers_.size()), lookup_(p.customer_of_string_.size()), log_(p.undo_log_.size()),
              base_(outer ? outer->base_ : journal_) {}
        undo(const undo &) = delete;
        undo &operator=(const undo &) = delete;
        ~undo() {
            if (!done_) rollback();
        }
        // Saves an existing customer's state and memberships before they first
        // change in the outermost change. A customer's state changes only
        // together with a journal append for them, so a customer whose last
        // event is newer than the outermost change's start is saved already.
        void save(std::uint32_t c) {
            const customer_state &st = p_.customers_[c];
            if (st.last_event != none32 && st.last_event >= base_) return;
            undo_record r;
            r.customer = c;
            r.state = st;
            if (p_.positions_.empty()) p_.undo_log_.push_back(r);
            for (std::size_t m = 0; m < p_.positions_.size(); ++m) {
                r.model = std::uint16_t(m);
                r.position = p_.positions_[m][c];
                p_.undo_log_.push_back(r);
            }
        }
        void commit() {
            done_ = true;
            release();
        }
        // Hands this (nested) transaction's saved states to the enclosing one
        // (they are already in the shared log).
        void commit_into(undo &) { done_ = true; }

    private:
        // The outermost change drops the log when it ends (and a big one's memory).
        void release() noexcept {
            if (log_ != 0) return;
            if (p_.undo_log_.capacity() > 4096) std::vector<undo_record>().swap(p_.undo_log_);
            else p_.undo_log_.clear();
        }
        void rollback() noexcept {
            // Newest first, so that a customer changed twice ends in its oldest saved state.
            auto &log = p_.undo_log_;
            for (std::size_t i = log.size(); i > log_; --i) {
                const undo_record &r = log[i - 1];
                p_.customers_[r.customer] = r.state;
                if (r.model != 0xFFFF) p_.positions_[r.model][r.customer] = r.position;
            }
            log.erase(log.begin() + std::ptrdiff_t(log_), log.end());
            for (std::size_t c = customers_; c < p_.customers_.size(); ++c) {
                string_id id = p_.customers_[c].id;
                if (id < p_.customer_of_string_.size()) p_.customer_of_string_[id] = none32;
            }
            p_.journal_.resize(journal_);
            for (std::size_t i = details_; i < p_.detail_event_.size(); ++i) {
                const std::uint32_t e = p_.detail_event_[i];
                p_.has_detail_[e / 64] &= ~(std::uint64_t(1) << (e % 64));
            }
            p_.details_.resize(details_);
            p_.detail_event_.resize(std::min(details_, p_.detail_event_.size()));
            p_.customers_.resize(customers_);
            for (auto &pos : p_.positions_) pos.resize(customers_);
            p_.customer_of_string_.resize(lookup_);
            if (p_.kv_parts_.size() > pool_) p_.kv_parts_.resize(pool_);
            try {
                p_.pool_.truncate(pool_);
            } catch (...) {
                // Truncating the pool does not allocate; nothing to do.
            }
            release();
        }
        portfolio &p_;
        std::size_t journal_, details_, pool_, customers_, lookup_, log_;
        std::size_t base_; // the journal's size when the outermost change began
        bool done_ = false;
    };

    [[noreturn]] static void rethrow_with(const error &e, const std::string &where) {
        std::string msg = where + ": " + e.what();
        switch (e.code()) {
        case CLM_E_NOT_FOUND: throw not_found(msg);
        case CLM_E_ILLEGAL_TRANSITION: throw illegal_transition(msg);
        case CLM_E_GUARD_FAILED: throw guard_failed(msg);
        case CLM_E_DUPLICATE: throw duplicate(msg);
        default: throw error(e.code(), msg);
        }
    }

    // The customer `existing` (saving its state before it changes), or a new customer `id`.
    std::uint32_t customer_for(std::string_view id, std::optional<std::uint32_t> existing, undo &u) {
        if (existing) {
            u.save(*existing);
            return *existing;
        }
        if (customers_.size() >= none32 - 1) throw invalid_argument("too many customers");
        string_id s = pool_.intern(id);
        customer_state st;
        st.id = s;
        customers_.push_back(st);
        for (auto &pos : positions_) pos.emplace_back();
        if (customer_of_string_.size() <= s) customer_of_string_.resize(std::size_t(s) + 1, none32);
        customer_of_string_[s] = std::uint32_t(customers_.size() - 1);
        return std::uint32_t(customers_.size() - 1);
    }

    std::size_t slot_for(const event_view &ev) const {
        if (!ev.model.empty()) return model_slot(ev.model);
        if (models_.size() == 1) return 0;
        if (models_.empty()) throw not_found("customer '" + std::string(ev.customer_id) + "': the portfolio has no model for a " + to_string(ev.type) + " event");
        throw invalid_argument("customer '" + std::string(ev.customer_id) + "': the portfolio has several models, so a " +
                               to_string(ev.type) + " event must name its model");
    }

    bool has_item(std::uint32_t c, const std::string &item) const {
        auto id = pool_.find(item);
        if (!id) return false;
        for (std::uint32_t e = customers_[c].last_event; e != none32; e = journal_[e].prev) {
            const auto &ev = journal_[e];
            if ((ev.type == event_type::check || ev.type == event_type::document || ev.type == event_type::document_done) && ev.value == *id)
                return true;
        }
        return false;
    }

    // The refusals that apply() by name and move() by index share, worded once.
    static invalid_argument out_of_order(std::string_view customer, timestamp t, timestamp last) {
        return invalid_argument("customer '" + std::string(customer) + "': event at " + format_timestamp(t) +
                                " is older than the customer's last event at " + format_timestamp(last) +
                                "; apply a customer's events in time order");
    }
    static illegal_transition not_in_model(std::string_view customer, const model &mdl, std::string_view event) {
        return illegal_transition("customer '" + std::string(customer) + "' is not in model '" + mdl.id() + "', so event '" +
                                  std::string(event) + "' cannot move them");
    }
    static illegal_transition no_transition_on(std::string_view customer, const model &mdl, stage_index from, std::string_view event) {
        return illegal_transition("customer '" + std::string(customer) + "' in model '" + mdl.id() + "': stage '" +
                                  mdl.stage_at(from).id + "' has no transition on '" + std::string(event) + "'");
    }

    // Why move(c, m, e, t) is refused: the same checks in the same order, each with its message.
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void move_refused(std::uint32_t c, std::size_t m, event_index e, timestamp t) const {
        if (c >= customers_.size()) throw not_found("no customer with index " + std::to_string(c));
        if (m >= models_.size()) throw not_found("no model in slot " + std::to_string(m));
        const model &mdl = *models_[m];
        if (e >= mdl.event_count()) throw not_found("model '" + mdl.id() + "' has no event with index " + std::to_string(e));
        const customer_state &st = customers_[c];
        if (st.last_event != none32 && t < st.last_time)
            throw out_of_order(customer_id(c), t, st.last_time);
        const membership &pos = positions_[m][c];
        if (pos.stage == no_stage)
            throw not_in_model(customer_id(c), mdl, mdl.event_name(e));
        throw no_transition_on(customer_id(c), mdl, pos.stage, mdl.event_name(e));
    }

    // Checks the move from the customer's current stage to `to`; throws when refused.
    void check_move(std::uint32_t c, std::string_view customer, timestamp time, std::string_view reason, std::size_t m,
                    stage_index from, stage_index to, std::uint16_t t_index, timestamp entered) const {
        const model &mdl = *models_[m];
        auto who = [&] { return "customer '" + std::string(customer) + "' in model '" + mdl.id() + "': "; };
        auto move = [&] { return "'" + mdl.stage_at(from).id + "' -> '" + mdl.stage_at(to).id + "'"; };
        const transition &tr = mdl.transition_at(t_index);
        for (const guard &g : tr.guards) {
            switch (g.kind) {
            case guard::type::items_present:
                for (const auto &item : g.items)
                    if (!has_item(c, item))
                        throw guard_failed(who() + "move " + move() + " refused by guard requires '" + item + "': not recorded");
                break;
            case guard::type::min_days: {
                auto days = days_between(entered, time);
                if (days < g.days)
                    throw guard_failed(who() + "move " + move() + " refused by guard min_days " + std::to_string(g.days) +
                                       ": " + std::to_string(days) + " days in '" + mdl.stage_at(from).id + "'");
                break;
            }
            case guard::type::predicate: {
                auto it = predicates_.find(g.name);
                if (it == predicates_.end())
                    throw guard_failed(who() + "move " + move() + " needs predicate '" + g.name + "', which is not registered");
                guard_context ctx{customer, &mdl, from, to, time};
                if (!it->second(ctx))
                    throw guard_failed(who() + "move " + move() + " refused by guard predicate '" + g.name + "'");
                break;
            }
            }
        }
        for (const auto &item : mdl.stage_at(to).requirements)
            if (!has_item(c, item))
                throw guard_failed(who() + "move " + move() + " refused: stage '" + mdl.stage_at(to).id + "' requires '" + item + "', not recorded");
        if (tr.reason_required && reason.empty())
            throw guard_failed(who() + "move " + move() + " needs a reason" +
                               (tr.reasons.empty() ? std::string() : " (e.g. '" + tr.reasons.front() + "')"));
    }

    void apply_unguarded(const event_view &ev, undo &u) {
        if (ev.customer_id.empty()) throw invalid_argument("an event needs a customer id");
        if (!ev.text_checked)
            for (std::string_view s : {ev.customer_id, ev.value, ev.model, ev.manager, ev.reason, ev.note})
                if (!valid_utf8(s))
                    throw invalid_argument("customer '" + (valid_utf8(ev.customer_id) ? std::string(ev.customer_id) : std::string("(invalid UTF-8)")) +
                                           "': event text is not valid UTF-8");
        bool needs_value = ev.type != event_type::contact && ev.type != event_type::next_step;
        if (needs_value && ev.value.empty())
            throw invalid_argument("customer '" + std::string(ev.customer_id) + "': a " + to_string(ev.type) + " event needs a value");
        if (ev.amount && !valid_amount(*ev.amount, ev.type == event_type::purchase)) // numbers.hpp: finite, |x| <= 1e12, < 0 only as a refund
            throw invalid_argument("customer '" + std::string(ev.customer_id) + "': " + (ev.type == event_type::purchase ? "purchase " : "") +
                                   "amount must be a finite number, at most 1e12 in magnitude, negative only on a purchase (a refund)");
        if ((ev.type == event_type::attribute || ev.type == event_type::score) && ev.value.find('=') == std::string::npos)
            throw invalid_argument("customer '" + std::string(ev.customer_id) + "': a " + to_string(ev.type) + " event's value must be key=value, got '" + std::string(ev.value) + "'");
        if (ev.type == event_type::score) {
            if (!parse_decimal_in(ev.value.substr(ev.value.find('=') + 1), -max_score, max_score)) // numbers.hpp
                throw invalid_argument("customer '" + std::string(ev.customer_id) + "': score '" + std::string(ev.value) + "' needs a number after '='");
        }

        std::size_t m = 0;
        stage_index to = no_stage;
        bool is_move = ev.type == event_type::stage || ev.type == event_type::event;
        if (!is_move && !ev.model.empty()) model_slot(ev.model); // a row naming an unknown model is refused whatever its type
        std::optional<std::uint32_t> existing =
            ev.customer_memo && *ev.customer_memo != none32 ? std::optional<std::uint32_t>(*ev.customer_memo) : find_customer(ev.customer_id);
        if (existing && customers_[*existing].last_event != none32 && ev.time < customers_[*existing].last_time)
            throw out_of_order(ev.customer_id, ev.time, customers_[*existing].last_time);
        if (is_move) {
            m = slot_for(ev);
            const model &mdl = *models_[m];
            membership cur = existing ? positions_[m][*existing] : membership{};
            if (ev.type == event_type::stage) {
                auto s = mdl.find_stage(ev.value);
                if (!s) throw not_found("customer '" + std::string(ev.customer_id) + "': model '" + mdl.id() + "' has no stage '" + std::string(ev.value) + "'");
                to = *s;
            } else {
                if (cur.stage == no_stage)
                    throw not_in_model(ev.customer_id, mdl, ev.value);
                auto e = mdl.find_event(ev.value);
                if (!e) throw not_found("customer '" + std::string(ev.customer_id) + "': model '" + mdl.id() + "' has no event '" + std::string(ev.value) + "'");
                to = mdl.next(cur.stage, *e);
                if (to == no_stage)
                    throw no_transition_on(ev.customer_id, mdl, cur.stage, ev.value);
            }
            if (cur.stage != no_stage && cur.stage != to) {
                auto t = mdl.transition_between(cur.stage, to);
                if (t == no_transition)
                    throw illegal_transition("customer '" + std::string(ev.customer_id) + "' in model '" + mdl.id() + "': no transition from '" +
                                             mdl.stage_at(cur.stage).id + "' to '" + mdl.stage_at(to).id + "'");
                if (!replaying_) check_move(*existing, ev.customer_id, ev.time, ev.reason, m, cur.stage, to, t, cur.entered);
            }
        }

        std::uint32_t c = customer_for(ev.customer_id, existing, u);
        journal_event je;
        je.time = ev.time;
        je.customer = c;
        je.type = is_move ? event_type::stage : ev.type;
        je.via = ev.via;
        je.value = is_move ? std::uint32_t(to) : pool_.intern(ev.value);
        if (ev.type == event_type::attribute || ev.type == event_type::score) {
            // Split once here so that policies compare keys and values as integers.
            auto eq = ev.value.find('=');
            string_id key = pool_.intern(std::string_view(ev.value).substr(0, eq));
            string_id val = pool_.intern(std::string_view(ev.value).substr(eq + 1));
            if (kv_parts_.size() < pool_.size()) kv_parts_.resize(pool_.size());
            kv_parts_[je.value] = {key, val};
        }
        if (is_move) je.model = std::uint16_t(m);
        bool has_detail = ev.amount || ev.due || !ev.manager.empty() || !ev.reason.empty() || !ev.note.empty();
        if (has_detail) {
            event_detail d;
            if (ev.amount) {
                d.amount = *ev.amount;
                d.has_amount = true;
            }
            if (ev.due) {
                d.due = *ev.due;
                d.has_due = true;
            }
            d.manager = pool_.intern(ev.manager);
            d.reason = pool_.intern(ev.reason);
            d.note = pool_.intern(ev.note);
            const std::size_t e = journal_.size(); // the index this event will have
            if (has_detail_.size() <= e / 64) has_detail_.resize(e / 64 + 1 + has_detail_.size() / 2, 0);
            details_.push_back(d);
            detail_event_.push_back(std::uint32_t(e));
            has_detail_[e / 64] |= std::uint64_t(1) << (e % 64);
        }
        je.prev = customers_[c].last_event;
        journal_.push_back(je);
        customers_[c].last_event = std::uint32_t(journal_.size() - 1);
        customers_[c].last_time = ev.time;
        if (is_move) {
            membership &pos = positions_[m][c];
            if (pos.stage == no_stage) pos.first_event = customers_[c].last_event;
            if (pos.stage != to) {
                pos.stage = to;
                pos.entered = ev.time;
                if (pos.moves < 0xFFFF) ++pos.moves;
            }
        }
        if (ev.customer_memo) *ev.customer_memo = c; // only once nothing can fail any more
    }

    void fold(customer_snapshot &s, const journal_event &ev, std::uint32_t index) const {
        const event_detail *d = detail_of(ev);
        const std::string &value = ev.type == event_type::stage ? pool_.at(0) : pool_.at(ev.value);
        switch (ev.type) {
        case event_type::stage: {
            membership &pos = s.positions[ev.model];
            if (pos.stage == no_stage) pos.first_event = index;
            if (pos.stage != stage_index(ev.value)) {
                pos.stage = stage_index(ev.value);
                pos.entered = ev.time;
                if (pos.moves < 0xFFFF) ++pos.moves;
            }
            s.stages.push_back({ev.model, stage_index(ev.value), ev.time, d ? pool_.at(d->reason) : std::string()});
            break;
        }
        case event_type::contact:
            s.last_contact = ev.time;
            s.last_contact_by_channel[static_cast<int>(ev.via)] = ev.time;
            ++s.contacts;
            break;
        case event_type::document:
            s.items.insert(value);
            s.open_control_points.push_back({value, ev.time, d && d->has_due ? std::optional<timestamp>(d->due) : std::nullopt});
            break;
        case event_type::document_done:
            s.items.insert(value);
            s.open_control_points.erase(std::remove_if(s.open_control_points.begin(), s.open_control_points.end(),
                                                       [&](const open_control_point &p) { return p.kind == value; }),
                                        s.open_control_points.end());
            break;
        case event_type::purchase:
            s.purchases.push_back({ev.time, value, d && d->has_amount ? d->amount : 0.0});
            break;
        case event_type::next_step: {
            next_step_info n;
            n.planned = ev.time;
            n.goal = value;
            if (d) {
                if (d->has_due) n.due = d->due;
                n.product = pool_.at(d->note);
            }
            s.next_step = n;
            break;
        }
        case event_type::attribute: {
            auto eq = value.find('=');
            std::string key = value.substr(0, eq), val = value.substr(eq + 1);
            if (key == "preferred_channel") s.preferred_channel = parse_channel(val);
            s.attributes[key] = val;
            break;
        }
        case event_type::tag: s.tags.insert(value); break;
        case event_type::untag: s.tags.erase(value); break;
        case event_type::class_change: s.customer_class = value; break;
        case event_type::score: {
            auto eq = value.find('=');
            s.scores[value.substr(0, eq)] = std::strtod(value.c_str() + eq + 1, nullptr);
            break;
        }
        case event_type::manager: s.manager = value; break;
        case event_type::check: s.items.insert(value); break;
        case event_type::event: break; // journaled as stage events
        }
        if (ev.type == event_type::contact && d && d->manager && s.manager.empty()) s.manager = pool_.at(d->manager);
    }

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
    bool replaying_ = false;
};

} // namespace clm
