#!/usr/bin/env bash
# harness/update-readme.sh [SUMMARY.md]: put a run's summary tables into
# README.md, between the markers
#   <!-- phase7-summary:begin --> and <!-- phase7-summary:end -->,
# replacing what was there. SUMMARY.md defaults to results/phase7/summary.md
# (written by ./run_all.sh, i.e. `hakbench report DIR --summary FILE`), so the
# README's figures always come from a run, never typed by hand.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
summary=${1:-$root/results/phase7/summary.md}
readme=$root/README.md
begin='<!-- phase7-summary:begin -->'
end='<!-- phase7-summary:end -->'
[ -s "$summary" ] || { echo "update-readme: no summary file $summary (run ./run_all.sh first)" >&2; exit 2; }
grep -qF "$begin" "$readme" && grep -qF "$end" "$readme" ||
  { echo "update-readme: $readme lacks the markers $begin / $end" >&2; exit 2; }
tmp=$(mktemp "$readme.XXXXXX")
awk -v b="$begin" -v e="$end" -v f="$summary" '
  index($0, b) == 1 { print; while ((getline l < f) > 0) print l; skip = 1; next }
  index($0, e) == 1 { skip = 0 }
  !skip { print }' "$readme" > "$tmp"
mv "$tmp" "$readme"
echo "update-readme: README.md now shows $summary"
