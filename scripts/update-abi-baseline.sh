#!/bin/sh
# Regenerates the ABI baseline tests/abi/libclm.abi from a built libclm.so,
# after a deliberate, compatible change of the C ABI (docs/api-stability.md,
# "ABI baseline"). The build must carry debug information (RelWithDebInfo,
# the default): without it abidw records only symbol names.
#
# Usage: scripts/update-abi-baseline.sh [BUILD_DIR]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
lib="$build/libclm.so"
if [ ! -f "$lib" ]; then
    echo "error: no $lib; build first (cmake -S . -B build && cmake --build build)" >&2
    exit 2
fi
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
    echo "error: $lib has no debug information; use a RelWithDebInfo (or Debug) build" >&2
    exit 2
fi
# The same options as scripts/check-abi.sh: only the exported clm_* functions
# and the types of clm.h (the handles stay opaque), short file names and
# hashed type ids so that the file does not depend on the checkout's path.
abidw --exported-interfaces-only --headers-dir "$root/include/clm" --drop-private-types \
      --no-corpus-path --no-comp-dir-path --short-locs --no-elf-needed --type-id-style hash \
      --out-file "$root/tests/abi/libclm.abi" "$lib"
count=$(grep -c '<elf-symbol ' "$root/tests/abi/libclm.abi" || true)
echo "wrote tests/abi/libclm.abi ($count exported symbols) from $lib"
