#!/usr/bin/env bash
# A free after the thread's heap was given up: glibc frees
# the strerror() buffer of each thread after the TSD destructors ran. 2000
# threads in turn, each with such a late free, must leave at most 8
# SuperSlabs mapped (at c7c085b: 2001, 4002 MiB, a heap leaked per thread).
. "$(dirname "$0")/../lib.sh"
need "$TA/teardown-libc" "$LIBHAKMEM"
[ -n "${HAKTEST_PRELOAD:-}" ] && { echo "skip: reads hakmem's statistics"; exit 77; }
run_logged teardown preload "$TA/teardown-libc" 2000 || die "teardown: more SuperSlabs than allowed, or no hakmem"
no_hakmem_errors "$TMP/teardown.log"
echo "PASS: late frees after thread exit create no heap"
finish
