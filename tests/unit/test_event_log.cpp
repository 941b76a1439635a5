// The event-log CSV: parsing (quotes, CRLF, BOM), errors with positions, import order, export round trip.
#include <catch2/catch.hpp>

#include <clm/event_log.hpp>
#include <clm/presets.hpp>

using namespace clm;

namespace {

std::vector<diagnostic> parse_problems(const std::string &csv) {
    try {
        parse_event_log(csv, "e.csv");
    } catch (const input_error &e) {
        return e.problems();
    }
    return {};
}

} // namespace

TEST_CASE("the CSV reader handles quotes, embedded commas and newlines, CRLF and a BOM", "[csv]") {
    csv_reader r("\xEF\xBB\xBF" "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,x\n", "t.csv");
    std::vector<std::string> row;
    REQUIRE(r.next(row));
    CHECK(row == std::vector<std::string>{"a", "b,c", "say \"hi\""});
    CHECK(r.line() == 1);
    REQUIRE(r.next(row));
    CHECK(row == std::vector<std::string>{"multi\nline", "", "x"});
    CHECK(r.line() == 2);
    CHECK_FALSE(r.next(row));

    csv_reader bad("a,\"open\n", "t.csv");
    CHECK_THROWS_WITH(bad.next(row), Catch::Contains("unterminated quoted field"));
    csv_reader stray("a,\"q\"x\n", "t.csv");
    CHECK_THROWS_WITH(stray.next(row), Catch::Contains("text after a closing quote"));
}

TEST_CASE("malformed rows are all reported with file, line, column and customer", "[csv][event-log]") {
    auto ps = parse_problems("customer_id,timestamp,type,value\n"
                             "c1,2017-02-30,stage,won\n"
                             "c2,2017-03-01,teleport,x\n"
                             "c3,2017-03-01,stage\n"
                             ",2017-03-01,stage,won\n");
    REQUIRE(ps.size() == 4);
    CHECK(ps[0].line == 2);
    CHECK(ps[0].column == 2);
    CHECK_THAT(ps[0].message, Catch::Contains("column 'timestamp' (customer 'c1'): '2017-02-30' is not a valid date"));
    CHECK(ps[1].line == 3);
    CHECK_THAT(ps[1].message, Catch::Contains("unknown type 'teleport'"));
    CHECK_THAT(ps[2].message, Catch::Contains("expected 4 fields, found 3 (customer 'c3')"));
    CHECK_THAT(ps[3].message, Catch::Contains("customer id is empty"));
    CHECK(ps[3].to_string().rfind("e.csv:5:1: error: ", 0) == 0);

    auto header = parse_problems("customer_id,timestamp,kind,value,colour\n");
    CHECK_THAT(header.at(0).message, Catch::Contains("unknown column 'kind'"));
    CHECK_THAT(header.at(1).message, Catch::Contains("unknown column 'colour'"));
    CHECK_THAT(header.at(2).message, Catch::Contains("missing required column 'type'"));
    CHECK_THAT(parse_problems("").at(0).message, Catch::Contains("header row is required"));
    CHECK_THAT(parse_problems("customer_id,timestamp,type,value,amount\nc,2017-01-01,purchase,x,12abc\n").at(0).message,
               Catch::Contains("'12abc' is not a number"));
}

TEST_CASE("rows are applied per customer in timestamp order; the file need not be sorted", "[event-log]") {
    portfolio p;
    p.add_model(load_preset("buttle5"));
    auto r = import_event_log(p, "customer_id,timestamp,type,value\n"
                                 "a,2024-03-01,stage,expansion\n"
                                 "a,2024-01-01,stage,awareness\n"
                                 "a,2024-02-01,stage,exploration\n"
                                 "b,2024-01-01T10:00:00,stage,awareness\n",
                              "u.csv");
    CHECK(r.applied == 4);
    CHECK(p.model_at(0).stage_at(p.position(p.customer_index("a"), 0).stage).id == "expansion");
}

TEST_CASE("a failed import leaves the portfolio exactly as it was", "[event-log]") {
    portfolio p;
    p.add_model(load_preset("buttle5"));
    import_event_log(p, "customer_id,timestamp,type,value\nold,2024-01-01,stage,awareness\n", "first.csv");
    std::string before = export_event_log(p);
    try {
        import_event_log(p, "customer_id,timestamp,type,value\n"
                            "new,2024-01-01,stage,awareness\n"
                            "old,2024-02-01,stage,exploration\n"
                            "new,2024-02-01,stage,commitment\n",
                         "second.csv");
        FAIL("expected an illegal transition");
    } catch (const illegal_transition &e) {
        CHECK_THAT(e.what(), Catch::StartsWith("second.csv:4: customer 'new'"));
    }
    CHECK(export_event_log(p) == before);
    CHECK(p.customer_count() == 1);
    CHECK(p.model_at(0).stage_at(p.position(0, 0).stage).id == "awareness");

    auto r = import_event_log(p, "customer_id,timestamp,type,value\n"
                                 "new,2024-01-01,stage,awareness\n"
                                 "new,2024-02-01,stage,commitment\n",
                              "third.csv", true);
    CHECK(r.applied == 1);
    REQUIRE(r.rejected.size() == 1);
    CHECK(r.rejected[0].index == 3); // the line
}

TEST_CASE("export and re-import rebuild the same journal", "[event-log]") {
    portfolio p;
    p.add_model(load_preset("sales6"));
    std::string csv = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n"
                      "q,2024-01-01,stage,presentation,sales6,,,,,,\n"
                      "q,2024-01-02T09:30:00,contact,\"went well, \"\"very\"\"\",,meeting,Bo,,,,\"line1\nline2\"\n"
                      "q,2024-01-03,purchase,GTX Pro,,,Bo,4821.5,,,\n"
                      "q,2024-01-04,stage,lost,sales6,,,,price,,\n";
    import_event_log(p, csv, "x.csv");
    std::string out = export_event_log(p);
    portfolio again;
    again.add_model(load_preset("sales6"));
    import_event_log(again, out, "out.csv");
    CHECK(export_event_log(again) == out);
    CHECK(again.snapshot(0).purchases.at(0).amount == 4821.5);
    CHECK(again.snapshot(0).stages.back().reason == "price");
}

TEST_CASE("runs of one customer's rows, applied in time order between others, reach the right customer", "[event-log]") {
    // a's rows come together in the file (one memo of a's index) but are applied
    // interleaved with b's; a's first row is refused, so it must not leave a
    // memo of a customer that was never created.
    portfolio p;
    p.add_model(load_preset("buttle5"));
    import_event_log(p, "customer_id,timestamp,type,value\nz,2023-12-31,stage,awareness\n", "first.csv");
    auto r = import_event_log(p,
                              "customer_id,timestamp,type,value\n"
                              "a,2024-01-02,stage,nowhere\n"
                              "a,2024-01-03,stage,awareness\n"
                              "a,2024-01-05,tag,x\n"
                              "b,2024-01-01,stage,awareness\n"
                              "b,2024-01-04,tag,y\n"
                              "z,2024-01-06,tag,w\n"
                              "a,2024-01-07,tag,v\n",
                              "runs.csv", true);
    REQUIRE(r.rejected.size() == 1);
    CHECK(r.rejected[0].index == 2);
    REQUIRE(p.customer_count() == 3);
    // Each customer's chain holds exactly its own events, newest first.
    auto chain = [&](const char *id) {
        std::string out;
        for (std::uint32_t e = p.last_event_of(p.customer_index(id)); e != none32; e = p.journal()[e].prev) {
            const auto &ev = p.journal()[e];
            CHECK(ev.customer == p.customer_index(id));
            out += ev.type == event_type::stage ? std::string("stage") : p.text(ev.value);
            out += ' ';
        }
        return out;
    };
    CHECK(chain("a") == "v x stage ");
    CHECK(chain("b") == "y stage ");
    CHECK(chain("z") == "w stage ");
    // Customers are created in time order: b (Jan 1) before a (Jan 3).
    CHECK(p.customer_index("b") == 1);
    CHECK(p.customer_index("a") == 2);
}
