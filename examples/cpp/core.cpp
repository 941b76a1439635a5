// core.cpp -- the header-centric C++17 core of clm, without the C ABI.
//
// A C++ program can use clm's headers directly (CMake target clm::core):
// value types and exceptions instead of handles and status codes. This one
//   1. loads the sales6 preset model,
//   2. builds a portfolio from a small inline event log (docs/event-log.md),
//   3. asks where the deals stand as of two dates,
//   4. compiles the `seeds` policy for the portfolio and prints the ranked
//      next actions with their reasons, as JSON and as text.
//
// Build: part of the clm CMake project (target clm_example_core).
// Guide: docs/getting-started-cpp.md
#include <clm/event_log.hpp>
#include <clm/presets.hpp>
#include <clm/recommend_json.hpp>

#include <iostream>

namespace {

// customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note
// Rows are applied per customer in timestamp order, so they need not be sorted.
const char *const event_log = R"(customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note
acme,2024-05-02,manager,Ann,,,,,,,
acme,2024-05-02,class,A,,,,,,,
acme,2024-05-02,stage,presentation,sales6,,Ann,,,,
acme,2024-05-02,contact,presented,,meeting,Ann,,,,
acme,2024-05-03,check,meeting protocol sent,,,,,,,
acme,2024-05-06,stage,proposal,sales6,,Ann,,,,
acme,2024-05-06,document,proposal,,,Ann,,,2024-05-20,
globex,2024-05-10,manager,Ann,,,,,,,
globex,2024-05-10,class,B,,,,,,,
globex,2024-05-10,stage,presentation,sales6,,Ann,,,,
globex,2024-05-21,contact,no answer,,call,Ann,,,,
initech,2024-05-15,manager,Bo,,,,,,,
initech,2024-05-15,stage,presentation,sales6,,Bo,,,,
initech,2024-05-16,next_step,send references,,,Bo,,,2024-06-30,support plan
)";

// Customers per stage of model slot 0, counting every event up to the end of `date`.
void print_counts(const clm::portfolio &p, const char *date) {
    const clm::model &m = p.model_at(0);
    auto counts = p.stage_counts(0, clm::end_of_day(clm::require_timestamp(date, "date")));
    std::cout << "as of " << date << ":";
    for (std::size_t s = 0; s < counts.size(); ++s)
        if (counts[s]) std::cout << " " << m.stage_at(clm::stage_index(s)).id << "=" << counts[s];
    std::cout << "\n";
}

} // namespace

int main() try {
    // 1. A preset model: parsed once, shared and immutable (clm::model_ptr).
    clm::model_ptr sales = clm::load_preset("sales6");

    // 2. The portfolio: state is a fold of the journal.
    clm::portfolio p;
    p.add_model(sales);
    auto imported = clm::import_event_log(p, event_log, "inline.csv");
    std::cout << imported.applied << " events, " << p.customer_count() << " customers\n";

    // 3. As-of queries: the journal answers for any past date.
    print_counts(p, "2024-05-05");
    print_counts(p, "2024-06-03");

    // 4. The policy engine. Nothing reads the clock: the as-of day is explicit.
    std::int64_t as_of_day = clm::day_of(clm::require_timestamp("2024-06-03", "as_of"));
    clm::compiled_policy policy(clm::load_policy("seeds"), p); // binds rule operands to this portfolio
    clm::recommend_options options;
    options.limit = 5; // the five most urgent actions, all managers
    std::vector<clm::recommendation> recs = clm::recommend_all(policy, as_of_day, options);

    std::cout << "\ntop " << recs.size() << " next actions as of 2024-06-03 (policy " << policy.source().id << "):\n";
    for (std::size_t i = 0; i < recs.size(); ++i) {
        nlohmann::ordered_json j = clm::recommendation_to_json(policy, recs[i], as_of_day, i + 1);
        std::cout << j["rank"] << ". " << j["customer_id"].get<std::string>() << " (" << j["manager"].get<std::string>()
                  << "): " << j["action"]["kind"].get<std::string>() << " via " << j["action"]["channel"].get<std::string>()
                  << " by " << j["action"]["due"].get<std::string>() << " -- " << j["action"]["goal"].get<std::string>()
                  << "\n   rule " << j["rule"].get<std::string>() << " because:";
        for (const auto &reason : j["reasons"]) std::cout << " [" << reason.get<std::string>() << "]";
        std::cout << "\n";
    }
    // The first one in full, as the C ABI and `clm recommend --json` would show it.
    if (!recs.empty()) std::cout << "\n" << clm::recommendation_to_json(policy, recs[0], as_of_day, 1).dump(2) << "\n";
    return 0;
} catch (const clm::error &e) { // every core exception carries its C ABI status
    std::cerr << "clm error " << int(e.code()) << ": " << e.what() << "\n";
    return 1;
}
