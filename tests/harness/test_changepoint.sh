#!/usr/bin/env bash
# test_changepoint.sh: PELT change points on synthetic series
# (tests/harness/changepoint_test.c): a clean step at the right commit, none
# in pure noise, two in two steps.
. "$(dirname "$0")/../lib.sh"
need_hakbench
bin="$BUILD/tests/harness/changepoint_test"
[ -x "$bin" ] || die "$bin is not built (make test-build)"
"$bin" || failures=1
finish
