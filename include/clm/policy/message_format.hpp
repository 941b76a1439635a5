/// @file policy/message_format.hpp
/// Rendering a reason (policy/reason.hpp) as text in a locale: its message
/// template (the policy's own from `"messages"`, else the built-in one of
/// policy/messages.hpp) with every `{placeholder}` replaced by the reason's
/// argument, written in the locale's way (units with their plural forms,
/// operator words, vocabulary).
#pragma once

#include <clm/policy.hpp>
#include <clm/policy/messages.hpp>
#include <clm/policy/reason.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace clm {

/// A number as reasons write it: a whole number without decimals ("16"),
/// anything else to two decimals ("1.50").
inline std::string format_reason_number(double v) {
    char buf[32];
    if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

namespace detail {

// The built-in language whose units and words a locale uses ("en" for one the table lacks).
inline std::string_view message_language(std::string_view locale) noexcept {
    const std::string_view language = locale.substr(0, locale.find('-'));
    return language == "ru" || language == "zh" ? language : std::string_view("en");
}

// Russian plural form of a count: 0 for 1, 21 ("день"), 1 for 2-4, 22 ("дня"),
// 2 for the rest ("дней"); a fraction takes the genitive singular ("2.50 дня").
inline int russian_plural(double v) noexcept {
    if (v != std::floor(v)) return 1;
    const long long n = std::llabs(static_cast<long long>(v));
    if (n % 10 == 1 && n % 100 != 11) return 0;
    if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14)) return 1;
    return 2;
}

// A count with its unit: "1 day", "3 дня", "3天".
inline std::string count_with_unit(double v, std::string_view language, const char *const en[2], const char *const ru[3], const char *zh) {
    const std::string n = format_reason_number(v);
    if (language == "ru") return n + " " + ru[russian_plural(v)];
    if (language == "zh") return n + zh;
    return n + " " + en[v == 1 || v == -1 ? 0 : 1];
}

// A word of the vocabulary (stage kinds, "none") in the language.
inline std::string vocabulary(const std::string &word, std::string_view language) {
    struct entry { const char *word, *en, *ru, *zh; };
    static const entry words[] = {
        {"open", "open", "открытая", "进行中"},     {"won", "won", "выигрышная", "赢单"},
        {"lost", "lost", "проигрышная", "丢单"},    {"dormant", "dormant", "спящая", "休眠"},
        {"terminal", "terminal", "завершающая", "终止"}, {"none", "(none)", "(нет)", "（无）"},
    };
    for (const auto &e : words)
        if (word == e.word) return language == "ru" ? e.ru : language == "zh" ? e.zh : e.en;
    return word;
}

// An argument written in the language.
inline std::string format_arg(const message_arg &a, std::string_view language) {
    static const char *const day_en[2] = {"day", "days"}, *const day_ru[3] = {"день", "дня", "дней"};
    static const char *const purchase_en[2] = {"purchase", "purchases"}, *const purchase_ru[3] = {"покупка", "покупки", "покупок"};
    switch (a.form) {
    case arg_form::text: return a.text;
    case arg_form::number: return format_reason_number(a.number);
    case arg_form::days: return count_with_unit(a.number, language, day_en, day_ru, "天");
    case arg_form::purchases: return count_with_unit(a.number, language, purchase_en, purchase_ru, "次购买");
    case arg_form::percent: return format_reason_number(std::round(a.number * 1000) / 10) + "%";
    case arg_form::op:
        if (a.text == "in") return language == "ru" ? "из" : language == "zh" ? "属于" : "in";
        if (a.text == "not in") return language == "ru" ? "не из" : language == "zh" ? "不属于" : "not in";
        return a.text;
    case arg_form::via:
        if (a.text.empty()) return {};
        if (a.text == "preferred")
            return language == "ru" ? " (предпочтительный канал)" : language == "zh" ? "（首选渠道）" : " (preferred channel)";
        return language == "ru" ? " (канал " + a.text + ")" : language == "zh" ? "（渠道：" + a.text + "）" : " by " + a.text;
    case arg_form::model: return a.text.empty() ? std::string() : " (" + a.text + ")";
    case arg_form::word: return vocabulary(a.text, language);
    }
    return a.text;
}

} // namespace detail

/// `tmpl` with each `{name}` replaced by the reason's argument `name`
/// written in `locale` (an argument the reason lacks is written as nothing;
/// a `{` not opening a placeholder is kept).
inline std::string render_message(std::string_view tmpl, const reason &r, std::string_view locale) {
    const std::string_view language = detail::message_language(locale);
    std::string out;
    out.reserve(tmpl.size() + 16);
    for (std::size_t i = 0; i < tmpl.size();) {
        const std::size_t close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string_view::npos;
        if (close == std::string_view::npos) {
            out += tmpl[i++];
            continue;
        }
        if (const message_arg *a = r.arg(std::string(tmpl.substr(i + 1, close - i - 1)))) out += detail::format_arg(*a, language);
        i = close + 1;
    }
    return out;
}

/// The reason's text in `locale`: the policy's template of its message id in
/// that locale (`"messages"`), else the built-in one, else (a locale the
/// table lacks) the policy's English template, else the built-in English.
inline std::string reason_text(const reason &r, const policy &pol, std::string_view locale) {
    auto own = pol.messages.find(r.id);
    if (own != pol.messages.end())
        if (const std::string *t = own->second.find(locale)) return render_message(*t, r, locale);
    const message_entry *m = find_message(r.id);
    if (m)
        if (const char *t = builtin_template(*m, locale)) return render_message(t, r, locale);
    if (own != pol.messages.end())
        if (const std::string *t = own->second.find("en")) return render_message(*t, r, locale);
    return m ? render_message(m->en, r, locale) : std::string();
}

} // namespace clm
