#!/usr/bin/env bash
# A bounded libFuzzer run (clang -fsanitize=fuzzer,address) of
# tests/fuzz/fuzz_hak.c over the hak_ API: sequences of malloc, calloc,
# realloc, reallocarray, memalign, posix_memalign, aligned_alloc and free
# with sizes and alignments from the input, checking contents, zeroing,
# alignment, hak_owns and the usable-size bound. Starts from the committed
# corpus tests/fuzz/corpus/ (every seed is replayed first), then mutates for
# FUZZ_RUNS inputs (default 20000) or FUZZ_SECONDS (default 15), whichever
# comes first. New inputs go to scratch, not the tree.
# The allocator's state carries over from one input to the next (its caches),
# so a failing input may only fail after the ones before it: replay the run.
. "$(dirname "$0")/../lib.sh"
BIN=$BUILD/tests/fuzz/fuzz_hak
[ -x "$BIN" ] || die "$BIN not built (make test-build)"
seeds=$(ls tests/fuzz/corpus | wc -l)
[ "$seeds" -gt 0 ] || die "tests/fuzz/corpus/ is empty"
# libFuzzer writes new inputs into the first corpus directory: give it
# scratch copies only, so the committed corpus is never touched.
mkdir -p "$TMP/new" && cp -r tests/fuzz/corpus "$TMP/seeds"
runs=${FUZZ_RUNS:-20000}
secs=${FUZZ_SECONDS:-15}
min_runs=${FUZZ_MIN_RUNS:-1000}
timeout $((secs + 60)) "$BIN" -runs="$runs" -max_total_time="$secs" -max_len=2048 -timeout=20 \
  -rss_limit_mb=2048 -seed=1 -print_final_stats=1 -artifact_prefix="$TMP/" "$TMP/new" "$TMP/seeds" >"$TMP/log" 2>&1
rc=$?
grep -E '^(INFO: seed corpus|#[0-9]+ *(INITED|DONE))|stat::number_of_executed_units' "$TMP/log"
if [ $rc -ne 0 ]; then
  grep -E 'fuzz_hak:|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY' "$TMP/log" | head -n 10
  ls "$TMP"/crash-* "$TMP"/timeout-* "$TMP"/oom-* 2>/dev/null | head -n 3
  die "fuzz_hak exited $rc (log: $TMP/log; failing input: $TMP/crash-*; replay: $BIN FILE)"
fi
done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/log")
# On a loaded machine the time limit may end the run first: still require
# a meaningful number of executions beyond the seed replay.
[ "${done_runs:-0}" -ge "$min_runs" ] || die "only ${done_runs:-0} executions ran in ${secs}s (at least $min_runs needed)"
ok "$done_runs executions from $seeds seeds, no failed check, no ASan report"
count fuzz_executions "$done_runs"
finish
