#!/usr/bin/env bash
# Thread churn under hakmem: 4000 short-lived threads (8 at a time) each
# allocate 128 blocks (16 B..128 KiB), free half and hand half to 2
# long-lived keeper threads that check and free them. Passes when no block
# is corrupted, peak RSS stays under 128 MiB (about 200 MiB pass through the
# allocator in total), and RSS at the end is at most 64 MiB above RSS after
# the first quarter of the threads (so exited threads' memory is reused, not
# leaked: hakmem's stated cache bound is 64 MiB).
. "$(dirname "$0")/common.sh"
BIN=$RBIN/thread_churn
[ -x "$BIN" ] || fail "$BIN not built (make test-build)"
need_preload
under_hak "$BIN" --threads "${CHURN_THREADS:-4000}" --concurrent 8 --keepers 2 --blocks 128 \
  --max-rss-mib 128 --max-growth-mib 64 >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out"; head -n 20 "$TMP/err"
[ $rc -eq 0 ] || fail "thread_churn exited $rc (1: memory bound, 3: corrupted block, >128: signal)"
[ -z "$PRELOAD" ] || grep -q "^malloc from: .*$(basename "$PRELOAD")" "$TMP/out" || fail "malloc was not served by $PRELOAD"
grep -q '^hakmem: ' "$TMP/err" && fail "hakmem reported an error in a correct program"
ok "thread churn bounded and intact"
