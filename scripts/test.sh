#!/bin/sh
# Installs what is missing, builds clm, and runs every test: the normal build
# (with the docs, the install test, the bindings) and then the whole suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer, and the threading
# stress test under ThreadSanitizer.
# Usage: scripts/test.sh            (from anywhere; builds in build/, build-asan/ and build-tsan/)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
"$root/scripts/install-deps.sh"

echo "== build (RelWithDebInfo) =="
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$root/build" -j "$jobs"
echo "== tests =="
ctest --test-dir "$root/build" --output-on-failure -j "$jobs"

echo "== build (ASan + UBSan) =="
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DCLM_SANITIZE=ON \
      -DCLM_BUILD_DOCS=OFF -DCLM_BUILD_BENCHMARKS=OFF
cmake --build "$root/build-asan" -j "$jobs"
echo "== tests under sanitizers =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" -LE nosan

echo "== build (ThreadSanitizer: clm and tests/tsan only) =="
cmake -S "$root" -B "$root/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLM_TSAN=ON
cmake --build "$root/build-tsan" -j "$jobs" --target clm_tsan_stress
echo "== threading contract under ThreadSanitizer (8 threads) =="
TSAN_OPTIONS=halt_on_error=1 "$root/build-tsan/tests/tsan/clm_tsan_stress"
