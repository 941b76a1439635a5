// Text in several languages: the locale tags, the reader's errors with their
// positions, models shown in a locale, the canonical JSON, and the presets.
#include <catch2/catch.hpp>

#include <clm/model_json.hpp>
#include <clm/portfolio.hpp>
#include <clm/presets.hpp>

#include <string>

using namespace clm;

namespace {

std::vector<diagnostic> problems_of(const std::string &json) {
    try {
        model_from_json(json, "m.json");
    } catch (const input_error &e) {
        return e.problems();
    }
    return {};
}

// A three-stage model with `locales` and the offer stage's name given as `offer_name`.
std::string deal3(const std::string &locales, const std::string &offer_name) {
    return R"({"id": "deal3", "version": 1, )" + locales + R"(
"name": {"en": "Three-step deal", "ru": "Сделка в три шага"},
"initial": "offer",
"stages": [
  {"id": "offer", "name": )" + offer_name + R"(, "kind": "open", "task": {"en": "Send the offer.", "zh": "发送报价。"}},
  {"id": "won", "name": "Won", "kind": "won", "task": "Hand over."},
  {"id": "lost", "name": "Lost", "kind": "lost", "task": "Record why."}],
"transitions": [{"from": "offer", "to": "won", "event": "win"}, {"from": "offer", "to": "lost", "event": "lose"}]})";
}

const std::string all3 = R"("locales": ["en", "ru", "zh"],)";

} // namespace

TEST_CASE("locale tags: a lowercase language of 2 or 3 letters, then subtags of 2 to 8") {
    for (const char *ok : {"en", "ru", "zh", "haw", "zh-Hant", "pt-BR", "sr-Latn-RS"}) CHECK(is_locale_tag(ok));
    for (const char *bad : {"", "e", "EN", "engl", "en-", "en_US", "zh-H", "en-abcdefghi", "ru ", "-en"}) CHECK_FALSE(is_locale_tag(bad));
}

TEST_CASE("localized_text keeps one text per locale and falls back to the default") {
    localized_text t("en", "Proposal");
    t.set("ru", "Предложение");
    t.set("en", "Offer"); // replaces
    CHECK(t.size() == 2);
    CHECK(t.in("ru", "en") == "Предложение");
    CHECK(t.in("zh", "en") == "Offer");
    CHECK(t.find("zh") == nullptr);
    CHECK(t.to_json("en").dump() == R"({"en":"Offer","ru":"Предложение"})");
    CHECK(localized_text("en", "x").to_json("en").dump() == R"("x")");
}

TEST_CASE("a model shows its text in each of its locales, the default where a translation is missing") {
    auto m = model_from_json(deal3(all3, R"({"en": "Offer", "ru": "Предложение", "zh": "报价"})"));
    CHECK(m->locales().tags == std::vector<std::string>{"en", "ru", "zh"});
    CHECK(m->locale() == "en");
    CHECK(m->name() == "Three-step deal");
    CHECK(m->stage_at(0).name == "Offer");

    auto ru = m->in_locale("ru");
    CHECK(ru->locale() == "ru");
    CHECK(ru->name() == "Сделка в три шага");
    CHECK(ru->stage_at(0).name == "Предложение");
    CHECK(ru->stage_at(0).task == "Send the offer."); // no Russian task: the default
    CHECK(ru->stage_at(1).name == "Won");             // a plain string: the same in every locale

    auto zh = ru->in_locale("zh");
    CHECK(zh->name() == "Three-step deal");
    CHECK(zh->stage_at(0).name == "报价");
    CHECK(zh->stage_at(0).task == "发送报价。");
    CHECK(zh->in_locale("en")->stage_at(0).name == "Offer");
    // The graph is the same: ids and moves carry over.
    CHECK(zh->stage_of("won") == m->stage_of("won"));
    CHECK(zh->next(0, *zh->find_event("win")) == 1);

    try {
        m->in_locale("de");
        FAIL("no error");
    } catch (const not_found &e) {
        CHECK(std::string(e.what()) == "model 'deal3' has no locale 'de' (available: en, ru, zh)");
    }
}

TEST_CASE("the canonical JSON writes every locale's text whichever locale is shown, and loads back") {
    auto m = model_from_json(deal3(all3, R"({"en": "Offer", "ru": "Предложение"})"));
    auto j = model_to_json(*m->in_locale("ru"));
    CHECK(j["locales"].dump() == R"(["en","ru","zh"])");
    CHECK(j["name"].dump() == R"({"en":"Three-step deal","ru":"Сделка в три шага"})");
    CHECK(j["stages"][0]["name"].dump() == R"({"en":"Offer","ru":"Предложение"})");
    CHECK(j["stages"][1]["name"].dump() == R"("Won")");
    auto back = model_from_json(j.dump());
    CHECK(model_to_json(*back).dump() == j.dump());
    CHECK(back->in_locale("ru")->stage_at(0).name == "Предложение");

    // A preset shown in English still writes its translations.
    auto preset = model_to_json(*load_preset("buttle5")->in_locale("en"));
    CHECK(preset["stages"][0]["name"]["ru"] == "Осведомленность");
    // An English-only model writes no "locales" and plain strings, as before.
    auto plain = model_to_json(*model_from_json(R"({"id": "mini", "version": 1, "name": {"en": "Mini"}, "initial": "a",
        "stages": [{"id": "a", "name": "A", "kind": "won", "task": {"en": "t"}}], "transitions": []})"));
    CHECK(plain.dump() == R"({"id":"mini","version":1,"name":"Mini","initial":"a","main_path":["a"],"stages":[{"id":"a","name":"A","kind":"won","task":"t"}],"transitions":[]})");
}

TEST_CASE("a model in another default locale: plain strings are its text") {
    auto m = model_from_json(R"({"id": "ru3", "version": 1, "locales": ["ru", "en"], "name": "Сделка", "initial": "a",
        "stages": [{"id": "a", "name": {"ru": "Предложение", "en": "Offer"}, "kind": "open", "task": "Отправить предложение."},
                   {"id": "b", "name": "Выиграна", "kind": "won", "task": "Передать."}],
        "transitions": [{"from": "a", "to": "b", "event": "win"}]})");
    CHECK(m->locale() == "ru");
    CHECK(m->name() == "Сделка");
    CHECK(m->stage_at(0).name == "Предложение");
    auto en = m->in_locale("en");
    CHECK(en->stage_at(0).name == "Offer");
    CHECK(en->stage_at(0).task == "Отправить предложение."); // no English text: the default
    CHECK(model_to_json(*en)["stages"][0]["name"].dump() == R"({"ru":"Предложение","en":"Offer"})"); // the default first
}

TEST_CASE("bad localized text and locales are errors at their positions") {
    SECTION("a locale the model does not list") {
        auto ps = problems_of(deal3(all3, "{\"en\": \"Offer\",\n \"rus\": \"Предложение\"}"));
        REQUIRE(ps.size() == 1);
        CHECK(ps[0].to_string() == "m.json:6:9: error: stage 0: 'name': unknown locale 'rus' (the document's locales: en, ru, zh; add it to \"locales\" to use it)");
    }
    SECTION("without locales the model is English only") {
        auto ps = problems_of(deal3("", R"({"en": "Offer"})"));
        // The model's name has "ru" and the task "zh": both are unknown.
        REQUIRE(ps.size() == 2);
        CHECK(ps[0].message == "model: 'name': unknown locale 'ru' (the document's locales: en; add it to \"locales\" to use it)");
        CHECK(ps[1].message == "stage 0: 'task': unknown locale 'zh' (the document's locales: en; add it to \"locales\" to use it)");
    }
    SECTION("no text in the default locale") {
        auto ps = problems_of(deal3(all3, R"({"ru": "Предложение"})"));
        REQUIRE(ps.size() == 1);
        CHECK(ps[0].line == 5);
        CHECK(ps[0].message == "stage 0: 'name': no text in the default locale 'en' (the first of \"locales\"), which is shown where a translation is missing");
    }
    SECTION("a text that is neither a string nor an object, and a translation that is not a string") {
        auto ps = problems_of(deal3(all3, R"(42)"));
        REQUIRE(ps.size() == 1);
        CHECK(ps[0].message == "stage 0: 'name' must be a string or an object of texts by locale (e.g. {\"en\": \"...\"})");
        ps = problems_of(deal3(all3, R"({"en": "Offer", "zh": 7})"));
        REQUIRE(ps.size() == 1);
        CHECK(ps[0].message == "stage 0: 'name': the 'zh' text must be a string");
    }
    SECTION("bad locales") {
        auto ps = problems_of(deal3(R"("locales": ["en", "EN", "en", 3],)", R"("Offer")"));
        REQUIRE(ps.size() >= 3);
        CHECK(ps[0].message == "model: 'EN' is not a locale tag (a lowercase language such as \"en\", \"ru\" or \"zh\", optionally followed by subtags such as \"-Hant\")");
        CHECK(ps[1].message == "model: locale 'en' is listed twice");
        CHECK(ps[2].message == "model: 'locales' must hold only strings");
        ps = problems_of(deal3(R"("locales": [],)", R"("Offer")"));
        REQUIRE(!ps.empty());
        CHECK(ps[0].message.rfind("model: 'locales' must be a non-empty array of locale tags", 0) == 0);
    }
    SECTION("invalid UTF-8 in a translation") {
        auto ps = problems_of(deal3(all3, "{\"en\": \"Offer\", \"ru\": \"\\udc00\"}"));
        CHECK(!ps.empty()); // a lone surrogate: the JSON reader refuses it
    }
}

TEST_CASE("the builder refuses text in a locale the model does not list") {
    model_builder b("m", 1);
    stage s;
    s.id = "a";
    s.name = "A";
    s.task = "t";
    s.kind = stage_kind::won;
    s.localized_name.set("en", "A");
    s.localized_name.set("de", "A (de)");
    b.add_stage(s);
    auto ps = b.problems();
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].message == "stage 'a' name: text in locale 'de', which is not one of the model's locales (en)");
}

TEST_CASE("a portfolio shows every model in a locale, all or nothing") {
    portfolio p;
    p.add_model(load_preset("buttle5"));
    p.add_model(load_preset("sales6"));
    p.set_locale("zh");
    CHECK(p.model_at(0).stage_at(0).name == "认知");
    CHECK(p.model_at(1).stage_at(p.model_at(1).stage_of("proposal")).name == "报价方案");

    auto english_only = model_from_json(R"({"id": "mini", "version": 1, "initial": "a",
        "stages": [{"id": "a", "name": "A", "kind": "won", "task": "t"}], "transitions": []})");
    p.add_model(english_only);
    CHECK_THROWS_AS(p.set_locale("ru"), not_found);
    CHECK(p.model_at(0).locale() == "zh"); // unchanged
    portfolio empty;
    CHECK_THROWS_AS(empty.set_locale("en"), invalid_argument);
}

TEST_CASE("every preset has its name, and every stage's name and task, in English, Russian and Chinese") {
    for (std::size_t i = 0; i < preset_count(); ++i) {
        auto m = load_preset(preset_id(i));
        INFO(m->id());
        CHECK(m->locales().tags == std::vector<std::string>{"en", "ru", "zh"});
        for (const char *l : {"en", "ru", "zh"}) {
            CHECK(m->localized_name().find(l) != nullptr);
            CHECK(m->localized_description().find(l) != nullptr);
            for (std::size_t s = 0; s < m->stage_count(); ++s) {
                INFO(m->stage_at(stage_index(s)).id << " in " << l);
                CHECK(m->stage_at(stage_index(s)).localized_name.find(l) != nullptr);
                CHECK(m->stage_at(stage_index(s)).localized_task.find(l) != nullptr);
            }
        }
        // Translations differ from the English (nothing was left untranslated by copying).
        auto ru = m->in_locale("ru"), zh = m->in_locale("zh");
        for (std::size_t s = 0; s < m->stage_count(); ++s) {
            CHECK(ru->stage_at(stage_index(s)).task != m->stage_at(stage_index(s)).task);
            CHECK(zh->stage_at(stage_index(s)).task != m->stage_at(stage_index(s)).task);
        }
    }
    // The seeds' own words: seed 003 (Buttle, Russian) and seed 000 (maturity, Russian).
    CHECK(load_preset("buttle5")->in_locale("ru")->stage_at(0).name == "Осведомленность");
    auto maturity = load_preset("maturity6")->in_locale("ru");
    CHECK(maturity->stage_at(maturity->stage_of("doubting")).task ==
          "Вывести сомнения клиента на осознанный уровень и аргументировать выгодность сделки именно сейчас.");
}
