#!/usr/bin/env bash
# Memory return: ~1 GiB in small (16..1024 B) and large (64 KiB..4 MiB)
# blocks, touched, then all freed: RSS (/proc/self/statm) must fall to at most
# the starting RSS + 88 MiB (hakmem's stated cache bound: 64 MiB of large
# pages, 16 MiB of dirty slots per heap, the slab kept per class). Under
# LD_PRELOAD;
# then 512 MiB through the hak_ API, where hak_collect() must also bring RSS
# back to within 16 MiB of the start.
. "$(dirname "$0")/../lib.sh"
need "$TA/memreturn-libc" "$TA/memreturn-hak" "$LIBHAKMEM"
run_logged memreturn-preload preload timeout 120 "$TA/memreturn-libc" -m 1024 -b 88
rc=$?
[ $rc -eq 0 ] || die "memreturn under LD_PRELOAD exited $rc"
no_hakmem_errors "$TMP/memreturn-preload.log"
run_logged memreturn-hak timeout 120 "$TA/memreturn-hak" -m 512 -b 88
rc=$?
[ $rc -eq 0 ] || die "memreturn through the hak_ API exited $rc"
echo "PASS: RSS fell back within the stated bound after freeing everything"
finish
