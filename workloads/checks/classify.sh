#!/usr/bin/env bash
# classify.sh: run every check scenario under one allocator and classify each
# run from its exit status (or signal), stdout and stderr alone, as described
# in workloads/checks/README.md ("Classification"). The harness implements the
# same rules in C; this script is the reference and works without it.
#
#   workloads/checks/classify.sh [options] ALLOCATOR
#
# ALLOCATOR: glibc (also: system, none; no preload), hakmem (build/libhakmem.so),
# jemalloc, mimalloc, tcmalloc (Debian's libraries), or a path to a library.
# The environment passes through: `HAKMEM_CHECK=1 classify.sh hakmem`.
#
# Options:
#   --timeout S     seconds per run before it counts as a hang (default 20)
#   --only REGEX    run only the cells whose PROGRAM/SCENARIO matches (grep -E)
#   --tsv           print "PROGRAM/SCENARIO<TAB>class<TAB>detail" lines only
#   --keep DIR      keep each run's stdout/stderr in DIR/PROGRAM.SCENARIO.{out,err}
#   --bin DIR       the check programs (default build/checks)
#
# Output (default): a markdown table of every cell, then the count per class.
# Exit status 0 unless the arguments were wrong (2).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${CK_BIN:-$root/build/checks}
timeout_s=20
only=
tsv=0
keep=

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --timeout) timeout_s=${2:?}; shift 2 ;;
    --only) only=${2:?}; shift 2 ;;
    --tsv) tsv=1; shift ;;
    --keep) keep=${2:?}; shift 2 ;;
    --bin) bin=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "classify.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || usage
alloc=$1
libdir=/usr/lib/x86_64-linux-gnu
case $alloc in
  glibc|system|none) lib= ;;
  hakmem)   lib=$root/build/libhakmem.so ;;
  jemalloc) lib=$libdir/libjemalloc.so.2 ;;
  mimalloc) lib=$libdir/libmimalloc.so.2 ;;
  tcmalloc) lib=$libdir/libtcmalloc_minimal.so.4 ;;
  *)        lib=$alloc ;;
esac
if [ -n "$lib" ] && [ ! -r "$lib" ]; then
  echo "classify.sh: $lib: no such library" >&2
  exit 2
fi
# The file name(s) the ALLOCATOR line must show: the library, or libc.
if [ -n "$lib" ]; then
  expect1=$(basename "$lib"); expect2=$(basename "$(readlink -f "$lib")")
else
  expect1=libc.so.6; expect2=libc.so.6
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ -n "$keep" ] && mkdir -p "$keep"

signame() { local n; n=$(kill -l "$1" 2>/dev/null) && echo "SIG$n" || echo "signal $1"; }
first_err() { grep -m1 -v '^[[:space:]]*$' "$1" | cut -c1-100; }

# classify KIND RC OUT ERR: prints "class<TAB>detail".
classify() {
  local kind=$1 rc=$2 out=$3 err=$4 how= report=
  if [ "$rc" -eq 124 ]; then printf 'hang\ttimed out after %ss\n' "$timeout_s"; return; fi
  local start=CHECK; [ "$kind" = misuse ] && start=MISUSE
  if ! grep -q "^$start " "$out"; then
    printf 'error\tno %s line (exit %s): %s\n' "$start" "$rc" "$(first_err "$err")"; return
  fi
  local got; got=$(sed -n 's/^ALLOCATOR //p' "$out" | head -n1)
  got=$(basename "$got")
  if [ "$got" != "$expect1" ] && [ "$got" != "$expect2" ]; then
    printf 'invalid\tmalloc came from %s, not %s\n' "$got" "$expect1"; return
  fi
  if [ "$rc" -ge 128 ]; then how=$(signame $((rc - 128))); elif [ "$rc" -ne 0 ]; then how="exit $rc"; fi
  [ -s "$err" ] && report=$(first_err "$err")
  if [ "$kind" = conform ]; then
    if [ "$rc" -ge 128 ]; then printf 'crash\t%s\n' "$how"; return; fi
    local res; res=$(grep -m1 '^RESULT ' "$out")
    case $res in
      "RESULT pass") [ "$rc" -eq 0 ] && { printf 'pass\t\n'; return; } ;;
      "RESULT fail: "*) printf 'fail\t%s\n' "${res#RESULT fail: }"; return ;;
    esac
    printf 'fail\texit %s without a RESULT line\n' "$rc"; return
  fi
  # misuse
  if [ -n "$how" ]; then
    local where="in the misuse call"
    grep -q '^\(RETURNED\|REFUSED\)' "$out" && where="after the misuse returned"
    if grep -q '^USE$' "$out"; then
      printf 'crashed-elsewhere\t%s while using the damage%s\n' "$how" "${report:+; stderr: $report}"
    else
      printf 'stopped\t%s %s%s\n' "$how" "$where" "${report:+; stderr: $report}"
    fi
    return
  fi
  if grep -q '^REFUSED' "$out"; then
    printf 'stopped\trefused: %s\n' "$(sed -n 's/^REFUSED //p' "$out" | head -n1)"; return
  fi
  case $(grep -m1 '^VERDICT ' "$out") in
    "VERDICT damage")
      printf 'silent\t%s%s\n' "$(sed -n 's/^DAMAGE //p' "$out" | head -n1 | cut -c1-100)" \
        "${report:+; reported: $report}" ;;
    "VERDICT clean")
      if [ -n "$report" ]; then printf 'reported\t%s\n' "$report"
      else printf 'no-damage\tnothing reported, no damage seen\n'; fi ;;
    *) printf 'error\texit 0 without a VERDICT line\n' ;;
  esac
}

declare -A count=()
rows=()
for prog in "$bin"/conform_* "$bin"/misuse_*; do
  [ -x "$prog" ] || continue
  name=$(basename "$prog")
  kind=conform; [[ $name == misuse_* ]] && kind=misuse
  for scen in $("$prog" --list); do
    cell="$name/$scen"
    if [ -n "$only" ] && ! grep -Eq -- "$only" <<<"$cell"; then continue; fi
    out=$scratch/out err=$scratch/err
    # No core files; glibc's fatal messages to stderr; bash's own "Aborted"
    # notice for the subshell goes to /dev/null (the braces).
    { (ulimit -c 0; export LIBC_FATAL_STDERR_=1; [ -n "$lib" ] && export LD_PRELOAD=$lib
       exec timeout -k 5 "$timeout_s" "$prog" "$scen") >"$out" 2>"$err" </dev/null; } 2>/dev/null
    rc=$?
    [ -n "$keep" ] && cp "$out" "$keep/$name.$scen.out" && cp "$err" "$keep/$name.$scen.err"
    IFS=$'\t' read -r class detail < <(classify "$kind" "$rc" "$out" "$err")
    count[$kind.$class]=$(( ${count[$kind.$class]:-0} + 1 ))
    if [ $tsv -eq 1 ]; then
      printf '%s\t%s\t%s\n' "$cell" "$class" "$detail"
    else
      rows+=("| $cell | $class | ${detail//|/\\|} |")
    fi
  done
done

[ $tsv -eq 1 ] && exit 0
echo "## Checks under $alloc${lib:+ ($lib)}"
echo
echo "| check | class | detail |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "| kind | class | count |"
echo "|---|---|---:|"
for k in conform.pass conform.fail conform.crash conform.hang conform.error conform.invalid \
         misuse.stopped misuse.reported misuse.no-damage misuse.silent misuse.crashed-elsewhere \
         misuse.hang misuse.error misuse.invalid; do
  [ -n "${count[$k]:-}" ] && echo "| ${k%%.*} | ${k#*.} | ${count[$k]} |"
done
exit 0
