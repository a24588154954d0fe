#!/usr/bin/env bash
# The large page heap (allocator/README.md, "Large blocks"), with large.c:
#   - a steady malloc/free cycle of one size (and calloc, mixed sizes,
#     realloc) makes no memory system call (strace between the program's
#     markers) and takes no minor fault (the program checks);
#   - 4096 live 40 KiB blocks cost their pages in address space, a few
#     mappings and ~80 2 MiB chunks (not a mapping and a chunk each);
#   - freed pages stay committed, then decay (decommitted after a while, up
#     to 10 s waited), calloc hands out decommitted pages without writing
#     them, and a burst of frees keeps at most the 64 MiB dirty bound;
#     freed large pages go too while the program allocates only small
#     blocks (decay-small);
#   - calloc of recycled blocks is zero; realloc grows and shrinks in place;
#   - misuse of large pointers is reported, one line each, live blocks intact;
#   - a thread's cache of freed blocks up to 256 KiB: its own block comes
#     back to it and to no other thread, hak_collect() decommits it, a
#     double free by another thread is reported, its successor inherits it;
#     96 threads waiting with full caches add less RSS than they freed;
#   - threads exchanging large blocks (and a fork) under LD_PRELOAD, through
#     the hak_ API, and under ThreadSanitizer.
. "$(dirname "$0")/../lib.sh"
need "$TA/large-libc" "$TA/large-hak" "$TA/large-tsan" "$LIBHAKMEM"
command -v strace >/dev/null || { echo "strace is not installed"; exit 77; }

# Memory system calls between the markers of a strace -f output file.
between_markers() {
  awk '/hakmem-steady-begin/ { on = 1; next } /hakmem-steady-end/ { on = 0 }
       on && /^(\[pid +[0-9]+\] )?([0-9]+ +)?(mmap|munmap|mremap|madvise|brk|mprotect)\(/ { n++ }
       END { print n + 0 }' "$1"
}

for c in "malloc 40960" "malloc 204800" "malloc 1048576" "malloc 4194304" "malloc 25165824" \
         "malloc 33554432" "calloc 40960" "calloc 1048576" "calloc 25165824" "mixed 102400" \
         "mixed 3145728" "realloc 307200" "realloc 6291456"; do
  name="steady-${c// /-}"
  run_logged "$name" preload strace -f -qq -e trace=%memory,write -o "$TMP/$name.strace" \
    "$TA/large-libc" steady $c
  rc=$?
  [ $rc -eq 0 ] || fail "steady $c exited $rc"
  grep -q hakmem-steady-end "$TMP/$name.strace" || fail "steady $c: no end marker in strace's output"
  n=$(between_markers "$TMP/$name.strace")
  [ "$n" -eq 0 ] || { grep -A3 hakmem-steady-begin "$TMP/$name.strace" | head; fail "steady $c: $n memory system calls in 1000 rounds"; }
  echo "ok: steady $c: 0 memory system calls, 0 minor faults ($(sed -n 's/^steady [^:]*: //p' "$TMP/$name.log"))"
done

# expect_reports MODE: run large.c's MODE (with $how and prog set), which
# prints "expect-reports N"; exactly N hakmem reports of a bad pointer must
# be on its stderr, a double free reported as such among them. Sets got.
expect_reports() {
  local mode=$1 log="$TMP/large-$how-$1" rc want
  "${prog[@]}" "$mode" >"$log.out" 2>"$log.err"
  rc=$?
  cat "$log.out" "$log.err"
  [ $rc -eq 0 ] || fail "$mode ($how) exited $rc"
  want=$(sed -n 's/^expect-reports //p' "$log.out")
  got=$(grep -cE '^hakmem: (free|realloc|malloc_usable_size)\(\): (invalid pointer|double free) 0x' "$log.err")
  [ -n "$want" ] && [ "$got" -eq "$want" ] || fail "$mode ($how): $got reports on stderr, expected $want"
  grep -q '^hakmem: free(): double free ' "$log.err" || fail "$mode ($how): no double free reported as such"
}

for how in preload hak; do
  prog=("$TA/large-hak"); [ $how = preload ] && prog=(preload "$TA/large-libc")
  for mode in "aspace 4096" decay decay-small zero realloc; do
    run_logged "large-$how-${mode// /-}" "${prog[@]}" $mode
    rc=$?
    [ $rc -eq 0 ] || fail "$mode ($how) exited $rc"
    no_hakmem_errors "$TMP/large-$how-${mode// /-}.log"
  done
  expect_reports misuse
  echo "ok: misuse ($how): $got reports, live blocks intact"
  expect_reports cache
  echo "ok: cache ($how): a thread's freed blocks are its own, collected, handed on, bounded over 96 threads ($(sed -n 's/.*RSS grew by //p' "$TMP/large-$how-cache.out")); $got report (the double free)"
  run_logged "large-$how-threads" "${prog[@]}" threads 8 2
  rc=$?
  [ $rc -eq 0 ] || fail "threads ($how) exited $rc"
  no_hakmem_errors "$TMP/large-$how-threads.log"
done

run_logged large-tsan env TSAN_OPTIONS="halt_on_error=1 exitcode=66" timeout 120 "$TA/large-tsan" threads 8 2 4194304
rc=$?
[ $rc -eq 66 ] && fail "ThreadSanitizer reported a problem (exit 66, report above)"
[ $rc -eq 0 ] || fail "large-tsan exited $rc"
grep -q 'WARNING: ThreadSanitizer' "$TMP/large-tsan.log" && fail "ThreadSanitizer warning in the output"
echo "PASS: large blocks: no system call on steady cycles, pages for address space, decay, zeroed calloc, misuse reported, thread caches, threads"
