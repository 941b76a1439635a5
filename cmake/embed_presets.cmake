# Writes a C++ header holding the preset model definitions as raw strings.
# Called by the build: cmake -DOUT=... -DDIR=... -DIDS="a;b;c" -P embed_presets.cmake
file(WRITE "${OUT}.tmp" "// Generated from presets/*.json by cmake/embed_presets.cmake. Do not edit.\n")
file(APPEND "${OUT}.tmp" "#pragma once\nnamespace clm { namespace detail {\n")
file(APPEND "${OUT}.tmp" "/// One preset: its id and its JSON definition.\nstruct preset_text { const char *id; const char *json; };\n")
file(APPEND "${OUT}.tmp" "/// Every preset, in the documented order.\ninline constexpr preset_text preset_texts[] = {\n")
foreach(id IN LISTS IDS)
  file(READ "${DIR}/${id}.json" text)
  file(APPEND "${OUT}.tmp" "  {\"${id}\", R\"clm_json(${text})clm_json\"},\n")
endforeach()
file(APPEND "${OUT}.tmp" "};\n}} // namespace clm::detail\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
