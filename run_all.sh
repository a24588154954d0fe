#!/usr/bin/env bash
# run_all.sh: reproduce the Phase 7 report on this machine.
#
# Builds everything, installs the competing allocators and matplotlib when
# running as root (otherwise prints the apt-get line and goes on with what is
# there), runs the phase7 suite (or quick), draws the charts, renders the
# report and prints its path. Exits non-zero only when the harness itself
# fails; an allocator that crashes or hangs is a result, recorded in the report.
set -u

usage() {
  cat <<'USAGE'
usage: ./run_all.sh [--quick] [--allocators a,b,c] [--reps N] [--out DIR]
  --quick             run the quick suite (about 2 minutes) instead of phase7 (about 10)
  --allocators LIST   comma-separated: hakmem system jemalloc mimalloc tcmalloc, or NAME=PATH
                      (default: all five)
  --reps N            measured repetitions per cell (default: the suite's: phase7 5, quick 3)
  --out DIR           run folder (default results/<suite>; charts in plots/<suite>,
                      or DIR/plots with --out)
  -h, --help          this text
The report is <run folder>/report.md, results.json beside it.
USAGE
}

suite=phase7 allocs="" reps="" out=""
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
    -h|--help) usage; exit 0 ;;
    *) echo "run_all.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
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

# 2. Competing allocators and matplotlib for the charts.
pkgs=(python3-matplotlib)
list=",${allocs:-jemalloc,mimalloc,tcmalloc},"
[[ "$list" == *,jemalloc,* ]] && pkgs+=(libjemalloc2)
[[ "$list" == *,mimalloc,* ]] && pkgs+=(libmimalloc2.0)
[[ "$list" == *,tcmalloc,* ]] && pkgs+=(libtcmalloc-minimal4)
if ! harness/need-packages.sh "${pkgs[@]}"; then
  say "going on without the missing packages (their allocators are skipped, named in the report)"
fi

# 3. Run the suite.
[ -n "$out" ] || out="results/$suite"
args=(run "$suite" --out "$out")
[ -n "$allocs" ] && args+=(--allocators "$allocs")
[ -n "$reps" ] && args+=(--reps "$reps")
say "running: build/hakbench ${args[*]}"
build/hakbench "${args[@]}"
rc=$?
if [ $rc -ne 0 ]; then
  say "hakbench run failed (exit $rc)"
  exit $rc
fi

# 4. Charts (optional) and the report.
build/hakbench plot "$out"
rc=$?
if [ $rc -eq 3 ]; then
  say "charts skipped: install python3-matplotlib (apt-get install -y python3-matplotlib)"
elif [ $rc -ne 0 ]; then
  say "plotting failed (exit $rc)"
  exit $rc
fi
# summary.md: the key tables for the top-level README, links relative to the root.
report=$(build/hakbench report "$out" --summary "$out/summary.md") || { say "rendering the report failed"; exit 1; }
t=$(( $(date +%s) - t0 ))
say "done in $((t / 60))m$((t % 60))s"
echo "$report"
