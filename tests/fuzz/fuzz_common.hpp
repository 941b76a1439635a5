// fuzz_common.hpp -- what the fuzz targets share: the invariants every C ABI
// call must keep, and scratch files. The targets use clm.h only (the C ABI),
// so they test what a C program sees. Built two ways: with clang and
// libFuzzer (scripts/fuzz.sh), and with the normal compiler and
// replay_main.cpp, which replays the corpus as a CTest test.
#pragma once

#include <clm/clm.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

namespace fuzz {

/// Reports a broken invariant and aborts, so that libFuzzer (or the replay
/// test) records the input as a crash.
[[noreturn]] inline void fail(const char *what, const char *function, clm_status s) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n  function: %s\n  status: %d (%s)\n  last error: %s\n", what,
                 function, int(s), clm_status_name(s), clm_last_error() ? clm_last_error() : "(NULL)");
    std::abort();
}

#define CLM_FUZZ_CHECK(cond, function, status)                                                   \
    do {                                                                                         \
        if (!(cond)) ::fuzz::fail(#cond, function, status);                                      \
    } while (0)

/// Checks what every status-returning call promises: a known status that is
/// not CLM_E_INTERNAL (a bug by definition), clm_last_status() equal to it,
/// and clm_last_error() non-NULL, "" after success, else a message that
/// starts with the function's name. Returns `s`.
inline clm_status check(const char *function, clm_status s) {
    CLM_FUZZ_CHECK(int(s) >= int(CLM_OK) && int(s) <= int(CLM_E_INTERNAL), function, s);
    CLM_FUZZ_CHECK(s != CLM_E_INTERNAL, function, s);
    CLM_FUZZ_CHECK(std::strcmp(clm_status_name(s), "CLM_E_UNKNOWN") != 0, function, s);
    CLM_FUZZ_CHECK(clm_last_status() == s, function, s);
    const char *msg = clm_last_error();
    CLM_FUZZ_CHECK(msg != nullptr, function, s);
    if (s == CLM_OK) {
        CLM_FUZZ_CHECK(msg[0] == '\0', function, s);
    } else if (s != CLM_E_NO_MEMORY) {
        std::size_t n = std::strlen(function);
        CLM_FUZZ_CHECK(std::strncmp(msg, function, n) == 0 && msg[n] == ':', function, s);
    }
    return s;
}

/// Calls a clm function and checks the common invariants: CLM_CALL(clm_x, args...).
#define CLM_CALL(fn, ...) ::fuzz::check(#fn, fn(__VA_ARGS__))

/// A pointer value no clm call returns: out-parameters are preset to it and
/// must still hold it after a failed call.
template <class T>
inline T *sentinel() {
    return reinterpret_cast<T *>(std::uintptr_t(0x5e5e5e5e0ULL));
}

/// A scratch file name unique to this process (replays run in parallel).
inline std::string temp_path(const char *tag) {
    const char *dir = std::getenv("TMPDIR");
    std::string d = dir && *dir ? dir : "/tmp";
    return d + "/clm-fuzz-" + std::to_string(long(::getpid())) + "-" + tag;
}

/// Writes `size` bytes to `path`; aborts when it cannot (the harness, not clm, failed).
inline void write_file(const std::string &path, const void *data, std::size_t size) {
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) {
        std::perror(path.c_str());
        std::abort();
    }
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
}

/// Reads a whole file ("" when it cannot).
inline std::string read_file(const std::string &path) {
    std::string out;
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return out;
}

/// Takes a string the library returned and frees it.
inline std::string take(char *s, std::size_t len) {
    std::string out(s ? s : "", s ? len : 0);
    clm_string_free(s);
    return out;
}

} // namespace fuzz
