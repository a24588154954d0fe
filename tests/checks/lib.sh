# tests/checks/lib.sh: shared helpers of the check programs' tests (sourced
# by tests/checks/test_*.sh, run from the repository root with BUILD set, as
# tests/run.sh does).
set -u
BUILD=${BUILD:-$PWD/build}
CK=$BUILD/checks
CLASSIFY=$PWD/workloads/checks/classify.sh
TMP=$BUILD/tmp/checks
mkdir -p "$TMP"
LIBDIR=/usr/lib/x86_64-linux-gnu

fail() { echo "FAIL: $*"; FAILED=1; }
ok() { echo "ok: $*"; }
FAILED=0
MISSING=()

for p in conform_sizes conform_align conform_fork conform_threads conform_cxx \
         misuse_free misuse_overflow misuse_uaf misuse_cxx; do
  [ -x "$CK/$p" ] || { echo "FAIL: $CK/$p is not built (run make)"; exit 1; }
done

# alloc_path NAME: the library classify.sh preloads for NAME ("" for glibc).
alloc_path() {
  case $1 in
    glibc) echo "" ;;
    jemalloc) echo "$LIBDIR/libjemalloc.so.2" ;;
    mimalloc) echo "$LIBDIR/libmimalloc.so.2" ;;
    tcmalloc) echo "$LIBDIR/libtcmalloc_minimal.so.4" ;;
    *) echo "$1" ;;
  esac
}

# expect_cells ALLOC TIMEOUT CELL=CLASS...: classify the cells under ALLOC in
# one classify.sh run; each must get its class. A missing library is noted
# (the script ends with skip_if_missing).
expect_cells() {
  local alloc=$1 to=$2; shift 2
  local lib; lib=$(alloc_path "$alloc")
  if [ -n "$lib" ] && [ ! -r "$lib" ]; then MISSING+=("$alloc ($lib)"); return; fi
  local re= c
  for c in "$@"; do re+="${re:+|}${c%=*}"; done
  "$CLASSIFY" --tsv --timeout "$to" --only "^($re)\$" "$alloc" >"$TMP/got.tsv" 2>"$TMP/got.err"
  for c in "$@"; do
    local cell=${c%=*} want=${c#*=} line
    line=$(awk -F'\t' -v c="$cell" '$1 == c' "$TMP/got.tsv")
    if [ -z "$line" ]; then fail "$cell under $alloc: not run"; continue; fi
    local got; got=$(cut -f2 <<<"$line")
    if [ "$got" = "$want" ]; then ok "$cell under $alloc: $got"
    else fail "$cell under $alloc: $got, expected $want ($(cut -f3 <<<"$line"))"; fi
  done
}

# The end of every script: fail, skip (a library was missing), or pass.
finish() {
  [ $FAILED -eq 0 ] || exit 1
  if [ ${#MISSING[@]} -gt 0 ]; then
    echo "skip: missing allocator(s): ${MISSING[*]} (apt-get install -y libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4)"
    exit 77
  fi
  exit 0
}
