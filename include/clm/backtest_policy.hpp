/// @file backtest_policy.hpp
/// The policy part of the backtest: of the deals open on the forecast date
/// that a policy asked to re-qualify or close as lost, how many were indeed
/// lost by the outcome date. A recommendation asks for that when its action
/// is `requalify`, or `move_stage` to a lost-kind stage of its model.
#pragma once

#include <clm/backtest.hpp>
#include <clm/recommend.hpp>

#include <unordered_set>

namespace clm {

/// Whether rule action `a` asks to re-qualify a deal or close it as lost, in model `m`.
inline bool asks_requalify_or_close(const action &a, const model &m) {
    if (a.kind == "requalify") return true;
    if (a.kind != "move_stage") return false;
    auto s = m.find_stage(a.target_stage);
    return s && m.stage_at(*s).kind == stage_kind::lost;
}

/// Evaluates `cp` (bound to the backtest's portfolio) as of `r.as_of` and
/// fills `r.policy`: every customer open on that date in model slot `slot`
/// with at least one re-qualify-or-close recommendation is flagged, and
/// counted by its stage on `r.until`.
inline void backtest_policy(backtest_report &r, const compiled_policy &cp, std::size_t slot) {
    const portfolio &p = cp.target();
    const model &mdl = p.model_at(slot);
    auto recs = recommend_all(cp, day_of(r.as_of));
    std::unordered_set<std::uint32_t> flagged;
    const timestamp t1 = end_of_day(r.as_of), t2 = end_of_day(r.until);
    for (const recommendation &rec : recs) {
        const action &a = cp.source().rules.at(rec.rule).then;
        if (!asks_requalify_or_close(a, p.model_at(rec.model_slot))) continue;
        stage_index now = p.position_as_of(rec.customer, slot, t1).stage;
        if (now == no_stage || is_final(mdl.stage_at(now).kind)) continue;
        flagged.insert(rec.customer);
    }
    policy_check c;
    c.flagged = flagged.size();
    for (std::uint32_t cust : flagged) {
        stage_index later = p.position_as_of(cust, slot, t2).stage;
        stage_kind k = mdl.stage_at(later).kind;
        if (k == stage_kind::won) ++c.won;
        else if (is_final(k)) ++c.lost;
        else ++c.still_open;
    }
    if (c.flagged) c.share_lost = double(c.lost) / double(c.flagged);
    else r.notes.push_back("the policy asked to re-qualify or close no open deal");
    r.policy = c;
}

} // namespace clm
