#!/usr/bin/env bash
# The libFuzzer target (tests/fuzz/fuzz_hak.c) for a bounded time
# (FUZZ_SECONDS, default 240) from the committed corpus, then -merge=1 of the
# committed corpus and what the run found into a minimized set in
# $BUILD/tmp/fuzz/long_fuzz/merged; `make fuzz-corpus-update` puts
# that in tests/fuzz/corpus/ (hand-written seed-* inputs kept) to be committed. Fails on any failed check,
# ASan report, timeout (20 s per input) or out-of-memory (2 GiB).
. "$(dirname "$0")/../lib.sh"
BIN=$BUILD/tests/fuzz/fuzz_hak
[ -x "$BIN" ] || die "$BIN not built (make test-build)"
secs=${FUZZ_SECONDS:-240}
mkdir -p "$TMP/found" "$TMP/merged" && cp -r tests/fuzz/corpus "$TMP/seeds"   # the tree is never written
timeout $((secs + 120)) "$BIN" -max_total_time="$secs" -max_len=2048 -timeout=20 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$TMP/" "$TMP/found" "$TMP/seeds" >"$TMP/log" 2>&1
rc=$?
grep -E '^#[0-9]+ *(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss' "$TMP/log"
if [ $rc -ne 0 ]; then
  grep -E 'fuzz_hak:|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY' "$TMP/log" | head -n 10
  die "fuzz_hak exited $rc (log: $TMP/log; input: $(ls "$TMP"/crash-* "$TMP"/timeout-* "$TMP"/oom-* 2>/dev/null | head -n 1))"
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/log")
"$BIN" -merge=1 -max_len=2048 "$TMP/merged" tests/fuzz/corpus "$TMP/found" >"$TMP/merge.log" 2>&1 ||
  { tail -n 5 "$TMP/merge.log"; die "corpus merge failed"; }
grep 'MERGE-OUTER: [0-9]* new files' "$TMP/merge.log"
ok "$runs executions in ${secs}s; minimized corpus: $(ls "$TMP/merged" | wc -l) inputs (committed: $(ls tests/fuzz/corpus | wc -l))"
count fuzz_executions "$runs"
finish
