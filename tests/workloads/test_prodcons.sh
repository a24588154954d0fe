#!/usr/bin/env bash
# prodcons: argument errors, the JSON line under glibc and hakmem, op counts
# with --ops, the timed mode, corruption found by the consumer, allocator
# field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=prodcons

expect_help $N
expect_usage $N --pairs 0
expect_usage $N --pairs 65
expect_usage $N --batch 0
expect_usage $N --batch 4096
expect_usage $N --ops 0
expect_usage $N --min 100 --max 10
expect_usage $N --seconds 0

FIELDS="pairs min max batch seconds_limit ops_limit seed mallocs frees full_waits empty_waits ring_entries"
run_libc_hakmem "$TMP/p" $N --ops 200000 --pairs 2
for f in "$TMP/p.libc.json" "$TMP/p.hakmem.json"; do
  json_check "$f" $N $FIELDS
  expect_eq "ops for --ops 200000 x 2 pairs" "$(jget "$f" ops)" 400000
  expect_eq "mallocs" "$(jget "$f" mallocs)" 200000
  expect_eq "frees" "$(jget "$f" frees)" 200000
  expect_eq "threads = 2 x pairs" "$(jget "$f" threads)" 4
done

run_libc_hakmem "$TMP/s" $N --ops 30001 --min 16 --max 2048 --batch 1
expect_eq "odd --ops: ceil(N/2) blocks" "$(jget "$TMP/s.libc.json" mallocs)" 15001

run_ok "$TMP/t.json" $N --seconds 0.2 --pairs 3
json_check "$TMP/t.json" $N $FIELDS
expect_eq "ops_limit without --ops" "$(jget "$TMP/t.json" ops_limit)" null
expect_eq "timed: every block sent was freed" "$(jget "$TMP/t.json" frees)" "$(jget "$TMP/t.json" mallocs)"

expect_corruption flip $N --ops 200000
expect_corruption dup $N --ops 200000 --pairs 2
expect_allocators $N --ops 20000
finish
