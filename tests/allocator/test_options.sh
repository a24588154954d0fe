#!/usr/bin/env bash
# The documented HAKMEM_* options do what they say, under LD_PRELOAD:
#   HAKMEM_STATS=1           statistics on stderr at exit (nothing without it)
#   HAKMEM_VERBOSE=1         a longer report for an invalid free than without
#   HAKMEM_ABORT_ON_ERROR=1  SIGABRT after the report (also in conform.c, per case)
#   HAKMEM_CHECK=1           double free and a pointer into the middle of a small
#                            block reported and ignored (both are detected without
#                            it too; tests/allocator/test_bad_free.sh
#                            covers both modes)
# The invalid free comes from conform's child mode: free() of a stack address.
. "$(dirname "$0")/../lib.sh"
need "$TA/conform-libc" "$LIBHAKMEM"
[ -n "${HAKTEST_PRELOAD:-}" ] && { echo "skip: HAKTEST_PRELOAD set, these are hakmem's options"; exit 77; }
clean() { env -u HAKMEM_STATS -u HAKMEM_VERBOSE -u HAKMEM_ABORT_ON_ERROR -u HAKMEM_CHECK "$@"; }

clean LD_PRELOAD="$LIBHAKMEM" /bin/true 2>"$TMP/nostats.err" || die "/bin/true failed under LD_PRELOAD"
[ -s "$TMP/nostats.err" ] && { cat "$TMP/nostats.err"; die "stderr not empty without HAKMEM_STATS"; }
clean HAKMEM_STATS=1 LD_PRELOAD="$LIBHAKMEM" /bin/true 2>"$TMP/stats.err" || die "/bin/true failed with HAKMEM_STATS=1"
cat "$TMP/stats.err"
grep -qi 'hakmem' "$TMP/stats.err" || die "HAKMEM_STATS=1 printed no hakmem statistics on stderr"
echo "ok: HAKMEM_STATS=1 prints statistics at exit ($(wc -l <"$TMP/stats.err") lines), nothing without it"

clean LD_PRELOAD="$LIBHAKMEM" "$TA/conform-libc" --child invalid stack >"$TMP/quiet.out" 2>&1 ||
  { cat "$TMP/quiet.out"; die "invalid free without options did not continue"; }
clean HAKMEM_VERBOSE=1 LD_PRELOAD="$LIBHAKMEM" "$TA/conform-libc" --child invalid stack >"$TMP/verbose.out" 2>&1 ||
  { cat "$TMP/verbose.out"; die "invalid free with HAKMEM_VERBOSE=1 did not continue"; }
q=$(grep -c '' "$TMP/quiet.out"); v=$(grep -c '' "$TMP/verbose.out")
qc=$(wc -c <"$TMP/quiet.out"); vc=$(wc -c <"$TMP/verbose.out")
echo "--- without HAKMEM_VERBOSE:"; cat "$TMP/quiet.out"
echo "--- with HAKMEM_VERBOSE=1:"; cat "$TMP/verbose.out"
grep -q '^hakmem: free(): invalid pointer 0x' "$TMP/quiet.out" || die "no invalid-pointer report"
[ "$vc" -gt "$qc" ] || die "HAKMEM_VERBOSE=1 report ($vc bytes) is not longer than the plain one ($qc bytes)"
echo "ok: HAKMEM_VERBOSE=1 report is longer ($v lines/$vc bytes vs $q lines/$qc bytes)"

clean HAKMEM_ABORT_ON_ERROR=1 LD_PRELOAD="$LIBHAKMEM" "$TA/conform-libc" --child invalid stack >"$TMP/abort.out" 2>&1
rc=$?
[ $rc -eq 134 ] || { cat "$TMP/abort.out"; die "HAKMEM_ABORT_ON_ERROR=1: exit $rc, want 134 (SIGABRT)"; }
echo "ok: HAKMEM_ABORT_ON_ERROR=1 ends the process with SIGABRT (status $rc)"
clean HAKMEM_STATS=1 LD_PRELOAD="$LIBHAKMEM" "$TA/conform-libc" --child invalid stack >"$TMP/stats-invalid.out" 2>&1 ||
  die "invalid free with HAKMEM_STATS=1 did not continue"
grep -q 'errors 1$' "$TMP/stats-invalid.out" || { cat "$TMP/stats-invalid.out"; die "statistics do not count the invalid free"; }
echo "ok: HAKMEM_STATS=1 counts the invalid free (errors 1)"

for kind in small-double small-middle; do
  [ $kind = small-double ] && want='hakmem: free(): double free 0x' || want='hakmem: free(): invalid pointer 0x'
  clean HAKMEM_CHECK=1 LD_PRELOAD="$LIBHAKMEM" "$TA/conform-libc" --child invalid $kind >"$TMP/check-$kind.out" 2>&1
  rc=$?
  cat "$TMP/check-$kind.out"
  [ $rc -eq 0 ] || die "HAKMEM_CHECK=1, $kind: child exited $rc, want 0 (report, ignore, go on)"
  grep -q "^$want" "$TMP/check-$kind.out" || die "HAKMEM_CHECK=1, $kind: no '$want' report"
  echo "ok: HAKMEM_CHECK=1 reports and ignores $kind"
done
echo "PASS: HAKMEM_STATS, HAKMEM_VERBOSE, HAKMEM_ABORT_ON_ERROR and HAKMEM_CHECK behave as documented"
finish
