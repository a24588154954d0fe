#!/usr/bin/env bash
# The C++ operators under LD_PRELOAD=libhakmem.so (cxx-libc, from cxx.cc):
# every operator variant resolves to libhakmem.so and works (alignment,
# new_handler, bad_alloc, nothrow, sized delete of every size). The program
# refuses to run when operator new is not hakmem's; this script checks that
# it does without the preload, so a silently unused preload cannot pass.
# Then a C program, which never links libstdc++, still loads libhakmem.so
# (every symbol bound at start-up: LD_BIND_NOW=1) and no C++ runtime is
# mapped into it.
. "$(dirname "$0")/../lib.sh"
need "$TA/cxx-libc" "$LIBHAKMEM"

env -u HAKTEST_ANY_MALLOC "$TA/cxx-libc" >"$TMP/cxx-nopreload.log" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'not served by libhakmem' "$TMP/cxx-nopreload.log" ||
  die "without LD_PRELOAD cxx-libc should refuse to run (exit 1), got exit $rc"
echo "ok: without LD_PRELOAD the dladdr check refuses to run (exit 1)"

run_logged cxx-preload preload timeout 120 "$TA/cxx-libc"
rc=$?
[ $rc -eq 0 ] || die "cxx-libc under LD_PRELOAD exited $rc (FAIL lines above)"
grep -q '^cxx: operator new is served by .*libhakmem\.so$' "$TMP/cxx-preload.log" || die "hakmem did not serve operator new"
grep -q '^cxx (LD_PRELOAD): [0-9]* checks, 0 failed$' "$TMP/cxx-preload.log" || die "summary line missing"
no_hakmem_errors "$TMP/cxx-preload.log"

# A C program: cat, linked with libc only.
if command -v readelf >/dev/null; then
  ! readelf -d "$(command -v cat)" | grep -q 'NEEDED.*lib\(std\)\?c++' || die "cat links a C++ runtime: not a C program"
fi
LD_BIND_NOW=1 preload cat /proc/self/maps >"$TMP/cxx-cmaps.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/cxx-cmaps.log"; die "a C program under LD_PRELOAD (LD_BIND_NOW=1) exited $rc"; }
grep -q 'libhakmem\.so' "$TMP/cxx-cmaps.log" || [ -n "${HAKTEST_PRELOAD:-}" ] || die "libhakmem.so is not mapped in the C program"
! grep -q 'lib\(std\)\?c++' "$TMP/cxx-cmaps.log" || die "a C++ runtime was loaded into the C program"
echo "ok: a C program (cat, LD_BIND_NOW=1) loads libhakmem.so and no C++ runtime"
echo "PASS: every C++ operator variant checked under LD_PRELOAD; C programs unaffected"
finish
