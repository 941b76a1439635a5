// abi_errors.cpp -- the thread-local last error, status names, versions and
// the string allocator of the C ABI.
#include "abi_internal.hpp"

#include <cstdlib>
#include <cstring>

namespace {

// One per thread, so concurrent callers never see each other's errors.
thread_local std::string last_message;
thread_local clm_status last_code = CLM_OK;
// When even the message cannot be allocated, this static text stands in.
thread_local bool message_lost = false;

} // namespace

namespace clm::abi {

clm_status set_error(clm_status code, const char *function, const char *message) noexcept {
    last_code = code;
    try {
        last_message.assign(function);
        last_message.append(": ");
        last_message.append(message);
        message_lost = false;
    } catch (...) {
        message_lost = true;
    }
    return code;
}

void clear_error() noexcept {
    last_code = CLM_OK;
    last_message.clear(); // keeps capacity: never allocates
    message_lost = false;
}

char *dup_string(const std::string &s, size_t *out_len) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    if (out_len) *out_len = s.size();
    return p;
}

} // namespace clm::abi

extern "C" {

const char *clm_last_error(void) {
    if (message_lost) return "out of memory while recording the error message";
    return last_message.c_str();
}

clm_status clm_last_status(void) { return last_code; }

const char *clm_status_name(clm_status status) {
    switch (clm::abi::enum_value(status)) {
    case CLM_OK: return "CLM_OK";
    case CLM_E_INVALID_ARGUMENT: return "CLM_E_INVALID_ARGUMENT";
    case CLM_E_NO_MEMORY: return "CLM_E_NO_MEMORY";
    case CLM_E_PARSE: return "CLM_E_PARSE";
    case CLM_E_VALIDATION: return "CLM_E_VALIDATION";
    case CLM_E_NOT_FOUND: return "CLM_E_NOT_FOUND";
    case CLM_E_ILLEGAL_TRANSITION: return "CLM_E_ILLEGAL_TRANSITION";
    case CLM_E_GUARD_FAILED: return "CLM_E_GUARD_FAILED";
    case CLM_E_IO: return "CLM_E_IO";
    case CLM_E_CORRUPT: return "CLM_E_CORRUPT";
    case CLM_E_VERSION: return "CLM_E_VERSION";
    case CLM_E_DUPLICATE: return "CLM_E_DUPLICATE";
    case CLM_E_BUFFER_TOO_SMALL: return "CLM_E_BUFFER_TOO_SMALL";
    case CLM_E_CANCELLED: return "CLM_E_CANCELLED";
    case CLM_E_CALLBACK: return "CLM_E_CALLBACK";
    case CLM_E_INTERNAL: return "CLM_E_INTERNAL";
    }
    return "CLM_E_UNKNOWN";
}

int clm_version_number(void) { return CLM_VERSION_NUMBER; }

const char *clm_version_string(void) { return CLM_VERSION_STRING; }

void clm_string_free(char *str) { std::free(str); }

} // extern "C"
