// Every date clm prints can be read back (issue 17): 1400-01-01 to 9999-12-31
// on input, and a date computed outside them is an error, not a date no reader takes.
#include <catch2/catch.hpp>

#include <clm/dates.hpp>
#include <clm/json_source.hpp>

#include <limits>

using namespace clm;

TEST_CASE("the first and last days are 1400-01-01 and 9999-12-31, on input and on output") {
    REQUIRE(parse_timestamp("1400-01-01"));
    REQUIRE(parse_timestamp("9999-12-31T23:59:59"));
    CHECK(day_of(*parse_timestamp("1400-01-01")) == first_day);
    CHECK(day_of(*parse_timestamp("9999-12-31")) == last_day);
    CHECK_FALSE(parse_timestamp("1399-12-31"));
    CHECK(format_date(first_day * seconds_per_day) == "1400-01-01");
    CHECK(format_timestamp(last_day * seconds_per_day + seconds_per_day - 1) == "9999-12-31T23:59:59");
    // Every printed date reads back as the same day, at both ends and around them.
    for (std::int64_t day : {first_day, first_day + 1, std::int64_t(0), std::int64_t(-1), last_day - 1, last_day}) {
        auto back = parse_timestamp(format_date(day * seconds_per_day));
        REQUIRE(back);
        CHECK(day_of(*back) == day);
    }
}

TEST_CASE("a date outside the range is an error naming it, never printed") {
    try {
        format_date((last_day + 3650) * seconds_per_day);
        FAIL("no error");
    } catch (const invalid_argument &e) {
        CHECK(std::string(e.what()) == "a date computed as 10009-12-28 is after 9999-12-31, outside the dates clm reads and writes (1400-01-01 to 9999-12-31)");
    }
    CHECK_THROWS_AS(format_timestamp((last_day + 1) * seconds_per_day), invalid_argument);
    CHECK_THROWS_AS(format_timestamp(first_day * seconds_per_day - 1), invalid_argument);
    try {
        format_date((first_day - 3) * seconds_per_day);
        FAIL("no error");
    } catch (const invalid_argument &e) {
        CHECK(std::string(e.what()).rfind("a date computed as 1399-12-29 is before 1400-01-01", 0) == 0);
    }
    CHECK_THROWS_AS(format_timestamp(std::numeric_limits<timestamp>::max()), invalid_argument);
    CHECK_THROWS_AS(format_timestamp(std::numeric_limits<timestamp>::min() / 2), invalid_argument);
}

TEST_CASE("a number with no fractional part is an integer, as JSON Schema counts it") {
    json_source s(R"({"a": 1.0, "b": 7e0, "c": -2.50e1, "d": 1.5, "e": 1e16, "f": 1e20})", "");
    CHECK(s.doc()["a"].is_number_integer());
    CHECK(s.doc()["a"].get<long long>() == 1);
    CHECK(s.doc()["b"].get<long long>() == 7);
    CHECK(s.doc()["c"].is_number_integer());
    CHECK(s.doc()["c"].get<long long>() == -25);
    CHECK(s.doc()["d"].is_number_float());
    CHECK(s.doc()["e"].is_number_float()); // past 2^53 a double is not exact: kept as a number
    CHECK(s.doc()["f"].is_number_float());
}
