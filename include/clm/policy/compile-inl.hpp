/// @file policy/compile-inl.hpp
/// Compiling a policy for a portfolio (compiled_policy's constructor): each
/// condition to flat nodes and leaves with interned operands, each rule's
/// channels resolved, and the pre-selection of rules by stage and class.
#pragma once

#include <clm/policy/compiled_policy.hpp>

#include <gsl/narrow>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clm {

CLM_INLINE compiled_policy::compiled_policy(std::shared_ptr<const policy> pol, const portfolio &p) : pol_(std::move(pol)), p_(p) {
    for (std::size_t m = 0; m < p.model_count(); ++m) order_.push_back(m);
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return p.model_at(a).id() < p.model_at(b).id(); });
    // Derived classes first: conditions and weights may name classes only they give.
    for (const auto *d : {&pol_->pre_contract, &pol_->service}) {
        if (!*d) continue;
        auto add = [&](const std::string &name) {
            if (!p.find_text(name) && std::find(derived_names_.begin(), derived_names_.end(), name) == derived_names_.end()) derived_names_.push_back(name);
        };
        for (const auto &[cls, min] : (*d)->classes) add(cls);
        add((*d)->otherwise);
    }
    for (const auto *d : {&pol_->pre_contract, &pol_->service}) {
        if (!*d) continue;
        derivation x;
        for (const auto &s : (*d)->scores) x.scores.push_back(p.find_text(s).value_or(none32));
        if (!(*d)->date_attribute.empty()) x.date_attribute = p.find_text((*d)->date_attribute).value_or(none32);
        for (const auto &[cls, min] : (*d)->classes) x.classes.emplace_back(class_id(cls), min);
        x.otherwise = class_id((*d)->otherwise);
        (d == &pol_->pre_contract ? pre_contract_ : service_) = std::move(x);
    }
    for (const auto &r : pol_->rules) roots_.push_back(compile(r.when));
    needs_odds_ = needs_odds_ || pol_->use_probability;
    std::vector<std::string> kinds;
    for (const auto &r : pol_->rules) {
        account_rules_ = account_rules_ || r.scope == rule_scope::account;
        auto it = std::find(kinds.begin(), kinds.end(), r.then.kind);
        if (it == kinds.end()) it = kinds.insert(kinds.end(), r.then.kind);
        kind_index_.push_back(std::uint8_t(std::min<std::ptrdiff_t>(it - kinds.begin(), 127)));
    }
    // Calendars: [0] is `holidays`, then each named calendar in name order.
    auto add_calendar = [&](const std::vector<holiday> &list) {
        std::vector<std::uint32_t> idx;
        for (const auto &h : list) {
            idx.push_back(std::uint32_t(holidays_.size()));
            holidays_.push_back(&h);
        }
        calendars_.push_back(std::move(idx));
    };
    add_calendar(pol_->holidays);
    std::vector<std::string> names;
    for (const auto &[name, list] : pol_->calendars) {
        add_calendar(list);
        names.push_back(name);
    }
    auto calendar_index = [&](const std::string &name) -> std::uint32_t {
        auto it = std::find(names.begin(), names.end(), name);
        return it == names.end() ? 0 : std::uint32_t(it - names.begin()) + 1;
    };
    default_calendar_ = pol_->default_calendar.empty() ? 0 : calendar_index(pol_->default_calendar);
    if (!pol_->calendar_attribute.empty()) {
        if (auto id = p.find_text(pol_->calendar_attribute)) calendar_attr_ = *id;
        for (const auto &name : names) // a value that is a calendar's name
            if (auto id = p.find_text(name)) calendar_of_value_.emplace_back(*id, calendar_index(name));
        for (const auto &[value, name] : pol_->calendar_map)
            if (auto id = p.find_text(value)) {
                auto it = std::find_if(calendar_of_value_.begin(), calendar_of_value_.end(), [&](const auto &x) { return x.first == *id; });
                if (it != calendar_of_value_.end()) it->second = calendar_index(name);
                else calendar_of_value_.emplace_back(*id, calendar_index(name));
            }
    }
    for (const auto &[cls, w] : pol_->class_weights)
        if (string_id id = class_id(cls); id != none32) class_weight_.emplace_back(id, w);
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

CLM_INLINE string_id compiled_policy::class_id(const std::string &name) const {
    if (auto id = p_.find_text(name)) return *id;
    auto it = std::find(derived_names_.begin(), derived_names_.end(), name);
    return it == derived_names_.end() ? none32 : derived_base + string_id(it - derived_names_.begin());
}

CLM_INLINE void compiled_policy::derive_class(customer_facts &f) const {
    // Service (D/E/F) once the customer has bought; before that, pre-contract (A/B/C).
    const bool in_service = f.reached_won || !f.purchases.empty();
    const std::optional<derivation> &d = in_service ? service_ : pre_contract_;
    if (!d) return;
    const class_derivation &src = in_service ? *pol_->service : *pol_->pre_contract;
    double total = 0;
    bool counted = false;
    for (string_id s : d->scores)
        if (s != none32)
            if (const double *v = f.score(s)) {
                total += *v;
                counted = true;
            }
    if (d->date_attribute != none32)
        if (const string_id *v = f.attribute(d->date_attribute))
            if (auto t = parse_timestamp(p_.text(*v))) {
                const std::int64_t away = day_of(*t) - f.as_of_day;
                counted = true;
                for (const auto &[within, points] : src.date_points)
                    if (away >= 0 && away <= within) {
                        total += points;
                        break;
                    }
            }
    if (!counted) return; // nothing to go by: no class
    f.customer_class = d->otherwise;
    for (const auto &[cls, min] : d->classes)
        if (total >= min) {
            f.customer_class = cls;
            break;
        }
}

CLM_INLINE std::uint32_t compiled_policy::compile(const condition &c) {
    node n;
    n.type = c.node;
    if (c.node == condition::type::leaf) {
        leaf_info li;
        li.src = &c;
        if (!c.model.empty()) li.slot = gsl::narrow<int>(p_.model_slot(c.model));
        for (const auto &s : c.strings)
            if (c.fact == fact_kind::customer_class) {
                if (string_id id = class_id(s); id != none32) li.ids.push_back(id);
            } else if (auto id = p_.find_text(s)) {
                li.ids.push_back(*id);
            }
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
        if (c.fact == fact_kind::p_won || c.fact == fact_kind::p_won_ratio || c.against_p90) needs_odds_ = true;
        n.leaf = gsl::narrow<std::uint32_t>(leaves_.size());
        leaves_.push_back(std::move(li));
        nodes_.push_back(n);
        return gsl::narrow<std::uint32_t>(nodes_.size() - 1);
    }
    std::vector<std::uint32_t> kids;
    for (const auto &ch : c.children) kids.push_back(compile(ch));
    n.first = gsl::narrow<std::uint32_t>(kids_.size());
    n.count = gsl::narrow<std::uint32_t>(kids.size());
    kids_.insert(kids_.end(), kids.begin(), kids.end());
    nodes_.push_back(n);
    return gsl::narrow<std::uint32_t>(nodes_.size() - 1);
}

CLM_INLINE const compiled_policy::leaf_info *compiled_policy::requirement(std::uint32_t root) const {
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

CLM_INLINE void compiled_policy::build_selection() {
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

} // namespace clm
