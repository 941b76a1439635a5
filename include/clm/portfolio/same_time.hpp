/// @file portfolio/same_time.hpp
/// Same-time rows: when one customer's events share a time, the order a file
/// gives them in carries no meaning, and an export may well list a lead won
/// before it lists it contacted that same day. A batch that is asked to
/// (apply_each() with `reordered`) tries the order given first; when the model
/// refuses it, it applies the rows other than moves first (in the order
/// given: checks and documents then count for the moves' guards), then tries
/// every distinct order of the moves, at most max_reordered_moves of them
/// (720 orders). Exactly one legal order is applied and reported; none or
/// several is an error naming the rows. Included by portfolio.hpp.
#pragma once

#include <clm/portfolio.hpp>

#include <algorithm>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace clm {

template <class Get>
bool portfolio::apply_same_time(std::size_t begin, std::size_t end, Get &get, undo &batch, bool skip_bad,
                                const std::function<std::string(std::size_t)> &where, std::vector<reordering> &reordered) {
    std::vector<event_view> group;
    group.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) group.push_back(get(i));
    // apply() fills a customer memo once the customer exists: a trial rolled
    // back must leave the memos as they were, or a customer it created and
    // dropped would be remembered.
    std::vector<std::uint32_t> memos;
    for (const event_view &ev : group) memos.push_back(ev.customer_memo ? *ev.customer_memo : none32);
    auto restore_memos = [&] {
        for (std::size_t k = 0; k < group.size(); ++k)
            if (group[k].customer_memo) *group[k].customer_memo = memos[k];
    };
    // Applies the group in `order` (positions in the group) as one nested change,
    // kept when `keep` and it passes; on a refusal, `failure` gets the row and error.
    auto attempt = [&](const std::vector<std::size_t> &order, bool keep, std::optional<std::pair<std::size_t, error>> *failure) {
        undo trial(*this, &batch, true);
        for (std::size_t k : order) {
            try {
                apply_unguarded(group[k], trial);
            } catch (const error &e) {
                if (failure) failure->emplace(k, e);
                restore_memos(); // (the trial rolls back as it leaves)
                return false;
            }
        }
        if (keep) trial.commit_into(batch);
        else restore_memos();
        return true;
    };
    auto row = [&](std::size_t k) { return where ? where(begin + k) : "event " + std::to_string(begin + k); };
    std::vector<std::size_t> given(group.size());
    for (std::size_t k = 0; k < given.size(); ++k) given[k] = k;
    std::optional<std::pair<std::size_t, error>> refused;
    if (attempt(given, true, &refused)) return true;
    const error &why = refused->second;
    // Only a refusal by the model can an order mend; a bad row stays bad.
    const bool mendable = why.code() == CLM_E_ILLEGAL_TRANSITION || why.code() == CLM_E_GUARD_FAILED;
    std::vector<std::size_t> others, moves;
    for (std::size_t k = 0; k < group.size(); ++k)
        (group[k].type == event_type::stage || group[k].type == event_type::event ? moves : others).push_back(k);
    if (!mendable) {
        if (skip_bad) return false;
        rethrow_with(why, row(refused->first));
    }
    std::string rows;
    for (std::size_t k = 0; k < group.size(); ++k) rows += (k ? ", " : "") + row(k);
    const std::string who = rows + ": customer '" + std::string(group.front().customer_id) + "': " + std::to_string(group.size()) +
                            " rows at " + format_timestamp(group.front().time);
    if (moves.size() > max_reordered_moves) {
        if (skip_bad) return false;
        rethrow_with(why, who + " are not reordered (" + std::to_string(moves.size()) + " moves, more than " +
                              std::to_string(max_reordered_moves) + "); in the order given, " + row(refused->first));
    }
    // Distinct orders of the moves: rows that say the same thing are interchangeable,
    // so permute their kinds (each the first row of its kind), not the rows.
    auto same = [&](std::size_t a, std::size_t b) {
        const event_view &x = group[a], &y = group[b];
        return x.type == y.type && x.value == y.value && x.model == y.model && x.reason == y.reason && x.note == y.note &&
               x.manager == y.manager && x.amount == y.amount && x.due == y.due && x.via == y.via && x.account == y.account;
    };
    std::vector<std::size_t> kind(group.size());
    std::vector<std::size_t> kinds;
    for (std::size_t k : moves) {
        kind[k] = k;
        for (std::size_t j : moves)
            if (j < k && same(j, k)) {
                kind[k] = j;
                break;
            }
        kinds.push_back(kind[k]);
    }
    std::sort(kinds.begin(), kinds.end());
    std::vector<std::size_t> legal, order;
    std::size_t found = 0;
    do {
        order = others;
        order.insert(order.end(), kinds.begin(), kinds.end());
        if (attempt(order, false, nullptr) && ++found == 1) legal = order;
    } while (found < 2 && std::next_permutation(kinds.begin(), kinds.end()));
    if (found == 1) {
        // Each kind stands for its rows: give them back in the order given.
        std::vector<bool> used(group.size(), false);
        for (std::size_t i = others.size(); i < legal.size(); ++i)
            for (std::size_t k : moves)
                if (!used[k] && kind[k] == legal[i]) {
                    legal[i] = k;
                    used[k] = true;
                    break;
                }
        if (!attempt(legal, true, &refused)) rethrow_with(refused->second, row(refused->first)); // it has just passed
        reordering r;
        for (std::size_t k : legal) r.order.push_back(begin + k);
        reordered.push_back(std::move(r));
        return true;
    }
    if (skip_bad) return false;
    rethrow_with(why, who + (found == 0 ? ": no order of them is legal in the model; in the order given, "
                                        : ": several orders of them are legal in the model, so which one happened is unknown "
                                          "(give them distinct times); in the order given, ") +
                          row(refused->first));
}

} // namespace clm
