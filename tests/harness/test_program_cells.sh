#!/usr/bin/env bash
# Program cells (harness/README.md "Program cells"): a suite of our own tiny
# program (build/tests/harness/prog_cell) and shim allocators shows every
# status once: OK, CRASH, TIMEOUT, WRONG_OUTPUT (an allocator that damages a
# reallocated block), INVALID (a library without malloc), ERROR (a server
# that does not start, a program that is not installed); the output metric,
# an output-file check, stdin from a prepared file, a server under its
# client; a program that is not position-independent (its malloc lookup
# lands on a PLT entry) identified all the same. After every run, a timed-out one and a Ctrl-C, nothing is left
# running. Also: the suite errors of program cells, and the apps report.
. "$(dirname "$0")/../lib.sh"
need_hakbench
P="$SHIMS/prog_cell"
[ -x "$P" ] && [ -e "$SHIMS/corrupt_block.so" ] || die "test programs not built (make test-build)"
[ -e "$BUILD/hb-identify.so" ] || die "$BUILD/hb-identify.so not built (make all)"
# Nothing of ours still running? (a bracket so that pgrep's own command
# line, and this shell's, do not match)
none_left() { ! pgrep -f "$SHIMS/[p]rog_cell" >/dev/null; }

cat >"$TMP/p.suite" <<SUITE
description "program cells: every status once"
reps 1
warmup 0
timeout 20
cell ok       table=apps label="print"          program=$P check=stdout -- print 300
cell nopie    table=apps label="not PIE"        program=${P}_nopie check=stdout -- print 300
cell rate     table=apps label="rate"           program=$P metric=output pattern="rate: ([0-9.]+) ops/s" better=higher unit=ops/s -- rate
cell crash    table=apps label="segv"           program=$P -- segv
cell hang     table=apps label="hang"           program=$P timeout=1 -- sleep 60
cell file     table=apps label="output file"    program=$P check=out.txt reset="rm -f out.txt" -- write out.txt
cell stdin    table=apps label="stdin"          program=$P prepare="seq 1 1234 > in.txt" stdin=in.txt check=stdout -- lines
cell server   table=apps label="server"         program=$P server="$P server {port}" -- client {port} 40
cell srvfail  table=apps label="server fails"   program=$P server="$P server-fail {port}" -- client {port} 1
cell srvhang  table=apps label="client hangs"   program=$P server="$P server {port}" timeout=1 -- client-sleep {port} 60
cell missing  table=apps label="not installed"  program=no-such-program-hb package=no-such-package -- x
SUITE
"$HB" run "$TMP/p.suite" --allocators system,hakmem,corrupt=$SHIMS/corrupt_block.so,nomalloc=$SHIMS/not_alloc.so \
  --out "$TMP/run" --no-store >"$TMP/run.log" 2>&1
check "the run finished (exit 0)" [ $? -eq 0 ]
check "nothing left running after the run" none_left
R="$TMP/run/results.json"
st() { pyq "$R" "c=[c for c in r['cells'] if c['id']=='$1'][0]; print(c['runs']['$2'][0]['status'])"; }
field() { pyq "$R" "c=[c for c in r['cells'] if c['id']=='$1'][0]; print(c['runs']['$2'][0].get('$3'))"; }
# tail_has CELL ALLOC PATTERN: the run's stderr tail matches the pattern.
tail_has() { field "$1" "$2" stderr_tail | grep -Eq -- "$3"; }
expect_status() { local got; got=$(st "$1" "$2"); check "$1 under $2: $3 (got $got)" [ "$got" = "$3" ]; }
expect_status ok system OK
expect_status ok hakmem OK
expect_status ok corrupt WRONG_OUTPUT
expect_status ok nomalloc INVALID
expect_status nopie hakmem OK
expect_status nopie corrupt WRONG_OUTPUT
expect_status nopie nomalloc INVALID
expect_status crash system CRASH
expect_status hang system TIMEOUT
expect_status file system OK
expect_status file corrupt WRONG_OUTPUT
expect_status stdin hakmem OK
expect_status server system OK
expect_status server hakmem OK
expect_status server nomalloc INVALID
expect_status srvfail system ERROR
expect_status srvhang hakmem TIMEOUT
expect_status missing system ERROR
check "CRASH names the signal" [ "$(field crash system signal)" = SIGSEGV ]
check "WRONG_OUTPUT says what differs" tail_has ok corrupt "stdout differs from glibc"
check "INVALID names the library that served malloc" tail_has ok nomalloc "served by 'libc.so.6', not 'not_alloc.so'"
check "a server that does not start: ERROR with its stderr kept" tail_has srvfail system "configuration broken"
check "a missing program: ERROR naming its package" tail_has missing system "apt-get install -y no-such-package"
check "the output metric is the geometric mean of the matches (100, 400 -> 200)" \
  [ "$(pyq "$R" "c=[c for c in r['cells'] if c['id']=='rate'][0]; print(round(c['runs']['system'][0]['value'], 6))")" = 200.0 ]
check "wall time is the metric by default, lower is better" \
  [ "$(pyq "$R" "c=[c for c in r['cells'] if c['id']=='ok'][0]; print(c['metric'], c['better'], c['runs']['system'][0]['value'] > 0)")" = "wall_s lower True" ]
digest() { pyq "$R" "c=[c for c in r['cells'] if c['id']=='ok'][0]; print(c['program']['reference_digest'])" | grep -Eq '^fnv1a64:[0-9a-f]{16}$'; }
check "the reference digest of glibc's output is recorded" digest
check "a server cell's peak RSS is the server's (it holds 24 MiB; the client about 1)" \
  [ "$(pyq "$R" "c=[c for c in r['cells'] if c['id']=='server'][0]; print(24576 <= c['runs']['system'][0]['peak_rss_kb'] < 65536)")" = True ]
check "the work folders are removed after a complete run" [ ! -e "$TMP/run/work" ]

# The apps report: one table with a geometric-mean row, peak RSS, the programs.
"$HB" report "$TMP/run" >/dev/null 2>"$TMP/rep.err"
check "report renders" [ $? -eq 0 ]
check "report: geometric-mean row" grep -q '^| \*\*geometric mean\*\*' "$TMP/run/report.md"
check "report: peak RSS section" grep -q '^## 2. Peak RSS' "$TMP/run/report.md"
check "report: WRONG_OUTPUT shown like a failure" grep -q '\*\*WRONG_OUTPUT\*\*' "$TMP/run/report.md"
check "report: the server's command line is listed" grep -q 'server: `.*prog_cell server' "$TMP/run/report.md"

# Ctrl-C while a server runs beside its client: both are stopped.
cat >"$TMP/int.suite" <<SUITE
reps 1
warmup 0
timeout 60
cell srv table=apps program=$P server="$P server {port}" -- client-sleep {port} 60
SUITE
"$HB" run "$TMP/int.suite" --allocators system --out "$TMP/int" --no-store >"$TMP/int.log" 2>&1 &
hb=$!
for _ in $(seq 1 200); do pgrep -f "$SHIMS/[p]rog_cell client-sleep" >/dev/null && break; sleep 0.05; done
check "the client of the interrupted run started" pgrep -f "$SHIMS/[p]rog_cell client-sleep"
kill -INT $hb
wait $hb
check "Ctrl-C: hakbench exits 130" [ $? -eq 130 ]
sleep 0.2
check "Ctrl-C: neither server nor client is left running" none_left
check "Ctrl-C: results.json kept, marked incomplete" [ "$(pyq "$TMP/int/results.json" "print(r['complete'])")" = False ]

# Suite errors of program cells: file:line and exit 2.
bad_suite() {
  printf 'cell x table=apps %s\n' "$1" >"$TMP/bad.suite"
  expect_exit 2 "bad.suite:1: .*$2" "suite error: $3" -- "$HB" run "$TMP/bad.suite" --out "$TMP/bad" --no-store
}
bad_suite "workload=random_mixed program=$P" "exactly one of workload= and program=" "workload and program"
bad_suite "program=$P server=\"$P server 8080\"" "must listen on \\{port\\}" "server without {port}"
bad_suite "program=$P metric=output better=higher" "needs pattern=" "output metric without pattern"
bad_suite "program=$P metric=output pattern=\"rate: [0-9]+\" better=higher" "needs a \\(group\\)" "pattern without a group"
bad_suite "program=$P metric=output pattern=\"(\" better=higher" "not a valid extended regular expression" "bad regex"
bad_suite "program=$P pattern=\"(x)\"" "go with metric=output" "pattern on a wall_s cell"
bad_suite "workload=random_mixed server=\"x {port}\"" "are for program= cells" "program keys on a workload cell"
bad_suite "program=$P stdin=../etc/passwd" "bad value for stdin" "stdin outside the work folder"
check "nothing left running at the end" none_left
finish
