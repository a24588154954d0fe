#!/usr/bin/env bash
# harness/plot.py (through `hakbench plot`) draws non-empty PNG charts from a
# results file. python3-matplotlib is in TEST_PACKAGES, so `make test`
# installs it; without it this test is skipped (exit 77).
. "$(dirname "$0")/../lib.sh"
need_hakbench
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "python3-matplotlib is not installed (apt-get install -y python3-matplotlib)"
  exit 77
fi
mkdir -p "$TMP/run"
cp tests/harness/fixtures/small_results.json "$TMP/run/results.json"
"$HB" plot "$TMP/run" >"$TMP/out" 2>&1
rc=$?
check "plot exits 0 (exit $rc)" [ $rc -eq 0 ]
for f in random_mixed_short random_mixed_long larson contention peak_rss; do
  p="$TMP/run/plots/$f.png"
  size=$(stat -c %s "$p" 2>/dev/null || echo 0)
  magic=$(head -c 8 "$p" 2>/dev/null | od -An -tx1 | tr -d ' \n')
  check "$f.png is a PNG of $size bytes" [ "$size" -gt 5000 -a "$magic" = 89504e470d0a1a0a ]
done
"$HB" report "$TMP/run" >/dev/null
n=$(grep -c '](plots/.*\.png)' "$TMP/run/report.md")
check "the report embeds the 5 charts ($n)" [ "$n" -eq 5 ]
finish
