// Hardening: memory bounded by the input (sparse model tables, the JSON
// position table), counts that never truncate, every validation problem at
// once, the shared number syntax, capped problem lists, input limits, saves.
#include <catch2/catch.hpp>

#include <clm/file_io.hpp>
#include <clm/json_source.hpp>
#include <clm/model_json.hpp>
#include <clm/numbers.hpp>
#include <clm/printable.hpp>
#include <clm/problem_cap.hpp>

#include <cstdio>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

using namespace clm;

namespace {

stage plain_stage(const std::string &id, stage_kind k) {
    stage s;
    s.id = id;
    s.name = id;
    s.kind = k;
    s.task = "t";
    return s;
}

model_builder::transition_spec edge(std::string from, std::string to, std::string ev) {
    model_builder::transition_spec t;
    t.from = std::move(from);
    t.to = std::move(to);
    t.event = std::move(ev);
    return t;
}

// A chain s0 -> s1 -> ... -> s(n-1) (won), each step on its own event (or all
// on "next"), and from every hundredth stage a "lose" to the stage "lost".
model_builder chain(std::size_t n, bool distinct_events) {
    model_builder b("chain", 1);
    for (std::size_t i = 0; i < n; ++i) b.add_stage(plain_stage("s" + std::to_string(i), i + 1 == n ? stage_kind::won : stage_kind::open));
    b.add_stage(plain_stage("lost", stage_kind::lost));
    for (std::size_t i = 0; i + 1 < n; ++i) {
        b.add_transition(edge("s" + std::to_string(i), "s" + std::to_string(i + 1), distinct_events ? "e" + std::to_string(i) : "next"));
        if (i % 100 == 0) b.add_transition(edge("s" + std::to_string(i), "lost", "lose"));
    }
    return b;
}

bool mentions(const std::vector<diagnostic> &ps, const std::string &what) {
    for (const auto &p : ps)
        if (p.message.find(what) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("a large model keeps sparse tables that answer like dense ones", "[model][limits]") {
    // 3,000 stages with distinct events: a dense stage x event table would hold 9 million entries.
    auto m = chain(3000, true).build();
    CHECK_FALSE(m->dense_tables());
    const auto s10 = *m->find_stage("s10"), s11 = *m->find_stage("s11"), lost = *m->find_stage("lost");
    const auto e10 = *m->find_event("e10"), lose = *m->find_event("lose"), e11 = *m->find_event("e11");
    CHECK(m->next(s10, e10) == s11);
    CHECK(m->next(s10, e11) == no_stage);
    CHECK(m->next(s10, lose) == no_stage); // only every hundredth stage may be lost
    CHECK(m->next(*m->find_stage("s100"), lose) == lost);
    CHECK(m->step(s10, e10).unchecked);
    CHECK(m->transition_on(s10, e10) != no_transition);
    CHECK(m->transition_at(m->transition_on(s10, e10)).to == s11);
    CHECK(m->transition_between(s10, s11) == m->transition_on(s10, e10));
    CHECK(m->transition_between(s11, s10) == no_transition);
    CHECK(m->transition_between(s10, lost) == no_transition);

    // The same lookups on a small model use the dense tables.
    auto small = chain(20, true).build();
    CHECK(small->dense_tables());
    CHECK(small->next(*small->find_stage("s3"), *small->find_event("e3")) == *small->find_stage("s4"));
}

TEST_CASE("a 60,000-stage chain validates without stage x stage tables", "[model][limits]") {
    auto m = chain(60000, true).build();
    CHECK(m->stage_count() == 60001);
    CHECK_FALSE(m->dense_tables());
    CHECK(m->next(*m->find_stage("s59998"), *m->find_event("e59998")) == *m->find_stage("s59999"));
}

TEST_CASE("too many stages is one problem, not a flood of false dead ends", "[model][limits]") {
    auto problems = chain(70000, true).problems();
    REQUIRE(problems.size() == 2); // stages and transitions, nothing else
    CHECK(problems[0].message == "too many stages: 70001 (at most 65534)");
    CHECK(problems[1].message == "too many transitions: 70699 (at most 65534)");
}

TEST_CASE("validation reports graph problems beside id problems", "[model]") {
    model_builder b("m", 1);
    b.add_stage(plain_stage("lead", stage_kind::open))
        .add_stage(plain_stage("lead", stage_kind::open)) // duplicate: reported, not judged
        .add_stage(plain_stage("island", stage_kind::open))
        .add_stage(plain_stage("limbo", stage_kind::open))
        .add_stage(plain_stage("half", stage_kind::open))
        .add_stage(plain_stage("won", stage_kind::won))
        .add_transition(edge("lead", "won", "win"))
        .add_transition(edge("lead", "limbo", "wait"))
        .add_transition(edge("island", "won", "win"))
        .add_transition(edge("lead", "half", "try"))
        .add_transition(edge("half", "nowhere", "go")); // unknown target: half may finish through it
    auto ps = b.problems();
    CHECK(mentions(ps, "duplicate stage id 'lead'"));
    CHECK(mentions(ps, "unknown target stage 'nowhere'"));
    CHECK(mentions(ps, "stage 'island' is unreachable"));
    CHECK(mentions(ps, "stage 'limbo' is a dead end"));
    CHECK_FALSE(mentions(ps, "stage 'half' is a dead end"));
    CHECK(ps.size() == 4);
}

TEST_CASE("json_source positions nested and escaped keys without a path per value", "[json][limits]") {
    json_source src("{\"a/b\": {\"t~x\": [1, {\"k\": true}]},\n \"z\": 2}", "f.json");
    CHECK(src.at("/a~1b/t~0x/1/k", "m").column == 27);
    CHECK(src.at("/z", "m").line == 2);
    CHECK(src.at("/z", "m").column == 7);
    CHECK(src.at("/a~1b/t~0x/7", "m").column == 17); // no element 7: the array itself
    CHECK(src.at("/nope/deeper", "m").column == 1);  // the root

    // 2,000 levels would be refused; 250 nested 1,000-byte keys are fine and cheap.
    std::string text, close;
    for (int i = 0; i < 250; ++i) {
        text += "{\"" + std::string(1000, char('a' + i % 26)) + "\":";
        close += "}";
    }
    text += "1" + close;
    json_source deep(text, "deep.json");
    std::string pointer;
    for (int i = 0; i < 250; ++i) pointer += "/" + std::string(1000, char('a' + i % 26));
    CHECK(deep.at(pointer, "m").column == int(250 * 1004) + 1);
}

TEST_CASE("JSON numbers too large for a double are refused", "[json][numbers]") {
    CHECK_THROWS_WITH(json_source("[1e999]", ""), Catch::Contains("number out of range"));
    CHECK_THROWS_WITH(json_source("{\"x\": -1e400}", ""), Catch::Contains("number out of range"));
    CHECK(json_source("[1e308]", "").doc()[0].get<double>() == 1e308);
}

TEST_CASE("a JSON document larger than the limit is refused before it is parsed", "[json][limits]") {
    const std::size_t saved = max_json_bytes();
    set_max_json_bytes(10);
    CHECK_THROWS_WITH(json_source("[1, 2, 3, 4, 5]", "x.json"), Catch::Contains("larger than the limit of 10 bytes (set CLM_MAX_JSON_BYTES"));
    set_max_json_bytes(saved);
}

TEST_CASE("numbers in text are decimal, finite and whole", "[numbers]") {
    CHECK(parse_decimal("12") == 12.0);
    CHECK(parse_decimal("-0.5") == -0.5);
    CHECK(parse_decimal("1.25e3") == 1250.0);
    for (const char *bad : {"", "-", "0x10", "inf", "-inf", "nan", "NaN", "1e999", " 1", "1 ", "+1", ".5", "5.", "1e", "1,5", "0x1p3", "1_0"})
        CHECK_FALSE(parse_decimal(bad));
    CHECK_FALSE(parse_decimal(std::string_view("1\0", 2)));
    CHECK(parse_whole("42", 0, 100) == 42);
    for (const char *bad : {"banana", "", "+1", "1.0", "101", "-1", "99999999999999999999", "1 "})
        CHECK_FALSE(parse_whole(bad, 0, 100));
    CHECK(valid_amount(-5, true));
    CHECK_FALSE(valid_amount(-5, false));
    CHECK_FALSE(valid_amount(1e13, true));
}

TEST_CASE("problem lists keep the first 100 and count the rest", "[limits]") {
    std::vector<diagnostic> ps(250, diagnostic{"f", 1, 1, "bad"});
    auto c = capped(ps);
    REQUIRE(c.size() == 101);
    CHECK(c.back().message == "... and 150 more problems not shown (the first 100 are listed)");
    CHECK(capped(std::vector<diagnostic>(3, diagnostic{"f", 1, 1, "bad"})).size() == 3);
}

TEST_CASE("messages quote input safely", "[limits]") {
    CHECK(printable(std::string_view("a\0b\x01", 4)) == "a\\x00b\\x01");
    CHECK(printable("\xff") == "\\xFF");
    CHECK(printable(std::string(100, 'x')) == std::string(60, 'x') + "...");
    CHECK(printable("\xc3\xa9t\xc3\xa9", 2) == "\xc3\xa9...");
    CHECK(printable("t\xc3\xa9t", 2) == "t...");
}

TEST_CASE("read_file stops at its limit", "[limits][io]") {
    CHECK_THROWS_WITH(read_file("/dev/zero", 1 << 20), Catch::Contains("larger than the input limit of 1048576 bytes"));
}

TEST_CASE("a save never goes through a symbolic link", "[io]") {
    char dir[] = "/tmp/clm-hardening-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    const std::string d = dir, target = d + "/target", link = d + "/link", tmp = d + "/file.tmp-clm";
    // A link planted where the path is: refused, the target not created.
    REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
    CHECK_THROWS_WITH(write_file_atomic(link, "data"), Catch::Contains("is a symbolic link"));
    struct stat st;
    CHECK(::stat(target.c_str(), &st) != 0);
    // A link planted under the temporary's name: removed, never followed.
    REQUIRE(::symlink(target.c_str(), tmp.c_str()) == 0);
    write_file_atomic(d + "/file", "data");
    CHECK(::stat(target.c_str(), &st) != 0);
    CHECK(read_file(d + "/file") == "data");
    ::unlink(link.c_str());
    ::unlink((d + "/file").c_str());
    ::rmdir(dir);
}
