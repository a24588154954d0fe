#!/usr/bin/env bash
# fork() from a multithreaded process (fork.c), two scenarios:
#   default  4 allocating threads, 50 forks under LD_PRELOAD and 20 through
#            the hak_ API: every child allocates, frees (also from a new
#            thread) and exits 0 within 10 s (fork.c polls and kills).
#   threads  100 forks while 2 threads allocate, reallocate and free across
#            threads, under LD_PRELOAD: every child allocates and checks
#            16 B..1 MiB blocks (realloc included), starts a thread that does
#            the same, and exits 0 within 5 s; a child that does not is a
#            deadlock and fails the test. The parent's workers check their
#            blocks the whole time.
. "$(dirname "$0")/../lib.sh"
need "$TA/fork-libc" "$TA/fork-hak" "$LIBHAKMEM"
run_logged fork-preload preload timeout 120 "$TA/fork-libc" -t 4 -n 50 -w 10
rc=$?
[ $rc -eq 0 ] || die "fork test under LD_PRELOAD exited $rc"
no_hakmem_errors "$TMP/fork-preload.log"
ok "50 forks under LD_PRELOAD: every child allocated, freed and exited 0 in time"
run_logged fork-hak timeout 120 "$TA/fork-hak" -t 4 -n 20 -w 10
rc=$?
[ $rc -eq 0 ] || die "fork test through the hak_ API exited $rc"
ok "20 forks through the hak_ API: every child allocated, freed and exited 0 in time"

need_preload
under_hak "$TA/fork-libc" threads --forks "${FORKS:-100}" --threads 2 --timeout-ms 5000 >"$TMP/threads.out" 2>"$TMP/threads.err"
rc=$?
cat "$TMP/threads.out"; head -n 20 "$TMP/threads.err"
[ $rc -eq 0 ] || die "fork threads exited $rc"
[ -z "$PRELOAD" ] || grep -q "^malloc from: .*$(basename "$PRELOAD")" "$TMP/threads.out" || die "malloc was not served by $PRELOAD"
no_hakmem_errors "$TMP/threads.err"
ok "fork threads: no deadlock, every child allocated"
finish
