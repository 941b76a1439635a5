/// @file maturity_export.hpp
/// The portfolio export with maturity markers (the seeds' twice-a-month
/// export): one row per customer with manager, class, the stage in each
/// model, days in that stage, last contact and next step, as of a date.
#pragma once

#include <clm/csv.hpp>
#include <clm/portfolio.hpp>

#include <nlohmann/json.hpp>

namespace clm {

/// One customer's row of the maturity export.
struct maturity_row {
    std::string customer_id;               ///< Customer id.
    std::string manager;                   ///< Manager.
    std::string customer_class;            ///< Class.
    std::vector<std::string> stage;        ///< Per model slot: stage id ("" when not in the model).
    std::vector<std::optional<std::int64_t>> days_in_stage; ///< Per model slot.
    std::optional<timestamp> last_contact; ///< Last contact.
    std::optional<next_step_info> next_step; ///< Next step.
};

/// The maturity export as of `as_of` (customers with no event by then are left out).
inline std::vector<maturity_row> maturity_export(const portfolio &p, timestamp as_of) {
    std::vector<maturity_row> rows;
    timestamp end = end_of_day(as_of);
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        auto s = p.snapshot(c, end);
        bool any = !s.stages.empty() || s.contacts || !s.manager.empty() || !s.attributes.empty();
        if (!any) continue;
        maturity_row r;
        r.customer_id = s.id;
        r.manager = s.manager;
        r.customer_class = s.customer_class;
        for (std::size_t m = 0; m < p.model_count(); ++m) {
            const membership &pos = s.positions[m];
            if (pos.stage == no_stage) {
                r.stage.emplace_back();
                r.days_in_stage.emplace_back();
            } else {
                r.stage.push_back(p.model_at(m).stage_at(pos.stage).id);
                r.days_in_stage.push_back(days_between(pos.entered, as_of));
            }
        }
        r.last_contact = s.last_contact;
        r.next_step = s.next_step;
        rows.push_back(std::move(r));
    }
    return rows;
}

/// The export as CSV: customer_id, manager, class, then per model `<model>_stage`
/// and `<model>_days_in_stage`, then last_contact, next_step_date, next_step_goal, next_step_product.
inline std::string maturity_export_csv(const portfolio &p, const std::vector<maturity_row> &rows) {
    std::string out = "customer_id,manager,class";
    for (std::size_t m = 0; m < p.model_count(); ++m) {
        out += ',';
        csv_append_field(out, p.model_at(m).id() + "_stage");
        out += ',';
        csv_append_field(out, p.model_at(m).id() + "_days_in_stage");
    }
    out += ",last_contact,next_step_date,next_step_goal,next_step_product\n";
    for (const auto &r : rows) {
        csv_append_field(out, r.customer_id);
        out += ',';
        csv_append_field(out, r.manager);
        out += ',';
        csv_append_field(out, r.customer_class);
        for (std::size_t m = 0; m < r.stage.size(); ++m) {
            out += ',';
            csv_append_field(out, r.stage[m]);
            out += ',';
            if (r.days_in_stage[m]) out += std::to_string(*r.days_in_stage[m]);
        }
        out += ',';
        if (r.last_contact) out += format_date(*r.last_contact);
        out += ',';
        if (r.next_step && r.next_step->due) out += format_date(*r.next_step->due);
        out += ',';
        if (r.next_step) csv_append_field(out, r.next_step->goal);
        out += ',';
        if (r.next_step) csv_append_field(out, r.next_step->product);
        out += '\n';
    }
    return out;
}

/// The export as JSON: {"as_of":..., "models":[ids], "customers":[{...}]}.
inline nlohmann::ordered_json maturity_export_json(const portfolio &p, const std::vector<maturity_row> &rows, timestamp as_of) {
    using oj = nlohmann::ordered_json;
    oj j;
    j["as_of"] = format_date(as_of);
    oj models = oj::array();
    for (std::size_t m = 0; m < p.model_count(); ++m) models.push_back(p.model_at(m).id());
    j["models"] = models;
    oj cs = oj::array();
    for (const auto &r : rows) {
        oj c;
        c["customer_id"] = r.customer_id;
        c["manager"] = r.manager;
        c["class"] = r.customer_class;
        oj st = oj::object();
        for (std::size_t m = 0; m < r.stage.size(); ++m) {
            oj one;
            one["stage"] = r.stage[m].empty() ? oj() : oj(r.stage[m]);
            one["days_in_stage"] = r.days_in_stage[m] ? oj(*r.days_in_stage[m]) : oj();
            st[p.model_at(m).id()] = one;
        }
        c["models"] = st;
        c["last_contact"] = r.last_contact ? oj(format_date(*r.last_contact)) : oj();
        if (r.next_step) {
            c["next_step"] = {{"date", r.next_step->due ? oj(format_date(*r.next_step->due)) : oj()},
                              {"goal", r.next_step->goal},
                              {"product", r.next_step->product}};
        } else {
            c["next_step"] = nullptr;
        }
        cs.push_back(c);
    }
    j["customers"] = cs;
    return j;
}

} // namespace clm
