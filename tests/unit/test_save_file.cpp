// Durable saves: round trip, and damaged files refused whole.
#include <catch2/catch.hpp>

#include <clm/presets.hpp>
#include <clm/save_file.hpp>

#include <cstdio>

using namespace clm;

namespace {

portfolio sample() {
    portfolio p;
    p.add_model(load_preset("maturity6"));
    p.add_model(load_preset("sales6"));
    import_event_log(p, "customer_id,timestamp,type,value,model,amount,reason\n"
                        "a,2024-01-01,stage,headless,maturity6,,\n"
                        "a,2024-01-02,stage,presentation,sales6,,\n"
                        "a,2024-01-03,purchase,widget,,99.5,\n"
                        "b,2024-01-02,stage,doubting,maturity6,,\n"
                        "b,2024-01-09,stage,gone,maturity6,,price\n",
                     "s.csv");
    return p;
}

} // namespace

TEST_CASE("a saved portfolio loads back identical", "[save]") {
    auto p = sample();
    std::string data = save_to_string(p);
    auto q = load_from_string(data, "mem");
    CHECK(q.model_count() == 2);
    CHECK(q.customer_count() == 2);
    CHECK(export_event_log(q) == export_event_log(p));
    CHECK(save_to_string(q) == data);

    std::string path = "clm_test_save.clmp";
    save_portfolio(p, path);
    auto r = load_portfolio(path);
    CHECK(export_event_log(r) == export_event_log(p));
    std::remove(path.c_str());
    CHECK_THROWS_AS(load_portfolio(path), io_error);
}

TEST_CASE("damaged save files are refused with a clear error", "[save]") {
    std::string data = save_to_string(sample());
    CHECK_THROWS_WITH(load_from_string(data.substr(0, data.size() / 2), "f"), Catch::Contains("'f' is damaged"));
    CHECK_THROWS_AS(load_from_string(data.substr(0, data.size() - 1), "f"), corrupt_error);
    CHECK_THROWS_AS(load_from_string("", "f"), corrupt_error);
    CHECK_THROWS_WITH(load_from_string("hello\n", "f"), Catch::Contains("not a clm portfolio"));
    for (std::size_t i : {std::size_t(20), data.size() / 3, data.size() - 30}) {
        std::string flipped = data;
        flipped[i] = char(flipped[i] ^ 0x20);
        CHECK_THROWS_AS(load_from_string(flipped, "f"), corrupt_error);
    }
    // A newer format version with a valid checksum: refused as a version problem.
    std::string body = data.substr(0, data.rfind('\n', data.size() - 2) + 1);
    body.replace(body.find("clm-portfolio 1"), 15, "clm-portfolio 9");
    char trailer[96];
    std::snprintf(trailer, sizeof trailer, "end %zu %016llx\n", body.size(), (unsigned long long)fnv1a64(body));
    CHECK_THROWS_AS(load_from_string(body + trailer, "f"), version_error);
}
