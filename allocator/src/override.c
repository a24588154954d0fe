/* override.c: the libc names, for use as the process allocator
 * (LD_PRELOAD=libhakmem.so or linking libhakmem.a). malloc and free inline
 * the same fast paths as hak_malloc/hak_free rather than calling them.
 * Left out of libhakmem-api.a, which offers only the hak_* names. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include "internal.h"

hak_export void *malloc(size_t n) { return _hak_malloc_fast(n); }
hak_export void free(void *p) { _hak_free_fast(p, "free"); }
hak_export void *calloc(size_t n, size_t size) { return hak_calloc(n, size); }
hak_export void *realloc(void *p, size_t n) { return hak_realloc(p, n); }
hak_export void *reallocarray(void *p, size_t n, size_t size) { return hak_reallocarray(p, n, size); }
hak_export int posix_memalign(void **memptr, size_t align, size_t n) { return hak_posix_memalign(memptr, align, n); }
hak_export void *aligned_alloc(size_t align, size_t n) { return hak_aligned_alloc(align, n); }
hak_export void *memalign(size_t align, size_t n) { return hak_memalign(align, n); }
hak_export void *valloc(size_t n) { return hak_valloc(n); }
hak_export void *pvalloc(size_t n) { return hak_pvalloc(n); }
hak_export size_t malloc_usable_size(void *p) { return hak_malloc_usable_size(p); }
hak_export void cfree(void *p) { _hak_free_fast(p, "free"); }
hak_export int malloc_trim(size_t pad) { (void)pad; hak_collect(); return 1; }

/* glibc's internal names, used by parts of libc itself: pointing them at
 * hakmem keeps glibc-allocated pointers out of hakmem's free and back. */
hak_export void *__libc_malloc(size_t n) { return _hak_malloc_fast(n); }
hak_export void __libc_free(void *p) { _hak_free_fast(p, "free"); }
hak_export void *__libc_calloc(size_t n, size_t size) { return hak_calloc(n, size); }
hak_export void *__libc_realloc(void *p, size_t n) { return hak_realloc(p, n); }
hak_export void *__libc_memalign(size_t align, size_t n) { return hak_memalign(align, n); }
