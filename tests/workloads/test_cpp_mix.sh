#!/usr/bin/env bash
# cpp_mix: argument errors, the JSON line under glibc and hakmem, which
# library serves operator new, op counts fixed by the options, every --mix,
# maps handed between threads, corruption of objects and strings, allocator
# field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=cpp_mix

expect_help $N
expect_usage $N --threads 0
expect_usage $N --threads 65
expect_usage $N --mix lists
expect_usage $N --rounds 0
expect_usage $N --entries x

FIELDS="threads rounds mix objects strings entries seed news deletes strings_built inserts lookups erases maps_handed_over new_allocator"
run_libc_hakmem "$TMP/c" $N --rounds 100
json_check "$TMP/c.libc.json" $N $FIELDS
json_check "$TMP/c.hakmem.json" $N $FIELDS
expect_eq "operator new under glibc" "$(jget "$TMP/c.libc.json" new_allocator)" libstdc++.so.6
expect_eq "operator new under hakmem" "$(jget "$TMP/c.hakmem.json" new_allocator)" libhakmem.so
expect_eq "news = 100 rounds x 64" "$(jget "$TMP/c.libc.json" news)" 6400
expect_same ops "$TMP/c.libc.json" "$TMP/c.hakmem.json"

# Threads hand their maps on; the op count is per thread, so 2 threads do
# twice the ops of one.
run_libc_hakmem "$TMP/t" $N --rounds 100 --threads 2
json_check "$TMP/t.hakmem.json" $N $FIELDS
expect_eq "2 threads: ops" "$(jget "$TMP/t.libc.json" ops)" "$(( 2 * $(jget "$TMP/c.libc.json" ops) ))"
expect_same ops "$TMP/t.libc.json" "$TMP/t.hakmem.json"
ok "maps handed to another thread: $(jget "$TMP/t.libc.json" maps_handed_over) (glibc), $(jget "$TMP/t.hakmem.json" maps_handed_over) (hakmem) of 200"

for mix in objects strings containers; do
  run_ok "$TMP/$mix.json" $N --rounds 50 --mix $mix --threads 3
  json_check "$TMP/$mix.json" $N $FIELDS
done
expect_eq "--mix objects: nothing but objects" "$(jget "$TMP/objects.json" inserts)" 0
expect_eq "--mix strings: no objects" "$(jget "$TMP/strings.json" news)" 0

# Objects and strings are every heap block of their parts: a damaged one is
# reported. (A damaged container node may crash instead: see README.)
expect_corruption flip $N --mix objects --rounds 200
expect_corruption dup $N --mix objects --rounds 200
expect_corruption flip $N --mix strings --rounds 200
expect_corruption dup $N --mix strings --rounds 200 --threads 2
expect_allocators $N --rounds 50
finish
