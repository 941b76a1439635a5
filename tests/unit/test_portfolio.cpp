// Portfolios: applying events, guards, all-or-nothing batches, as-of queries, migration.
#include <catch2/catch.hpp>

#include <clm/event_log.hpp>
#include <clm/portfolio_json.hpp>
#include <clm/presets.hpp>

using namespace clm;

namespace {

timestamp day(const char *d) { return *parse_timestamp(d); }

event_input stage_ev(const std::string &customer, const char *date, const std::string &stage, const std::string &model = "") {
    event_input e;
    e.customer_id = customer;
    e.time = day(date);
    e.type = event_type::stage;
    e.value = stage;
    e.model = model;
    return e;
}

event_input other(const std::string &customer, const char *date, event_type type, const std::string &value) {
    event_input e;
    e.customer_id = customer;
    e.time = day(date);
    e.type = type;
    e.value = value;
    return e;
}

const char *guarded_model = R"({"id":"g","version":1,"initial":"a",
  "stages":[{"id":"a","name":"A","kind":"open","task":"t"},
            {"id":"b","name":"B","kind":"open","task":"t","requirements":["brief"]},
            {"id":"c","name":"C","kind":"won","task":"t"},
            {"id":"x","name":"X","kind":"lost","task":"t"}],
  "transitions":[{"from":"a","to":"b","event":"go","guards":[{"kind":"min_days","days":3}]},
                 {"from":"b","to":"c","event":"win","guards":[{"kind":"predicate","name":"credit_ok"}]},
                 {"from":"a","to":"x","event":"lose","reason_required":true},
                 {"from":"b","to":"x","event":"lose"}]})";

} // namespace

TEST_CASE("applying stage events moves customers along legal transitions only", "[portfolio]") {
    portfolio p;
    p.add_model(load_preset("sales6"));
    p.apply(stage_ev("c1", "2024-01-10", "presentation"));
    REQUIRE(p.customer_count() == 1);
    auto c = p.customer_index("c1");
    CHECK(p.model_at(0).stage_at(p.position(c, 0).stage).id == "presentation");

    // presentation -> payment skips steps: refused, naming customer, stages; nothing changes.
    auto before = p.journal().size();
    try {
        p.apply(stage_ev("c1", "2024-01-11", "payment"));
        FAIL("expected illegal_transition");
    } catch (const illegal_transition &e) {
        CHECK_THAT(e.what(), Catch::Contains("customer 'c1'") && Catch::Contains("'presentation' to 'payment'"));
    }
    CHECK(p.journal().size() == before);
    CHECK(p.model_at(0).stage_at(p.position(c, 0).stage).id == "presentation");

    // A customer's first event may enter any stage.
    p.apply(stage_ev("c2", "2024-01-12", "contract"));
    CHECK(p.model_at(0).stage_at(p.position(p.customer_index("c2"), 0).stage).id == "contract");
    CHECK_THROWS_AS(p.apply(stage_ev("c3", "2024-01-12", "nowhere")), not_found);
    CHECK(p.customer_count() == 2); // the failed event created no customer
}

TEST_CASE("every guard kind is enforced with a clear message", "[portfolio][guards]") {
    portfolio p;
    p.add_model(model_from_json(guarded_model));
    bool credit = false;
    p.register_predicate("credit_ok", [&](const guard_context &ctx) {
        CHECK(ctx.customer_id == "k");
        return credit;
    });
    p.apply(stage_ev("k", "2024-03-01", "a"));
    // min_days: 2 days in 'a' is not enough.
    try {
        p.apply(stage_ev("k", "2024-03-03", "b"));
        FAIL("expected guard_failed");
    } catch (const guard_failed &e) {
        CHECK_THAT(e.what(), Catch::Contains("min_days 3") && Catch::Contains("2 days in 'a'"));
    }
    // Entry requirement of 'b': the brief must be recorded.
    try {
        p.apply(stage_ev("k", "2024-03-05", "b"));
        FAIL("expected guard_failed");
    } catch (const guard_failed &e) {
        CHECK_THAT(e.what(), Catch::Contains("requires 'brief'"));
    }
    p.apply(other("k", "2024-03-05", event_type::check, "brief"));
    p.apply(stage_ev("k", "2024-03-05", "b"));
    // Predicate guard.
    CHECK_THROWS_WITH(p.apply(stage_ev("k", "2024-03-06", "c")), Catch::Contains("predicate 'credit_ok'"));
    credit = true;
    p.apply(stage_ev("k", "2024-03-06", "c"));
    CHECK(p.model_at(0).stage_at(p.position(0, 0).stage).id == "c");

    // A move that needs a reason.
    p.apply(stage_ev("r", "2024-03-01", "a"));
    CHECK_THROWS_WITH(p.apply(stage_ev("r", "2024-03-02", "x")), Catch::Contains("needs a reason"));
    auto lose = stage_ev("r", "2024-03-02", "x");
    lose.reason = "price";
    p.apply(lose);

    // An unregistered predicate is refused, not ignored.
    portfolio q;
    q.add_model(model_from_json(guarded_model));
    q.apply(stage_ev("k", "2024-03-01", "b"));
    CHECK_THROWS_WITH(q.apply(stage_ev("k", "2024-03-06", "c")), Catch::Contains("not registered"));
}

TEST_CASE("events by model event name use the transition table", "[portfolio]") {
    portfolio p;
    p.add_model(load_preset("sales6"));
    p.apply(stage_ev("d", "2024-01-01", "presentation"));
    auto ev = other("d", "2024-01-02", event_type::event, "advance");
    // proposal requires the meeting protocol.
    CHECK_THROWS_AS(p.apply(ev), guard_failed);
    p.apply(other("d", "2024-01-02", event_type::document, "meeting protocol sent"));
    p.apply(ev);
    CHECK(p.model_at(0).stage_at(p.position(0, 0).stage).id == "proposal");
    CHECK_THROWS_AS(p.apply(other("d", "2024-01-03", event_type::event, "fly")), not_found);
}

TEST_CASE("a batch is all-or-nothing, or skips bad events with reasons", "[portfolio][batch]") {
    portfolio p;
    p.add_model(load_preset("buttle5"));
    std::vector<event_input> batch = {stage_ev("a", "2024-01-01", "awareness"), stage_ev("a", "2024-01-05", "exploration"),
                                      stage_ev("b", "2024-01-02", "awareness"), stage_ev("b", "2024-01-03", "commitment")};
    CHECK_THROWS_AS(p.apply_batch(batch, false), illegal_transition);
    CHECK(p.customer_count() == 0);
    CHECK(p.journal().empty());

    auto rejected = p.apply_batch(batch, true);
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].index == 3);
    CHECK(rejected[0].code == CLM_E_ILLEGAL_TRANSITION);
    CHECK(p.customer_count() == 2);
    CHECK(p.journal().size() == 3);
}

TEST_CASE("as-of queries answer where a customer stood on any date", "[portfolio][asof]") {
    portfolio p;
    p.add_model(load_preset("maturity6"));
    p.apply(stage_ev("m", "2024-01-01", "headless"));
    p.apply(stage_ev("m", "2024-02-01", "competitors"));
    p.apply(stage_ev("m", "2024-02-01", "competitors")); // a repeated export row: no move
    p.apply(stage_ev("m", "2024-03-01", "doubting"));
    p.apply(stage_ev("m", "2024-03-15", "competitors")); // back: maturity is not linear
    auto c = p.customer_index("m");
    auto at = [&](const char *d) {
        auto pos = p.position_as_of(c, 0, end_of_day(day(d)));
        return pos.stage == no_stage ? std::string("-") : p.model_at(0).stage_at(pos.stage).id;
    };
    CHECK(at("2023-12-31") == "-");
    CHECK(at("2024-01-01") == "headless"); // as of a date includes that date's events
    CHECK(at("2024-02-29") == "competitors");
    CHECK(at("2024-03-01") == "doubting");
    CHECK(at("2024-06-01") == "competitors");
    CHECK(p.position_as_of(c, 0, end_of_day(day("2024-02-20"))).entered == day("2024-02-01"));
    CHECK(p.position_as_of(c, 0, end_of_day(day("2024-06-01"))).entered == day("2024-03-15"));
    CHECK(p.position(c, 0).moves == 4);

    auto counts = p.stage_counts(0, end_of_day(day("2024-03-01")));
    CHECK(counts[p.model_at(0).stage_of("doubting")] == 1);
}

TEST_CASE("customer snapshots fold contacts, control points, next steps and attributes", "[portfolio][snapshot]") {
    portfolio p;
    p.add_model(load_preset("sales6"));
    p.apply(stage_ev("s", "2024-05-01", "presentation"));
    auto contact = other("s", "2024-05-02", event_type::contact, "interested");
    contact.via = channel::call;
    contact.manager = "Ann";
    p.apply(contact);
    auto doc = other("s", "2024-05-03", event_type::document, "proposal");
    doc.due = day("2024-05-10");
    p.apply(doc);
    auto step = other("s", "2024-05-03", event_type::next_step, "present the offer");
    step.due = day("2024-05-08");
    step.note = "GTX Pro";
    p.apply(step);
    p.apply(other("s", "2024-05-04", event_type::class_change, "B"));
    p.apply(other("s", "2024-05-04", event_type::attribute, "preferred_channel=email"));
    p.apply(other("s", "2024-05-04", event_type::score, "satisfaction=4.5"));
    p.apply(other("s", "2024-05-04", event_type::tag, "vip"));
    auto buy = other("s", "2024-05-20", event_type::purchase, "GTX Pro");
    buy.amount = 4821;
    p.apply(buy);
    CHECK_THROWS_AS(p.apply(other("s", "2024-05-21", event_type::score, "satisfaction=high")), invalid_argument);
    p.set_strict_time_order(true);
    CHECK_THROWS_AS(p.apply(other("s", "2024-05-01", event_type::tag, "late")), invalid_argument); // out of time order, when strict
    p.set_strict_time_order(false);

    auto j = customer_to_json(p, 0, day("2024-05-12"));
    CHECK(j["manager"] == "Ann");
    CHECK(j["class"] == "B");
    CHECK(j["days_since_contact"] == 10);
    CHECK(j["days_since_contact_by_channel"]["call"] == 10);
    CHECK(j["open_control_points"][0]["kind"] == "proposal");
    CHECK(j["open_control_points"][0]["overdue"] == true);
    CHECK(j["next_step"]["product"] == "GTX Pro");
    CHECK(j["next_step"]["overdue"] == true);
    CHECK(j["preferred_channel"] == "email");
    CHECK(j["scores"]["satisfaction"] == 4.5);
    CHECK(j["purchases"] == 0); // as of 05-12 the purchase had not happened
    CHECK(j["models"][0]["days_in_stage"] == 11);
    CHECK(customer_to_json(p, 0, day("2024-05-31"))["revenue"] == 4821.0);

    p.apply(other("s", "2024-05-22", event_type::document_done, "proposal"));
    CHECK(p.snapshot(0).open_control_points.empty());
    CHECK(history_to_json(p, 0).size() == p.journal().size());
}

TEST_CASE("a customer sits in several models at once", "[portfolio]") {
    portfolio p;
    p.add_model(load_preset("maturity6"));
    p.add_model(load_preset("sales6"));
    CHECK_THROWS_AS(p.add_model(load_preset("sales6")), duplicate);
    CHECK_THROWS_WITH(p.apply(stage_ev("x", "2024-01-01", "headless")), Catch::Contains("must name its model"));
    p.apply(stage_ev("x", "2024-01-01", "headless", "maturity6"));
    p.apply(stage_ev("x", "2024-01-02", "presentation", "sales6"));
    CHECK(p.position(0, 0).stage == p.model_at(0).stage_of("headless"));
    CHECK(p.position(0, 1).stage == p.model_at(1).stage_of("presentation"));
}

TEST_CASE("migration moves customers to a new model version through its map", "[portfolio][migration]") {
    const char *v1 = R"({"id":"m","version":1,"initial":"lead","stages":[
        {"id":"lead","name":"L","kind":"open","task":"t"},{"id":"deal","name":"D","kind":"open","task":"t"},
        {"id":"won","name":"W","kind":"won","task":"t"}],
      "transitions":[{"from":"lead","to":"deal","event":"go"},{"from":"deal","to":"won","event":"go"}]})";
    const char *v2 = R"({"id":"m","version":2,"initial":"prospect","stages":[
        {"id":"prospect","name":"P","kind":"open","task":"t"},{"id":"negotiation","name":"N","kind":"open","task":"t"},
        {"id":"won","name":"W","kind":"won","task":"t"}],
      "transitions":[{"from":"prospect","to":"negotiation","event":"go"},{"from":"negotiation","to":"won","event":"go"}],
      "migrations":[{"from_version":1,"stages":{"lead":"prospect","deal":"negotiation"}}]})";
    const char *v2_incomplete = R"({"id":"m","version":2,"initial":"prospect","stages":[
        {"id":"prospect","name":"P","kind":"open","task":"t"},{"id":"won","name":"W","kind":"won","task":"t"}],
      "transitions":[{"from":"prospect","to":"won","event":"go"}],
      "migrations":[{"from_version":1,"stages":{"lead":"prospect"}}]})";
    portfolio p;
    p.add_model(model_from_json(v1));
    p.apply(stage_ev("a", "2024-01-01", "lead"));
    p.apply(stage_ev("a", "2024-01-05", "deal"));
    p.apply(stage_ev("b", "2024-01-02", "lead"));
    CHECK_THROWS_WITH(p.migrate(model_from_json(v2_incomplete)), Catch::Contains("no place for stage(s) 'deal'"));
    CHECK(p.model_at(0).version() == 1);
    p.migrate(model_from_json(v2));
    CHECK(p.model_at(0).version() == 2);
    CHECK(p.model_at(0).stage_at(p.position(0, 0).stage).id == "negotiation");
    CHECK(p.model_at(0).stage_at(p.position(1, 0).stage).id == "prospect");
    // History is kept, in the new ids.
    CHECK(p.model_at(0).stage_at(p.position_as_of(0, 0, end_of_day(day("2024-01-02"))).stage).id == "prospect");
    p.apply(stage_ev("a", "2024-02-01", "won"));
}

TEST_CASE("move() by indexes checks and journals exactly like apply() by names", "[portfolio][move]") {
    portfolio by_name, by_index;
    for (portfolio *p : {&by_name, &by_index}) {
        p->add_model(model_from_json(guarded_model));
        p->apply(stage_ev("k", "2024-03-01", "a"));
    }
    const model &m = by_index.model_at(0);
    const event_index go = *m.find_event("go"), win = *m.find_event("win");
    const std::uint32_t k = by_index.customer_index("k");

    // Refused moves: the same exception and message as by name, and nothing changes.
    auto message_of = [](auto &&f) -> std::string {
        try {
            f();
        } catch (const error &e) {
            return e.what();
        }
        return "(no error)";
    };
    auto go_ev = other("k", "2024-03-02", event_type::event, "go");
    CHECK(message_of([&] { by_index.move(k, 0, go, day("2024-03-02")); }) == message_of([&] { by_name.apply(go_ev); }));
    CHECK_THAT(message_of([&] { by_index.move(k, 0, go, day("2024-03-02")); }), Catch::Contains("min_days 3"));
    CHECK_THAT(message_of([&] { by_index.move(k, 0, win, day("2024-03-09")); }), Catch::Contains("has no transition on 'win'"));
    by_index.set_strict_time_order(true);
    CHECK_THAT(message_of([&] { by_index.move(k, 0, go, day("2024-02-01")); }), Catch::Contains("older than the customer's last event"));
    by_index.set_strict_time_order(false);
    CHECK_THAT(message_of([&] { by_index.move(k, 0, go, day("2024-02-01")); }), Catch::Contains("is not in model 'g'")); // folded in at its time
    CHECK_THROWS_AS(by_index.move(7, 0, go, day("2024-03-09")), not_found);
    CHECK_THROWS_AS(by_index.move(k, 1, go, day("2024-03-09")), not_found);
    CHECK_THROWS_AS(by_index.move(k, 0, event_index(99), day("2024-03-09")), not_found);
    CHECK(by_index.journal().size() == 1);
    CHECK(by_index.position(k, 0).stage == *m.find_stage("a"));

    // 'b' requires the brief; with it, the move lands in both the same way.
    for (portfolio *p : {&by_name, &by_index}) p->apply(other("k", "2024-03-05", event_type::check, "brief"));
    by_index.move(k, 0, go, day("2024-03-06"));
    by_name.apply(other("k", "2024-03-06", event_type::event, "go"));
    CHECK(export_event_log(by_index) == export_event_log(by_name));
    CHECK(by_index.position(k, 0).stage == *m.find_stage("b"));
    CHECK(by_index.position(k, 0).entered == day("2024-03-06"));
    CHECK(by_index.position(k, 0).moves == 2);

    // A customer not yet in the model cannot be moved by an event.
    portfolio two;
    two.add_model(model_from_json(guarded_model));
    two.add_model(load_preset("buttle5"));
    two.apply(stage_ev("z", "2024-03-01", "awareness", "buttle5"));
    CHECK_THAT(message_of([&] { two.move(0, 0, go, day("2024-03-09")); }), Catch::Contains("is not in model 'g'"));
}

TEST_CASE("event details are found after a rollback drops some of them", "[portfolio][details]") {
    portfolio p;
    p.add_model(load_preset("buttle5"));
    auto contact = other("a", "2024-01-02", event_type::contact, "");
    contact.manager = "Ann";
    p.apply(stage_ev("a", "2024-01-01", "awareness"));
    p.apply(contact);
    // A failed batch whose first event had details leaves no trace of them.
    auto buy = other("a", "2024-01-03", event_type::purchase, "plan");
    buy.amount = 12.5;
    CHECK_THROWS(p.apply_batch({buy, stage_ev("a", "2024-01-04", "nowhere")}, false));
    REQUIRE(p.journal().size() == 2);
    CHECK(p.detail_of(p.journal()[0]) == nullptr);
    REQUIRE(p.detail_of(p.journal()[1]) != nullptr);
    CHECK(p.text(p.detail_of(p.journal()[1])->manager) == "Ann");
    // The next event with details gets its own, not the rolled-back one.
    auto buy2 = other("a", "2024-01-05", event_type::purchase, "plan");
    buy2.amount = 7;
    p.apply(buy2);
    p.apply(other("a", "2024-01-06", event_type::tag, "vip"));
    REQUIRE(p.detail_of(std::uint32_t(2)) != nullptr);
    CHECK(p.detail_of(std::uint32_t(2))->amount == 7);
    CHECK(p.detail_of(std::uint32_t(3)) == nullptr);
    const journal_event copy = p.journal()[2];
    CHECK(p.detail_of(copy) == nullptr); // only elements of journal() can be looked up
}
