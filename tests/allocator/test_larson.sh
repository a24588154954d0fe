#!/usr/bin/env bash
# The case that broke the original hakmem: Larson-style cross-thread
# replacement with 1024 chunks per thread, 4 and then 8 threads, 3 s each,
# under LD_PRELOAD (and 4 threads through the hak_ API): no crash, no hang
# (30 s timeout), every chunk's contents verified before it is freed.
. "$(dirname "$0")/../lib.sh"
need "$TA/larson-libc" "$TA/larson-hak" "$LIBHAKMEM"
for t in 4 8; do
  run_logged larson-preload-$t preload timeout 30 "$TA/larson-libc" -t $t -c 1024 -s 3
  rc=$?
  [ $rc -eq 124 ] && die "larson $t threads hung (killed after 30 s)"
  [ $rc -eq 0 ] || die "larson $t threads x 1024 chunks under LD_PRELOAD exited $rc"
  no_hakmem_errors "$TMP/larson-preload-$t.log"
done
run_logged larson-hak timeout 30 "$TA/larson-hak" -t 4 -c 1024 -s 2
rc=$?
[ $rc -eq 0 ] || die "larson 4 threads through the hak_ API exited $rc"
echo "PASS: Larson 1024 chunks/thread at 4 and 8 threads: no crash, no hang, contents intact"
finish
