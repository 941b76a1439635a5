# Writes a C++ header holding a style sheet as a raw string.
# Called by the build: cmake -DOUT=... -DIN=style.css -P embed_css.cmake
# A leading /* ... */ comment (the file's own header) is left out; the sheet
# is embedded after a newline, as the page has always carried it.
file(READ "${IN}" text)
string(REGEX REPLACE "^/\\*[^*]*\\*/\n" "" text "${text}")
file(WRITE "${OUT}.tmp" "// Generated from include/clm/report/style.css by cmake/embed_css.cmake. Do not edit.\n")
file(APPEND "${OUT}.tmp" "#pragma once\nnamespace clm { namespace detail { namespace report_html {\n")
file(APPEND "${OUT}.tmp" "/// The HTML report's style sheet (include/clm/report/style.css).\n")
file(APPEND "${OUT}.tmp" "inline constexpr char report_style_sheet[] = \"\\n\" R\"clm_css(${text})clm_css\";\n")
file(APPEND "${OUT}.tmp" "}}} // namespace clm::detail::report_html\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
