#!/usr/bin/env bash
# Auto-repetition (short cells get enough repetitions): with
# `min_time S N` a cell whose runs are short gets more interleaved rounds
# after its planned ones, without a second warm-up, up to N repetitions;
# the count is saved (so --resume goes on with it), shown in the report,
# and --min-time 0 turns it off. The cells take milliseconds and the
# target is 5 s, so they always reach the cap: nothing here depends on speed.
. "$(dirname "$0")/../lib.sh"
need_hakbench
for s in order_a order_b; do
  [ -f "$SHIMS/$s.so" ] || die "$SHIMS/$s.so missing (make test-build)"
done
cat >"$TMP/auto.suite" <<'SUITE'
reps 2
warmup 1
min_time 5 6
cell short table=auto label="short" workload=random_mixed -- --min 64 --max 64 --iters 1000
cell cg table=auto label="cachegrind" workload=random_mixed metric=instructions_per_op -- --min 64 --max 64 --iters 1000
SUITE
export ORDER_LOG="$TMP/order.log"
allocs="a=$SHIMS/order_a.so,b=$SHIMS/order_b.so"
"$HB" run "$TMP/auto.suite" --out "$TMP/run" --allocators a=$SHIMS/order_a.so,b=$SHIMS/order_b.so --no-store 2>"$TMP/progress"
check "run exits 0" [ $? -eq 0 ]
R="$TMP/run/results.json"
check "the short cell got 6 repetitions (the cap)" [ "$(pyq "$R" "print(r['cells'][0]['reps'])")" = 6 ]
check "each allocator has 6 OK runs, reps 0..5" \
  [ "$(pyq "$R" "print(sorted(x['rep'] for x in r['cells'][0]['runs']['a']), sorted(x['rep'] for x in r['cells'][0]['runs']['b']))")" = "[0, 1, 2, 3, 4, 5] [0, 1, 2, 3, 4, 5]" ]
got=$(grep -v '^$' "$ORDER_LOG" | sed 's/^order_\(.\)\.so,/\1,/' | head -14 | paste -sd' ')
want="a,warmup b,warmup a,1 b,1 a,2 b,2 a,3 b,3 a,4 b,4 a,5 b,5 a,6 b,6"
check "extra rounds interleave the allocators, with no second warm-up ($got)" [ "$got" = "$want" ]
check "a cachegrind cell is exact: still one run" [ "$(pyq "$R" "print(r['cells'][1]['reps'])")" = 1 ]
check "min_time and the cap are recorded" [ "$(pyq "$R" "print(r['context']['min_time_s'], r['context']['max_reps'])")" = "5.0 6" ]
"$HB" report "$TMP/run" >/dev/null
check "the report states the repetitions the cell got" grep -Eq '^\| short .*\(6 runs\)' "$TMP/run/report.md"
check "the report states the rule" grep -q 'Repetitions | auto' "$TMP/run/report.md"

: >"$ORDER_LOG"
"$HB" run "$TMP/auto.suite" --out "$TMP/off" --allocators "$allocs" --no-store --min-time 0 2>/dev/null
check "--min-time 0: the planned 2 repetitions only" [ "$(pyq "$TMP/off/results.json" "print(r['cells'][0]['reps'], len(r['cells'][0]['runs']['a']))")" = "2 2" ]
expect_exit 2 "min_time' takes seconds" "bad min_time directive" -- \
  "$HB" run <(printf 'min_time x\ncell c table=t workload=random_mixed -- --iters 10\n') --out "$TMP/bad" --no-store
finish
