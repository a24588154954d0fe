#!/usr/bin/env bash
# Invalid frees, double frees and reallocs of bad pointers under hakmem
# (issue 11: double frees of every tier and thread, interior pointers and the
# SuperSlab header are detected in the default mode):
# each is reported on stderr with the pointer's address, ignored, and every
# other live block keeps its contents (bad_free.c checks 248 blocks and that
# none overlap); with HAKMEM_ABORT_ON_ERROR=1 the same report ends in SIGABRT.
# Every case of the table below is detected in both modes, the default and
# HAKMEM_CHECK=1 (each runs in both); it follows allocator/README.md.
. "$(dirname "$0")/../lib.sh"
BIN=$TA/bad_free
[ -x "$BIN" ] || fail "$BIN not built (make test-build)"
need_preload

# mode | stderr line expected (extended regex, before the address)
cases='
stack               | hakmem: free\(\): invalid pointer
mmap                | hakmem: free\(\): invalid pointer
mmap-interior       | hakmem: free\(\): invalid pointer
unmapped            | hakmem: free\(\): invalid pointer
foreign             | hakmem: free\(\): invalid pointer
unaligned           | hakmem: free\(\): invalid pointer
interior-large      | hakmem: free\(\): invalid pointer
double-large        | hakmem: free\(\): (double free|invalid pointer)
realloc-stack       | hakmem: realloc\(\): invalid pointer
realloc-interior    | hakmem: realloc\(\): invalid pointer
realloc-freed-large | hakmem: realloc\(\): (invalid pointer|double free)
interior-small      | hakmem: free\(\): invalid pointer
superslab-base      | hakmem: free\(\): invalid pointer
uncarved            | hakmem: free\(\): invalid pointer
unused-slot         | hakmem: free\(\): invalid pointer
double-small        | hakmem: free\(\): double free
double-medium       | hakmem: free\(\): double free
double-cross        | hakmem: free\(\): double free
double-cross-rev    | hakmem: free\(\): double free
double-delayed      | hakmem: free\(\): double free
realloc-freed-small | hakmem: realloc\(\): pointer already freed
'
tried=0
# run_case MODE ENV REGEX EXPECT_ABORT
run_case() {
  local mode=$1 env=$2 re=$3 want_abort=$4 rc out err addr got
  out=$TMP/$mode.$want_abort.out; err=$TMP/$mode.$want_abort.err
  local envs=()
  [ "$env" != "-" ] && envs+=("$env")
  [ "$want_abort" = 1 ] && envs+=(HAKMEM_ABORT_ON_ERROR=1)
  env "${envs[@]}" bash -c 'if [ -n "$0" ]; then export LD_PRELOAD=$0; fi; exec "$@"' "$PRELOAD" "$BIN" "$mode" >"$out" 2>"$err"
  rc=$?
  tried=$((tried + 1))
  addr=$(sed -n 's/^bad pointer: 0x\([0-9a-f]*\)$/\1/p' "$out")
  [ -n "$addr" ] || { cat "$out" "$err"; fail "$mode: the program did not get to the bad operation (exit $rc)"; }
  got=$(grep -E "^$re 0x[0-9a-fA-F]+" "$err" | head -n 1)
  [ -n "$got" ] || { echo "stderr:"; head -n 5 "$err"; echo "stdout:"; tail -n 3 "$out"; fail "$mode (${envs[*]:-default}): no stderr line matching '$re 0x...' (exit $rc)"; }
  local shown
  shown=$(sed -E 's/.* 0x([0-9a-fA-F]+).*/\1/' <<<"$got")
  [ $((16#$shown)) -eq $((16#$addr)) ] || fail "$mode: report names 0x$shown, the bad pointer was 0x$addr"
  if [ "$want_abort" = 1 ]; then
    [ $rc -eq 134 ] || fail "$mode with HAKMEM_ABORT_ON_ERROR=1: exit $rc, expected SIGABRT (134)"
    ok "$mode (${envs[*]}): '$got', then SIGABRT"
    return
  fi
  [ $rc -eq 0 ] || { tail -n 5 "$out"; fail "$mode (${envs[*]:-default}): exit $rc after the report (3 = live blocks damaged)"; }
  grep -q '^ok: .* live blocks intact and distinct' "$out" || fail "$mode: no confirmation that live blocks are intact"
  if [[ $mode == realloc-* ]]; then
    grep -qx 'realloc returned NULL, errno EINVAL' "$out" || fail "$mode: $(grep '^realloc returned' "$out"), expected NULL with EINVAL"
  fi
  if [ "$mode" = foreign ]; then
    grep -q 'another allocator' "$out" || fail "foreign: libc's malloc was not a different allocator (no preload?)"
  fi
  ok "$mode (${envs[*]:-default}): '$got'; $(grep -c . <<<"$(grep '^realloc returned' "$out")") realloc line(s); $(sed -n 's/^ok: \([0-9]*\) live.*/\1/p' "$out") live blocks intact"
}

# Every case in both modes: the default and HAKMEM_CHECK=1 report the same.
while IFS='|' read -r mode re; do  # re keeps any further '|' (read puts the rest in the last name)
  mode=$(echo $mode); re=$(sed 's/^ *//; s/ *$//' <<<"$re")
  [ -n "$mode" ] || continue
  run_case "$mode" - "$re" 0
  run_case "$mode" HAKMEM_CHECK=1 "$re" 0
done <<<"$cases"

# The same reports end the process when asked to.
for m in stack double-large realloc-stack; do
  line=$(grep "^$m " <<<"$cases")
  run_case "$m" - "$(cut -d'|' -f2- <<<"$line" | sed 's/^ *//; s/ *$//')" 1
done
run_case double-small HAKMEM_CHECK=1 'hakmem: free\(\): double free' 1
run_case double-small - 'hakmem: free\(\): double free' 1
run_case double-cross - 'hakmem: free\(\): double free' 1

# Heap corruption stops the process (SIGABRT, "heap corruption detected"),
# with or without HAKMEM_CHECK (which used to crash on a clobbered link):
# a free list link overwritten after its block was freed, when it is
# followed; a small block's end mark, overwritten by an overflow of the
# block or an underflow of the one after it, at free; a large block's
# canary, overwritten the same way, at free or realloc; the free key of
# a large block on the quick list, overwritten after its free, when the
# block is handed out again. A large block's report names it.
corrupt_cases='
clobbered-link         | free list
overflow-small         | free\(\): block end
overflow-small-exact   | free\(\): block end
underflow-small        | free\(\): block end
overflow-large         | free\(\): a large block.s canary
underflow-large        | free\(\): a large block.s canary
realloc-overflow-large | realloc\(\): a large block.s canary
clobbered-large        | a freed large block
'
if [ -n "$PRELOAD" ]; then
  while IFS='|' read -r mode re; do
    mode=$(echo $mode); re=$(sed 's/^ *//; s/ *$//' <<<"$re")
    [ -n "$mode" ] || continue
    for env in - HAKMEM_CHECK=1; do
      envs=(); [ "$env" != - ] && envs=("$env")
      env "${envs[@]}" LD_PRELOAD="$PRELOAD" "$BIN" "$mode" >"$TMP/$mode.out" 2>"$TMP/$mode.err"
      rc=$?
      tried=$((tried + 1))
      addr=$(sed -n 's/^bad pointer: \(0x[0-9a-f]*\)$/\1/p' "$TMP/$mode.out")
      [ $rc -eq 134 ] || { cat "$TMP/$mode.out" "$TMP/$mode.err"; fail "$mode ($env): exit $rc, want SIGABRT (134)"; }
      # (a clobbered link names what it read, not the block)
      at=" at $addr\$"; [ "$mode" = clobbered-link ] && at=
      grep -qE "^hakmem: heap corruption detected in $re.*$at" "$TMP/$mode.err" ||
        { cat "$TMP/$mode.out" "$TMP/$mode.err"; fail "$mode ($env): no 'heap corruption detected in $re ...$at' report"; }
      ok "$mode ($env): $(head -n 1 "$TMP/$mode.err"), then SIGABRT"
    done
  done <<<"$corrupt_cases"
  # realloc of an over-aligned large block under HAKMEM_CHECK=1 (it read
  # user data as a SuperSlab header and crashed at c7c085b): not misuse.
  HAKMEM_CHECK=1 LD_PRELOAD="$PRELOAD" "$BIN" realloc-aligned >"$TMP/ra.out" 2>"$TMP/ra.err" ||
    { cat "$TMP/ra.out" "$TMP/ra.err"; fail "realloc-aligned under HAKMEM_CHECK=1: exit $?"; }
  grep -q '^hakmem: ' "$TMP/ra.err" && { cat "$TMP/ra.err"; fail "realloc-aligned: hakmem reported an error"; }
  ok "realloc(memalign(65536, 100), 5000) under HAKMEM_CHECK=1 keeps the data, no report"
fi

# Bad usage of the test program itself.
"$BIN" no-such-mode >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad_free with an unknown mode exited $rc, expected 2"
count bad_inputs_tried "$tried"
