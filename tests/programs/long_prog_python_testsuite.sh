#!/usr/bin/env bash
# Modules of Python's own test suite (Debian's libpython3.11-testsuite), run
# by /usr/bin/python3 -m unittest once on glibc and once under hakmem: for
# each module, the same exit status, the same number of tests run and the
# same final verdict (OK / FAILED, skips and failures counted).
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
[ -f /usr/lib/python3.11/test/test_dict.py ] ||
  die "Python's test suite missing (TEST_PACKAGES has libpython3.11-testsuite: run make test-deps)"
need_preload
modules="test_dict test_list test_set test_json test_bytes test_re test_collections test_deque
 test_sort test_gc test_weakref test_array test_struct test_mmap test_pickle test_queue test_threading"
n=0
for m in $modules; do
  # "Ran N tests in 0.261s" -> "Ran N tests"; the verdict line as is.
  same_output "$m" sh -c "$PY -m unittest test.$m 2>&1 | sed -nE 's/^(Ran [0-9]+ tests?) in .*/\\1/p; /^(OK|FAILED)/p'"
  grep -q '^Ran [0-9]' "$TMP/$m.glibc.out" || die "$m: no 'Ran N tests' line (did the module load?)"
  echo "   $m: $(tr '\n' ' ' <"$TMP/$m.hakmem.out")"
  n=$((n + 1))
done
ok "$n modules: same results under hakmem and glibc"
count programs_run 1
count python_test_modules_compared "$n"
finish
