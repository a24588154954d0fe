#!/usr/bin/env bash
# The report is rendered from results.json alone: a fixed small results file
# (fixtures/small_results.json: hakmem, system, jemalloc, tcmalloc missing;
# a CRASH, a TIMEOUT, a CORRUPTION, a cachegrind cell) must give exactly
# fixtures/small_report.md. After an intended change to the report, render
# it again, read the diff, and update the expected file.
. "$(dirname "$0")/../lib.sh"
need_hakbench
F=tests/harness/fixtures
"$HB" report $F/small_results.json --out "$TMP/report.md" --plots "$TMP/no-plots" >/dev/null
rc=$?
check "report exits 0 (exit $rc)" [ $rc -eq 0 ]
if diff -u $F/small_report.md "$TMP/report.md" >"$TMP/diff"; then
  ok "report.md matches $F/small_report.md ($(wc -l <"$TMP/report.md") lines)"
else
  fail "report.md differs from $F/small_report.md:"
  head -n 40 "$TMP/diff"
fi
# A second rendering is byte-identical (nothing depends on the clock or machine).
"$HB" report $F/small_results.json --out "$TMP/again.md" --plots "$TMP/no-plots" >/dev/null
check "rendering twice gives identical output" cmp -s "$TMP/report.md" "$TMP/again.md"
# The README summary repeats the report's own lines (tables, checklist).
"$HB" report $F/small_results.json --out "$TMP/report.md" --plots "$TMP/no-plots" --summary "$TMP/summary.md" >/dev/null
check "summary written" [ -s "$TMP/summary.md" ]
missing=$(grep -E '^(\||- \[)' "$TMP/summary.md" | while IFS= read -r l; do grep -qxF -- "$l" "$TMP/report.md" || echo x; done | wc -l)
n=$(grep -cE '^(\||- \[)' "$TMP/summary.md")
check "all $n table and checklist lines of the summary are in the report ($missing missing)" [ "$missing" -eq 0 -a "$n" -ge 15 ]
check "summary links the report from the repository root" grep -qF "](${TMP#$HAKMEM_ROOT/}/report.md)" "$TMP/summary.md"
# With charts present, the report links them relatively.
mkdir -p "$TMP/run/plots"
cp $F/small_results.json "$TMP/run/results.json"
printf 'png' >"$TMP/run/plots/larson.png"
"$HB" report "$TMP/run" >/dev/null
check "an existing chart is embedded with a relative link" grep -q '](plots/larson.png)' "$TMP/run/report.md"
check "no 'charts not generated' line when charts exist" bash -c "! grep -q 'Charts not generated' '$TMP/run/report.md'"
finish
