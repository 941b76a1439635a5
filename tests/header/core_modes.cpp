// core_modes.cpp -- the same program built against clm::core (the cold bulk
// compiled once, src/core/) and clm::core_header_only (CLM_HEADER_ONLY): both
// must build and write the same report and recommendations (tests/CMakeLists.txt
// compares the two outputs). Usage: clm_core_modes_* OUT_FILE
#include <clm/event_log.hpp>
#include <clm/html_report.hpp>
#include <clm/presets.hpp>
#include <clm/recommend.hpp>

#include <fstream>
#include <iostream>

namespace {

const char *const event_log = R"(customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note
acme,2024-05-02,manager,Ann,,,,,,,
acme,2024-05-02,class,A,,,,,,,
acme,2024-05-02,stage,presentation,sales6,,Ann,,,,
acme,2024-05-02,contact,presented,,meeting,Ann,,,,
acme,2024-05-03,check,meeting protocol sent,,,,,,,
acme,2024-05-06,stage,proposal,sales6,,Ann,,,,
acme,2024-05-06,document,proposal,,,Ann,,,2024-05-20,
globex,2024-05-10,manager,Ann,,,,,,,
globex,2024-05-10,stage,presentation,sales6,,Ann,,,,
globex,2024-05-21,contact,no answer,,call,Ann,,,,
initech,2024-05-15,manager,Bo,,,,,,,
initech,2024-05-15,stage,presentation,sales6,,Bo,,,,
initech,2024-05-20,stage,lost,sales6,,Bo,,no budget,,
)";

} // namespace

int main(int argc, char **argv) try {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " OUT_FILE\n";
        return 2;
    }
    clm::portfolio p;
    p.add_model(clm::load_preset("sales6"));
    clm::import_event_log(p, event_log, "inline.csv");
    const clm::timestamp as_of = clm::require_timestamp("2024-06-03", "as_of");
    clm::compiled_policy policy(clm::load_policy("seeds"), p);
    std::ofstream out(argv[1], std::ios::binary);
    for (const auto &r : clm::recommend_all(policy, clm::day_of(as_of))) {
        out << p.customer_id(r.customer) << " " << r.score;
        for (const auto &why : policy.explain(r)) out << "; " << why;
        out << "\n";
    }
    clm::report_options opt;
    opt.recommend_policy = clm::load_policy("seeds");
    out << clm::html_report(p, 0, as_of, opt);
    return out ? 0 : 1;
} catch (const std::exception &e) {
    std::cerr << e.what() << "\n";
    return 1;
}
