/// @file policy/compiled_policy.hpp
/// A policy bound to one portfolio (compiled_policy): its conditions compiled
/// to flat nodes with string operands interned and model ids resolved, the
/// rules pre-selected by stage and class. Compiling is in
/// policy/compile-inl.hpp, evaluating one customer in policy/evaluate-inl.hpp,
/// explaining a recommendation in policy/explain-inl.hpp: compiled once in
/// src/core/policy.cpp, or included here when CLM_HEADER_ONLY is defined.
#pragma once

#include <clm/build_mode.hpp>
#include <clm/facts.hpp>
#include <clm/policy.hpp>
#include <clm/policy/deal_odds.hpp>
#include <clm/policy/reason.hpp>
#include <clm/policy/recommendation.hpp>

#include <mutex>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clm {

/// The portfolio-wide figures an evaluation as of one date uses: the
/// per-deal forecast (when the policy or the caller needs it) and, for rules
/// of scope "account", which deal carries each account's action.
struct policy_context {
    std::int64_t as_of_day = 0;                 ///< The date, as a day number.
    std::shared_ptr<const deal_odds> odds;      ///< The per-deal forecast; null when not computed.
    /// ((account << 16) | action identity, customer): the deal that carries
    /// the account's action of that identity, sorted by key.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> carriers;
    bool carriers_known = false;                ///< Whether `carriers` was computed (a policy with account rules).

    /// The customer carrying `account`'s action of identity `identity`, or none32.
    std::uint32_t carrier(string_id account, std::uint16_t identity) const noexcept {
        const std::uint64_t key = (std::uint64_t(account) << 16) | identity;
        auto it = std::lower_bound(carriers.begin(), carriers.end(), key, [](const auto &x, std::uint64_t k) { return x.first < k; });
        return it != carriers.end() && it->first == key ? it->second : none32;
    }
};

/// A policy bound to one portfolio: string operands interned, model ids resolved.
///
/// The figures of a date (policy_context: the forecast, each account's
/// carrier) are computed on first use and kept for the last date asked: a
/// compiled policy answers for the portfolio as it was then, so compile it
/// anew after the portfolio changes (as every clm entry point does).
class compiled_policy {
public:
    /// Compiles `pol` for `p`. Throws not_found for a model id the portfolio lacks.
    compiled_policy(std::shared_ptr<const policy> pol, const portfolio &p);

    /// One action for a customer: the best-ranked rule of those with the same
    /// scope, kind and channel, and the others merged into it.
    struct action_group {
        recommendation primary;              ///< The action (the best-ranked rule).
        std::vector<recommendation> merged;  ///< The other rules that say the same, best first.
    };

    /// The figures of `as_of_day` (computed once, then kept); with `with_odds`
    /// the per-deal forecast is computed even when the policy does not need it
    /// (for reports that show p_won). `threads`: 0 for all cores. Thread-safe.
    std::shared_ptr<const policy_context> context(std::int64_t as_of_day, bool with_odds = false, unsigned threads = 0) const;

    /// Scores the deals with these forecast fits (by model slot; an empty
    /// entry: the portfolio's own) instead of fitting the forecast on the
    /// portfolio: for a part of a split portfolio, so that p_won is the
    /// whole's (partial/partials.hpp, fit_of_partial()). Call before the
    /// first use for a date; the figures of dates already asked are dropped.
    void use_forecast_fits(std::vector<std::optional<forecast_fit>> fits) {
        std::lock_guard<std::mutex> lock(context_mutex_);
        fits_ = std::move(fits);
        context_.reset();
    }

    /// Whether the policy's scores or conditions use the per-deal forecast.
    bool needs_odds() const noexcept { return needs_odds_; }
    /// Whether some rule has scope "account".
    bool has_account_rules() const noexcept { return account_rules_; }

    /// Customer `c`'s facts as of `as_of_day`, with the date's context
    /// (context(as_of_day, with_odds)).
    void collect(std::uint32_t c, std::int64_t as_of_day, customer_facts &f, bool with_odds = true) const;

    /// Every action the policy recommends for `f` (its rules merged by scope,
    /// kind and channel; account actions carried by another deal left out),
    /// best first. For explanations: the hot path is evaluate().
    std::vector<action_group> actions(const customer_facts &f) const;

    /// The deal's probability of being won in model slot `slot` (or, when that
    /// model has none, the first model by id that has one): 1 in a won stage,
    /// 0 in another final stage, the forecast's p_won when open; NaN when unknown.
    double p_won_of(const customer_facts &f, std::size_t slot) const;

    /// The identity that merges actions: scope, action kind and channel.
    std::uint16_t identity(const recommendation &rec) const noexcept {
        return std::uint16_t((rec.scope == rule_scope::account ? 0x8000u : 0u) | (std::uint32_t(kind_index_[rec.rule]) << 8) | std::uint32_t(rec.via));
    }

    /// The model slots in order of model id: the order in which conditions
    /// without a model look at the customer's models (so that the result never
    /// depends on the order the models were added in).
    const std::vector<std::size_t> &model_order() const noexcept { return order_; }

    /// Completes facts collected by collect_facts() for this policy: sets the
    /// date's context and, for a customer without a class, the class the
    /// policy derives (derived_classes).
    void complete(customer_facts &f, const policy_context *ctx) const {
        f.context = ctx;
        if (f.customer_class == 0 && (pol_->pre_contract || pol_->service)) derive_class(f);
    }

    /// A class's name: the portfolio's text, or a derived class's name the portfolio never saw.
    const std::string &class_text(string_id id) const {
        if (id >= derived_base && id - derived_base < derived_names_.size()) return derived_names_[id - derived_base];
        return p_.text(id);
    }

    /// The name of holiday `k` (as a matched holiday fact's subject - 1).
    const std::string &holiday_name(std::size_t k) const { return holidays_.at(k)->name; }

    /// The policy.
    const policy &source() const noexcept { return *pol_; }
    /// The portfolio it was compiled for.
    const portfolio &target() const noexcept { return p_; }

    /// Evaluates every rule for one customer's facts, merges the rules that
    /// fired into actions, and appends the best per_customer_limit of them,
    /// best first, each counting the customer's other actions in
    /// `alternatives`. `per_customer` > 0 returns that many instead.
    /// Allocation-free once `out` has capacity.
    void evaluate(const customer_facts &f, std::vector<recommendation> &out, std::size_t per_customer = 0) const;

    /// The text of each matched fact in locale(), e.g. "days since last contact 16 >= 14".
    std::vector<std::string> explain(const recommendation &rec) const;

    /// Each matched fact as a structured reason: message id, fact, operator,
    /// threshold, actual value, subject (policy/reason.hpp); explain() is
    /// their text.
    std::vector<reason> reasons(const recommendation &rec) const;

    /// A reason's text in locale(): the policy's template of its message id,
    /// else the built-in one (policy/message_format.hpp, reason_text()).
    std::string text_of(const reason &r) const;

    /// The locale reasons, goals and rule descriptions are written in: the
    /// portfolio's (the locale its models show, portfolio::set_locale()), "en"
    /// when it has no model.
    const std::string &locale() const noexcept;

    /// The rule's description in locale() (the default locale's when the
    /// policy has no text in it): why the rule exists.
    std::string why(const recommendation &rec) const;

    /// The document the action concerns: the rule's `document`, else, for a
    /// send_document or follow_up action, the control point its matched facts
    /// are about (the most overdue, or the soonest due); "" when none.
    std::string document(const recommendation &rec) const;

    /// The action's goal in locale() with placeholders filled ({stage},
    /// {task}, {product}); the stage task when the goal is empty.
    std::string goal(const recommendation &rec, const customer_facts &f) const;

    /// The product to offer: the action's, else the customer's `product` attribute.
    std::string product(const recommendation &rec, const customer_facts &f) const;

    /// The stage task of the recommendation's model stage ("" when not in a stage).
    std::string task(const recommendation &rec, const customer_facts &f) const;

private:
    // A compiled node: leaves index into leaves_, combinators into kids_.
    struct node {
        condition::type type = condition::type::leaf;
        std::uint32_t leaf = 0;         // for leaves
        std::uint32_t first = 0, count = 0; // children in kids_
    };
    struct leaf_info {
        const condition *src = nullptr;
        std::vector<string_id> ids;     // interned operands (missing strings dropped: they cannot match)
        std::vector<stage_kind> kinds;
        std::vector<std::pair<std::size_t, stage_index>> stages; // (slot, stage) for stage facts
        int slot = -1;                  // model slot, -1 for any
        channel via = channel::none;
        bool preferred = false;
        bool any_channel = true;
        string_id name = none32, kind = none32, plan = none32, actual = none32;
        bool string_compare = false;
    };

    std::uint32_t compile(const condition &c);

    // The channels of a rule's action, resolved once.
    struct rule_channel {
        bool preferred = false;           // "preferred": the customer's, else `fallback`
        channel fixed = channel::none;
        channel fallback = channel::none;
    };

    // Rule pre-selection. Bit r of a mask stands for rule r. A rule whose
    // condition needs the customer in given stages or of given classes (a
    // `stage` or `class` leaf with == or in, the whole condition or directly
    // under its top-level `all`) is evaluated only for customers there: for
    // the others it cannot fire. Other rules are always evaluated.
    static constexpr std::size_t max_select_words = 8; // up to 512 rules; more: every rule is evaluated

    // The leaf every firing of the rule rooted at `root` needs, or nullptr.
    const leaf_info *requirement(std::uint32_t root) const;

    void build_selection();

    // The rules worth evaluating for `f`: at least every rule that can fire.
    void candidates(const customer_facts &f, std::uint64_t *cand) const;

    void evaluate_rule(std::size_t r, const customer_facts &f, std::vector<recommendation> &out) const;

    // Appends every rule that fires for `f` (only account rules with
    // `account_only`), without the account actions another deal carries,
    // sorted best first (stable by rule order).
    void fire(const customer_facts &f, std::vector<recommendation> &out, bool account_only) const;

    // The deal's p_won in model slot `s` exactly (no fallback), NaN when unknown.
    double p_won_in(const customer_facts &f, std::size_t s) const;

    // Evaluates a model-dependent leaf in model slot `s`.
    bool eval_in_model(const leaf_info &li, const customer_facts &f, std::size_t s, double &value, double &overdue) const;

    // The holidays of the customer's calendar (indexes into holidays_).
    const std::vector<std::uint32_t> &calendar_of(const customer_facts &f) const;

    // Derived classes the portfolio's text does not hold get ids from here up.
    static constexpr string_id derived_base = 0x7F000000u;

    // The id of class `name`: the portfolio's, else a derived class's own, else none32.
    string_id class_id(const std::string &name) const;

    void derive_class(customer_facts &f) const;

    // A derivation with its names resolved.
    struct derivation {
        std::vector<string_id> scores;
        string_id date_attribute = none32;
        std::vector<std::pair<string_id, double>> classes;
        string_id otherwise = none32;
    };

    // The forecast of the date evaluated last (nullptr: none), kept alive by context_.
    const deal_odds *current_odds() const {
        std::lock_guard<std::mutex> lock(context_mutex_);
        return context_ && context_->odds ? context_->odds.get() : nullptr;
    }

    // Which deal carries each account's action as of the context's date.
    void find_carriers(policy_context &ctx, unsigned threads) const;

    static bool compare(op_kind op, double a, double b) {
        switch (op) {
        case op_kind::eq: return a == b;
        case op_kind::ne: return a != b;
        case op_kind::lt: return a < b;
        case op_kind::le: return a <= b;
        case op_kind::gt: return a > b;
        case op_kind::ge: return a >= b;
        default: return false;
        }
    }

    static bool member(const std::vector<string_id> &ids, string_id v) {
        for (auto x : ids)
            if (x == v) return true;
        return false;
    }

    static bool set_op(op_kind op, bool in) { return op == op_kind::ne || op == op_kind::not_in ? !in : in; }

    // The first model slot, by model id, the customer is in (or the leaf's slot).
    int slot_for(const leaf_info &li, const customer_facts &f) const {
        if (li.slot >= 0) return f.stages[std::size_t(li.slot)].stage == no_stage ? -1 : li.slot;
        for (std::size_t m : order_)
            if (f.stages[m].stage != no_stage) return int(m);
        return -1;
    }

    // Evaluates a leaf; `value` receives the fact's value, `overdue` how far past the threshold,
    // `subject` what the fact is about when it names something (a control point's kind).
    bool eval_leaf(const leaf_info &li, const customer_facts &f, double &value, double &overdue, int &slot, string_id &subject) const;

    bool eval(std::uint32_t idx, const customer_facts &f, recommendation &rec, double &overdue) const;

    void finish(recommendation &rec, const customer_facts &f, double overdue) const;

    reason describe(const leaf_info &li, const matched_fact &m, const recommendation &rec) const;

    std::shared_ptr<const policy> pol_;
    const portfolio &p_;
    std::vector<std::uint32_t> roots_;
    std::vector<node> nodes_;
    std::vector<std::uint32_t> kids_;
    std::vector<leaf_info> leaves_;
    std::vector<std::pair<string_id, double>> class_weight_;
    string_id value_attr_ = none32, birthday_attr_ = none32, anniversary_attr_ = none32;
    std::vector<rule_channel> channels_;                 // per rule
    bool select_ = false;                                // pre-selection in use
    std::size_t words_ = 0;                              // 64-bit words per rule mask
    std::vector<std::uint64_t> always_;                  // rules evaluated for everyone
    std::vector<std::vector<std::uint64_t>> stage_rules_; // [slot][stage * words_ + w]: rules needing that stage
    std::vector<string_id> class_ids_;                   // classes some rule needs
    std::vector<std::uint64_t> class_rules_;             // [k * words_ + w]: rules needing class_ids_[k]
    std::vector<std::uint8_t> kind_index_;               // per rule: its action kind's index (for identity())
    std::vector<std::size_t> order_;                     // model slots by model id
    bool needs_odds_ = false, account_rules_ = false;
    std::vector<const holiday *> holidays_;              // every holiday of every calendar
    std::vector<std::vector<std::uint32_t>> calendars_;  // [0]: `holidays`; then each calendar, in name order
    string_id calendar_attr_ = none32;
    std::vector<std::pair<string_id, std::uint32_t>> calendar_of_value_; // attribute value -> calendar index
    std::uint32_t default_calendar_ = 0;
    std::vector<std::string> derived_names_;             // derived classes the portfolio never saw (ids from derived_base)
    std::optional<derivation> pre_contract_, service_;
    std::vector<std::optional<forecast_fit>> fits_;      // the forecast fits given (use_forecast_fits())
    mutable std::mutex context_mutex_;
    mutable std::shared_ptr<const policy_context> context_;
};

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/policy/compile-inl.hpp>
#include <clm/policy/context-inl.hpp>
#include <clm/policy/evaluate-inl.hpp>
#include <clm/policy/explain-inl.hpp>
#endif
