#!/usr/bin/env bash
# tests/run.sh [--long] [FILTER]: run every test script and count the results.
#
# A test is an executable script tests/<area>/test_*.sh; long tests
# (tests/<area>/long_*.sh, minutes each) run instead with --long. It exits 0 when it passes,
# 77 when a tool it needs is missing (counted as SKIP and listed), anything
# else when it fails. Each runs from the repository root with HAKMEM_ROOT
# and BUILD set, under a timeout (TEST_TIMEOUT seconds, default 600), and its
# output goes to build/test-logs/<area>/<name>.log.
# The last line printed is always "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export HAKMEM_ROOT="$root" BUILD="$root/build"
# runs of the tests go into a scratch store, not results/history.sqlite
export HAKBENCH_STORE="${HAKBENCH_STORE:-$BUILD/tmp/test-history.sqlite}"
long=0
if [ "${1:-}" = "--long" ]; then long=1; shift; fi
filter=${1:-}
timeout_s=${TEST_TIMEOUT:-600}
logdir="$BUILD/test-logs"
mkdir -p "$logdir"

scripts=()
[ $long -eq 1 ] && glob='long_*.sh' || glob='test_*.sh'
for f in tests/*/$glob; do [ -e "$f" ] && scripts+=("$f"); done

pass=0; fail=0; skip=0; failed=(); skipped=()
for s in "${scripts[@]}"; do
  name=${s#tests/}; name=${name%.sh}
  if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then continue; fi
  log="$logdir/$name.log"
  mkdir -p "$(dirname "$log")"
  t0=$(date +%s.%N)
  timeout -k 10 "$timeout_s" bash "$s" >"$log" 2>&1
  rc=$?
  dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  if [ $rc -eq 0 ]; then
    pass=$((pass+1)); echo "PASS  $name (${dt}s)"
  elif [ $rc -eq 77 ]; then
    skip=$((skip+1)); skipped+=("$name"); echo "SKIP  $name: $(tail -n 1 "$log")"
  else
    fail=$((fail+1)); failed+=("$name")
    [ $rc -eq 124 ] && why="timed out after ${timeout_s}s" || why="exit $rc"
    echo "FAIL  $name ($why, ${dt}s; log: ${log#$root/})"
    tail -n 15 "$log" | sed 's/^/      | /'
  fi
done
echo
[ $skip -gt 0 ] && echo "skipped (a tool was missing): ${skipped[*]}"
[ $fail -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
