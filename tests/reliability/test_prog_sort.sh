#!/usr/bin/env bash
# sort (coreutils) on a file of one million generated lines, three ways
# (whole lines, by numeric then reverse keys, and with a 1 MiB buffer that
# forces temporary files and merges): identical output under hakmem and glibc.
. "$(dirname "$0")/common.sh"
need_preload
lines=${SORT_LINES:-1000000}
awk -v n="$lines" 'BEGIN { s = 7; for (i = 0; i < n; i++) {
  s = (s * 1103515245 + 12345) % 2147483648; printf "%08x %d line%d\n", s, s % 1000, i } }' >"$TMP/lines"
echo "input: $(wc -l <"$TMP/lines") lines, $(stat -c %s "$TMP/lines") bytes"
export LC_ALL=C
same_output sort_plain sort "$TMP/lines"
same_output sort_keys sort -k2,2n -k1,1r "$TMP/lines"
same_output sort_small_buffer sh -c "sort -S 1M -T . -u -k3,3 '$TMP/lines' | sha256sum"
[ "$(wc -l <"$TMP/sort_plain.hakmem.out")" -eq "$lines" ] || fail "sort lost lines"
count programs_run 1
count sort_jobs_compared 3
