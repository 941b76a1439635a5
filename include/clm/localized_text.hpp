/// @file localized_text.hpp
/// User-facing text in several languages, and its JSON reader.
///
/// A document (a model, later a policy) names the locales it is written in,
/// the first being its default: `"locales": ["en", "ru", "zh"]` (["en"] when
/// not given). Every text field then takes either a plain string, the text in
/// the default locale, or an object keyed by locale:
/// `"name": {"en": "Proposal", "ru": "Коммерческое предложение", "zh": "报价"}`.
/// The object must hold the default locale's text; a locale it leaves out
/// shows the default text. A key that is not one of the document's locales
/// is an error with its position, so a misspelt "rus" is caught.
#pragma once

#include <clm/error.hpp>
#include <clm/json_source.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clm {

/// One text in every locale it was given in (the default locale included).
class localized_text {
public:
    /// An empty text (no locale).
    localized_text() = default;
    /// `text` in `locale` only.
    localized_text(std::string locale, std::string text) { set(std::move(locale), std::move(text)); }

    /// Sets the text of `locale`, replacing any given before.
    void set(std::string locale, std::string text) {
        auto it = lower(locale);
        if (it != entries_.end() && it->first == locale) it->second = std::move(text);
        else entries_.emplace(it, std::move(locale), std::move(text));
    }
    /// The text in `locale`, or nullptr when it was not given in that locale.
    const std::string *find(std::string_view locale) const noexcept {
        auto it = std::lower_bound(entries_.begin(), entries_.end(), locale,
                                   [](const entry &e, std::string_view l) { return e.first < l; });
        return it != entries_.end() && it->first == locale ? &it->second : nullptr;
    }
    /// The text in `locale`, else in `fallback_locale`, else "".
    const std::string &in(std::string_view locale, std::string_view fallback_locale) const noexcept {
        if (const std::string *t = find(locale)) return *t;
        if (const std::string *t = find(fallback_locale)) return *t;
        static const std::string none;
        return none;
    }
    /// Whether no locale has text.
    bool empty() const noexcept { return entries_.empty(); }
    /// The number of locales with text.
    std::size_t size() const noexcept { return entries_.size(); }

    /// A locale and its text.
    using entry = std::pair<std::string, std::string>;
    /// Every locale and its text, sorted by locale.
    const std::vector<entry> &entries() const noexcept { return entries_; }

    /// Equal when every locale has the same text.
    bool operator==(const localized_text &o) const { return entries_ == o.entries_; }
    /// Not equal.
    bool operator!=(const localized_text &o) const { return !(*this == o); }

    /// The JSON form: a plain string when only `default_locale` has text,
    /// otherwise an object keyed by locale (default locale first).
    nlohmann::ordered_json to_json(std::string_view default_locale) const {
        if (entries_.size() == 1 && entries_.front().first == default_locale) return entries_.front().second;
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        if (const std::string *d = find(default_locale)) j[std::string(default_locale)] = *d;
        for (const auto &[l, t] : entries_)
            if (l != default_locale) j[l] = t;
        return j;
    }

private:
    std::vector<entry>::iterator lower(const std::string &locale) {
        return std::lower_bound(entries_.begin(), entries_.end(), locale,
                                [](const entry &e, const std::string &l) { return e.first < l; });
    }
    std::vector<entry> entries_;
};

namespace detail {
// A key as a JSON pointer token (RFC 6901: '~' is "~0", '/' is "~1").
inline std::string escape_pointer_token(const std::string &key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}
} // namespace detail

/// Whether `tag` is a well-formed locale tag: a 2- or 3-letter lowercase
/// language, then optional subtags of 2-8 letters or digits after '-'
/// ("en", "ru", "zh", "zh-Hant", "pt-BR").
inline bool is_locale_tag(std::string_view tag) noexcept {
    std::size_t i = 0;
    while (i < tag.size() && tag[i] >= 'a' && tag[i] <= 'z') ++i;
    if (i < 2 || i > 3) return false;
    while (i < tag.size()) {
        if (tag[i] != '-') return false;
        std::size_t start = ++i;
        while (i < tag.size() && ((tag[i] >= 'a' && tag[i] <= 'z') || (tag[i] >= 'A' && tag[i] <= 'Z') || (tag[i] >= '0' && tag[i] <= '9'))) ++i;
        if (i - start < 2 || i - start > 8) return false;
    }
    return true;
}

/// The locales a document is written in; the first is its default.
struct locale_list {
    std::vector<std::string> tags{"en"}; ///< Never empty; tags[0] is the default.

    /// The default locale (the language of plain-string text).
    const std::string &default_locale() const noexcept { return tags.front(); }
    /// Whether `tag` is one of the locales.
    bool has(std::string_view tag) const noexcept { return std::find(tags.begin(), tags.end(), tag) != tags.end(); }
    /// The locales as "en, ru, zh" (for messages).
    std::string joined() const {
        std::string out;
        for (const auto &t : tags) out += (out.empty() ? "" : ", ") + t;
        return out;
    }
    /// Throws not_found naming `what` and listing the locales when `tag` is not one of them.
    void require(std::string_view tag, const std::string &what) const {
        if (!has(tag))
            throw not_found(what + " has no locale '" + std::string(tag) + "' (available: " + joined() + ")");
    }
};

/// Reads a document's `"locales"` value at `pointer` (an array of distinct
/// locale tags, the default first); problems go to `out`, each with its
/// position. Returns the default ["en"] when the value is not usable.
inline locale_list read_locale_list(const json_source &src, const nlohmann::json &value, const std::string &pointer,
                                    const std::string &what, std::vector<diagnostic> &out) {
    locale_list result;
    if (!value.is_array() || value.empty()) {
        out.push_back(src.at(pointer, what + ": 'locales' must be a non-empty array of locale tags, the default first (e.g. [\"en\", \"ru\", \"zh\"])"));
        return result;
    }
    std::vector<std::string> tags;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string p = pointer + "/" + std::to_string(i);
        if (!value[i].is_string()) {
            out.push_back(src.at(p, what + ": 'locales' must hold only strings"));
            continue;
        }
        std::string tag = value[i].get<std::string>();
        if (!is_locale_tag(tag)) {
            out.push_back(src.at(p, what + ": '" + tag + "' is not a locale tag (a lowercase language such as \"en\", \"ru\" or \"zh\", optionally followed by subtags such as \"-Hant\")"));
            continue;
        }
        if (std::find(tags.begin(), tags.end(), tag) != tags.end()) {
            out.push_back(src.at(p, what + ": locale '" + tag + "' is listed twice"));
            continue;
        }
        tags.push_back(std::move(tag));
    }
    if (!tags.empty()) result.tags = std::move(tags);
    return result;
}

/// Reads a text field's value at `pointer`: a plain string (the default
/// locale's text) or an object mapping the document's `locales` to strings,
/// which must include the default locale. Problems go to `out`, each with
/// its position and naming `what` (e.g. "stage 'proposal': 'name'"); an
/// unusable value gives an empty text.
inline localized_text read_localized_text(const json_source &src, const nlohmann::json &value, const std::string &pointer,
                                          const std::string &what, const locale_list &locales, std::vector<diagnostic> &out) {
    localized_text text;
    if (value.is_string()) {
        text.set(locales.default_locale(), value.get<std::string>());
        return text;
    }
    if (!value.is_object()) {
        out.push_back(src.at(pointer, what + " must be a string or an object of texts by locale (e.g. {\"" + locales.default_locale() + "\": \"...\"})"));
        return text;
    }
    bool ok = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
        const std::string &key = it.key();
        const std::string p = pointer + "/" + detail::escape_pointer_token(key);
        if (!locales.has(key)) {
            out.push_back(src.at(p, what + ": unknown locale '" + key + "' (the document's locales: " + locales.joined() +
                                        "; add it to \"locales\" to use it)"));
            ok = false;
        } else if (!it.value().is_string()) {
            out.push_back(src.at(p, what + ": the '" + key + "' text must be a string"));
            ok = false;
        } else {
            text.set(key, it.value().get<std::string>());
        }
    }
    if (ok && !text.find(locales.default_locale())) {
        out.push_back(src.at(pointer, what + ": no text in the default locale '" + locales.default_locale() +
                                          "' (the first of \"locales\"), which is shown where a translation is missing"));
        ok = false;
    }
    return ok ? text : localized_text();
}

} // namespace clm
