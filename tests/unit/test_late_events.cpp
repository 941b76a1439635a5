// Late events and same-time rows (docs/event-log.md, "Late events" and
// "Same-time rows"): folded in at their time, all-or-nothing, with sequence
// numbers, as-of queries, undo and saves kept right. Expected figures are
// worked out by hand from the small model below.
#include <catch2/catch.hpp>

#include <clm/event_log.hpp>
#include <clm/event_stream.hpp>
#include <clm/model_json.hpp>
#include <clm/save_file.hpp>

#include <string>

using namespace clm;

namespace {

timestamp day(const char *d) { return *parse_timestamp(d); }

// lead -> qualified | contacted | lost; qualified <-> contacted; both -> won; contacted -> lost.
const char *funnel = R"({"id":"f","version":1,"initial":"lead",
  "stages":[{"id":"lead","name":"Lead","kind":"open","task":"t"},
            {"id":"qualified","name":"Qualified","kind":"open","task":"t"},
            {"id":"contacted","name":"Contacted","kind":"open","task":"t"},
            {"id":"won","name":"Won","kind":"won","task":"t"},
            {"id":"lost","name":"Lost","kind":"lost","task":"t"}],
  "transitions":[{"from":"lead","to":"qualified","event":"qualify"},
                 {"from":"lead","to":"contacted","event":"contact"},
                 {"from":"lead","to":"lost","event":"lose"},
                 {"from":"qualified","to":"contacted","event":"contact"},
                 {"from":"contacted","to":"qualified","event":"requalify"},
                 {"from":"qualified","to":"won","event":"win"},
                 {"from":"contacted","to":"won","event":"win"},
                 {"from":"contacted","to":"lost","event":"lose"}]})";

portfolio make() {
    portfolio p;
    p.add_model(model_from_json(funnel));
    return p;
}

event_input ev(const std::string &customer, const char *date, event_type type, const std::string &value) {
    event_input e;
    e.customer_id = customer;
    e.time = day(date);
    e.type = type;
    e.value = value;
    return e;
}

std::string stage_of(const portfolio &p, const std::string &c) {
    return p.model_at(0).stage_at(p.position(p.customer_index(c), 0).stage).id;
}

std::string stage_as_of(const portfolio &p, const std::string &c, const char *date) {
    auto s = p.position_as_of(p.customer_index(c), 0, day(date)).stage;
    return s == no_stage ? "-" : p.model_at(0).stage_at(s).id;
}

} // namespace

TEST_CASE("a late move is folded in at its time and the later moves re-checked after it", "[late]") {
    portfolio p = make();
    p.apply(ev("a", "2024-01-01", event_type::stage, "lead"));
    p.apply(ev("a", "2024-01-20", event_type::stage, "contacted"));
    p.apply(ev("a", "2024-01-10", event_type::stage, "qualified")); // late: lead -> qualified -> contacted
    const auto a = p.customer_index("a");
    CHECK(stage_of(p, "a") == "contacted");
    CHECK(p.position(a, 0).entered == day("2024-01-20"));
    CHECK(p.position(a, 0).moves == 3); // lead, qualified, contacted (2 before the late one)
    CHECK(stage_as_of(p, "a", "2024-01-15") == "qualified");
    CHECK(p.position_as_of(a, 0, day("2024-01-15")).entered == day("2024-01-10"));
    CHECK(stage_as_of(p, "a", "2024-01-05") == "lead");
    // The journal stays in arrival order: the late event has the next sequence number ...
    REQUIRE(p.journal().size() == 3);
    CHECK(p.journal()[2].time == day("2024-01-10"));
    CHECK(p.seq_of(2) == 3);
    CHECK(p.index_after(2) == 2);
    // ... and the history is in time order.
    auto h = p.history(a);
    REQUIRE(h.size() == 3);
    CHECK(h == std::vector<std::uint32_t>{0, 2, 1});
    auto snap = p.snapshot(a);
    REQUIRE(snap.stages.size() == 3);
    CHECK(snap.stages[1].time == day("2024-01-10"));
    // The event can still be followed by more, in time order or late.
    p.apply(ev("a", "2024-01-25", event_type::stage, "won"));
    CHECK(stage_of(p, "a") == "won");
}

TEST_CASE("a late first move places the customer; a late non-move changes no stage", "[late]") {
    portfolio p = make();
    p.apply(ev("b", "2024-02-01", event_type::tag, "vip"));
    p.apply(ev("b", "2024-02-20", event_type::stage, "contacted")); // placed straight in 'contacted'
    p.apply(ev("b", "2024-02-05", event_type::stage, "lead"));      // late: now placed in 'lead' first
    const auto b = p.customer_index("b");
    CHECK(stage_of(p, "b") == "contacted");
    CHECK(p.position(b, 0).moves == 2);
    CHECK(p.position(b, 0).first_event == 2); // the late event
    CHECK(stage_as_of(p, "b", "2024-02-10") == "lead");
    p.apply(ev("b", "2024-02-03", event_type::contact, ""));
    CHECK(p.snapshot(b, day("2024-02-04")).contacts == 1);
    CHECK(p.snapshot(b, day("2024-02-02")).contacts == 0);
    CHECK(p.position(b, 0).moves == 2);
    CHECK(p.position(b, 0).entered == day("2024-02-20"));
}

TEST_CASE("a late event that breaks a later one changes nothing and the error names that event", "[late]") {
    portfolio p = make();
    p.apply(ev("c", "2024-01-01", event_type::stage, "lead"));
    p.apply(ev("c", "2024-01-10", event_type::stage, "contacted"));
    const std::string before = save_to_string(p);
    try {
        p.apply(ev("c", "2024-01-05", event_type::stage, "lost")); // lost -> contacted is no transition
        FAIL("the late event should have been refused");
    } catch (const illegal_transition &e) {
        CHECK_THAT(e.what(), Catch::Contains("customer 'c': the late event at 2024-01-05") &&
                                 Catch::Contains("later event #2 at 2024-01-10 (stage 'contacted' in model 'f')") &&
                                 Catch::Contains("no transition from 'lost' to 'contacted'"));
    }
    CHECK(save_to_string(p) == before);
    CHECK(p.history(0) == std::vector<std::uint32_t>{0, 1});
    // In a batch, the same: the whole batch is rolled back, links included.
    std::vector<event_input> batch{ev("c", "2024-01-07", event_type::tag, "x"), ev("c", "2024-01-06", event_type::stage, "lost")};
    CHECK_THROWS_AS(p.apply_batch(batch, false), illegal_transition);
    CHECK(save_to_string(p) == before);
    CHECK(p.history(0) == std::vector<std::uint32_t>{0, 1});
    // Skipping bad rows keeps the good late one.
    auto rejected = p.apply_batch(batch, true);
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].index == 1);
    CHECK(p.history(0) == std::vector<std::uint32_t>{0, 2, 1});
}

TEST_CASE("strict time order refuses late events as before", "[late]") {
    portfolio p = make();
    p.set_strict_time_order(true);
    p.apply(ev("d", "2024-01-10", event_type::stage, "lead"));
    CHECK_THROWS_WITH(p.apply(ev("d", "2024-01-05", event_type::tag, "x")), Catch::Contains("is older than the customer's last event"));
    const model &m = p.model_at(0);
    CHECK_THROWS_WITH(p.move(0, 0, *m.find_event("contact"), day("2024-01-05")), Catch::Contains("is older than the customer's last event"));
    p.set_strict_time_order(false);
    p.move(0, 0, *m.find_event("contact"), day("2024-01-12"));
    p.move(0, 0, *m.find_event("qualify"), day("2024-01-11")); // late, by index: lead -> qualified -> contacted
    CHECK(stage_as_of(p, "d", "2024-01-11") == "qualified");
    CHECK(stage_of(p, "d") == "contacted");
}

TEST_CASE("a save and a rebuild from the journal keep late events where they belong", "[late]") {
    portfolio p = make();
    p.apply(ev("e", "2024-01-01", event_type::stage, "lead"));
    p.apply(ev("e", "2024-01-20", event_type::stage, "contacted"));
    p.apply(ev("e", "2024-01-10", event_type::stage, "qualified"));
    p.apply(ev("f", "2024-01-02", event_type::stage, "lead"));
    portfolio q = load_from_string(save_to_string(p), "mem");
    CHECK(save_to_string(q) == save_to_string(p));
    CHECK(q.history(0) == p.history(0));
    CHECK(q.position(0, 0).moves == 3);
    CHECK(stage_as_of(q, "e", "2024-01-15") == "qualified");
    // The export (arrival order) imported anew sorts by time: the same state.
    portfolio r = make();
    import_event_log(r, export_event_log(p), "x.csv");
    CHECK(stage_as_of(r, "e", "2024-01-15") == "qualified");
    CHECK(r.position(0, 0).moves == 3);
}

TEST_CASE("a late row in a later import or stream chunk is folded in", "[late][stream]") {
    portfolio p = make();
    import_event_log(p, "customer_id,timestamp,type,value\ng,2024-01-01,stage,lead\ng,2024-01-20,stage,contacted\n", "1.csv");
    auto r = import_event_log(p, "customer_id,timestamp,type,value\ng,2024-01-10,stage,qualified\n", "2.csv");
    CHECK(r.applied == 1);
    CHECK(stage_as_of(p, "g", "2024-01-15") == "qualified");
    try {
        import_event_log(p, "customer_id,timestamp,type,value\ng,2024-01-12,tag,x\ng,2024-01-05,stage,lost\n", "3.csv");
        FAIL("refused");
    } catch (const illegal_transition &e) {
        CHECK_THAT(e.what(), Catch::StartsWith("3.csv:3: customer 'g': the late event at 2024-01-05"));
    }
    CHECK(p.journal().size() == 3);
}

TEST_CASE("same-time rows whose file order is illegal are applied in the one legal order, with a note", "[same-time]") {
    portfolio p = make();
    auto r = import_event_log(p,
                              "customer_id,timestamp,type,value\n"
                              "h,2024-03-01,stage,lead\n"
                              "k,2024-03-05,stage,lead\n"
                              "h,2024-03-05,stage,won\n"
                              "h,2024-03-05,tag,hot\n"
                              "h,2024-03-05,stage,contacted\n",
                              "s.csv");
    CHECK(r.applied == 5);
    CHECK(stage_of(p, "h") == "won");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0] == "s.csv:4: note: customer 'h': rows 4, 5, 6 at 2024-03-05 applied in the order 5, 6, 4 "
                           "(the model refuses the file's order; it allows only this one)");
    // Journal: h's lead, then k (its row comes first at that time), then h's tag, contacted, won.
    REQUIRE(p.journal().size() == 5);
    CHECK(p.journal()[1].customer == p.customer_index("k"));
    CHECK(p.journal()[2].type == event_type::tag);
    CHECK(p.model_at(0).stage_at(stage_index(p.journal()[3].value)).id == "contacted");
    // A file order that is legal stays as it is, without a note.
    portfolio q = make();
    auto r2 = import_event_log(q, "customer_id,timestamp,type,value\nh,2024-03-05,stage,lead\nh,2024-03-05,stage,contacted\n", "t.csv");
    CHECK(r2.warnings.empty());
}

TEST_CASE("same-time rows with no legal order, or several, are refused naming the rows", "[same-time]") {
    portfolio p = make();
    import_event_log(p, "customer_id,timestamp,type,value\nm,2024-03-01,stage,contacted\nn,2024-03-01,stage,lead\n", "0.csv");
    const std::string before = save_to_string(p);
    // contacted -> won and contacted -> lost, but neither won -> lost nor lost -> won.
    try {
        import_event_log(p, "customer_id,timestamp,type,value\nm,2024-03-02,stage,won\nm,2024-03-02,stage,lost\n", "none.csv");
        FAIL("refused");
    } catch (const illegal_transition &e) {
        CHECK_THAT(e.what(), Catch::StartsWith("none.csv:2, none.csv:3: customer 'm': 2 rows at 2024-03-02: no order of them is legal") &&
                                 Catch::Contains("in the order given, none.csv:3: customer 'm' in model 'f': no transition from 'won' to 'lost'"));
    }
    // From lead: qualified, contacted, won and contacted, qualified, won are both legal.
    try {
        import_event_log(p, "customer_id,timestamp,type,value\nn,2024-03-02,stage,won\nn,2024-03-02,stage,contacted\nn,2024-03-02,stage,qualified\n",
                         "several.csv");
        FAIL("refused");
    } catch (const illegal_transition &e) {
        CHECK_THAT(e.what(), Catch::Contains("customer 'n': 3 rows at 2024-03-02: several orders of them are legal"));
    }
    CHECK(save_to_string(p) == before);
    // Skipping bad rows: the group is applied row by row in file order instead.
    auto r = import_event_log(p, "customer_id,timestamp,type,value\nm,2024-03-02,stage,won\nm,2024-03-02,stage,lost\n", "skip.csv", true);
    CHECK(r.applied == 1);
    CHECK(stage_of(p, "m") == "won");
}

TEST_CASE("more same-time moves than the bound are not reordered", "[same-time]") {
    portfolio p = make();
    std::string text = "customer_id,timestamp,type,value\nz,2024-03-01,stage,lead\n";
    text += "z,2024-03-02,stage,won\n"; // first: illegal from lead
    for (int i = 0; i < 3; ++i) text += "z,2024-03-02,stage,contacted\nz,2024-03-02,stage,qualified\n";
    CHECK_THROWS_WITH(import_event_log(p, text, "big.csv"), Catch::Contains("are not reordered (7 moves, more than 6)"));
    CHECK(p.customer_count() == 0);
}
