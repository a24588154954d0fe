#!/usr/bin/env bash
# Long version of the thread tests (make test-long, a few minutes): stress
# with 32 threads for 60 s under LD_PRELOAD and under the debug build, the
# TSan build for 60 s, Larson 1024 chunks/thread at 8 and 16 threads for
# 30 s with short thread lives (many exits and adoptions).
. "$(dirname "$0")/../lib.sh"
make --no-print-directory -s debug >&2 || die "make debug failed"
need "$TA/stress-libc" "$TA/stress-tsan" "$TA/larson-libc" "$LIBHAKMEM" "$BUILD/debug/libhakmem.so"

run_logged long-stress preload timeout 120 "$TA/stress-libc" -t 32 -s 60 -l 20000 ||
  die "stress 32 threads 60 s under LD_PRELOAD"
no_hakmem_errors "$TMP/long-stress.log"
run_logged long-stress-debug env -u HAKTEST_ANY_MALLOC LD_PRELOAD="$BUILD/debug/libhakmem.so" \
  timeout 120 "$TA/stress-libc" -t 32 -s 30 -l 10000 || die "stress 32 threads 30 s under the debug build"
no_hakmem_errors "$TMP/long-stress-debug.log"
run_logged long-stress-tsan env TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
  timeout 300 "$TA/stress-tsan" -t 16 -s 60 -l 2000 || die "stress under ThreadSanitizer, 60 s"
grep -q 'WARNING: ThreadSanitizer' "$TMP/long-stress-tsan.log" && die "ThreadSanitizer warning"
for t in 8 16; do
  run_logged long-larson-$t preload timeout 90 "$TA/larson-libc" -t $t -c 1024 -s 30 -r 5000 ||
    die "larson $t threads x 1024 chunks, 30 s"
  no_hakmem_errors "$TMP/long-larson-$t.log"
done
echo "PASS: long stress, debug-build stress, TSan stress and Larson 8/16 threads all clean"
finish
