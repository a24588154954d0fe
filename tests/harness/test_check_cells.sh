#!/usr/bin/env bash
# Check cells (harness/README.md "Check cells"): a small checks
# suite run by `hakbench run` under glibc, hakmem, a library without malloc
# (INVALID) and jemalloc, the allocator that gets checks wrong (its pvalloc
# crashes, its tiny blocks are 8-byte aligned, a double free goes unseen),
# records the expected outcome, status and detail of every run, the same
# classes as workloads/checks/classify.sh; shims that crash or hang inside
# a check give CRASH and HANG, shown as such; --resume finishes a run; the
# report section's tables (golden: fixtures/checks_results.json, written by
# make_checks_fixture.py, against checks_report.md and checks_summary.md),
# the section inside a mixed report leaving the rest of it unchanged;
# corrupt outcome data and bad `checks` lines refused with a clear message.
# Without jemalloc installed the rest runs and the test ends SKIP (77).
. "$(dirname "$0")/../lib.sh"
need_hakbench
F=tests/harness/fixtures
CK="$BUILD/checks"
JE=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
for p in conform_align conform_sizes misuse_free misuse_uaf misuse_overflow; do
  [ -x "$CK/$p" ] || die "$CK/$p is not built (make)"
done
for s in not_alloc crash_after_1k hang_after_1k; do
  [ -e "$SHIMS/$s.so" ] || die "$SHIMS/$s.so missing (make test-build)"
done
have_je=0; [ -r "$JE" ] && have_je=1
# Nothing of ours still running? (a bracket so that pgrep's own command
# line does not match)
none_left() { ! pgrep -f "$CK/[c]onform_align|$CK/[m]isuse_overflow" >/dev/null; }

# ---- 1. A small suite under four allocators --------------------------------
cat >"$TMP/small.suite" <<'SUITE'
description "check cells: a few outcomes that do not vary between runs"
reps 1
warmup 0
timeout 30
checks conformance conform_align conform_sizes only="^conform_(align/(pvalloc|align_max_align_t)|sizes/zero_sizes)$"
checks misuse misuse_free misuse_uaf only="^misuse_(free/double_free_immediate:64|uaf/(huge_size_max|uninit_read:1m|uninit_read:4k))$"
SUITE
"$HB" run "$TMP/small.suite" --allocators "system,hakmem,notalloc=$SHIMS/not_alloc.so,jemalloc" \
  --out "$TMP/run" --no-store >"$TMP/run.log" 2>&1
check "the run finished (exit 0)" [ $? -eq 0 ]
R="$TMP/run/results.json"
# run_field CELL ALLOC FIELD [RESULTS]: a field of the cell's first run.
run_field() { pyq "${4:-$R}" "c=[c for c in r['cells'] if c['id']=='$1'][0]; print(c['runs']['$2'][0].get('$3'))"; }
# expect CELL ALLOC OUTCOME STATUS [DETAIL-ERE [RESULTS]]
expect() {
  local o s d
  o=$(run_field "$1" "$2" outcome "${6:-}"); s=$(run_field "$1" "$2" status "${6:-}"); d=$(run_field "$1" "$2" detail "${6:-}")
  if [ "$o" = "$3" ] && [ "$s" = "$4" ] && { [ -z "${5:-}" ] || grep -Eq -- "$5" <<<"$d"; }; then
    ok "$1 under $2: $o, $s${5:+ ($d)}"
  else
    fail "$1 under $2: got $o, $s ($d); expected $3, $4${5:+, detail /$5/}"
  fi
}
check "cells are PROGRAM/SCENARIO, 7 of them, in the programs' order" \
  [ "$(pyq "$R" "print(' '.join(c['id'] for c in r['cells']))")" = \
    "conform_align/align_max_align_t conform_align/pvalloc conform_sizes/zero_sizes misuse_free/double_free_immediate:64 misuse_uaf/uninit_read:4k misuse_uaf/uninit_read:1m misuse_uaf/huge_size_max" ]
check "a check cell is recorded with its kind, metric outcome and its scenario as argument" \
  [ "$(pyq "$R" "c=r['cells'][0]; print(c['check'], c['metric'], c['args'], c['table'], c['warmup'])")" = \
    "conformance outcome ['align_max_align_t'] conformance 0" ]
expect conform_align/pvalloc system pass OK
expect conform_align/align_max_align_t system pass OK
expect conform_sizes/zero_sizes system pass OK
expect conform_align/pvalloc hakmem pass OK
expect conform_align/align_max_align_t hakmem pass OK
expect misuse_free/double_free_immediate:64 system stopped OK "^SIGABRT in the misuse call; stderr: .*double free"
check "a misuse stopped by a signal keeps its signal" [ "$(run_field misuse_free/double_free_immediate:64 system signal)" = SIGABRT ]
expect misuse_uaf/huge_size_max system stopped OK "^refused: malloc\(18446744073709551615\) returned NULL"
expect misuse_uaf/uninit_read:1m system no-damage OK "nothing reported, no damage seen"
for c in conform_align/pvalloc misuse_free/double_free_immediate:64; do
  expect "$c" notalloc invalid INVALID "malloc came from libc.so.6, not not_alloc.so"
done
if [ $have_je -eq 1 ]; then
  expect conform_align/pvalloc jemalloc crash CRASH "^SIGSEGV"
  check "jemalloc's pvalloc crash names its signal" [ "$(run_field conform_align/pvalloc jemalloc signal)" = SIGSEGV ]
  expect conform_align/align_max_align_t jemalloc fail OK "not aligned to 16"
  expect misuse_free/double_free_immediate:64 jemalloc silent OK "same block twice|overlap|inside"
  expect misuse_uaf/uninit_read:4k jemalloc silent OK "shows .* words of the freed one"
fi
# The same classes as classify.sh, cell by cell (under glibc).
workloads/checks/classify.sh --tsv --timeout 30 \
  --only '^(conform_(align/(pvalloc|align_max_align_t)|sizes/zero_sizes)|misuse_(free/double_free_immediate:64|uaf/(huge_size_max|uninit_read:1m|uninit_read:4k)))$' \
  glibc | cut -f1,2 | sort >"$TMP/classify.tsv"
pyq "$R" "
for c in r['cells']: print(c['id'] + '\t' + c['runs']['system'][0]['outcome'])" | sort >"$TMP/hakbench.tsv"
check "outcomes under glibc equal classify.sh's ($(wc -l <"$TMP/classify.tsv") cells)" \
  bash -c "[ -s '$TMP/classify.tsv' ] && cmp -s '$TMP/classify.tsv' '$TMP/hakbench.tsv'"

# The report of that run: the section with both tables and the counts.
"$HB" report "$TMP/run" --summary "$TMP/run/summary.md" >/dev/null 2>"$TMP/rep.err"
check "report renders" [ $? -eq 0 ]
M="$TMP/run/report.md"
check "report: a checks-only suite has the section and no Phase 7 sections" \
  bash -c "grep -q '^## Conformance and misuse' '$M' && ! grep -q '^## 1\\.' '$M' && ! grep -q 'Success criteria' '$M'"
check "report: conformance row of pvalloc under system and hakmem" grep -q '^| `conform_align/pvalloc` | pass | pass |' "$M"
check "report: INVALID shown in its cell, with a footnote" grep -Eq '^\| `conform_align/pvalloc` \| pass \| pass \| \*\*INVALID\*\* \[[0-9]+\] \|' "$M"
check "report: misuse row with the outcomes in words" grep -Eq '^\| `misuse_uaf/uninit_read:1m` \| no damage \| [a-z ]+ \| \*\*INVALID\*\* \[[0-9]+\] \|' "$M"
check "report: counts of passed checks per allocator" grep -Eq '^\| Conformance checks passed \| \*\*3\*\* of 3 \| \*\*3\*\* of 3 \| \*\*0\*\* of 3 \|' "$M"
check "report: protected misuse cases per allocator" grep -Eq '^\| Misuse cases protected \(stopped \+ reported\) \| \*\*2\*\* of 4 \|' "$M"
check "report: every check run in the raw data" [ "$(grep -c '^| \(conform\|misuse\)_[a-z]*/[^|]* | [a-z]* | 1 |' "$M")" -eq $((7 * (3 + have_je))) ]
check "summary: the two counts per allocator" \
  bash -c "grep -q '^| Conformance checks passed |' '$TMP/run/summary.md' && grep -q '^| Misuse cases protected' '$TMP/run/summary.md'"
if [ $have_je -eq 1 ]; then
  check "report: jemalloc's pvalloc is a CRASH with its signal" \
    grep -Eq '^\| `conform_align/pvalloc` \| pass \| pass \| \*\*INVALID\*\* \[[0-9]+\] \| \*\*CRASH\*\* \(SIGSEGV\) \[[0-9]+\] \|' "$M"
  check "report: the footnote gives jemalloc's failure reason" grep -Eq '^\[[0-9]+\] jemalloc, `conform_align/align_max_align_t`: fail: .*not aligned to 16' "$M"
fi

# --resume: runs removed from a finished file are run again, nothing else.
pyq "$R" "
r['complete'] = False
for c in r['cells'][:2]: del c['runs']['system']; del c['stats']['system']
json.dump(r, open(sys.argv[1], 'w'), indent=1)"
"$HB" run --resume "$TMP/run" >"$TMP/resume.log" 2>&1
check "resume exits 0" [ $? -eq 0 ]
check "resume ran exactly the 2 missing runs" grep -q 'hakbench: 2 runs done' "$TMP/resume.log"
check "resume: the file is complete again" [ "$(pyq "$R" "print(r['complete'])")" = True ]
expect conform_align/pvalloc system pass OK

# Auto-repetition (--min-time) is for timings: check cells keep one round.
"$HB" run "$TMP/small.suite" --allocators system --min-time 1 --out "$TMP/mintime" --no-store >"$TMP/mintime.log" 2>&1
check "--min-time adds no round to check cells" \
  [ "$(pyq "$TMP/mintime/results.json" "print(sorted({len(c['runs']['system']) for c in r['cells']}), sorted({c['reps'] for c in r['cells']}))")" = "[1] [1]" ]

# ---- 2. CRASH and HANG inside a check -------------------------------------
cat >"$TMP/faulty.suite" <<'SUITE'
reps 1
warmup 0
timeout 2
checks conformance conform_align only="^conform_align/align_max_align_t$"
checks misuse misuse_overflow only="^misuse_overflow/overflow_1:16$"
SUITE
"$HB" run "$TMP/faulty.suite" --allocators "crash=$SHIMS/crash_after_1k.so,hang=$SHIMS/hang_after_1k.so" \
  --out "$TMP/faulty" --no-store >"$TMP/faulty.log" 2>&1
check "the faulty run finished (exit 0)" [ $? -eq 0 ]
FR="$TMP/faulty/results.json"
expect conform_align/align_max_align_t crash crash CRASH "^SIGSEGV" "$FR"
expect conform_align/align_max_align_t hang hang TIMEOUT "^timed out after 2s" "$FR"
expect misuse_overflow/overflow_1:16 crash stopped OK "^SIGSEGV after the misuse returned" "$FR"
expect misuse_overflow/overflow_1:16 hang hang TIMEOUT "^timed out after 2s" "$FR"
check "nothing left running after the hangs" none_left
"$HB" report "$TMP/faulty" >/dev/null
check "report: a conformance CRASH and HANG shown as such" \
  grep -Eq '^\| `conform_align/align_max_align_t` \| \*\*CRASH\*\* \(SIGSEGV\) \[1\] \| \*\*HANG\*\* \[2\] \|' "$TMP/faulty/report.md"
check "report: a misuse HANG shown as such" \
  grep -Eq '^\| `misuse_overflow/overflow_1:16` \| stopped \| \*\*HANG\*\* \[1\] \|' "$TMP/faulty/report.md"
check "report: the hang's footnote says so" grep -q '^\[2\] hang, `conform_align/align_max_align_t`: hang: timed out after 2s' "$TMP/faulty/report.md"

# ---- 3. The report of a fixed file (golden) --------------------------------
"$HB" report $F/checks_results.json --out "$TMP/golden.md" --plots "$TMP/no-plots" --summary "$TMP/golden_summary.md" >/dev/null
check "fixture report exits 0" [ $? -eq 0 ]
if diff -u $F/checks_report.md "$TMP/golden.md" >"$TMP/diff"; then ok "report.md matches $F/checks_report.md"
else fail "report.md differs from $F/checks_report.md:"; head -n 40 "$TMP/diff"; fi
# The summary's first line links the report from the repository root (the
# test's scratch path); the rest is fixed.
if tail -n +2 "$TMP/golden_summary.md" | diff -u $F/checks_summary.md - >"$TMP/diff"; then ok "summary matches $F/checks_summary.md"
else fail "summary differs from $F/checks_summary.md:"; head -n 40 "$TMP/diff"; fi
check "summary links the report from the repository root" grep -qF "](${TMP#$HAKMEM_ROOT/}/golden.md)" "$TMP/golden_summary.md"
missing=$(grep '^|' "$TMP/golden_summary.md" | while IFS= read -r l; do grep -qxF -- "$l" "$TMP/golden.md" || echo x; done | wc -l)
check "every table line of the summary is in the report ($missing missing)" [ "$missing" -eq 0 ]

# The section inside a Phase 7 report: small_results.json plus the fixture's
# check cells renders small_report.md with lines added, none changed.
/usr/bin/python3 - "$F/small_results.json" "$F/checks_results.json" "$TMP/mixed.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a["cells"] += b["cells"]
json.dump(a, open(sys.argv[3], "w"), indent=1)
PY
"$HB" report "$TMP/mixed.json" --out "$TMP/mixed.md" --plots "$TMP/no-plots" --summary "$TMP/mixed_summary.md" >/dev/null
check "mixed report exits 0" [ $? -eq 0 ]
diff $F/small_report.md "$TMP/mixed.md" >"$TMP/mixed.diff"
check "mixed report: small_report.md's lines all kept, in order ($(grep -c '^<' "$TMP/mixed.diff") removed)" \
  bash -c "! grep -q '^<' '$TMP/mixed.diff'"
check "mixed report: the section comes before the success criteria" \
  bash -c "[ \$(grep -n '^## Conformance and misuse' '$TMP/mixed.md' | cut -d: -f1) -lt \$(grep -n '^## 7. Success criteria' '$TMP/mixed.md' | cut -d: -f1) ]"
check "mixed summary: the two counts after the checklist" grep -q '^| Misuse cases protected' "$TMP/mixed_summary.md"

# ---- 4. Corrupt outcome data is refused ------------------------------------
# corrupt NAME PYTHON PATTERN: apply PYTHON to the fixture (r, c = its
# first misuse cell, w = c's first jemalloc run), expect exit 2 and PATTERN.
corrupt() {
  /usr/bin/python3 - "$F/checks_results.json" "$TMP/bad.json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = [c for c in r["cells"] if c.get("check") == "misuse"][0]
w = c["runs"]["jemalloc"][0]
exec(sys.argv[3])
json.dump(r, open(sys.argv[2], "w"), indent=1)
PY
  expect_exit 2 "$3" "corrupt outcome data: $1" -- "$HB" report "$TMP/bad.json" --out "$TMP/bad.md"
}
corrupt "unknown outcome" "w['outcome'] = 'stoped'" \
  "not a valid hakbench results file: cell misuse_free/double_free_immediate:64: run 0 of jemalloc has outcome 'stoped', not one of stopped reported"
corrupt "an outcome of the other kind" "w['outcome'] = 'pass'" "has outcome 'pass', not one of stopped .*\(a misuse scenario\)"
corrupt "outcome and status disagree" "w['outcome'] = 'hang'" "has outcome 'hang' with status OK \(that outcome's status is TIMEOUT\)"
corrupt "a check run without an outcome" "del w['outcome']" "run 0 of jemalloc lacks \"outcome\""
corrupt "an outcome that is not a string" "w['outcome'] = 3" "\"outcome\" is not a string"
corrupt "a detail that is not a string" "w['detail'] = ['x']" "\"detail\" is not a string"
corrupt "an unknown kind" "c['check'] = 'fuzz'" "\"check\" is not \"conformance\" or \"misuse\""
corrupt "a check cell with a number metric" "c['metric'] = 'ops_per_sec'" "a check cell's metric is \"outcome\", not \"ops_per_sec\""
corrupt "a check cell with two arguments" "c['args'].append('x')" "a check cell has one argument \(its scenario\), not 2"
corrupt "metric outcome without a check" "del c['check']" "metric \"outcome\" is for check cells"
corrupt "an outcome in a workload cell" \
  "c['check'] = None; c['metric'] = 'ops_per_sec'; [x.update(value=1.0) for rs in c['runs'].values() for x in rs]" \
  "has an \"outcome\", but its cell is not a check cell"
mkdir -p "$TMP/resume_bad"
cp "$F/checks_results.json" "$TMP/resume_bad/results.json"
sed -i 's/"outcome": "silent"/"outcome": "silnet"/' "$TMP/resume_bad/results.json"
sed -i 's/"complete": true/"complete": false/' "$TMP/resume_bad/results.json"
expect_exit 2 "has outcome 'silnet'" "run --resume refuses it too" -- "$HB" run --resume "$TMP/resume_bad"

# ---- 5. Bad `checks` lines ---------------------------------------------------
bad_checks() {
  printf 'reps 1\n%s\n' "$1" >"$TMP/bad.suite"
  expect_exit 2 "bad.suite:2: .*$2" "suite error: $3" -- "$HB" run "$TMP/bad.suite" --out "$TMP/badrun" --no-store
}
bad_checks "checks conform conform_align" "takes a kind \\(conformance or misuse\\)" "unknown kind"
bad_checks "checks misuse" "takes a kind" "no program"
bad_checks "checks misuse no_such_program" "build/checks/no_such_program is missing or not executable; run \`make\` first" "missing program"
bad_checks "checks misuse misuse_free only=\"^nothing\$\"" "matches no scenario" "only= matching nothing"
bad_checks "checks misuse misuse_free only=\"(\"" "not a valid extended regular expression" "bad regex"
bad_checks "checks misuse misuse_free colour=red" "unknown 'checks' option 'colour=red'" "unknown option"
bad_checks "checks misuse misuse_free misuse_free" "duplicate cell id 'misuse_free/" "a program twice"

# ---- 6. The checks suite: one cell per scenario of every check program ----
n=0
for p in "$CK"/conform_* "$CK"/misuse_*; do [ -x "$p" ] && n=$((n + $("$p" --list | wc -l))); done
check "hakbench list: the checks suite has every scenario ($n cells)" \
  grep -Eq "^  checks +$n cells" <("$HB" list 2>&1)
check "checks suite dry run plans one run per cell and allocator, no warm-up" \
  grep -q "hakbench: $((2 * n)) runs to do" <("$HB" run checks --allocators system,hakmem --dry-run 2>&1)
check "nothing left running at the end" none_left
[ $FAILURES -eq 0 ] || finish
if [ $have_je -eq 0 ]; then echo "skip: jemalloc is not installed ($JE): apt-get install -y libjemalloc2"; exit 77; fi
finish
