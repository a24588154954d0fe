# tests/reliability/common.sh: sourced by every reliability test.
#
# Provides:
#   PRELOAD      the allocator under test: $BUILD/libhakmem.so by default.
#                Set HAK_PRELOAD= (empty) to run every check against glibc
#                alone; that is how these tests were first shown to run.
#   TMP          a fresh scratch directory under $BUILD/tmp/reliability/
#   RBIN         where tests/reliability/build.mk puts its binaries
#   need_preload check that the library exists and really gets preloaded
#   under_hak    run a command with the allocator preloaded
#   same_output  run a job with and without the preload, compare stdout+status
#   count        print a "COUNT name=value" line (collected for the report)
set -u
: "${HAKMEM_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=$HAKMEM_ROOT/build}"
cd "$HAKMEM_ROOT" || exit 1
PRELOAD=${HAK_PRELOAD-$BUILD/libhakmem.so}
RBIN=$BUILD/tests/reliability
TEST_NAME=$(basename "$0" .sh)
TMP=$BUILD/tmp/reliability/$TEST_NAME
rm -rf "$TMP" && mkdir -p "$TMP"

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
count() { echo "COUNT $1=$2"; }

# A library that cannot be preloaded is only warned about by ld.so, and the
# program then runs on glibc: every comparison would pass for nothing. So
# check that the library shows up in a preloaded process's own memory map.
need_preload() {
  if [ -z "$PRELOAD" ]; then
    echo "note: HAK_PRELOAD is empty: checking glibc against itself"
    return 0
  fi
  [ -f "$PRELOAD" ] || fail "$PRELOAD does not exist (run make)"
  LD_PRELOAD=$PRELOAD cat /proc/self/maps 2>"$TMP/preload.err" | grep -q "$(basename "$PRELOAD")" \
    || fail "LD_PRELOAD=$PRELOAD does not load: $(cat "$TMP/preload.err")"
  echo "preloading $PRELOAD"
}

under_hak() {
  if [ -n "$PRELOAD" ]; then LD_PRELOAD=$PRELOAD "$@"; else "$@"; fi
}

# same_output NAME CMD...: run CMD once on glibc and once under the preload,
# each in its own directory ($TMP/glibc, $TMP/hakmem, which CMD may use as
# its working directory), and compare exit status and stdout.
same_output() {
  local name=$1; shift
  local d rc_g rc_h
  for d in glibc hakmem; do rm -rf "${TMP:?}/$d"; mkdir -p "$TMP/$d"; done
  (cd "$TMP/glibc" && "$@") >"$TMP/$name.glibc.out" 2>"$TMP/$name.glibc.err"; rc_g=$?
  (cd "$TMP/hakmem" && under_hak "$@") >"$TMP/$name.hakmem.out" 2>"$TMP/$name.hakmem.err"; rc_h=$?
  if [ "$rc_g" != "$rc_h" ]; then
    echo "--- stderr under hakmem:"; tail -n 20 "$TMP/$name.hakmem.err"
    fail "$name: exit status $rc_h under hakmem, $rc_g under glibc"
  fi
  if ! cmp -s "$TMP/$name.glibc.out" "$TMP/$name.hakmem.out"; then
    diff "$TMP/$name.glibc.out" "$TMP/$name.hakmem.out" | head -n 20
    echo "--- stderr under hakmem:"; tail -n 20 "$TMP/$name.hakmem.err"
    fail "$name: stdout differs between glibc and hakmem"
  fi
  ok "$name: same exit status ($rc_g) and same stdout ($(wc -l <"$TMP/$name.glibc.out") lines, sha256 $(sha256sum <"$TMP/$name.glibc.out" | cut -c1-16))"
}
