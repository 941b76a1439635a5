// fuzz_policy_json.cpp -- clm_policy_from_json on arbitrary bytes. A failure
// must be CLM_E_PARSE or CLM_E_VALIDATION with the out-parameter untouched and
// clm_policy_validate_json agreeing; a policy that loads is run against a
// small portfolio (recommendations, one customer, a weekly plan) on an
// ordinary date and on the first and last dates clm accepts.
#include "fuzz_common.hpp"

#include <cstring>

#include <string>

namespace {

const char *const fixture_csv =
    "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n"
    "a,2024-01-10,stage,presentation,sales6,,Ann,,,,\n"
    "a,2024-01-10,stage,headless,maturity6,,,,,,\n"
    "a,2024-01-10,class,A,,,,,,,\n"
    "a,2024-01-10,manager,Ann,,,,,,,\n"
    "a,2024-01-11,attribute,birthday=1980-02-29,,,,,,,\n"
    "a,2024-01-11,attribute,deal_value=1500,,,,,,,\n"
    "a,2024-01-11,attribute,preferred_channel=email,,,,,,,\n"
    "a,2024-01-12,contact,ok,,call,Ann,,,,\n"
    "a,2024-01-13,document,proposal,,,,,,2024-01-20,\n"
    "a,2024-01-14,next_step,demo,,,,,,2024-01-30,GTX\n"
    "a,2024-02-01,purchase,GTX,,,Ann,120.5,,,\n"
    "a,2024-02-02,score,satisfaction=4,,,,,,,\n"
    "a,2024-02-03,tag,vip,,,,,,,\n"
    "a,2024-02-04,attribute,kpi.calls.plan=10,,,,,,,\n"
    "a,2024-02-04,attribute,kpi.calls.actual=7,,,,,,,\n"
    "b,2023-12-31,stage,proposal,sales6,,,,,,\n"
    "b,2023-12-31,class,D,,,,,,,\n"
    "b,2023-12-31,manager,Bo,,,,,,,\n"
    "b,2024-01-05,stage,loyal,maturity6,,,,,,\n"
    "b,2024-01-06,attribute,anniversary=2010-12-31,,,,,,,\n"
    "b,2024-01-06,document,contract,,,,,,2024-01-07,\n"
    "b,2024-01-07,document_done,contract,,,,,,,\n"
    "c,2024-03-01,class,F,,,,,,,\n"
    "c,2024-03-01,contact,no answer,,messenger,,,,,\n";

clm_portfolio *fixture() {
    static clm_portfolio *p = [] {
        clm_portfolio *q = nullptr;
        clm_model *m = nullptr;
        if (clm_portfolio_new(&q) != CLM_OK) std::abort();
        for (const char *id : {"sales6", "maturity6"}) {
            if (clm_model_preset(&m, id) != CLM_OK || clm_portfolio_add_model(nullptr, q, m) != CLM_OK) std::abort();
            clm_model_free(m);
        }
        if (clm_portfolio_import_csv(nullptr, nullptr, q, fixture_csv, std::strlen(fixture_csv), "fixture.csv", 0) != CLM_OK) {
            std::fprintf(stderr, "fixture: %s\n", clm_last_error());
            std::abort();
        }
        return q;
    }();
    return p;
}

int cancel_after(size_t done, size_t total, void *payload) {
    (void)done;
    (void)total;
    return --*static_cast<int *>(payload) < 0;
}

// Near 1400-01-01 and 9999-12-31 a date the answer would print (a due date,
// the Monday of the week) may fall outside the dates clm reads: that is an
// error naming it, never a printed date (issue 17), and nothing is returned.
bool date_out_of_range(clm_status s) {
    return s == CLM_E_INVALID_ARGUMENT && std::strstr(clm_last_error(), "outside the dates clm reads and writes") != nullptr;
}

void run(const clm_policy *pol, const char *as_of) {
    clm_portfolio *p = fixture();
    char *out = nullptr;
    size_t len = 0;
    // The policy may name a model the portfolio lacks: CLM_E_NOT_FOUND.
    clm_status s = CLM_CALL(clm_policy_recommend, &out, &len, pol, p, as_of, nullptr);
    CLM_FUZZ_CHECK(s == CLM_OK || s == CLM_E_NOT_FOUND || date_out_of_range(s), "clm_policy_recommend", s);
    if (s != CLM_OK) return;
    fuzz::take(out, len);

    clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
    opt.limit = 1;
    opt.threads = 2;
    opt.manager = "Ann";
    s = CLM_CALL(clm_policy_recommend, &out, &len, pol, p, as_of, &opt);
    CLM_FUZZ_CHECK(s == CLM_OK || date_out_of_range(s), "clm_policy_recommend", s);
    if (s == CLM_OK) fuzz::take(out, len);

    int budget = 0;
    opt.progress = cancel_after;
    opt.payload = &budget;
    char *untouched = fuzz::sentinel<char>();
    s = CLM_CALL(clm_policy_recommend, &untouched, nullptr, pol, p, as_of, &opt);
    CLM_FUZZ_CHECK(s == CLM_OK || (s == CLM_E_CANCELLED && untouched == fuzz::sentinel<char>()), "clm_policy_recommend", s);
    if (s == CLM_OK) clm_string_free(untouched);

    for (const char *c : {"a", "b", "c"}) {
        s = CLM_CALL(clm_policy_recommend_customer, &out, &len, pol, p, c, as_of);
        CLM_FUZZ_CHECK(s == CLM_OK || date_out_of_range(s), "clm_policy_recommend_customer", s);
        if (s == CLM_OK) fuzz::take(out, len);
    }
    for (const char *manager : {"Ann", "Bo"}) {
        for (double hours : {0.0, 0.25}) {
            s = CLM_CALL(clm_policy_plan_week, &out, &len, pol, p, manager, as_of, hours);
            CLM_FUZZ_CHECK(s == CLM_OK || date_out_of_range(s), "clm_policy_plan_week", s);
            if (s == CLM_OK) fuzz::take(out, len);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = reinterpret_cast<const char *>(data);
    clm_policy *pol = fuzz::sentinel<clm_policy>();
    clm_status s = CLM_CALL(clm_policy_from_json, &pol, text, size);

    char *report = fuzz::sentinel<char>();
    size_t count = 12345;
    CLM_FUZZ_CHECK(CLM_CALL(clm_policy_validate_json, &report, &count, text, size, "fuzz.json") == CLM_OK,
                   "clm_policy_validate_json", s);
    std::string rep = fuzz::take(report, std::strlen(report));
    CLM_FUZZ_CHECK((s == CLM_OK) == (count == 0) && (count == 0) == rep.empty(), "clm_policy_validate_json", s);

    if (s != CLM_OK) {
        CLM_FUZZ_CHECK(s == CLM_E_PARSE || s == CLM_E_VALIDATION || s == CLM_E_NO_MEMORY, "clm_policy_from_json", s);
        CLM_FUZZ_CHECK(pol == fuzz::sentinel<clm_policy>(), "clm_policy_from_json", s);
        return 0;
    }
    CLM_FUZZ_CHECK(clm_policy_id(pol) != nullptr, "clm_policy_id", CLM_OK);
    size_t n = clm_policy_rule_count(pol);
    for (size_t i = 0; i < n; ++i) CLM_FUZZ_CHECK(clm_policy_rule_id(pol, i) != nullptr, "clm_policy_rule_id", CLM_OK);
    CLM_FUZZ_CHECK(clm_policy_rule_id(pol, n) == nullptr, "clm_policy_rule_id", CLM_OK);

    for (const char *as_of : {"2024-02-10", "1400-01-01", "9999-12-31"}) run(pol, as_of);
    clm_policy_free(pol);
    return 0;
}
