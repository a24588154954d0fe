#!/usr/bin/env bash
# gcc under hakmem and under glibc:
#   gcc -O2 compiling the allocator's own sources: byte-identical object
#   files (identical disassembly);
#   gcc -O2 on a generated 120-function file, linked under the preload too:
#   identical object file, and the program prints the same both ways.
# (The long test long_prog_gcc.sh compiles every C file of the project, with -g.)
. "$(dirname "$0")/../lib.sh"
need_preload
files=$(ls allocator/src/*.c)
[ -n "$files" ] || die "no allocator sources"
n=0
for f in $files; do
  o=$(basename "$f" .c).o
  gcc -std=gnu11 -O2 -D_GNU_SOURCE -Iallocator/include -Iallocator/src -c "$f" -o "$TMP/g.$o" || die "gcc failed on $f"
  under_hak gcc -std=gnu11 -O2 -D_GNU_SOURCE -Iallocator/include -Iallocator/src -c "$f" -o "$TMP/h.$o" 2>"$TMP/h.err" ||
    { cat "$TMP/h.err"; die "gcc under hakmem failed on $f"; }
  grep -q '^hakmem: ' "$TMP/h.err" && die "hakmem error while compiling $f"
  cmp -s "$TMP/g.$o" "$TMP/h.$o" || { diff <(objdump -d "$TMP/g.$o") <(objdump -d "$TMP/h.$o") | head; die "$f: object differs"; }
  n=$((n + 1))
done
ok "$n allocator sources: identical objects under hakmem and glibc"

# A generated C file big enough to make gcc allocate: many functions and a table.
{
  echo '#include <stdio.h>'
  for i in $(seq 1 120); do
    echo "static long f$i(long x) { long s = 0; for (long k = 0; k < x % 17 + $i; k++) s += (k * $i) ^ (s >> 3); return s; }"
  done
  echo 'static long (*const fns[])(long) = {'
  for i in $(seq 1 120); do echo "  f$i,"; done
  echo '};'
  echo 'int main(void) { long t = 0; for (unsigned i = 0; i < sizeof fns / sizeof *fns; i++) t += fns[i](i); printf("%ld\n", t); return 0; }'
} >"$TMP/prog.c"
gcc -O2 -c "$TMP/prog.c" -o "$TMP/plain.o" || die "gcc without preload failed"
under_hak gcc -O2 -c "$TMP/prog.c" -o "$TMP/hak.o" 2>"$TMP/gcc.err" || { cat "$TMP/gcc.err"; die "gcc under LD_PRELOAD failed"; }
no_hakmem_errors "$TMP/gcc.err"
cmp -s "$TMP/plain.o" "$TMP/hak.o" || die "gcc produced a different object file under LD_PRELOAD"
under_hak gcc "$TMP/hak.o" -o "$TMP/prog" 2>"$TMP/ld.err" || { cat "$TMP/ld.err"; die "linking under LD_PRELOAD failed"; }
a=$("$TMP/prog") && b=$(under_hak "$TMP/prog") && [ "$a" = "$b" ] || die "compiled program output differs or it failed"
ok "gcc -O2 on a 120-function file: identical object file; program prints $a both ways"
count programs_run 1
count compilations_compared "$((n + 1))"
finish
