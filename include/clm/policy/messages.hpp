/// @file policy/messages.hpp
/// The built-in message table of reasons (issue 16, "Languages"): for every
/// stable message id, its placeholders and its template in English, Russian
/// and Chinese. English is what compiled_policy::explain() has always
/// written, byte for byte; the Russian follows the seeds' words (стадия,
/// контрольная точка), the Chinese seed 004's (类客户, 销售人员). The table is
/// documented in docs/policy-format.md, "Reasons as codes".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace clm {

/// One message: its id, the placeholders its templates may use (space
/// separated, without braces), and its template in each built-in locale.
struct message_entry {
    const char *id;           ///< The stable message id.
    const char *placeholders; ///< The placeholders the message fills, e.g. "actual op threshold model".
    const char *en;           ///< English template.
    const char *ru;           ///< Russian template.
    const char *zh;           ///< Chinese template.
};

/// Every built-in message, in the order of docs/policy-format.md's table.
inline constexpr message_entry message_table[] = {
    {"stage", "actual model", "stage '{actual}'{model}", "стадия '{actual}'{model}", "阶段 '{actual}'{model}"},
    {"stage.not", "op threshold", "stage {op} {threshold}", "стадия {op} {threshold}", "阶段 {op} {threshold}"},
    {"stage_kind", "stage actual model", "stage '{stage}' is {actual}{model}", "стадия '{stage}' — {actual}{model}", "阶段 '{stage}' 为{actual}{model}"},
    {"days_in_stage", "actual op threshold model", "days in stage {actual} {op} {threshold}{model}", "дней в стадии {actual} {op} {threshold}{model}",
     "在阶段停留天数 {actual} {op} {threshold}{model}"},
    {"days_in_stage.time_limit", "actual op threshold model", "days in stage {actual} {op} the time limit {threshold}{model}",
     "дней в стадии {actual} {op} срока стадии {threshold}{model}", "在阶段停留天数 {actual} {op} 阶段时限 {threshold}{model}"},
    {"days_in_stage.p90", "actual op threshold stays model",
     "days in stage {actual} {op} the 90th percentile of the stage's completed stays ({threshold}, of {stays} stays){model}",
     "дней в стадии {actual} {op} 90-го процентиля завершённых пребываний в стадии ({threshold}, из {stays}){model}",
     "在阶段停留天数 {actual} {op} 该阶段已完成停留的第90百分位数（{threshold}，共 {stays} 次停留）{model}"},
    {"days_in_stage.p90_unknown", "actual op model", "days in stage {actual} {op} the 90th percentile of the stage's completed stays{model}",
     "дней в стадии {actual} {op} 90-го процентиля завершённых пребываний в стадии{model}", "在阶段停留天数 {actual} {op} 该阶段已完成停留的第90百分位数{model}"},
    {"never_contacted", "via", "never contacted{via}", "контакта не было{via}", "从未联系{via}"},
    {"contacted_before", "via actual", "contacted before{via} (last {actual} ago)", "контакт был{via} (последний {actual} назад)",
     "曾联系{via}（最近一次在 {actual}前）"},
    {"days_since_contact", "via actual op threshold", "days since last contact{via} {actual} {op} {threshold}",
     "дней с последнего контакта{via} {actual} {op} {threshold}", "距上次联系天数{via} {actual} {op} {threshold}"},
    {"class", "actual op threshold", "class {actual} {op} {threshold}", "класс {actual} {op} {threshold}", "客户类别 {actual} {op} {threshold}"},
    {"manager", "actual op threshold", "manager {actual} {op} {threshold}", "менеджер {actual} {op} {threshold}", "销售人员 {actual} {op} {threshold}"},
    {"tag.has", "threshold", "has tag {threshold}", "есть тег {threshold}", "有标签 {threshold}"},
    {"tag.lacks", "threshold", "lacks tag {threshold}", "нет тега {threshold}", "无标签 {threshold}"},
    {"attribute.exists", "subject", "attribute {subject} exists", "атрибут {subject} задан", "属性 {subject} 已填写"},
    {"attribute.missing", "subject", "attribute {subject} missing", "атрибут {subject} не задан", "属性 {subject} 未填写"},
    {"attribute.text", "subject actual op threshold", "attribute {subject} = '{actual}' {op} {threshold}", "атрибут {subject} = '{actual}' {op} {threshold}",
     "属性 {subject} = '{actual}' {op} {threshold}"},
    {"attribute", "subject actual op threshold", "attribute {subject} {actual} {op} {threshold}", "атрибут {subject} {actual} {op} {threshold}",
     "属性 {subject} {actual} {op} {threshold}"},
    {"score", "subject actual op threshold", "score {subject} {actual} {op} {threshold}", "оценка {subject} {actual} {op} {threshold}",
     "评分 {subject} {actual} {op} {threshold}"},
    {"kpi_deviation", "subject actual op threshold", "KPI {subject} deviates {actual}% from plan ({op} {threshold}%)",
     "KPI {subject} отклоняется от плана на {actual}% ({op} {threshold}%)", "KPI {subject} 偏离计划 {actual}%（{op} {threshold}%）"},
    {"control_point_overdue", "subject actual", "control point '{subject}' overdue by {actual}", "контрольная точка '{subject}' просрочена на {actual}",
     "控制点 '{subject}' 已逾期 {actual}"},
    {"control_point_overdue.any", "actual", "control point overdue by {actual}", "контрольная точка просрочена на {actual}", "控制点已逾期 {actual}"},
    {"control_point_due_in", "subject actual op threshold", "control point '{subject}' due in {actual} {op} {threshold}",
     "контрольная точка '{subject}' наступает через {actual} {op} {threshold}", "控制点 '{subject}' 将在 {actual}后到期 {op} {threshold}"},
    {"control_point_due_in.any", "actual op threshold", "control point due in {actual} {op} {threshold}",
     "контрольная точка наступает через {actual} {op} {threshold}", "控制点将在 {actual}后到期 {op} {threshold}"},
    {"next_step.missing", "", "no next step planned", "следующий шаг не запланирован", "未计划下一步"},
    {"next_step.planned", "", "next step planned", "следующий шаг запланирован", "已计划下一步"},
    {"next_step.overdue", "actual", "next step overdue by {actual}", "следующий шаг просрочен на {actual}", "下一步已逾期 {actual}"},
    {"birthday_in", "actual op threshold", "birthday in {actual} {op} {threshold}", "день рождения через {actual} {op} {threshold}",
     "距生日 {actual} {op} {threshold}"},
    {"anniversary_in", "actual op threshold", "anniversary in {actual} {op} {threshold}", "годовщина сотрудничества через {actual} {op} {threshold}",
     "距合作周年 {actual} {op} {threshold}"},
    {"holiday_in", "subject actual op threshold", "holiday '{subject}' in {actual} {op} {threshold}", "праздник '{subject}' через {actual} {op} {threshold}",
     "距节日 '{subject}' {actual} {op} {threshold}"},
    {"holiday_in.any", "actual op threshold", "holiday in {actual} {op} {threshold}", "праздник через {actual} {op} {threshold}",
     "距节日 {actual} {op} {threshold}"},
    {"purchases_declined", "window actual window_number", "purchases in the last {window} ({actual}) below the previous {window_number}",
     "покупок за последние {window} ({actual}) меньше, чем за предыдущие {window_number}", "最近 {window}的购买次数（{actual}）低于之前的 {window_number} 天"},
    {"purchases_in", "window actual op threshold", "purchases in the last {window} {actual} {op} {threshold}",
     "покупок за последние {window}: {actual} {op} {threshold}", "最近 {window}的购买次数 {actual} {op} {threshold}"},
    {"done_within", "subject actual op threshold", "'{subject}' done {actual} ago {op} {threshold}", "'{subject}' выполнено {actual} назад {op} {threshold}",
     "'{subject}' 已于 {actual}前完成 {op} {threshold}"},
    {"recorded.exists", "subject", "'{subject}' recorded", "'{subject}' зафиксировано", "'{subject}' 已记录"},
    {"recorded.missing", "subject", "'{subject}' not recorded", "'{subject}' не зафиксировано", "'{subject}' 未记录"},
    {"was_customer.won", "", "was a customer (reached a won stage)", "был клиентом (дошёл до стадии выигрыша)", "曾是客户（到达过赢单阶段）"},
    {"was_customer.purchases", "actual", "was a customer ({actual})", "был клиентом ({actual})", "曾是客户（{actual}）"},
    {"purchase_gap_ratio", "actual op threshold", "days since the last purchase {actual} times the usual interval {op} {threshold}",
     "дней с последней покупки: {actual} × обычный интервал {op} {threshold}", "距上次购买的天数为通常间隔的 {actual} 倍 {op} {threshold}"},
    {"check_trend", "actual op threshold", "average check of the newer purchases {actual} times the older ones' {op} {threshold}",
     "средний чек новых покупок: {actual} × чек прежних {op} {threshold}", "较新购买的平均客单价为较早购买的 {actual} 倍 {op} {threshold}"},
    {"repeat_buyer", "actual", "a repeat buyer (purchases on {actual} days)", "повторный покупатель (дней с покупками: {actual})",
     "回头客（在 {actual} 个不同日期购买）"},
    {"p_won", "actual op threshold rate model", "p_won {actual} {op} {threshold} (the stage's rate {rate}){model}",
     "вероятность выигрыша {actual} {op} {threshold} (средняя по стадии {rate}){model}", "赢单概率 {actual} {op} {threshold}（该阶段平均 {rate}）{model}"},
    {"p_won.no_rate", "actual op threshold model", "p_won {actual} {op} {threshold}{model}", "вероятность выигрыша {actual} {op} {threshold}{model}",
     "赢单概率 {actual} {op} {threshold}{model}"},
    {"p_won_ratio", "p_won actual rate op threshold model", "p_won {p_won}, {actual} times the stage's rate {rate} {op} {threshold}{model}",
     "вероятность выигрыша {p_won}: {actual} × средняя по стадии {rate} {op} {threshold}{model}",
     "赢单概率 {p_won}，为该阶段平均 {rate} 的 {actual} 倍 {op} {threshold}{model}"},
    {"p_won_ratio.no_rate", "actual op threshold model", "p_won {actual} times the stage's rate {op} {threshold}{model}",
     "вероятность выигрыша: {actual} × средняя по стадии {op} {threshold}{model}", "赢单概率为该阶段平均的 {actual} 倍 {op} {threshold}{model}"},
    {"recorded_since_contact.exists", "subject via actual", "'{subject}' recorded since the last contact{via} ({actual} ago)",
     "'{subject}' зафиксировано после последнего контакта{via} ({actual} назад)", "'{subject}' 自上次联系{via}以来已记录（{actual}前）"},
    {"recorded_since_contact.missing", "subject via actual", "'{subject}' not recorded since the last contact{via} ({actual} ago)",
     "'{subject}' не зафиксировано после последнего контакта{via} ({actual} назад)", "'{subject}' 自上次联系{via}以来未记录（{actual}前）"},
    {"recorded_since_contact.exists.never_contacted", "subject via", "'{subject}' recorded: never contacted{via}",
     "'{subject}' зафиксировано: контакта не было{via}", "'{subject}' 已记录：从未联系{via}"},
    {"recorded_since_contact.missing.never_contacted", "subject via", "'{subject}' not recorded: never contacted{via}",
     "'{subject}' не зафиксировано: контакта не было{via}", "'{subject}' 未记录：从未联系{via}"},
    {"stage_due_in", "actual op threshold model", "the date recorded with the stage is in {actual} {op} {threshold}{model}",
     "дата, записанная со стадией, наступит через {actual} {op} {threshold}{model}", "阶段记录的日期在 {actual}后 {op} {threshold}{model}"},
    {"stage_due_in.passed", "actual model", "the date recorded with the stage passed {actual} ago{model}",
     "дата, записанная со стадией, прошла {actual} назад{model}", "阶段记录的日期已过去 {actual}{model}"},
};

/// The built-in message `id`, or nullptr when there is none.
inline const message_entry *find_message(std::string_view id) noexcept {
    for (const auto &m : message_table)
        if (id == m.id) return &m;
    return nullptr;
}

/// The locales the built-in table has templates in.
inline constexpr const char *builtin_message_locales[] = {"en", "ru", "zh"};

/// The built-in template of `m` in `locale` (its language: "zh-Hant" takes
/// "zh"), or nullptr when the table has no such locale.
inline const char *builtin_template(const message_entry &m, std::string_view locale) noexcept {
    const std::string_view language = locale.substr(0, locale.find('-'));
    if (language == "en") return m.en;
    if (language == "ru") return m.ru;
    if (language == "zh") return m.zh;
    return nullptr;
}

/// Whether `placeholder` is one that message `m` fills.
inline bool message_has_placeholder(const message_entry &m, std::string_view placeholder) noexcept {
    std::string_view list = m.placeholders;
    while (!list.empty()) {
        const std::size_t space = list.find(' ');
        if (list.substr(0, space) == placeholder) return true;
        if (space == std::string_view::npos) break;
        list.remove_prefix(space + 1);
    }
    return false;
}

/// The placeholders of a template, in order ("{actual} of {x}" gives actual, x).
inline std::vector<std::string> message_placeholders(std::string_view tmpl) {
    std::vector<std::string> names;
    for (std::size_t i = tmpl.find('{'); i != std::string_view::npos; i = tmpl.find('{', i + 1)) {
        const std::size_t close = tmpl.find('}', i);
        if (close == std::string_view::npos) break;
        names.emplace_back(tmpl.substr(i + 1, close - i - 1));
    }
    return names;
}

} // namespace clm
