#!/bin/sh
# Builds the libFuzzer targets of tests/fuzz with clang (coverage, ASan,
# UBSan) and runs each for a while, starting from its seed corpus
# tests/fuzz/corpus/<target>/. New inputs go to BUILD/corpus/<target>/ (the
# seed corpus in the tree is only read); crashes, leaks, timeouts and
# out-of-memory inputs go to BUILD/artifacts/<target>/. Prints execs/s and the
# findings per target; exits 1 when there is any finding.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 60
#   TARGET              model_json policy_json event_csv save_file save_buffer abi_calls partial_json (default: all)
# Environment:
#   CLM_FUZZ_BUILD_DIR  the build directory (default: build-fuzz in the source tree)
#   CLM_FUZZ_ARGS       extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
#
# A finding becomes a regression test: fix the bug, then copy the artifact
# into tests/fuzz/corpus/<target>/ (e.g. as regression-<what>), where the
# normal build replays it on every test run (ctest -L fuzz).
# This is not part of scripts/test.sh: timed fuzzing runs only from here.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
if [ $# -gt 0 ]; then
    seconds=$1
    shift
fi
targets=${*:-model_json policy_json event_csv save_file save_buffer abi_calls partial_json}
build=${CLM_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

# libFuzzer ships in clang's runtime package (Debian: libclang-rt-14-dev).
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char *, unsigned long) { return 0; }' > "$probe_dir/probe.cpp"
if ! command -v clang++ >/dev/null 2>&1 ||
   ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe" >/dev/null 2>&1; then
    echo "clm: clang with libFuzzer is missing; installing clang and libclang-rt-14-dev"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi

echo "== build the fuzzers (clang, libFuzzer + ASan + UBSan) in $build =="
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLM_FUZZ=ON \
    -DCLM_BUILD_TESTS=OFF -DCLM_BUILD_TOOLS=OFF -DCLM_BUILD_BENCHMARKS=OFF -DCLM_BUILD_DOCS=OFF >/dev/null
cmake --build "$build" --target clm_fuzzers -j "$jobs"

# Scratch files of the save/load targets: on tmpfs when there is one (saves fsync).
scratch=$(mktemp -d "${CLM_FUZZ_TMPDIR:-/dev/shm}/clm-fuzz.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$probe_dir" "$scratch"' EXIT

summary=""
found=0
for t in $targets; do
    bin="$build/tests/fuzz/fuzz_$t"
    seeds="$root/tests/fuzz/corpus/$t"
    work="$build/corpus/$t"
    artifacts="$build/artifacts/$t"
    log="$build/fuzz_$t.log"
    if [ ! -x "$bin" ]; then
        echo "error: no fuzzer $bin (targets: model_json policy_json event_csv save_file save_buffer abi_calls partial_json)" >&2
        exit 2
    fi
    mkdir -p "$work" "$artifacts"
    dict=""
    if [ -f "$root/tests/fuzz/$t.dict" ]; then dict="-dict=$root/tests/fuzz/$t.dict"; fi
    # abi_calls runs touch ~30,000 coverage features each: libFuzzer's entropic
    # schedule spent half of each execution counting them (tests/fuzz/README.md).
    extra=""
    if [ "$t" = abi_calls ]; then extra="-entropic=0"; fi
    echo "== fuzz_$t for ${seconds}s (log: $log) =="
    rc=0
    # shellcheck disable=SC2086
    TMPDIR="$scratch" ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" $dict $extra ${CLM_FUZZ_ARGS:-} \
        "$work" "$seeds" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    n=$(find "$artifacts" -type f | wc -l)
    line=$(printf '%-12s execs %-9s execs/s %-6s cov %-6s findings %s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$n")
    if [ "$rc" -ne 0 ] || [ "$n" -ne 0 ]; then
        found=1
        line="$line  (exit $rc; see $log and $artifacts)"
        grep -m 3 -E 'ERROR: |runtime error|fuzz invariant broken' "$log" || true
    fi
    summary="$summary$line
"
done

echo "== summary =="
printf '%s' "$summary"
exit "$found"
