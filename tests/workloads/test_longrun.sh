#!/usr/bin/env bash
# longrun: argument errors, the JSON line with its per-window arrays,
# determinism with fixed windows, --seconds, corruption, allocator field.
. "$(dirname "$0")/../lib.sh"
need_workloads
N=longrun

expect_help $N
expect_usage $N --window 0
expect_usage $N --windows x
expect_usage $N --seconds -1
expect_usage $N --dist lognormal
expect_usage $N --min 2000
expect_usage $N --iters 5

run_ok "$TMP/a.json" $N --window 50000 --windows 4 --seed 3
json_check "$TMP/a.json" $N window windows seconds_limit ws min max dist seed windows_run \
  window_ops_per_sec window_rss_kb cv rss_growth_pct mallocs frees
expect_eq "ops of 4 windows of 50000" "$(jget "$TMP/a.json" ops)" 200000
expect_eq "seconds_limit when not given" "$(jget "$TMP/a.json" seconds_limit)" null
"$PY" - "$TMP/a.json" <<'PYEOF' || die "per-window arrays"
import json, statistics, sys
d = json.load(open(sys.argv[1]))
r, m = d["window_ops_per_sec"], d["window_rss_kb"]
assert len(r) == 4 and len(m) == 4, (r, m)
assert all(x > 0 for x in r) and all(isinstance(x, int) and x > 0 for x in m), (r, m)
cv = statistics.stdev(r) / statistics.mean(r)
assert abs(cv - d["cv"]) < 1e-6 * max(cv, 1e-9) + 1e-9, (cv, d["cv"])
g = 100.0 * (m[-1] - m[1]) / m[1]
assert abs(g - d["rss_growth_pct"]) < 1e-6, (g, d["rss_growth_pct"])
PYEOF
ok "4 throughput and 4 RSS figures; cv and rss_growth_pct recomputed from them agree"
[ "$(grep -c '^window ' "$TMP/stdout")" = 4 ] || die "expected one progress line per window"
ok "one progress line per window on stdout before the JSON line"

run_ok "$TMP/b.json" $N --window 50000 --windows 4 --seed 3
expect_eq "same seed: mallocs" "$(jget "$TMP/b.json" mallocs)" "$(jget "$TMP/a.json" mallocs)"
expect_eq "same seed: ops" "$(jget "$TMP/b.json" ops)" "$(jget "$TMP/a.json" ops)"

run_ok "$TMP/c.json" $N --window 100000 --seconds 0.3 --dist app
n=$(jget "$TMP/c.json" windows_run)
[ "$n" -ge 1 ] || die "--seconds ran no window"
expect_eq "ops = window x windows_run" "$(jget "$TMP/c.json" ops)" $((100000 * n))
ok "--seconds 0.3 ran $n windows"

expect_corruption flip $N --window 50000 --windows 4
expect_corruption dup $N --window 50000 --windows 4
expect_allocators $N --window 50000 --windows 2
finish
