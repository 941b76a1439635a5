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
#include <clm/policy/recommendation.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clm {

/// A policy bound to one portfolio: string operands interned, model ids resolved.
class compiled_policy {
public:
    /// Compiles `pol` for `p`. Throws not_found for a model id the portfolio lacks.
    compiled_policy(std::shared_ptr<const policy> pol, const portfolio &p);

    /// The policy.
    const policy &source() const noexcept { return *pol_; }
    /// The portfolio it was compiled for.
    const portfolio &target() const noexcept { return p_; }

    /// Evaluates every rule for one customer's facts and appends up to the
    /// per-customer limit of recommendations, best first. Allocation-free
    /// once `out` has capacity.
    void evaluate(const customer_facts &f, std::vector<recommendation> &out) const;

    /// The text of each matched fact, e.g. "days since last contact 16 >= 14".
    std::vector<std::string> explain(const recommendation &rec) const;

    /// The document the action concerns: the rule's `document`, else, for a
    /// send_document or follow_up action, the control point its matched facts
    /// are about (the most overdue, or the soonest due); "" when none.
    std::string document(const recommendation &rec) const;

    /// The action's goal with placeholders filled ({stage}, {task}, {product}); the stage task when the goal is empty.
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

    // The first model slot the customer is in (or the leaf's slot).
    static int slot_for(const leaf_info &li, const customer_facts &f) {
        if (li.slot >= 0) return f.stages[std::size_t(li.slot)].stage == no_stage ? -1 : li.slot;
        for (std::size_t m = 0; m < f.stages.size(); ++m)
            if (f.stages[m].stage != no_stage) return int(m);
        return -1;
    }

    // Evaluates a leaf; `value` receives the fact's value, `overdue` how far past the threshold,
    // `subject` what the fact is about when it names something (a control point's kind).
    bool eval_leaf(const leaf_info &li, const customer_facts &f, double &value, double &overdue, int &slot, string_id &subject) const;

    bool eval(std::uint32_t idx, const customer_facts &f, recommendation &rec, double &overdue) const;

    void finish(recommendation &rec, const customer_facts &f, double overdue) const;

    std::string describe(const leaf_info &li, const matched_fact &m, const recommendation &rec) const;

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
};

} // namespace clm

#ifdef CLM_HEADER_ONLY
#include <clm/policy/compile-inl.hpp>
#include <clm/policy/evaluate-inl.hpp>
#include <clm/policy/explain-inl.hpp>
#endif
