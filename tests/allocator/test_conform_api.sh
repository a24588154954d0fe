#!/usr/bin/env bash
# API conformance through the hak_ API (conform-hak, linked with libhakmem-api.a):
# every semantic point of the issue, one check each (see conform.c).
. "$(dirname "$0")/../lib.sh"
need "$TA/conform-hak"
run_logged conform-hak timeout 120 "$TA/conform-hak"
rc=$?
[ $rc -eq 0 ] || die "conform-hak exited $rc (FAIL lines above)"
grep -q '^conform (hak_ API): [0-9]* checks, 0 failed$' "$TMP/conform-hak.log" ||
  die "summary line missing"
! grep -q '^skip' "$TMP/conform-hak.log" || die "a check was skipped against hakmem"
echo "PASS: every conformance check passed through the hak_ API"
finish
