#!/usr/bin/env bash
# gcc -O2 compiling the allocator's own sources under hakmem and under glibc:
# byte-identical object files and identical disassembly. (The long test
# long_prog_gcc.sh compiles every C file of the project, with -g.)
. "$(dirname "$0")/common.sh"
need_preload
files=$(ls allocator/src/*.c)
[ -n "$files" ] || fail "no allocator sources"
n=0
for f in $files; do
  o=$(basename "$f" .c).o
  gcc -std=gnu11 -O2 -D_GNU_SOURCE -Iallocator/include -Iallocator/src -c "$f" -o "$TMP/g.$o" || fail "gcc failed on $f"
  under_hak gcc -std=gnu11 -O2 -D_GNU_SOURCE -Iallocator/include -Iallocator/src -c "$f" -o "$TMP/h.$o" 2>"$TMP/h.err" ||
    { cat "$TMP/h.err"; fail "gcc under hakmem failed on $f"; }
  grep -q '^hakmem: ' "$TMP/h.err" && fail "hakmem error while compiling $f"
  cmp -s "$TMP/g.$o" "$TMP/h.$o" || { diff <(objdump -d "$TMP/g.$o") <(objdump -d "$TMP/h.$o") | head; fail "$f: object differs"; }
  n=$((n + 1))
done
ok "$n allocator sources: identical objects under hakmem and glibc"
count programs_run 1
count compilations_compared "$n"
