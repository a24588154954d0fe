#!/usr/bin/env bash
# run_all.sh: reproduce the Phase 7 report on this machine, then the
# patterns report (allocation patterns of programs hakmem was not tuned
# for), the apps report (real programs from Debian packages) and the checks
# report (conformance and misuse of every allocator).
#
# Builds everything, installs the competing allocators, the programs of the
# apps suite and matplotlib when running as root (otherwise prints the
# apt-get line and goes on with what is there), runs the phase7 suite (or
# quick), then patterns, apps and checks, draws the charts, renders each report and prints
# their paths. Exits non-zero only when the harness itself
# fails; an allocator that crashes or hangs is a result, recorded in the report.
set -u

usage() {
  cat <<'USAGE'
usage: ./run_all.sh [--quick] [--suites LIST] [--allocators a,b,c] [--reps N] [--out DIR]
  --quick             the quick suite (about 2 minutes) instead of phase7 (about 10), and
                      smaller patterns and apps runs (2 reps, no warm-up)
  --suites LIST       which to run, comma-separated: phase7, patterns, apps, checks
                      (default: all four)
  --allocators LIST   comma-separated: hakmem system jemalloc mimalloc tcmalloc, or NAME=PATH
                      (default: all five)
  --reps N            measured repetitions per cell (default: the suite's: phase7 5, quick 3,
                      patterns 5, apps 5; checks always 1)
  --out DIR           run folder of phase7/quick (default results/<suite>; charts in
                      plots/<suite>, or DIR/plots with --out); the others go to
                      DIR/patterns, DIR/apps, DIR/checks
  -h, --help          this text
Each report is <run folder>/report.md, results.json beside it.
USAGE
}

suite=phase7 allocs="" reps="" out="" suites="phase7,patterns,apps,checks"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) suite=quick ;;
    --allocators) [ $# -ge 2 ] || { echo "run_all.sh: --allocators needs a list" >&2; usage >&2; exit 2; }
                  allocs=$2; shift ;;
    --allocators=*) allocs=${1#*=} ;;
    --reps) [ $# -ge 2 ] || { echo "run_all.sh: --reps needs a number" >&2; usage >&2; exit 2; }
            reps=$2; shift ;;
    --reps=*) reps=${1#*=} ;;
    --out) [ $# -ge 2 ] || { echo "run_all.sh: --out needs a folder" >&2; usage >&2; exit 2; }
           out=$2; shift ;;
    --out=*) out=${1#*=} ;;
    --suites) [ $# -ge 2 ] || { echo "run_all.sh: --suites needs a list" >&2; usage >&2; exit 2; }
              suites=$2; shift ;;
    --suites=*) suites=${1#*=} ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_all.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[ -n "$suites" ] || { echo "run_all.sh: --suites needs a list" >&2; exit 2; }
for s in ${suites//,/ }; do
  case "$s" in
    phase7|patterns|apps|checks) ;;
    *) echo "run_all.sh: --suites takes a comma-separated list of phase7, patterns, apps, checks; got '$suites'" >&2; exit 2 ;;
  esac
done
if [ -n "$reps" ] && ! [[ "$reps" =~ ^[1-9][0-9]*$ ]]; then
  echo "run_all.sh: --reps needs a whole number >= 1, got '$reps'" >&2; exit 2
fi

root=$(cd "$(dirname "$0")" && pwd)
cd "$root" || exit 1
t0=$(date +%s)
say() { echo "run_all: $*" >&2; }

# 1. Build. A part that fails to build (say the allocator mid-change) does
#    not stop the run: its allocator or workload is reported as missing.
mkdir -p build
say "building (make -k all)"
if ! make -k -j"$(nproc)" all >"$root/build/run_all-make.log" 2>&1; then
  say "the build had errors (see build/run_all-make.log); going on with what was built"
fi
if [ ! -x build/hakbench ]; then
  say "build/hakbench was not built: cannot run (see build/run_all-make.log)"
  exit 1
fi

# 2. Competing allocators, the apps suite's programs, matplotlib for the charts.
pkgs=(python3-matplotlib)
list=",${allocs:-jemalloc,mimalloc,tcmalloc},"
[[ "$list" == *,jemalloc,* ]] && pkgs+=(libjemalloc2)
[[ "$list" == *,mimalloc,* ]] && pkgs+=(libmimalloc2.0)
[[ "$list" == *,tcmalloc,* ]] && pkgs+=(libtcmalloc-minimal4)
if [[ ",$suites," == *,apps,* ]]; then
  while read -r p _; do [ -n "$p" ] && [ "${p#\#}" = "$p" ] && pkgs+=("$p"); done <harness/apps/packages.txt
fi
if ! harness/need-packages.sh "${pkgs[@]}"; then
  say "going on without the missing packages (their allocators or programs are skipped, named in the report)"
fi

# 3. Each suite: run, charts (optional), report. summary.md holds the key
#    tables for the top-level README (harness/update-readme.sh).
run_suite() { # SUITE OUT [extra hakbench run options...]
  local name=$1 dir=$2 rc
  shift 2
  local args=(run "$name" --out "$dir" "$@")
  [ -n "$allocs" ] && args+=(--allocators "$allocs")
  say "running: build/hakbench ${args[*]}"
  build/hakbench "${args[@]}"
  rc=$?
  if [ $rc -ne 0 ]; then say "hakbench run $name failed (exit $rc)"; return $rc; fi
  build/hakbench plot "$dir"
  rc=$?
  if [ $rc -eq 3 ]; then
    say "charts skipped: install python3-matplotlib (apt-get install -y python3-matplotlib)"
  elif [ $rc -ne 0 ]; then
    say "plotting $name failed (exit $rc)"; return $rc
  fi
  build/hakbench report "$dir" --summary "$dir/summary.md" >"$dir/.report-path" ||
    { say "rendering the $name report failed"; return 1; }
  reports+=("$(cat "$dir/.report-path")")
  rm -f "$dir/.report-path"
}

reports=()
status=0
if [[ ",$suites," == *,phase7,* ]]; then
  extra=()
  [ -n "$reps" ] && extra+=(--reps "$reps")
  run_suite "$suite" "${out:-results/$suite}" "${extra[@]}" || status=$?
fi
# patterns and apps: --quick makes them 2 reps with no warm-up.
second_suite() { # NAME
  local dir=results/$1 extra=()
  [ "$suite" = quick ] && dir=results/$1-quick
  [ -n "$out" ] && dir="$out/$1"
  if [ -n "$reps" ]; then extra+=(--reps "$reps")
  elif [ "$suite" = quick ]; then extra+=(--reps 2 --warmup 0)
  fi
  run_suite "$1" "$dir" "${extra[@]}"
}
if [[ ",$suites," == *,patterns,* ]]; then second_suite patterns || status=$?; fi
if [[ ",$suites," == *,apps,* ]]; then second_suite apps || status=$?; fi
if [[ ",$suites," == *,checks,* ]]; then
  # Conformance and misuse: outcomes, not timings; --quick runs the same
  # suite (one run per check, no warm-up); --reps is not passed on.
  checks_out=results/checks
  [ "$suite" = quick ] && checks_out=results/checks-quick
  [ -n "$out" ] && checks_out="$out/checks"
  run_suite checks "$checks_out" || status=$?
fi
t=$(( $(date +%s) - t0 ))
say "done in $((t / 60))m$((t % 60))s"
[ ${#reports[@]} -gt 0 ] && printf '%s\n' "${reports[@]}"
exit $status
