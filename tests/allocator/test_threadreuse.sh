#!/usr/bin/env bash
# Exited threads' memory is reused: 100 threads one after another, each with
# 8 MiB of small blocks live, leaving 1/16 of them to the next thread. Peak
# RSS must stay below start + 64 MiB (no reuse would need ~800 MiB) and end
# at most start + 64 MiB. Under LD_PRELOAD and through the hak_ API.
. "$(dirname "$0")/lib.sh"
need "$TA/threadreuse-libc" "$TA/threadreuse-hak" "$LIBHAKMEM"
run_logged threadreuse-preload preload timeout 60 "$TA/threadreuse-libc" -n 100 -b 64
rc=$?
[ $rc -eq 0 ] || fail "threadreuse under LD_PRELOAD exited $rc"
no_hakmem_errors "$TMP/threadreuse-preload.log"
run_logged threadreuse-hak timeout 60 "$TA/threadreuse-hak" -n 100 -b 64
rc=$?
[ $rc -eq 0 ] || fail "threadreuse through the hak_ API exited $rc"
echo "PASS: exited threads' memory was reused and RSS stayed bounded"
