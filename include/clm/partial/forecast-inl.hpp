/// @file partial/forecast-inl.hpp
/// The forecast's two partials (partial/partials.hpp). Phase 1,
/// "forecast-fit": every stay of every stage (length, next stage, day left,
/// as counts) and every purchase amount (exact sums, overall and per
/// product), which are all the stage rates and survival fits of
/// deal_forecast.hpp depend on. Phase 2, "forecast": each part scores its
/// open deals with the fit of the merged phase 1 and sums them exactly.
#pragma once

#include <clm/forecast.hpp>
#include <clm/partial/json_fields.hpp>

#include <map>
#include <tuple>

namespace clm::detail::partial {

using partial_json::oj;
using namespace partial_json;

// ---- phase 1: forecast-fit ----------------------------------------------

inline void forecast_fit_make(const portfolio &p, std::size_t slot, timestamp as_of, oj &j) {
    detail::pipeline_scan scan;
    detail::scan_pipeline(p, slot, end_of_day(as_of), scan);
    oj stages = oj::array();
    for (const stage_stays &ss : scan.stays) {
        std::map<std::pair<std::uint64_t, std::int64_t>, std::uint64_t> exits;
        for (const auto &e : ss.exits_view()) ++exits[e];
        day_histogram open;
        for (std::int64_t age : ss.open_view()) open.add(age);
        oj ex = oj::array();
        for (const auto &[k, c] : exits) ex.push_back(oj::array({std::int64_t(k.first >> 16), k.first & 0xFFFF, k.second, c}));
        stages.push_back({{"exits", std::move(ex)}, {"open", histogram_json(open)}});
    }
    j["stage_stays"] = std::move(stages);
    j["amounts"] = {{"sum", sum_json(scan.amount_sum)}, {"count", scan.amount_count}};
    std::map<std::string, const std::pair<exact_sum, std::size_t> *> products; // by text: ids differ between parts
    for (const auto &[id, pr] : scan.by_product) products[p.text(id)] = &pr;
    oj list = oj::array();
    for (const auto &[name, pr] : products) list.push_back(oj::array({name, sum_json(pr->first), pr->second}));
    j["products"] = std::move(list);
}

// The exits of one stage as a map ((days << 16 | next), day left) -> count.
using exit_counts = std::map<std::pair<std::uint64_t, std::int64_t>, std::uint64_t>;

inline void exits_from(const oj &j, std::size_t stages, exit_counts &out) {
    for (const auto &e : array(j, "exits")) {
        array(e, "exit", 4);
        const std::int64_t days = whole(e[0], "exit days");
        const std::uint64_t next = count(e[1], "exit next stage");
        if (days < 0 || days > (std::int64_t(1) << 46)) bad("exit days out of range");
        if (next >= stages) bad("exit next stage out of range");
        auto &c = out[{(std::uint64_t(days) << 16) | next, whole(e[2], "exit day left")}];
        c = add_count(c, count(e[3], "exit count"), "exit count");
    }
}

inline oj exits_json(const exit_counts &exits) {
    oj ex = oj::array();
    for (const auto &[k, c] : exits) ex.push_back(oj::array({std::int64_t(k.first >> 16), k.first & 0xFFFF, k.second, c}));
    return ex;
}

// Products as name -> (sum, count).
using product_sums = std::map<std::string, std::pair<exact_sum, std::uint64_t>>;

inline void products_from(const oj &j, product_sums &out) {
    for (const auto &e : array(j, "products")) {
        array(e, "product", 3);
        auto &pr = out[text(e[0], "product name")];
        pr.first.merge(sum_from(e[1], "product sum"));
        pr.second = add_count(pr.second, count(e[2], "product count"), "product count");
    }
}

inline void forecast_fit_merge(const oj &a, const oj &b, std::size_t n, oj &out) {
    const oj &sa = array(member(a, "stage_stays"), "stage_stays", n), &sb = array(member(b, "stage_stays"), "stage_stays", n);
    oj stages = oj::array();
    for (std::size_t s = 0; s < n; ++s) {
        exit_counts exits;
        exits_from(member(sa[s], "exits"), n, exits);
        exits_from(member(sb[s], "exits"), n, exits);
        day_histogram open = histogram_from(member(sa[s], "open"), "open");
        open.merge(histogram_from(member(sb[s], "open"), "open"));
        stages.push_back({{"exits", exits_json(exits)}, {"open", histogram_json(open)}});
    }
    out["stage_stays"] = std::move(stages);
    exact_sum sum = sum_from(member(member(a, "amounts"), "sum"), "amounts sum");
    sum.merge(sum_from(member(member(b, "amounts"), "sum"), "amounts sum"));
    out["amounts"] = {{"sum", sum_json(sum)}, {"count", add_counts(member(a, "amounts"), member(b, "amounts"), "count")}};
    product_sums products;
    products_from(member(a, "products"), products);
    products_from(member(b, "products"), products);
    oj list = oj::array();
    for (const auto &[name, pr] : products) list.push_back(oj::array({name, sum_json(pr.first), pr.second}));
    out["products"] = std::move(list);
}

// What a merged forecast-fit partial gives: the fit, the mean purchase
// overall and per product.
struct fitted_forecast {
    forecast_fit fit;
    std::optional<double> overall_mean;
    std::map<std::string, double> product_mean;
};

inline fitted_forecast fitted_from(const model &m, const oj &j, timestamp as_of) {
    const std::size_t n = m.stage_count();
    const oj &stages = array(member(j, "stage_stays"), "stage_stays", n);
    std::vector<stage_stays> stays(n);
    // The fit takes each stay one by one: the counts are checked against the
    // limit before any is spread out, so a short text cannot ask for any memory.
    std::uint64_t counted = 0;
    const auto expand = [&](std::uint64_t c) {
        counted = add_count(counted, c, "stays");
        if (counted > max_partial_stays())
            bad("the fit counts more than " + std::to_string(max_partial_stays()) +
                " stays, the limit (set CLM_MAX_PARTIAL_STAYS to change it)");
    };
    std::vector<exit_counts> exits(n);
    std::vector<day_histogram> open(n);
    for (std::size_t s = 0; s < n; ++s) {
        exits_from(member(stages[s], "exits"), n, exits[s]);
        for (const auto &kc : exits[s]) expand(kc.second);
        open[s] = histogram_from(member(stages[s], "open"), "open");
        expand(open[s].size());
    }
    for (std::size_t s = 0; s < n; ++s) {
        for (const auto &[k, c] : exits[s])
            for (std::uint64_t i = 0; i < c; ++i) stays[s].add_exit(std::int64_t(k.first >> 16), stage_index(k.first & 0xFFFF), k.second);
        for (const auto &[age, c] : open[s].counts())
            for (std::uint64_t i = 0; i < c; ++i) stays[s].add_open(age);
    }
    fitted_forecast out;
    out.fit = fit_forecast(m, stays, as_of);
    const oj &amounts = member(j, "amounts");
    const std::uint64_t k = count(member(amounts, "count"), "amounts count");
    if (k) out.overall_mean = sum_from(member(amounts, "sum"), "amounts sum").value() / double(k);
    product_sums products;
    products_from(member(j, "products"), products);
    for (const auto &[name, pr] : products)
        if (pr.second) out.product_mean[name] = pr.first.value() / double(pr.second);
    return out;
}

// ---- phase 2: forecast ----------------------------------------------------

inline oj forecast_sums_json(const forecast_sums &s) {
    oj wins = oj::array(), revenue = oj::array();
    for (std::size_t i = 0; i < s.open.size(); ++i) {
        wins.push_back(sum_json(s.wins[i]));
        revenue.push_back(sum_json(s.revenue[i]));
    }
    return {{"open", s.open},
            {"wins", std::move(wins)},
            {"revenue", std::move(revenue)},
            {"basis", oj::array({s.basis.amount_attribute, s.basis.product_mean, s.basis.overall_mean, s.basis.none})}};
}

inline forecast_sums forecast_sums_from(const oj &j, std::size_t n) {
    forecast_sums s(n);
    const oj &open = array(member(j, "open"), "open", n), &wins = array(member(j, "wins"), "wins", n),
             &revenue = array(member(j, "revenue"), "revenue", n), &basis = array(member(j, "basis"), "basis", 4);
    for (std::size_t i = 0; i < n; ++i) {
        s.open[i] = count(open[i], "open");
        s.wins[i] = sum_from(wins[i], "wins");
        s.revenue[i] = sum_from(revenue[i], "revenue");
    }
    s.basis.amount_attribute = count(basis[0], "basis");
    s.basis.product_mean = count(basis[1], "basis");
    s.basis.overall_mean = count(basis[2], "basis");
    s.basis.none = count(basis[3], "basis");
    return s;
}

inline void forecast_make(const portfolio &p, std::size_t slot, timestamp as_of, const oj &fit, oj &j) {
    const model &mdl = p.model_at(slot);
    const fitted_forecast ff = fitted_from(mdl, fit, as_of);
    detail::pipeline_scan scan;
    detail::scan_pipeline(p, slot, end_of_day(as_of), scan);
    forecast_sums sums(mdl.stage_count());
    for (std::size_t i = 0; i < scan.open.size(); ++i) {
        deal_forecast &d = scan.open[i];
        std::optional<double> product_mean;
        if (scan.product[i])
            if (auto it = ff.product_mean.find(p.text(scan.product[i])); it != ff.product_mean.end()) product_mean = it->second;
        value_deal(d, product_mean, ff.overall_mean, sums.basis);
        score_deal(ff.fit, mdl, d);
        sums.add(d);
    }
    j["fit"] = fit;
    j["sums"] = forecast_sums_json(sums);
}

inline void forecast_merge(const oj &a, const oj &b, std::size_t n, oj &out) {
    if (member(a, "fit") != member(b, "fit")) bad("forecast partials scored with different fits (merge the forecast-fit partials of every part first)");
    out["fit"] = a["fit"];
    forecast_sums s = forecast_sums_from(member(a, "sums"), n);
    s.merge(forecast_sums_from(member(b, "sums"), n)); // counts of at most 10^12 each: no overflow
    for (std::size_t i = 0; i < n; ++i) add_count(s.open[i], 0, "open");
    for (std::uint64_t c : {s.basis.amount_attribute, s.basis.product_mean, s.basis.overall_mean, s.basis.none}) add_count(c, 0, "basis");
    out["sums"] = forecast_sums_json(s);
}

// The report forecast() gives for the whole portfolio (without its list of deals).
inline forecast_report forecast_finish(const model &m, const oj &j, timestamp as_of, bool with_sums) {
    const fitted_forecast ff = fitted_from(m, with_sums ? member(j, "fit") : j, as_of);
    forecast_report r = ff.fit.report;
    r.overall_mean_amount = ff.overall_mean;
    if (with_sums) forecast_sums_from(member(j, "sums"), m.stage_count()).write(r);
    return r;
}

} // namespace clm::detail::partial
