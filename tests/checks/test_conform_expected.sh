#!/usr/bin/env bash
# test_conform_expected.sh: every conformance check gets its expected
# outcome from an allocator that does it right (glibc for most, jemalloc for
# the two glibc 2.36 gets wrong), and from one that does it wrong where one
# of jemalloc, mimalloc, tcmalloc does (jemalloc's
# pvalloc crash, mimalloc's 8-byte alignment and errno, the
# tst-malloc-too-large failures, tcmalloc's fork_signal hang), or a shim with
# the bug on purpose (fork_atfork_malloc). Only outcomes that do not depend
# on timing are used for the "wrong" side, except tcmalloc's fork_signal
# hang, which happened in every run tried (it waits on a lock its own
# prepare handler holds).
. "$(dirname "$0")/../lib.sh"
need_checks

# Right: glibc passes all of these.
right=()
for c in conform_sizes/{too_large_malloc,too_large_calloc,too_large_realloc,too_large_reallocarray,too_large_memalign,too_large_posix_memalign,too_large_aligned_alloc,too_large_valloc,too_large_pvalloc,zero_sizes,realloc_edges,free_errno,calloc_zeroed} \
         conform_align/{align_max_align_t,align_c17,memalign_range,posix_memalign_range,posix_memalign_einval,aligned_alloc_sizes,valloc,pvalloc,usable_size_writable} \
         conform_fork/{fork_threads,fork_signal,fork_atfork_malloc} \
         conform_threads/{tsd_destructor,thread_exit_remote_free,dlopen_dlclose,rlimit_oom} \
         conform_cxx/{new_handler,nothrow,aligned_new,sized_delete,thread_local_dtor}; do
  right+=("$c=pass")
done
expect_cells glibc 60 "${right[@]}"
# glibc 2.36 accepts any aligned_alloc alignment; libstdc++'s aligned new[]
# of SIZE_MAX returns a block. jemalloc does both right.
expect_cells glibc 60 conform_align/aligned_alloc_bad_align=fail conform_cxx/bad_alloc=fail
expect_cells jemalloc 60 conform_align/aligned_alloc_bad_align=pass conform_cxx/bad_alloc=pass

# Wrong.
expect_cells jemalloc 60 conform_align/pvalloc=crash conform_align/align_max_align_t=fail \
  conform_sizes/too_large_realloc=fail conform_sizes/too_large_reallocarray=fail \
  conform_sizes/too_large_memalign=fail conform_sizes/too_large_valloc=fail
expect_cells mimalloc 60 conform_sizes/too_large_malloc=fail conform_sizes/too_large_aligned_alloc=fail \
  conform_align/memalign_range=fail conform_align/posix_memalign_range=fail \
  conform_cxx/new_handler=crash conform_cxx/nothrow=fail
expect_cells tcmalloc 60 conform_sizes/too_large_calloc=fail conform_sizes/too_large_pvalloc=fail
expect_cells tcmalloc 6 conform_fork/fork_signal=hang
expect_cells "$BUILD/tests/checks/libforklock.so" 6 conform_fork/fork_atfork_malloc=hang

# The reasons name the failing call.
if [ -r "$(alloc_path mimalloc)" ]; then
  "$CLASSIFY" --tsv --only '^conform_align/align_max_align_t$' mimalloc >"$TMP/r.tsv"
  grep -q 'not aligned to 16' "$TMP/r.tsv" && ok "the reason names the misaligned block" \
    || fail "reason: $(cat "$TMP/r.tsv")"
fi
finish_checks
