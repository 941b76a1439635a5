/// @file policy/parallel_for.hpp
/// A small parallel for: `work(t)` for every part t on its own thread, a part
/// whose thread cannot be started run on the calling thread instead (slower,
/// same result), and every started thread joined however the call is left.
/// Internal (recommend_all()).
#pragma once

#include <atomic>
#include <functional>
#include <system_error>
#include <thread>
#include <vector>

namespace clm::detail {

/// Runs `work(t)` for t = 0 .. threads-1: 1.. on their own threads, 0 on the
/// calling thread; or, with a `watch`, 0 on its own thread too and the calling
/// thread runs `watch()` (e.g. reports progress) before joining. When the call
/// is left by an exception, `stop` is set so that the workers give up, and
/// they are joined (a joinable thread must never be destroyed).
template <class Work>
void parallel_for(unsigned threads, std::atomic<bool> &stop, const Work &work, const std::function<void()> &watch = {}) {
    struct joiner {
        std::vector<std::thread> threads;
        std::atomic<bool> *stop;
        ~joiner() {
            bool running = false;
            for (auto &t : threads) running = running || t.joinable();
            if (running) stop->store(true); // left early: the workers stop
            for (auto &t : threads)
                if (t.joinable()) t.join();
        }
    } guard{{}, &stop};
    auto &pool = guard.threads;
    pool.reserve(threads);
    // A worker whose thread cannot be started (the system is out of threads:
    // std::system_error) runs on this thread instead.
    std::vector<unsigned> here;
    here.reserve(threads);
    auto start = [&](unsigned t) {
        try {
            pool.emplace_back(work, t);
        } catch (const std::system_error &) {
            here.push_back(t); // reserved: cannot throw
        }
    };
    for (unsigned t = 1; t < threads; ++t) start(t);
    if (watch) {
        start(0);
        for (unsigned t : here) work(t);
        watch();
    } else {
        work(0);
        for (unsigned t : here) work(t);
    }
    for (auto &th : pool) th.join();
}

} // namespace clm::detail
