#!/bin/sh
# Checks that a libclm shared library exports only clm_* symbols and carries
# the SONAME libclm.so.<major>. Usage: check-exports.sh path/to/libclm.so
set -eu
lib="$1"
bad=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | grep -v '^clm_' || true)
if [ -n "$bad" ]; then
    echo "error: $lib exports symbols outside clm_*:" >&2
    echo "$bad" >&2
    exit 1
fi
count=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | grep -c '^clm_' || true)
if [ "$count" -eq 0 ]; then
    echo "error: $lib exports no clm_* symbol" >&2
    exit 1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
case "$soname" in
    libclm.so.[0-9]*) ;;
    *) echo "error: $lib has SONAME '$soname', expected libclm.so.<major>" >&2; exit 1 ;;
esac
echo "ok: $count clm_* symbols exported, nothing else; SONAME $soname"
