#!/usr/bin/env bash
# Verdicts and the busy-machine warning over fixed results files
# (fixtures/verdict_{win,tie,busy}.json, written by make_verdict_fixtures.py):
# each report must equal its golden file, and show the right words:
#   win:  hakmem "better" than system, "worse (jemalloc)" against the best
#         other, the criteria met, no busy warning;
#   tie:  "≈" ratios, rows counted as tied, the best other not named;
#   busy: the warning at the top of report and summary, rows "(busy)";
#   ticks: 5 ms runs whose other_cpu_s is a /proc/stat tick off either way
#         (some negative) on a quiet machine: no warning, no "(busy)" row.
# After an intended change to the report: render them again, read the diff,
# update the *_report.md files.
. "$(dirname "$0")/../lib.sh"
need_hakbench
F=tests/harness/fixtures
for f in win tie busy; do
  "$HB" report $F/verdict_$f.json --out "$TMP/$f.md" --plots "$TMP/no-plots" --summary "$TMP/$f.sum.md" >/dev/null
  rc=$?
  check "$f: report exits 0 (exit $rc)" [ $rc -eq 0 ]
  if diff -u $F/verdict_${f}_report.md "$TMP/$f.md" >"$TMP/diff"; then
    ok "$f: report matches $F/verdict_${f}_report.md"
  else
    fail "$f: report differs from $F/verdict_${f}_report.md:"; head -n 30 "$TMP/diff"
  fi
done
has() { grep -qF -- "$2" "$TMP/$1"; }
hasnt() { ! grep -qF -- "$2" "$TMP/$1"; }
check "win: hakmem better than system, with an interval" has win.md '| 64 B | 90.0 ±1.0 | 74.0 ±0.5 | 102.0 ±1.5 | 122 % [122-123] better | 88 % [88-89] worse (jemalloc) |'
check "win: the geometric mean has an interval and a verdict" has win.md 'geometric mean **122 % [122-123] better** over 2 sizes (2 ahead, 0 tied, 0 behind)'
check "win: the criterion is met and counts the rows" has win.md '- [x] hakmem at least 90 % of system on random mixed (geometric mean over 2 cells): 122 % [122-123], met; rows: 2 ahead, 0 tied, 0 behind'
check "win: no busy warning" hasnt win.md 'BUSY MACHINE'
check "win: no machine path in the report" hasnt win.md '/home/someone'
check "win: the library shown relative to the checkout" has win.md '| hakmem | build/libhakmem.so |'
check "tie: ties shown with ≈" has tie.md '| 64 B | 80.0 ±1.0 | 80.0 ±1.0 | 80.0 ±1.5 | ≈ 99 % [96-104] | ≈ 99 % [96-104] |'
check "tie: no winner named" bash -c "! grep -E '^\| [0-9]+ B \|' '$TMP/tie.md' | grep -qE 'better|worse|jemalloc|system\)'"
check "tie: rows counted as tied" has tie.md '(0 ahead, 2 tied, 0 behind)'
check "tie: no busy warning" hasnt tie.md 'BUSY MACHINE'
check "busy: warning at the top of the report" bash -c "sed -n 3p '$TMP/busy.md' | grep -qF '> **WARNING: BUSY MACHINE.** Other processes used 1.20 CPUs'"
check "busy: warning at the top of the summary" bash -c "sed -n 3p '$TMP/busy.sum.md' | grep -qF '> **WARNING: BUSY MACHINE.**'"
check "busy: machine state in the header" has busy.md '| Machine state | load average (1 min) 3.20 at start, 4.10 at end; other processes used 1.20 CPUs on average during the runs: **busy** |'
check "busy: cells marked" has busy.md '| 64 B (busy) |'
check "busy: summary states the machine" has busy.sum.md 'Machine state: load average (1 min) 3.20 at start'
"$HB" report $F/verdict_ticks.json --out "$TMP/ticks.md" --plots "$TMP/no-plots" >/dev/null
check "ticks: report exits 0" [ $? -eq 0 ]
check "ticks: no busy warning" hasnt ticks.md 'BUSY MACHINE'
check "ticks: no row marked busy" hasnt ticks.md '(busy)'
check "ticks: the machine state says quiet" has ticks.md 'other processes used 0.00 CPUs on average during the runs: quiet |'
# Files without the machine fields (older runs) still load: "not recorded".
check "old file: machine state not recorded" grep -qF '| Machine state | not recorded |' $F/small_report.md
finish
