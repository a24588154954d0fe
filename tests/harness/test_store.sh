#!/usr/bin/env bash
# test_store.sh: the results store on SQLite (store_checks.sh: round trip,
# interrupted write, migration, newer schema), bad stores, `run` recording
# into the store, the trend report and its charts.
. "$(dirname "$0")/../lib.sh"
need_hakbench
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 (Debian: sqlite3) is not installed"; exit 77; }

new_store() { mktemp -u "$TMP/storeXXXXXX.sqlite"; }
sql() { sqlite3 "$1" "$2"; }
source "$(dirname "$0")/store_checks.sh"

# bad stores: clear message, exit 2, never a crash
head -c 4096 /dev/urandom >"$TMP/garbage.sqlite"
expect_exit 2 "not a database" "a corrupt store file" -- "$HB" history --store "$TMP/garbage.sqlite"
sqlite3 "$TMP/foreign.sqlite" "CREATE TABLE t (a)"
expect_exit 2 "not a hakbench store" "a foreign SQLite database" -- "$HB" history --store "$TMP/foreign.sqlite" import tests/harness/fixtures/small_results.json
expect_exit 2 "unknown kind of URL" "a mysql:// store" -- "$HB" history --store mysql://host/db
expect_exit 2 "bad PostgreSQL URL|cannot connect" "a malformed postgresql URL" -- "$HB" history --store 'postgresql://a:b:c@[x/'
expect_exit 2 "holds no runs yet" "an empty store" -- "$HB" history --store "$TMP/empty.sqlite"
expect_exit 2 "unknown action" "an unknown action" -- "$HB" history --store "$TMP/empty.sqlite" frobnicate
expect_exit 2 "run: the results store cannot be used" "run checks its store before running" -- "$HB" run tests/harness/suites/order.suite --allocators system --store "$TMP/garbage.sqlite" --out "$TMP/r0"

# hakbench run records its run (this machine's key); --no-store does not
S="$TMP/run.sqlite"
"$HB" run tests/harness/suites/order.suite --allocators hakmem,system --store "$S" --out "$TMP/r1" >/dev/null 2>"$TMP/err"
got=$(sqlite3 "$S" "SELECT count(*) || ' ' || min(m.key) || ' ' || min(r.suite) FROM runs r JOIN machines m ON m.id = r.machine_pk")
[[ "$got" =~ ^1\ m-[0-9a-f]{16}\ order$ ]] && ok "run recorded with this machine's key: $got" || fail "run not recorded: $got $(cat "$TMP/err")"
[ "$(sqlite3 "$S" "SELECT count(*) FROM samples")" = 10 ] && ok "every repetition's sample recorded (2 cells x 2 allocators, 2+3 reps)" || fail "samples: $(sqlite3 "$S" "SELECT count(*) FROM samples")"
"$HB" run tests/harness/suites/order.suite --allocators system --store "$S" --out "$TMP/r2" --no-store >/dev/null 2>&1
[ "$(sqlite3 "$S" "SELECT count(*) FROM runs")" = 1 ] && ok "--no-store records nothing" || fail "--no-store recorded"
# (A run is identified by machine, suite, commit and its start time to the
# millisecond: this one may start in the same second as r1.)
HAKBENCH_STORE="$S" "$HB" run tests/harness/suites/order.suite --allocators system --out "$TMP/r3" >/dev/null 2>&1
[ "$(sqlite3 "$S" "SELECT count(*) FROM runs")" = 2 ] && ok "\$HAKBENCH_STORE chooses the store" || fail "HAKBENCH_STORE ignored"

# trends over two commits of the committed phase7 file; charts
S="$TMP/trend.sqlite"
"$HB" history --store "$S" import results/phase7/results.json results/baseline/ci.json >/dev/null 2>&1
check "history machines lists the machine" bash -c "'$HB' history --store '$S' machines | grep -q 'AMD EPYC\|cpu-'"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  "$HB" history --store "$S" --cell rm100k/64 --charts "$TMP/charts" >"$TMP/h.md" 2>"$TMP/err"
  [ -s "$TMP/charts/phase7_rm100k_64.png" ] && ok "chart drawn: phase7_rm100k_64.png" || fail "no chart: $(cat "$TMP/err")"
fi
check "history changes runs" bash -c "'$HB' history --store '$S' changes | grep -q 'None in\|^| commit'"
finish
