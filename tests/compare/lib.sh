# tests/compare/lib.sh: helpers shared by the compare tests (sourced).
# run_compare ARGS...: runs `hakbench compare ARGS` from the fixtures folder,
# leaves stdout in $out, stderr in $err and the exit status in $rc.
set -u
fix="$HAKMEM_ROOT/tests/compare/fixtures"
tmp="$BUILD/tmp/compare"
mkdir -p "$tmp"
hakbench="$BUILD/hakbench"
[ -x "$hakbench" ] || { echo "missing $hakbench (run make)"; exit 1; }
failures=0

run_compare() {
  (cd "$fix" && "$hakbench" compare "$@") >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

fail() {
  echo "FAIL: $*"
  echo "--- stdout"; echo "$out"; echo "--- stderr"; echo "$err"
  failures=$((failures + 1))
}

# expect_rc WHAT N
expect_rc() {
  if [ "$rc" -eq "$2" ]; then echo "ok: $1: exit $rc"; else fail "$1: exit $rc, expected $2"; fi
}

# expect_verdict WHAT CELL_ID VERDICT: the hakmem row of CELL_ID says VERDICT.
expect_verdict() {
  local line
  line=$(printf '%s\n' "$out" | grep -F "($2)" | grep -F "| hakmem ")
  if printf '%s\n' "$line" | grep -qF "| $3 "; then
    echo "ok: $1: $2 is '$3'"
  else
    fail "$1: $2 is not '$3': ${line:-no row}"
  fi
}

# expect_text WHAT STREAM(out|err) TEXT
expect_text() {
  local s
  [ "$2" = out ] && s=$out || s=$err
  if printf '%s\n' "$s" | grep -qF -- "$3"; then echo "ok: $1: says '$3'"; else fail "$1: no '$3' in std$2"; fi
}

finish() {
  [ "$failures" -eq 0 ] && { echo "all checks passed"; exit 0; }
  echo "$failures check(s) failed"; exit 1
}
