#!/usr/bin/env bash
# Start-up under LD_PRELOAD: allocations from .preinit_array (before any
# initialiser, libhakmem's own included) and from an early constructor, the
# dynamic loader's allocations (dlerror, dlopen/dlclose, dynamic TLS of a
# dlopen()ed library in 32 threads) all work (see startup.c).
. "$(dirname "$0")/../lib.sh"
need "$TA/startup-libc" "$TA/libtatls.so" "$LIBHAKMEM"
run_logged startup preload timeout 60 "$TA/startup-libc" "$TA/libtatls.so"
rc=$?
[ $rc -eq 0 ] || die "startup test exited $rc"
no_hakmem_errors "$TMP/startup.log"
grep -q '^startup: ok$' "$TMP/startup.log" || die "no 'startup: ok' line"
echo "PASS: hakmem serves allocations before constructors and inside the loader's own"
finish
