#!/usr/bin/env bash
# compare warns when a timed cell cannot reach significance with its sample
# sizes: with 3 against 3 repetitions the smallest possible two-sided
# Mann-Whitney p is 2 / C(6, 3) = 0.1, above alpha 0.05. With the 5 vs 5 of
# the usual fixtures (smallest p 2/252) there is no such warning.
. "$(dirname "$0")/../lib.sh"
need_hakbench
F=tests/compare/fixtures
T=$TMP
for f in base slow10_tight; do
  /usr/bin/python3 - "$F/$f.json" "$T/$f.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cells"]:
    for a in c["runs"]:
        c["runs"][a] = [r for r in c["runs"][a] if r["rep"] < 3]
    c.pop("stats", None)
d["context"]["reps"] = 3
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
done
"$HB" compare "$T/base.json" "$T/slow10_tight.json" >"$T/out" 2>"$T/err"
rc=$?
if grep -q "cannot reach significance: 3 vs 3 repetitions, smallest possible p = 0.1 >= alpha 0.05" "$T/err"; then
  ok "3 vs 3: warned: $(head -n 1 "$T/err")"
else
  fail "3 vs 3: no warning (exit $rc): $(cat "$T/err")"
fi
[ "$rc" -ne 1 ] && ok "3 vs 3: nothing can be called a regression (exit $rc)" || fail "3 vs 3: exit 1 (regressed) although nothing can be significant"
grep -q "cannot reach significance" "$T/out" && ok "the note is in the table too" || fail "no note in the table"
"$HB" compare "$F/base.json" "$F/slow10_tight.json" >/dev/null 2>"$T/err5"
if grep -q "cannot reach significance" "$T/err5"; then fail "5 vs 5 warned: $(cat "$T/err5")"; else ok "5 vs 5: no warning"; fi
finish
