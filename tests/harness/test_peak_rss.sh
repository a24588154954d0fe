#!/usr/bin/env bash
# Peak RSS is the program's own, not the runner's: ru_maxrss of a child
# forked from hakbench would include hakbench's pages, so runs go through
# build/hb-launch. A program that allocates nothing, run by a hakbench that
# holds 50 MiB (HAKBENCH_TEST_HOLD_MIB), must report under 2 MiB.
. "$(dirname "$0")/../lib.sh"
need_hakbench
[ -x "$SHIMS/noalloc" ] || die "$SHIMS/noalloc missing (make test-build)"
[ -x "$BUILD/hb-launch" ] || die "$BUILD/hb-launch missing (make)"
rel=${SHIMS#$HAKMEM_ROOT/}
cat >"$TMP/rss.suite" <<SUITE
reps 3
warmup 0
cell noalloc table=rss label="noalloc" workload=$rel/noalloc --
SUITE
HAKBENCH_TEST_HOLD_MIB=50 "$HB" run "$TMP/rss.suite" --allocators system --out "$TMP/run" 2>"$TMP/err"
rc=$?
check "run exits 0 (exit $rc)" [ $rc -eq 0 ]
rss=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(str(r["peak_rss_kb"]) for r in d["cells"][0]["runs"]["system"]))' "$TMP/run/results.json")
ok "peak RSS of the runs (KiB): $rss"
for k in $rss; do
  check "peak RSS $k KiB < 2048 KiB while hakbench holds 50 MiB" [ "$k" -lt 2048 ]
done
check "three runs recorded" [ "$(echo $rss | wc -w)" -eq 3 ]
finish
