/// @file policy/recommendation.hpp
/// What the policy engine produces: a recommendation (which rule fired for
/// which customer, how it ranks, the facts that matched), small and flat so
/// that millions fit in memory and sort fast.
#pragma once

#include <clm/journal.hpp>
#include <clm/model.hpp>
#include <clm/policy.hpp>

#include <array>
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
/// the facts that matched (rendered to text by explain()).
struct recommendation {
    std::uint32_t customer = 0;    ///< Customer index.
    std::uint16_t rule = 0;        ///< Rule index in the policy.
    channel via = channel::none;   ///< Channel resolved (preferred or the rule's).
    std::uint8_t matched_count = 0;///< Entries used in `matched`.
    double score = 0;              ///< priority x class weight x urgency x value.
    double urgency = 1;            ///< 1 + days overdue.
    double value = 1;              ///< Deal value (x win probability when the policy says so).
    std::int64_t due_day = 0;      ///< Due date (day number).
    std::size_t model_slot = 0;    ///< The model whose stage the action concerns.
    stage_index stage = no_stage;  ///< The customer's stage in that model.
    /// The leaves that matched (the first six), in evaluation order.
    std::array<matched_fact, 6> matched{};
};

} // namespace clm
