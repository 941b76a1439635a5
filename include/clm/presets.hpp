/// @file presets.hpp
/// The lifecycle models that ship with clm (BRIEF 1.1). Their definitions
/// are the JSON files in presets/, compiled in at build time, so a preset is
/// data exactly like a custom model and round-trips through JSON unchanged.
#pragma once

#include <clm/file_io.hpp>
#include <clm/model_json.hpp>
#include <clm/policy.hpp>
#include <clm/presets_data.hpp> // generated from presets/*.json by the build

#include <array>
#include <mutex>

namespace clm {

/// Number of presets.
inline std::size_t preset_count() noexcept { return std::size(detail::preset_texts); }

/// The id of preset `i` (in the documented order), or nullptr past the end.
inline const char *preset_id(std::size_t i) noexcept {
    return i < preset_count() ? detail::preset_texts[i].id : nullptr;
}

/// The JSON definition of a preset; throws not_found for an unknown id.
inline std::string_view preset_json(std::string_view id) {
    for (const auto &p : detail::preset_texts)
        if (id == p.id) return p.json;
    std::string known;
    for (const auto &p : detail::preset_texts) known += (known.empty() ? "" : ", ") + std::string(p.id);
    throw not_found("unknown preset '" + std::string(id) + "' (presets: " + known + ")");
}

/// The preset model with this id, parsed once and shared; throws not_found.
inline model_ptr load_preset(std::string_view id) {
    std::string_view text = preset_json(id);
    static std::mutex mutex;
    static std::array<model_ptr, std::size(detail::preset_texts)> cache;
    std::size_t i = 0;
    while (detail::preset_texts[i].id != id) ++i;
    std::lock_guard<std::mutex> lock(mutex);
    if (!cache[i]) cache[i] = model_from_json(text, std::string("preset:") + detail::preset_texts[i].id);
    return cache[i];
}

/// A preset id or a path to a JSON model file: loads either. The file is
/// read up to the JSON input limit (max_json_bytes()).
/// Throws io_error, or input_error naming the file, line and column.
inline model_ptr load_model(const std::string &preset_or_path) {
    for (const auto &p : detail::preset_texts)
        if (preset_or_path == p.id) return load_preset(preset_or_path);
    return model_from_json(read_file(preset_or_path, max_json_bytes(), "CLM_MAX_JSON_BYTES"), preset_or_path);
}

/// Number of preset policies.
inline std::size_t policy_preset_count() noexcept { return std::size(detail::policy_texts); }

/// The id of preset policy `i`, or nullptr past the end.
inline const char *policy_preset_id(std::size_t i) noexcept {
    return i < policy_preset_count() ? detail::policy_texts[i].id : nullptr;
}

/// A preset policy id ("seeds") or a path to a JSON policy file: loads
/// either. The file is read up to the JSON input limit (max_json_bytes()).
/// Throws io_error, or input_error naming the file, line and column.
inline std::shared_ptr<const policy> load_policy(const std::string &preset_or_path) {
    for (const auto &p : detail::policy_texts)
        if (preset_or_path == p.id) return policy_from_json(p.json, std::string("preset:") + p.id);
    return policy_from_json(read_file(preset_or_path, max_json_bytes(), "CLM_MAX_JSON_BYTES"), preset_or_path);
}

} // namespace clm
