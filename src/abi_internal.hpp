// abi_internal.hpp -- what every C ABI source file shares: the handle
// structs and the guard that turns C++ exceptions into status codes.
#pragma once

#include <clm/clm.h>
#include <clm/error.hpp>
#include <clm/model.hpp>
#include <clm/policy.hpp>
#include <clm/portfolio.hpp>

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

struct clm_model {
    clm::model_ptr ptr;
};

struct clm_portfolio {
    clm::portfolio p;
    // Handles for clm_portfolio_model(): one per slot, sharing the model.
    std::vector<std::unique_ptr<clm_model>> models;
    // The observer (clm_portfolio_set_observer) and how far it has seen the journal.
    clm_change_fn observer = nullptr;
    void *observer_payload = nullptr;
    std::uint64_t observed = 0;
    bool delivering = false;
};

struct clm_policy {
    std::shared_ptr<const clm::policy> ptr;
};

namespace clm::abi {

/// Records an error for clm_last_error() on this thread and returns its code.
clm_status set_error(clm_status code, const char *function, const char *message) noexcept;
/// Clears this thread's last error.
void clear_error() noexcept;

/// Runs `body`; maps every exception to a status and a message that names
/// the C function. The body must do its work on copies and commit last, so
/// that a failed call changes nothing.
template <class Body>
clm_status guarded(const char *function, Body &&body) noexcept {
    try {
        body();
        clear_error();
        return CLM_OK;
    } catch (const clm::error &e) {
        return set_error(e.code(), function, e.what());
    } catch (const std::bad_alloc &) {
        return set_error(CLM_E_NO_MEMORY, function, "out of memory");
    } catch (const std::exception &e) {
        return set_error(CLM_E_INTERNAL, function, e.what());
    } catch (...) {
        return set_error(CLM_E_INTERNAL, function, "unknown exception");
    }
}

/// Throws invalid_argument naming the parameter when `p` is NULL.
template <class T>
void require(const T *p, const char *name) {
    if (p == nullptr) throw clm::invalid_argument(std::string(name) + " must not be NULL");
}

/// The value a C caller passed for an enum parameter. C allows any int there,
/// while loading an out-of-range value through the C++ enum type is undefined
/// (UBSan's -fsanitize=enum reports it), so the bytes are copied instead.
template <class E>
int enum_value(const E &e) noexcept {
    std::underlying_type_t<E> v;
    std::memcpy(&v, &e, sizeof v);
    return static_cast<int>(v);
}

/// Copies a std::string into a malloc'd NUL-terminated buffer for clm_string_free().
char *dup_string(const std::string &s, size_t *out_len);

/// Offers the journal rows the portfolio's observer has not accepted yet to it,
/// in order, after a commit. Never throws: an observer's failure or a lack of
/// memory leaves the rows for the next commit.
void notify_observer(clm_portfolio *portfolio) noexcept;

} // namespace clm::abi
