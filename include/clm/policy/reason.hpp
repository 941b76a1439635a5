/// @file policy/reason.hpp
/// A reason of a recommendation as a structured record (issue 15, "Typed
/// results"; issue 16, "Languages"): a stable message id, the fact, the
/// operator, the threshold, the actual value and the subject, plus the named
/// arguments its message template is filled with. The text in any locale is
/// rendered from it (policy/messages.hpp), so a host can show reasons in its
/// own language without parsing English.
#pragma once

#include <clm/policy.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace clm {

/// The JSON name of a fact ("days_in_stage", "class", ...), as a policy spells it.
inline const char *to_string(fact_kind f) noexcept {
    static const char *const names[] = {"stage", "stage_kind", "days_in_stage", "days_since_contact", "class", "tag", "attribute",
                                        "score", "control_point_overdue", "control_point_due_in", "next_step", "birthday_in",
                                        "anniversary_in", "holiday_in", "purchases_declined", "purchases_in", "done_within",
                                        "kpi_deviation", "manager", "recorded", "was_customer", "p_won", "recorded_since_contact",
                                        "stage_due_in", "repeat_buyer", "purchase_gap_ratio", "check_trend", "p_won_ratio"};
    const auto i = std::size_t(f);
    return i < sizeof names / sizeof *names ? names[i] : "";
}

/// The JSON name of an operator ("==", ">=", "in", "not_in", "exists", "true", ...), as a policy spells it.
inline const char *to_string(op_kind o) noexcept {
    static const char *const names[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not_in", "has", "lacks", "exists", "missing", "planned", "overdue", "true"};
    const auto i = std::size_t(o);
    return i < sizeof names / sizeof *names ? names[i] : "";
}

/// How a placeholder of a message template is written (policy/messages.hpp,
/// render_message()): some forms depend on the locale (units, words).
enum class arg_form : std::uint8_t {
    text,      ///< `text` as it is (an id, a name).
    number,    ///< `number`: a whole number as such, else to two decimals ("16", "1.50").
    days,      ///< `number` of days with the locale's unit ("1 day", "3 дня", "3天").
    purchases, ///< `number` of purchases with the locale's unit ("1 purchase", "5 покупок").
    percent,   ///< `number` (a probability) as a percentage to a tenth ("63.2%").
    op,        ///< `text`, an operator's symbol ("==", ">=", "in", "not in"): the words in the locale.
    via,       ///< `text`, the channel a contact fact looks at: "" any, "preferred", or a channel name.
    model,     ///< `text`, the model id shown when the portfolio has several models: " (id)", or nothing.
    word       ///< `text`, a word of the locale's vocabulary: a stage kind ("won"), or "none".
};

/// A named argument of a message: what `{name}` in its template stands for.
struct message_arg {
    std::string name;                 ///< The placeholder's name, without braces.
    arg_form form = arg_form::text;   ///< How it is written.
    double number = 0;                ///< For numeric forms.
    std::string text;                 ///< For textual forms.
};

/// One matched fact of a recommendation as a structured record.
struct reason {
    std::string id;            ///< The stable message id (docs/policy-format.md, "Reasons as codes"), e.g. "days_in_stage.time_limit".
    fact_kind fact = fact_kind::stage; ///< The fact.
    op_kind op = op_kind::eq;  ///< The operator of the condition.
    /// The numeric threshold (the condition's value, the stage's time limit or
    /// its 90th percentile); NaN when the condition has none or it is unknown.
    double threshold = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::string> threshold_list; ///< The condition's strings (stage ids, classes, tags...) when it compares with names.
    double actual = std::numeric_limits<double>::quiet_NaN(); ///< The fact's value when it is a number (NaN otherwise, e.g. never contacted).
    std::string actual_text;   ///< The fact's value when it is a name (a stage id, a class, a manager, a text attribute).
    std::string subject;       ///< What the fact is about: a control point's kind, a holiday, an attribute, score or KPI name ("" when none).
    std::string model;         ///< The model id when the portfolio has several models ("" otherwise).
    std::vector<message_arg> args; ///< What the message template's placeholders stand for.

    /// The argument named `name`, or nullptr.
    const message_arg *arg(const std::string &name) const noexcept {
        for (const auto &a : args)
            if (a.name == name) return &a;
        return nullptr;
    }
};

} // namespace clm
