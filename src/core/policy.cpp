// policy.cpp -- the policy engine's cold bulk compiled once into clm::core:
// compiling a policy, evaluating and explaining it (compiled_policy), and
// recommend_all(); clm::core_header_only includes the same definitions from
// the headers instead (CLM_HEADER_ONLY).
#ifdef CLM_HEADER_ONLY
#error "src/core/ belongs to clm::core, which is not header-only"
#endif

#include <clm/policy/compile-inl.hpp>
#include <clm/policy/context-inl.hpp>
#include <clm/policy/evaluate-inl.hpp>
#include <clm/policy/explain-inl.hpp>
#include <clm/policy/recommend_all-inl.hpp>
