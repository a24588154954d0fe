#!/usr/bin/env bash
# Multithreaded stress under LD_PRELOAD=libhakmem.so: 16 threads at a time on
# this machine's cores, 1 B..1 MiB blocks checked before every free, a shared
# exchange array (>= 25% cross-thread frees, asserted by the program), threads
# exiting and recreated while others hold their blocks. 5 s, 60 s timeout.
. "$(dirname "$0")/../lib.sh"
need "$TA/stress-libc" "$LIBHAKMEM"
run_logged stress-preload preload timeout 60 "$TA/stress-libc" -t 16 -s 5
rc=$?
[ $rc -eq 124 ] && die "stress hung (killed after 60 s)"
[ $rc -eq 0 ] || die "stress exited $rc"
no_hakmem_errors "$TMP/stress-preload.log"
grep -q '^stress: ok$' "$TMP/stress-preload.log" || die "no 'stress: ok' line"
echo "PASS: stress under LD_PRELOAD: no corruption, cross-thread frees and thread churn as printed"
finish
