#!/usr/bin/env bash
# Exited threads' memory is reused (threadreuse.c), two scenarios:
#   default  100 threads one after another, each with 8 MiB of small blocks
#            live, leaving 1/16 of them to the next thread. Peak RSS must stay
#            below start + 64 MiB (no reuse would need ~800 MiB) and end at
#            most start + 64 MiB. Under LD_PRELOAD and through the hak_ API.
#   churn    4000 short-lived threads (8 at a time) each allocate 128 blocks
#            (16 B..128 KiB), free half and hand half to 2 long-lived keeper
#            threads that check and free them, under LD_PRELOAD. No block is
#            corrupted, peak RSS stays under 128 MiB (about 200 MiB pass
#            through the allocator in total), and RSS at the end is at most
#            64 MiB above RSS after the first quarter of the threads
#            (hakmem's stated cache bound).
. "$(dirname "$0")/../lib.sh"
need "$TA/threadreuse-libc" "$TA/threadreuse-hak" "$LIBHAKMEM"
run_logged threadreuse-preload preload timeout 60 "$TA/threadreuse-libc" -n 100 -b 64
rc=$?
[ $rc -eq 0 ] || die "threadreuse under LD_PRELOAD exited $rc"
no_hakmem_errors "$TMP/threadreuse-preload.log"
ok "threadreuse under LD_PRELOAD: RSS bounded"
run_logged threadreuse-hak timeout 60 "$TA/threadreuse-hak" -n 100 -b 64
rc=$?
[ $rc -eq 0 ] || die "threadreuse through the hak_ API exited $rc"
ok "threadreuse through the hak_ API: RSS bounded"

need_preload
under_hak "$TA/threadreuse-libc" churn --threads "${CHURN_THREADS:-4000}" --concurrent 8 --keepers 2 --blocks 128 \
  --max-rss-mib 128 --max-growth-mib 64 >"$TMP/churn.out" 2>"$TMP/churn.err"
rc=$?
cat "$TMP/churn.out"; head -n 20 "$TMP/churn.err"
[ $rc -eq 0 ] || die "threadreuse churn exited $rc (1: memory bound, 3: corrupted block, >128: signal)"
[ -z "$PRELOAD" ] || grep -q "^malloc from: .*$(basename "$PRELOAD")" "$TMP/churn.out" || die "malloc was not served by $PRELOAD"
no_hakmem_errors "$TMP/churn.err"
ok "thread churn bounded and intact"
finish
