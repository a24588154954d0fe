/* hakmem.h: the public interface of the hakmem allocator.
 *
 * hakmem is a general-purpose malloc replacement. Used as the process
 * allocator (LD_PRELOAD=libhakmem.so, or linking libhakmem.a) it exports the
 * standard names: malloc, free, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign, valloc, pvalloc, malloc_usable_size and glibc's
 * __libc_* aliases.
 *
 * The same allocator is reachable under hak_* names, which never override
 * libc: link libhakmem-api.a (or compile allocator/src without override.c)
 * to test hakmem next to another malloc, e.g. under ThreadSanitizer.
 *
 * Semantics follow the glibc manual: every pointer is 16-byte aligned,
 * hak_malloc(0) returns a unique freeable pointer, failures return NULL with
 * errno == ENOMEM, hak_free(NULL) is a no-op and hak_free never changes errno.
 */
#ifndef HAKMEM_H
#define HAKMEM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void  *hak_malloc(size_t size);
void   hak_free(void *p);
void  *hak_calloc(size_t n, size_t size);
void  *hak_realloc(void *p, size_t size);
void  *hak_reallocarray(void *p, size_t n, size_t size);
int    hak_posix_memalign(void **memptr, size_t alignment, size_t size);
void  *hak_aligned_alloc(size_t alignment, size_t size);
void  *hak_memalign(size_t alignment, size_t size);
void  *hak_valloc(size_t size);
void  *hak_pvalloc(size_t size);
size_t hak_malloc_usable_size(const void *p);

/* Non-zero when p lies in one of hakmem's SuperSlabs or is the start of a
 * live large block: what free() checks before it trusts a pointer. */
int    hak_owns(const void *p);

/* Statistics snapshot (totals over all threads, approximate while threads
 * run). Printed to stderr at exit when HAKMEM_STATS=1. */
typedef struct hak_stats_s {
  size_t mapped_bytes;      /* address space mapped from the OS right now   */
  size_t superslabs;        /* SuperSlabs mapped                             */
  size_t large_blocks;      /* blocks above 32 KiB live, or in a thread cache */
  size_t errors;            /* misuse reported: invalid pointers, double
                               frees, heap corruption (every report)     */
} hak_stats_t;
void   hak_stats_get(hak_stats_t *out);
void   hak_stats_print(void);

/* Give back to the OS what the calling thread and the global caches hold
 * but do not use (empty slabs, cached SuperSlabs and large blocks). */
void   hak_collect(void);

#ifdef __cplusplus
}
#endif
#endif /* HAKMEM_H */
