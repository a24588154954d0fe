/* huge.c: blocks too big for the large page heap (above HAK_SEG_BLOCK_MAX,
 * 32 MiB, or aligned beyond HAK_SEG_ALIGN_MAX), each in its own mapping.
 *
 * Layout: [header page][user block ...], the user pointer aligned to 2 MiB
 * (or more when asked), so it is the start of its chunk in the ownership
 * map: free() recognises it by the chunk's kind and an exact address match,
 * and a pointer into the middle of the block never passes for it.
 * A freed huge block is unmapped at once: kept, it would take most of what
 * the page heap keeps committed (64 MiB) or cost a decommit, a system call,
 * all the same (glibc, too, unmaps every free above 32 MiB). realloc resizes with mremap,
 * in place when the kernel can, else by moving the pages to a new aligned
 * range, never by copying.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

hak_inline hak_huge_t *header_of(const void *p) {
  return (hak_huge_t *)((uintptr_t)p - HAK_PAGE);
}

static hak_huge_t *live_header(const void *p) {
  uintptr_t a = (uintptr_t)p;
  if ((a & HAK_BAD_PTR_BITS) || (a & HAK_SS_MASK) || _hak_chunk_kind(a) != HAK_CHUNK_HUGE) return NULL;
  hak_huge_t *hdr = header_of(p);
  return hdr->magic == HAK_HUGE_LIVE ? hdr : NULL;
}

size_t _hak_huge_usable(const void *p) {
  hak_huge_t *hdr = live_header(p);
  return hdr ? hdr->usable : 0;
}

void *_hak_huge_alloc(size_t size, size_t align) {
  if (size > PTRDIFF_MAX - HAK_SS_SIZE || align > ((size_t)1 << (HAK_ADDR_BITS - 1))) {
    errno = ENOMEM;
    return NULL;
  }
  size_t usable = _hak_page_round(size);
  if (usable == 0) usable = HAK_PAGE;
  if (align < HAK_SS_SIZE) align = HAK_SS_SIZE;
  void *base; size_t mapped;
  uint8_t *p = _hak_os_map_aligned(HAK_PAGE + usable, align, HAK_PAGE, &base, &mapped);
  if (p == NULL) return NULL;
  hak_huge_t *hdr = header_of(p);
  hdr->magic = HAK_HUGE_LIVE;
  hdr->map_base = base;
  hdr->map_size = mapped;
  hdr->usable = usable;
  _hak_chunk_set((uintptr_t)p, HAK_CHUNK_HUGE);
  hak_count_add(mapped, mapped);
  hak_count_add(huge_blocks, 1);
  return p;                               /* fresh pages are zero already */
}

/* p is at the start of a chunk marked HAK_CHUNK_HUGE. */
void _hak_huge_free(void *p, const char *fn) {
  hak_huge_t *hdr = header_of(p);
  if (hdr->magic == HAK_HUGE_FREED) { _hak_error(fn, "double free", p); return; }
  if (hdr->magic != HAK_HUGE_LIVE) { _hak_error(fn, "invalid pointer", p); return; }
  hdr->magic = HAK_HUGE_FREED;
  hak_count_sub(huge_blocks, 1);
  /* Forget p before its range goes back to the kernel: another thread may
   * get that address from mmap at once and record its own chunk there. */
  _hak_chunk_set((uintptr_t)p, HAK_CHUNK_NONE);
  hak_count_sub(mapped, hdr->map_size);
  _hak_os_unmap(hdr->map_base, hdr->map_size);
}

/* Resize a live huge block to `size` (> HAK_SMALL_MAX). NULL when the
 * kernel refuses: the caller then copies. */
void *_hak_huge_realloc(void *p, size_t size) {
  hak_huge_t *hdr = header_of(p);
  if (size > PTRDIFF_MAX - HAK_SS_SIZE) { errno = ENOMEM; return NULL; }
  size_t usable = _hak_page_round(size);
  /* In place while the block is at most twice the size asked (as for small
   * blocks in hak_realloc). */
  if (size <= hdr->usable && hdr->usable / 2 <= size) return p;
  size_t new_map = (size_t)((uint8_t *)p - (uint8_t *)hdr->map_base) + usable;
  if (usable < hdr->usable) {             /* shrink: drop the tail pages */
    size_t drop = hdr->map_size - new_map;
    _hak_os_unmap((uint8_t *)hdr->map_base + new_map, drop);
    hak_count_sub(mapped, drop);
    hdr->map_size = new_map;
    hdr->usable = usable;
    return p;
  }
  if (_hak_os_remap_inplace(hdr->map_base, hdr->map_size, new_map) == 0) {
    hak_count_add(mapped, new_map - hdr->map_size);
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
  /* Forget p before its range goes back to the kernel (see _hak_huge_free). */
  _hak_chunk_set((uintptr_t)p, HAK_CHUNK_NONE);
  if (_hak_os_remap_fixed(old_base, old_map, mapped, base) == NULL) {
    _hak_chunk_set((uintptr_t)p, HAK_CHUNK_HUGE);
    _hak_os_unmap(base, mapped);
    return NULL;
  }
  hdr = header_of(q);                     /* the header moved with the pages */
  hdr->map_base = base;
  hdr->map_size = mapped;
  hdr->usable = usable;
  _hak_chunk_set((uintptr_t)q, HAK_CHUNK_HUGE);
  hak_count_add(mapped, mapped - old_map);
  return q;
}
