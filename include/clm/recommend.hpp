/// @file recommend.hpp
/// The policy engine: evaluates a policy's rules on customers' facts,
/// ranks the actions (score = priority x class weight x urgency x value),
/// explains each one, and evaluates whole portfolios on all cores without
/// per-customer heap allocation in the hot loop.
#pragma once

#include <clm/facts.hpp>
#include <clm/policy.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace clm {

/// One fact that matched, as a recommendation keeps it (rendered to text by
/// compiled_policy::explain()).
struct matched_fact {
    std::uint16_t leaf = 0;        ///< Leaf index in the compiled policy.
    string_id subject = 0;         ///< What the fact is about, when it names something: the control point's kind (0: nothing).
    double value = 0;              ///< The fact's value.
};

/// A recommendation: which rule fired for which customer, how it ranks, and
/// the facts that matched (rendered to text by explain()).
struct recommendation {
    std::uint32_t customer = 0;    ///< Customer index.
    std::uint16_t rule = 0;        ///< Rule index in the policy.
    channel via = channel::none;   ///< Channel resolved (preferred or the rule's).
    std::uint8_t matched_count = 0;///< Entries used in `matched`.
    double score = 0;              ///< priority x class weight x urgency x value.
    double urgency = 1;            ///< 1 + days overdue.
    double value = 1;              ///< Deal value (x win probability when the policy says so).
    std::int64_t due_day = 0;      ///< Due date (day number).
    std::size_t model_slot = 0;    ///< The model whose stage the action concerns.
    stage_index stage = no_stage;  ///< The customer's stage in that model.
    /// The leaves that matched (the first six), in evaluation order.
    std::array<matched_fact, 6> matched{};
};

/// A policy bound to one portfolio: string operands interned, model ids resolved.
class compiled_policy {
public:
    /// Compiles `pol` for `p`. Throws not_found for a model id the portfolio lacks.
    compiled_policy(std::shared_ptr<const policy> pol, const portfolio &p) : pol_(std::move(pol)), p_(p) {
        for (const auto &r : pol_->rules) roots_.push_back(compile(r.when));
        for (const auto &[cls, w] : pol_->class_weights)
            if (auto id = p.find_text(cls)) class_weight_.emplace_back(*id, w);
        if (auto id = p.find_text(pol_->value_attribute)) value_attr_ = *id;
        for (auto name : {"birthday", "anniversary"}) {
            auto id = p.find_text(name);
            (name[0] == 'b' ? birthday_attr_ : anniversary_attr_) = id ? *id : none32;
        }
        for (const auto &r : pol_->rules) {
            rule_channel rc;
            rc.preferred = r.then.channel == "preferred";
            rc.fixed = rc.preferred ? channel::none : parse_channel(r.then.channel).value_or(channel::none);
            rc.fallback = parse_channel(r.then.fallback_channel).value_or(channel::none);
            channels_.push_back(rc);
        }
        build_selection();
    }

    /// The policy.
    const policy &source() const noexcept { return *pol_; }
    /// The portfolio it was compiled for.
    const portfolio &target() const noexcept { return p_; }

    /// Evaluates every rule for one customer's facts and appends up to the
    /// per-customer limit of recommendations, best first. Allocation-free
    /// once `out` has capacity.
    void evaluate(const customer_facts &f, std::vector<recommendation> &out) const {
        std::size_t first = out.size();
        if (select_) {
            // Only the rules that can fire for this customer's stages and class, in rule order.
            std::array<std::uint64_t, max_select_words> cand;
            candidates(f, cand.data());
            for (std::size_t w = 0; w < words_; ++w)
                for (std::uint64_t bits = cand[w]; bits; bits &= bits - 1)
                    evaluate_rule(w * 64 + std::size_t(__builtin_ctzll(bits)), f, out);
        } else {
            for (std::size_t r = 0; r < roots_.size(); ++r) evaluate_rule(r, f, out);
        }
        // Keep the best `limit` (stable by rule order for ties). The usual few
        // are insertion-sorted: std::stable_sort allocates a buffer. (From
        // `begin`, not `begin + 1`: that is past the end, or null, when none fired.)
        auto begin = out.begin() + std::ptrdiff_t(first);
        if (out.end() - begin <= 32) {
            for (auto i = begin; i < out.end(); ++i) {
                recommendation x = *i;
                auto j = i;
                for (; j != begin && (j - 1)->score < x.score; --j) *j = *(j - 1);
                *j = x;
            }
        } else {
            std::stable_sort(begin, out.end(), [](const recommendation &a, const recommendation &b) { return a.score > b.score; });
        }
        std::size_t limit = std::size_t(pol_->per_customer_limit);
        if (out.size() - first > limit) out.resize(first + limit);
    }

    /// The text of each matched fact, e.g. "days since last contact 16 >= 14".
    std::vector<std::string> explain(const recommendation &rec) const {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < rec.matched_count; ++i) out.push_back(describe(leaves_[rec.matched[i].leaf], rec.matched[i], rec));
        return out;
    }

    /// The document the action concerns: the rule's `document`, else, for a
    /// send_document or follow_up action, the control point its matched facts
    /// are about (the most overdue, or the soonest due); "" when none.
    std::string document(const recommendation &rec) const {
        const action &a = pol_->rules[rec.rule].then;
        if (!a.document.empty()) return a.document;
        if (a.kind != "send_document" && a.kind != "follow_up") return {};
        for (std::size_t i = 0; i < rec.matched_count; ++i)
            if (rec.matched[i].subject) return p_.text(rec.matched[i].subject);
        return {};
    }

    /// The action's goal with placeholders filled ({stage}, {task}, {product}); the stage task when the goal is empty.
    std::string goal(const recommendation &rec, const customer_facts &f) const {
        const action &a = pol_->rules[rec.rule].then;
        std::string stage_id, task;
        if (rec.model_slot < f.stages.size() && f.stages[rec.model_slot].stage != no_stage) {
            const stage &s = p_.model_at(rec.model_slot).stage_at(f.stages[rec.model_slot].stage);
            stage_id = s.id;
            task = s.task;
        }
        std::string g = a.goal.empty() ? task : a.goal;
        auto replace = [&](const std::string &key, const std::string &val) {
            for (std::size_t pos = g.find(key); pos != std::string::npos; pos = g.find(key, pos + val.size())) g.replace(pos, key.size(), val);
        };
        replace("{stage}", stage_id);
        replace("{task}", task);
        replace("{product}", product(rec, f));
        return g;
    }

    /// The product to offer: the action's, else the customer's `product` attribute.
    std::string product(const recommendation &rec, const customer_facts &f) const {
        const action &a = pol_->rules[rec.rule].then;
        if (!a.product.empty()) return a.product;
        if (auto id = p_.find_text("product"))
            if (const string_id *v = f.attribute(*id)) return p_.text(*v);
        return {};
    }

    /// The stage task of the recommendation's model stage ("" when not in a stage).
    std::string task(const recommendation &rec, const customer_facts &f) const {
        if (rec.model_slot < f.stages.size() && f.stages[rec.model_slot].stage != no_stage)
            return p_.model_at(rec.model_slot).stage_at(f.stages[rec.model_slot].stage).task;
        return {};
    }

private:
    // A compiled node: leaves index into leaves_, combinators into kids_.
    struct node {
        condition::type type = condition::type::leaf;
        std::uint32_t leaf = 0;         // for leaves
        std::uint32_t first = 0, count = 0; // children in kids_
    };
    struct leaf_info {
        const condition *src = nullptr;
        std::vector<string_id> ids;     // interned operands (missing strings dropped: they cannot match)
        std::vector<stage_kind> kinds;
        std::vector<std::pair<std::size_t, stage_index>> stages; // (slot, stage) for stage facts
        int slot = -1;                  // model slot, -1 for any
        channel via = channel::none;
        bool preferred = false;
        bool any_channel = true;
        string_id name = none32, kind = none32, plan = none32, actual = none32;
        bool string_compare = false;
    };

    std::uint32_t compile(const condition &c) {
        node n;
        n.type = c.node;
        if (c.node == condition::type::leaf) {
            leaf_info li;
            li.src = &c;
            if (!c.model.empty()) li.slot = int(p_.model_slot(c.model));
            for (const auto &s : c.strings)
                if (auto id = p_.find_text(s)) li.ids.push_back(*id);
            if (c.fact == fact_kind::stage) {
                for (std::size_t m = 0; m < p_.model_count(); ++m) {
                    if (li.slot >= 0 && std::size_t(li.slot) != m) continue;
                    for (const auto &s : c.strings)
                        if (auto st = p_.model_at(m).find_stage(s)) li.stages.emplace_back(m, *st);
                }
            }
            if (c.fact == fact_kind::stage_kind)
                for (const auto &s : c.strings) li.kinds.push_back(*parse_stage_kind(s));
            if (!c.channel_name.empty()) {
                li.any_channel = false;
                if (c.channel_name == "preferred") li.preferred = true;
                else li.via = *parse_channel(c.channel_name);
            }
            auto id_or_none = [&](const std::string &s) {
                auto id = p_.find_text(s);
                return id ? *id : none32;
            };
            if (!c.name.empty()) li.name = id_or_none(c.name);
            if (!c.kind.empty()) li.kind = id_or_none(c.kind);
            if (c.fact == fact_kind::kpi_deviation) {
                li.plan = id_or_none("kpi." + c.name + ".plan");
                li.actual = id_or_none("kpi." + c.name + ".actual");
            }
            li.string_compare = c.fact == fact_kind::attribute && !c.strings.empty();
            n.leaf = std::uint32_t(leaves_.size());
            leaves_.push_back(std::move(li));
            nodes_.push_back(n);
            return std::uint32_t(nodes_.size() - 1);
        }
        std::vector<std::uint32_t> kids;
        for (const auto &ch : c.children) kids.push_back(compile(ch));
        n.first = std::uint32_t(kids_.size());
        n.count = std::uint32_t(kids.size());
        kids_.insert(kids_.end(), kids.begin(), kids.end());
        nodes_.push_back(n);
        return std::uint32_t(nodes_.size() - 1);
    }

    // The channels of a rule's action, resolved once.
    struct rule_channel {
        bool preferred = false;           // "preferred": the customer's, else `fallback`
        channel fixed = channel::none;
        channel fallback = channel::none;
    };

    // Rule pre-selection. Bit r of a mask stands for rule r. A rule whose
    // condition needs the customer in given stages or of given classes (a
    // `stage` or `class` leaf with == or in, the whole condition or directly
    // under its top-level `all`) is evaluated only for customers there: for
    // the others it cannot fire. Other rules are always evaluated.
    static constexpr std::size_t max_select_words = 8; // up to 512 rules; more: every rule is evaluated

    // The leaf every firing of the rule rooted at `root` needs, or nullptr.
    const leaf_info *requirement(std::uint32_t root) const {
        auto qualifies = [&](const node &x) -> const leaf_info * {
            if (x.type != condition::type::leaf) return nullptr;
            const leaf_info &li = leaves_[x.leaf];
            const condition &c = *li.src;
            if (c.op != op_kind::eq && c.op != op_kind::in) return nullptr;
            return c.fact == fact_kind::stage || c.fact == fact_kind::customer_class ? &li : nullptr;
        };
        const node &n = nodes_[root];
        if (n.type == condition::type::leaf) return qualifies(n);
        if (n.type == condition::type::all)
            for (std::uint32_t i = 0; i < n.count; ++i)
                if (const leaf_info *li = qualifies(nodes_[kids_[n.first + i]])) return li;
        return nullptr;
    }

    void build_selection() {
        if (roots_.empty() || roots_.size() > max_select_words * 64) return;
        words_ = (roots_.size() + 63) / 64;
        always_.assign(words_, 0);
        stage_rules_.resize(p_.model_count());
        for (std::size_t m = 0; m < p_.model_count(); ++m) stage_rules_[m].assign(p_.model_at(m).stage_count() * words_, 0);
        for (std::size_t r = 0; r < roots_.size(); ++r) {
            const std::uint64_t bit = std::uint64_t(1) << (r % 64);
            const std::size_t w = r / 64;
            const leaf_info *req = requirement(roots_[r]);
            if (!req) {
                always_[w] |= bit;
            } else if (req->src->fact == fact_kind::stage) {
                for (const auto &[m, st] : req->stages) stage_rules_[m][std::size_t(st) * words_ + w] |= bit;
            } else {
                for (string_id id : req->ids) {
                    std::size_t k = 0;
                    while (k < class_ids_.size() && class_ids_[k] != id) ++k;
                    if (k == class_ids_.size()) {
                        class_ids_.push_back(id);
                        class_rules_.resize(class_rules_.size() + words_, 0);
                    }
                    class_rules_[k * words_ + w] |= bit;
                }
            }
        }
        select_ = true;
    }

    // The rules worth evaluating for `f`: at least every rule that can fire.
    void candidates(const customer_facts &f, std::uint64_t *cand) const {
        for (std::size_t w = 0; w < words_; ++w) cand[w] = always_[w];
        const std::size_t models = std::min(f.stages.size(), stage_rules_.size());
        for (std::size_t m = 0; m < models; ++m) {
            const std::size_t row = std::size_t(f.stages[m].stage) * words_;
            const auto &rules = stage_rules_[m];
            if (row < rules.size())
                for (std::size_t w = 0; w < words_; ++w) cand[w] |= rules[row + w];
        }
        for (std::size_t k = 0; k < class_ids_.size(); ++k)
            if (class_ids_[k] == f.customer_class) {
                for (std::size_t w = 0; w < words_; ++w) cand[w] |= class_rules_[k * words_ + w];
                break;
            }
    }

    void evaluate_rule(std::size_t r, const customer_facts &f, std::vector<recommendation> &out) const {
        recommendation rec;
        rec.customer = f.customer;
        rec.rule = std::uint16_t(r);
        double overdue = 0;
        if (!eval(roots_[r], f, rec, overdue)) return;
        finish(rec, f, overdue);
        out.push_back(rec);
    }

    static bool compare(op_kind op, double a, double b) {
        switch (op) {
        case op_kind::eq: return a == b;
        case op_kind::ne: return a != b;
        case op_kind::lt: return a < b;
        case op_kind::le: return a <= b;
        case op_kind::gt: return a > b;
        case op_kind::ge: return a >= b;
        default: return false;
        }
    }

    static bool member(const std::vector<string_id> &ids, string_id v) {
        for (auto x : ids)
            if (x == v) return true;
        return false;
    }

    static bool set_op(op_kind op, bool in) { return op == op_kind::ne || op == op_kind::not_in ? !in : in; }

    // The first model slot the customer is in (or the leaf's slot).
    static int slot_for(const leaf_info &li, const customer_facts &f) {
        if (li.slot >= 0) return f.stages[std::size_t(li.slot)].stage == no_stage ? -1 : li.slot;
        for (std::size_t m = 0; m < f.stages.size(); ++m)
            if (f.stages[m].stage != no_stage) return int(m);
        return -1;
    }

    // Evaluates a leaf; `value` receives the fact's value, `overdue` how far past the threshold,
    // `subject` what the fact is about when it names something (a control point's kind).
    bool eval_leaf(const leaf_info &li, const customer_facts &f, double &value, double &overdue, int &slot, string_id &subject) const {
        const condition &c = *li.src;
        switch (c.fact) {
        case fact_kind::stage: {
            bool in = false;
            for (const auto &[m, st] : li.stages)
                if (f.stages[m].stage == st) {
                    in = true;
                    slot = int(m);
                    value = st;
                }
            if (!in && (c.op == op_kind::ne || c.op == op_kind::not_in)) slot = slot_for(li, f);
            return set_op(c.op, in);
        }
        case fact_kind::stage_kind: {
            int s = slot_for(li, f);
            if (s < 0) return false;
            stage_kind k = p_.model_at(std::size_t(s)).stage_at(f.stages[std::size_t(s)].stage).kind;
            bool in = false;
            for (auto x : li.kinds)
                if (x == k) in = true;
            slot = s;
            value = double(int(k));
            return set_op(c.op, in);
        }
        case fact_kind::days_in_stage: {
            int s = slot_for(li, f);
            if (s < 0) return false;
            const auto &sf = f.stages[std::size_t(s)];
            double threshold = c.number;
            if (c.against_time_limit) {
                const auto &lim = p_.model_at(std::size_t(s)).stage_at(sf.stage).time_limit_days;
                if (!lim) return false;
                threshold = *lim;
            }
            value = double(sf.days_in_stage);
            slot = s;
            overdue = value - threshold;
            return compare(c.op, value, threshold);
        }
        case fact_kind::days_since_contact: {
            std::int64_t d = f.days_since_contact;
            if (!li.any_channel) {
                channel ch = li.preferred ? f.preferred : li.via;
                if (li.preferred && ch == channel::none) return false;
                d = f.days_since_contact_by[std::size_t(ch)];
            }
            // Never contacted: as long as the customer is known, i.e. overdue by any measure.
            value = d == no_days ? 1e9 : double(d);
            if (c.op == op_kind::exists) return d != no_days;
            if (c.op == op_kind::missing) return d == no_days;
            overdue = d == no_days ? 30 : value - c.number;
            return compare(c.op, value, c.number);
        }
        case fact_kind::customer_class:
            value = f.customer_class;
            return set_op(c.op, f.customer_class != 0 && member(li.ids, f.customer_class));
        case fact_kind::manager:
            value = f.manager;
            return set_op(c.op, f.manager != 0 && member(li.ids, f.manager));
        case fact_kind::tag: {
            bool has = false;
            for (auto t : li.ids)
                if (f.has_tag(t)) has = true;
            return c.op == op_kind::has ? has : !has;
        }
        case fact_kind::attribute: {
            const string_id *v = li.name == none32 ? nullptr : f.attribute(li.name);
            if (c.op == op_kind::exists) return v != nullptr;
            if (c.op == op_kind::missing) return v == nullptr;
            if (!v) return false;
            if (li.string_compare) {
                value = *v;
                return set_op(c.op, member(li.ids, *v));
            }
            const std::string &text = p_.text(*v);
            char *end = nullptr;
            value = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0') return false;
            return compare(c.op, value, c.number);
        }
        case fact_kind::score: {
            const double *v = li.name == none32 ? nullptr : f.score(li.name);
            if (!v) return false;
            value = *v;
            return compare(c.op, value, c.number);
        }
        case fact_kind::kpi_deviation: {
            const string_id *plan = li.plan == none32 ? nullptr : f.attribute(li.plan);
            const string_id *actual = li.actual == none32 ? nullptr : f.attribute(li.actual);
            if (!plan || !actual) return false;
            double pl = std::strtod(p_.text(*plan).c_str(), nullptr), ac = std::strtod(p_.text(*actual).c_str(), nullptr);
            if (pl == 0) return false;
            value = std::fabs(ac - pl) / std::fabs(pl);
            return compare(c.op, value, c.number);
        }
        case fact_kind::control_point_overdue:
        case fact_kind::control_point_due_in: {
            // Overdue: the most overdue point. Due in: the soonest point not yet overdue
            // (an overdue point is not "due in" anything; control_point_overdue covers it).
            const bool due_in = c.fact == fact_kind::control_point_due_in;
            bool found = false;
            std::int64_t best = 0;
            string_id best_kind = 0;
            for (const auto &cp : f.control_points) {
                if (li.kind != none32 && cp.kind != li.kind) continue;
                if (!c.kind.empty() && li.kind == none32) continue;
                if (cp.days_to_due == no_days) continue;
                if (due_in && cp.days_to_due < 0) continue;
                if (!found || cp.days_to_due < best) {
                    best = cp.days_to_due;
                    best_kind = cp.kind;
                }
                found = true;
            }
            if (!found) return false;
            value = double(best);
            subject = best_kind;
            if (c.fact == fact_kind::control_point_overdue) {
                overdue = -value;
                return best < 0;
            }
            return compare(c.op, value, c.number);
        }
        case fact_kind::next_step:
            if (c.op == op_kind::missing) {
                overdue = 0;
                return !f.has_next_step;
            }
            if (c.op == op_kind::planned) return f.has_next_step;
            if (!f.has_next_step || f.next_step_days_to_due == no_days) return false;
            value = double(f.next_step_days_to_due);
            overdue = -value;
            return f.next_step_days_to_due < 0;
        case fact_kind::birthday_in:
        case fact_kind::anniversary_in: {
            string_id attr = c.fact == fact_kind::birthday_in ? birthday_attr_ : anniversary_attr_;
            const string_id *v = attr == none32 ? nullptr : f.attribute(attr);
            if (!v) return false;
            auto t = parse_timestamp(p_.text(*v));
            if (!t) return false;
            value = double(days_to_next_anniversary(*t, f.as_of_day));
            return compare(c.op, value, c.number);
        }
        case fact_kind::holiday_in: {
            if (pol_->holidays.empty()) return false;
            std::int64_t best = 400;
            for (const auto &h : pol_->holidays) best = std::min(best, h.days_until(f.as_of_day));
            value = double(best);
            return compare(c.op, value, c.number);
        }
        case fact_kind::purchases_declined:
        case fact_kind::purchases_in: {
            double recent = 0, before = 0;
            std::size_t n_recent = 0;
            for (const auto &pu : f.purchases) {
                std::int64_t age = f.as_of_day - pu.day;
                if (age < c.days) {
                    recent += pu.amount;
                    ++n_recent;
                } else if (age < 2 * std::int64_t(c.days)) {
                    before += pu.amount;
                }
            }
            if (c.fact == fact_kind::purchases_in) {
                value = double(n_recent);
                return compare(c.op, value, c.number);
            }
            value = recent;
            overdue = before > 0 ? (before - recent) / before * 10 : 0;
            return before > 0 && recent < before;
        }
        case fact_kind::done_within: {
            for (const auto &d : f.done)
                if (li.kind != none32 && d.first == li.kind) {
                    value = double(f.as_of_day - d.second);
                    return compare(c.op, value, c.number);
                }
            return false;
        }
        case fact_kind::recorded: {
            const bool has = li.kind != none32 && f.has_item(li.kind);
            return c.op == op_kind::exists ? has : !has;
        }
        case fact_kind::was_customer:
            // 0: reached a won stage; otherwise the number of purchases (for the explanation).
            value = f.reached_won ? 0.0 : double(f.purchases.size());
            return f.reached_won || !f.purchases.empty();
        }
        return false;
    }

    bool eval(std::uint32_t idx, const customer_facts &f, recommendation &rec, double &overdue) const {
        const node &n = nodes_[idx];
        switch (n.type) {
        case condition::type::leaf: {
            double value = 0, od = 0;
            int slot = -1;
            string_id subject = 0;
            if (!eval_leaf(leaves_[n.leaf], f, value, od, slot, subject)) return false;
            if (rec.matched_count < rec.matched.size()) rec.matched[rec.matched_count++] = {std::uint16_t(n.leaf), subject, value};
            if (slot >= 0) rec.model_slot = std::size_t(slot);
            overdue = std::max(overdue, od);
            return true;
        }
        case condition::type::all: {
            for (std::uint32_t i = 0; i < n.count; ++i)
                if (!eval(kids_[n.first + i], f, rec, overdue)) return false;
            return true;
        }
        case condition::type::any: {
            for (std::uint32_t i = 0; i < n.count; ++i) {
                std::uint8_t mark = rec.matched_count;
                if (eval(kids_[n.first + i], f, rec, overdue)) return true;
                rec.matched_count = mark; // a failed branch explains nothing
            }
            return false;
        }
        case condition::type::negate: {
            recommendation scratch = rec;
            double od = 0;
            return !eval(kids_[n.first], f, scratch, od);
        }
        }
        return false;
    }

    void finish(recommendation &rec, const customer_facts &f, double overdue) const {
        const action &a = pol_->rules[rec.rule].then;
        double weight = pol_->default_class_weight;
        for (const auto &[cls, w] : class_weight_)
            if (cls == f.customer_class) weight = w;
        rec.urgency = 1 + std::max(0.0, overdue);
        double value = pol_->default_value;
        if (value_attr_ != none32)
            if (const string_id *v = f.attribute(value_attr_)) {
                char *end = nullptr;
                double x = std::strtod(p_.text(*v).c_str(), &end);
                if (end && *end == '\0' && std::isfinite(x) && x >= 0) value = x;
            }
        if (pol_->use_probability && rec.model_slot < f.stages.size() && f.stages[rec.model_slot].stage != no_stage) {
            const auto &prob = p_.model_at(rec.model_slot).stage_at(f.stages[rec.model_slot].stage).probability;
            if (prob) value *= *prob;
        }
        rec.value = value;
        rec.score = a.priority * weight * rec.urgency * value;
        const rule_channel &rc = channels_[rec.rule];
        if (rc.preferred) rec.via = f.preferred != channel::none ? f.preferred : rc.fallback;
        else rec.via = rc.fixed;
        rec.due_day = f.as_of_day + a.due_in_days;
        if (rec.model_slot >= f.stages.size() || f.stages[rec.model_slot].stage == no_stage) {
            for (std::size_t m = 0; m < f.stages.size(); ++m)
                if (f.stages[m].stage != no_stage) {
                    rec.model_slot = m;
                    break;
                }
        }
        rec.stage = rec.model_slot < f.stages.size() ? f.stages[rec.model_slot].stage : no_stage;
    }

    std::string describe(const leaf_info &li, const matched_fact &m, const recommendation &rec) const {
        const condition &c = *li.src;
        const double value = m.value;
        static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not in", "has", "lacks", "exists", "missing", "planned", "overdue", "true"};
        const char *op = ops[int(c.op)];
        auto num = [](double v) {
            char buf[32];
            if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
            else std::snprintf(buf, sizeof buf, "%.2f", v);
            return std::string(buf);
        };
        // A number of days: "1 day", "3 days".
        auto days = [&](double v) { return num(v) + (v == 1 || v == -1 ? " day" : " days"); };
        // The control point a fact is about: the condition's kind, else the one that matched.
        auto point = [&] {
            const std::string k = !c.kind.empty() ? c.kind : m.subject ? p_.text(m.subject) : std::string();
            return k.empty() ? std::string() : " '" + k + "'";
        };
        auto list = [&] {
            std::string s;
            for (const auto &x : c.strings) s += (s.empty() ? "" : ", ") + x;
            return c.strings.size() == 1 ? s : "[" + s + "]";
        };
        std::string model_note = p_.model_count() > 1 ? " (" + p_.model_at(rec.model_slot).id() + ")" : "";
        switch (c.fact) {
        case fact_kind::stage:
            if (c.op == op_kind::ne || c.op == op_kind::not_in) return "stage " + std::string(op) + " " + list();
            return "stage '" + p_.model_at(rec.model_slot).stage_at(stage_index(value)).id + "'" + model_note;
        case fact_kind::stage_kind: {
            std::string st = rec.stage == no_stage ? std::string("?") : p_.model_at(rec.model_slot).stage_at(rec.stage).id;
            return "stage '" + st + "' is " + to_string(stage_kind(int(value))) + model_note;
        }
        case fact_kind::days_in_stage: {
            std::string threshold = num(c.number);
            if (c.against_time_limit && rec.stage != no_stage) {
                const auto &lim = p_.model_at(rec.model_slot).stage_at(rec.stage).time_limit_days;
                threshold = "the time limit " + (lim ? std::to_string(*lim) : std::string("?"));
            }
            return "days in stage " + num(value) + " " + op + " " + threshold + model_note;
        }
        case fact_kind::days_since_contact: {
            std::string ch = li.any_channel ? "" : li.preferred ? " (preferred channel)" : std::string(" by ") + to_string(li.via);
            if (c.op == op_kind::missing) return "never contacted" + ch;
            if (c.op == op_kind::exists) return "contacted before" + ch + " (last " + days(value) + " ago)";
            if (value >= 1e9) return "never contacted" + ch;
            return "days since last contact" + ch + " " + num(value) + " " + op + " " + num(c.number);
        }
        case fact_kind::customer_class: return "class " + (value ? p_.text(string_id(value)) : std::string("(none)")) + " " + op + " " + list();
        case fact_kind::manager: return "manager " + (value ? p_.text(string_id(value)) : std::string("(none)")) + " " + op + " " + list();
        case fact_kind::tag: return std::string(c.op == op_kind::has ? "has tag " : "lacks tag ") + list();
        case fact_kind::attribute:
            if (c.op == op_kind::exists || c.op == op_kind::missing) return "attribute " + c.name + " " + op;
            if (li.string_compare) return "attribute " + c.name + " = '" + p_.text(string_id(value)) + "' " + op + " " + list();
            return "attribute " + c.name + " " + num(value) + " " + op + " " + num(c.number);
        case fact_kind::score: return "score " + c.name + " " + num(value) + " " + op + " " + num(c.number);
        case fact_kind::kpi_deviation: return "KPI " + c.name + " deviates " + num(value * 100) + "% from plan (" + op + " " + num(c.number * 100) + "%)";
        case fact_kind::control_point_overdue: return "control point" + point() + " overdue by " + days(-value);
        case fact_kind::control_point_due_in: return "control point" + point() + " due in " + days(value) + " " + op + " " + num(c.number);
        case fact_kind::next_step:
            if (c.op == op_kind::missing) return "no next step planned";
            if (c.op == op_kind::planned) return "next step planned";
            return "next step overdue by " + days(-value);
        case fact_kind::birthday_in: return "birthday in " + days(value) + " " + op + " " + num(c.number);
        case fact_kind::anniversary_in: return "anniversary in " + days(value) + " " + op + " " + num(c.number);
        case fact_kind::holiday_in: return "holiday in " + days(value) + " " + op + " " + num(c.number);
        case fact_kind::purchases_declined: return "purchases in the last " + days(c.days) + " (" + num(value) + ") below the previous " + std::to_string(c.days);
        case fact_kind::purchases_in: return "purchases in the last " + days(c.days) + " " + num(value) + " " + op + " " + num(c.number);
        case fact_kind::done_within: return "'" + c.kind + "' done " + days(value) + " ago " + op + " " + num(c.number);
        case fact_kind::recorded: return "'" + c.kind + (c.op == op_kind::exists ? "' recorded" : "' not recorded");
        case fact_kind::was_customer:
            if (value == 0) return "was a customer (reached a won stage)";
            return "was a customer (" + num(value) + (value == 1 ? " purchase)" : " purchases)");
        }
        return "";
    }

    std::shared_ptr<const policy> pol_;
    const portfolio &p_;
    std::vector<std::uint32_t> roots_;
    std::vector<node> nodes_;
    std::vector<std::uint32_t> kids_;
    std::vector<leaf_info> leaves_;
    std::vector<std::pair<string_id, double>> class_weight_;
    string_id value_attr_ = none32, birthday_attr_ = none32, anniversary_attr_ = none32;
    std::vector<rule_channel> channels_;                 // per rule
    bool select_ = false;                                // pre-selection in use
    std::size_t words_ = 0;                              // 64-bit words per rule mask
    std::vector<std::uint64_t> always_;                  // rules evaluated for everyone
    std::vector<std::vector<std::uint64_t>> stage_rules_; // [slot][stage * words_ + w]: rules needing that stage
    std::vector<string_id> class_ids_;                   // classes some rule needs
    std::vector<std::uint64_t> class_rules_;             // [k * words_ + w]: rules needing class_ids_[k]
};

namespace detail {
// A recommendation's place in the ranking: score, customer id (its first 8
// bytes as a big-endian number settle most comparisons without the strings),
// rule; and where the recommendation is (part, position).
struct rank_key {
    double score;
    std::uint64_t prefix;
    std::uint32_t customer;
    std::uint32_t pos;
    std::uint32_t part;
    std::uint16_t rule;
};
// The first 8 bytes of `s`, big-endian, zero-padded: ordered like the strings
// whenever two prefixes differ.
inline std::uint64_t id_prefix(const std::string &s) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
    return v;
}
} // namespace detail

/// Options of a portfolio-wide evaluation.
struct recommend_options {
    std::optional<std::string> manager;   ///< Only this manager's customers.
    std::size_t limit = 0;                ///< At most this many (0: all).
    unsigned threads = 0;                 ///< 0: all cores.
    /// Called from the calling thread with (done, total); return false to cancel.
    std::function<bool(std::size_t, std::size_t)> progress;
};

/// Evaluates the policy for every customer as of `as_of_day`, on all cores,
/// and returns the recommendations ranked: score descending, then customer
/// id, then rule order. Throws cancelled when progress returns false.
inline std::vector<recommendation> recommend_all(const compiled_policy &cp, std::int64_t as_of_day, const recommend_options &opt = {}) {
    const portfolio &p = cp.target();
    const std::size_t n = p.customer_count();
    std::optional<string_id> manager_id;
    if (opt.manager) {
        manager_id = p.find_text(*opt.manager);
        if (!manager_id) return {};
    }
    unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<std::size_t>(threads, std::max<std::size_t>(1, n / 256 + 1)));
    std::vector<std::vector<recommendation>> parts(threads);
    std::vector<std::vector<detail::rank_key>> keys(threads);
    // The ranking: score descending, then customer id, then rule order (a total order).
    auto before = [&p](const detail::rank_key &a, const detail::rank_key &b) {
        if (a.score != b.score) return a.score > b.score;
        if (a.customer != b.customer) return a.prefix != b.prefix ? a.prefix < b.prefix : p.customer_id(a.customer) < p.customer_id(b.customer);
        return a.rule < b.rule;
    };
    std::atomic<std::size_t> done{0};
    std::atomic<bool> stop{false};
    std::vector<std::exception_ptr> errors(threads);
    // The rank keys of a part's recommendations, in part order.
    auto keys_of = [&p](const std::vector<recommendation> &out, unsigned t, std::vector<detail::rank_key> &k) {
        if (out.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("recommend_all: too many recommendations");
        k.clear();
        k.reserve(out.size());
        std::uint32_t last = none32;
        std::uint64_t prefix = 0;
        for (std::size_t i = 0; i < out.size(); ++i) {
            const recommendation &r = out[i];
            if (r.customer != last) {
                last = r.customer;
                prefix = detail::id_prefix(p.customer_id(r.customer));
            }
            k.push_back({r.score, prefix, r.customer, std::uint32_t(i), t, r.rule});
        }
    };
    auto work = [&](unsigned t) {
        try {
            customer_facts f;
            auto &out = parts[t];
            auto &k = keys[t];
            const std::size_t chunk = 1024;
            // With a limit, a part is pruned to its best `limit` when it reaches this size (0: never).
            const std::size_t keep = opt.limit && opt.limit < std::numeric_limits<std::uint32_t>::max() / 4 ? 2 * opt.limit + 64 : 0;
            detail::rank_key bar{};
            bool have_bar = false, sized = false;
            for (std::size_t c = std::size_t(t) * chunk; c < n; c += std::size_t(threads) * chunk) {
                for (std::size_t i = c; i < std::min(n, c + chunk); ++i) {
                    collect_facts(p, std::uint32_t(i), as_of_day, f);
                    if (manager_id && f.manager != *manager_id) continue;
                    const std::size_t from = out.size();
                    cp.evaluate(f, out);
                    if (!keep) continue;
                    // With a limit: keys kept in step with `out`, and a recommendation that
                    // ranks below one already left out (`bar`) is dropped at once: it
                    // cannot be among the best `limit`.
                    std::size_t w = from;
                    std::uint64_t prefix = 0;
                    bool have_prefix = false;
                    for (std::size_t r = from; r < out.size(); ++r) {
                        const recommendation rec = out[r];
                        if (have_bar && rec.score < bar.score) continue;
                        if (!have_prefix) {
                            prefix = detail::id_prefix(p.customer_id(rec.customer));
                            have_prefix = true;
                        }
                        const detail::rank_key key{rec.score, prefix, rec.customer, std::uint32_t(w), t, rec.rule};
                        if (have_bar && !before(key, bar)) continue;
                        out[w++] = rec;
                        k.push_back(key);
                    }
                    out.resize(w);
                    if (out.size() >= keep) {
                        // Only the best `limit` of a part can be among the best `limit` of all: keep those.
                        std::nth_element(k.begin(), k.begin() + std::ptrdiff_t(opt.limit), k.end(), before);
                        bar = k[opt.limit]; // the best one left out
                        have_bar = true;
                        k.resize(opt.limit);
                        std::sort(k.begin(), k.end(), [](const detail::rank_key &a, const detail::rank_key &b) { return a.pos < b.pos; });
                        for (std::size_t i = 0; i < k.size(); ++i) {
                            out[i] = out[k[i].pos];
                            k[i].pos = std::uint32_t(i);
                        }
                        out.resize(k.size());
                    }
                }
                if (!sized) {
                    // Room for this part's share at the first chunk's yield, so that the part rarely regrows.
                    sized = true;
                    const std::size_t seen = std::min(n, c + chunk) - c, mine = n / threads + chunk;
                    std::size_t want = std::size_t(double(out.size()) / double(seen) * double(mine) * 1.1) + 16;
                    out.reserve(keep ? std::min(want, keep + 64) : want);
                }
                done += std::min(n, c + chunk) - c;
                // Stopped: give up, unless this part is complete (then rank it: the result may stand).
                if (stop.load(std::memory_order_relaxed) && c + std::size_t(threads) * chunk < n) return;
            }
            // Rank this part (each worker its own, in parallel); the parts are merged below.
            if (!keep) keys_of(out, t, k);
            if (opt.limit && opt.limit < k.size()) {
                std::partial_sort(k.begin(), k.begin() + std::ptrdiff_t(opt.limit), k.end(), before);
                k.resize(opt.limit);
            } else {
                std::sort(k.begin(), k.end(), before);
            }
        } catch (...) {
            errors[t] = std::current_exception();
            stop = true;
        }
    };
    // A first report before any work, so that a caller can cancel deterministically.
    if (opt.progress && !opt.progress(0, n)) throw cancelled();
    // Joins every started worker however this function is left (a thread that
    // cannot be started throws; a joinable thread must never be destroyed).
    struct joiner {
        std::vector<std::thread> threads;
        std::atomic<bool> *stop;
        ~joiner() {
            stop->store(true);
            for (auto &t : threads)
                if (t.joinable()) t.join();
        }
    } guard{{}, &stop};
    auto &pool = guard.threads;
    pool.reserve(threads);
    // A worker whose thread cannot be started (the system is out of threads:
    // std::system_error) runs on this thread instead: slower, same result.
    std::vector<unsigned> here;
    here.reserve(threads);
    auto start = [&](unsigned t) {
        try {
            pool.emplace_back(work, t);
        } catch (const std::system_error &) {
            here.push_back(t); // reserved: cannot throw
        }
    };
    for (unsigned t = 1; t < threads; ++t) start(t);
    if (opt.progress) {
        // Worker 0 runs on its own thread too, so the caller's thread reports progress.
        start(0);
        for (unsigned t : here) work(t);
        while (done.load() < n && !stop.load()) {
            if (!opt.progress(done.load(), n)) {
                stop = true;
                break;
            }
            // A report every 20 ms, but the end is noticed within 1 ms.
            for (int i = 0; i < 20 && done.load() < n && !stop.load(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        for (auto &th : pool) th.join();
        if (!stop.load()) opt.progress(n, n);
    } else {
        work(0);
        for (unsigned t : here) work(t);
        for (auto &th : pool) th.join();
    }
    for (auto &e : errors)
        if (e) std::rethrow_exception(e);
    if (stop.load() && done.load() < n) throw cancelled();
    // Merge the ranked parts pairwise, then gather the recommendations in order.
    while (keys.size() > 1) {
        std::vector<std::vector<detail::rank_key>> merged;
        for (std::size_t i = 0; i + 1 < keys.size(); i += 2) {
            std::vector<detail::rank_key> m(keys[i].size() + keys[i + 1].size());
            std::merge(keys[i].begin(), keys[i].end(), keys[i + 1].begin(), keys[i + 1].end(), m.begin(), before);
            std::vector<detail::rank_key>().swap(keys[i]);
            std::vector<detail::rank_key>().swap(keys[i + 1]);
            merged.push_back(std::move(m));
        }
        if (keys.size() % 2) merged.push_back(std::move(keys.back()));
        keys.swap(merged);
    }
    const auto &order = keys.front();
    const std::size_t count = opt.limit ? std::min(opt.limit, order.size()) : order.size();
    std::vector<recommendation> all;
    all.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        if (i + 16 < count) { // the reads are scattered: ask for the one 16 ahead now
            const char *ahead = reinterpret_cast<const char *>(&parts[order[i + 16].part][order[i + 16].pos]);
            for (std::size_t b = 0; b < sizeof(recommendation); b += 64) __builtin_prefetch(ahead + b);
        }
        all.push_back(parts[order[i].part][order[i].pos]);
    }
    return all;
}

} // namespace clm
