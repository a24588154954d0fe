# tests/workloads/lib.sh: shared helpers for the workload driver tests
# (sourced by tests/workloads/test_*.sh; run from the repository root with
# BUILD set, as tests/run.sh does).
set -u
BUILD=${BUILD:-$PWD/build}
W=$BUILD/workloads
SHIM=$BUILD/tests/workloads/libcorrupt.so
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
HAKMEM=$BUILD/libhakmem.so
TMP=$BUILD/tmp/workloads
mkdir -p "$TMP"
PY=$(command -v python3 || command -v /usr/bin/python3 || true)

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

[ -n "$PY" ] || { echo "python3 not found"; exit 77; }
for f in "$W/random_mixed" "$W/larson" "$W/longrun" "$W/mt_contention" "$W/false_sharing" \
         "$W/churn" "$W/prodcons" "$W/large" "$W/cpp_mix" "$SHIM" "$HAKMEM"; do
  [ -x "$f" ] || [ -f "$f" ] || fail "$f is not built (run make all test-build)"
done

# run_ok OUT NAME ARGS...: run a driver (with LD_PRELOAD=$PRELOAD if set),
# require exit 0, keep its last stdout line in OUT.
run_ok() {
  local out=$1 name=$2; shift 2
  timeout 60 env LD_PRELOAD="${PRELOAD:-}" "$W/$name" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  [ $rc -eq 0 ] || { cat "$TMP/stderr"; fail "$name $* exited $rc, expected 0"; }
  tail -n 1 "$TMP/stdout" >"$out"
}

# json_check FILE WORKLOAD FIELD...: the file holds one JSON object whose
# "workload" is WORKLOAD, with every FIELD plus the contract's common fields,
# each of the right type.
json_check() {
  local file=$1 workload=$2; shift 2
  "$PY" - "$file" "$workload" "$@" <<'PYEOF' || fail "JSON check of $file"
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

# expect_eq WHAT GOT WANT
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
  ok "$1 = $3"
}

# run_libc_hakmem OUT NAME ARGS...: run a driver under glibc, then under
# hakmem (LD_PRELOAD); each must exit 0 and name the library that served
# malloc. The last lines go to OUT.libc.json and OUT.hakmem.json.
run_libc_hakmem() {
  local out=$1 name=$2; shift 2
  PRELOAD= run_ok "$out.libc.json" "$name" "$@"
  expect_eq "$name $* under glibc: allocator" "$(jget "$out.libc.json" allocator)" libc.so.6
  PRELOAD=$HAKMEM run_ok "$out.hakmem.json" "$name" "$@"
  expect_eq "$name $* under hakmem: allocator" "$(jget "$out.hakmem.json" allocator)" libhakmem.so
}

# expect_same KEY FILE... : KEY has one value in every file (a count fixed by
# the options and the seed, whichever allocator ran).
expect_same() {
  local key=$1 first=$2 v; shift 2
  v=$(jget "$first" "$key")
  for f in "$@"; do
    [ "$(jget "$f" "$key")" = "$v" ] || fail "$key: $(jget "$f" "$key") in ${f##*/}, $v in ${first##*/}"
  done
  ok "$key = $v in ${first##*/} $(for f in "$@"; do printf '%s ' "${f##*/}"; done)"
}

# expect_usage NAME ARGS...: exit 2, stderr has a one-line error then usage.
expect_usage() {
  local name=$1; shift
  timeout 20 "$W/$name" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  [ $rc -eq 2 ] || fail "$name $* exited $rc, expected 2"
  head -n 1 "$TMP/stderr" | grep -q "^$name: " || fail "$name $*: first stderr line is not an error message: $(head -n 1 "$TMP/stderr")"
  sed -n 2p "$TMP/stderr" | grep -q "^usage: $name " || fail "$name $*: no usage on stderr"
  [ ! -s "$TMP/stdout" ] || fail "$name $*: printed to stdout"
  ok "$name $* -> exit 2: $(head -n 1 "$TMP/stderr")"
}

# expect_help NAME: --help prints usage on stdout and exits 0.
expect_help() {
  "$W/$1" --help >"$TMP/stdout" 2>&1 || fail "$1 --help exited $?"
  grep -q "^usage: $1 " "$TMP/stdout" || fail "$1 --help printed no usage"
  ok "$1 --help -> usage on stdout, exit 0"
}

# expect_corruption MODE NAME ARGS...: under the corrupting shim, exit 3 with
# a CORRUPTION line on stderr.
expect_corruption() {
  local mode=$1 name=$2; shift 2
  timeout 60 env LD_PRELOAD="$SHIM" CORRUPT_MODE="$mode" CORRUPT_AFTER="${CORRUPT_AFTER:-2000}" \
    "$W/$name" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  [ $rc -eq 3 ] || { head -c 600 "$TMP/stderr"; fail "$name $* under the $mode shim exited $rc, expected 3"; }
  grep -q "CORRUPTION" "$TMP/stderr" || fail "$name $*: exit 3 without a CORRUPTION line"
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
    PRELOAD=$JEMALLOC run_ok "$TMP/je.json" "$name" "$@"
    expect_eq "$name allocator with LD_PRELOAD=$JEMALLOC" "$(jget "$TMP/je.json" allocator)" libjemalloc.so.2
  else
    fail "$JEMALLOC missing (the libjemalloc2 package is in TEST_PACKAGES)"
  fi
  PRELOAD=$SHIM CORRUPT_MODE=none run_ok "$TMP/shim.json" "$name" "$@"
  expect_eq "$name allocator with the shim preloaded, not corrupting" "$(jget "$TMP/shim.json" allocator)" libcorrupt.so
}
