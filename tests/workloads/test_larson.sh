#!/usr/bin/env bash
# larson: argument errors, the JSON line, successor threads, a clean stop,
# corruption detection, allocator field. (Time-based: its op count is not
# fixed by the seed, so no determinism check.)
. "$(dirname "$0")/../lib.sh"
need_workloads
N=larson

expect_help $N
expect_usage $N --nope 3
expect_usage $N --threads 0
expect_usage $N --threads two
expect_usage $N --seconds 0
expect_usage $N --seconds abc
expect_usage $N --chunks 0
expect_usage $N --min 100 --max 50
expect_usage $N --rounds

SHORT="--seconds 0.3 --chunks 256 --rounds 10 --threads 2"
t0=$(date +%s.%N)
run_ok "$TMP/a.json" $N $SHORT
t1=$(date +%s.%N)
json_check "$TMP/a.json" $N seconds_limit min max chunks rounds seed threads mallocs frees threads_started
expect_eq "threads" "$(jget "$TMP/a.json" threads)" 2
expect_eq "ops = mallocs + frees" "$(jget "$TMP/a.json" ops)" "$(( $(jget "$TMP/a.json" mallocs) + $(jget "$TMP/a.json" frees) ))"
started=$(jget "$TMP/a.json" threads_started)
[ "$started" -gt 2 ] || die "no successor thread was started ($started threads for 2 lineages)"
ok "arrays were handed to successor threads ($started threads started for 2 lineages)"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["seconds"]; sys.exit(0 if 0.3 <= s < 0.8 else "measured window %s s for --seconds 0.3" % s)' "$TMP/a.json" || die "measured window"
ok "measured window $(jget "$TMP/a.json" seconds) s for --seconds 0.3"
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
awk -v w="$wall" 'BEGIN{exit !(w < 3)}' || die "a 0.3 s run took $wall s of wall time: the stop is not clean"
ok "the whole 0.3 s run, stop and final frees took $wall s"

# Many short generations: threads start successors all the time; the stop
# must still be clean, at 4 threads too.
run_ok "$TMP/b.json" $N --seconds 0.3 --chunks 64 --rounds 1 --threads 4
ok "4 lineages, a new thread every 64 replacements: stopped cleanly, $(jget "$TMP/b.json" threads_started) threads"

expect_corruption flip $N $SHORT
expect_corruption dup $N $SHORT
expect_allocators $N --seconds 0.2 --chunks 256 --rounds 10
finish
