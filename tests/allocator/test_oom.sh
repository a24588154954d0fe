#!/usr/bin/env bash
# Out of memory under RLIMIT_AS (current address space + 256 MiB), under
# hakmem: impossible sizes and exhaustion by 1 MiB and by small blocks all
# return NULL with errno ENOMEM (posix_memalign: ENOMEM), realloc failure
# keeps the block, the process carries on, and after freeing everything as
# many 1 MiB blocks fit again (at least 90%). Also run in a shell under
# `ulimit -v`, with python3 catching MemoryError and carrying on.
. "$(dirname "$0")/../lib.sh"
BIN=$TA/oom_rlimit
[ -x "$BIN" ] || die "$BIN not built (make test-build)"
need_preload
under_hak "$BIN" --headroom-mib 256 >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out"; head -n 20 "$TMP/err"
[ $rc -eq 0 ] || die "oom_rlimit exited $rc"
[ -z "$PRELOAD" ] || grep -q "^malloc from: .*$(basename "$PRELOAD")" "$TMP/out" || die "malloc was not served by $PRELOAD"
grep -q '^FAIL' "$TMP/out" && die "a check failed"

# The same from the outside: ulimit -v on an unmodified program.
out=$( (ulimit -v 400000; under_hak /usr/bin/python3 -c '
chunks = []
try:
    while True:
        chunks.append(bytearray(16 << 20))
except MemoryError:
    n = len(chunks)
    chunks.clear()
    again = [bytearray(16 << 20) for _ in range(n // 2)]
    print("MemoryError after", n, "chunks; then", len(again), "again")
') 2>"$TMP/py.err")
rc=$?
echo "python3 under ulimit -v 400000: $out"
[ $rc -eq 0 ] || { head -n 10 "$TMP/py.err"; die "python3 under ulimit -v exited $rc"; }
[[ $out == "MemoryError after "* ]] || die "python3 did not see MemoryError"
ok "out of memory reported, process carried on, memory usable again"
finish
