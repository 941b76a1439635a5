// abi_report.cpp -- the C ABI of the management report: the HTML page of
// clm/report/page.hpp (the same as `clm report --html`).
#include "abi_internal.hpp"

#include <clm/report/page.hpp>
#include <clm/stays.hpp>

using clm::abi::guarded;
using clm::abi::require;

extern "C" {

clm_status clm_portfolio_report_html(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *model_id,
                                     const char *as_of, const char *from, const clm_policy *policy) {
    return guarded("clm_portfolio_report_html", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        std::size_t slot = 0;
        if (model_id) slot = p.model_slot(model_id);
        else if (p.model_count() != 1)
            throw clm::invalid_argument(p.model_count() == 0 ? "the portfolio has no model"
                                                             : "the portfolio has several models: name one with model_id");
        clm::timestamp day = as_of ? clm::require_timestamp(as_of, "as_of") : clm::last_event_date(p);
        clm::report_options opt;
        if (from) opt.from = clm::require_timestamp(from, "from");
        if (policy) opt.recommend_policy = policy->ptr;
        *out = clm::abi::dup_string(clm::html_report(p, slot, day, opt), out_len);
    });
}

} // extern "C"
