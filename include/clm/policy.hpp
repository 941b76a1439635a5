/// @file policy.hpp
/// Policies as data (docs/policy-format.md): rules with conditions over a
/// customer's facts and an action to recommend, plus the weights and
/// capacities that rank and plan the actions. Loading reports every problem
/// at once with its line and column.
#pragma once

#include <clm/json_source.hpp>
#include <clm/localized_text.hpp>
#include <clm/numbers.hpp>
#include <clm/printable.hpp>
#include <clm/problem_cap.hpp>
#include <clm/journal.hpp>
#include <clm/policy/calendar.hpp>

#include <boost/date_time/gregorian/gregorian_types.hpp>

#include <map>
#include <memory>

namespace clm {

/// The facts a condition can test.
enum class fact_kind : std::uint8_t {
    stage,                 ///< The stage id (is / in / not_in); param model.
    stage_kind,            ///< The stage's kind (is / in / not_in); param model.
    days_in_stage,         ///< Days in the current stage; value a number or "time_limit"; param model.
    days_since_contact,    ///< Days since the last contact (numeric ops), or whether there was one (exists / missing); param channel ("preferred" allowed).
    customer_class,        ///< JSON "class" (is / in / not_in).
    tag,                   ///< has / lacks a tag.
    attribute,             ///< An attribute (param name): ==, != (strings), numeric ops, exists, missing.
    score,                 ///< A score (param name): numeric ops.
    control_point_overdue, ///< An open control point (param kind, optional) is past due.
    control_point_due_in,  ///< Days until the soonest open control point not yet overdue is due (param kind).
    next_step,             ///< missing / planned / overdue.
    birthday_in,           ///< Days until the birthday (attribute birthday=YYYY-MM-DD).
    anniversary_in,        ///< Days until the anniversary (attribute anniversary=YYYY-MM-DD).
    holiday_in,            ///< Days until the next holiday of the policy.
    purchases_declined,    ///< Purchases in the last `days` days below the previous `days` days (a sleeping customer).
    purchases_in,          ///< Number of purchases in the last `days` days.
    done_within,           ///< Days since a control point of `kind` was done.
    kpi_deviation,         ///< |actual - plan| / plan of KPI `name` (attributes kpi.NAME.plan, kpi.NAME.actual).
    manager,               ///< The manager (is / in / not_in).
    recorded,              ///< A checklist item or document of `kind` recorded (a check, document or document_done event): exists / missing.
    was_customer,          ///< The customer has bought: reached a won-kind stage in some model, or made a purchase (op true).
    p_won,                 ///< The deal's probability of being won (deal_forecast.hpp: by stage and days in stage); param model.
    recorded_since_contact,///< A checklist item or document of `kind` recorded since the last contact (param channel, optional): exists / missing.
    stage_due_in,          ///< Days until the `due` date recorded on the stage row that entered the current stage (negative: past); param model.
    repeat_buyer,          ///< Purchases on at least two different days (op true): a customer who came back.
    purchase_gap_ratio,    ///< Days since the last purchase / the mean days between earlier purchases (repeat buyers only).
    check_trend,           ///< Mean amount of the newer half of the purchases / that of the older half (two purchases at least).
    p_won_ratio            ///< The deal's p_won / its stage's rate (the stage's average); param model.
};

/// What a rule is about (docs/policy-format.md, "scope").
enum class rule_scope : std::uint8_t {
    deal,     ///< The deal (the customer itself): stage tasks, control points, A/B/C cadences.
    account   ///< The customer's account (the company; the customer itself when it has none): at most once per account.
};

/// Comparison operators.
enum class op_kind : std::uint8_t { eq, ne, lt, le, gt, ge, in, not_in, has, lacks, exists, missing, planned, overdue, is_true };

/// A condition tree node. Leaves test one fact; all / any / not combine.
struct condition {
    /// Node types.
    enum class type : std::uint8_t { leaf, all, any, negate };
    type node = type::leaf;                 ///< What this node is.
    std::vector<condition> children;        ///< For all / any / not.
    fact_kind fact = fact_kind::stage;      ///< For leaves: the fact.
    op_kind op = op_kind::eq;               ///< For leaves: the comparison.
    double number = 0;                      ///< Numeric operand.
    bool against_time_limit = false;        ///< days_in_stage compared with the stage's own limit.
    bool against_p90 = false;               ///< days_in_stage compared with the stage's 90th percentile of completed stays ("closed_p90").
    std::vector<std::string> strings;       ///< String operand(s).
    std::string model;                      ///< Optional model id.
    std::string name;                       ///< Attribute / score / KPI name.
    std::string kind;                       ///< Control point kind (document or checklist item for `recorded`).
    std::string channel_name;               ///< For days_since_contact: a channel or "preferred".
    int days = 0;                           ///< Window for purchases_* facts.
};

/// What a rule recommends.
struct action {
    std::string kind = "contact";  ///< contact, send_document, follow_up, move_stage, offer_product, satisfaction_survey, invite_event, greet, reassign, requalify.
    std::string channel = "preferred"; ///< A channel name or "preferred".
    std::string fallback_channel = "call"; ///< When "preferred" and the customer has none.
    std::string goal;              ///< Goal text in the policy's default locale; "" means the stage task. Placeholders: {stage}, {task}, {product}.
    localized_text localized_goal; ///< `goal` in every locale of the policy (empty when given as a plain string).
    std::string product;           ///< Product to offer.
    std::string document;          ///< For send_document / follow_up.
    std::string target_stage;      ///< For move_stage.
    int due_in_days = 0;           ///< Due date = as-of date + this.
    double priority = 1;           ///< > 0.
};

/// A policy rule.
struct rule {
    std::string id;                ///< Unique id, e.g. "cadence-b-online".
    std::string description;       ///< What it encodes, in the policy's default locale.
    localized_text localized_description; ///< `description` in every locale of the policy (empty when given as a plain string).
    std::string source;            ///< The seed it comes from.
    condition when;                ///< When it fires.
    action then;                   ///< What it recommends.
    rule_scope scope = rule_scope::deal; ///< What it is about: the deal or its account.
};

/// How a class is derived for customers who have none (docs/policy-format.md,
/// "Derived classes"): a total of points from scores (and from how soon a date
/// attribute falls), compared with each class's minimum in turn.
struct class_derivation {
    std::vector<std::string> scores;            ///< Scores summed (a missing one adds 0; none present and no date points: no class).
    std::string date_attribute;                 ///< A date attribute, e.g. the planned signing date ("" for none).
    std::vector<std::pair<int, double>> date_points; ///< (within_days, points): points when the date is 0..within_days away (the first that holds).
    std::vector<std::pair<std::string, double>> classes; ///< (class, minimum total), minimums strictly descending.
    std::string otherwise;                      ///< The class below every minimum.
};

/// A policy: rules, ranking weights, and planning capacities.
struct policy {
    std::string id;                                ///< Policy id.
    int version = 1;                               ///< Version.
    std::string name;                              ///< Display name.
    std::string description;                       ///< Description.
    locale_list locales;                           ///< The locales the policy's text is written in, the default first (["en"] when not given).
    std::map<std::string, localized_text> messages; ///< Message id -> its templates by locale, overriding the built-in ones (policy/messages.hpp).
    std::vector<rule> rules;                       ///< In declaration order (the tie-break).
    std::map<std::string, double> class_weights;   ///< Class -> weight.
    double default_class_weight = 1;               ///< Weight of other classes.
    std::string value_attribute = "deal_value";    ///< Numeric attribute giving the deal size.
    double default_value = 1;                      ///< Value when the attribute is missing.
    bool use_probability = false;                  ///< Multiply value by the stage's win probability.
    int per_customer_limit = 1;                    ///< Recommendations returned per customer (the rest are their alternatives).
    std::vector<holiday> holidays;                 ///< For holiday_in: the calendar of customers without one of `calendars`.
    std::map<std::string, std::vector<holiday>> calendars; ///< Named holiday calendars (e.g. ru, zh, us).
    std::string calendar_attribute;                ///< The attribute choosing a customer's calendar (e.g. region).
    std::map<std::string, std::string> calendar_map; ///< Attribute value -> calendar name (a value that is a calendar's name needs no entry).
    std::string default_calendar;                  ///< The calendar when the attribute is missing or unmapped ("": `holidays`).
    double hours_per_week = 40;                    ///< Default manager capacity.
    std::map<std::string, double> minutes;         ///< Minutes per action kind.
    double default_minutes = 15;                   ///< Minutes of other kinds.
    std::map<std::string, double> class_shares;    ///< Share per class (e.g. D 0.7, E 0.2, F 0.1): of the service time when service_share is set, else of the week.
    double service_share = -1;                     ///< Share of the week reserved for the classes of class_shares (service customers); < 0: not set.
    std::optional<class_derivation> pre_contract;  ///< Classes (A/B/C) of customers before the contract who have none.
    std::optional<class_derivation> service;       ///< Classes (D/E/F) of customers in service (who bought) who have none.
};

} // namespace clm

#include <clm/policy/policy_json.hpp>
