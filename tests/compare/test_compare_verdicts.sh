#!/usr/bin/env bash
# Verdicts and exit statuses of `hakbench compare` on hand-made results files
# (tests/compare/fixtures; timed cells compare hakmem/system ratios).
. "$(dirname "$0")/../lib.sh"
need_hakbench

run_compare base.json base.json
expect_rc "identical files" 0
for id in cg/rm-uniform cg/rm-64 larson/2t mt/remote50; do expect_verdict "identical files" "$id" "no change"; done
if printf '%s\n' "$out" | grep -E '\| (regressed|improved|within noise) ' >/dev/null; then
  compare_fail "identical files: a verdict other than 'no change'"
fi
expect_text "identical files" out "geometric mean"

# Both allocators 20 % slower (a slower machine): the ratio did not change.
run_compare base.json same_ratio_slower_machine.json
expect_rc "slower machine, same ratio" 0
expect_verdict "slower machine, same ratio" larson/2t "no change"

run_compare base.json slow10_tight.json --md "$TMP/report.md"
expect_rc "10 % slowdown, tight samples" 1
expect_verdict "10 % slowdown, tight samples" larson/2t "regressed"
expect_verdict "10 % slowdown, tight samples" mt/remote50 "no change"
expect_text "10 % slowdown, tight samples" out "- regressed: larson/2t (larson 2 threads): -10.00 % relative to system, p = 0.00794"
if cmp -s "$TMP/out" "$TMP/report.md"; then echo "ok: --md wrote the same report"; else compare_fail "--md report differs from stdout"; fi
# The regression is 10 %: a 15 % threshold hides it, a stricter alpha too.
run_compare base.json slow10_tight.json --threshold 15
expect_verdict "--threshold 15" larson/2t "within noise"
expect_rc "--threshold 15" 0
run_compare base.json slow10_tight.json --alpha 0.005
expect_verdict "--alpha 0.005" larson/2t "within noise"

run_compare base.json fast10_tight.json
expect_rc "10 % speed-up" 0
expect_verdict "10 % speed-up" mt/remote50 "improved"

run_compare noisy_base.json noisy_slow10.json
expect_rc "10 % slowdown in wide noise" 0
expect_verdict "10 % slowdown in wide noise" larson/2t "within noise"
expect_text "10 % slowdown in wide noise" out "-10.00 %"

run_compare base.json instr_half_and_five.json
expect_rc "instruction counts +0.5 % / +5 %" 1
expect_verdict "instructions +0.5 % vs 1 %" cg/rm-uniform "no change"
expect_verdict "instructions +5 % vs 1 %" cg/rm-64 "regressed"
expect_text "instructions +5 %" out "- regressed: cg/rm-64 (64 B): +5.00 % instructions per op"
run_compare base.json instr_half_and_five.json --instr-threshold 0.25
expect_verdict "instructions +0.5 % vs 0.25 %" cg/rm-uniform "regressed"

run_compare base.json crash.json
expect_rc "hakmem crashed" 1
expect_verdict "hakmem crashed" larson/2t "regressed"
expect_text "hakmem crashed" out "CRASH in current run"

# Other allocators are shown with --all, for information only.
run_compare base.json instr_half_and_five.json --all
expect_text "--all" out "| system "
finish
