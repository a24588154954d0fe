# common.sh: helpers sourced by the tests/harness/test_*.sh scripts.
# Each test gets a scratch folder $TMP under $BUILD/tmp/harness/.
set -u
: "${HAKMEM_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=$HAKMEM_ROOT/build}"
cd "$HAKMEM_ROOT" || exit 1
HB="$BUILD/hakbench"
SHIMS="$BUILD/tests/harness"
TMP="$BUILD/tmp/harness/$(basename "$0" .sh)"
rm -rf "$TMP"
mkdir -p "$TMP"
failures=0

[ -x "$HB" ] || { echo "FAIL: $HB is not built (make all)"; exit 1; }

ok()   { echo "ok:   $*"; }
bad()  { echo "FAIL: $*"; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: the command must succeed.
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# expect_exit CODE PATTERN DESCRIPTION -- COMMAND...: exit status CODE and
# stderr matching the extended regex PATTERN.
expect_exit() {
  local code=$1 pat=$2 d=$3; shift 4
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ $rc -eq "$code" ] && grep -Eq -- "$pat" "$TMP/err"; then
    ok "$d: exit $rc, \"$(grep -Em1 -- "$pat" "$TMP/err" | cut -c1-110)\""
  else
    bad "$d: wanted exit $code and /$pat/, got exit $rc: $(head -c 300 "$TMP/err")"
  fi
}
# Field of results.json through the system python (json module only).
pyq() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); $2" "$1"; }
finish() { [ "$failures" -eq 0 ] && { echo "all checks passed"; exit 0; }; echo "$failures check(s) failed"; exit 1; }
