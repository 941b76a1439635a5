// Models: the builder, lookups, and every validation error (from the API and from JSON, with positions).
#include <catch2/catch.hpp>

#include <clm/model_json.hpp>

#include <algorithm>

using namespace clm;

namespace {

stage make_stage(std::string id, stage_kind k) {
    stage s;
    s.id = id;
    s.name = id;
    s.kind = k;
    s.task = "task of " + id;
    return s;
}

model_builder::transition_spec move(std::string from, std::string to, std::string ev) {
    model_builder::transition_spec t;
    t.from = std::move(from);
    t.to = std::move(to);
    t.event = std::move(ev);
    return t;
}

model_builder small_funnel() {
    model_builder b("funnel", 1);
    b.add_stage(make_stage("lead", stage_kind::open))
        .add_stage(make_stage("deal", stage_kind::open))
        .add_stage(make_stage("won", stage_kind::won))
        .add_stage(make_stage("lost", stage_kind::lost))
        .add_transition(move("lead", "deal", "advance"))
        .add_transition(move("deal", "won", "advance"))
        .add_transition(move("lead", "lost", "lose"))
        .add_transition(move("deal", "lost", "lose"))
        .add_transition(move("deal", "lead", "back"));
    return b;
}

std::vector<diagnostic> json_problems(const std::string &text) {
    try {
        model_from_json(text, "m.json");
    } catch (const input_error &e) {
        return e.problems();
    }
    return {};
}

bool has(const std::vector<diagnostic> &ps, const std::string &fragment, int line = -1) {
    return std::any_of(ps.begin(), ps.end(), [&](const diagnostic &d) {
        return d.message.find(fragment) != std::string::npos && (line < 0 || d.line == line);
    });
}

const char *valid_json = R"({
  "id": "mini",
  "version": 2,
  "initial": "a",
  "stages": [
    {"id": "a", "name": "A", "kind": "open", "task": "start"},
    {"id": "b", "name": "B", "kind": "won", "task": "done"}
  ],
  "transitions": [
    {"from": "a", "to": "b", "event": "go"}
  ]
})";

} // namespace

TEST_CASE("a built model interns stages and events and answers by table lookup", "[model]") {
    auto m = small_funnel().build();
    REQUIRE(m->stage_count() == 4);
    REQUIRE(m->event_count() == 3);
    auto lead = m->stage_of("lead"), deal = m->stage_of("deal"), won = m->stage_of("won");
    auto advance = *m->find_event("advance");
    CHECK(m->initial() == lead);
    CHECK(m->next(lead, advance) == deal);
    CHECK(m->next(deal, advance) == won);
    CHECK(m->next(won, advance) == no_stage);
    CHECK(m->next(deal, *m->find_event("back")) == lead); // backward moves where the model says so
    CHECK(m->transition_between(deal, m->stage_of("lost")) == 3);
    CHECK(m->transition_between(won, lead) == no_transition);
    CHECK(m->main_path() == std::vector<stage_index>{lead, deal, won});
    CHECK_FALSE(m->find_stage("nope"));
    CHECK_THROWS_AS(m->stage_of("nope"), not_found);
    CHECK(boost::num_edges(m->graph()) == 5);
}

TEST_CASE("the builder reports every problem at once", "[model][validation]") {
    model_builder b("bad", 0);
    stage p = make_stage("a", stage_kind::open);
    p.probability = 1.5;
    p.time_limit_days = -3;
    b.add_stage(p)
        .add_stage(make_stage("a", stage_kind::won))
        .add_stage(make_stage("has space", stage_kind::won))
        .initial("zzz")
        .add_transition(move("a", "nowhere", "go"))
        .add_transition(move("ghost", "a", "go"))
        .add_transition(move("a", "a", ""));
    auto ps = b.problems();
    CHECK(has(ps, "model version must be an integer >= 1"));
    CHECK(has(ps, "probability must be within [0, 1]"));
    CHECK(has(ps, "time limit must not be negative"));
    CHECK(has(ps, "duplicate stage id 'a'"));
    CHECK(has(ps, "id must be a non-empty string without spaces"));
    CHECK(has(ps, "initial stage 'zzz' is not a stage"));
    CHECK(has(ps, "unknown target stage 'nowhere'"));
    CHECK(has(ps, "unknown source stage 'ghost'"));
    CHECK(has(ps, "event must be a non-empty name"));
    CHECK(ps.size() == 9);
    CHECK_THROWS_AS(b.build(), input_error);
}

TEST_CASE("unreachable stages and dead ends are found", "[model][validation]") {
    auto b = small_funnel();
    b.add_stage(make_stage("island", stage_kind::open));              // unreachable, and a dead end
    b.add_stage(make_stage("limbo", stage_kind::dormant));            // reachable, but no way out
    b.add_transition(move("deal", "limbo", "pause"));
    auto ps = b.problems();
    CHECK(has(ps, "stage 'island' is unreachable from the initial stage 'lead'"));
    CHECK(has(ps, "stage 'island' is a dead end"));
    CHECK(has(ps, "stage 'limbo' is a dead end"));
    CHECK_FALSE(has(ps, "'deal' is a dead end"));
    CHECK(ps.size() == 3);
}

TEST_CASE("an event leads to one stage from a given stage", "[model][validation]") {
    auto b = small_funnel();
    b.add_transition(move("lead", "won", "advance"));
    b.add_transition(move("lead", "deal", "advance"));
    auto ps = b.problems();
    CHECK(has(ps, "an event must lead to one stage"));
    CHECK(has(ps, "duplicate transition"));
}

TEST_CASE("a model with no final stage is refused", "[model][validation]") {
    model_builder b("loop", 1);
    b.add_stage(make_stage("x", stage_kind::open)).add_stage(make_stage("y", stage_kind::open));
    b.add_transition(move("x", "y", "go")).add_transition(move("y", "x", "back"));
    CHECK(has(b.problems(), "no won, lost or terminal stage"));
}

TEST_CASE("guards of every kind are validated", "[model][guards]") {
    auto b = small_funnel();
    guard empty_items;
    empty_items.kind = guard::type::items_present;
    guard negative;
    negative.kind = guard::type::min_days;
    negative.days = -1;
    guard unnamed;
    unnamed.kind = guard::type::predicate;
    auto t = move("won", "deal", "reopen");
    t.guards = {empty_items, negative, unnamed};
    b.add_transition(t);
    auto ps = b.problems();
    CHECK(has(ps, "a 'requires' guard needs non-empty item names"));
    CHECK(has(ps, "'min_days' must not be negative"));
    CHECK(has(ps, "a 'predicate' guard needs a name"));
}

TEST_CASE("migrations map old stages to the new version", "[model][migration]") {
    migration m;
    m.from_version = 1;
    m.stages = {{"prospect", "lead"}, {"negotiation", "won"}};
    model_builder v2("funnel", 2);
    v2.add_stage(make_stage("lead", stage_kind::open)).add_stage(make_stage("won", stage_kind::won));
    v2.add_transition(move("lead", "won", "win"));
    v2.add_migration(m);
    m.stages = {{"x", "nowhere"}};
    m.from_version = 5;
    model_builder bad = v2;
    bad.add_migration(m);
    auto ps = bad.problems();
    CHECK(has(ps, "from_version must be >= 1 and below the model version 2"));
    CHECK(has(ps, "maps to unknown stage 'nowhere'"));

    auto model = v2.build();
    CHECK(model->migrate_stage(1, "prospect") == model->find_stage("lead"));
    CHECK(model->migrate_stage(1, "won") == model->find_stage("won"));    // same id carries over
    CHECK(model->migrate_stage(1, "negotiation") == model->find_stage("won"));
    CHECK(model->migrate_stage(2, "prospect") == std::nullopt);          // no map from version 2
    CHECK_FALSE(model->migrate_stage(1, "unknown"));
}

TEST_CASE("a minimal JSON model loads with defaults", "[model][json]") {
    auto m = model_from_json(valid_json, "m.json");
    CHECK(m->id() == "mini");
    CHECK(m->version() == 2);
    CHECK(m->stage_at(0).task == "start");
    CHECK_FALSE(m->stage_at(0).time_limit_days);
    CHECK_FALSE(m->stage_at(0).probability);
    CHECK(m->main_path().size() == 2);
    CHECK(m->transition_at(0).guards.empty());
}

TEST_CASE("JSON models round-trip through the canonical form", "[model][json]") {
    const char *text = R"({"id":"rt","version":1,"name":"Round trip","initial":"a",
      "stages":[{"id":"a","name":"A","kind":"open","task":"t","requirements":["doc"],"time_limit_days":5,"probability":0.25},
                {"id":"b","name":"B","kind":"dormant","task":"t2"},
                {"id":"c","name":"C","kind":"terminal","task":"t3"}],
      "transitions":[{"from":"a","to":"b","event":"pause","guards":[{"kind":"requires","items":["x","y"]},{"kind":"min_days","days":2},{"kind":"predicate","name":"ok"}]},
                     {"from":"b","to":"a","event":"wake"},
                     {"from":"a","to":"c","event":"end","reasons":["r1"],"reason_required":true}],
      "migrations":[{"from_version":1,"stages":{"old":"a"}}]})";
    // from_version 1 is not below version 1: fix the version to make it valid.
    std::string fixed = text;
    fixed.replace(fixed.find("\"version\":1"), 11, "\"version\":2");
    auto m = model_from_json(fixed);
    auto once = model_to_json(*m).dump();
    auto again = model_to_json(*model_from_json(once)).dump();
    CHECK(once == again);
    CHECK(m->transition_at(0).guards.size() == 3);
    CHECK(m->transition_at(0).guards[1].days == 2);
    CHECK(m->transition_at(2).reason_required);
    CHECK(m->predicate_names() == std::vector<std::string>{"ok"});
}

TEST_CASE("JSON validation reports every problem with its line and column", "[model][json][validation]") {
    std::string text = R"({
  "id": "broken",
  "version": 1,
  "initial": "start",
  "stages": [
    {"id": "start", "name": "Start", "kind": "open", "task": "go", "probability": 2},
    {"id": "start", "name": "Again", "kind": "open", "task": "dup"},
    {"id": "end", "name": "End", "kind": "finished", "task": "x", "time_limit_days": -1},
    {"id": "won", "name": "Won", "kind": "won", "task": "x", "colour": "red"}
  ],
  "transitions": [
    {"from": "start", "to": "nowhere", "event": "go"},
    {"from": "start", "to": "won", "event": "win", "guards": [{"kind": "magic"}]}
  ]
})";
    auto ps = json_problems(text);
    CHECK(has(ps, "probability must be within [0, 1]", 6));
    CHECK(has(ps, "duplicate stage id 'start'", 7));
    CHECK(has(ps, "unknown kind 'finished'", 8));
    CHECK(has(ps, "time limit must not be negative", 8));
    CHECK(has(ps, "unknown field 'colour'", 9));
    CHECK(has(ps, "unknown target stage 'nowhere'", 12));
    CHECK(has(ps, "unknown guard kind 'magic'", 13));
    for (const auto &d : ps) {
        CHECK(d.file == "m.json");
        CHECK(d.column > 0);
    }
    // Sorted by position.
    CHECK(std::is_sorted(ps.begin(), ps.end(), [](const diagnostic &a, const diagnostic &b) { return a.line < b.line; }));
}

TEST_CASE("JSON validation finds missing fields and wrong types", "[model][json][validation]") {
    auto ps = json_problems(R"({"version": "one", "stages": {}, "transitions": [{"from": 1}]})");
    CHECK(has(ps, "missing required field 'id'"));
    CHECK(has(ps, "'version' must be an integer"));
    CHECK(has(ps, "missing required field 'initial'"));
    CHECK(has(ps, "'stages' must be an array"));
    CHECK(has(ps, "'from' must be a string"));
    CHECK(has(ps, "missing required field 'to'"));
    CHECK(has(ps, "missing required field 'event'"));

    auto top = json_problems("[1, 2]");
    CHECK(has(top, "model must be a JSON object", 1));
}

TEST_CASE("graph problems in JSON point at the stage", "[model][json][validation]") {
    std::string text = R"({"id": "g", "version": 1, "initial": "a",
"stages": [
  {"id": "a", "name": "A", "kind": "open", "task": "t"},
  {"id": "b", "name": "B", "kind": "won", "task": "t"},
  {"id": "c", "name": "C", "kind": "open", "task": "t"}
],
"transitions": [{"from": "a", "to": "b", "event": "go"}]})";
    auto ps = json_problems(text);
    REQUIRE(ps.size() == 2);
    CHECK(has(ps, "stage 'c' is unreachable", 5));
    CHECK(has(ps, "stage 'c' is a dead end", 5));
    CHECK(ps[0].column == 10); // the id's value: `  {"id": "c"`
}

TEST_CASE("malformed JSON is a parse error, not a validation error", "[model][json]") {
    try {
        model_from_json("{\"id\": \"x\",\n  \"version\": 1,,}", "bad.json");
        FAIL("expected an error");
    } catch (const input_error &e) {
        CHECK(e.code() == CLM_E_PARSE);
        CHECK(e.problems().at(0).line == 2);
        CHECK_THAT(std::string(e.what()), Catch::StartsWith("bad.json:2:"));
    }
}
