#!/usr/bin/env bash
# The stress test linked with the hak_ API, allocator and test both compiled
# with -fsanitize=thread: must run clean (no ThreadSanitizer report at all).
# Shorter than the preload run: TSan is ~10x slower.
. "$(dirname "$0")/lib.sh"
need "$TA/stress-tsan"
run_logged stress-tsan env TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
  timeout 120 "$TA/stress-tsan" -t 16 -s 3 -l 300
rc=$?
[ $rc -eq 66 ] && fail "ThreadSanitizer reported a problem (exit 66, report above)"
[ $rc -eq 124 ] && fail "stress-tsan hung (killed after 120 s)"
[ $rc -eq 0 ] || fail "stress-tsan exited $rc"
grep -q 'WARNING: ThreadSanitizer' "$TMP/stress-tsan.log" && fail "ThreadSanitizer warning in the output"
grep -q '^stress: ok$' "$TMP/stress-tsan.log" || fail "no 'stress: ok' line"
echo "PASS: stress through the hak_ API runs clean under ThreadSanitizer"
