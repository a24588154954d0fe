#!/usr/bin/env bash
# The C++ operators with libhakmem.a linked into a C++ program (cxx-static,
# no LD_PRELOAD): every operator the program calls is the program's own
# (hakmem's, from the archive), libstdc++'s allocations land in hakmem
# (hak_owns), and every check of cxx.cc passes, std::bad_alloc thrown
# through hakmem's frames included.
. "$(dirname "$0")/../lib.sh"
[ -n "${HAKTEST_PRELOAD:-}" ] && { echo "skip: HAKTEST_PRELOAD set, this links hakmem itself"; exit 77; }
need "$TA/cxx-static"
run_logged cxx-static env -u LD_PRELOAD -u HAKTEST_ANY_MALLOC timeout 120 "$TA/cxx-static"
rc=$?
[ $rc -eq 0 ] || die "cxx-static exited $rc (FAIL lines above)"
grep -q '^cxx: operator new is served by self$' "$TMP/cxx-static.log" || die "operator new is not the program's own"
grep -q '^cxx (libhakmem.a): [0-9]* checks, 0 failed$' "$TMP/cxx-static.log" || die "summary line missing"
no_hakmem_errors "$TMP/cxx-static.log"
echo "PASS: every C++ operator variant checked with libhakmem.a linked in"
finish
