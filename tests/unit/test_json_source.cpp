// The position-keeping JSON reader: values, positions, and every kind of malformed input.
#include <catch2/catch.hpp>

#include <clm/json_source.hpp>

using clm::input_error;
using clm::json_source;

namespace {

clm::diagnostic parse_failure(const std::string &text) {
    try {
        json_source s(text, "f.json");
    } catch (const input_error &e) {
        REQUIRE(e.code() == CLM_E_PARSE);
        REQUIRE(e.problems().size() == 1);
        return e.problems()[0];
    }
    FAIL("expected a parse error for: " << text);
    return {};
}

} // namespace

TEST_CASE("json_source reads values as nlohmann::json", "[json]") {
    json_source s(R"({"a": [1, -2.5, "x\u00e9\ud83d\ude00", true, null], "b": {"c": 12345678901}})", "");
    const auto &d = s.doc();
    CHECK(d["a"][0] == 1);
    CHECK(d["a"][1] == -2.5);
    CHECK(d["a"][2] == "x\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(d["a"][3] == true);
    CHECK(d["a"][4].is_null());
    CHECK(d["b"]["c"] == 12345678901LL);
}

TEST_CASE("json_source remembers each value's line and column", "[json]") {
    std::string text = "{\n  \"stages\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\"}\n  ]\n}";
    json_source s(text, "m.json");
    auto d = s.at("/stages/1/id", "msg");
    CHECK(d.file == "m.json");
    CHECK(d.line == 4);
    CHECK(d.column == 12);
    // An unknown pointer falls back to the nearest enclosing value.
    auto e = s.at("/stages/0/missing", "msg");
    CHECK(e.line == 3);
    CHECK(e.column == 5);
    CHECK(s.at("/stages/1/id", "bad").to_string() == "m.json:4:12: error: bad");
}

TEST_CASE("json_source reports malformed input with its position", "[json]") {
    auto d = parse_failure("{\n  \"a\": 1,\n  \"b\" 2\n}");
    CHECK(d.line == 3);
    CHECK(d.column == 7);
    CHECK_THAT(d.message, Catch::Contains("expected ':'"));

    CHECK_THAT(parse_failure("").message, Catch::Contains("unexpected end of input"));
    CHECK_THAT(parse_failure("{\"a\": 1, \"a\": 2}").message, Catch::Contains("duplicate key \"a\""));
    CHECK(parse_failure("{\"a\": 1, \"a\": 2}").column == 10);
    CHECK_THAT(parse_failure("[1, 2,]").message, Catch::Contains("unexpected character ']'"));
    CHECK_THAT(parse_failure("[01]").message, Catch::Contains("leading zeros"));
    CHECK_THAT(parse_failure("\"abc").message, Catch::Contains("unterminated string"));
    CHECK_THAT(parse_failure("\"a\\qb\"").message, Catch::Contains("unknown escape"));
    CHECK_THAT(parse_failure("\"\xC3\x28\"").message, Catch::Contains("invalid UTF-8"));
    CHECK_THAT(parse_failure("\"\xE0\x80\xAF\"").message, Catch::Contains("invalid UTF-8")); // overlong
    CHECK_THAT(parse_failure("\"\xED\xA0\x80\"").message, Catch::Contains("invalid UTF-8")); // surrogate
    CHECK_THAT(parse_failure("\"\\ud800x\"").message, Catch::Contains("surrogate"));
    CHECK_THAT(parse_failure("{} {}").message, Catch::Contains("unexpected text after"));
    CHECK_THAT(parse_failure("tru").message, Catch::Contains("unexpected character 't'"));
    CHECK_THAT(parse_failure("\"a\tb\"").message, Catch::Contains("control character"));
    CHECK_THAT(parse_failure(std::string(300, '[') + std::string(300, ']')).message, Catch::Contains("nesting deeper"));
}
