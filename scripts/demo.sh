#!/bin/sh
# Installs what is missing, builds clm, and runs the main job: the library
# on the bundled real CRM data (examples/data/crm-sales-opportunities).
# Usage: scripts/demo.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$root/build.log" 2>&1 || { cat "$root/build.log"; exit 1; }
cmake --build "$root/build" -j "$jobs" --target clm clm_cli >> "$root/build.log" 2>&1 || { cat "$root/build.log"; exit 1; }
clm="$root/build/clm"
"$clm" version
echo
echo "Preset lifecycle models:"
"$clm" presets
echo
"$clm" show sales6
