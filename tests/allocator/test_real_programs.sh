#!/usr/bin/env bash
# Real programs under LD_PRELOAD=libhakmem.so give the same output as without:
#   /usr/bin/python3 running real_python.py (large dicts, lists, strings)
#   gcc -O2 compiling a generated C file (same object file, same program output)
#   sort of a generated 200k-line file (same sorted output)
# and `python3 -c 'print(1)'` (the python3 first on PATH) prints 1.
# Each preloaded run must also really load libhakmem.so and report no error.
. "$(dirname "$0")/lib.sh"
need "$LIBHAKMEM"
P="$LIBHAKMEM"
T=$TMP/real
rm -rf "$T"; mkdir -p "$T"

# The preload must really be in the process: look at its own maps.
lib=$(basename "$P")
n=$(preload /usr/bin/python3 -c "print(open('/proc/self/maps').read().count('$lib'))") ||
  fail "python3 under LD_PRELOAD failed"
[ "${n:-0}" -gt 0 ] || fail "$lib not mapped in the preloaded python3"
echo "ok: $lib is mapped in the preloaded python3 ($n mappings)"

out=$(preload python3 -c 'print(1)' 2>"$T/print1.err")
[ "$out" = 1 ] || { cat "$T/print1.err"; fail "LD_PRELOAD=... python3 -c 'print(1)' printed '$out'"; }
no_hakmem_errors "$T/print1.err"
echo "ok: LD_PRELOAD=libhakmem.so python3 -c 'print(1)' printed 1"

/usr/bin/python3 tests/allocator/real_python.py >"$T/py.plain" || fail "python3 without preload failed"
preload /usr/bin/python3 tests/allocator/real_python.py >"$T/py.hak" 2>"$T/py.err" ||
  { cat "$T/py.err"; fail "python3 under LD_PRELOAD failed"; }
no_hakmem_errors "$T/py.err"
cmp -s "$T/py.plain" "$T/py.hak" || { diff "$T/py.plain" "$T/py.hak"; fail "python3 output differs"; }
echo "ok: python3 real_python.py same output: $(cat "$T/py.hak")"

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
} >"$T/prog.c"
gcc -O2 -c "$T/prog.c" -o "$T/plain.o" || fail "gcc without preload failed"
preload gcc -O2 -c "$T/prog.c" -o "$T/hak.o" 2>"$T/gcc.err" || { cat "$T/gcc.err"; fail "gcc under LD_PRELOAD failed"; }
no_hakmem_errors "$T/gcc.err"
cmp -s "$T/plain.o" "$T/hak.o" || fail "gcc produced a different object file under LD_PRELOAD"
preload gcc "$T/hak.o" -o "$T/prog" 2>"$T/ld.err" || { cat "$T/ld.err"; fail "linking under LD_PRELOAD failed"; }
a=$("$T/prog") && b=$(preload "$T/prog") && [ "$a" = "$b" ] || fail "compiled program output differs or it failed"
echo "ok: gcc -O2 on a 120-function file: identical object file; program prints $a both ways"

awk 'BEGIN { s = 12345; for (i = 0; i < 200000; i++) { s = (s * 1103515245 + 12345) % 2147483648;
       printf "%d line %d %x\n", s % 100000, i, s } }' >"$T/lines.txt"
LC_ALL=C sort -S 16M --parallel=2 "$T/lines.txt" >"$T/sort.plain" || fail "sort without preload failed"
preload env LC_ALL=C sort -S 16M --parallel=2 "$T/lines.txt" >"$T/sort.hak" 2>"$T/sort.err" ||
  { cat "$T/sort.err"; fail "sort under LD_PRELOAD failed"; }
no_hakmem_errors "$T/sort.err"
cmp -s "$T/sort.plain" "$T/sort.hak" || fail "sort output differs under LD_PRELOAD"
lines=$(wc -l <"$T/sort.hak")
[ "$lines" -eq 200000 ] || fail "sort output has $lines lines, want 200000"
echo "ok: sort of 200000 lines: identical output ($(sha256sum <"$T/sort.hak" | cut -c1-16))"
echo "PASS: python3, gcc and sort give the same output under LD_PRELOAD=libhakmem.so"
