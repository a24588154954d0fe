#!/usr/bin/env bash
# test_changepoint.sh: PELT change points on synthetic series
# (tests/harness/changepoint_test.c): a clean step at the right commit, none
# in pure noise, two in two steps.
source "$(dirname "$0")/common.sh"
bin="$BUILD/tests/harness/changepoint_test"
[ -x "$bin" ] || { echo "FAIL: $bin is not built (make test-build)"; exit 1; }
"$bin" || failures=1
finish
