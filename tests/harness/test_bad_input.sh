#!/usr/bin/env bash
# Bad options, allocators, suites and results files: a clear message on
# stderr and exit 2, never a crash or a partial report; --help everywhere.
. "$(dirname "$0")/../lib.sh"
need_hakbench
S=tests/harness/suites
expect_exit 2 "usage: hakbench" "no command" -- "$HB"
expect_exit 2 "unknown command 'frob'" "unknown command" -- "$HB" frob
expect_exit 2 "unknown or incomplete option '--bogus'" "run: unknown option" -- "$HB" run quick --bogus
expect_exit 2 "--reps needs a whole number" "run: --reps 0" -- "$HB" run quick --reps 0
expect_exit 2 "--timeout needs seconds" "run: --timeout abc" -- "$HB" run quick --timeout abc
expect_exit 2 "which suite" "run: no suite" -- "$HB" run
expect_exit 2 "unknown suite 'nosuch'" "run: unknown suite" -- "$HB" run nosuch
expect_exit 2 "unknown allocator 'ptmalloc9'" "unknown allocator name" -- "$HB" run $S/faulty.suite --allocators system,ptmalloc9 --out "$TMP/x"
expect_exit 2 "allocator mine: /nonexistent/libmine.so: No such file" "NAME=PATH that does not exist" -- \
  "$HB" run $S/faulty.suite --allocators mine=/nonexistent/libmine.so --out "$TMP/x"
expect_exit 2 "/etc/hostname is not a loadable shared library" "NAME=PATH that is not a library" -- \
  "$HB" run $S/faulty.suite --allocators mine=/etc/hostname --out "$TMP/x"
expect_exit 2 "allocator 'system' given twice" "allocator twice" -- "$HB" run $S/faulty.suite --allocators system,system
expect_exit 2 "syntax_error.suite:4: unknown cell key 'colour'" "suite syntax error names file:line" -- \
  "$HB" run $S/syntax_error.suite --out "$TMP/x"
expect_exit 2 "no_such_workload .*missing or not executable" "missing workload binary" -- \
  "$HB" run $S/missing_workload.suite --allocators system --out "$TMP/x"
check "no run folder was created by the refused runs" [ ! -e "$TMP/x/results.json" ]
expect_exit 2 "drop the other options" "--resume with other options" -- "$HB" run --resume "$TMP" --reps 3

# Results files: corrupt, truncated, another format, another version, missing.
good=tests/harness/fixtures/small_results.json
head -c 2000 $good >"$TMP/truncated.json"
expect_exit 2 "corrupt or truncated JSON at line" "truncated results.json" -- "$HB" report "$TMP/truncated.json" --out "$TMP/r.md"
printf '{"format": "hakbench-results", "version": 1, "suite": "x", ' >"$TMP/corrupt.json"
printf 'garbage' >>"$TMP/corrupt.json"
expect_exit 2 "corrupt or truncated JSON" "corrupt results.json" -- "$HB" report "$TMP/corrupt.json" --out "$TMP/r.md"
echo '{"format": "something-else", "version": 1}' >"$TMP/other.json"
expect_exit 2 "not a valid hakbench results file: \"format\"" "results of another format" -- "$HB" report "$TMP/other.json" --out "$TMP/r.md"
sed 's/"version": 1,/"version": 2,/' $good >"$TMP/v2.json"
expect_exit 2 "results version 2 is not supported" "results of another version" -- "$HB" report "$TMP/v2.json" --out "$TMP/r.md"
/usr/bin/python3 -c "import json; r=json.load(open('$good')); del r['cells'][0]['runs']; json.dump(r, open('$TMP/noruns.json','w'))"
expect_exit 2 "lacks \"runs\"" "results with a cell missing its runs" -- "$HB" report "$TMP/noruns.json" --out "$TMP/r.md"
expect_exit 2 "No such file" "missing results folder" -- "$HB" report "$TMP/nowhere"
check "no report was written from bad results" [ ! -e "$TMP/r.md" ]
expect_exit 2 "corrupt or truncated" "plot of a truncated results.json" -- "$HB" plot "$TMP/truncated.json"
mkdir -p "$TMP/res"; cp "$TMP/truncated.json" "$TMP/res/results.json"
expect_exit 2 "corrupt or truncated" "resume of a truncated results.json" -- "$HB" run --resume "$TMP/res"

# --help of every subcommand: usage on stdout, exit 0.
for c in run report plot list compare; do
  "$HB" $c --help >"$TMP/help" 2>&1
  rc=$?
  check "$c --help exits 0 with usage (exit $rc)" grep -qi usage "$TMP/help"
  [ $rc -eq 0 ] || fail "$c --help exit status $rc"
done
expect_exit 2 "unexpected argument" "list with an argument" -- "$HB" list extra
finish
