/* alloc.c: the allocation entry points of the hak_ API (the libc names in
 * override.c share their inline fast paths from internal.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

hak_export void *hak_malloc(size_t n) { return _hak_malloc_fast(n); }

hak_export void *hak_calloc(size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return NULL; }
  if (total > HAK_SMALL_REQ_MAX) return _hak_large_alloc(total, HAK_ALIGN, 1);
  void *p = _hak_malloc_fast(total);
  if (p) memset(p, 0, total);
  return p;
}

/* Usable size of a live block of ours; 0 (after a report) for anything
 * else. *small says which tier it is, from the ownership map (not from the
 * size: an over-aligned large block can be small in size). */
static size_t usable_size(const void *p, const char *fn, int *small) {
  uintptr_t a = (uintptr_t)p;
  unsigned kind;
  *small = 0;
  if ((a & HAK_BAD_PTR_BITS) == 0 && (kind = _hak_chunk_kind(a)) >= HAK_CHUNK_SS_MIN) {
    hak_slab_t *s = _hak_slab_at(_hak_ss_of(p), p, kind);
    if (!_hak_block_in_slab(s, a)) {
      _hak_error(fn, "invalid pointer", p);
      return 0;
    }
    uintptr_t mark = *_hak_mark_of(s, p);
    if (mark != _hak_secret) {
      if (mark != 0) _hak_mark_corrupt(fn, p);
      _hak_error(fn, "pointer already freed", p);
      return 0;
    }
    *small = 1;
    return _hak_block_size(s) - HAK_MARK;
  }
  size_t u = _hak_large_usable(p);
  if (u == 0) _hak_error(fn, "invalid pointer", p);
  return u;
}

hak_export size_t hak_malloc_usable_size(const void *p) {
  int small;
  return p ? usable_size(p, "malloc_usable_size", &small) : 0;
}

hak_export void *hak_realloc(void *p, size_t size) {
  if (p == NULL) return _hak_malloc_fast(size);
  if (size == 0) {                       /* as glibc: free, return NULL */
    _hak_free_fast(p, "realloc");
    return NULL;
  }
  int small;
  size_t old = usable_size(p, "realloc", &small);
  if (old == 0) { errno = EINVAL; return NULL; }
  if (hak_unlikely(_hak_options.check) && small) {
    hak_ss_t *ss = _hak_ss_of(p);
    if (_hak_owner(ss) == _hak_tls_heap && !_hak_block_check(_hak_slab_of(ss, p), p, "realloc")) {
      errno = EINVAL;
      return NULL;
    }
  }
  if (size > PTRDIFF_MAX) { errno = ENOMEM; return NULL; }
  if (!small) {
    if (size > HAK_SMALL_MAX) {
      void *q = _hak_large_realloc(p, size);
      if (q) return q;
    }
  } else if (size <= old && old / 2 <= size) {
    return p;                            /* fits, at most twice the size asked */
  }
  void *q = _hak_malloc_fast(size);
  if (q == NULL) return NULL;            /* p stays valid */
  memcpy(q, p, size < old ? size : old);
  _hak_free_fast(p, "realloc");
  return q;
}

hak_export void *hak_reallocarray(void *p, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return NULL; }
  return hak_realloc(p, total);
}

/* align: a power of two. Small requests use a class whose block size is a
 * multiple of align: slabs start aligned to that factor (slab.c), so every
 * block of such a class is aligned. */
void *_hak_malloc_aligned(size_t align, size_t size) {
  if (align <= HAK_ALIGN) return _hak_malloc_fast(size);
  if (size > PTRDIFF_MAX) { errno = ENOMEM; return NULL; }
  if (align <= HAK_SMALL_MAX && size <= HAK_SMALL_REQ_MAX) {
    unsigned c = _hak_class_of(size + HAK_MARK < align ? align : size + HAK_MARK);
    while (c < HAK_NCLASSES && (_hak_class_size[c] & (align - 1)) != 0) c++;
    if (c < HAK_NCLASSES) return _hak_malloc_class(c);
  }
  return _hak_large_alloc(size, align, 0);
}

hak_export int hak_posix_memalign(void **memptr, size_t align, size_t size) {
  if (align < sizeof(void *) || (align & (align - 1)) != 0) return EINVAL;
  int saved = errno;
  void *p = _hak_malloc_aligned(align, size);
  if (p == NULL) { errno = saved; return ENOMEM; }
  *memptr = p;
  return 0;
}

hak_export void *hak_aligned_alloc(size_t align, size_t size) {
  if (align == 0 || (align & (align - 1)) != 0) { errno = EINVAL; return NULL; }
  return _hak_malloc_aligned(align, size);
}

/* glibc's memalign rounds a non-power-of-two alignment up. */
hak_export void *hak_memalign(size_t align, size_t size) {
  if (align > ((size_t)1 << 62)) { errno = EINVAL; return NULL; }
  if (align & (align - 1)) align = (size_t)1 << (64 - __builtin_clzl(align));
  return _hak_malloc_aligned(align, size);
}

hak_export void *hak_valloc(size_t size) { return _hak_malloc_aligned(HAK_PAGE, size); }

hak_export void *hak_pvalloc(size_t size) {
  if (size > PTRDIFF_MAX) { errno = ENOMEM; return NULL; }
  size_t rounded = _hak_page_round(size);
  return _hak_malloc_aligned(HAK_PAGE, rounded ? rounded : HAK_PAGE);
}

hak_export int hak_owns(const void *p) {
  uintptr_t a = (uintptr_t)p;
  if (a & ~(((uintptr_t)1 << HAK_ADDR_BITS) - 1)) return 0;
  if (_hak_chunk_kind(a) >= HAK_CHUNK_SS_MIN) return 1;
  return _hak_large_usable(p) != 0;
}

hak_export void hak_collect(void) {
  hak_heap_t *h = _hak_tls_heap;
  if (!h->initialized) h = _hak_heap_init_thread();
  if (h != NULL) {
    _hak_heap_handover_collect();        /* exited threads' heaps, then */
    _hak_ss_adopt_all(h);                /* frees into exited threads' memory */
    _hak_heap_collect(h);
    _hak_large_cache_flush(h);
  }
  _hak_ss_collect_global();
  _hak_large_collect();
}
