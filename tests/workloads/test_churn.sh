#!/usr/bin/env bash
# churn: argument errors, the JSON line under glibc and hakmem, thread and op
# counts fixed by the options, realloc growth, the long-lived set (--keep),
# corruption of blocks freed after their thread ended and of a grown buffer,
# allocator field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=churn

expect_help $N
expect_usage $N --threads 0
expect_usage $N --threads 257
expect_usage $N --keep 1001
expect_usage $N --min 8
expect_usage $N --min 4096 --max 16
expect_usage $N --grow 4
expect_usage $N --dist normal

FIELDS="threads rounds steps live min max dist grow keep seed mallocs reallocs frees threads_started kept kept_bytes bytes_allocated"
# 2 threads x 3 rounds; each thread: 8 replacements, then a buffer grown
# from 800000 to 2097152 bytes: 800000 -> 1600000 -> 2097152, 2 reallocs.
run_libc_hakmem "$TMP/c" $N --threads 2 --rounds 3 --steps 8 --live 4 --max 2097152
for f in "$TMP/c.libc.json" "$TMP/c.hakmem.json"; do
  json_check "$f" $N $FIELDS
  expect_eq "threads_started" "$(jget "$f" threads_started)" 6
  expect_eq "mallocs = 6 x (8 + 1)" "$(jget "$f" mallocs)" 54
  expect_eq "reallocs = 6 x 2" "$(jget "$f" reallocs)" 12
  expect_eq "ops = KiB allocated" "$(jget "$f" ops)" "$(( $(jget "$f" bytes_allocated) / 1024 ))"
done
expect_same frees "$TMP/c.libc.json" "$TMP/c.hakmem.json"
expect_same bytes_allocated "$TMP/c.libc.json" "$TMP/c.hakmem.json"
live=$(( 54 - $(jget "$TMP/c.libc.json" frees) ))
[ "$live" -ge 1 ] && [ "$live" -le 8 ] || die "$live blocks left in 2 x 4 slots"
ok "frees: every grown buffer, and all but the $live blocks left in the slots"

# The leak-and-churn shape: one thread, small blocks, 5 % kept.
run_libc_hakmem "$TMP/k" $N --threads 1 --rounds 1 --min 16 --max 4096 --steps 20000 \
  --live 100 --keep 50 --grow 0
json_check "$TMP/k.hakmem.json" $N $FIELDS
expect_same kept "$TMP/k.libc.json" "$TMP/k.hakmem.json"
kept=$(jget "$TMP/k.libc.json" kept)
[ "$kept" -gt 500 ] && [ "$kept" -lt 1500 ] || die "--keep 50: $kept of 20000 blocks kept"
left=$(( 20000 - $(jget "$TMP/k.libc.json" frees) - kept ))
[ "$left" -ge 1 ] && [ "$left" -le 100 ] || die "mallocs - frees - kept = $left, not 1..100"
ok "--keep 50: $kept blocks in the long-lived set, $left in the slots"

run_ok "$TMP/u.json" $N --threads 3 --rounds 2 --steps 10 --dist uniform --max 1048576 --grow 300000
json_check "$TMP/u.json" $N $FIELDS

# The shim only recycles blocks under 1 MiB: corruption runs use small sizes.
SMALL="--threads 2 --rounds 10 --steps 1000 --min 1000 --max 100000 --grow 10000"
expect_corruption flip $N $SMALL
expect_corruption dup $N $SMALL
CORRUPT_AFTER=3 expect_corruption realloc $N --threads 1 --rounds 2 --steps 4 --max 1048576
grep -q "growing buffer after realloc" "$TMP/stderr" || die "not caught at the realloc: $(cat "$TMP/stderr")"
ok "realloc that lost contents: caught right after the realloc"
expect_allocators $N --threads 2 --rounds 2 --steps 8 --max 1048576
finish
