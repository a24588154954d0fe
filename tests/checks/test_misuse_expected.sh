#!/usr/bin/env bash
# test_misuse_expected.sh: each misuse scenario's outcome under an allocator
# that handles it safely (glibc: stopped, by an abort or a fault before the
# damage is used; no-damage for uninit_read on a fresh mapping) and, where one
# of jemalloc, mimalloc, tcmalloc does not, under that one (silent: the
# damage showed). The cells are ones whose outcome does not depend on timing
# or on a neighbour's placement. hakmem for its guards: a small block's end
# mark (allocator/src/internal.h) and a large block's canary stop overflows
# and underflows at free, a free key on a quick-list block stops a write
# after free (allocator/src/large.c); placement is deterministic there, the
# eight blocks of a fresh process carved in order, so an underflow writes
# into the end mark or canary of the block before. Its other misuse outcomes
# are pinned by tests/allocator/test_bad_free.sh, and the scorecard shows
# them all.
. "$(dirname "$0")/../lib.sh"
need_checks

expect_cells glibc 20 \
  misuse_free/double_free_immediate:64=stopped misuse_free/double_free_after_frees:64=stopped \
  misuse_free/double_free_interleaved:4k=stopped misuse_free/double_free_after_reuse:1m=stopped \
  misuse_free/double_free_cross_thread:1m=stopped misuse_free/double_free_remote_first:4k=stopped \
  misuse_free/free_stack:64=stopped misuse_free/free_global:4k=stopped misuse_free/free_far:1m=stopped \
  misuse_free/free_interior:64=stopped misuse_free/free_unaligned:64=stopped \
  misuse_free/realloc_after_free:4k=stopped misuse_free/realloc_interior:64=stopped \
  misuse_free/free_wild=stopped \
  misuse_overflow/overflow_1:4k=stopped misuse_overflow/overflow_32:64=stopped \
  misuse_overflow/underflow_1:64=stopped misuse_overflow/underflow_32:4k=stopped \
  misuse_uaf/write_after_free:4k=stopped misuse_uaf/write_after_free_mid:1m=stopped \
  misuse_uaf/uninit_read:1m=no-damage \
  misuse_uaf/huge_size_max=stopped misuse_uaf/huge_ptrdiff=stopped misuse_uaf/huge_addrspace=stopped \
  misuse_cxx/delete_array_as_scalar:64=stopped misuse_cxx/delete_scalar_as_array:64=stopped

expect_cells jemalloc 20 \
  misuse_free/double_free_immediate:64=silent misuse_free/double_free_after_reuse:1m=silent \
  misuse_free/free_interior:64=silent misuse_free/realloc_interior:64=silent \
  misuse_overflow/overflow_32:64=silent misuse_uaf/write_after_free:4k=silent \
  misuse_uaf/uninit_read:4k=silent
expect_cells mimalloc 20 \
  misuse_free/double_free_interleaved:4k=silent misuse_free/double_free_remote_first:4k=silent \
  misuse_free/realloc_after_free:4k=silent misuse_overflow/overflow_1:4k=silent \
  misuse_overflow/underflow_32:4k=silent misuse_uaf/write_after_free_mid:1m=silent \
  misuse_cxx/delete_array_as_scalar:64=silent
expect_cells tcmalloc 20 \
  misuse_free/double_free_after_frees:64=silent misuse_free/double_free_cross_thread:64=silent \
  misuse_free/free_unaligned:64=silent misuse_overflow/underflow_1:64=silent
expect_cells "$BUILD/libhakmem.so" 20 \
  misuse_overflow/overflow_1:16=stopped misuse_overflow/overflow_32:64=stopped \
  misuse_overflow/underflow_1:4k=stopped misuse_overflow/underflow_32:16=stopped \
  misuse_overflow/overflow_1:64k=stopped misuse_overflow/overflow_32:1m=stopped \
  misuse_overflow/underflow_1:1m=stopped misuse_overflow/underflow_32:64k=stopped \
  misuse_uaf/write_after_free:64k=stopped misuse_uaf/write_after_free:1m=stopped
finish_checks
