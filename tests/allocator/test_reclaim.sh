#!/usr/bin/env bash
# The memory of exited threads goes to the threads that free into it: a
# successor takes its predecessor's heap whole (allocator/src/heap.c,
# "Hand-over"), and a thread that only frees takes one heap at most and at
# most 4 abandoned SuperSlabs (allocator/README.md, "Life of a block", step
# 4). Counts come from HAKMEM_STATS=1's heaps_handed_over and
# superslabs_reclaimed_by_free lines. Under LD_PRELOAD and through the hak_
# API.
. "$(dirname "$0")/../lib.sh"
need "$TA/reclaim-libc" "$TA/reclaim-hak" "$LIBHAKMEM"

for how in preload hak; do
  for mode in successor consumer; do
    run_stats $how "reclaim-$how-$mode" 60 reclaim $mode
    rc=$?
    [ $rc -eq 0 ] || die "reclaim $mode ($how) exited $rc"
    n=$(hakmem_stat "$TMP/reclaim-$how-$mode.log" superslabs_reclaimed_by_free) || exit 1
    h=$(hakmem_stat "$TMP/reclaim-$how-$mode.log" heaps_handed_over) || exit 1
    if [ $mode = successor ]; then
      [ "$h" -ge 1 ] || die "successor ($how): $h heaps handed over, expected its predecessor's"
    else
      [ "$h" -le 1 ] && [ "$n" -le 4 ] && [ $((h + n)) -ge 1 ] ||
        die "free-only consumer ($how): took $h heaps and reclaimed $n SuperSlabs, expected at most 1 and 4, and one of them"
    fi
    echo "ok: $mode ($how): $h heaps handed over, $n SuperSlabs reclaimed by free"
  done
done
echo "PASS: successors take their predecessor's heap; a free-only thread takes one heap and 4 SuperSlabs at most"
finish
