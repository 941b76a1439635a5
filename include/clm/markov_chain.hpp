/// @file markov_chain.hpp
/// The absorbing Markov chain arithmetic of the forecast: for transient
/// states with transition probabilities Q among them and a one-step reward
/// r (for instance the probability of stepping into a won stage), the
/// expected total reward before absorption, x = N r with N = (I - Q)^-1.
/// Small chains are solved exactly (Gauss-Jordan); large ones, whose dense
/// matrix would not fit in memory proportional to the model, by Gauss-Seidel
/// sweeps over the sparse rows.
#pragma once

#include <clm/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace clm {

/// The inverse of the n×n row-major matrix `a`, by Gauss-Jordan elimination
/// with partial pivoting. Throws error(CLM_E_INTERNAL) when `a` is singular
/// (a pivot below 1e-12 in absolute value).
inline std::vector<double> invert_matrix(std::vector<double> a, std::size_t n) {
    std::vector<double> inv(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) inv[i * n + i] = 1.0;
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < n; ++r)
            if (std::fabs(a[r * n + col]) > std::fabs(a[pivot * n + col])) pivot = r;
        if (std::fabs(a[pivot * n + col]) < 1e-12) throw error(CLM_E_INTERNAL, "forecast: the transition matrix is singular");
        if (pivot != col)
            for (std::size_t k = 0; k < n; ++k) {
                std::swap(a[pivot * n + k], a[col * n + k]);
                std::swap(inv[pivot * n + k], inv[col * n + k]);
            }
        double d = a[col * n + col];
        for (std::size_t k = 0; k < n; ++k) {
            a[col * n + k] /= d;
            inv[col * n + k] /= d;
        }
        for (std::size_t r = 0; r < n; ++r) {
            if (r == col) continue;
            double f = a[r * n + col];
            if (f == 0.0) continue;
            for (std::size_t k = 0; k < n; ++k) {
                a[r * n + k] -= f * a[col * n + k];
                inv[r * n + k] -= f * inv[col * n + k];
            }
        }
    }
    return inv;
}

/// Sparse transitions among k transient states: rows[i] lists (j, Q_ij).
using chain_rows = std::vector<std::vector<std::pair<std::size_t, double>>>;

/// Chains up to this many transient states are solved exactly with a dense
/// inverse; larger ones iteratively.
inline constexpr std::size_t dense_chain_limit = 1024;

/// x = (I - Q)^-1 r for the transient states of `q` (every state must be
/// able to reach absorption, so that I - Q is invertible). Exact for small
/// chains; for large ones Gauss-Seidel sweeps until no value changes by more
/// than 1e-13, at most 100,000 sweeps.
inline std::vector<double> solve_absorbing(const chain_rows &q, const std::vector<double> &r) {
    const std::size_t k = q.size();
    std::vector<double> x(k, 0.0);
    if (k == 0) return x;
    if (k <= dense_chain_limit) {
        std::vector<double> a(k * k, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
            a[i * k + i] = 1.0;
            for (const auto &[j, pr] : q[i]) a[i * k + j] -= pr;
        }
        std::vector<double> n = invert_matrix(std::move(a), k);
        for (std::size_t i = 0; i < k; ++i) {
            double sum = 0;
            for (std::size_t j = 0; j < k; ++j) sum += n[i * k + j] * r[j];
            x[i] = sum;
        }
        return x;
    }
    // Gauss-Seidel: x_i = (r_i + Σ_{j≠i} Q_ij x_j) / (1 - Q_ii), sweeping
    // from the last state back (models list stages roughly in path order).
    for (int sweep = 0; sweep < 100000; ++sweep) {
        double change = 0;
        for (std::size_t i = k; i-- > 0;) {
            double self = 0, sum = r[i];
            for (const auto &[j, pr] : q[i]) {
                if (j == i) self += pr;
                else sum += pr * x[j];
            }
            double v = self < 1.0 ? sum / (1.0 - self) : 0.0;
            change = std::max(change, std::fabs(v - x[i]));
            x[i] = v;
        }
        if (change <= 1e-13) break;
    }
    return x;
}

} // namespace clm
