# tests/lib.sh: the one helper library of every test script. A script
# starts with
#     . "$(dirname "$0")/../lib.sh"
# (then need_workloads, need_checks or need_hakbench where it uses those
# parts) and ends with `finish`. tests/run.sh runs it from the repository
# root with HAKMEM_ROOT and BUILD set; it also runs alone (bash tests/AREA/X.sh).
#
# Verdicts, one meaning everywhere:
#   ok MSG          "ok: MSG"
#   fail MSG        "FAIL: MSG", counted; the script goes on to its next check
#   die MSG         "FAIL: MSG" and exit 1 now: nothing after it can mean
#                   anything (a program missing, a run whose output the rest reads)
#   check DESC CMD... run CMD: ok DESC when it succeeds, else fail DESC
#   skip MSG        "skip: MSG" and exit 77 (a tool or library is missing)
#   finish          the last line: exit 1 if any check failed, else 0
# A script that ends any other way still exits 1 after a counted failure.
#   at_exit CMD     run CMD (a string for eval) when the script exits, however
#                   it exits (stop a server it started); use it, not `trap`.
#
# Set for every script:
#   HAKMEM_ROOT, BUILD   the repository and its build/ (the working directory is the root)
#   AREA, TEST_NAME      tests/AREA/TEST_NAME.sh
#   TMP                  a fresh scratch folder, build/tmp/AREA/TEST_NAME
#   LIBHAKMEM            the library the allocator's preload tests load:
#                        build/libhakmem.so, or HAKTEST_PRELOAD=/path/lib.so to
#                        check those tests themselves against another malloc
#                        (the programs' dladdr check is then relaxed)
#   PRELOAD              the library the real-program tests compare with glibc:
#                        build/libhakmem.so; HAK_PRELOAD= (empty) runs them on
#                        glibc alone, how each was first shown to run
set -u
: "${HAKMEM_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${BUILD:=$HAKMEM_ROOT/build}"
export HAKMEM_ROOT BUILD
cd "$HAKMEM_ROOT" || exit 1
AREA=$(basename "$(dirname "$0")")
TEST_NAME=$(basename "$0" .sh)
TMP=$BUILD/tmp/$AREA/$TEST_NAME
rm -rf "$TMP" && mkdir -p "$TMP"
LIBHAKMEM=${HAKTEST_PRELOAD:-$BUILD/libhakmem.so}
PRELOAD=${HAK_PRELOAD-$BUILD/libhakmem.so}
TA=$BUILD/tests/allocator
PY=$(command -v python3 || command -v /usr/bin/python3 || true)

# ---- verdicts -------------------------------------------------------------
FAILURES=0
ok()   { echo "ok: $*"; }
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
die()  { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); exit 1; }
skip() { echo "skip: $*"; exit 77; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
finish() {
  if [ "$FAILURES" -eq 0 ]; then echo "all checks passed"; exit 0; fi
  echo "$FAILURES check(s) failed"; exit 1
}
AT_EXIT=()
at_exit() { AT_EXIT+=("$1"); }
_lib_exit() {
  local rc=$? c
  for c in "${AT_EXIT[@]}"; do eval "$c"; done
  [ "$rc" -eq 0 ] && [ "$FAILURES" -gt 0 ] && exit 1
  exit "$rc"
}
trap _lib_exit EXIT
# count NAME VALUE: a greppable "COUNT NAME=VALUE" line for the logs
# (grep -h '^COUNT' build/test-logs/*/*.log).
count() { echo "COUNT $1=$2"; }

# need FILE...: build FILE with make if it is missing; die if it cannot be.
need() {
  local f
  for f in "$@"; do
    [ -e "$f" ] && continue
    make --no-print-directory -s "$(realpath -m --relative-to="$HAKMEM_ROOT" "$f")" >&2 ||
      die "cannot build $f"
    [ -e "$f" ] || die "$f is still missing after make"
  done
}

# run_logged NAME CMD...: run CMD, its stdout+stderr shown and kept in
# $TMP/NAME.log; returns CMD's status.
run_logged() {
  local name=$1; shift
  "$@" >"$TMP/$name.log" 2>&1
  local rc=$?
  cat "$TMP/$name.log"
  return $rc
}

# white_box NAME: run build/tests/internals/NAME and NAME-debug (linked
# with the release and the debug build of the allocator, 60 s each); each
# must exit 0 and print the line "NAME: ok".
white_box() {
  local name=$1 dir=$BUILD/tests/internals b
  need "$dir/$name" "$dir/$name-debug"
  for b in "$name" "$name-debug"; do
    run_logged "$b" timeout 60 "$dir/$b" || fail "$b exited $?"
    grep -qx "$name: ok" "$TMP/$b.log" && ok "$b: every check held" || fail "$b: no '$name: ok'"
  done
}

# no_hakmem_errors LOG: die when LOG has a "hakmem: " error line.
no_hakmem_errors() {
  if grep -q '^hakmem: ' "$1"; then
    grep '^hakmem: ' "$1" | head -5
    die "hakmem reported errors (above) in a run that should have none"
  fi
}

# hakmem_stat LOG NAME: the count on the first "hakmem:   NAME N" line
# of HAKMEM_STATS=1's statistics in LOG; without one, a FAIL line on stderr
# (callers run it in $(...)) and status 1: n=$(hakmem_stat LOG NAME) || exit 1.
hakmem_stat() {
  local n
  n=$(awk -v k="$2" '$1 == "hakmem:" && $2 == k { print $3; exit }' "$1")
  [ -n "$n" ] || { echo "FAIL: no $2 line in $1 (was HAKMEM_STATS=1 set?)" >&2; return 1; }
  echo "$n"
}

# run_stats HOW NAME SECONDS PROG ARGS...: run_logged NAME, with
# HAKMEM_STATS=1 and a time limit, of $TA/PROG-libc under the preload (HOW
# preload) or of $TA/PROG-hak, linked with the hak_ API (HOW hak).
run_stats() {
  local how=$1 name=$2 secs=$3 prog=$4
  shift 4
  if [ "$how" = preload ]; then
    run_logged "$name" preload env HAKMEM_STATS=1 timeout "$secs" "$TA/$prog-libc" "$@"
  else
    run_logged "$name" env HAKMEM_STATS=1 timeout "$secs" "$TA/$prog-hak" "$@"
  fi
}

# expect_exit CODE PATTERN DESCRIPTION -- COMMAND...: exit status CODE and
# stderr matching the extended regex PATTERN (counted).
expect_exit() {
  local code=$1 pat=$2 d=$3; shift 4
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ $rc -eq "$code" ] && grep -Eq -- "$pat" "$TMP/err"; then
    ok "$d: exit $rc, \"$(grep -Em1 -- "$pat" "$TMP/err" | cut -c1-110)\""
  else
    fail "$d: wanted exit $code and /$pat/, got exit $rc: $(head -c 300 "$TMP/err")"
  fi
}

# ---- the allocator under test ----------------------------------------------
# preload CMD...: run CMD under LD_PRELOAD=$LIBHAKMEM.
preload() {
  if [ -n "${HAKTEST_PRELOAD:-}" ]; then
    env HAKTEST_ANY_MALLOC=1 LD_PRELOAD="$LIBHAKMEM" "$@"
  else
    env -u HAKTEST_ANY_MALLOC LD_PRELOAD="$LIBHAKMEM" "$@"
  fi
}

# need_preload: $PRELOAD exists and really gets preloaded. ld.so only warns
# when it cannot preload, and the program then runs on glibc: every
# comparison would pass for nothing. So look at a preloaded process's maps.
need_preload() {
  if [ -z "$PRELOAD" ]; then
    echo "note: HAK_PRELOAD is empty: checking glibc against itself"
    return 0
  fi
  [ -f "$PRELOAD" ] || die "$PRELOAD does not exist (run make)"
  LD_PRELOAD=$PRELOAD cat /proc/self/maps 2>"$TMP/preload.err" | grep -q "$(basename "$PRELOAD")" \
    || die "LD_PRELOAD=$PRELOAD does not load: $(cat "$TMP/preload.err")"
  echo "preloading $PRELOAD"
}

# under_hak CMD...: run CMD with $PRELOAD preloaded (plain CMD when empty).
under_hak() {
  if [ -n "$PRELOAD" ]; then LD_PRELOAD=$PRELOAD "$@"; else "$@"; fi
}

# same_output NAME CMD...: run CMD once on glibc and once under $PRELOAD,
# each in its own directory ($TMP/glibc, $TMP/hakmem, which CMD may use as
# its working directory); same exit status, same stdout, and no "hakmem: "
# error line on stderr under hakmem, or die.
same_output() {
  local name=$1; shift
  local d rc_g rc_h
  for d in glibc hakmem; do rm -rf "${TMP:?}/$d"; mkdir -p "$TMP/$d"; done
  (cd "$TMP/glibc" && "$@") >"$TMP/$name.glibc.out" 2>"$TMP/$name.glibc.err"; rc_g=$?
  (cd "$TMP/hakmem" && under_hak "$@") >"$TMP/$name.hakmem.out" 2>"$TMP/$name.hakmem.err"; rc_h=$?
  if [ "$rc_g" != "$rc_h" ]; then
    echo "--- stderr under hakmem:"; tail -n 20 "$TMP/$name.hakmem.err"
    die "$name: exit status $rc_h under hakmem, $rc_g under glibc"
  fi
  if ! cmp -s "$TMP/$name.glibc.out" "$TMP/$name.hakmem.out"; then
    diff "$TMP/$name.glibc.out" "$TMP/$name.hakmem.out" | head -n 20
    echo "--- stderr under hakmem:"; tail -n 20 "$TMP/$name.hakmem.err"
    die "$name: stdout differs between glibc and hakmem"
  fi
  no_hakmem_errors "$TMP/$name.hakmem.err"
  ok "$name: same exit status ($rc_g) and same stdout ($(wc -l <"$TMP/$name.glibc.out") lines, sha256 $(sha256sum <"$TMP/$name.glibc.out" | cut -c1-16))"
}

# ---- the workload drivers (tests/workloads) ---------------------------------
W=$BUILD/workloads
SHIM=$BUILD/tests/workloads/libcorrupt.so
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
HAKMEM=$BUILD/libhakmem.so

# need_workloads: python3 and every driver and shim are there.
need_workloads() {
  [ -n "$PY" ] || skip "python3 not found"
  local f
  for f in "$W/random_mixed" "$W/larson" "$W/longrun" "$W/mt_contention" "$W/false_sharing" \
           "$W/churn" "$W/prodcons" "$W/large" "$W/cpp_mix" "$SHIM" "$HAKMEM"; do
    [ -x "$f" ] || [ -f "$f" ] || die "$f is not built (run make all test-build)"
  done
}

# run_ok OUT NAME ARGS...: run a driver (with LD_PRELOAD=$WL_PRELOAD if set),
# require exit 0, keep its last stdout line in OUT.
run_ok() {
  local out=$1 name=$2; shift 2
  timeout 60 env LD_PRELOAD="${WL_PRELOAD:-}" "$W/$name" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  [ $rc -eq 0 ] || { cat "$TMP/stderr"; die "$name $* exited $rc, expected 0"; }
  tail -n 1 "$TMP/stdout" >"$out"
}

# json_check FILE WORKLOAD FIELD...: the file holds one JSON object whose
# "workload" is WORKLOAD, with every FIELD plus the contract's common fields,
# each of the right type.
json_check() {
  local file=$1 workload=$2; shift 2
  "$PY" - "$file" "$workload" "$@" <<'PYEOF' || die "JSON check of $file"
import json, sys
path, workload, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(path).read()
try:
    d = json.loads(text)
except ValueError as e:
    sys.exit("not JSON (%s): %r" % (e, text[:200]))
if not isinstance(d, dict):
    sys.exit("not a JSON object")
common = ["workload", "threads", "ops", "seconds", "ops_per_sec", "peak_rss_kb", "allocator"]
missing = [k for k in common + fields if k not in d]
if missing:
    sys.exit("missing fields: %s" % missing)
if d["workload"] != workload:
    sys.exit("workload is %r, expected %r" % (d["workload"], workload))
def is_int(v): return isinstance(v, int) and not isinstance(v, bool)
checks = [("ops", is_int(d["ops"]) and d["ops"] > 0),
          ("threads", is_int(d["threads"]) and d["threads"] >= 1),
          ("seconds", isinstance(d["seconds"], (int, float)) and d["seconds"] > 0),
          ("ops_per_sec", isinstance(d["ops_per_sec"], (int, float)) and d["ops_per_sec"] > 0),
          ("peak_rss_kb", is_int(d["peak_rss_kb"]) and d["peak_rss_kb"] > 0),
          ("allocator", isinstance(d["allocator"], str) and d["allocator"] != "")]
bad = [k for k, good in checks if not good]
if bad:
    sys.exit("bad values: %s" % {k: d[k] for k in bad})
rate = d["ops"] / d["seconds"]
if abs(rate - d["ops_per_sec"]) > 1e-6 * rate:
    sys.exit("ops_per_sec %s is not ops/seconds %s" % (d["ops_per_sec"], rate))
PYEOF
  ok "$workload: last line is a JSON object with $(($# + 7)) required fields, types and ops_per_sec = ops/seconds"
}

# jget FILE KEY: print one value of the JSON object in FILE.
jget() {
  "$PY" -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(json.dumps(v) if isinstance(v,(list,dict)) or v is None else v)' "$1" "$2"
}

# expect_eq WHAT GOT WANT (dies: later checks read what this one checked)
expect_eq() {
  [ "$2" = "$3" ] || die "$1: got '$2', expected '$3'"
  ok "$1 = $3"
}

# run_libc_hakmem OUT NAME ARGS...: run a driver under glibc, then under
# hakmem (LD_PRELOAD); each must exit 0 and name the library that served
# malloc. The last lines go to OUT.libc.json and OUT.hakmem.json.
run_libc_hakmem() {
  local out=$1 name=$2; shift 2
  WL_PRELOAD= run_ok "$out.libc.json" "$name" "$@"
  expect_eq "$name $* under glibc: allocator" "$(jget "$out.libc.json" allocator)" libc.so.6
  WL_PRELOAD=$HAKMEM run_ok "$out.hakmem.json" "$name" "$@"
  expect_eq "$name $* under hakmem: allocator" "$(jget "$out.hakmem.json" allocator)" libhakmem.so
}

# expect_same KEY FILE... : KEY has one value in every file (a count fixed by
# the options and the seed, whichever allocator ran).
expect_same() {
  local key=$1 first=$2 v; shift 2
  v=$(jget "$first" "$key")
  for f in "$@"; do
    [ "$(jget "$f" "$key")" = "$v" ] || die "$key: $(jget "$f" "$key") in ${f##*/}, $v in ${first##*/}"
  done
  ok "$key = $v in ${first##*/} $(for f in "$@"; do printf '%s ' "${f##*/}"; done)"
}

# expect_usage NAME ARGS...: exit 2, stderr has a one-line error then usage.
expect_usage() {
  local name=$1; shift
  timeout 20 "$W/$name" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  [ $rc -eq 2 ] || die "$name $* exited $rc, expected 2"
  head -n 1 "$TMP/stderr" | grep -q "^$name: " || die "$name $*: first stderr line is not an error message: $(head -n 1 "$TMP/stderr")"
  sed -n 2p "$TMP/stderr" | grep -q "^usage: $name " || die "$name $*: no usage on stderr"
  [ ! -s "$TMP/stdout" ] || die "$name $*: printed to stdout"
  ok "$name $* -> exit 2: $(head -n 1 "$TMP/stderr")"
}

# expect_help NAME: --help prints usage on stdout and exits 0.
expect_help() {
  "$W/$1" --help >"$TMP/stdout" 2>&1 || die "$1 --help exited $?"
  grep -q "^usage: $1 " "$TMP/stdout" || die "$1 --help printed no usage"
  ok "$1 --help -> usage on stdout, exit 0"
}

# expect_corruption MODE NAME ARGS...: under the corrupting shim, exit 3 with
# a CORRUPTION line on stderr.
expect_corruption() {
  local mode=$1 name=$2; shift 2
  timeout 60 env LD_PRELOAD="$SHIM" CORRUPT_MODE="$mode" CORRUPT_AFTER="${CORRUPT_AFTER:-2000}" \
    "$W/$name" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  [ $rc -eq 3 ] || { head -c 600 "$TMP/stderr"; die "$name $* under the $mode shim exited $rc, expected 3"; }
  grep -q "CORRUPTION" "$TMP/stderr" || die "$name $*: exit 3 without a CORRUPTION line"
  ok "$name under CORRUPT_MODE=$mode -> exit 3: $(grep -m1 -o 'CORRUPTION: .\{0,70\}' "$TMP/stderr")..."
}

# expect_allocators NAME ARGS...: the "allocator" field names the library that
# served malloc: libc.so.6 plain, libjemalloc.so.2 and libcorrupt.so (with
# CORRUPT_MODE=none, a correct allocator: the run must pass) when preloaded.
expect_allocators() {
  local name=$1; shift
  run_ok "$TMP/plain.json" "$name" "$@"
  expect_eq "$name allocator without LD_PRELOAD" "$(jget "$TMP/plain.json" allocator)" libc.so.6
  if [ -f "$JEMALLOC" ]; then
    WL_PRELOAD=$JEMALLOC run_ok "$TMP/je.json" "$name" "$@"
    expect_eq "$name allocator with LD_PRELOAD=$JEMALLOC" "$(jget "$TMP/je.json" allocator)" libjemalloc.so.2
  else
    die "$JEMALLOC missing (the libjemalloc2 package is in TEST_PACKAGES)"
  fi
  WL_PRELOAD=$SHIM CORRUPT_MODE=none run_ok "$TMP/shim.json" "$name" "$@"
  expect_eq "$name allocator with the shim preloaded, not corrupting" "$(jget "$TMP/shim.json" allocator)" libcorrupt.so
}

# ---- the check programs (tests/checks) ---------------------------------------
CK=$BUILD/checks
CLASSIFY=$HAKMEM_ROOT/workloads/checks/classify.sh
LIBDIR=/usr/lib/x86_64-linux-gnu
MISSING=()

# need_checks: every check program is built. A script that uses
# expect_cells ends with finish_checks.
need_checks() {
  local p
  for p in conform_sizes conform_align conform_fork conform_threads conform_cxx \
           misuse_free misuse_overflow misuse_uaf misuse_cxx; do
    [ -x "$CK/$p" ] || die "$CK/$p is not built (run make)"
  done
}

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
# (the script ends with finish_checks).
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

# finish_checks: fail, skip (an allocator library was missing), or pass.
finish_checks() {
  [ "$FAILURES" -eq 0 ] || finish
  if [ ${#MISSING[@]} -gt 0 ]; then
    skip "missing allocator(s): ${MISSING[*]} (apt-get install -y libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4)"
  fi
  finish
}

# ---- hakbench (tests/harness, tests/compare) --------------------------------
HB=$BUILD/hakbench
SHIMS=$BUILD/tests/harness

# need_hakbench: build/hakbench is built.
need_hakbench() { [ -x "$HB" ] || die "$HB is not built (make all)"; }

# Field of results.json through the system python (json module only).
pyq() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); $2" "$1"; }

# run_compare ARGS...: `hakbench compare ARGS` from tests/compare/fixtures;
# stdout in $out, stderr in $err, the exit status in $rc.
run_compare() {
  (cd "$HAKMEM_ROOT/tests/compare/fixtures" && "$HB" compare "$@") >"$TMP/out" 2>"$TMP/err"
  rc=$?
  out=$(cat "$TMP/out")
  err=$(cat "$TMP/err")
}

# compare_fail MSG: fail, showing the last compare's stdout and stderr.
compare_fail() {
  fail "$*"
  echo "--- stdout"; echo "${out:-}"; echo "--- stderr"; echo "${err:-}"
}

# expect_rc WHAT N: the last compare exited N.
expect_rc() {
  if [ "$rc" -eq "$2" ]; then ok "$1: exit $rc"; else compare_fail "$1: exit $rc, expected $2"; fi
}

# expect_verdict WHAT CELL_ID VERDICT: the hakmem row of CELL_ID says VERDICT.
expect_verdict() {
  local line
  line=$(printf '%s\n' "$out" | grep -F "($2)" | grep -F "| hakmem ")
  if printf '%s\n' "$line" | grep -qF "| $3 "; then
    ok "$1: $2 is '$3'"
  else
    compare_fail "$1: $2 is not '$3': ${line:-no row}"
  fi
}

# expect_text WHAT STREAM(out|err) TEXT
expect_text() {
  local s
  [ "$2" = out ] && s=$out || s=$err
  if printf '%s\n' "$s" | grep -qF -- "$3"; then ok "$1: says '$3'"; else compare_fail "$1: no '$3' in std$2"; fi
}
