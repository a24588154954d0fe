#!/usr/bin/env bash
# Every suite in harness/suites/ parses; phase7 and quick have the tables the
# report expects; patterns covers the allocation-pattern workloads and every cell's
# program is built; `hakbench list` names the five allocators.
. "$(dirname "$0")/../lib.sh"
need_hakbench
"$HB" list >"$TMP/list" 2>&1
rc=$?
check "list exits 0 (exit $rc)" [ $rc -eq 0 ]
check "no suite has errors" bash -c "! grep -q 'has errors' '$TMP/list'"
for a in hakmem system jemalloc mimalloc tcmalloc; do
  check "list names allocator $a" grep -q "^  $a " "$TMP/list"
done
for s in phase7 quick; do
  check "list names suite $s" grep -q "^  $s " "$TMP/list"
  for t in random_mixed_short random_mixed_long longrun larson_low larson_high larson_std mt_contention false_sharing regression; do
    grep -q "table=$t " harness/suites/$s.suite || fail "$s.suite has no $t cells"
  done
  n=$(grep -c '^cell rm100k/' harness/suites/$s.suite)
  check "$s: random mixed at the 10 sizes 16..8192 B ($n)" [ "$n" -eq 10 ]
done
check "list names suite patterns" grep -q "^  patterns " "$TMP/list"
for w in large churn prodcons cpp_mix; do
  grep -q "workload=$w " harness/suites/patterns.suite || fail "patterns.suite has no $w cell"
done
grep -q -- "--keep [1-9]" harness/suites/patterns.suite || fail "patterns.suite has no leak-and-churn (--keep) cell"
"$HB" run patterns --dry-run --no-store >"$TMP/dry" 2>&1
rc=$?
check "run patterns --dry-run: every workload found (exit $rc)" [ $rc -eq 0 ]
finish
