#!/usr/bin/env bash
# Debian's python3 (pymalloc + the C allocator: big dicts, lists, strings,
# json round trips, producer/consumer threads) prints the same digest and
# exits the same way under hakmem as under glibc.
. "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
[ -x $PY ] || fail "$PY missing (Debian package python3)"
need_preload
same_output python_workload $PY "$HAKMEM_ROOT/tests/reliability/python_workload.py"
grep -q '^threads ' "$TMP/python_workload.glibc.out" || fail "workload printed no digest"
count programs_run 1
