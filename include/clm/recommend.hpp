/// @file recommend.hpp
/// The policy engine: evaluates a policy's rules on customers' facts,
/// ranks the actions (score = priority x class weight x urgency x value),
/// explains each one, and evaluates whole portfolios on all cores without
/// per-customer heap allocation in the hot loop. This header includes its
/// parts under include/clm/policy/: the recommendation, the compiled policy
/// (compile, evaluate, explain) and recommend_all() (top_k ranking, parallel_for).
#pragma once

#include <clm/facts.hpp>
#include <clm/policy.hpp>
#include <clm/policy/compiled_policy.hpp>
#include <clm/policy/recommend_all.hpp>
#include <clm/policy/recommendation.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <thread>
