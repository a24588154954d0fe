#!/usr/bin/env bash
# measure_overhead.sh: what random_mixed's loop costs by itself, and what each
# allocator adds, in instructions per op (exact, valgrind cachegrind) and in
# nanoseconds per op (wall clock, noisy). Figures for workloads/README.md.
#
#   workloads/measure_overhead.sh [ARGS...]   extra random_mixed options,
#                                             e.g. --min 64 --max 64
# Instructions per op = (Ir at 2M steps - Ir at 1M steps) / 1M, so start-up,
# warm-up and final frees cancel out. Time: best of 5 runs of 10M steps.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
W=$root/build/workloads
lib=/usr/lib/x86_64-linux-gnu
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
[ -x "$W/tools/random_mixed_null" ] || { echo "run make first" >&2; exit 1; }

ir() {   # ir PRELOAD BINARY ITERS ARGS...: total instructions executed
  local pre=$1 bin=$2 n=$3; shift 3
  env LD_PRELOAD="$pre" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$bin" --iters "$n" --warmup 0 "$@" 2>&1 >/dev/null | awk '/I *refs:/ {gsub(",", "", $NF); print $NF}'
}

best_ns() {   # best_ns PRELOAD BINARY ARGS...: best of 5, ns per op
  local pre=$1 bin=$2; shift 2
  for i in 1 2 3 4 5; do
    env LD_PRELOAD="$pre" "$bin" --iters 10000000 "$@" | tail -n 1
  done | /usr/bin/env python3 -c 'import json,sys; print("%.2f" % min(1e9/json.loads(l)["ops_per_sec"] for l in sys.stdin))'
}

row() {   # row LABEL PRELOAD BINARY ARGS...
  local label=$1 pre=$2 bin=$3 a b
  shift 3
  a=$(ir "$pre" "$bin" 1000000 "$@")
  b=$(ir "$pre" "$bin" 2000000 "$@")
  printf "%-30s %10s %8s\n" "$label" "$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.1f", (b-a)/1e6}')" \
    "$(best_ns "$pre" "$bin" "$@")"
}

echo "random_mixed $*"
printf "%-30s %10s %8s\n" "malloc" "instr/op" "ns/op"
row "none (null loop)" "" "$W/tools/random_mixed_null" "$@"
row "glibc" "" "$W/random_mixed" "$@"
for l in libjemalloc.so.2 libmimalloc.so.2 libtcmalloc_minimal.so.4; do
  [ -f "$lib/$l" ] && row "$l" "$lib/$l" "$W/random_mixed" "$@"
done
[ -f "$root/build/libhakmem.so" ] && row "libhakmem.so" "$root/build/libhakmem.so" "$W/random_mixed" "$@"
exit 0
