#!/bin/sh
# Compares a built libclm.so with the ABI baseline tests/abi/libclm.abi
# (libabigail's abidiff) and fails on an incompatible change: a removed
# function, a changed signature, a changed layout of a public struct
# (other than fields appended to a struct with a struct_size member, see
# tests/abi/clm.abignore), a renumbered enum value. Added functions and
# enum values appended at the end are compatible: they pass, with a note
# that the baseline should be regenerated (scripts/update-abi-baseline.sh).
#
# abidiff's exit status is a bit set: 1 = tool error, 2 = usage error,
# 4 = the ABI changed, 8 = an incompatible change (a removed symbol). Bit 4
# alone does not mean compatible: a changed parameter type sets only bit 4.
# So the check runs abidiff with --no-added-syms, where additions are not
# reported at all, and fails on any non-zero status.
#
# Usage: scripts/check-abi.sh BUILD_DIR   (the CTest test abi.baseline)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check-abi.sh BUILD_DIR}
lib="$build/libclm.so"
baseline="$root/tests/abi/libclm.abi"
suppr="$root/tests/abi/clm.abignore"
for f in "$lib" "$baseline" "$suppr"; do
    if [ ! -f "$f" ]; then
        echo "error: $f is missing" >&2
        exit 2
    fi
done
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
    echo "error: $lib has no debug information: the ABI check needs a RelWithDebInfo (or Debug) build" >&2
    exit 2
fi
opts="--headers-dir2 $root/include/clm --drop-private-types --exported-interfaces-only --suppressions $suppr"

rc=0
# shellcheck disable=SC2086
report=$(abidiff --no-added-syms $opts "$baseline" "$lib" 2>&1) || rc=$?
if [ "$rc" -ne 0 ]; then
    printf '%s\n\n' "$report" >&2
    if [ $((rc & 3)) -ne 0 ]; then
        echo "error: abidiff failed (exit status $rc)" >&2
    else
        echo "error: the C ABI of $lib changed incompatibly against tests/abi/libclm.abi (abidiff exit status $rc)." >&2
        echo "Removed functions, changed signatures and changed public structs break programs built" >&2
        echo "against libclm.so.$(sed -n 's/^#define CLM_VERSION_MAJOR \([0-9]*\).*/\1/p' "$root/include/clm/clm.h");" >&2
        echo "add a new function (_v2) instead (docs/api-stability.md)." >&2
    fi
    exit 1
fi

# Compatible. Additions, if any, mean the baseline is out of date.
# shellcheck disable=SC2086
report=$(abidiff $opts "$baseline" "$lib" 2>&1 || true)
added=$(printf '%s\n' "$report" | sed -n 's/.* \([0-9][0-9]*\) Added function.*/\1/p' | head -n 1)
if [ -n "$added" ] && [ "$added" != "0" ]; then
    printf '%s\n' "$report"
    echo "ok: compatible ($added function(s) added); regenerate the baseline with scripts/update-abi-baseline.sh $build"
else
    echo "ok: the C ABI of $lib matches tests/abi/libclm.abi"
fi
