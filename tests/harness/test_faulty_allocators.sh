#!/usr/bin/env bash
# The runner survives broken allocators: a shim that crashes after 100000
# allocations (CRASH + SIGSEGV, the rest of the run goes on), one that hangs
# (TIMEOUT), one that is not an allocator (INVALID); system stays OK; the
# report shows the failures in their cells. Also one cachegrind cell.
. "$(dirname "$0")/../lib.sh"
need_hakbench
for s in crash_after hang_after not_alloc; do
  [ -f "$SHIMS/$s.so" ] || die "$SHIMS/$s.so missing (make test-build)"
done
[ -x "$BUILD/workloads/random_mixed" ] || die "build/workloads/random_mixed missing"

"$HB" run tests/harness/suites/faulty.suite --out "$TMP/run" \
  --allocators "system,crash=$SHIMS/crash_after.so,hang=$SHIMS/hang_after.so,notalloc=$SHIMS/not_alloc.so" \
  2>"$TMP/progress"
rc=$?
check "run exits 0 although allocators failed (exit $rc)" [ $rc -eq 0 ]
R="$TMP/run/results.json"
st() { pyq "$R" "c=[c for c in r['cells'] if c['id']=='$1'][0]; print(' '.join(x['status'] for x in c['runs']['$2']))"; }
check "results are complete" [ "$(pyq "$R" "print(r['complete'])")" = True ]
check "small cell: system OK OK ($(st small system))" [ "$(st small system)" = "OK OK" ]
check "small cell: crash shim below its limit is OK ($(st small crash))" [ "$(st small crash)" = "OK OK" ]
check "small cell: not-an-allocator is INVALID ($(st small notalloc))" [ "$(st small notalloc)" = "INVALID INVALID" ]
check "big cell: crash shim CRASH ($(st big crash))" [ "$(st big crash)" = "CRASH CRASH" ]
sig=$(pyq "$R" "c=[c for c in r['cells'] if c['id']=='big'][0]; print(c['runs']['crash'][0]['signal'])")
check "big cell: the crash's signal is recorded ($sig)" [ "$sig" = SIGSEGV ]
check "big cell: hang shim TIMEOUT ($(st big hang))" [ "$(st big hang)" = "TIMEOUT TIMEOUT" ]
check "big cell: system still OK after the crash ($(st big system))" [ "$(st big system)" = "OK OK" ]
stat=$(pyq "$R" "c=[c for c in r['cells'] if c['id']=='big'][0]; print(c['stats']['crash']['status'], c['stats']['crash']['n'], c['stats']['system']['n'])")
check "stats: crash cell status CRASH with n=0, system n=2 ($stat)" [ "$stat" = "CRASH 0 2" ]
cg=$(pyq "$R" "c=[c for c in r['cells'] if c['id']=='cg'][0]; v=c['runs']['system'][0]['value']; print(1 if 20 < v < 2000 else 0, round(v,1))")
check "cachegrind cell: system instructions/op plausible ($cg)" [ "${cg%% *}" = 1 ]
check "progress lines are plain when stderr is not a terminal" grep -q '^\[1/' "$TMP/progress"

"$HB" report "$TMP/run" >/dev/null
check "report rendered" [ -s "$TMP/run/report.md" ]
check "report shows CRASH in its cell" grep -q '| big\( (busy)\)\? | .*\*\*CRASH\*\*' "$TMP/run/report.md"
check "report shows TIMEOUT in its cell" grep -q '| big\( (busy)\)\? | .*\*\*TIMEOUT\*\*' "$TMP/run/report.md"
check "report shows INVALID in its cell" grep -q '| small\( (busy)\)\? | .*\*\*INVALID\*\*' "$TMP/run/report.md"
finish
