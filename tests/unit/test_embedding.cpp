// The C++ core of embedding (docs/embedding.md): UTC offsets, sequence numbers
// across an erasure, the streaming import's chunks, and the unused-column table.
#include <catch2/catch.hpp>

#include <clm/erase_customer.hpp>
#include <clm/event_stream.hpp>
#include <clm/presets.hpp>
#include <clm/save_file.hpp>

#include <algorithm>
#include <cstring>
#include <string>

using namespace clm;

namespace {

portfolio sales() {
    portfolio p;
    p.add_model(load_preset("sales6"));
    return p;
}

// A reader over a string, `step` bytes a call.
struct string_reader {
    std::string text;
    std::size_t step, pos = 0;
    std::size_t operator()(char *buf, std::size_t cap) {
        std::size_t n = std::min({step, cap, text.size() - pos});
        std::memcpy(buf, text.data() + pos, n);
        pos += n;
        return n;
    }
};

} // namespace

TEST_CASE("timestamps with a UTC offset are converted into the zone", "[dates]") {
    // Expected values computed by hand from 2024-01-01T00:00:00 = 19723 days * 86400.
    const timestamp midnight = 19723LL * 86400;
    CHECK(parse_timestamp("2024-01-01T00:00:00Z") == midnight);
    CHECK(parse_timestamp("2024-01-01T03:00:00+03:00") == midnight);
    CHECK(parse_timestamp("2023-12-31T19:30:00-04:30") == midnight);
    CHECK(parse_timestamp("2024-01-01T00:00:00Z", 3 * 3600) == midnight + 3 * 3600);
    CHECK(parse_timestamp("2024-01-01T00:00:00", 3 * 3600) == midnight); // no offset: already in the zone
    CHECK(parse_timestamp("2024-01-01T00:00:00+14:00") == midnight - 14 * 3600);
    CHECK_FALSE(parse_timestamp("2024-01-01T00:00:00+14:01"));
    CHECK_FALSE(parse_timestamp("2024-01-01T00:00:00+05:60"));
    CHECK_FALSE(parse_timestamp("2024-01-01Z"));
    CHECK_FALSE(parse_timestamp("2024-01-01T00:00:00+0300"));
    CHECK_FALSE(parse_timestamp("2024-01-01T00:00:00 +03:00"));
    CHECK_FALSE(parse_timestamp("1400-01-01T01:00:00+02:00")); // before the first day once converted
    CHECK(parse_timestamp("1400-01-01T01:00:00+01:00"));
    CHECK(parse_utc_offset("-05:30") == -(5 * 3600 + 30 * 60));
}

TEST_CASE("a portfolio's zone applies to imports and refuses nonsense", "[dates]") {
    portfolio p = sales();
    p.set_time_zone(-5 * 3600);
    import_event_log(p, "customer_id,timestamp,type,value\nc,2024-03-01T02:00:00Z,stage,presentation\n", "z.csv");
    // 02:00 UTC is 21:00 the day before at -05:00.
    CHECK(format_timestamp(p.journal()[0].time) == "2024-02-29T21:00:00");
    CHECK_THROWS_AS(p.set_time_zone(15 * 3600), invalid_argument);
    CHECK(p.time_zone() == -5 * 3600);
    CHECK(p.empty_copy().time_zone() == -5 * 3600);
}

TEST_CASE("erasing a customer keeps the other sequence numbers", "[erase]") {
    portfolio p = sales();
    import_event_log(p,
                     "customer_id,timestamp,type,value,note\n"
                     "a,2024-01-01,stage,presentation,\n"
                     "x,2024-01-02,stage,presentation,secret-note-x\n"
                     "a,2024-01-03,stage,presentation_refused,\n"
                     "x,2024-01-04,contact,ok,\n"
                     "b,2024-01-05,stage,presentation,\n",
                     "e.csv");
    REQUIRE(p.last_seq() == 5);
    erase_customer(p, "x");
    REQUIRE(p.journal().size() == 3);
    CHECK(p.seq_of(0) == 1);
    CHECK(p.seq_of(1) == 3);
    CHECK(p.seq_of(2) == 5);
    CHECK(p.last_seq() == 5);
    CHECK(p.index_after(0) == 0);
    CHECK(p.index_after(2) == 1); // 2 was erased: the next is 3, at index 1
    CHECK(p.index_after(3) == 2);
    CHECK(p.index_after(5) == 3);
    CHECK_FALSE(p.find_customer("x"));
    CHECK_FALSE(p.find_text("secret-note-x"));
    CHECK(save_to_string(p).find("secret-note-x") == std::string::npos);
    // A second erasure merges the numbers.
    erase_customer(p, "a");
    CHECK(p.erased_seqs() == std::vector<std::uint64_t>{1, 2, 3, 4});
    CHECK(p.seq_of(0) == 5);
    CHECK_THROWS_AS(erase_customer(p, "a"), not_found);
}

TEST_CASE("a stream imported in small chunks equals the whole import", "[stream]") {
    std::string text = "customer_id,timestamp,type,value,note\n";
    for (int i = 0; i < 400; ++i) {
        std::string id = "c" + std::to_string(i);
        text += id + ",2024-01-01,stage,presentation,\"a note, with\na line break\"\n";
        text += id + ",2024-01-02,stage,presentation_refused,\n";
    }
    portfolio whole = sales(), streamed = sales();
    import_event_log(whole, text, "s.csv");
    stream_import_options options;
    options.file = "s.csv";
    options.chunk_bytes = 4096; // many chunks, records split across reads
    std::size_t calls = 0;
    options.progress = [&](std::size_t) { return ++calls, true; };
    auto r = import_event_log_stream(streamed, string_reader{text, 777}, options);
    CHECK(r.applied == 800);
    CHECK(calls >= text.size() / 4096);
    // The same state; the journal's apply order differs (the whole text is sorted by time at
    // once, the stream chunk by chunk), so the journals are not compared byte for byte.
    CHECK(streamed.customer_count() == whole.customer_count());
    CHECK(streamed.journal().size() == whole.journal().size());
    CHECK(streamed.stage_counts(0) == whole.stage_counts(0));
}

TEST_CASE("a stream is all-or-nothing across chunks", "[stream]") {
    std::string text = "customer_id,timestamp,type,value\n";
    for (int i = 0; i < 300; ++i) text += "c" + std::to_string(i) + ",2024-01-01,stage,presentation\n";
    text += "c0,2023-01-01,stage,proposal\n"; // older than c0's row in the first chunk
    portfolio p = sales();
    p.set_strict_time_order(true); // a late row is refused (otherwise it would be folded in)
    import_event_log(p, "customer_id,timestamp,type,value\nc1,2020-01-01,stage,presentation\n", "pre.csv");
    const std::string before = export_event_log(p);
    stream_import_options options;
    options.file = "late.csv";
    options.chunk_bytes = 4096;
    try {
        import_event_log_stream(p, string_reader{text, 4096}, options);
        FAIL("the stream should have been refused");
    } catch (const error &e) {
        CHECK(e.code() == CLM_E_INVALID_ARGUMENT);
        CHECK_THAT(e.what(), Catch::Contains("late.csv:302: customer 'c0'"));
    }
    CHECK(export_event_log(p) == before);
    CHECK(p.customer_count() == 1);
    CHECK(p.position(0, 0).stage == *p.model_at(0).find_stage("presentation"));
}

TEST_CASE("which columns each row type uses", "[event_log]") {
    CHECK(event_column_used(event_type::purchase, 7));
    CHECK_FALSE(event_column_used(event_type::contact, 7));
    CHECK(event_column_used(event_type::contact, 5));
    CHECK_FALSE(event_column_used(event_type::tag, 5));
    CHECK(event_column_used(event_type::stage, 8));
    CHECK_FALSE(event_column_used(event_type::purchase, 9));
    CHECK(event_column_used(event_type::next_step, 9));
    CHECK(event_column_used(event_type::tag, 10)); // note: on any row
    auto r = [] {
        portfolio p = sales();
        return import_event_log(p, "customer_id,timestamp,type,value,channel\nc,2024-01-01,tag,vip,call\n", "w.csv");
    }();
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0] == "w.csv:2:5: warning: column 'channel' (customer 'c') is not used on a 'tag' row (kept, but nothing reads it)");
}
