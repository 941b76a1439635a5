// Reasons as codes and in the portfolio's locale (issue 16 "Languages",
// issue 15 "Typed results"): every message id has a template in English,
// Russian and Chinese using only its own placeholders; units follow each
// language's plural forms; a recommendation's reasons are records whose
// English text is what explain() always wrote; a policy's own templates,
// goals and descriptions by locale follow the portfolio's locale.
#include <catch2/catch.hpp>

#include <clm/event_log.hpp>
#include <clm/policy/message_format.hpp>
#include <clm/presets.hpp>
#include <clm/recommend_json.hpp>

#include <algorithm>
#include <set>

using namespace clm;
using namespace std::string_literals;

namespace {

const char *header = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n";

portfolio make_portfolio(const std::string &rows) {
    portfolio p;
    p.add_model(load_preset("sales6"));
    p.add_model(load_preset("maturity6"));
    import_event_log(p, std::string(header) + rows, "scenario.csv");
    return p;
}

std::set<std::string> placeholder_set(const char *tmpl) {
    auto v = message_placeholders(tmpl);
    return {v.begin(), v.end()};
}

// A reason carrying every placeholder of `m` as the text "<name>".
reason with_every_placeholder(const message_entry &m) {
    reason r;
    r.id = m.id;
    for (const auto &name : placeholder_set(m.en)) r.args.push_back(message_arg{name, arg_form::text, 0, "<" + name + ">"});
    return r;
}

std::string days_in(double n, const char *locale) {
    reason r;
    r.args.push_back(message_arg{"actual", arg_form::days, n, {}});
    return render_message("{actual}", r, locale);
}

// The recommendation of `rule_id` for customer "c" as of `as_of`, with every rule's firing kept.
recommendation find(const compiled_policy &cp, std::int64_t day, const std::string &rule_id) {
    customer_facts f;
    cp.collect(std::uint32_t(cp.target().customer_index("c")), day, f);
    for (const auto &g : cp.actions(f)) {
        if (cp.source().rules[g.primary.rule].id == rule_id) return g.primary;
        for (const auto &m : g.merged)
            if (cp.source().rules[m.rule].id == rule_id) return m;
    }
    FAIL("rule " << rule_id << " did not fire");
    return {};
}

const std::string b_customer = "c,2024-05-01,class,B,,,,,,,\nc,2024-05-01,stage,presentation,sales6,,,,,,\nc,2024-05-25,contact,ok,,call,Ann,,,,\n";

} // namespace

TEST_CASE("every message id has a template in en, ru and zh with only its placeholders", "[policy][messages]") {
    std::set<std::string> ids;
    for (const auto &m : message_table) {
        INFO("message " << m.id);
        CHECK(ids.insert(m.id).second); // ids are unique
        CHECK(std::string(m.en).size() > 0);
        CHECK(std::string(m.ru).size() > 0);
        CHECK(std::string(m.zh).size() > 0);
        // Every placeholder the message lists is in its English template, and the
        // translations say the same things: the same placeholders.
        std::set<std::string> listed;
        for (const auto &name : placeholder_set(m.en)) CHECK(message_has_placeholder(m, name));
        CHECK(placeholder_set(m.ru) == placeholder_set(m.en));
        CHECK(placeholder_set(m.zh) == placeholder_set(m.en));
        const std::string list = m.placeholders;
        std::size_t words = list.empty() ? 0 : std::size_t(std::count(list.begin(), list.end(), ' ')) + 1;
        CHECK(words == placeholder_set(m.en).size());
    }
    CHECK(find_message("days_in_stage.time_limit") != nullptr);
    CHECK(find_message("no_such_message") == nullptr);
}

TEST_CASE("each message id renders in en, ru and zh", "[policy][messages]") {
    for (const auto &m : message_table) {
        INFO("message " << m.id);
        const reason r = with_every_placeholder(m);
        for (const char *locale : {"en", "ru", "zh"}) {
            const std::string text = render_message(builtin_template(m, locale), r, locale);
            CHECK(text.find('{') == std::string::npos);
            for (const auto &a : r.args) CHECK(text.find(a.text) != std::string::npos);
        }
        // Russian text is Cyrillic (UTF-8 lead bytes 0xD0/0xD1), Chinese text CJK (lead bytes 0xE4-0xE9).
        const std::string ru = render_message(m.ru, r, "ru"), zh = render_message(m.zh, r, "zh");
        CHECK(std::any_of(ru.begin(), ru.end(), [](char c) { return (unsigned char)c == 0xD0 || (unsigned char)c == 0xD1; }));
        CHECK(std::any_of(zh.begin(), zh.end(), [](char c) { return (unsigned char)c >= 0xE4 && (unsigned char)c <= 0xE9; }));
    }
    // A locale the table lacks takes English; a regional one its language's.
    CHECK(builtin_template(*find_message("never_contacted"), "de") == nullptr);
    CHECK(std::string(builtin_template(*find_message("never_contacted"), "zh-Hant")) == "从未联系{via}");
}

TEST_CASE("units follow each language's plural forms", "[policy][messages]") {
    CHECK(days_in(1, "en") == "1 day");
    CHECK(days_in(-1, "en") == "-1 day");
    CHECK(days_in(3, "en") == "3 days");
    CHECK(days_in(2.5, "en") == "2.50 days");
    // Russian: 1, 21, 101 день; 2-4, 22-24 дня; 5-20, 25-30, 111-114 дней; a fraction дня.
    CHECK(days_in(1, "ru") == "1 день");
    CHECK(days_in(21, "ru") == "21 день");
    CHECK(days_in(101, "ru") == "101 день");
    CHECK(days_in(3, "ru") == "3 дня");
    CHECK(days_in(24, "ru") == "24 дня");
    CHECK(days_in(5, "ru") == "5 дней");
    CHECK(days_in(11, "ru") == "11 дней");
    CHECK(days_in(12, "ru") == "12 дней");
    CHECK(days_in(114, "ru") == "114 дней");
    CHECK(days_in(0, "ru") == "0 дней");
    CHECK(days_in(2.5, "ru") == "2.50 дня");
    CHECK(days_in(3, "zh") == "3天");
    reason r;
    r.args.push_back(message_arg{"actual", arg_form::purchases, 2, {}});
    CHECK(render_message("{actual}", r, "en") == "2 purchases");
    CHECK(render_message("{actual}", r, "ru") == "2 покупки");
    CHECK(render_message("{actual}", r, "zh") == "2次购买");
    r.args[0].number = 1;
    CHECK(render_message("{actual}", r, "en") == "1 purchase");
}

TEST_CASE("a recommendation's reasons are codes whose English text is explain()'s", "[policy][messages]") {
    portfolio p = make_portfolio(b_customer);
    compiled_policy cp(load_policy("seeds"), p);
    const auto day = day_of(*parse_timestamp("2024-06-10"));
    const recommendation rec = find(cp, day, "class-b-online");
    const auto codes = cp.reasons(rec);
    REQUIRE(codes.size() == 3);
    CHECK(cp.locale() == "en");
    // The text is what explain() has always written (test_policy.cpp pins the same lines).
    CHECK(cp.explain(rec) == std::vector<std::string>{"class B in B", "stage 'presentation' is open (sales6)", "days since last contact 16 >= 7"});
    CHECK(codes[0].id == "class");
    CHECK(codes[0].fact == fact_kind::customer_class);
    CHECK(codes[0].actual_text == "B");
    CHECK(codes[0].threshold_list == std::vector<std::string>{"B"});
    CHECK(codes[1].id == "stage_kind");
    CHECK(codes[1].actual_text == "open");
    CHECK(codes[1].model == "sales6");
    CHECK(codes[2].id == "days_since_contact");
    CHECK(codes[2].op == op_kind::ge);
    CHECK(codes[2].actual == 16); // 2024-05-25 to 2024-06-10
    CHECK(codes[2].threshold == 7);
    CHECK(codes[2].subject.empty());

    // The JSON carries the codes beside the text, in the same order.
    auto j = recommendation_to_json(cp, rec, day);
    REQUIRE(j["reason_codes"].size() == j["reasons"].size());
    CHECK(j["reason_codes"][2] == nlohmann::ordered_json::parse(
                                      R"({"id": "days_since_contact", "fact": "days_since_contact", "op": ">=", "threshold": 7, "actual": 16, "subject": null})"));
    CHECK(j["reason_codes"][0]["threshold"] == nlohmann::ordered_json::array({"B"}));
}

TEST_CASE("control points, next steps and never-contacted facts as codes", "[policy][messages]") {
    // The proposal is 3 days overdue as of 2024-06-10.
    portfolio p = make_portfolio(b_customer + "c,2024-06-09,document,proposal,,,,,,2024-06-07,\n");
    compiled_policy cp(load_policy("seeds"), p);
    const auto day = day_of(*parse_timestamp("2024-06-10"));
    const auto codes = cp.reasons(find(cp, day, "control-point-overdue"));
    REQUIRE_FALSE(codes.empty());
    CHECK(codes[0].id == "control_point_overdue");
    CHECK(codes[0].subject == "proposal");
    CHECK(codes[0].actual == 3);
    CHECK(cp.text_of(codes[0]) == "control point 'proposal' overdue by 3 days");
    const auto step = cp.reasons(find(cp, day, "next-step-missing"));
    REQUIRE_FALSE(step.empty());
    CHECK(std::any_of(step.begin(), step.end(), [](const reason &r) { return r.id == "next_step.missing"; }));
}

TEST_CASE("reasons, goals and descriptions follow the portfolio's locale", "[policy][messages][locale]") {
    portfolio p = make_portfolio(b_customer + "c,2024-06-09,document,proposal,,,,,,2024-06-07,\n");
    p.set_locale("ru");
    compiled_policy cp(load_policy("seeds"), p);
    const auto day = day_of(*parse_timestamp("2024-06-10"));
    CHECK(cp.locale() == "ru");
    const recommendation rec = find(cp, day, "class-b-online");
    CHECK(cp.explain(rec) == std::vector<std::string>{"класс B из B", "стадия 'presentation' — открытая (sales6)", "дней с последнего контакта 16 >= 7"});
    customer_facts f;
    cp.collect(std::uint32_t(p.customer_index("c")), day, f);
    CHECK(cp.goal(rec, f) == "Онлайн-касание каждую неделю");
    CHECK(cp.text_of(cp.reasons(find(cp, day, "control-point-overdue"))[0]) == "контрольная точка 'proposal' просрочена на 3 дня");

    p.set_locale("zh");
    compiled_policy zh(load_policy("seeds"), p);
    const recommendation zrec = find(zh, day, "class-b-online");
    CHECK(zh.explain(zrec)[2] == "距上次联系天数 16 >= 7");
    CHECK(zh.goal(zrec, f) == "以周为单位进行线上互动");
    CHECK(zh.text_of(zh.reasons(find(zh, day, "control-point-overdue"))[0]) == "控制点 'proposal' 已逾期 3天");
}

TEST_CASE("a policy's own templates, goals and descriptions by locale", "[policy][messages][locale]") {
    auto pol = policy_from_json(R"json({"id": "t", "locales": ["en", "ru"],
      "messages": {"days_since_contact": {"ru": "{actual} дн. без контакта (порог {threshold})", "en": "{actual} days without contact{via}"}},
      "rules": [{"id": "late", "description": {"en": "Late", "ru": "Давно"},
                 "when": {"fact": "days_since_contact", "op": ">=", "value": 10},
                 "action": {"kind": "contact", "goal": {"en": "Call {stage}", "ru": "Позвонить: {stage}"}}}]})json");
    CHECK(pol->locales.tags == std::vector<std::string>{"en", "ru"});
    CHECK(pol->rules[0].then.goal == "Call {stage}"); // the default locale's text
    portfolio p = make_portfolio(b_customer);
    const auto day = day_of(*parse_timestamp("2024-06-10"));
    {
        compiled_policy cp(pol, p);
        const recommendation rec = find(cp, day, "late");
        CHECK(cp.explain(rec) == std::vector<std::string>{"16 days without contact"});
        CHECK(cp.why(rec) == "Late");
    }
    p.set_locale("ru");
    compiled_policy cp(pol, p);
    const recommendation rec = find(cp, day, "late");
    CHECK(cp.explain(rec) == std::vector<std::string>{"16 дн. без контакта (порог 10)"});
    CHECK(cp.why(rec) == "Давно");
    customer_facts f;
    cp.collect(std::uint32_t(p.customer_index("c")), day, f);
    CHECK(cp.goal(rec, f) == "Позвонить: presentation");
    auto j = recommendation_to_json(cp, rec, day);
    CHECK(j["why"] == "Давно");
    CHECK(j["action"]["goal"] == "Позвонить: presentation");

    // A locale the policy has no text in shows its default locale's text; reasons use the built-in table.
    p.set_locale("zh");
    compiled_policy zh(pol, p);
    const recommendation zrec = find(zh, day, "late");
    CHECK(zh.why(zrec) == "Late");
    CHECK(zh.explain(zrec) == std::vector<std::string>{"距上次联系天数 16 >= 10"});
}

TEST_CASE("bad messages are reported with their positions", "[policy][messages]") {
    auto problem = [](const std::string &text) {
        try {
            policy_from_json(text, "p.json");
        } catch (const input_error &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string rules = R"("rules": [{"id": "r", "when": {"fact": "next_step", "op": "missing"}, "action": {}}])";
    CHECK_THAT(problem(R"({"id": "t", )" + rules + R"(, "messages": {"nope": {"en": "x"}}})"),
               Catch::Contains("p.json:1:") && Catch::Contains("unknown message id 'nope'"));
    CHECK_THAT(problem(R"({"id": "t", )" + rules + R"(, "messages": {"never_contacted": {"en": "{actual}"}}})"),
               Catch::Contains("unknown placeholder '{actual}' (this message has: via)"));
    CHECK_THAT(problem(R"({"id": "t", )" + rules + R"(, "messages": {"never_contacted": {"ru": "x"}}})"),
               Catch::Contains("unknown locale 'ru' (the policy's locales: en;"));
    CHECK_THAT(problem(R"({"id": "t", "locales": ["en", "ru"], )" + rules + R"(, "messages": {"next_step.missing": {"ru": "нет {шага}"}}})"),
               Catch::Contains("unknown placeholder '{шага}' (this message has: none)"));
}
