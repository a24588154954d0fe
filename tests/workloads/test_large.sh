#!/usr/bin/env bash
# large: argument errors, the JSON line under glibc and hakmem, counts fixed
# by the seed, the three fills and realloc growth, corruption (a flipped or
# shared block, calloc memory not cleared, realloc that loses contents),
# allocator field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=large

expect_help $N
expect_usage $N --slots 0
expect_usage $N --iters x
expect_usage $N --min 8
expect_usage $N --min 100000 --max 50000
expect_usage $N --fill zero
expect_usage $N --grow 8

FIELDS="iters slots min max fill grow seed mallocs reallocs frees bytes_allocated peak_vm_kb"
SMALL="--iters 60 --slots 8 --min 65536 --max 2097152 --seed 3"
run_libc_hakmem "$TMP/m" $N $SMALL
json_check "$TMP/m.libc.json" $N $FIELDS
json_check "$TMP/m.hakmem.json" $N $FIELDS
expect_eq "mallocs = --iters" "$(jget "$TMP/m.libc.json" mallocs)" 60
expect_eq "ops = KiB allocated" "$(jget "$TMP/m.libc.json" ops)" \
  "$(( $(jget "$TMP/m.libc.json" bytes_allocated) / 1024 ))"
expect_same frees "$TMP/m.libc.json" "$TMP/m.hakmem.json"
expect_same bytes_allocated "$TMP/m.libc.json" "$TMP/m.hakmem.json"

for fill in calloc pages; do
  run_libc_hakmem "$TMP/$fill" $N $SMALL --fill $fill
  json_check "$TMP/$fill.hakmem.json" $N $FIELDS
  expect_eq "--fill $fill" "$(jget "$TMP/$fill.hakmem.json" fill)" $fill
  expect_same bytes_allocated "$TMP/m.libc.json" "$TMP/$fill.libc.json" "$TMP/$fill.hakmem.json"
done

# Growth: each buffer is built by realloc in 100000-byte steps, to the same
# sizes as without --grow; the counts follow from the sizes alone.
run_libc_hakmem "$TMP/g" $N $SMALL --grow 100000
json_check "$TMP/g.hakmem.json" $N $FIELDS
expect_same reallocs "$TMP/g.libc.json" "$TMP/g.hakmem.json"
r=$(jget "$TMP/g.libc.json" reallocs)
[ "$r" -gt 60 ] || die "--grow 100000 with 64 KiB-2 MiB buffers: only $r reallocs"
ok "--grow 100000: $r reallocs for 60 buffers"
expect_same bytes_allocated "$TMP/m.libc.json" "$TMP/g.libc.json" "$TMP/g.hakmem.json"
expect_same frees "$TMP/m.libc.json" "$TMP/g.libc.json"

# The 40 KiB mode.
run_libc_hakmem "$TMP/k" $N --iters 5000 --slots 200 --min 40960 --max 40960
json_check "$TMP/k.hakmem.json" $N $FIELDS

# The shim only recycles blocks under 1 MiB: corruption runs use small sizes.
K40="--iters 20000 --slots 100 --min 40960 --max 40960"
expect_corruption flip $N $K40
expect_corruption dup $N $K40
expect_corruption calloc $N $K40 --fill calloc
expect_corruption flip $N --iters 5000 --slots 50 --min 40960 --max 409600 --grow 40000
CORRUPT_AFTER=10 expect_corruption realloc $N --iters 50 --slots 4 --min 65536 --max 2097152 --grow 100000
grep -q "offset 4096 " "$TMP/stderr" || die "the lost page was not named by its offset: $(cat "$TMP/stderr")"
ok "realloc that lost the second page: reported at offset 4096"
expect_allocators $N --iters 40 --slots 4 --min 65536 --max 1048576
finish
