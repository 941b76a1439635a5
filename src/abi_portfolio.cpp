// abi_portfolio.cpp -- the C ABI of portfolios: events, import/export,
// as-of queries, durable saves.
#include "abi_internal.hpp"

#include <clm/event_log.hpp>
#include <clm/event_stream.hpp>
#include <clm/maturity_export.hpp>
#include <clm/portfolio_json.hpp>
#include <clm/save_file.hpp>

#include <cstddef>
#include <memory>

using clm::abi::guarded;
using clm::abi::require;

namespace {

// The smallest struct_size accepted: up to and including `value`.
constexpr std::size_t min_event_size = offsetof(clm_event, value) + sizeof(const char *);

clm_event read_event(const clm_event *in) {
    // Every sizeof(clm_event) a compiler gives is a multiple of its alignment; any
    // other size would copy part of a pointer, and misalign a batch's next events.
    if (in->struct_size < min_event_size || in->struct_size > (std::size_t(1) << 16) ||
        in->struct_size % alignof(clm_event) != 0)
        throw clm::invalid_argument("event struct_size " + std::to_string(in->struct_size) +
                                    " is not valid (use CLM_EVENT_INIT or sizeof(clm_event))");
    clm_event ev = CLM_EVENT_INIT;
    std::memcpy(&ev, in, std::min(in->struct_size, sizeof(clm_event)));
    return ev;
}

std::string str(const char *s) { return s ? std::string(s) : std::string(); }

clm::event_input to_input(const clm_event &e, std::int32_t zone) {
    clm::event_input ev;
    ev.customer_id = str(e.customer_id);
    if (ev.customer_id.empty()) throw clm::invalid_argument("event: customer_id is required");
    std::string who = " (customer '" + ev.customer_id + "')";
    if (!e.timestamp) throw clm::invalid_argument("event: timestamp is required" + who);
    ev.time = clm::require_timestamp(e.timestamp, "event: timestamp" + who + ":", zone);
    auto type = clm::parse_event_type(str(e.type));
    if (!type) throw clm::invalid_argument("event: unknown type '" + str(e.type) + "'" + who);
    ev.type = *type;
    ev.value = str(e.value);
    ev.model = str(e.model);
    auto ch = clm::parse_channel(str(e.channel));
    if (!ch) throw clm::invalid_argument("event: unknown channel '" + str(e.channel) + "'" + who);
    ev.via = *ch;
    ev.manager = str(e.manager);
    ev.reason = str(e.reason);
    if (e.due && *e.due) ev.due = clm::require_timestamp(e.due, "event: due" + who + ":", zone);
    ev.note = str(e.note);
    if (e.has_amount) ev.amount = e.amount;
    ev.account = str(e.account); // NULL (as CLM_EVENT_INIT leaves it, and as a caller compiled before the field copies it): none
    return ev;
}

std::optional<clm::timestamp> as_of_arg(const char *as_of) {
    if (as_of == nullptr) return std::nullopt;
    return clm::end_of_day(clm::require_timestamp(as_of, "as_of"));
}

clm::timestamp last_event_time(const clm::portfolio &p) {
    clm::timestamp t = 0;
    for (const auto &e : p.journal()) t = std::max(t, e.time);
    return t;
}

std::size_t slot_arg(const clm::portfolio &p, const char *model_id) {
    if (model_id) return p.model_slot(model_id);
    if (p.model_count() == 1) return 0;
    throw clm::invalid_argument(p.model_count() == 0 ? "the portfolio has no model"
                                                     : "the portfolio has several models: name one with model_id");
}

std::string rejections_text(const std::vector<clm::portfolio::rejection> &rs, const char *prefix) {
    std::string out;
    for (const auto &r : rs) {
        if (prefix) out += std::string(prefix) + std::to_string(r.index) + ": ";
        out += r.message + "\n";
    }
    return out;
}

void sync_models(clm_portfolio *p) {
    p->models.resize(p->p.model_count());
    for (std::size_t i = 0; i < p->p.model_count(); ++i) {
        if (!p->models[i]) p->models[i].reset(new clm_model{p->p.model_ptr_at(i)});
        else p->models[i]->ptr = p->p.model_ptr_at(i);
    }
}

// Imports and hands back the report. The report is allocated before the
// import is made permanent, so that running out of memory for it rolls the
// import back too: a failed call changes nothing.
void import(clm_portfolio *portfolio, std::string_view text, const std::string &name, unsigned flags,
            size_t *out_applied, char **out_rejections) {
    char *report = nullptr;
    std::size_t applied = 0;
    clm::import_event_log(portfolio->p, text, name, (flags & CLM_BATCH_SKIP_BAD) != 0, [&](const clm::import_result &r) {
        if (out_rejections) report = clm::abi::dup_string(rejections_text(r.rejected, nullptr), nullptr);
        applied = r.applied;
    });
    if (out_rejections) *out_rejections = report;
    if (out_applied) *out_applied = applied;
    clm::abi::notify_observer(portfolio);
}

} // namespace

extern "C" {

clm_status clm_portfolio_new(clm_portfolio **out) {
    return guarded("clm_portfolio_new", [&] {
        require(out, "out");
        *out = new clm_portfolio();
    });
}

void clm_portfolio_free(clm_portfolio *portfolio) { delete portfolio; }

clm_status clm_portfolio_add_model(size_t *out_slot, clm_portfolio *portfolio, const clm_model *model) {
    return guarded("clm_portfolio_add_model", [&] {
        require(portfolio, "portfolio");
        require(model, "model");
        portfolio->models.reserve(portfolio->p.model_count() + 1);
        auto handle = std::make_unique<clm_model>(clm_model{model->ptr});
        std::size_t slot = portfolio->p.add_model(model->ptr);
        portfolio->models.push_back(std::move(handle)); // reserved: cannot throw
        if (out_slot) *out_slot = slot;
    });
}

size_t clm_portfolio_model_count(const clm_portfolio *portfolio) { return portfolio ? portfolio->p.model_count() : 0; }

const clm_model *clm_portfolio_model(const clm_portfolio *portfolio, size_t slot) {
    if (!portfolio || slot >= portfolio->models.size()) return nullptr;
    return portfolio->models[slot].get();
}

clm_status clm_portfolio_migrate(clm_portfolio *portfolio, const clm_model *newer) {
    return guarded("clm_portfolio_migrate", [&] {
        require(portfolio, "portfolio");
        require(newer, "newer");
        std::size_t slot = portfolio->p.model_slot(newer->ptr->id());
        portfolio->p.migrate(newer->ptr);
        // The slot's handle stays the same object, so pointers callers hold
        // from clm_portfolio_model() remain valid and see the new version.
        portfolio->models[slot]->ptr = newer->ptr;
    });
}

clm_status clm_portfolio_register_predicate(clm_portfolio *portfolio, const char *name, clm_predicate_fn fn,
                                            void *payload) {
    return guarded("clm_portfolio_register_predicate", [&] {
        require(portfolio, "portfolio");
        require(name, "name");
        if (fn == nullptr) throw clm::invalid_argument("fn must not be NULL");
        std::string pred_name = name;
        portfolio->p.register_predicate(pred_name, [fn, payload, pred_name](const clm::guard_context &c) {
            std::string customer(c.customer_id);
            std::string date = clm::format_timestamp(c.time);
            int r = fn(customer.c_str(), c.lifecycle->id().c_str(), c.lifecycle->stage_at(c.from).id.c_str(),
                       c.lifecycle->stage_at(c.to).id.c_str(), date.c_str(), payload);
            if (r < 0)
                throw clm::error(CLM_E_CALLBACK, "predicate '" + pred_name + "' reported an error (" + std::to_string(r) +
                                                     ") for customer '" + customer + "'");
            return r != 0;
        });
    });
}

clm_status clm_portfolio_apply(clm_portfolio *portfolio, const clm_event *event) {
    return guarded("clm_portfolio_apply", [&] {
        require(portfolio, "portfolio");
        require(event, "event");
        portfolio->p.apply(to_input(read_event(event), portfolio->p.time_zone()));
        clm::abi::notify_observer(portfolio);
    });
}

clm_status clm_portfolio_apply_batch(size_t *out_applied, char **out_rejections, clm_portfolio *portfolio,
                                     const clm_event *events, size_t count, unsigned flags) {
    return guarded("clm_portfolio_apply_batch", [&] {
        require(portfolio, "portfolio");
        if (count > 0) require(events, "events");
        std::vector<clm::event_input> inputs;
        inputs.reserve(count);
        std::size_t stride = count ? read_event(events).struct_size : 0;
        const char *base = reinterpret_cast<const char *>(events);
        bool skip = (flags & CLM_BATCH_SKIP_BAD) != 0;
        std::vector<clm::portfolio::rejection> early;
        std::vector<std::size_t> index_of;
        for (std::size_t i = 0; i < count; ++i) {
            const clm_event *e = reinterpret_cast<const clm_event *>(base + i * stride);
            try {
                inputs.push_back(to_input(read_event(e), portfolio->p.time_zone()));
                index_of.push_back(i);
            } catch (const clm::error &err) {
                if (!skip) throw clm::error(err.code(), "event " + std::to_string(i) + ": " + err.what());
                early.push_back({i, err.code(), err.what()});
            }
        }
        char *report = nullptr;
        std::size_t applied = 0;
        portfolio->p.apply_batch(
            inputs, skip, [&](std::size_t i) { return "event " + std::to_string(index_of[i]); },
            [&](std::vector<clm::portfolio::rejection> &rejected) {
                for (auto &r : rejected) r.index = index_of[r.index];
                for (auto &r : early) {
                    r.message = "event " + std::to_string(r.index) + ": " + r.message;
                    rejected.push_back(r);
                }
                std::sort(rejected.begin(), rejected.end(), [](const auto &a, const auto &b) { return a.index < b.index; });
                if (out_rejections) report = clm::abi::dup_string(rejections_text(rejected, nullptr), nullptr);
                applied = count - rejected.size();
            });
        if (out_rejections) *out_rejections = report;
        if (out_applied) *out_applied = applied;
        clm::abi::notify_observer(portfolio);
    });
}

clm_status clm_portfolio_import_csv(size_t *out_applied, char **out_rejections, clm_portfolio *portfolio,
                                    const char *csv, size_t len, const char *name, unsigned flags) {
    return guarded("clm_portfolio_import_csv", [&] {
        require(portfolio, "portfolio");
        if (csv == nullptr && len != 0) throw clm::invalid_argument("csv must not be NULL");
        import(portfolio, std::string_view(csv ? csv : "", len), name ? name : "", flags, out_applied, out_rejections);
    });
}

clm_status clm_portfolio_import_csv_file(size_t *out_applied, char **out_rejections, clm_portfolio *portfolio,
                                         const char *path, unsigned flags) {
    return guarded("clm_portfolio_import_csv_file", [&] {
        require(portfolio, "portfolio");
        require(path, "path");
        std::string text = clm::read_file(path);
        import(portfolio, text, path, flags, out_applied, out_rejections);
    });
}

clm_status clm_portfolio_export_events(char **out, size_t *out_len, const clm_portfolio *portfolio) {
    return guarded("clm_portfolio_export_events", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        *out = clm::abi::dup_string(clm::export_event_log(portfolio->p), out_len);
    });
}

size_t clm_portfolio_customer_count(const clm_portfolio *portfolio) { return portfolio ? portfolio->p.customer_count() : 0; }

const char *clm_portfolio_customer_id(const clm_portfolio *portfolio, size_t index) {
    if (!portfolio || index >= portfolio->p.customer_count()) return nullptr;
    return portfolio->p.customer_id(std::uint32_t(index)).c_str();
}

size_t clm_portfolio_event_count(const clm_portfolio *portfolio) { return portfolio ? portfolio->p.journal().size() : 0; }

clm_status clm_portfolio_stage(size_t *out_stage, int64_t *out_days, const clm_portfolio *portfolio,
                               const char *customer_id, const char *model_id, const char *as_of) {
    return guarded("clm_portfolio_stage", [&] {
        require(out_stage, "out_stage");
        require(portfolio, "portfolio");
        require(customer_id, "customer_id");
        const auto &p = portfolio->p;
        std::size_t slot = slot_arg(p, model_id);
        auto c = p.customer_index(customer_id);
        auto t = as_of_arg(as_of);
        clm::membership pos = t ? p.position_as_of(c, slot, *t) : p.position(c, slot);
        clm::timestamp ref = t ? *t : p.snapshot(c).stages.empty() ? 0 : p.journal()[p.history(c).back()].time;
        *out_stage = pos.stage == clm::no_stage ? CLM_NONE : size_t(pos.stage);
        if (out_days) *out_days = pos.stage == clm::no_stage ? 0 : clm::days_between(pos.entered, ref);
    });
}

clm_status clm_portfolio_stage_counts(size_t *counts, size_t capacity, size_t *out_total, const clm_portfolio *portfolio,
                                      const char *model_id, const char *as_of) {
    return guarded("clm_portfolio_stage_counts", [&] {
        require(portfolio, "portfolio");
        const auto &p = portfolio->p;
        std::size_t slot = slot_arg(p, model_id);
        std::size_t n = p.model_at(slot).stage_count();
        if (capacity < n) {
            throw clm::error(CLM_E_BUFFER_TOO_SMALL, "counts has room for " + std::to_string(capacity) + " stages; model '" +
                                                         p.model_at(slot).id() + "' has " + std::to_string(n));
        }
        require(counts, "counts");
        auto v = p.stage_counts(slot, as_of_arg(as_of));
        std::size_t total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            counts[i] = v[i];
            total += v[i];
        }
        if (out_total) *out_total = total;
    });
}

clm_status clm_portfolio_customer_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *customer_id,
                                       const char *as_of) {
    return guarded("clm_portfolio_customer_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        require(customer_id, "customer_id");
        auto c = portfolio->p.customer_index(customer_id);
        clm::timestamp t = as_of ? clm::require_timestamp(as_of, "as_of") : last_event_time(portfolio->p);
        *out = clm::abi::dup_string(clm::customer_to_json(portfolio->p, c, t).dump(), out_len);
    });
}

clm_status clm_portfolio_history_json(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *customer_id) {
    return guarded("clm_portfolio_history_json", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        require(customer_id, "customer_id");
        auto c = portfolio->p.customer_index(customer_id);
        *out = clm::abi::dup_string(clm::history_to_json(portfolio->p, c).dump(), out_len);
    });
}

clm_status clm_portfolio_export(char **out, size_t *out_len, const clm_portfolio *portfolio, const char *as_of,
                                clm_export_format format) {
    return guarded("clm_portfolio_export", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        const int f = clm::abi::enum_value(format);
        if (f != CLM_EXPORT_CSV && f != CLM_EXPORT_JSON) throw clm::invalid_argument("unknown export format " + std::to_string(f));
        clm::timestamp t = as_of ? clm::require_timestamp(as_of, "as_of") : last_event_time(portfolio->p);
        auto rows = clm::maturity_export(portfolio->p, t);
        std::string text = f == CLM_EXPORT_CSV ? clm::maturity_export_csv(portfolio->p, rows)
                                               : clm::maturity_export_json(portfolio->p, rows, t).dump();
        *out = clm::abi::dup_string(text, out_len);
    });
}

clm_status clm_portfolio_save(const clm_portfolio *portfolio, const char *path) {
    return guarded("clm_portfolio_save", [&] {
        require(portfolio, "portfolio");
        require(path, "path");
        clm::save_portfolio(portfolio->p, path);
    });
}

clm_status clm_portfolio_load(clm_portfolio **out, const char *path) {
    return guarded("clm_portfolio_load", [&] {
        require(out, "out");
        require(path, "path");
        auto p = std::make_unique<clm_portfolio>();
        p->p = clm::load_portfolio(path);
        sync_models(p.get());
        *out = p.release();
    });
}

clm_status clm_portfolio_save_buffer(char **out, size_t *out_len, const clm_portfolio *portfolio) {
    return guarded("clm_portfolio_save_buffer", [&] {
        require(out, "out");
        require(portfolio, "portfolio");
        *out = clm::abi::dup_string(clm::save_to_string(portfolio->p), out_len);
    });
}

clm_status clm_portfolio_load_buffer(clm_portfolio **out, const char *data, size_t len, const char *name) {
    return guarded("clm_portfolio_load_buffer", [&] {
        require(out, "out");
        if (data == nullptr && len != 0) throw clm::invalid_argument("data must not be NULL");
        auto p = std::make_unique<clm_portfolio>();
        p->p = clm::load_from_string(std::string_view(data ? data : "", len), name ? name : "buffer");
        sync_models(p.get());
        *out = p.release();
    });
}

clm_status clm_portfolio_set_time_zone(clm_portfolio *portfolio, const char *offset) {
    return guarded("clm_portfolio_set_time_zone", [&] {
        require(portfolio, "portfolio");
        require(offset, "offset");
        std::string_view o(offset);
        auto seconds = o == "UTC" ? std::optional<std::int32_t>(0) : clm::parse_utc_offset(o);
        if (!seconds)
            throw clm::invalid_argument("time zone '" + clm::printable(o.substr(0, 40)) +
                                        "' is not a UTC offset (expected Z, UTC, +hh:mm or -hh:mm, at most 14:00)");
        portfolio->p.set_time_zone(*seconds);
    });
}

clm_status clm_portfolio_import_csv_stream(size_t *out_applied, char **out_rejections, char **out_warnings,
                                           clm_portfolio *portfolio, clm_read_fn read, void *read_payload,
                                           const char *name, unsigned flags, clm_progress_fn progress,
                                           void *progress_payload) {
    return guarded("clm_portfolio_import_csv_stream", [&] {
        require(portfolio, "portfolio");
        if (read == nullptr) throw clm::invalid_argument("read must not be NULL");
        clm::stream_import_options options;
        options.file = name ? name : "";
        options.skip_bad = (flags & CLM_BATCH_SKIP_BAD) != 0;
        if (progress) options.progress = [&](std::size_t bytes) { return progress(bytes, 0, progress_payload) == 0; };
        const std::string who = name ? std::string(name) : std::string("<input>");
        auto reader = [&](char *buffer, std::size_t capacity) -> std::size_t {
            std::int64_t n = read(buffer, capacity, read_payload);
            if (n < 0) throw clm::error(CLM_E_CALLBACK, who + ": the read callback reported an error (" + std::to_string(n) + ")");
            if (std::uint64_t(n) > capacity)
                throw clm::invalid_argument(who + ": the read callback returned " + std::to_string(n) + " bytes for a buffer of " +
                                            std::to_string(capacity));
            return std::size_t(n);
        };
        char *rejections = nullptr, *warnings = nullptr;
        std::size_t applied = 0;
        clm::import_event_log_stream(portfolio->p, reader, options, [&](const clm::import_result &r) {
            // Allocated before the import is made permanent: running out of memory rolls it back.
            if (out_rejections) rejections = clm::abi::dup_string(rejections_text(r.rejected, nullptr), nullptr);
            if (out_warnings) {
                std::string text;
                for (const auto &w : r.warnings) text += w + "\n";
                try {
                    warnings = clm::abi::dup_string(text, nullptr);
                } catch (...) {
                    std::free(rejections);
                    throw;
                }
            }
            applied = r.applied;
        });
        if (out_rejections) *out_rejections = rejections;
        if (out_warnings) *out_warnings = warnings;
        if (out_applied) *out_applied = applied;
        clm::abi::notify_observer(portfolio);
    });
}

clm_status clm_portfolio_set_locale(clm_portfolio *portfolio, const char *locale) {
    return guarded("clm_portfolio_set_locale", [&] {
        require(portfolio, "portfolio");
        require(locale, "locale");
        portfolio->p.set_locale(locale);
        // Every slot has its handle already: this only repoints them (cannot fail),
        // so pointers callers hold from clm_portfolio_model() see the new text.
        sync_models(portfolio);
    });
}

clm_status clm_portfolio_set_strict_time_order(clm_portfolio *portfolio, int strict) {
    return guarded("clm_portfolio_set_strict_time_order", [&] {
        require(portfolio, "portfolio");
        portfolio->p.set_strict_time_order(strict != 0);
    });
}

} // extern "C"
