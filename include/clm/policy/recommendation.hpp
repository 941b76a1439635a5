/// @file policy/recommendation.hpp
/// What the policy engine produces: a recommendation (which rule fired for
/// which customer, how it ranks, the facts that matched), small and flat so
/// that millions fit in memory and sort fast.
#pragma once

#include <clm/journal.hpp>
#include <clm/model.hpp>
#include <clm/policy.hpp>

#include <array>
#include <limits>
#include <cstddef>
#include <cstdint>

namespace clm {

/// One fact that matched, as a recommendation keeps it (rendered to text by
/// compiled_policy::explain()).
struct matched_fact {
    std::uint16_t leaf = 0;        ///< Leaf index in the compiled policy.
    string_id subject = 0;         ///< What the fact is about, when it names something: the control point's kind (0: nothing).
    double value = 0;              ///< The fact's value.
};

/// A recommendation: which rule fired for which customer, how it ranks, and
/// the facts that matched (rendered to text by explain()). When several rules
/// fire for one customer, those whose actions are the same (same scope, kind
/// and channel) are one action, the best-ranked rule's, naming the others'
/// reasons (`merged_count`); of the customer's actions the best are returned
/// (the policy's per_customer_limit) and the rest counted in `alternatives`.
struct recommendation {
    std::uint32_t customer = 0;    ///< Customer index.
    std::uint16_t rule = 0;        ///< Rule index in the policy.
    channel via = channel::none;   ///< Channel resolved (preferred or the rule's).
    std::uint8_t matched_count = 0;///< Entries used in `matched`.
    double score = 0;              ///< priority x class weight x urgency x value x p_won (p_won when the policy uses it and it is known).
    double urgency = 1;            ///< 1 + days overdue.
    double value = 1;              ///< The deal's value: the newest of a stage row's amount and the value attribute, else the policy's default.
    double class_weight = 1;       ///< The customer's class weight.
    double p_won = std::numeric_limits<double>::quiet_NaN(); ///< The deal's probability of being won (NaN: unknown, e.g. no won stage).
    string_id account = 0;         ///< The customer's account as of the date (0: none).
    rule_scope scope = rule_scope::deal; ///< The rule's scope.
    std::uint8_t merged_count = 0; ///< Other rules that fired with the same action, merged into this one (saturating).
    std::uint16_t alternatives = 0;///< The customer's other actions, not returned (saturating).
    std::int64_t due_day = 0;      ///< Due date (day number).
    std::size_t model_slot = 0;    ///< The model whose stage the action concerns.
    stage_index stage = no_stage;  ///< The customer's stage in that model.
    /// The leaves that matched (the first six), in evaluation order.
    std::array<matched_fact, 6> matched{};
};

} // namespace clm
