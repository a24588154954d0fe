#!/usr/bin/env bash
# Freed slab slots stay committed for reuse, then decay (slotdecay.c): 8
# rounds of 12 MiB of 64-512 B blocks allocated, touched and freed; each
# later round takes at most a tenth of the first round's minor faults; then
# RSS falls back within 4 MiB of the start while the program goes on
# allocating a little. Under LD_PRELOAD and through the hak_ API.
. "$(dirname "$0")/../lib.sh"
need "$TA/slotdecay-libc" "$TA/slotdecay-hak" "$LIBHAKMEM"
run_logged slotdecay-preload preload timeout 60 "$TA/slotdecay-libc"
rc=$?
[ $rc -eq 0 ] || die "slotdecay under LD_PRELOAD exited $rc"
no_hakmem_errors "$TMP/slotdecay-preload.log"
run_logged slotdecay-hak timeout 60 "$TA/slotdecay-hak"
rc=$?
[ $rc -eq 0 ] || die "slotdecay through the hak_ API exited $rc"
echo "PASS: freed slots were reused without page faults, and decayed"
finish
