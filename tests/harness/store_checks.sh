# store_checks.sh: the results-store checks, shared by test_store.sh (SQLite)
# and test_store_pg.sh (PostgreSQL). Sourced after common.sh; the caller
# defines:
#   new_store        print the location of a fresh, empty store
#   sql STORE QUERY  run QUERY, print the result (one value per line)
FIX=tests/harness/fixtures/small_results.json
nsamples=$(pyq "$FIX" "print(sum(len(v) for c in r['cells'] for v in c['runs'].values()))")

# round trip: every sample of the file is in the store, with its value
S=$(new_store)
check "import records the run" "$HB" history --store "$S" import "$FIX"
got=$(sql "$S" "SELECT count(*) FROM samples")
[ "$got" = "$nsamples" ] && ok "round trip: $got samples stored, as in the file" || fail "round trip: $got samples, want $nsamples"
want=$(pyq "$FIX" "c=[c for c in r['cells'] if c['id']=='rm100k/64'][0]; print(sorted(x['value'] for x in c['runs']['hakmem'] if x['status']=='OK'))")
got=$(sql "$S" "SELECT s.value FROM samples s JOIN cells c ON c.id = s.cell_pk WHERE c.cell_id = 'rm100k/64' AND s.alloc = 'hakmem' AND s.status = 'OK' ORDER BY s.value" \
      | /usr/bin/python3 -c "import sys; print(sorted(float(l) for l in sys.stdin if l.strip()))")
[ "$got" = "$want" ] && ok "round trip: rm100k/64 hakmem values equal the file's" || fail "round trip values: $got vs $want"
got=$(sql "$S" "SELECT git_commit || ' ' || suite || ' ' || git_dirty FROM runs")
[ "$got" = "0123456789abcdef0123456789abcdef01234567 fixture 0" ] && ok "round trip: run commit, suite, dirty flag" || fail "run row: $got"
got=$(sql "$S" "SELECT count(*) FROM run_allocators")
[ "$got" -ge 2 ] && ok "round trip: $got allocators with their library" || fail "allocators: $got"
"$HB" history --store "$S" import "$FIX" 2>"$TMP/err"
grep -q "already in the store" "$TMP/err" && [ "$(sql "$S" "SELECT count(*) FROM runs")" = 1 ] \
  && ok "importing the same file again records nothing" || fail "second import: $(cat "$TMP/err")"
"$HB" history --store "$S" --cell rm100k/64 >"$TMP/trend.md" 2>"$TMP/err"
grep -q '^| commit | date | hakmem | system' "$TMP/trend.md" && grep -q '^| 0123456 ' "$TMP/trend.md" \
  && ok "history --cell renders the trend table" || fail "trend table: $(head -c 400 "$TMP/trend.md") $(cat "$TMP/err")"

# check cells keep each run's outcome and detail
CFX=tests/harness/fixtures/checks_results.json
S=$(new_store)
check "import records a checks run" "$HB" history --store "$S" import "$CFX"
want=$(pyq "$CFX" "print('\n'.join(sorted('%s %s %d %s %s' % (c['id'], a, x['rep'], x['outcome'], x['detail'] or '-') for c in r['cells'] for a, l in c['runs'].items() for x in l)))")
got=$(sql "$S" "SELECT c.cell_id || ' ' || s.alloc || ' ' || s.rep || ' ' || s.outcome || ' ' || coalesce(s.detail, '-') FROM samples s JOIN cells c ON c.id = s.cell_pk" | sort)
[ -n "$want" ] && [ "$got" = "$want" ] && ok "check cells: the outcome and detail of all $(wc -l <<<"$want") runs stored as in the file" \
  || fail "check outcomes: $(diff <(echo "$want") <(echo "$got") | head -5)"

# an interrupted write leaves no half run
S=$(new_store)
HAKBENCH_STORE_TEST_KILL_AFTER=7 "$HB" history --store "$S" import "$FIX" >/dev/null 2>&1
rc=$?
got="$(sql "$S" "SELECT count(*) FROM runs") $(sql "$S" "SELECT count(*) FROM cells") $(sql "$S" "SELECT count(*) FROM samples")"
[ $rc -eq 137 ] && [ "$got" = "0 0 0" ] && ok "killed after 7 samples (exit $rc): no run, cell or sample left" \
  || fail "interrupted import: exit $rc, runs/cells/samples $got"
check "the store still works after the interruption" "$HB" history --store "$S" import "$FIX"

# migration from the previous schema version keeps the old data
S=$(new_store)
check "create a version-1 store" "$HB" history --store "$S" migrate --to 1
sql "$S" "INSERT INTO machines (key, cpu_model, cores, kernel) VALUES ('old-box', 'cpu', 4, 'k')" >/dev/null
sql "$S" "INSERT INTO runs (machine_pk, suite, git_commit, git_dirty, date, command, complete, source) SELECT id, 'quick', 'aaaa', 0, '2026-01-01T00:00:00Z', 'x', 1, 'v1' FROM machines" >/dev/null
"$HB" history --store "$S" import "$FIX" >/dev/null 2>"$TMP/err"
[ "$(sql "$S" "SELECT max(version) FROM schema_version")" = 3 ] && grep -q "migrated to schema version 3" "$TMP/err" \
  && [ "$(sql "$S" "SELECT count(*) FROM runs")" = 2 ] && [ "$(sql "$S" "SELECT source FROM runs WHERE git_commit = 'aaaa'")" = v1 ] \
  && ok "version 1 -> 3: migrated, the version-1 run kept, the new run added" || fail "migration: $(cat "$TMP/err")"

# a newer schema is refused, for reading and for writing
sql "$S" "UPDATE schema_version SET version = 99" >/dev/null
expect_exit 2 "schema version 99, newer than this hakbench" "newer schema refused (history)" -- "$HB" history --store "$S"
expect_exit 2 "schema version 99, newer than this hakbench" "newer schema refused (import)" -- "$HB" history --store "$S" import "$FIX"
[ "$(sql "$S" "SELECT count(*) FROM runs")" = 2 ] && ok "the newer store was not written" || fail "newer store was written"
