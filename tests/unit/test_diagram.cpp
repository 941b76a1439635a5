// Diagrams: DOT and Mermaid carry every stage, coloured by kind, and every edge labelled by event.
#include <catch2/catch.hpp>

#include <clm/diagram.hpp>
#include <clm/presets.hpp>

using namespace clm;

TEST_CASE("DOT has every stage and every labelled edge", "[diagram]") {
    auto m = load_preset("sales6");
    auto dot = model_to_dot(*m);
    CHECK_THAT(dot, Catch::StartsWith("digraph \"sales6\" {"));
    for (stage_index s = 0; s < m->stage_count(); ++s) CHECK_THAT(dot, Catch::Contains("\"" + m->stage_at(s).id + "\" [label="));
    std::size_t edges = 0;
    for (std::size_t pos = dot.find(" -> "); pos != std::string::npos; pos = dot.find(" -> ", pos + 1)) ++edges;
    CHECK(edges == m->transition_count());
    CHECK_THAT(dot, Catch::Contains("fillcolor=\"#bbf7d0\"")); // a won stage
    CHECK_THAT(dot, Catch::Contains("fillcolor=\"#fecaca\"")); // a lost stage
    CHECK_THAT(dot, Catch::Contains("[label=\"advance"));
}

TEST_CASE("DOT and Mermaid escape awkward ids and names", "[diagram]") {
    auto m = model_from_json(R"({"id":"q\"x","version":1,"initial":"a-1",
      "stages":[{"id":"a-1","name":"Say \"hi\": now","kind":"open","task":"t"},{"id":"b","name":"B","kind":"won","task":"t"}],
      "transitions":[{"from":"a-1","to":"b","event":"go"}]})");
    auto dot = model_to_dot(*m);
    CHECK_THAT(dot, Catch::Contains("digraph \"q\\\"x\""));
    CHECK_THAT(dot, Catch::Contains("Say \\\"hi\\\": now"));
    auto mer = model_to_mermaid(*m);
    CHECK_THAT(mer, Catch::StartsWith("stateDiagram-v2\n"));
    CHECK_THAT(mer, Catch::Contains("state \"Say #34;hi#34;#58; now\" as s_a_2d1"));
    CHECK_THAT(mer, Catch::Contains("[*] --> s_a_2d1"));
    CHECK_THAT(mer, Catch::Contains("s_a_2d1 --> s_b : go"));
    CHECK_THAT(mer, Catch::Contains("class s_b won"));
}

TEST_CASE("text shows stages with tasks and transitions with guards", "[diagram]") {
    auto m = load_preset("sales6");
    auto text = model_to_text(*m);
    CHECK_THAT(text, Catch::StartsWith("sales6 v"));
    CHECK_THAT(text, Catch::Contains("task: "));
    CHECK_THAT(text, Catch::Contains("[requires "));
}
