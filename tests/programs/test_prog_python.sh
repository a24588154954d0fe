#!/usr/bin/env bash
# Debian's python3 under hakmem and under glibc: the preload really maps
# libhakmem.so into python3; `python3 -c 'print(1)'` (the python3 first on
# PATH) prints 1; real_python.py (large dicts, lists, strings) and
# python_workload.py (pymalloc + the C allocator: big dicts, lists, strings,
# json round trips, producer/consumer threads) print the same and exit the
# same way under hakmem as under glibc, with no hakmem error.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
[ -x $PY ] || die "$PY missing (Debian package python3)"
need_preload
if [ -n "$PRELOAD" ]; then
  lib=$(basename "$PRELOAD")
  n=$(under_hak $PY -c "print(open('/proc/self/maps').read().count('$lib'))") || die "python3 under LD_PRELOAD failed"
  [ "${n:-0}" -gt 0 ] || die "$lib not mapped in the preloaded python3"
  ok "$lib is mapped in the preloaded python3 ($n mappings)"
fi
out=$(under_hak python3 -c 'print(1)' 2>"$TMP/print1.err")
[ "$out" = 1 ] || { cat "$TMP/print1.err"; die "LD_PRELOAD=... python3 -c 'print(1)' printed '$out'"; }
no_hakmem_errors "$TMP/print1.err"
ok "LD_PRELOAD=$PRELOAD python3 -c 'print(1)' printed 1"
same_output real_python $PY "$HAKMEM_ROOT/tests/programs/real_python.py"
same_output python_workload $PY "$HAKMEM_ROOT/tests/programs/python_workload.py"
grep -q '^threads ' "$TMP/python_workload.glibc.out" || die "workload printed no digest"
count programs_run 1
finish
