#!/usr/bin/env bash
# gcc -O2 -g compiling every C file of the project (allocator, workloads,
# harness, tests) under hakmem and under glibc: byte-identical object files.
# (gcc's own allocation-heavy passes run under the preloaded allocator; cc1
# is a child process, so LD_PRELOAD reaches it through the environment.)
. "$(dirname "$0")/../lib.sh"
need_preload
files=$(ls allocator/src/*.c workloads/*.c harness/*.c tests/*/*.c tests/fuzz/*.c 2>/dev/null)
[ -n "$files" ] || die "no C files found"
flags="-std=gnu11 -O2 -g -D_GNU_SOURCE -Iallocator/include -Iallocator/src -Iworkloads -Iharness -Itests/allocator -w"
n=0; same=0
for f in $files; do
  o=$(echo "$f" | tr / _).o
  gcc $flags -c "$f" -o "$TMP/g.$o" 2>/dev/null || continue   # a file needing other headers: skip it in both
  under_hak gcc $flags -c "$f" -o "$TMP/h.$o" 2>"$TMP/h.err" || { cat "$TMP/h.err"; die "gcc under hakmem failed on $f"; }
  grep -q '^hakmem: ' "$TMP/h.err" && die "hakmem error while compiling $f"
  cmp -s "$TMP/g.$o" "$TMP/h.$o" || die "$f: object file differs under hakmem"
  n=$((n + 1))
done
[ $n -ge 10 ] || die "only $n files compiled"
ok "$n C files compiled with gcc -O2 -g: identical object files"
count programs_run 1
count compilations_compared "$n"
finish
