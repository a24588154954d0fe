# tests/allocator/lib.sh: sourced by the allocator test scripts.
# Sets TA (the test binaries), LIBHAKMEM, TMP (scratch), and defines
#   preload CMD...      run CMD under LD_PRELOAD=$LIBHAKMEM
#   need FILE...        build FILE with make if it is missing; fail if it cannot be
#   fail MSG            print "FAIL: MSG" and exit 1
#   run_logged NAME CMD run CMD, its stdout+stderr shown and kept in $TMP/NAME.log;
#                       returns CMD's status
#   no_hakmem_errors F  fail when log F has a "hakmem: " error line
set -u
: "${HAKMEM_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=$HAKMEM_ROOT/build}"
cd "$HAKMEM_ROOT" || exit 1
TA=$BUILD/tests/allocator
# HAKTEST_PRELOAD=/path/lib.so runs the preload tests against another
# allocator (to check the tests themselves, e.g. on jemalloc); the programs'
# dladdr check is then relaxed with HAKTEST_ANY_MALLOC=1. Not for make test.
LIBHAKMEM=${HAKTEST_PRELOAD:-$BUILD/libhakmem.so}
TMP=$BUILD/tmp/allocator
mkdir -p "$TMP"

fail() { echo "FAIL: $*"; exit 1; }

need() {
  local f
  for f in "$@"; do
    [ -e "$f" ] && continue
    make --no-print-directory -s "$(realpath -m --relative-to="$HAKMEM_ROOT" "$f")" >&2 ||
      fail "cannot build $f"
    [ -e "$f" ] || fail "$f is still missing after make"
  done
}

preload() {
  if [ -n "${HAKTEST_PRELOAD:-}" ]; then
    env HAKTEST_ANY_MALLOC=1 LD_PRELOAD="$LIBHAKMEM" "$@"
  else
    env -u HAKTEST_ANY_MALLOC LD_PRELOAD="$LIBHAKMEM" "$@"
  fi
}

run_logged() {
  local name=$1; shift
  "$@" >"$TMP/$name.log" 2>&1
  local rc=$?
  cat "$TMP/$name.log"
  return $rc
}

no_hakmem_errors() {
  if grep -q '^hakmem: ' "$1"; then
    grep '^hakmem: ' "$1" | head -5
    fail "hakmem reported errors (above) in a run that should have none"
  fi
}
