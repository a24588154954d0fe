/* large.c: blocks above HAK_SMALL_MAX, each in its own mapping.
 *
 * Layout: [header page][user block ...], the user pointer aligned to 2 MiB
 * (or more when asked), so it is the start of its chunk in the ownership
 * map: free() recognises it by one bit and an exact address match, and a
 * pointer into the middle of the block never passes for it.
 * Freed blocks are kept in a small cache (bounded in count and bytes) for
 * reuse; realloc resizes with mremap, in place when the kernel can, else by
 * moving the pages to a new aligned range, never by copying.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

#define HAK_LARGE_CACHE_MAX   16
#define HAK_LARGE_CACHE_BYTES ((size_t)32 << 20)

static hak_large_t *cache;            /* guarded by _hak_large_lock */
static unsigned cache_count;
static size_t cache_bytes;

hak_inline hak_large_t *header_of(const void *p) {
  return (hak_large_t *)((uintptr_t)p - HAK_PAGE);
}

hak_large_t *_hak_large_header(const void *p) {
  uintptr_t a = (uintptr_t)p;
  if ((a & HAK_BAD_PTR_BITS) || (a & HAK_SS_MASK) || _hak_chunk_kind(a) != HAK_CHUNK_LARGE) return NULL;
  hak_large_t *hdr = header_of(p);
  return hdr->magic == HAK_LARGE_LIVE ? hdr : NULL;
}

/* A cached block for a request of n bytes (usable: n rounded to pages). */
static void *cache_take(size_t n, size_t usable) {
  hak_large_t *best = NULL, **best_link = NULL;
  _hak_lock(&_hak_large_lock);
  for (hak_large_t **link = &cache; *link; link = &(*link)->cache_next) {
    size_t u = (*link)->usable;
    /* Reuse only within the stated waste bound (usable <= n + n/4 + 4096). */
    if (u >= usable && u - n <= n / 4 + HAK_PAGE && (best == NULL || u < best->usable)) {
      best = *link;
      best_link = link;
    }
  }
  if (best) {
    *best_link = best->cache_next;
    cache_count--;
    cache_bytes -= best->map_size;
  }
  _hak_unlock(&_hak_large_lock);
  if (best == NULL) return NULL;
  best->magic = HAK_LARGE_LIVE;
  atomic_fetch_add_explicit(&_hak_counters.large_cache_hits, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&_hak_counters.large_blocks, 1, memory_order_relaxed);
  return (uint8_t *)best + HAK_PAGE;
}

void *_hak_large_alloc(size_t size, size_t align, int zero) {
  if (size > PTRDIFF_MAX - HAK_SS_SIZE) { errno = ENOMEM; return NULL; }
  size_t usable = (size + HAK_PAGE - 1) & ~(size_t)(HAK_PAGE - 1);
  if (usable == 0) usable = HAK_PAGE;
  if (align <= HAK_SS_SIZE) {
    void *p = cache_take(size, usable);
    if (p) {
      if (zero) memset(p, 0, size);
      return p;
    }
  } else if (align > ((size_t)1 << (HAK_ADDR_BITS - 1))) {
    errno = ENOMEM;
    return NULL;
  }
  if (align < HAK_SS_SIZE) align = HAK_SS_SIZE;
  void *base; size_t mapped;
  uint8_t *p = _hak_os_map_aligned(HAK_PAGE + usable, align, HAK_PAGE, &base, &mapped);
  if (p == NULL) return NULL;
  hak_large_t *hdr = header_of(p);
  hdr->magic = HAK_LARGE_LIVE;
  hdr->map_base = base;
  hdr->map_size = mapped;
  hdr->usable = usable;
  hdr->cache_next = NULL;
  _hak_chunk_set((uintptr_t)p, HAK_CHUNK_LARGE);
  atomic_fetch_add_explicit(&_hak_counters.mapped, mapped, memory_order_relaxed);
  atomic_fetch_add_explicit(&_hak_counters.large_blocks, 1, memory_order_relaxed);
  return p;                               /* fresh pages are zero already */
}

static void unmap_block(hak_large_t *hdr) {
  _hak_chunk_set((uintptr_t)hdr + HAK_PAGE, HAK_CHUNK_NONE);
  atomic_fetch_sub_explicit(&_hak_counters.mapped, hdr->map_size, memory_order_relaxed);
  _hak_os_unmap(hdr->map_base, hdr->map_size);
}

void _hak_large_free(void *p, const char *fn) {
  hak_large_t *hdr = header_of(p);
  if (hdr->magic == HAK_LARGE_FREED) { _hak_error(fn, "double free", p); return; }
  if (hdr->magic != HAK_LARGE_LIVE) { _hak_error(fn, "invalid pointer", p); return; }
  atomic_fetch_sub_explicit(&_hak_counters.large_blocks, 1, memory_order_relaxed);
  hdr->magic = HAK_LARGE_FREED;
  _hak_lock(&_hak_large_lock);
  int cached = 0;
  if (cache_count < HAK_LARGE_CACHE_MAX && cache_bytes + hdr->map_size <= HAK_LARGE_CACHE_BYTES) {
    hdr->cache_next = cache;
    cache = hdr;
    cache_count++;
    cache_bytes += hdr->map_size;
    cached = 1;
  }
  _hak_unlock(&_hak_large_lock);
  if (!cached) unmap_block(hdr);
}

/* Resize a live large block to `size` (> HAK_SMALL_MAX). NULL when the
 * kernel refuses: the caller then copies. */
void *_hak_large_realloc(void *p, size_t size) {
  hak_large_t *hdr = header_of(p);
  if (size > PTRDIFF_MAX - HAK_SS_SIZE) { errno = ENOMEM; return NULL; }
  size_t usable = (size + HAK_PAGE - 1) & ~(size_t)(HAK_PAGE - 1);
  /* In place while the block is at most twice the size asked (as for small
   * blocks in hak_realloc). */
  if (size <= hdr->usable && hdr->usable / 2 <= size) return p;
  size_t new_map = (size_t)((uint8_t *)p - (uint8_t *)hdr->map_base) + usable;
  if (usable < hdr->usable) {             /* shrink: drop the tail pages */
    size_t drop = hdr->map_size - new_map;
    _hak_os_unmap((uint8_t *)hdr->map_base + new_map, drop);
    atomic_fetch_sub_explicit(&_hak_counters.mapped, drop, memory_order_relaxed);
    hdr->map_size = new_map;
    hdr->usable = usable;
    return p;
  }
  if (_hak_os_remap_inplace(hdr->map_base, hdr->map_size, new_map) == 0) {
    atomic_fetch_add_explicit(&_hak_counters.mapped, new_map - hdr->map_size, memory_order_relaxed);
    hdr->map_size = new_map;
    hdr->usable = usable;
    return p;
  }
  /* Move: reserve an aligned range, then let the kernel move the pages. */
  void *base; size_t mapped;
  uint8_t *q = _hak_os_map_aligned(HAK_PAGE + usable, HAK_SS_SIZE, HAK_PAGE, &base, &mapped);
  if (q == NULL) return NULL;
  size_t old_map = hdr->map_size;
  void *old_base = hdr->map_base;
  /* Forget p before its range goes back to the kernel: another thread may
   * get that address from mmap at once and record its own chunk there. */
  _hak_chunk_set((uintptr_t)p, HAK_CHUNK_NONE);
  if (_hak_os_remap_fixed(old_base, old_map, mapped, base) == NULL) {
    _hak_chunk_set((uintptr_t)p, HAK_CHUNK_LARGE);
    _hak_os_unmap(base, mapped);
    return NULL;
  }
  hdr = header_of(q);                     /* the header moved with the pages */
  hdr->map_base = base;
  hdr->map_size = mapped;
  hdr->usable = usable;
  _hak_chunk_set((uintptr_t)q, HAK_CHUNK_LARGE);
  atomic_fetch_add_explicit(&_hak_counters.mapped, mapped - old_map, memory_order_relaxed);
  return q;
}

/* hak_collect(): unmap every cached block. */
void _hak_large_collect(void) {
  _hak_lock(&_hak_large_lock);
  hak_large_t *list = cache;
  cache = NULL;
  cache_count = 0;
  cache_bytes = 0;
  _hak_unlock(&_hak_large_lock);
  while (list) {
    hak_large_t *next = list->cache_next;
    unmap_block(list);
    list = next;
  }
}
