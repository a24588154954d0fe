#!/usr/bin/env bash
# An interrupted run keeps what it finished (results.json is rewritten
# atomically after every run) and `run --resume` completes it without
# redoing finished runs.
. "$(dirname "$0")/../lib.sh"
need_hakbench
R="$TMP/run/results.json"
count() { pyq "$R" "print(sum(len(l) for c in r['cells'] for l in c['runs'].values()))" 2>/dev/null || echo 0; }

"$HB" run tests/harness/suites/resume.suite --out "$TMP/run" --allocators system,jemalloc 2>"$TMP/progress1" &
pid=$!
for _ in $(seq 1 200); do
  [ "$(count)" -ge 6 ] && break
  sleep 0.05
done
kill -KILL $pid
wait $pid 2>/dev/null
n1=$(count)
check "killed part-way: $n1 of 36 runs saved" [ "$n1" -ge 6 -a "$n1" -lt 36 ]
check "results.json is still valid and marked incomplete" [ "$(pyq "$R" "print(r['complete'])")" = False ]
pyq "$R" "print('\n'.join(sorted('%s %s %d %r %r' % (c['id'], a, x['rep'], x.get('value'), x['wall_s']) for c in r['cells'] for a, l in c['runs'].items() for x in l)))" >"$TMP/before"

"$HB" report "$TMP/run" >/dev/null
check "a report of the partial run says INCOMPLETE" grep -q 'INCOMPLETE RUN' "$TMP/run/report.md"

"$HB" run --resume "$TMP/run" 2>"$TMP/progress2"
rc=$?
check "resume exits 0 (exit $rc)" [ $rc -eq 0 ]
check "resumed results are complete" [ "$(pyq "$R" "print(r['complete'])")" = True ]
check "all 36 runs present once each ($(count))" [ "$(count)" -eq 36 ]
dups=$(pyq "$R" "k=[(c['id'],a,x['rep']) for c in r['cells'] for a,l in c['runs'].items() for x in l]; print(len(k)-len(set(k)))")
check "no (cell, allocator, rep) recorded twice ($dups)" [ "$dups" -eq 0 ]
pyq "$R" "print('\n'.join(sorted('%s %s %d %r %r' % (c['id'], a, x['rep'], x.get('value'), x['wall_s']) for c in r['cells'] for a, l in c['runs'].items() for x in l)))" >"$TMP/after"
kept=$(comm -12 "$TMP/before" "$TMP/after" | wc -l)
check "the $n1 runs finished before the kill are kept unchanged ($kept)" [ "$kept" -eq "$n1" ]
check "the resume command is recorded in the context" [ "$(pyq "$R" "print(len(r['context']['resumed']))")" = 1 ]
todo=$(sed -n 's/^hakbench: \([0-9]*\) runs to do.*/\1/p' "$TMP/progress2")
check "resume planned only the missing runs plus warm-ups ($todo <= $((36 - n1 + 12)))" [ "${todo:-999}" -le $((36 - n1 + 12)) ]

"$HB" run --resume "$TMP/run" 2>"$TMP/err"
check "resuming a complete run does nothing and exits 0" grep -q 'already complete' "$TMP/err"
expect_exit 2 "holds suite 'resume', not 'faulty'" "resume with another suite is refused" -- \
  "$HB" run --resume "$TMP/run" tests/harness/suites/faulty.suite
finish
