/// @file forecast.hpp
/// Pipeline forecast as of a date: stage-to-stage transition probabilities
/// and durations estimated from observed stays, then, through the absorbing
/// Markov chain over the model's stages (fundamental matrix N = (I - Q)^-1),
/// each open stage's probability of reaching a won stage and the expected
/// days to get there, and the expected revenue of the open pipeline.
/// Definitions (censoring, fallbacks, deal values): docs/analytics.md.
#pragma once

#include <clm/report_format.hpp>
#include <clm/stays.hpp>

#include <cstdlib>
#include <map>

namespace clm {

/// The inverse of the n×n row-major matrix `a`, by Gauss-Jordan elimination
/// with partial pivoting. Throws error(CLM_E_INTERNAL) when `a` is singular
/// (a pivot below 1e-12 in absolute value).
inline std::vector<double> invert_matrix(std::vector<double> a, std::size_t n) {
    std::vector<double> inv(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) inv[i * n + i] = 1.0;
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < n; ++r)
            if (std::fabs(a[r * n + col]) > std::fabs(a[pivot * n + col])) pivot = r;
        if (std::fabs(a[pivot * n + col]) < 1e-12) throw error(CLM_E_INTERNAL, "forecast: the transition matrix is singular");
        if (pivot != col)
            for (std::size_t k = 0; k < n; ++k) {
                std::swap(a[pivot * n + k], a[col * n + k]);
                std::swap(inv[pivot * n + k], inv[col * n + k]);
            }
        double d = a[col * n + col];
        for (std::size_t k = 0; k < n; ++k) {
            a[col * n + k] /= d;
            inv[col * n + k] /= d;
        }
        for (std::size_t r = 0; r < n; ++r) {
            if (r == col) continue;
            double f = a[r * n + col];
            if (f == 0.0) continue;
            for (std::size_t k = 0; k < n; ++k) {
                a[r * n + k] -= f * a[col * n + k];
                inv[r * n + k] -= f * inv[col * n + k];
            }
        }
    }
    return inv;
}

/// Where a stage's forecast comes from.
enum class forecast_source : std::uint8_t {
    observed = 0,          ///< Transient: probabilities from completed stays.
    model_probability = 1, ///< Transient, never observed leaving: the model's stage probability.
    absorbing = 2,         ///< A won, lost or terminal stage: the chain stops there.
    unobserved = 3         ///< Never observed leaving and no model probability (or no way out): treated as never winning.
};

/// The JSON name of a forecast source.
inline const char *to_string(forecast_source s) noexcept {
    switch (s) {
    case forecast_source::observed: return "observed";
    case forecast_source::model_probability: return "model_probability";
    case forecast_source::absorbing: return "absorbing";
    case forecast_source::unobserved: return "unobserved";
    }
    return "observed";
}

/// One stage's forecast.
struct stage_forecast {
    stage_index stage = no_stage;         ///< The stage.
    std::string id;                       ///< Its id.
    forecast_source source = forecast_source::observed; ///< How it is estimated.
    std::size_t completed = 0;            ///< Completed stays observed (the sample).
    std::size_t censored = 0;             ///< Open stays on the date (censored: not used).
    std::vector<std::pair<std::string, double>> next; ///< Estimated probability of each next stage (observed stages).
    std::optional<double> mean_days;      ///< Mean whole days of completed stays.
    double p_win = 0;                     ///< Probability of reaching a won stage from here (1 in a won stage).
    std::optional<double> expected_days_to_win; ///< Expected days to the won stage, given that it is reached.
    std::size_t open_customers = 0;       ///< Customers in the stage on the date (non-final stages).
    double expected_revenue = 0;          ///< Σ p_win × deal value over those customers.
};

/// How the deal values of open customers were found.
struct value_basis {
    std::size_t amount_attribute = 0;     ///< From the customer's `amount` attribute.
    std::size_t product_mean = 0;         ///< Mean purchase amount of the customer's `product` attribute.
    std::size_t overall_mean = 0;         ///< Mean purchase amount overall.
    std::size_t none = 0;                 ///< No purchase to learn from: value 0.
};

/// The forecast of one model as of a date.
struct forecast_report {
    std::string model;                    ///< The model's id.
    timestamp as_of = 0;                  ///< The date (every event on it counted).
    std::vector<stage_forecast> stages;   ///< One per stage, in model order.
    std::size_t open_customers = 0;       ///< Customers in non-final stages.
    double expected_wins = 0;             ///< Σ p_win over them.
    double expected_revenue = 0;          ///< Σ p_win × deal value over them.
    std::optional<double> overall_mean_amount; ///< Mean purchase amount (the last fallback value).
    value_basis basis;                    ///< How the deal values were found.
};

/// Forecasts model slot `slot` as of `as_of` (every event on that day counted).
inline forecast_report forecast(const portfolio &p, std::size_t slot, timestamp as_of) {
    const model &mdl = p.model_at(slot);
    const std::size_t n = mdl.stage_count();
    const timestamp t = end_of_day(as_of);
    forecast_report r;
    r.model = mdl.id();
    r.as_of = day_of(as_of) * seconds_per_day;
    r.stages.resize(n);

    // 1. Observe: exits and their durations from completed stays; open customers.
    std::vector<std::vector<std::size_t>> exits(n, std::vector<std::size_t>(n, 0));
    std::vector<std::vector<double>> exit_days(n, std::vector<double>(n, 0.0));
    std::vector<double> all_days(n, 0.0);
    struct open_deal {
        stage_index stage;
        std::optional<double> amount;
        string_id product;
    };
    std::vector<open_deal> open;
    std::map<string_id, std::pair<double, std::size_t>> by_product; // product -> (sum, count)
    double amount_sum = 0;
    std::size_t amount_count = 0;
    const auto amount_key = p.find_text("amount"), product_key = p.find_text("product");
    std::vector<std::uint32_t> events;
    std::vector<stay> stays;
    for (std::uint32_t c = 0; c < p.customer_count(); ++c) {
        customer_events(p, c, events);
        stays_of(p, events, slot, t, stays);
        std::optional<double> amount;
        string_id product = 0;
        for (std::uint32_t e : events) {
            const journal_event &ev = p.journal()[e];
            if (ev.time > t) break;
            if (ev.type == event_type::purchase) {
                const event_detail *d = p.detail_of(ev);
                if (!d || !d->has_amount) continue;
                amount_sum += d->amount;
                ++amount_count;
                auto &pr = by_product[ev.value];
                pr.first += d->amount;
                ++pr.second;
            } else if (ev.type == event_type::attribute) {
                auto [key, val] = p.key_value(ev.value);
                if (amount_key && key == *amount_key) {
                    const std::string &text = p.text(val);
                    char *end = nullptr;
                    double v = std::strtod(text.c_str(), &end);
                    amount = !text.empty() && *end == '\0' && std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
                } else if (product_key && key == *product_key) {
                    product = val;
                }
            }
        }
        if (stays.empty()) continue;
        for (const stay &st : stays) {
            if (!st.left) continue;
            auto days = double(days_between(st.entered, *st.left));
            ++r.stages[st.stage].completed;
            all_days[st.stage] += days;
            ++exits[st.stage][st.next];
            exit_days[st.stage][st.next] += days;
        }
        const stay &last = stays.back();
        ++r.stages[last.stage].censored;
        if (!is_final(mdl.stage_at(last.stage).kind)) open.push_back({last.stage, amount, product});
    }

    // 2. Classify the stages and estimate the chain.
    std::vector<std::vector<double>> prob(n, std::vector<double>(n, 0.0)), dur(n, std::vector<double>(n, 0.0));
    std::vector<double> p_virtual_win(n, 0.0), d_virtual(n, 0.0);
    for (stage_index s = 0; s < n; ++s) {
        stage_forecast &f = r.stages[s];
        const stage &st = mdl.stage_at(s);
        f.stage = s;
        f.id = st.id;
        if (f.completed) f.mean_days = all_days[s] / double(f.completed);
        if (is_final(st.kind)) {
            f.source = forecast_source::absorbing;
        } else if (f.completed) {
            f.source = forecast_source::observed;
            for (stage_index j = 0; j < n; ++j) {
                if (!exits[s][j]) continue;
                prob[s][j] = double(exits[s][j]) / double(f.completed);
                dur[s][j] = exit_days[s][j] / double(exits[s][j]);
                f.next.emplace_back(mdl.stage_at(j).id, prob[s][j]);
            }
        } else if (st.probability) {
            f.source = forecast_source::model_probability;
            p_virtual_win[s] = *st.probability;
            d_virtual[s] = st.time_limit_days ? double(*st.time_limit_days) : 0.0;
        } else {
            f.source = forecast_source::unobserved;
        }
    }
    // Transient stages that cannot reach an absorbing state never end: treat them as unobserved.
    auto transient = [&](stage_index s) {
        return r.stages[s].source == forecast_source::observed || r.stages[s].source == forecast_source::model_probability;
    };
    std::vector<bool> ends(n, false);
    for (stage_index s = 0; s < n; ++s) ends[s] = !transient(s) || r.stages[s].source == forecast_source::model_probability;
    for (bool changed = true; changed;) {
        changed = false;
        for (stage_index s = 0; s < n; ++s) {
            if (ends[s]) continue;
            for (stage_index j = 0; j < n; ++j)
                if (prob[s][j] > 0 && ends[j]) {
                    ends[s] = changed = true;
                    break;
                }
        }
    }
    for (stage_index s = 0; s < n; ++s)
        if (!ends[s]) r.stages[s].source = forecast_source::unobserved;

    // 3. Solve: w = N r_win (win probability), u = N g (E[days × 1{win}]).
    std::vector<stage_index> tr;
    std::vector<std::size_t> at(n, std::size_t(-1));
    for (stage_index s = 0; s < n; ++s)
        if (transient(s)) {
            at[s] = tr.size();
            tr.push_back(s);
        }
    const std::size_t k = tr.size();
    auto won = [&](stage_index j) { return mdl.stage_at(j).kind == stage_kind::won; };
    std::vector<double> w(n, 0.0);
    for (stage_index s = 0; s < n; ++s) w[s] = won(s) ? 1.0 : 0.0;
    std::vector<double> u(n, 0.0);
    if (k) {
        std::vector<double> a(k * k, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
            a[i * k + i] = 1.0;
            for (std::size_t j = 0; j < k; ++j) a[i * k + j] -= prob[tr[i]][tr[j]];
        }
        std::vector<double> N = invert_matrix(std::move(a), k);
        std::vector<double> rw(k, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
            rw[i] = p_virtual_win[tr[i]];
            for (stage_index j = 0; j < n; ++j)
                if (won(j)) rw[i] += prob[tr[i]][j];
        }
        for (std::size_t i = 0; i < k; ++i) {
            double sum = 0;
            for (std::size_t j = 0; j < k; ++j) sum += N[i * k + j] * rw[j];
            w[tr[i]] = std::clamp(sum, 0.0, 1.0);
        }
        std::vector<double> g(k, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
            stage_index s = tr[i];
            g[i] = p_virtual_win[s] * d_virtual[s];
            for (stage_index j = 0; j < n; ++j)
                if (prob[s][j] > 0) g[i] += prob[s][j] * dur[s][j] * w[j];
        }
        for (std::size_t i = 0; i < k; ++i) {
            double sum = 0;
            for (std::size_t j = 0; j < k; ++j) sum += N[i * k + j] * g[j];
            u[tr[i]] = sum;
        }
    }
    for (stage_index s = 0; s < n; ++s) {
        stage_forecast &f = r.stages[s];
        f.p_win = w[s];
        if (won(s)) f.expected_days_to_win = 0.0;
        else if (transient(s) && w[s] > 1e-12) f.expected_days_to_win = u[s] / w[s];
    }

    // 4. The open pipeline.
    if (amount_count) r.overall_mean_amount = amount_sum / double(amount_count);
    for (const open_deal &d : open) {
        double value = 0;
        if (d.amount) {
            value = *d.amount;
            ++r.basis.amount_attribute;
        } else if (auto it = by_product.find(d.product); d.product && it != by_product.end()) {
            value = it->second.first / double(it->second.second);
            ++r.basis.product_mean;
        } else if (r.overall_mean_amount) {
            value = *r.overall_mean_amount;
            ++r.basis.overall_mean;
        } else {
            ++r.basis.none;
        }
        stage_forecast &f = r.stages[d.stage];
        double pw = f.p_win;
        ++f.open_customers;
        f.expected_revenue += pw * value;
        ++r.open_customers;
        r.expected_wins += pw;
        r.expected_revenue += pw * value;
    }
    return r;
}

/// The forecast as JSON: {"model", "as_of", "stages": [{"id", "source",
/// "completed_stays", "censored_stays", "next": {stage: probability}, "mean_days",
/// "p_win", "expected_days_to_win", "open_customers", "expected_revenue"}],
/// "pipeline": {"open_customers", "expected_wins", "expected_revenue",
/// "overall_mean_amount", "value_basis": {"amount_attribute", "product_mean",
/// "overall_mean", "none"}}}.
inline nlohmann::ordered_json forecast_to_json(const forecast_report &r) {
    using oj = nlohmann::ordered_json;
    auto opt = [](const std::optional<double> &v) { return v ? oj(*v) : oj(); };
    oj j;
    j["model"] = r.model;
    j["as_of"] = format_date(r.as_of);
    oj stages = oj::array();
    for (const auto &s : r.stages) {
        oj next = oj::object();
        for (const auto &[id, pr] : s.next) next[id] = pr;
        oj one;
        one["id"] = s.id;
        one["source"] = to_string(s.source);
        one["completed_stays"] = s.completed;
        one["censored_stays"] = s.censored;
        one["next"] = std::move(next);
        one["mean_days"] = opt(s.mean_days);
        one["p_win"] = s.p_win;
        one["expected_days_to_win"] = opt(s.expected_days_to_win);
        one["open_customers"] = s.open_customers;
        one["expected_revenue"] = s.expected_revenue;
        stages.push_back(std::move(one));
    }
    j["stages"] = std::move(stages);
    j["pipeline"] = {{"open_customers", r.open_customers},
                     {"expected_wins", r.expected_wins},
                     {"expected_revenue", r.expected_revenue},
                     {"overall_mean_amount", opt(r.overall_mean_amount)},
                     {"value_basis",
                      {{"amount_attribute", r.basis.amount_attribute},
                       {"product_mean", r.basis.product_mean},
                       {"overall_mean", r.basis.overall_mean},
                       {"none", r.basis.none}}}};
    return j;
}

/// The forecast as text for the clm command.
inline std::string forecast_to_text(const forecast_report &r) {
    std::string out = "forecast of " + r.model + " as of " + format_date(r.as_of) + "\n";
    char line[512];
    std::snprintf(line, sizeof line, "  %-24s %-18s %9s %8s %12s %6s %16s\n", "stage", "source", "completed", "p_win",
                  "days_to_win", "open", "expected_revenue");
    out += line;
    for (const auto &s : r.stages) {
        std::string pw = percent_text(s.p_win);
        std::string days = s.expected_days_to_win ? days_text(std::round(*s.expected_days_to_win * 10) / 10) : "-";
        std::snprintf(line, sizeof line, "  %-24s %-18s %9zu %8s %12s %6zu %16s\n", s.id.c_str(), to_string(s.source),
                      s.completed, pw.c_str(), days.c_str(), s.open_customers, money_text(s.expected_revenue).c_str());
        out += line;
    }
    for (const auto &s : r.stages) {
        if (s.next.empty()) continue;
        out += "  " + s.id + " ->";
        for (const auto &[id, pr] : s.next) out += " " + id + " " + percent_text(pr);
        out += "\n";
    }
    std::snprintf(line, sizeof line, "pipeline: %zu open customers, %.1f expected wins, expected revenue %s\n", r.open_customers,
                  r.expected_wins, money_text(r.expected_revenue).c_str());
    out += line;
    out += "deal values: " + std::to_string(r.basis.amount_attribute) + " from the amount attribute, " +
           std::to_string(r.basis.product_mean) + " from the product's mean purchase, " + std::to_string(r.basis.overall_mean) +
           " from the overall mean purchase, " + std::to_string(r.basis.none) + " unknown\n";
    return out;
}

} // namespace clm
