#!/usr/bin/env bash
# The debug variant (make debug: build/debug/libhakmem.so, internal
# assertions on) passes the conformance checks, a short stress run and the
# large page heap's zero, realloc and threads runs (large.c) under
# LD_PRELOAD: an internal assertion that fires fails this test.
. "$(dirname "$0")/../lib.sh"
DBG=$BUILD/debug/libhakmem.so
[ -n "${HAKTEST_PRELOAD:-}" ] && { echo "skip: HAKTEST_PRELOAD set, the debug build is hakmem's"; exit 77; }
make --no-print-directory -s debug >&2 || die "make debug failed"
[ -e "$DBG" ] || die "make debug did not produce $DBG"
need "$TA/conform-libc" "$TA/stress-libc"
run_logged conform-debug env -u HAKTEST_ANY_MALLOC LD_PRELOAD="$DBG" timeout 120 "$TA/conform-libc"
rc=$?
[ $rc -eq 0 ] || die "conformance under the debug build exited $rc"
grep -q 'malloc is served by .*debug/libhakmem\.so' "$TMP/conform-debug.log" || die "the debug build did not serve malloc"
run_logged stress-debug env -u HAKTEST_ANY_MALLOC LD_PRELOAD="$DBG" timeout 60 "$TA/stress-libc" -t 16 -s 2 -l 4000
rc=$?
[ $rc -eq 0 ] || die "stress under the debug build exited $rc"
no_hakmem_errors "$TMP/stress-debug.log"
need "$TA/large-libc"
for mode in zero realloc "threads 4 2"; do
  run_logged "large-debug-${mode// /-}" env -u HAKTEST_ANY_MALLOC LD_PRELOAD="$DBG" timeout 60 "$TA/large-libc" $mode
  rc=$?
  [ $rc -eq 0 ] || die "large $mode under the debug build exited $rc"
  no_hakmem_errors "$TMP/large-debug-${mode// /-}.log"
done
echo "PASS: the debug build (assertions on) passes conformance, stress and the large page heap's tests"
finish
