// abi_model.cpp -- the C ABI of lifecycle models and the model builder.
#include "abi_internal.hpp"

#include <clm/diagram.hpp>
#include <clm/presets.hpp>

#include <cmath>

using clm::abi::guarded;
using clm::abi::require;

struct clm_model_builder {
    clm::model_builder b;
};

namespace {

const clm::stage *stage_or_null(const clm_model *m, size_t index) {
    if (m == nullptr || index >= m->ptr->stage_count()) return nullptr;
    return &m->ptr->stage_at(clm::stage_index(index));
}

clm_model *wrap(clm::model_ptr p) { return new clm_model{std::move(p)}; }

clm::model_builder::transition_spec &transition_of(clm_model_builder *b, const char *from, const char *event) {
    require(b, "builder");
    require(from, "from");
    require(event, "event");
    auto *t = b->b.find_transition(from, event);
    if (t == nullptr)
        throw clm::not_found(std::string("no transition from '") + from + "' on '" + event + "' was added");
    return *t;
}

clm::stage &stage_of(clm_model_builder *b, const char *stage_id) {
    require(b, "builder");
    require(stage_id, "stage_id");
    auto *s = b->b.find_stage(stage_id);
    if (s == nullptr) throw clm::not_found(std::string("no stage '") + stage_id + "' was added");
    return *s;
}

} // namespace

extern "C" {

size_t clm_preset_count(void) { return clm::preset_count(); }

const char *clm_preset_id(size_t index) { return clm::preset_id(index); }

clm_status clm_model_preset(clm_model **out, const char *preset_id) {
    return guarded("clm_model_preset", [&] {
        require(out, "out");
        require(preset_id, "preset_id");
        *out = wrap(clm::load_preset(preset_id));
    });
}

clm_status clm_model_from_json(clm_model **out, const char *json, size_t len) {
    return guarded("clm_model_from_json", [&] {
        require(out, "out");
        if (json == nullptr && len != 0) throw clm::invalid_argument("json must not be NULL");
        *out = wrap(clm::model_from_json(std::string_view(json ? json : "", len)));
    });
}

clm_status clm_model_load(clm_model **out, const char *preset_or_path) {
    return guarded("clm_model_load", [&] {
        require(out, "out");
        require(preset_or_path, "preset_or_path");
        *out = wrap(clm::load_model(preset_or_path));
    });
}

clm_status clm_model_validate_json(char **out_report, size_t *out_count, const char *json, size_t len,
                                   const char *name) {
    return guarded("clm_model_validate_json", [&] {
        require(out_report, "out_report");
        if (json == nullptr && len != 0) throw clm::invalid_argument("json must not be NULL");
        std::string report;
        size_t count = 0;
        try {
            clm::model_from_json(std::string_view(json ? json : "", len), name ? name : "");
        } catch (const clm::input_error &e) {
            for (const auto &d : e.problems()) report += d.to_string() + "\n";
            count = e.problems().size();
        }
        *out_report = clm::abi::dup_string(report, nullptr);
        if (out_count) *out_count = count;
    });
}

void clm_model_free(clm_model *model) { delete model; }

const char *clm_model_id(const clm_model *model) { return model ? model->ptr->id().c_str() : nullptr; }

int clm_model_version(const clm_model *model) { return model ? model->ptr->version() : 0; }

const char *clm_model_name(const clm_model *model) { return model ? model->ptr->name().c_str() : nullptr; }

size_t clm_model_stage_count(const clm_model *model) { return model ? model->ptr->stage_count() : 0; }

size_t clm_model_initial_stage(const clm_model *model) { return model ? model->ptr->initial() : CLM_NONE; }

clm_status clm_model_find_stage(size_t *out, const clm_model *model, const char *stage_id) {
    return guarded("clm_model_find_stage", [&] {
        require(out, "out");
        require(model, "model");
        require(stage_id, "stage_id");
        *out = model->ptr->stage_of(stage_id);
    });
}

const char *clm_model_stage_id(const clm_model *model, size_t index) {
    auto *s = stage_or_null(model, index);
    return s ? s->id.c_str() : nullptr;
}

const char *clm_model_stage_name(const clm_model *model, size_t index) {
    auto *s = stage_or_null(model, index);
    return s ? s->name.c_str() : nullptr;
}

const char *clm_model_stage_task(const clm_model *model, size_t index) {
    auto *s = stage_or_null(model, index);
    return s ? s->task.c_str() : nullptr;
}

int clm_model_stage_kind(const clm_model *model, size_t index) {
    auto *s = stage_or_null(model, index);
    return s ? int(s->kind) : -1;
}

int clm_model_stage_time_limit(const clm_model *model, size_t index) {
    auto *s = stage_or_null(model, index);
    return s && s->time_limit_days ? *s->time_limit_days : -1;
}

double clm_model_stage_probability(const clm_model *model, size_t index) {
    auto *s = stage_or_null(model, index);
    return s && s->probability ? *s->probability : -1.0;
}

size_t clm_model_stage_requirement_count(const clm_model *model, size_t index) {
    auto *s = stage_or_null(model, index);
    return s ? s->requirements.size() : 0;
}

const char *clm_model_stage_requirement(const clm_model *model, size_t index, size_t item) {
    auto *s = stage_or_null(model, index);
    return s && item < s->requirements.size() ? s->requirements[item].c_str() : nullptr;
}

size_t clm_model_transition_count(const clm_model *model) { return model ? model->ptr->transition_count() : 0; }

clm_status clm_model_transition(size_t *out_from, size_t *out_to, const char **out_event, const clm_model *model,
                                size_t index) {
    return guarded("clm_model_transition", [&] {
        require(model, "model");
        if (index >= model->ptr->transition_count())
            throw clm::invalid_argument("transition index " + std::to_string(index) + " is out of range (model '" +
                                        model->ptr->id() + "' has " + std::to_string(model->ptr->transition_count()) + ")");
        const auto &t = model->ptr->transition_at(index);
        if (out_from) *out_from = t.from;
        if (out_to) *out_to = t.to;
        if (out_event) *out_event = model->ptr->event_name(t.event).c_str();
    });
}

clm_status clm_model_next_stage(size_t *out, const clm_model *model, size_t from_stage, const char *event) {
    return guarded("clm_model_next_stage", [&] {
        require(out, "out");
        require(model, "model");
        require(event, "event");
        const auto &m = *model->ptr;
        if (from_stage >= m.stage_count())
            throw clm::invalid_argument("stage index " + std::to_string(from_stage) + " is out of range");
        auto e = m.find_event(event);
        if (!e) throw clm::not_found("model '" + m.id() + "' has no event '" + event + "'");
        auto to = m.next(clm::stage_index(from_stage), *e);
        if (to == clm::no_stage)
            throw clm::illegal_transition("model '" + m.id() + "': stage '" + m.stage_at(clm::stage_index(from_stage)).id +
                                          "' has no transition on '" + event + "'");
        *out = to;
    });
}

clm_status clm_model_render(char **out, size_t *out_len, const clm_model *model, clm_model_format format) {
    return guarded("clm_model_render", [&] {
        require(out, "out");
        require(model, "model");
        std::string text;
        switch (clm::abi::enum_value(format)) {
        case CLM_FORMAT_TEXT: text = clm::model_to_text(*model->ptr); break;
        case CLM_FORMAT_JSON: text = clm::model_to_json(*model->ptr).dump(2) + "\n"; break;
        case CLM_FORMAT_DOT: text = clm::model_to_dot(*model->ptr); break;
        case CLM_FORMAT_MERMAID: text = clm::model_to_mermaid(*model->ptr); break;
        default: throw clm::invalid_argument("unknown format " + std::to_string(clm::abi::enum_value(format)));
        }
        *out = clm::abi::dup_string(text, out_len);
    });
}

clm_status clm_model_migrate_stage(size_t *out, const clm_model *model, int from_version, const char *old_stage_id) {
    return guarded("clm_model_migrate_stage", [&] {
        require(out, "out");
        require(model, "model");
        require(old_stage_id, "old_stage_id");
        auto s = model->ptr->migrate_stage(from_version, old_stage_id);
        if (!s)
            throw clm::not_found("model '" + model->ptr->id() + "' v" + std::to_string(model->ptr->version()) +
                                 " has no place for stage '" + old_stage_id + "' of version " + std::to_string(from_version));
        *out = *s;
    });
}

clm_status clm_model_set_locale(clm_model *model, const char *locale) {
    return guarded("clm_model_set_locale", [&] {
        require(model, "model");
        require(locale, "locale");
        model->ptr = model->ptr->in_locale(locale);
    });
}

const char *clm_model_locale(const clm_model *model) { return model ? model->ptr->locale().c_str() : nullptr; }

size_t clm_model_locale_count(const clm_model *model) { return model ? model->ptr->locales().tags.size() : 0; }

const char *clm_model_locale_at(const clm_model *model, size_t index) {
    if (!model || index >= model->ptr->locales().tags.size()) return nullptr;
    return model->ptr->locales().tags[index].c_str();
}

clm_status clm_model_builder_new(clm_model_builder **out, const char *model_id, int version) {
    return guarded("clm_model_builder_new", [&] {
        require(out, "out");
        require(model_id, "model_id");
        *out = new clm_model_builder{clm::model_builder(model_id, version)};
    });
}

void clm_model_builder_free(clm_model_builder *builder) { delete builder; }

clm_status clm_model_builder_set_name(clm_model_builder *builder, const char *name) {
    return guarded("clm_model_builder_set_name", [&] {
        require(builder, "builder");
        require(name, "name");
        builder->b.name(name);
    });
}

clm_status clm_model_builder_add_stage(clm_model_builder *builder, const char *stage_id, const char *name,
                                       clm_stage_kind kind, const char *task) {
    return guarded("clm_model_builder_add_stage", [&] {
        require(builder, "builder");
        require(stage_id, "stage_id");
        const int k = clm::abi::enum_value(kind);
        if (k < 0 || k > int(CLM_STAGE_TERMINAL)) throw clm::invalid_argument("unknown stage kind " + std::to_string(k));
        if (builder->b.has_stage(stage_id))
            throw clm::duplicate(std::string("stage '") + stage_id + "' was already added");
        clm::stage s;
        s.id = stage_id;
        s.name = name ? name : stage_id;
        s.kind = clm::stage_kind(k);
        s.task = task ? task : "";
        builder->b.add_stage(std::move(s));
    });
}

clm_status clm_model_builder_set_time_limit(clm_model_builder *builder, const char *stage_id, int days) {
    return guarded("clm_model_builder_set_time_limit", [&] {
        auto &s = stage_of(builder, stage_id);
        if (days < 0) throw clm::invalid_argument("time limit of stage '" + s.id + "' must not be negative");
        s.time_limit_days = days;
    });
}

clm_status clm_model_builder_set_probability(clm_model_builder *builder, const char *stage_id, double p) {
    return guarded("clm_model_builder_set_probability", [&] { stage_of(builder, stage_id).probability = p; });
}

clm_status clm_model_builder_add_requirement(clm_model_builder *builder, const char *stage_id, const char *item) {
    return guarded("clm_model_builder_add_requirement", [&] {
        require(item, "item");
        stage_of(builder, stage_id).requirements.emplace_back(item);
    });
}

clm_status clm_model_builder_set_initial(clm_model_builder *builder, const char *stage_id) {
    return guarded("clm_model_builder_set_initial", [&] {
        require(builder, "builder");
        require(stage_id, "stage_id");
        builder->b.initial(stage_id);
    });
}

clm_status clm_model_builder_add_transition(clm_model_builder *builder, const char *from, const char *to,
                                            const char *event) {
    return guarded("clm_model_builder_add_transition", [&] {
        require(builder, "builder");
        require(from, "from");
        require(to, "to");
        require(event, "event");
        clm::model_builder::transition_spec t;
        t.from = from;
        t.to = to;
        t.event = event;
        builder->b.add_transition(std::move(t));
    });
}

clm_status clm_model_builder_guard_requires(clm_model_builder *builder, const char *from, const char *event,
                                            const char *item) {
    return guarded("clm_model_builder_guard_requires", [&] {
        require(item, "item");
        auto &t = transition_of(builder, from, event);
        clm::guard g;
        g.kind = clm::guard::type::items_present;
        g.items.emplace_back(item);
        t.guards.push_back(std::move(g));
    });
}

clm_status clm_model_builder_guard_min_days(clm_model_builder *builder, const char *from, const char *event, int days) {
    return guarded("clm_model_builder_guard_min_days", [&] {
        auto &t = transition_of(builder, from, event);
        if (days < 0) throw clm::invalid_argument("min_days must not be negative");
        clm::guard g;
        g.kind = clm::guard::type::min_days;
        g.days = days;
        t.guards.push_back(std::move(g));
    });
}

clm_status clm_model_builder_guard_predicate(clm_model_builder *builder, const char *from, const char *event,
                                             const char *predicate_name) {
    return guarded("clm_model_builder_guard_predicate", [&] {
        require(predicate_name, "predicate_name");
        auto &t = transition_of(builder, from, event);
        clm::guard g;
        g.kind = clm::guard::type::predicate;
        g.name = predicate_name;
        t.guards.push_back(std::move(g));
    });
}

clm_status clm_model_builder_add_reason(clm_model_builder *builder, const char *from, const char *event,
                                        const char *reason, int required) {
    return guarded("clm_model_builder_add_reason", [&] {
        auto &t = transition_of(builder, from, event);
        std::string r = reason ? reason : "";
        if (!r.empty()) t.reasons.push_back(std::move(r));
        if (required) t.reason_required = true;
    });
}

clm_status clm_model_builder_add_migration(clm_model_builder *builder, int from_version, const char *old_stage_id,
                                           const char *new_stage_id) {
    return guarded("clm_model_builder_add_migration", [&] {
        require(builder, "builder");
        require(old_stage_id, "old_stage_id");
        require(new_stage_id, "new_stage_id");
        clm::migration m;
        m.from_version = from_version;
        m.stages.emplace_back(old_stage_id, new_stage_id);
        builder->b.add_migration(std::move(m));
    });
}

clm_status clm_model_builder_build(clm_model **out, const clm_model_builder *builder) {
    return guarded("clm_model_builder_build", [&] {
        require(out, "out");
        require(builder, "builder");
        *out = wrap(builder->b.build());
    });
}

} // extern "C"
