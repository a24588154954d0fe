#!/usr/bin/env bash
# An exited thread's heap waits for a successor (allocator/src/heap.c,
# "Hand-over"; handover.c has the scenarios). Counts come from
# HAKMEM_STATS=1's heaps_handed_over, superslabs_abandoned and
# superslabs_mapped_total lines:
#   successor  8 threads in turn, each leaving live blocks: 7 heaps handed
#              over, no SuperSlab abandoned (and none mapped after the first
#              thread's: checked by the program)
#   expire     a heap nobody took for 2.5 s is given up by the next new slab
#              of a running thread: 0 handed over, its SuperSlab abandoned
#   collect    hak_collect() releases a waiting heap's SuperSlabs
#   fork       heaps waiting at fork() are taken by the child's threads:
#              the child's count (its statistics come first) is 4 or more
#              (its 4 threads take every heap its parent's 4 left)
# Under LD_PRELOAD and through the hak_ API.
. "$(dirname "$0")/../lib.sh"
need "$TA/handover-libc" "$TA/handover-hak" "$LIBHAKMEM"

for how in preload hak; do
  for mode in successor expire collect fork; do
    log=handover-$how-$mode
    run_stats $how "$log" 60 handover $mode
    rc=$?
    [ $rc -eq 0 ] || die "handover $mode ($how) exited $rc"
    grep -q "^handover $mode: ok$" "$TMP/$log.log" || die "handover $mode ($how): no 'ok' line"
    h=$(hakmem_stat "$TMP/$log.log" heaps_handed_over) || exit 1
    a=$(hakmem_stat "$TMP/$log.log" superslabs_abandoned) || exit 1
    m=$(hakmem_stat "$TMP/$log.log" superslabs_mapped_total) || exit 1
    case $mode in
      successor)
        [ "$h" -eq 7 ] && [ "$a" -eq 0 ] ||
          die "successor ($how): $h heaps handed over, $a SuperSlabs abandoned; expected 7 and 0" ;;
      expire)
        [ "$h" -eq 0 ] && [ "$a" -ge 1 ] ||
          die "expire ($how): $h heaps handed over, $a SuperSlabs abandoned; expected 0 and at least 1" ;;
      fork)   # the first statistics are the child's, printed before it exits
        [ "$h" -ge 4 ] ||
          die "fork ($how): the child's count of heaps handed over is $h; expected 4 or more" ;;
    esac
    ok "$mode ($how): $h heaps handed over, $a SuperSlabs abandoned, $m mapped"
  done
done
finish
