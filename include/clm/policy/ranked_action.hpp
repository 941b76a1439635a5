/// @file policy/ranked_action.hpp
/// A recommendation as the portfolio-wide ranking keeps it: 32 bytes, enough
/// to order it and to say what to do for whom and when, but without the facts
/// that explain it. rank_all() (policy/recommend_all.hpp) ranks every
/// customer's actions in this form; expand() rebuilds the full
/// recommendation, with its matched facts, value and p_won, by evaluating that
/// one customer again, so explanations are built only for what is shown.
#pragma once

#include <clm/policy/recommendation.hpp>
#include <clm/portfolio.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace clm {

/// One ranked action (32 bytes; policy/ranked_action.hpp). The ranking is
/// score descending, then customer id, then rule order: a total order.
struct ranked_action {
    double score = 0;                  ///< priority × class weight × urgency × value × p_won (see recommendation::score).
    std::uint64_t id_prefix = 0;       ///< The customer id's first 8 bytes, big-endian and zero-padded: settles most ties without the strings.
    std::uint32_t customer = 0;        ///< Customer index.
    std::uint16_t rule = 0;            ///< Rule index in the policy (the best-ranked of the rules merged into this action).
    std::uint16_t alternatives = 0;    ///< The customer's other actions, not returned (saturating).
    std::int32_t due_day = 0;          ///< Due date (day number).
    channel via = channel::none;       ///< Channel resolved.
    rule_scope scope = rule_scope::deal; ///< The rule's scope.
    std::uint8_t merged_count = 0;     ///< Other rules merged into this action (saturating).
    std::uint8_t model_slot = 0;       ///< The model whose stage the action concerns (saturating at 255).
};
static_assert(sizeof(ranked_action) == 32, "a ranked action is 32 bytes");

namespace detail {

/// The first 8 bytes of `s`, big-endian, zero-padded: ordered like the strings
/// whenever two prefixes differ.
inline std::uint64_t id_prefix(const std::string &s) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
    return v;
}

/// The ranked form of `r`, whose customer's id begins with `prefix`
/// (id_prefix()). Day numbers beyond ±2^31 days cannot occur (dates are
/// within 1400..9999).
inline ranked_action rank_of(const recommendation &r, std::uint64_t prefix) noexcept {
    ranked_action a;
    a.score = r.score;
    a.id_prefix = prefix;
    a.customer = r.customer;
    a.rule = r.rule;
    a.alternatives = r.alternatives;
    a.due_day = std::int32_t(r.due_day);
    a.via = r.via;
    a.scope = r.scope;
    a.merged_count = r.merged_count;
    a.model_slot = std::uint8_t(r.model_slot < 255 ? r.model_slot : 255);
    return a;
}

/// The ranking: score descending, then customer id, then rule order.
struct rank_before {
    const portfolio *p; ///< Whose customer ids settle ties of equal prefixes.
    /// Whether `a` ranks before `b`.
    bool operator()(const ranked_action &a, const ranked_action &b) const {
        if (a.score != b.score) return a.score > b.score;
        if (a.customer != b.customer)
            return a.id_prefix != b.id_prefix ? a.id_prefix < b.id_prefix : p->customer_id(a.customer) < p->customer_id(b.customer);
        return a.rule < b.rule;
    }
};

} // namespace detail
} // namespace clm
