/// @file error.hpp
/// The C++ core's exception types. Each carries the clm_status the C ABI
/// reports for it, so the shim maps exceptions to codes without guessing.
#pragma once

#include <clm/clm.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace clm {

/// One problem found in an input, with its position when it has one.
struct diagnostic {
    std::string file;    ///< Source name ("" when the input was not a file).
    int line = 0;        ///< 1-based line, 0 when unknown.
    int column = 0;      ///< 1-based column, 0 when unknown.
    std::string message; ///< What is wrong, naming the field or id.

    /// Formats as `FILE:LINE:COL: error: message` (the compiler convention).
    std::string to_string() const {
        std::string out = file.empty() ? std::string("<input>") : file;
        if (line > 0) {
            out += ':' + std::to_string(line) + ':' + std::to_string(column);
        }
        out += ": error: ";
        out += message;
        return out;
    }
};

/// Base of every exception the core throws.
class error : public std::runtime_error {
public:
    /// Creates an error with its status code and message.
    error(clm_status code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    /// The C ABI status this error maps to.
    clm_status code() const noexcept { return code_; }

private:
    clm_status code_;
};

/// A NULL, out-of-range or malformed argument.
class invalid_argument : public error {
public:
    /// Creates the error.
    explicit invalid_argument(const std::string &m) : error(CLM_E_INVALID_ARGUMENT, m) {}
};

/// An unknown id.
class not_found : public error {
public:
    /// Creates the error.
    explicit not_found(const std::string &m) : error(CLM_E_NOT_FOUND, m) {}
};

/// An id that must be unique already exists.
class duplicate : public error {
public:
    /// Creates the error.
    explicit duplicate(const std::string &m) : error(CLM_E_DUPLICATE, m) {}
};

/// A file could not be read or written.
class io_error : public error {
public:
    /// Creates the error.
    explicit io_error(const std::string &m) : error(CLM_E_IO, m) {}
};

/// A damaged save file.
class corrupt_error : public error {
public:
    /// Creates the error.
    explicit corrupt_error(const std::string &m) : error(CLM_E_CORRUPT, m) {}
};

/// A format version this library cannot read.
class version_error : public error {
public:
    /// Creates the error.
    explicit version_error(const std::string &m) : error(CLM_E_VERSION, m) {}
};

/// A move the model does not have.
class illegal_transition : public error {
public:
    /// Creates the error.
    explicit illegal_transition(const std::string &m) : error(CLM_E_ILLEGAL_TRANSITION, m) {}
};

/// A move whose guard refused it.
class guard_failed : public error {
public:
    /// Creates the error.
    explicit guard_failed(const std::string &m) : error(CLM_E_GUARD_FAILED, m) {}
};

/// A long operation stopped by its progress callback.
class cancelled : public error {
public:
    /// Creates the error.
    cancelled() : error(CLM_E_CANCELLED, "cancelled by the progress callback") {}
};

/// Input with several problems: all of them, each with its position.
/// The status is CLM_E_PARSE when the text itself is malformed and
/// CLM_E_VALIDATION when it is well-formed but breaks the rules.
class input_error : public error {
public:
    /// Creates the error from every problem found (at least one).
    input_error(clm_status code, std::vector<diagnostic> problems)
        : error(code, join(problems)), problems_(std::move(problems)) {}
    /// Every problem, in input order.
    const std::vector<diagnostic> &problems() const noexcept { return problems_; }

private:
    static std::string join(const std::vector<diagnostic> &ps) {
        std::string out;
        for (const auto &p : ps) {
            if (!out.empty()) out += '\n';
            out += p.to_string();
        }
        return out;
    }
    std::vector<diagnostic> problems_;
};

} // namespace clm
