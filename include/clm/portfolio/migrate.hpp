/// @file portfolio/migrate.hpp
/// Moving a model's customers to a newer version of it, through its
/// migration map, all-or-nothing. Included by portfolio.hpp.
#pragma once

#include <clm/portfolio.hpp>

#include <string>
#include <vector>

namespace clm {

inline void portfolio::migrate(model_ptr next) {
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

} // namespace clm
