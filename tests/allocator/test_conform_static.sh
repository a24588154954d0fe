#!/usr/bin/env bash
# API conformance through the libc names with libhakmem.a linked into the
# program (no LD_PRELOAD): the program first checks with hak_owns() that
# malloc's blocks are hakmem's, then runs every check of conform.c.
. "$(dirname "$0")/../lib.sh"
[ -n "${HAKTEST_PRELOAD:-}" ] && { echo "skip: HAKTEST_PRELOAD set, this links hakmem itself"; exit 77; }
need "$TA/conform-static"
run_logged conform-static env -u LD_PRELOAD timeout 120 "$TA/conform-static"
rc=$?
[ $rc -eq 0 ] || die "conform-static exited $rc (FAIL lines above)"
grep -q "^conform: malloc is hakmem's" "$TMP/conform-static.log" || die "malloc is not hakmem's"
grep -q '^conform (libc names, libhakmem.a): [0-9]* checks, 0 failed$' "$TMP/conform-static.log" ||
  die "summary line missing"
! grep -q '^skip' "$TMP/conform-static.log" || die "a check was skipped against hakmem"
echo "PASS: every conformance check passed with libhakmem.a linked in"
finish
