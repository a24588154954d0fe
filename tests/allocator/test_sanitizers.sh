#!/usr/bin/env bash
# stress.c linked with the allocator's sanitizer builds (allocator/build.mk's
# tsan and ubsan variants), test and allocator both instrumented:
#   stress-tsan        the thread stress (16 threads, blocks 1 B..1 MiB,
#                      cross-thread frees, thread exits) under ThreadSanitizer;
#                      shorter than the preload run: TSan is ~10x slower
#   stress-tsan api    every hak_ entry point from 4 threads (aligned family,
#   stress-ubsan api   calloc zeroing, realloc/reallocarray prefix, usable
#                      size, hak_owns, cross-thread frees, hak_collect and
#                      hak_stats_get while others allocate), under TSan, then
#                      UndefinedBehaviorSanitizer (-fno-sanitize-recover=all)
# Each must finish with no sanitizer report and no failed check.
. "$(dirname "$0")/../lib.sh"
need "$TA/stress-tsan" "$TA/stress-ubsan"
run_logged stress-tsan env TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
  timeout 120 "$TA/stress-tsan" -t 16 -s 3 -l 300
rc=$?
[ $rc -eq 66 ] && die "ThreadSanitizer reported a problem (exit 66, report above)"
[ $rc -eq 124 ] && die "stress-tsan hung (killed after 120 s)"
[ $rc -eq 0 ] || die "stress-tsan exited $rc"
grep -q 'WARNING: ThreadSanitizer' "$TMP/stress-tsan.log" && die "ThreadSanitizer warning in the output"
grep -q '^stress: ok$' "$TMP/stress-tsan.log" || die "no 'stress: ok' line"
ok "stress through the hak_ API runs clean under ThreadSanitizer"

for v in tsan ubsan; do
  BIN=$TA/stress-$v
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 exitcode=67" \
    timeout 120 "$BIN" api --threads 4 --ops "${STRESS_OPS:-10000}" >"$TMP/$v.out" 2>"$TMP/$v.err"
  rc=$?
  cat "$TMP/$v.out"; head -n 40 "$TMP/$v.err"
  [ $rc -eq 124 ] && die "stress-$v api hung (killed after 120 s)"
  [ $rc -eq 0 ] || die "stress-$v api exited $rc (66: TSan report, 67: UBSan report, 1: a check failed)"
  grep -qE 'WARNING: ThreadSanitizer|runtime error:' "$TMP/$v.err" && die "sanitizer report from stress-$v api"
  grep -qx 'stress_api: ok' "$TMP/$v.out" || die "stress-$v api did not finish its checks"
  ok "stress api under $v: clean"
done
finish
