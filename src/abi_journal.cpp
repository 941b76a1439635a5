// abi_journal.cpp -- the C ABI of the journal as a host's store of record
// sees it (docs/embedding.md): sequence numbers and the cursor over them, the
// observer called after each commit, and erasing a customer.
#include "abi_internal.hpp"

#include <clm/erase_customer.hpp>

#include <cstdio>
#include <string>

using clm::abi::guarded;
using clm::abi::require;

namespace {

// Journal event `index` as a clm_change: the row's fields as an event-log row
// would hold them (export_event_log() writes the same), plus the stage left.
// The strings live in this object, so it must outlive the callback.
class change_row {
public:
    change_row(const clm::portfolio &p, std::size_t index) {
        const clm::journal_event &ev = p.journal()[index];
        const clm::event_detail *d = p.detail_of(ev);
        time_ = clm::format_timestamp(ev.time);
        event_.customer_id = p.customer_id(ev.customer).c_str();
        event_.timestamp = time_.c_str();
        event_.type = clm::to_string(ev.type);
        event_.channel = clm::to_string(ev.via);
        if (ev.type == clm::event_type::stage) {
            const clm::model &m = p.model_at(ev.model);
            event_.value = m.stage_at(clm::stage_index(ev.value)).id.c_str();
            event_.model = m.id().c_str();
            change_.model = event_.model;
            change_.to_stage = event_.value;
            // The stage before: the customer's previous row in the same model.
            for (std::uint32_t e = ev.prev; e != clm::none32; e = p.journal()[e].prev) {
                const clm::journal_event &before = p.journal()[e];
                if (before.type != clm::event_type::stage || before.model != ev.model) continue;
                change_.from_stage = m.stage_at(clm::stage_index(before.value)).id.c_str();
                break;
            }
        } else {
            event_.value = p.text(ev.value).c_str();
        }
        if (d) {
            event_.manager = p.text(d->manager).c_str();
            event_.reason = p.text(d->reason).c_str();
            event_.note = p.text(d->note).c_str();
            if (d->has_due) {
                due_ = clm::format_timestamp(d->due);
                event_.due = due_.c_str();
            }
            event_.amount = d->amount;
            event_.has_amount = d->has_amount ? 1 : 0;
        }
        change_.seq = p.seq_of(index);
        change_.event = &event_;
    }
    change_row(const change_row &) = delete;
    change_row &operator=(const change_row &) = delete;
    const clm_change *get() const noexcept { return &change_; }

private:
    std::string time_, due_;
    clm_event event_ = CLM_EVENT_INIT;
    clm_change change_{sizeof(clm_change), 0, nullptr, nullptr, nullptr, nullptr};
};

} // namespace

namespace clm::abi {

void notify_observer(clm_portfolio *portfolio) noexcept {
    if (portfolio->delivering) return; // a commit made by the observer itself: the loop below delivers it
    portfolio->delivering = true;
    try {
        const clm::portfolio &p = portfolio->p;
        // Re-read each turn: the observer may commit (or erase) in turn.
        while (portfolio->observer && portfolio->observed < p.last_seq()) {
            std::size_t i = p.index_after(portfolio->observed);
            if (i >= p.journal().size()) { // the rest was erased
                portfolio->observed = p.last_seq();
                break;
            }
            change_row row(p, i);
            if (portfolio->observer(row.get(), portfolio->observer_payload) != 0) break; // offered again next commit
            portfolio->observed = row.get()->seq;
        }
    } catch (...) {
        // Out of memory for a row: the commit stands, and the row is offered again next time.
    }
    portfolio->delivering = false;
}

} // namespace clm::abi

extern "C" {

uint64_t clm_portfolio_last_seq(const clm_portfolio *portfolio) { return portfolio ? portfolio->p.last_seq() : 0; }

clm_status clm_portfolio_events_since(uint64_t *out_next, const clm_portfolio *portfolio, uint64_t after, size_t limit,
                                      clm_change_fn fn, void *payload) {
    return guarded("clm_portfolio_events_since", [&] {
        require(portfolio, "portfolio");
        if (fn == nullptr) throw clm::invalid_argument("fn must not be NULL");
        const clm::portfolio &p = portfolio->p;
        if (after > p.last_seq())
            throw clm::invalid_argument("cursor " + std::to_string(after) + " is beyond the journal's last sequence number " +
                                        std::to_string(p.last_seq()));
        uint64_t next = after;
        std::size_t end = p.journal().size();
        std::size_t delivered = 0;
        for (std::size_t i = p.index_after(after); i < end && (limit == 0 || delivered < limit); ++i, ++delivered) {
            change_row row(p, i);
            int r = fn(row.get(), payload);
            if (r != 0)
                throw clm::error(CLM_E_CALLBACK, "the callback returned " + std::to_string(r) + " at sequence number " +
                                                     std::to_string(row.get()->seq));
            next = row.get()->seq;
            // The callback may not change the portfolio (it is const here), but a host could cheat.
            if (p.journal().size() != end) throw clm::invalid_argument("the journal changed during clm_portfolio_events_since");
        }
        if (out_next) *out_next = next;
    });
}

clm_status clm_portfolio_set_observer(clm_portfolio *portfolio, clm_change_fn fn, void *payload) {
    return guarded("clm_portfolio_set_observer", [&] {
        require(portfolio, "portfolio");
        portfolio->observer = fn;
        portfolio->observer_payload = payload;
        portfolio->observed = portfolio->p.last_seq();
    });
}

uint64_t clm_portfolio_observed_seq(const clm_portfolio *portfolio) { return portfolio ? portfolio->observed : 0; }

clm_status clm_portfolio_erase_customer(clm_portfolio *portfolio, const char *customer_id) {
    return guarded("clm_portfolio_erase_customer", [&] {
        require(portfolio, "portfolio");
        require(customer_id, "customer_id");
        if (!clm::valid_utf8(customer_id)) throw clm::invalid_argument("customer_id is not valid UTF-8");
        clm::erase_customer(portfolio->p, customer_id);
        // Same models in the same slots; the handles point at them already.
    });
}

} // extern "C"
