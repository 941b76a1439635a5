/// @file customer_value.hpp
/// Customer value as of a date (BRIEF 1.3): Pareto (the smallest share of
/// customers that brings 80% of revenue), the share of buyers who came back
/// for a repeat purchase, and revenue by class and by current stage in each
/// model. Revenue is the sum of purchase amounts. Pareto and repeat purchases
/// count accounts when customers have them (account.hpp), customers
/// otherwise. Definitions: docs/analytics.md.
#pragma once

#include <clm/account.hpp>
#include <clm/report_format.hpp>
#include <clm/stays.hpp>

#include <map>

namespace clm {

/// The Pareto figure: how few units (customers or accounts, value_report::unit)
/// bring the threshold share of revenue.
struct pareto_result {
    double threshold = 0.8;               ///< The revenue share to reach (0.8 = 80%).
    std::size_t customers = 0;            ///< The fewest units whose revenue reaches it (largest first).
    std::optional<double> share_of_buyers;///< customers / units with revenue > 0.
    std::optional<double> share_of_all;   ///< customers / all units.
    double revenue = 0;                   ///< Revenue those customers bring.
    std::optional<double> revenue_share;  ///< revenue / total revenue.
};

/// Customers and revenue of one group (a class or a stage).
struct revenue_group {
    std::string key;                      ///< The class or stage id; "(none)" when there is none.
    std::size_t customers = 0;            ///< Customers in the group.
    double revenue = 0;                   ///< Their revenue.
};

/// Revenue by current stage in one model.
struct model_revenue {
    std::string model;                    ///< The model's id.
    std::vector<revenue_group> stages;    ///< One per stage in model order, then "(none)" (not in the model).
};

/// Customer value as of a date.
struct value_report {
    timestamp as_of = 0;                  ///< The date (every event on it counted).
    std::size_t customers = 0;            ///< Customers with at least one event by the date.
    std::string unit = "customer";        ///< What the Pareto and repeat figures count: "account" or "customer".
    std::size_t units = 0;                ///< Units (accounts, plus customers without one; or customers) among those customers.
    std::size_t accounts = 0;             ///< Of those units, the accounts (0 when the unit is "customer").
    std::size_t buyers = 0;               ///< Units with at least one purchase.
    std::size_t repeat_buyers = 0;        ///< Units with at least two purchases.
    std::optional<double> repeat_share;   ///< repeat_buyers / buyers.
    double revenue = 0;                   ///< Total revenue.
    pareto_result pareto;                 ///< The Pareto figure.
    std::vector<revenue_group> by_class;  ///< By class on the date, by class name ("(none)" for no class).
    std::vector<model_revenue> by_stage;  ///< By stage on the date, per model slot.
};

/// Customer value as of `as_of` (every event on that day counted); `threshold`
/// is the Pareto revenue share (default 0.8). Pareto and repeat purchases are
/// per account when at least one customer has an account by the date
/// (units_of(): a customer without one is a unit of its own), per customer
/// otherwise; revenue by class and by stage is always per customer.
inline value_report customer_value(const portfolio &p, timestamp as_of, double threshold = 0.8) {
    if (!(threshold > 0 && threshold <= 1)) throw invalid_argument("customer value: the Pareto threshold must be in (0, 1]");
    const timestamp t = end_of_day(as_of);
    value_report r;
    r.as_of = day_of(as_of) * seconds_per_day;
    r.pareto.threshold = threshold;
    const std::size_t models = p.model_count();
    std::vector<std::vector<revenue_group>> stage_groups(models);
    for (std::size_t m = 0; m < models; ++m) {
        const model &mdl = p.model_at(m);
        for (stage_index s = 0; s < mdl.stage_count(); ++s) stage_groups[m].push_back({mdl.stage_at(s).id, 0, 0});
        stage_groups[m].push_back({"(none)", 0, 0});
    }
    std::map<std::string, revenue_group> classes;
    const unit_map units = units_of(p, t);
    r.unit = units.name();
    r.accounts = units.accounts;
    std::vector<double> revenues(units.count, 0.0);
    std::vector<std::size_t> unit_purchases(units.count, 0);
    std::vector<char> unit_seen(units.count, 0);
    std::vector<std::uint32_t> events;
    std::vector<stage_index> stage(models);
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        if (events.empty() || p.journal()[events.front()].time > t) continue;
        ++r.customers;
        std::fill(stage.begin(), stage.end(), no_stage);
        string_id cls = 0;
        std::size_t purchases = 0;
        double revenue = 0;
        for (std::uint32_t e : events) {
            const journal_event &ev = p.journal()[e];
            if (ev.time > t) break;
            if (ev.type == event_type::stage) stage[ev.model] = stage_index(ev.value);
            else if (ev.type == event_type::class_change) cls = ev.value;
            else if (ev.type == event_type::purchase) {
                ++purchases;
                if (const event_detail *d = p.detail_of(ev); d && d->has_amount) revenue += d->amount;
            }
        }
        const std::uint32_t u = units.of[c];
        unit_seen[u] = 1;
        unit_purchases[u] += purchases;
        revenues[u] += revenue;
        r.revenue += revenue;
        std::string key = cls == 0 ? std::string("(none)") : p.text(cls);
        revenue_group &g = classes[key];
        g.key = key;
        ++g.customers;
        g.revenue += revenue;
        for (std::size_t m = 0; m < models; ++m) {
            revenue_group &sg = stage[m] == no_stage ? stage_groups[m].back() : stage_groups[m][stage[m]];
            ++sg.customers;
            sg.revenue += revenue;
        }
    }
    for (std::size_t u = 0; u < units.count; ++u) {
        r.units += unit_seen[u];
        r.buyers += unit_purchases[u] >= 1;
        r.repeat_buyers += unit_purchases[u] >= 2;
    }
    if (r.buyers) r.repeat_share = double(r.repeat_buyers) / double(r.buyers);
    std::sort(revenues.begin(), revenues.end(), std::greater<double>());
    std::size_t paying = 0;
    for (double v : revenues) paying += v > 0;
    if (r.revenue > 0) {
        double goal = threshold * r.revenue, covered = 0;
        std::size_t k = 0;
        while (k < revenues.size() && covered < goal * (1 - 1e-12)) covered += revenues[k++];
        r.pareto.customers = k;
        r.pareto.revenue = covered;
        r.pareto.revenue_share = covered / r.revenue;
        if (paying) r.pareto.share_of_buyers = double(k) / double(paying);
        r.pareto.share_of_all = double(k) / double(r.units);
    }
    for (auto &[key, g] : classes) r.by_class.push_back(g);
    for (std::size_t m = 0; m < models; ++m) r.by_stage.push_back({p.model_at(m).id(), std::move(stage_groups[m])});
    return r;
}

/// Customer value as JSON: {"as_of", "customers", "revenue", "pareto": {"threshold",
/// "customers", "share_of_buyers", "share_of_all", "revenue", "revenue_share"},
/// "repeat": {"buyers", "repeat_buyers", "share"}, "by_class": [{"class", "customers",
/// "revenue"}], "by_stage": [{"model", "stages": [{"stage", "customers", "revenue"}]}],
/// "unit", "units"}: "pareto" and "repeat" count units ("unit": "account" or
/// "customer"; "units" of them), the rest counts customers.
inline nlohmann::ordered_json customer_value_to_json(const value_report &r) {
    using oj = nlohmann::ordered_json;
    auto opt = [](const std::optional<double> &v) { return v ? oj(*v) : oj(); };
    oj j;
    j["as_of"] = format_date(r.as_of);
    j["customers"] = r.customers;
    j["revenue"] = number_or_null(r.revenue);
    j["pareto"] = {{"threshold", r.pareto.threshold},
                   {"customers", r.pareto.customers},
                   {"share_of_buyers", opt(r.pareto.share_of_buyers)},
                   {"share_of_all", opt(r.pareto.share_of_all)},
                   {"revenue", number_or_null(r.pareto.revenue)},
                   {"revenue_share", opt(r.pareto.revenue_share)}};
    j["repeat"] = {{"buyers", r.buyers}, {"repeat_buyers", r.repeat_buyers}, {"share", opt(r.repeat_share)}};
    oj classes = oj::array();
    for (const auto &g : r.by_class)
        classes.push_back({{"class", g.key}, {"customers", g.customers}, {"revenue", number_or_null(g.revenue)}});
    j["by_class"] = std::move(classes);
    oj models = oj::array();
    for (const auto &m : r.by_stage) {
        oj stages = oj::array();
        for (const auto &g : m.stages)
            stages.push_back({{"stage", g.key}, {"customers", g.customers}, {"revenue", number_or_null(g.revenue)}});
        models.push_back({{"model", m.model}, {"stages", std::move(stages)}});
    }
    j["by_stage"] = std::move(models);
    j["unit"] = r.unit;
    j["units"] = r.units;
    return j;
}

/// Customer value as text for the clm command.
inline std::string customer_value_to_text(const value_report &r) {
    std::string out = "customer value as of " + format_date(r.as_of) + ": " + std::to_string(r.customers) +
                      " customers, revenue " + money_text(r.revenue) + "\n";
    char th[16];
    std::snprintf(th, sizeof th, "%.0f%%", r.pareto.threshold * 100);
    const std::string units = r.unit == "account" ? "accounts" : "customers";
    if (r.unit == "account")
        out += "per account: " + std::to_string(r.accounts) + " accounts and " + std::to_string(r.units - r.accounts) +
               " customers without one, " + std::to_string(r.units) + " units\n";
    out += "pareto: " + std::to_string(r.pareto.customers) + " " + units + " (" + percent_text(r.pareto.share_of_buyers) +
           " of buying " + units + ", " + percent_text(r.pareto.share_of_all) + " of all " +
           (r.unit == "account" ? "units" : "customers") + ") bring " + money_text(r.pareto.revenue) +
           " (" + percent_text(r.pareto.revenue_share) + " of revenue; target " + th + ")\n";
    out += "repeat purchase: " + std::to_string(r.repeat_buyers) + " of " + std::to_string(r.buyers) + " buying " + units +
           " (" + percent_text(r.repeat_share) + ")\n";
    char line[256];
    out += "revenue by class:\n";
    for (const auto &g : r.by_class) {
        std::snprintf(line, sizeof line, "  %-24s %9zu customers %16s\n", g.key.c_str(), g.customers, money_text(g.revenue).c_str());
        out += line;
    }
    for (const auto &m : r.by_stage) {
        out += "revenue by stage in " + m.model + ":\n";
        for (const auto &g : m.stages) {
            std::snprintf(line, sizeof line, "  %-24s %9zu customers %16s\n", g.key.c_str(), g.customers,
                          money_text(g.revenue).c_str());
            out += line;
        }
    }
    return out;
}

} // namespace clm
