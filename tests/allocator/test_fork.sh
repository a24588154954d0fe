#!/usr/bin/env bash
# fork() from a process with 4 allocating threads, 50 times under
# LD_PRELOAD and 20 times through the hak_ API: every child allocates, frees
# (also from a new thread) and exits 0 within 10 s (fork.c polls and kills).
. "$(dirname "$0")/lib.sh"
need "$TA/fork-libc" "$TA/fork-hak" "$LIBHAKMEM"
run_logged fork-preload preload timeout 120 "$TA/fork-libc" -t 4 -n 50 -w 10
rc=$?
[ $rc -eq 0 ] || fail "fork test under LD_PRELOAD exited $rc"
no_hakmem_errors "$TMP/fork-preload.log"
run_logged fork-hak timeout 120 "$TA/fork-hak" -t 4 -n 20 -w 10
rc=$?
[ $rc -eq 0 ] || fail "fork test through the hak_ API exited $rc"
echo "PASS: all children of a multithreaded process allocated, freed and exited 0 in time"
