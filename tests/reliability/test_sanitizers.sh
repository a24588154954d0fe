#!/usr/bin/env bash
# The stress program over the whole hak_ API (stress_api.c: 4 threads, every
# allocation function, cross-thread frees, hak_collect and hak_stats_get
# while others allocate), linked with the allocator sources compiled under
# ThreadSanitizer, then UndefinedBehaviorSanitizer (-fno-sanitize-recover):
# both must finish with no sanitizer report and no failed check.
. "$(dirname "$0")/common.sh"
for v in tsan ubsan; do
  BIN=$RBIN/stress_api-$v
  [ -x "$BIN" ] || fail "$BIN not built (make test-build)"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 exitcode=67" \
    timeout 120 "$BIN" --threads 4 --ops "${STRESS_OPS:-10000}" >"$TMP/$v.out" 2>"$TMP/$v.err"
  rc=$?
  cat "$TMP/$v.out"; head -n 40 "$TMP/$v.err"
  [ $rc -eq 124 ] && fail "stress_api-$v hung (killed after 120 s)"
  [ $rc -eq 0 ] || fail "stress_api-$v exited $rc (66: TSan report, 67: UBSan report, 1: a check failed)"
  grep -qE 'WARNING: ThreadSanitizer|runtime error:' "$TMP/$v.err" && fail "sanitizer report from stress_api-$v"
  grep -qx 'stress_api: ok' "$TMP/$v.out" || fail "stress_api-$v did not finish its checks"
  ok "stress_api under $v: clean"
done
