#!/usr/bin/env bash
# false_sharing: argument errors, the JSON line and its op count, corruption
# (of the tag and of the write counter), allocator field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=false_sharing

expect_help $N
expect_usage $N --threads 0
expect_usage $N --size 0
expect_usage $N --writes abc
expect_usage $N --objects=
expect_usage $N --rounds 1 --what 2

run_ok "$TMP/a.json" $N --threads 2 --objects 100 --writes 50 --rounds 4
json_check "$TMP/a.json" $N threads size objects writes rounds seed mallocs frees
expect_eq "ops = threads x objects x rounds x writes" "$(jget "$TMP/a.json" ops)" $((2 * 100 * 4 * 50))
expect_eq "mallocs = threads x objects x rounds" "$(jget "$TMP/a.json" mallocs)" 800
run_ok "$TMP/b.json" $N --threads 3 --size 3 --objects 50 --writes 257 --rounds 3
ok "3 threads, 3-byte objects, 257 writes (counter wraps): counts check out"

CORRUPT_AFTER=300 expect_corruption flip $N --objects 100 --writes 50 --rounds 4
CORRUPT_AFTER=300 expect_corruption dup $N --objects 100 --writes 50 --rounds 4
expect_allocators $N --objects 100 --writes 50 --rounds 2
finish
