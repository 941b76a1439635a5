/// @file report/sections.hpp
/// The sections of the report's page, one function each, in page order:
/// head, header and key figures, lifecycle, funnel, time in stage, dynamics,
/// plan against actual, forecast, customer value, recommendations, footer.
/// Each reads its figures from report_data()'s JSON (page_parts). Internal.
#pragma once

#include <clm/plan_actual.hpp>
#include <clm/report/calibration.hpp>
#include <clm/report/charts.hpp>
#include <clm/report/diagram_render.hpp>
#include <clm/report/html_text.hpp>
#include <clm/report/style_data.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clm::detail::report_html {

/// The page's style sheet: include/clm/report/style.css, embedded by the build.
inline const char *style_sheet() { return report_style_sheet; }

/// What every section reads: the parts of report_data()'s document and the stages by id.
struct page_parts {
    /// Splits `document` (kept by reference: it must outlive the parts) into its parts.
    explicit page_parts(const oj &document)
        : data(document), rep(at(document, "report")), model(at(document, "model")), fun(at(document, "funnel")),
          losses(at(document, "loss_reasons")), tis(at(document, "time_in_stage")), dyn(at(document, "dynamics")),
          plan(at(document, "plan_actual")), val(at(document, "value")), fc(at(document, "forecast")), bt(at(document, "backtest")),
          recs(at(document, "recommendations")), sm(stage_map(model)), title(str(rep, "title")), model_id(str(rep, "model")),
          as_of(str(rep, "as_of")) {}
    const oj &data, &rep, &model, &fun, &losses, &tis, &dyn, &plan, &val, &fc, &bt, &recs;
    std::map<std::string, stage_info> sm;
    std::string title, model_id, as_of;
};

/// The document head: meta data, title and the style sheet.
inline std::string page_head(const page_parts &pp) {
    const oj &rep = pp.rep;
    const std::string &title = pp.title;
    const std::string &as_of = pp.as_of;
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
         "<meta name=\"generator\" content=\"" + esc(str(rep, "generator")) + "\">\n"
         "<title>" + esc(title + " \xE2\x80\x94 lifecycle report as of " + as_of) + "</title>\n<style>" + style_sheet() +
         "</style>\n</head>\n<body>\n<div class=\"page\">\n";
    return h;
}

/// The page header (title, model, dates, contents) and the key-figure tiles.
inline std::string page_top(const page_parts &pp) {
    const oj &rep = pp.rep;
    const oj &model = pp.model;
    const oj &fun = pp.fun;
    const oj &plan = pp.plan;
    const oj &val = pp.val;
    const oj &fc = pp.fc;
    const oj &recs = pp.recs;
    const std::string &model_id = pp.model_id;
    const std::string &title = pp.title;
    const std::string &as_of = pp.as_of;
    std::string h;
    h += "<header class=\"top\"" + detail::report_html::data("model", model_id) + detail::report_html::data("as-of", as_of) +
         "><div class=\"eyebrow\">Customer lifecycle report</div><h1>" + esc(title) + "</h1>";
    h += "<p class=\"meta\">Model <b>" + esc(model_id) + "</b> v" + esc(raw(at(model, "version"))) + " &middot; as of <b>" +
         esc(as_of) + "</b> &middot; dynamics since " + esc(str(rep, "from")) + " &middot; " + esc(str(rep, "generator")) +
         "</p>";
    h += "<nav class=\"toc\"><a href=\"#lifecycle\">Lifecycle</a><a href=\"#funnel\">Funnel</a><a href=\"#time\">Time in "
         "stage</a><a href=\"#dynamics\">Dynamics</a>";
    if (!plan.is_null()) h += "<a href=\"#plan\">Plan vs actual</a>";
    h += "<a href=\"#forecast\">Forecast</a><a href=\"#value\">Customer value</a>";
    if (!recs.is_null()) h += "<a href=\"#recommendations\">Recommendations</a>";
    h += "</nav></header>\n";
    const oj &won = at(fun, "won"), &lost = at(fun, "lost");
    oj win_rate; // won / (won + lost), from the funnel JSON
    if (num(won) + num(lost) > 0) win_rate = num(won) / (num(won) + num(lost));
    const oj &pipe = at(fc, "pipeline");
    h += "<div class=\"tiles\">" + tile("customers", at(fun, "customers"), count(at(fun, "customers")), "customers in the model") +
         tile("won", won, count(won), "won") + tile("lost", lost, count(lost), "lost") +
         tile("win-rate", win_rate, pct(win_rate), "win rate of closed (won / (won + lost))") +
         tile("open-pipeline", at(pipe, "open_customers"), count(at(pipe, "open_customers")), "open customers") +
         tile("expected-revenue", at(pipe, "expected_revenue"), money(at(pipe, "expected_revenue")),
              "expected pipeline revenue") +
         tile("revenue", at(val, "revenue"), money(at(val, "revenue")), "revenue to date") + "</div>\n";
    return h;
}

/// The lifecycle diagram and its legend.
inline std::string lifecycle_section(const page_parts &pp) {
    const oj &model = pp.model;
    const oj &fun = pp.fun;
    const std::string &model_id = pp.model_id;
    std::string h;
    h += "<section id=\"lifecycle\"><h2>Lifecycle model</h2><p class=\"lead\">The stages of <b>" + esc(model_id) +
         "</b>: the main path from left to right, detours, pauses and exits below it.</p>";
    h += diagram_svg(model, fun) + diagram_legend(model) + "</section>\n";
    return h;
}

/// The funnel, conversion along the main path, losses by stage and reason.
inline std::string funnel_section(const page_parts &pp) {
    const oj &fun = pp.fun;
    const oj &losses = pp.losses;
    const auto &sm = pp.sm;
    const std::string &as_of = pp.as_of;
    std::string h;
    h += "<section id=\"funnel\"><h2>Funnel</h2><p class=\"lead\">Per stage as of " + esc(as_of) +
         ": customers who ever <b>entered</b> it, customers in it <b>now</b>, and moves from it into a lost stage.</p>";
    h += "<div class=\"legend\">" + swatch("#93c5fd", "entered") + swatch("#2563eb", "current") +
         swatch("#ef4444", "lost from the stage") + "</div>";
    h += funnel_svg(fun, sm);
    std::string conv = conversion_svg(fun, sm);
    if (!conv.empty())
        h += "<h3>Conversion along the main path</h3><p class=\"note\">Share of the customers who entered a stage that later "
             "entered the next one.</p>" + conv;
    {
        // Losses as a table: a row per stage with losses, a column per reason (most frequent first).
        std::map<std::string, double> by_reason;
        for (const auto &s : at(losses, "stages"))
            for (auto it = at(s, "reasons").begin(); it != at(s, "reasons").end(); ++it) by_reason[it.key()] += num(it.value());
        std::vector<std::pair<std::string, double>> reasons(by_reason.begin(), by_reason.end());
        std::stable_sort(reasons.begin(), reasons.end(), [](const auto &x, const auto &y) { return x.second > y.second; });
        std::string rows;
        for (const auto &s : at(losses, "stages")) {
            if (num(at(s, "lost_from")) <= 0) continue;
            rows += "<tr>" + td(stage_name(sm, str(s, "id"))) +
                    td_num(count(at(s, "lost_from")), detail::report_html::data("stage", str(s, "id")) +
                                                          detail::report_html::data("lost-from", at(s, "lost_from")),
                           "total");
            for (const auto &[reason, total] : reasons) {
                const oj &v = at(at(s, "reasons"), reason.c_str());
                rows += v.is_number() ? td_num(count(v),
                                               detail::report_html::data("stage", str(s, "id")) +
                                                   detail::report_html::data("reason", reason) + detail::report_html::data("count", v),
                                               "loss")
                                      : std::string("<td class=\"n zero\">\xC2\xB7</td>");
            }
            rows += "</tr>";
        }
        h += "<h3>Losses by stage and reason</h3>";
        if (rows.empty()) {
            h += "<p class=\"note\">No customer was lost.</p>";
        } else {
            std::string head = "<tr><th>stage</th><th class=\"n\">lost</th>";
            for (const auto &r : reasons) head += "<th class=\"n reason-h\">" + esc(r.first) + "</th>";
            h += "<div class=\"table-wrap\"><table class=\"compact losses\"><thead>" + head + "</tr></thead><tbody>" + rows +
                 "</tbody></table></div>";
        }
        if (num(at(losses, "lost_at_entry")) > 0)
            h += "<p class=\"note\">" + count(at(losses, "lost_at_entry")) +
                 " customers were lost at entry (their first stage was a lost one).</p>";
    }
    h += "</section>\n";
    return h;
}

/// Time in stage, the lifecycle to won, the stuck customers.
inline std::string time_section(const page_parts &pp) {
    const oj &tis = pp.tis;
    const auto &sm = pp.sm;
    std::string h;
    h += "<section id=\"time\"><h2>Time in stage</h2><p class=\"lead\">Length of completed stays in whole days; "
         "customers in the stage now (open stays), their mean age, the stage's time limit and the customers over it "
         "(stuck).</p>";
    h += "<div class=\"legend\">" + swatch("#0f766e", "median") + swatch("#2dd4bf", "mean") +
         swatch("#99f6e4", "90th percentile") + "<span><i class=\"sw dash\"></i>time limit</span></div>";
    h += time_svg(tis, sm);
    {
        const oj &tw = at(tis, "to_won");
        h += "<p class=\"towon\"" + detail::report_html::data("customers", at(tw, "customers")) +
             detail::report_html::data("mean-days", at(tw, "mean_days")) +
             detail::report_html::data("median-days", at(tw, "median_days")) + "><b>Lifecycle to won:</b> " +
             count(at(tw, "customers")) + " customers reached a won stage, mean " + days(at(tw, "mean_days")) +
             " days, median " + days(at(tw, "median_days")) + " days from their first stage.</p>";
        std::string rows;
        for (const auto &s : at(tis, "stages")) {
            const oj &stuck = at(s, "stuck");
            if (!stuck.is_array() || stuck.empty()) continue;
            std::string list;
            for (std::size_t i = 0; i < stuck.size() && i < 8; ++i)
                list += (i ? ", " : "") + esc(str(stuck[i], "customer_id")) + " <span class=\"muted\">(" +
                        count(at(stuck[i], "days")) + " d)</span>";
            if (stuck.size() > 8) list += " and " + fixed(double(stuck.size() - 8), 0) + " more";
            rows += "<tr>" + td(stage_name(sm, str(s, "id"))) + td_num(count(oj(stuck.size()))) +
                    td_num(count(at(s, "time_limit_days")) + " d") + "<td>" + list + "</td></tr>";
        }
        if (!rows.empty())
            h += "<h3>Stuck customers, longest first</h3><div class=\"table-wrap\"><table><thead><tr><th>stage</th><th "
                 "class=\"n\">stuck</th><th class=\"n\">limit</th><th>customers (days in the stage)</th></tr></thead><tbody>" +
                 rows + "</tbody></table></div>";
    }
    h += "</section>\n";
    return h;
}

/// Dynamics: progress, the transition matrix, managers, rotation suggestions.
inline std::string dynamics_section(const page_parts &pp) {
    const oj &dyn = pp.dyn;
    const auto &sm = pp.sm;
    std::string h;
    const oj &tot = at(dyn, "totals");
    h += "<section id=\"dynamics\"><h2>Dynamics " + esc(str(dyn, "from")) + " \xE2\x86\x92 " + esc(str(dyn, "to")) +
         "</h2><p class=\"lead\">Every customer in the model on " + esc(str(dyn, "to")) +
         ", by their stage on both dates: promoted or regressed by the stage's progress rank, <b>new</b> when not yet in "
         "the model on " + esc(str(dyn, "from")) + ", <b>left</b> when now in a lost or terminal stage.</p>";
    h += progress_svg(tot);
    h += "<h3>Transitions</h3><p class=\"note\">Rows: stage on " + esc(str(dyn, "from")) + "; columns: stage on " +
         esc(str(dyn, "to")) + "; outlined cells: same stage on both dates.</p>";
    h += matrix_svg(dyn, sm);
    h += "<div class=\"legend\"><span>fewer<i class=\"grad\"></i>more customers</span></div>";
    std::string rows;
    for (const auto &m : at(dyn, "managers")) {
        rows += "<tr class=\"manager\"" + detail::report_html::data("manager", str(m, "manager")) + ">" +
                td(str(m, "manager"));
        double total = 0, x = 0;
        for (const char *k : {"promoted", "regressed", "unchanged", "new", "left"}) {
            rows += td_num(count(at(m, k)), detail::report_html::data(k, at(m, k)));
            total += num(at(m, k));
        }
        std::string mix = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"180\" height=\"12\" viewBox=\"0 0 180 12\" "
                          "aria-hidden=\"true\">" + rect(0, 1, 180, 10, "#f1f5f9", " rx=\"2\"");
        const char *fills[] = {"#16a34a", "#f59e0b", "#94a3b8", "#3b82f6", "#dc2626"};
        int f = 0;
        for (const char *k : {"promoted", "regressed", "unchanged", "new", "left"}) {
            double w = total > 0 ? 180 * num(at(m, k)) / total : 0;
            mix += rect(x, 1, w, 10, fills[f++]);
            x += w;
        }
        rows += "<td class=\"mix\">" + mix + "</svg></td></tr>";
    }
    if (!rows.empty())
        h += "<h3>By manager</h3><div class=\"legend\">" + swatch("#16a34a", "promoted") + swatch("#f59e0b", "regressed") +
             swatch("#94a3b8", "unchanged") + swatch("#3b82f6", "new") + swatch("#dc2626", "left") +
             "</div><div class=\"table-wrap\"><table class=\"compact\"><thead><tr><th>manager on " + esc(str(dyn, "to")) +
             "</th><th class=\"n\">promoted</th><th class=\"n\">regressed</th><th class=\"n\">unchanged</th><th "
             "class=\"n\">new</th><th class=\"n\">left</th><th>mix</th></tr></thead><tbody>" + rows + "</tbody></table></div>";
    const oj &rot = at(dyn, "rotation");
    std::size_t nrot = rot.is_array() ? rot.size() : 0;
    h += "<h3>Rotation suggestions</h3><p class=\"note\"" + detail::report_html::data("rotation", oj(nrot)) + ">" +
         fixed(double(nrot), 0) +
         " stuck customers could go to a manager who converts their stage better and has fewer open customers" +
         (nrot > 10 ? std::string("; the 10 longest stuck:") : nrot ? std::string(":") : std::string(".")) + "</p>";
    if (nrot) {
        std::string rrows;
        for (std::size_t i = 0; i < nrot && i < 10; ++i) {
            const oj &r = rot[i];
            rrows += "<tr>" + td(str(r, "customer_id")) + td(stage_name(sm, str(r, "stage"))) +
                     td_num(count(at(r, "days_in_stage"))) + td(str(r, "manager") + " \xE2\x86\x92 " + str(r, "to_manager")) +
                     td(str(r, "reason"), " class=\"reason\"") + "</tr>";
        }
        h += "<div class=\"table-wrap\"><table><thead><tr><th>customer</th><th>stage</th><th class=\"n\">days</th><th>"
             "hand over</th><th>why</th></tr></thead><tbody>" + rrows + "</tbody></table></div>";
    }
    h += "</section>\n";
    return h;
}

/// Plan against actual per manager and indicator (only with a plan).
inline std::string plan_section(const page_parts &pp) {
    const oj &plan = pp.plan;
    std::string h;
    const auto &names = plan_indicator_names();
    h += "<section id=\"plan\"><h2>Plan vs actual " + esc(str(plan, "from")) + " \xE2\x80\x93 " + esc(str(plan, "to")) +
         "</h2><p class=\"lead\">Per manager and indicator: plan, actual and deviation (actual \xE2\x88\x92 plan) / plan; "
         "flagged in red when the deviation exceeds " + pct(at(plan, "threshold"), 0) + ".</p>";
    std::string head1 = "<tr><th rowspan=\"2\">manager</th>", head2 = "<tr>";
    for (const char *n : names) {
        std::string label = n;
        std::replace(label.begin(), label.end(), '_', ' ');
        head1 += "<th class=\"grp\" colspan=\"3\">" + esc(label) + "</th>";
        head2 += "<th class=\"n first\">plan</th><th class=\"n\">actual</th><th class=\"n\">dev.</th>";
    }
    std::string planned_rows, other_rows;
    std::size_t flagged = 0, others = 0;
    for (const auto &m : at(plan, "managers")) {
        bool planned = at(m, "planned").is_boolean() && at(m, "planned").get<bool>();
        others += !planned;
        std::string &rows = planned ? planned_rows : other_rows;
        rows += std::string("<tr") + (planned ? "" : " class=\"unplanned\"") + ">" + td(str(m, "manager"));
        for (const char *n : names) {
            const oj &ind = at(at(m, "indicators"), n);
            bool flag = at(ind, "flagged").is_boolean() && at(ind, "flagged").get<bool>();
            flagged += flag;
            std::string attrs = detail::report_html::data("manager", str(m, "manager")) +
                                detail::report_html::data("indicator", n) +
                                detail::report_html::data("plan", at(ind, "plan")) +
                                detail::report_html::data("actual", at(ind, "actual")) +
                                detail::report_html::data("deviation", at(ind, "deviation")) +
                                detail::report_html::data("flagged", at(ind, "flagged"));
            std::string dev = at(ind, "deviation").is_number()
                                  ? (num(at(ind, "deviation")) > 0 ? "+" : "") + pct(at(ind, "deviation"), 1)
                                  : std::string("\xE2\x80\x93");
            rows += td_num(count(at(ind, "plan")), "", "first") + td_num(count(at(ind, "actual"))) +
                    td_num(dev + (flag ? " \xE2\x9A\x91" : ""), attrs,
                           flag ? "pa flag" : at(ind, "deviation").is_number() ? "pa ok" : "pa");
        }
        rows += "</tr>";
    }
    std::string thead = "<thead>" + head1 + "</tr>" + head2 + "</tr></thead>";
    h += "<p class=\"note\"" + detail::report_html::data("flagged", oj(flagged)) + ">" + fixed(double(flagged), 0) +
         " indicator(s) flagged.</p>";
    if (!planned_rows.empty())
        h += "<div class=\"table-wrap\"><table class=\"plan\">" + thead + "<tbody>" + planned_rows + "</tbody></table></div>";
    if (others)
        h += "<details><summary>" + fixed(double(others), 0) +
             " manager(s) with actuals but no plan</summary><div class=\"table-wrap\"><table class=\"plan\">" + thead +
             "<tbody>" + other_rows + "</tbody></table></div></details>";
    h += "</section>\n";
    return h;
}

/// The backtest of the forecast over the report's period: its figures and the calibration chart.
inline std::string backtest_part(const oj &bt) {
    auto figure = [](const oj &v) { return v.is_number() ? fixed(num(v), 3) : std::string("\xE2\x80\x93"); };
    const oj &pd = at(bt, "per_deal"), &so = at(bt, "stage_only");
    std::string h = "<h3 id=\"backtest\">Backtest</h3><p class=\"lead\">The forecast made on " + esc(str(bt, "as_of")) +
                    ", checked on " + esc(str(bt, "until")) + ": of " + count(at(bt, "open")) + " deals open then, " +
                    count(at(bt, "won")) + " were won, " + count(at(bt, "lost")) + " lost and " + count(at(bt, "still_open")) +
                    " are still open. Scored on the closed ones (AUC: 0.5 is chance, higher is better; Brier: lower is better).</p>";
    h += "<div class=\"tiles\">" + tile("bt-auc", at(pd, "auc"), figure(at(pd, "auc")), "AUC per deal") +
         tile("bt-brier", at(pd, "brier"), figure(at(pd, "brier")), "Brier per deal") +
         tile("bt-auc-stage", at(so, "auc"), figure(at(so, "auc")), "AUC, stage rate") +
         tile("bt-brier-stage", at(so, "brier"), figure(at(so, "brier")), "Brier, stage rate") + "</div>";
    if (num(at(bt, "closed")) > 0) h += calibration_svg(bt);
    for (const auto &n : at(bt, "notes")) h += "<p class=\"note\">" + esc(n.is_string() ? n.get<std::string>() : raw(n)) + "</p>";
    return h;
}

/// The forecast: pipeline tiles and the open stages.
inline std::string forecast_section(const page_parts &pp) {
    const oj &fc = pp.fc;
    const auto &sm = pp.sm;
    const std::string &as_of = pp.as_of;
    const oj &pipe = at(pp.fc, "pipeline");
    std::string h;
    const oj &basis = at(pipe, "value_basis");
    h += "<section id=\"forecast\"><h2>Forecast</h2><p class=\"lead\">For each open stage: the probability that a "
         "customer who has just entered it reaches a won stage and the expected days to get there (from the completed stays "
         "as of " + esc(as_of) + "), and the expected revenue of the customers in it now, each deal scored by its stage and "
         "the days it has spent there.</p>";
    h += "<div class=\"tiles\">" + tile("fc-open", at(pipe, "open_customers"), count(at(pipe, "open_customers")), "open customers") +
         tile("fc-wins", at(pipe, "expected_wins"),
              at(pipe, "expected_wins").is_number() ? fixed(num(at(pipe, "expected_wins")), 1) : "\xE2\x80\x93",
              "expected wins") +
         tile("fc-revenue", at(pipe, "expected_revenue"), money(at(pipe, "expected_revenue")), "expected revenue") + "</div>";
    std::vector<const oj *> open;
    for (const auto &s : at(fc, "stages"))
        if (str(s, "source") != "absorbing") open.push_back(&s);
    if (open.empty()) {
        h += "<p class=\"note\">The model has no open stage.</p>";
    } else {
        h += forecast_svg(open, sm);
    }
    h += "<p class=\"note\">Deal values: " + count(at(basis, "amount_attribute")) + " from the amount attribute, " +
         count(at(basis, "product_mean")) + " from the mean purchase of the product, " +
         count(at(basis, "overall_mean")) + " from the mean purchase overall, " + count(at(basis, "none")) +
         " unknown (0). Source <i>observed</i>: estimated from completed stays; <i>model probability</i>: never "
         "observed leaving, the model's probability is used.</p>";
    if (!pp.bt.is_null()) h += backtest_part(pp.bt);
    h += "</section>\n";
    return h;
}

/// Customer value: tiles, Pareto, repeat purchase, revenue by stage and class.
inline std::string value_section(const page_parts &pp) {
    const oj &val = pp.val;
    const auto &sm = pp.sm;
    const std::string &model_id = pp.model_id;
    const std::string &as_of = pp.as_of;
    std::string h;
    const oj &par = at(val, "pareto"), &rep_ = at(val, "repeat");
    h += "<section id=\"value\"><h2>Customer value</h2><p class=\"lead\">Revenue is the sum of purchase amounts up to " +
         esc(as_of) + ". Pareto: the fewest customers, largest first, whose revenue reaches " +
         pct(at(par, "threshold"), 0) + " of the total.</p>";
    h += "<div class=\"tiles\">" + tile("value-customers", at(val, "customers"), count(at(val, "customers")), "customers") +
         tile("value-buyers", at(rep_, "buyers"), count(at(rep_, "buyers")), "buyers") +
         tile("value-revenue", at(val, "revenue"), money(at(val, "revenue")), "revenue") +
         tile("pareto-customers", at(par, "customers"), count(at(par, "customers")),
              "customers bring " + pct(at(par, "revenue_share")) + " of revenue") +
         tile("repeat-share", at(rep_, "share"), pct(at(rep_, "share")), "buyers who bought again") + "</div>";
    h += "<h3>Pareto</h3><p class=\"pareto\"" + detail::report_html::data("customers", at(par, "customers")) +
         detail::report_html::data("revenue", at(par, "revenue")) + ">" + count(at(par, "customers")) +
         " customers bring " + money(at(par, "revenue")) + " of " + money(at(val, "revenue")) + " (" +
         pct(at(par, "revenue_share")) + " of revenue). Repeat purchase: " + count(at(rep_, "repeat_buyers")) + " of " +
         count(at(rep_, "buyers")) + " buyers.</p>";
    h += shares_svg({{"those customers, of all customers", at(par, "share_of_all")},
                     {"those customers, of buyers", at(par, "share_of_buyers")},
                     {"their revenue, of all revenue", at(par, "revenue_share")},
                     {"buyers with a repeat purchase", at(rep_, "share")}},
                    {"pareto_share_of_all", "pareto_share_of_buyers", "pareto_revenue_share", "repeat_share"}, "#7c3aed");
    for (const auto &m : at(val, "by_stage")) {
        if (str(m, "model") != model_id) continue;
        h += "<h3>Revenue by current stage</h3>" + revenue_svg(at(m, "stages"), sm);
    }
    std::string rows;
    for (const auto &c : at(val, "by_class"))
        rows += "<tr class=\"class\"" + detail::report_html::data("class", str(c, "class")) + ">" + td(str(c, "class")) +
                td_num(count(at(c, "customers"))) + td_num(money(at(c, "revenue"))) + "</tr>";
    if (!rows.empty())
        h += "<h3>Revenue by class</h3><div class=\"table-wrap\"><table class=\"compact\"><thead><tr><th>class</th><th "
             "class=\"n\">customers</th><th class=\"n\">revenue</th></tr></thead><tbody>" + rows + "</tbody></table></div>";
    h += "</section>\n";
    return h;
}

/// The top recommendations (only with a policy).
inline std::string recommendations_section(const page_parts &pp) {
    const oj &recs = pp.recs;
    const auto &sm = pp.sm;
    std::string h;
    h += "<section id=\"recommendations\"><h2>Top recommendations</h2><p class=\"lead\">Policy <b>" +
         esc(str(recs, "policy")) + "</b> as of " + esc(str(recs, "as_of")) +
         ": the next actions ranked by score (priority \xC3\x97 class weight \xC3\x97 urgency \xC3\x97 value).</p>";
    std::string rows;
    for (const auto &r : at(recs, "recommendations")) {
        const oj &a = at(r, "action");
        std::string why;
        for (const auto &x : at(r, "reasons")) why += (why.empty() ? "" : "; ") + raw(x);
        rows += "<tr class=\"rec\"" + detail::report_html::data("rank", at(r, "rank")) +
                detail::report_html::data("customer", str(r, "customer_id")) +
                detail::report_html::data("score", at(r, "score")) + ">" + td_num(count(at(r, "rank"))) +
                td(str(r, "customer_id")) + td(str(r, "manager")) + td(stage_name(sm, raw(at(r, "stage")))) +
                td(str(a, "kind") + " via " + str(a, "channel")) + td(str(a, "due")) +
                td_num(at(r, "score").is_number() ? fixed(num(at(r, "score")), 2) : "\xE2\x80\x93") +
                td(why, " class=\"reason\"") + "</tr>";
    }
    if (rows.empty()) h += "<p class=\"note\">No recommendation.</p>";
    else
        h += "<div class=\"table-wrap\"><table><thead><tr><th class=\"n\">#</th><th>customer</th><th>manager</th><th>"
             "stage</th><th>action</th><th>due</th><th class=\"n\">score</th><th>because</th></tr></thead><tbody>" +
             rows + "</tbody></table></div>";
    h += "</section>\n";
    return h;
}

/// The footer and the embedded JSON.
inline std::string page_footer(const page_parts &pp) {
    const oj &rep = pp.rep;
    const std::string &model_id = pp.model_id;
    const std::string &as_of = pp.as_of;
    std::string h;
    h += "<footer>Generated by " + esc(str(rep, "generator")) + " for model " + esc(model_id) + " as of " + esc(as_of) +
         ". Definitions of every figure: docs/analytics.md. The figures are embedded below as JSON "
         "(<code>script#clm-data</code>).</footer>\n</div>\n";
    h += "<script type=\"application/json\" id=\"clm-data\">" + script_json(pp.data) + "</script>\n</body>\n</html>\n";
    return h;
}

} // namespace clm::detail::report_html
