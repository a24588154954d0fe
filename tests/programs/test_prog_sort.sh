#!/usr/bin/env bash
# sort (coreutils) under hakmem and under glibc: identical output
#   on a file of one million generated lines, three ways (whole lines, by
#   numeric then reverse keys, and with a 1 MiB buffer that forces
#   temporary files and merges);
#   on 200000 lines with a 16 MiB buffer and 2 sorting threads (all lines kept).
. "$(dirname "$0")/../lib.sh"
need_preload
lines=${SORT_LINES:-1000000}
awk -v n="$lines" 'BEGIN { s = 7; for (i = 0; i < n; i++) {
  s = (s * 1103515245 + 12345) % 2147483648; printf "%08x %d line%d\n", s, s % 1000, i } }' >"$TMP/lines"
echo "input: $(wc -l <"$TMP/lines") lines, $(stat -c %s "$TMP/lines") bytes"
export LC_ALL=C
same_output sort_plain sort "$TMP/lines"
same_output sort_keys sort -k2,2n -k1,1r "$TMP/lines"
same_output sort_small_buffer sh -c "sort -S 1M -T . -u -k3,3 '$TMP/lines' | sha256sum"
[ "$(wc -l <"$TMP/sort_plain.hakmem.out")" -eq "$lines" ] || die "sort lost lines"

awk 'BEGIN { s = 12345; for (i = 0; i < 200000; i++) { s = (s * 1103515245 + 12345) % 2147483648;
       printf "%d line %d %x\n", s % 100000, i, s } }' >"$TMP/lines2"
same_output sort_parallel sort -S 16M --parallel=2 "$TMP/lines2"
n=$(wc -l <"$TMP/sort_parallel.hakmem.out")
[ "$n" -eq 200000 ] || die "sort --parallel=2 output has $n lines, want 200000"
count programs_run 1
count sort_jobs_compared 4
finish
