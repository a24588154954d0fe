#!/usr/bin/env bash
# harness/update-readme.sh [SUMMARY.md NAME]: put runs' summary tables into
# README.md, between the markers <!-- NAME-summary:begin --> and
# <!-- NAME-summary:end -->, replacing what was there.
# Without arguments: results/phase7/summary.md into the phase7 markers and
# results/patterns/summary.md, results/apps/summary.md and
# results/checks/summary.md into their markers
# (each written by
# ./run_all.sh, i.e. `hakbench report DIR --summary FILE`), so the README's
# figures always come from a run, never typed by hand.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
readme=$root/README.md

fill() { # SUMMARY NAME
  local summary=$1 name=$2
  local begin="<!-- $name-summary:begin -->" end="<!-- $name-summary:end -->"
  [ -s "$summary" ] || { echo "update-readme: no summary file $summary (run ./run_all.sh first)" >&2; exit 2; }
  grep -qF "$begin" "$readme" && grep -qF "$end" "$readme" ||
    { echo "update-readme: $readme lacks the markers $begin / $end" >&2; exit 2; }
  local tmp
  tmp=$(mktemp "$readme.XXXXXX")
  awk -v b="$begin" -v e="$end" -v f="$summary" '
    index($0, b) == 1 { print; while ((getline l < f) > 0) print l; skip = 1; next }
    index($0, e) == 1 { skip = 0 }
    !skip { print }' "$readme" > "$tmp"
  mv "$tmp" "$readme"
  echo "update-readme: README.md now shows $summary"
}

if [ $# -ge 1 ]; then
  fill "$1" "${2:-phase7}"
else
  fill "$root/results/phase7/summary.md" phase7
  fill "$root/results/patterns/summary.md" patterns
  fill "$root/results/apps/summary.md" apps
  fill "$root/results/checks/summary.md" checks
fi
