#!/usr/bin/env bash
# random_mixed: argument errors, the JSON line, determinism, the size
# distributions, the null-loop twin, corruption detection, allocator field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=random_mixed

expect_help $N
expect_usage $N --bogus 1
expect_usage $N --iters
expect_usage $N --iters abc
expect_usage $N --iters -5
expect_usage $N --ws 0
expect_usage $N --min 100 --max 10
expect_usage $N --dist normal
expect_usage $N --dist pow2 --min 100 --max 120
expect_usage $N --warmup 101
expect_usage $N extra

FIELDS="iters ws min max dist seed warmup mallocs frees"
run_ok "$TMP/a.json" $N --iters 200000 --seed 7
json_check "$TMP/a.json" $N $FIELDS
expect_eq "ops of --iters 200000" "$(jget "$TMP/a.json" ops)" 200000
expect_eq "mallocs + frees" "$(( $(jget "$TMP/a.json" mallocs) + $(jget "$TMP/a.json" frees) ))" 200000
expect_eq "threads" "$(jget "$TMP/a.json" threads)" 1

# Same seed: the same operation sequence, so the same malloc count; the
# --name=value form means the same as --name value.
run_ok "$TMP/b.json" $N --iters=200000 --seed=7
expect_eq "same seed: mallocs" "$(jget "$TMP/b.json" mallocs)" "$(jget "$TMP/a.json" mallocs)"
run_ok "$TMP/c.json" $N --iters 200000 --seed 8
[ "$(jget "$TMP/c.json" mallocs)" != "$(jget "$TMP/a.json" mallocs)" ] || die "seeds 7 and 8 gave the same sequence"
ok "seed 8 gives another sequence ($(jget "$TMP/c.json" mallocs) mallocs vs $(jget "$TMP/a.json" mallocs))"

# The null-allocator twin runs the very same loop: same decisions, same counts.
"$W/tools/random_mixed_null" --iters 200000 --seed 7 | tail -n 1 >"$TMP/null.json" || die "random_mixed_null failed"
json_check "$TMP/null.json" random_mixed_null mallocs frees
expect_eq "null loop: mallocs (same sequence as the real loop)" "$(jget "$TMP/null.json" mallocs)" "$(jget "$TMP/a.json" mallocs)"

# Distributions: every size within bounds is exercised by the run without
# error; app widens the default bounds to 16..32768.
run_ok "$TMP/p.json" $N --iters 50000 --dist pow2 --min 16 --max 4096
expect_eq "pow2 run: dist" "$(jget "$TMP/p.json" dist)" pow2
run_ok "$TMP/app.json" $N --iters 50000 --dist app
expect_eq "app default min" "$(jget "$TMP/app.json" min)" 16
expect_eq "app default max" "$(jget "$TMP/app.json" max)" 32768
run_ok "$TMP/fixed.json" $N --iters 50000 --min 64 --max 64 --warmup 0
expect_eq "fixed size, no warm-up: warmup_ops" "$(jget "$TMP/fixed.json" warmup_ops)" 0
run_ok "$TMP/tiny.json" $N --iters 50000 --min 1 --max 15
ok "sizes 1..15 (short check-byte layouts) run clean"

expect_corruption flip $N --iters 200000
expect_corruption dup $N --iters 200000
CORRUPT_AFTER=500 expect_corruption flip $N --iters 200000 --min 1 --max 15
expect_allocators $N --iters 100000
finish
