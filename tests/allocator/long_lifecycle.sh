#!/usr/bin/env bash
# The lifecycle checks at ten times the size of the quick tests, under
# hakmem: 40000 short-lived threads (threadreuse churn, same bounds: peak RSS
# <= 128 MiB, growth after the first quarter <= 64 MiB), 1500 forks while
# threads allocate (fork threads, each child within 5 s), and the API stress
# under TSan and UBSan with 10 times the operations.
. "$(dirname "$0")/../lib.sh"
need_preload
need "$TA/threadreuse-libc" "$TA/fork-libc" "$TA/stress-tsan" "$TA/stress-ubsan"
under_hak "$TA/threadreuse-libc" churn --threads 40000 --concurrent 8 --keepers 2 --blocks 128 \
  --max-rss-mib 128 --max-growth-mib 64 >"$TMP/churn.out" 2>&1
rc=$?; cat "$TMP/churn.out"
[ $rc -eq 0 ] || die "threadreuse churn exited $rc"
under_hak "$TA/fork-libc" threads --forks 1500 --threads 2 --timeout-ms 5000 >"$TMP/fork.out" 2>&1
rc=$?; cat "$TMP/fork.out"
[ $rc -eq 0 ] || die "fork threads exited $rc"
for v in tsan ubsan; do
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 exitcode=67" \
    timeout 500 "$TA/stress-$v" api --threads 4 --ops 100000 >"$TMP/$v.out" 2>&1
  rc=$?; head -n 30 "$TMP/$v.out"
  [ $rc -eq 0 ] || die "stress-$v api exited $rc (66: TSan, 67: UBSan, 1: check failed, 124: hung)"
done
ok "40000 threads churned, 1500 forks survived, sanitizer stress clean"
finish
