#!/usr/bin/env bash
# Fork while other threads allocate, 100 times, under hakmem: every child
# allocates and checks blocks of every size range (16 B..1 MiB, realloc
# included), starts a thread that does the same, and exits 0 within 5 s;
# a child that does not is a deadlock and fails the test. The parent's two
# worker threads keep allocating, reallocating and freeing across threads
# the whole time and check their blocks too.
. "$(dirname "$0")/common.sh"
BIN=$RBIN/fork_threads
[ -x "$BIN" ] || fail "$BIN not built (make test-build)"
need_preload
under_hak "$BIN" --forks "${FORKS:-100}" --threads 2 --timeout-ms 5000 >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out"; head -n 20 "$TMP/err"
[ $rc -eq 0 ] || fail "fork_threads exited $rc"
[ -z "$PRELOAD" ] || grep -q "^malloc from: .*$(basename "$PRELOAD")" "$TMP/out" || fail "malloc was not served by $PRELOAD"
grep -q '^hakmem: ' "$TMP/err" && fail "hakmem reported an error in a correct program"
ok "no deadlock, every child allocated"
