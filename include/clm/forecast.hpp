/// @file forecast.hpp
/// Pipeline forecast as of a date: the stage rates of the absorbing Markov
/// chain over the model's stages and every open deal's probability of being
/// won by stage and days in stage (computed in deal_forecast.hpp), as JSON
/// and as text. Definitions (censoring, fallbacks, deal values):
/// docs/analytics.md.
#pragma once

#include <clm/deal_forecast.hpp>
#include <clm/report_format.hpp>

namespace clm {

/// A stage's forward check of its age pattern as JSON: null when it did not
/// run (the age test failed, or too few stays), else {"passed", "origins":
/// [{"since", "completed", "scored", "brier_age", "brier_stage", "passed"}]}.
inline nlohmann::ordered_json age_check_json(const stage_forecast &s) {
    using oj = nlohmann::ordered_json;
    if (s.age_check.empty()) return oj();
    oj origins = oj::array();
    bool all = true;
    for (const age_check_result &c : s.age_check) {
        all = all && c.passed;
        oj one;
        one["since"] = format_date(c.since_day * seconds_per_day);
        one["completed"] = c.completed;
        one["scored"] = c.scored;
        one["brier_age"] = c.scored ? oj(c.brier_age) : oj();
        one["brier_stage"] = c.scored ? oj(c.brier_stage) : oj();
        one["passed"] = c.passed;
        origins.push_back(std::move(one));
    }
    return {{"passed", all}, {"origins", std::move(origins)}};
}

/// The forecast as JSON: {"model", "as_of", "stages": [{"id", "source",
/// "completed_stays", "censored_stays", "next": {stage: probability}, "mean_days",
/// "p_win", "expected_days_to_win", "never_leave", "last_exit_days", "age_p_value",
/// "age_check", "open_customers", "expected_wins", "expected_revenue"}],
/// "pipeline": {"open_customers", "expected_wins", "expected_revenue",
/// "overall_mean_amount", "value_basis": {"amount_attribute", "product_mean",
/// "overall_mean", "none"}}}.
inline nlohmann::ordered_json forecast_to_json(const forecast_report &r) {
    using oj = nlohmann::ordered_json;
    auto opt = [](const std::optional<double> &v) { return v ? oj(*v) : oj(); };
    oj j;
    j["model"] = r.model;
    j["as_of"] = format_date(r.as_of);
    oj stages = oj::array();
    for (const auto &s : r.stages) {
        oj next = oj::object();
        for (const auto &[id, pr] : s.next) next[id] = pr;
        oj one;
        one["id"] = s.id;
        one["source"] = to_string(s.source);
        one["completed_stays"] = s.completed;
        one["censored_stays"] = s.censored;
        one["next"] = std::move(next);
        one["mean_days"] = opt(s.mean_days);
        one["p_win"] = s.p_win;
        one["expected_days_to_win"] = opt(s.expected_days_to_win);
        one["never_leave"] = opt(s.never_leave);
        one["last_exit_days"] = s.last_exit_days ? oj(*s.last_exit_days) : oj();
        one["age_p_value"] = opt(s.age_p_value);
        one["age_check"] = age_check_json(s);
        one["open_customers"] = s.open_customers;
        one["expected_wins"] = s.expected_wins;
        one["expected_revenue"] = s.expected_revenue;
        stages.push_back(std::move(one));
    }
    j["stages"] = std::move(stages);
    j["pipeline"] = {{"open_customers", r.open_customers},
                     {"expected_wins", r.expected_wins},
                     {"expected_revenue", r.expected_revenue},
                     {"overall_mean_amount", opt(r.overall_mean_amount)},
                     {"value_basis",
                      {{"amount_attribute", r.basis.amount_attribute},
                       {"product_mean", r.basis.product_mean},
                       {"overall_mean", r.basis.overall_mean},
                       {"none", r.basis.none}}}};
    return j;
}

/// The forecast as text for the clm command.
inline std::string forecast_to_text(const forecast_report &r) {
    std::string out = "forecast of " + r.model + " as of " + format_date(r.as_of) + "\n";
    char line[512];
    std::snprintf(line, sizeof line, "  %-24s %-18s %9s %8s %12s %6s %16s\n", "stage", "source", "completed", "p_win",
                  "days_to_win", "open", "expected_revenue");
    out += line;
    for (const auto &s : r.stages) {
        std::string pw = percent_text(s.p_win);
        std::string days = s.expected_days_to_win ? days_text(std::round(*s.expected_days_to_win * 10) / 10) : "-";
        std::snprintf(line, sizeof line, "  %-24s %-18s %9zu %8s %12s %6zu %16s\n", s.id.c_str(), to_string(s.source),
                      s.completed, pw.c_str(), days.c_str(), s.open_customers, money_text(s.expected_revenue).c_str());
        out += line;
    }
    for (const auto &s : r.stages) {
        if (s.next.empty()) continue;
        out += "  " + s.id + " ->";
        for (const auto &[id, pr] : s.next) out += " " + id + " " + percent_text(pr);
        out += "\n";
    }
    for (const auto &s : r.stages) {
        if (s.age_check.empty()) continue;
        bool all = true;
        for (const age_check_result &c : s.age_check) all = all && c.passed;
        out += "  " + s.id + ": where deals go depends on their age; checked on the deals open";
        for (std::size_t k = 0; k < s.age_check.size(); ++k) {
            const age_check_result &c = s.age_check[k];
            char buf[160];
            if (c.scored)
                std::snprintf(buf, sizeof buf, "%s %s (%zu closed since, Brier %.3f by age, %.3f by stage)", k ? ";" : "",
                              format_date(c.since_day * seconds_per_day).c_str(), c.scored, c.brier_age, c.brier_stage);
            else
                std::snprintf(buf, sizeof buf, "%s %s (none closed since)", k ? ";" : "", format_date(c.since_day * seconds_per_day).c_str());
            out += buf;
        }
        out += all ? ": scored by age\n" : ": not better every time, scored by the stage rate\n";
    }
    out += "open deals are scored by stage and days in stage (docs/analytics.md); p_win is a fresh entrant's rate\n";
    std::snprintf(line, sizeof line, "pipeline: %zu open customers, %.1f expected wins, expected revenue %s\n", r.open_customers,
                  r.expected_wins, money_text(r.expected_revenue).c_str());
    out += line;
    out += "deal values: " + std::to_string(r.basis.amount_attribute) + " from the amount attribute, " +
           std::to_string(r.basis.product_mean) + " from the product's mean purchase, " + std::to_string(r.basis.overall_mean) +
           " from the overall mean purchase, " + std::to_string(r.basis.none) + " unknown\n";
    return out;
}

/// The expected days to close of a deal as JSON: null when unknown.
inline nlohmann::ordered_json days_to_close_json(const deal_forecast &d) {
    return d.days_to_close >= 0 ? nlohmann::ordered_json(std::round(d.days_to_close * 10) / 10) : nlohmann::ordered_json();
}

/// The per-deal forecast as JSON: {"model", "as_of", "method": {"min_sample",
/// "prior_weight", "age_alpha", "age_check_days", "age_check_origins"}, "customers": [{"customer_id", "stage", "days_in_stage",
/// "p_won", "value", "expected_value", "expected_days_to_close", "basis"}]},
/// one entry per open customer in portfolio order.
inline nlohmann::ordered_json forecast_customers_to_json(const portfolio &p, const forecast_report &r,
                                                         const forecast_options &opt = {}) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["model"] = r.model;
    j["as_of"] = format_date(r.as_of);
    j["method"] = {{"min_sample", opt.min_sample},
                   {"prior_weight", opt.prior_weight},
                   {"age_alpha", opt.age_alpha},
                   {"age_check_days", opt.age_check_days},
                   {"age_check_origins", opt.age_check_origins}};
    oj list = oj::array();
    for (const deal_forecast &d : r.deals) {
        oj one;
        one["customer_id"] = p.customer_id(d.customer);
        one["stage"] = r.stages[d.stage].id;
        one["days_in_stage"] = d.days_in_stage;
        one["p_won"] = d.p_won;
        one["value"] = d.value;
        one["expected_value"] = d.p_won * d.value;
        one["expected_days_to_close"] = days_to_close_json(d);
        one["basis"] = to_string(d.basis);
        list.push_back(std::move(one));
    }
    j["customers"] = std::move(list);
    return j;
}

/// The per-deal forecast as text: one line per open customer, then the totals.
inline std::string forecast_customers_to_text(const portfolio &p, const forecast_report &r) {
    std::string out = "per-deal forecast of " + r.model + " as of " + format_date(r.as_of) + "\n";
    char line[512];
    std::snprintf(line, sizeof line, "  %-20s %-16s %6s %8s %12s %14s %8s  %s\n", "customer", "stage", "days", "p_won", "value",
                  "expected_value", "to_close", "basis");
    out += line;
    for (const deal_forecast &d : r.deals) {
        std::string days = d.days_to_close >= 0 ? days_text(std::round(d.days_to_close * 10) / 10) : "-";
        std::snprintf(line, sizeof line, "  %-20s %-16s %6lld %8s %12s %14s %8s  %s\n", p.customer_id(d.customer).c_str(),
                      r.stages[d.stage].id.c_str(), static_cast<long long>(d.days_in_stage), percent_text(d.p_won).c_str(),
                      money_text(d.value).c_str(), money_text(d.p_won * d.value).c_str(), days.c_str(), to_string(d.basis));
        out += line;
    }
    std::snprintf(line, sizeof line, "pipeline: %zu open customers, %.1f expected wins, expected revenue %s\n", r.open_customers,
                  r.expected_wins, money_text(r.expected_revenue).c_str());
    out += line;
    return out;
}

} // namespace clm
