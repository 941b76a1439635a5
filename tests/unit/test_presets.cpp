// The preset models: all seven load, validate, round-trip, and carry the seeds' structure.
#include <catch2/catch.hpp>

#include <clm/event_log.hpp>
#include <clm/presets.hpp>

using namespace clm;

namespace {

const std::vector<std::string> expected_ids = {"buttle5", "sales6", "maturity6", "clm5",
                                               "relationship4", "journey6", "sales-process5"};

bool can_move(const model &m, const std::string &from, const std::string &to) {
    return m.transition_between(m.stage_of(from), m.stage_of(to)) != no_transition;
}

} // namespace

TEST_CASE("the presets are the seven documented ids, in order", "[presets]") {
    REQUIRE(preset_count() == expected_ids.size());
    for (std::size_t i = 0; i < expected_ids.size(); ++i) CHECK(preset_id(i) == expected_ids[i]);
    CHECK(preset_id(expected_ids.size()) == nullptr);
    CHECK_THROWS_AS(load_preset("sales7"), not_found);
}

TEST_CASE("every preset loads, has tasks, and round-trips through JSON unchanged", "[presets]") {
    for (const auto &id : expected_ids) {
        INFO("preset " << id);
        auto m = load_preset(id);
        CHECK(m->id() == id);
        CHECK(m->version() >= 1);
        CHECK_FALSE(m->name().empty());
        for (stage_index s = 0; s < m->stage_count(); ++s) {
            INFO("stage " << m->stage_at(s).id);
            CHECK(m->stage_at(s).task.size() > 10);
            CHECK_FALSE(m->stage_at(s).name.empty());
        }
        auto canonical = model_to_json(*m).dump();
        auto reloaded = model_from_json(canonical, id + " (canonical)");
        CHECK(model_to_json(*reloaded).dump() == canonical);
        CHECK(reloaded->stage_count() == m->stage_count());
        CHECK(reloaded->transition_count() == m->transition_count());
        CHECK(load_preset(id) == m); // parsed once, shared
    }
}

TEST_CASE("buttle5 allows dissolution from every stage, with a reason", "[presets]") {
    auto m = load_preset("buttle5");
    auto dissolution = m->stage_of("dissolution");
    auto dissolve = m->find_event("dissolve");
    REQUIRE(dissolve);
    for (stage_index s = 0; s < m->stage_count(); ++s) {
        if (s == dissolution) continue;
        INFO("from " << m->stage_at(s).id);
        auto t = m->transition_on(s, *dissolve);
        REQUIRE(t != no_transition);
        CHECK(m->transition_at(t).to == dissolution);
        CHECK(m->transition_at(t).reason_required);
        CHECK(m->transition_at(t).reasons_closed);
        CHECK(m->transition_at(t).reasons.size() >= 3);
        // Two-sided: the same move on its own event.
        auto mutual = m->find_event("dissolve_mutual");
        REQUIRE(mutual);
        auto tm = m->transition_on(s, *mutual);
        REQUIRE(tm != no_transition);
        CHECK(m->transition_at(tm).to == dissolution);
        CHECK(m->transition_at(tm).reasons == m->transition_at(t).reasons);
    }
    std::vector<std::string> path;
    for (auto s : m->main_path()) path.push_back(m->stage_at(s).id);
    CHECK(path.front() == "awareness");
}

TEST_CASE("a Buttle dissolution takes one of the seed's reasons, or other with a note, and its side", "[presets]") {
    portfolio p;
    p.add_model(load_preset("buttle5"));
    const std::string head = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n";
    import_event_log(p, head + "a,2024-01-01,stage,awareness,,,,,,,\nb,2024-01-01,stage,awareness,,,,,,,\n"
                                "c,2024-01-01,stage,awareness,,,,,,,\n", "start.csv");
    auto stage_of = [&](const char *id) { return p.model_at(0).stage_at(p.position(*p.find_customer(id), 0).stage).id; };
    // One of the seed's reasons: one-sided by a stage row, two-sided by the event.
    import_event_log(p, head + "a,2024-02-01,stage,dissolution,,,,,dissatisfied,,\n", "a.csv");
    CHECK(stage_of("a") == "dissolution");
    import_event_log(p, head + "b,2024-02-01,event,dissolve_mutual,,,,,superior alternative,,\n", "b.csv");
    CHECK(stage_of("b") == "dissolution");
    // An invented reason is refused and changes nothing; so is 'other' without a note.
    const std::size_t events = p.journal().size();
    CHECK_THROWS_AS(import_event_log(p, head + "c,2024-02-01,event,dissolve,,,,,price,,\n", "c.csv"), guard_failed);
    CHECK_THROWS_AS(import_event_log(p, head + "c,2024-02-01,event,dissolve,,,,,other,,\n", "c.csv"), guard_failed);
    CHECK(p.journal().size() == events);
    CHECK(stage_of("c") == "awareness");
    import_event_log(p, head + "c,2024-02-01,event,dissolve,,,,,other,,moved abroad\n", "c.csv");
    CHECK(stage_of("c") == "dissolution");
}

TEST_CASE("sales6 carries the seed's deviations", "[presets]") {
    auto m = load_preset("sales6");
    // A deal can be lost at every open step of the main path.
    for (auto s : m->main_path()) {
        if (m->stage_at(s).kind != stage_kind::open) continue;
        INFO("step " << m->stage_at(s).id);
        bool loses = false;
        for (std::size_t i = 0; i < m->transition_count(); ++i) {
            const auto &t = m->transition_at(i);
            if (t.from == s && m->stage_at(t.to).kind == stage_kind::lost) loses = true;
        }
        CHECK(loses);
    }
    // The proposal can be revised (a loop back to it), and the contract needs several approvers.
    auto proposal = m->stage_of("proposal");
    bool revision_loop = false;
    for (std::size_t i = 0; i < m->transition_count(); ++i) {
        const auto &t = m->transition_at(i);
        if (t.to == proposal && t.from != m->stage_of("presentation")) revision_loop = true;
    }
    CHECK(revision_loop);
    std::size_t approvals = 0;
    for (std::size_t i = 0; i < m->transition_count(); ++i) {
        const auto &t = m->transition_at(i);
        if (t.from != m->stage_of("contract")) continue;
        for (const auto &g : t.guards)
            if (g.kind == guard::type::items_present) approvals = std::max(approvals, g.items.size());
    }
    CHECK(approvals >= 2);
    // Refused presentation with a retry, partial payment.
    CHECK(m->find_stage("presentation_refused"));
    CHECK(m->find_stage("partial_payment"));
    CHECK(m->find_event("retry"));
    CHECK(m->find_event("refund"));
}

TEST_CASE("maturity6 is not linear", "[presets]") {
    auto m = load_preset("maturity6");
    CHECK(can_move(*m, "headless", "competitors"));
    CHECK(can_move(*m, "doubting", "competitors")); // backward
    CHECK(can_move(*m, "loyal", "sleeping"));
    CHECK(can_move(*m, "sleeping", "loyal"));
    CHECK(m->stage_at(m->stage_of("sleeping")).kind == stage_kind::dormant);
    CHECK_THAT(m->stage_at(m->stage_of("doubting")).task, Catch::Contains("doubt"));
}

TEST_CASE("journey6 cycles between development and repeat sales", "[presets]") {
    auto m = load_preset("journey6");
    CHECK(can_move(*m, "development", "repeat_sale"));
    CHECK(can_move(*m, "repeat_sale", "development"));
    CHECK(m->stage_at(m->stage_of("termination")).kind == stage_kind::terminal);
}
