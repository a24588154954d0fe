#!/usr/bin/env bash
# The runner's order, as hyperfine's execution-order tests check theirs:
# three shim allocators (order_a/b/c.so) log "library,rep" when a run starts
# ($HAKBENCH_REP: "warmup" or the 1-based repetition). Per cell, every
# warm-up comes first, then the repetitions interleave the allocators:
# a b c (rep 1) a b c (rep 2) ...; cells run in suite order.
. "$(dirname "$0")/../lib.sh"
need_hakbench
for s in order_a order_b order_c; do
  [ -f "$SHIMS/$s.so" ] || die "$SHIMS/$s.so missing (make test-build)"
done
[ -x "$BUILD/workloads/random_mixed" ] || die "build/workloads/random_mixed missing"

export ORDER_LOG="$TMP/order.log"
"$HB" run tests/harness/suites/order.suite --out "$TMP/run" \
  --allocators "a=$SHIMS/order_a.so,b=$SHIMS/order_b.so,c=$SHIMS/order_c.so" 2>"$TMP/progress"
rc=$?
check "run exits 0 (exit $rc)" [ $rc -eq 0 ]
R="$TMP/run/results.json"
st=$(pyq "$R" "print(' '.join(sorted({x['status'] for c in r['cells'] for l in c['runs'].values() for x in l})))")
check "every run is OK: the shims served malloc ($st)" [ "$st" = OK ]

# cell one: warmup 1, reps 2; cell two: warmup 2, reps 3.
expected=$(for w in 1; do echo a,warmup b,warmup c,warmup; done
           for r in 1 2; do echo a,$r b,$r c,$r; done
           for w in 1 2; do echo a,warmup b,warmup c,warmup; done
           for r in 1 2 3; do echo a,$r b,$r c,$r; done)
got=$(sed 's/^order_\(.\)\.so,/\1,/' "$ORDER_LOG" | paste -sd' ')
expected=$(echo $expected)
if [ "$got" = "$expected" ]; then
  ok "run order: $got"
else
  fail "run order: wanted '$expected', got '$got'"
fi
check "the log holds one line per run, warm-ups included ($(wc -l <"$ORDER_LOG"))" [ "$(wc -l <"$ORDER_LOG")" -eq 24 ]
n=$(pyq "$R" "print(sum(len(l) for c in r['cells'] for l in c['runs'].values()))")
check "only the 15 measured runs are recorded ($n)" [ "$n" -eq 15 ]
finish
