/// @file problem_cap.hpp
/// At most 100 problems are reported per input: a file with a million bad
/// columns gets the first 100 and one line counting the rest, not a million
/// lines (docs/error-handling.md, "Limits").
#pragma once

#include <clm/error.hpp>

#include <string>
#include <vector>

namespace clm {

/// How many problems an input_error lists before counting the rest.
inline constexpr std::size_t max_reported_problems = 100;

/// The first max_reported_problems of `problems`, plus one that counts the
/// rest (and the `more` that were counted without being kept) when any were left out.
inline std::vector<diagnostic> capped(std::vector<diagnostic> problems, std::size_t more = 0) {
    if (problems.size() > max_reported_problems) {
        more += problems.size() - max_reported_problems;
        problems.resize(max_reported_problems);
    }
    if (more > 0) {
        std::string file = problems.empty() ? std::string() : problems.front().file;
        problems.push_back(diagnostic{file, 0, 0, "... and " + std::to_string(more) + " more problem" + (more == 1 ? "" : "s") +
                                                      " not shown (the first " + std::to_string(max_reported_problems) + " are listed)"});
    }
    return problems;
}

} // namespace clm
