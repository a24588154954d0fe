#!/usr/bin/env bash
# API conformance through the libc names under LD_PRELOAD=libhakmem.so
# (conform-libc). The binary first proves with dladdr(malloc) that
# libhakmem.so serves it; this script also checks that this proof fails
# without the preload, so a silently unused preload cannot pass.
. "$(dirname "$0")/../lib.sh"
need "$TA/conform-libc" "$LIBHAKMEM"

env -u HAKTEST_ANY_MALLOC "$TA/conform-libc" >"$TMP/conform-nopreload.log" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'not served by libhakmem' "$TMP/conform-nopreload.log" ||
  die "without LD_PRELOAD conform-libc should refuse to run (exit 1), got exit $rc"
echo "ok: without LD_PRELOAD the dladdr check refuses to run (exit 1)"

run_logged conform-preload preload timeout 120 "$TA/conform-libc"
rc=$?
[ $rc -eq 0 ] || die "conform-libc under LD_PRELOAD exited $rc (FAIL lines above)"
grep -q 'malloc is served by .*libhakmem\.so' "$TMP/conform-preload.log" || die "hakmem did not serve malloc"
grep -q '^conform (libc names): [0-9]* checks, 0 failed$' "$TMP/conform-preload.log" || die "summary line missing"
! grep -q '^skip' "$TMP/conform-preload.log" || die "a check was skipped against hakmem"
echo "PASS: every conformance check passed through the libc names under LD_PRELOAD"
finish
