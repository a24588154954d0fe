#!/usr/bin/env bash
# SuperSlabs of exited threads go to the threads that free into them, but a
# thread that only frees takes at most 4 (allocator/README.md, "Life of a
# block", step 4). Counts come from HAKMEM_STATS=1's
# superslabs_reclaimed_by_free line. Under LD_PRELOAD and through the hak_ API.
. "$(dirname "$0")/../lib.sh"
need "$TA/reclaim-libc" "$TA/reclaim-hak" "$LIBHAKMEM"

reclaimed() {   # log -> the count, or fail
  local n
  n=$(awk '$2 == "superslabs_reclaimed_by_free" { print $3 }' "$1")
  [ -n "$n" ] || die "no superslabs_reclaimed_by_free line in $1"
  echo "$n"
}

for how in preload hak; do
  for mode in successor consumer; do
    if [ $how = preload ]; then
      run_logged "reclaim-$how-$mode" preload env HAKMEM_STATS=1 timeout 60 "$TA/reclaim-libc" $mode
    else
      run_logged "reclaim-$how-$mode" env HAKMEM_STATS=1 timeout 60 "$TA/reclaim-hak" $mode
    fi
    rc=$?
    [ $rc -eq 0 ] || die "reclaim $mode ($how) exited $rc"
    n=$(reclaimed "$TMP/reclaim-$how-$mode.log") || exit 1
    if [ $mode = successor ]; then
      [ "$n" -ge 1 ] || die "successor ($how): reclaimed $n SuperSlabs, expected at least 1"
    else
      [ "$n" -ge 1 ] && [ "$n" -le 4 ] ||
        die "free-only consumer ($how): reclaimed $n SuperSlabs of 8 abandoned, expected 1 to 4"
    fi
    echo "ok: $mode ($how): $n SuperSlabs reclaimed by free"
  done
done
echo "PASS: successors reclaim their predecessor's SuperSlabs; a free-only thread takes at most 4"
finish
