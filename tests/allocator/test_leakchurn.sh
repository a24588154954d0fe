#!/usr/bin/env bash
# Leak plus thread churn: a long-lived set of small blocks grows
# while 400, then 1000, short-lived threads (two at a time) free and
# allocate blocks of exited threads. The free space that exited threads
# leave in their abandoned SuperSlabs must be reused: peak RSS at most
# start + data * 3/2 + 4 MiB (leakchurn.c checks it; glibc needs 1.15x the
# data) and at most 48 SuperSlabs mapped in all (HAKMEM_STATS; about 24
# needed, 162 before abandoned SuperSlabs were searched by class). Under
# LD_PRELOAD and through the hak_ API.
. "$(dirname "$0")/../lib.sh"
need "$TA/leakchurn-libc" "$TA/leakchurn-hak" "$LIBHAKMEM"

for how in preload hak; do
  for shape in "200 10000" "500 4000"; do
    set -- $shape
    name=leakchurn-$how-$(($1 * 2))
    run_stats $how "$name" 120 leakchurn -r "$1" -s "$2"
    rc=$?
    [ $rc -eq 0 ] || die "leakchurn $how, $(($1 * 2)) threads, exited $rc"
    ! grep -E '^hakmem: [^ ]' "$TMP/$name.log" | grep -qv '^hakmem: statistics$' ||
      die "hakmem reported errors in $TMP/$name.log"
    n=$(hakmem_stat "$TMP/$name.log" superslabs_mapped_total) || exit 1
    [ "$n" -le 48 ] || die "leakchurn $how, $(($1 * 2)) threads: $n SuperSlabs mapped, expected at most 48"
    echo "ok: $how, $(($1 * 2)) threads: $n SuperSlabs mapped"
  done
done
echo "PASS: exited threads' free space is reused under leak-and-churn; RSS and SuperSlabs bounded"
finish
