#!/usr/bin/env bash
# compare (and so the CI gate) says when a timed cell of the current run was
# measured on a busy machine: other processes used >= 0.5 CPUs on average
# during its runs (other_cpu_s over wall_s). The regression line gets
# "[busy machine]", which harness/ci.sh answers by measuring once more.
. "$(dirname "$0")/../lib.sh"
need_hakbench
busy="$TMP/busy"
mkdir -p "$busy"
for cpus in 0.9 0.1; do
  /usr/bin/python3 - "tests/compare/fixtures/slow10_tight.json" "$busy/cur_$cpus.json" "$cpus" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cells"]:
    for runs in c["runs"].values():
        for r in runs:
            r["wall_s"] = 1.0
            r["other_cpu_s"] = float(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
done
run_compare base.json "$busy/cur_0.9.json"
expect_rc "busy current run, slower hakmem" 1
if grep -q '^- regressed: .*\[busy machine\]$' "$TMP/out"; then echo "ok: the regressed line says busy machine"; else compare_fail "no [busy machine] on the regressed line"; fi
if grep -q 'measured on a busy machine (other processes used 0.90 CPUs)' "$TMP/out"; then echo "ok: the table's note gives the CPUs"; else compare_fail "no busy note in the table"; fi
run_compare base.json "$busy/cur_0.1.json"
expect_rc "quiet current run, slower hakmem" 1
if grep -q 'busy machine' "$TMP/out"; then compare_fail "a quiet run called busy"; else echo "ok: a quiet run is not called busy"; fi
finish
