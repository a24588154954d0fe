#!/usr/bin/env bash
# mt_contention: argument errors, the JSON line, determinism with --ops,
# --remote 0 and 100, --seconds, corruption found by owner and by receiver,
# allocator field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=mt_contention

expect_help $N
expect_usage $N --threads 0
expect_usage $N --threads 65
expect_usage $N --remote 101
expect_usage $N --ops 0
expect_usage $N --min 300 --max 20
expect_usage $N --seconds never

run_ok "$TMP/a.json" $N --ops 20000 --threads 2 --seed 5
json_check "$TMP/a.json" $N threads remote chunks min max seconds_limit ops_limit seed \
  mallocs frees remote_frees full_waits queue ring_entries
expect_eq "ops for --ops 20000 x 2 threads" "$(jget "$TMP/a.json" ops)" 40000
expect_eq "ops_limit" "$(jget "$TMP/a.json" ops_limit)" 20000
run_ok "$TMP/b.json" $N --ops 20000 --threads 2 --seed 5
expect_eq "same seed: ops" "$(jget "$TMP/b.json" ops)" 40000
expect_eq "same seed: remote_frees" "$(jget "$TMP/b.json" remote_frees)" "$(jget "$TMP/a.json" remote_frees)"
rf=$(jget "$TMP/a.json" remote_frees)
[ "$rf" -gt 8000 ] && [ "$rf" -lt 12000 ] || die "--remote 50: $rf of 20000 frees remote"
ok "--remote 50: $rf of 20000 frees handed to the other thread"

run_ok "$TMP/all.json" $N --ops 20000 --threads 3 --remote 100
expect_eq "--remote 100: remote_frees = mallocs" "$(jget "$TMP/all.json" remote_frees)" "$(jget "$TMP/all.json" mallocs)"
run_ok "$TMP/none.json" $N --ops 20000 --threads 2 --remote 0
expect_eq "--remote 0: remote_frees" "$(jget "$TMP/none.json" remote_frees)" 0
run_ok "$TMP/one.json" $N --ops 20000 --threads 1
expect_eq "one thread: remote_frees" "$(jget "$TMP/one.json" remote_frees)" 0

run_ok "$TMP/t.json" $N --seconds 0.3 --threads 4
json_check "$TMP/t.json" $N remote_frees
expect_eq "ops_limit without --ops" "$(jget "$TMP/t.json" ops_limit)" null

expect_corruption flip $N --ops 100000 --remote 0
expect_corruption flip $N --ops 100000 --remote 100 --threads 3
expect_corruption dup $N --ops 100000 --remote 100
expect_allocators $N --ops 20000
finish
