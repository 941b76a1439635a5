#!/bin/sh
# The main job: installs what is missing, builds clm, and runs it on the
# bundled real CRM data (examples/data/crm-sales-opportunities, 8,800
# opportunities): stage counts, the funnel, the top recommendations for each
# manager with their reasons, the HTML report and a lifecycle diagram.
# Usage: scripts/demo.sh [OUT_DIR]     (default: build/demo)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
out=${1:-"$root/build/demo"}
"$root/scripts/install-deps.sh"

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "Building clm (log: build/build.log)"
mkdir -p "$root/build"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$root/build/build.log" 2>&1 || { cat "$root/build/build.log"; exit 1; }
# The build's "[ NN%]" lines drive a progress bar; everything goes to the log.
{ cmake --build "$root/build" -j "$jobs" --target clm clm_cli 2>&1; echo "clm-build-exit:$?"; } |
    awk -v logfile="$root/build/build.log" '
        { print >> logfile }
        /^clm-build-exit:/ { code = substr($0, 16) + 0; next }
        /^\[ *[0-9]+%\]/ {
            p = substr($0, 2, index($0, "%") - 2) + 0
            bar = ""; for (i = 0; i < 40; i++) bar = bar (i < p * 40 / 100 ? "#" : ".")
            printf "\r  [%s] %3d%%", bar, p > "/dev/stderr"
        }
        END { printf "\n" > "/dev/stderr"; exit code }' || { cat "$root/build/build.log"; exit 1; }
clm="$root/build/clm"
model="$root/examples/data/crm-pipeline.json"
mkdir -p "$out"
"$clm" version

step "Preset lifecycle models"
"$clm" presets | tr '\n' ' '
echo

step "Converting the real data to the event log"
python3 "$root/scripts/crm_to_events.py" -o "$out/events.csv"
echo "$(($(wc -l < "$out/events.csv") - 1)) events written to $out/events.csv"

step "Customers per stage"
"$clm" status --model "$model" --events "$out/events.csv" --as-of 2017-06-30
"$clm" status --model "$model" --events "$out/events.csv" --as-of 2017-12-31

step "Funnel as of 2017-12-31"
"$clm" funnel --model "$model" --events "$out/events.csv" --as-of 2017-12-31

step "Forecast as of 2017-12-31: every open deal scored by its stage and days in stage"
"$clm" forecast --model "$model" --events "$out/events.csv" --as-of 2017-12-31

step "Backtest: the forecast made on 2017-06-30, checked on 2017-12-31"
"$clm" backtest --model "$model" --events "$out/events.csv" --as-of 2017-06-30 --until 2017-12-31

step "Top recommendations for each manager (policy: seeds, as of 2017-12-31)"
"$clm" recommend --model "$model" --events "$out/events.csv" --policy seeds --as-of 2017-12-31 --json > "$out/recommendations.json"
python3 - "$out/recommendations.json" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))["recommendations"]
seen = {}
for r in recs:
    seen.setdefault(r["manager"] or "(no manager)", []).append(r)
print(f"{len(recs)} recommendations for {len(seen)} managers; the best two for each:")
for manager in sorted(seen):
    print(f"\n{manager}")
    for r in seen[manager][:2]:
        a = r["action"]
        print(f"  {r['customer_id']}: {a['kind']} via {a['channel']} by {a['due']} (rule {r['rule']}, score {r['score']:.0f})")
        print(f"    because {'; '.join(r['reasons'])}")
PY

step "Report and diagram"
"$clm" report --model "$model" --events "$out/events.csv" --policy seeds --as-of 2017-12-31 --html "$out/report.html"
"$clm" show "$model" --format dot > "$out/crm-pipeline.dot"
dot -Tsvg "$out/crm-pipeline.dot" -o "$out/crm-pipeline.svg"
echo "wrote $out/report.html and $out/crm-pipeline.svg"
