// abi_lists.hpp -- the typed result lists of the C ABI (clm_recommendation_list,
// clm_plan_list, clm_funnel_list): entries kept as C++ strings and numbers,
// copied into the caller's structs by the accessors in abi_lists.cpp.
#pragma once

#include <clm/clm.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace clm::abi {

/// One reason as the list keeps it.
struct reason_entry {
    std::string id, fact, op, text;
    double threshold = 0, actual = 0;             // NaN when none
    std::optional<std::string> threshold_text, actual_text, subject;
};

/// One recommendation as the list keeps it.
struct recommendation_entry {
    std::size_t rank = 0;
    std::string customer_id, manager, customer_class, rule, scope, kind, channel, goal, product, document, target_stage, due, task, why;
    std::optional<std::string> account, model, stage;
    double priority = 0, score = 0, urgency = 0, value = 0, p_won = 0;
    std::size_t alternatives = 0;
    std::vector<reason_entry> reasons;
};

/// A recommendation and its reasons from its JSON (recommendation_to_json()).
recommendation_entry recommendation_of(const nlohmann::ordered_json &j);

} // namespace clm::abi

struct clm_recommendation_list {
    std::vector<clm::abi::recommendation_entry> entries;
};

/// One entry of a weekly plan: its recommendation and where it went.
struct clm_plan_list {
    struct entry {
        clm::abi::recommendation_entry rec;
        bool planned = false;
        std::string day, not_fitted_because;
        double minutes = 0;
    };
    std::vector<entry> entries;
    double capacity_minutes = 0, planned_minutes = 0;
};

/// The funnel's stages.
struct clm_funnel_list {
    struct entry {
        std::string id, name;
        std::size_t entered = 0, current = 0, lost_from = 0;
        double median_days = 0, conversion_rate = 0; // NaN when none
    };
    std::vector<entry> entries;
};
