/* os.c: everything that talks to the kernel about memory. */
#include <errno.h>
#include <sys/mman.h>
#include <time.h>
#include "internal.h"

void *_hak_os_map(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    errno = ENOMEM;
    return NULL;
  }
  return p;
}

/* Map `size` bytes such that base + lead is aligned to `align` (a power of
 * two >= page): over-map by align, then trim both ends. Returns the aligned
 * address (base + lead); *base_out and *mapped_out describe the mapping. */
void *_hak_os_map_aligned(size_t size, size_t align, size_t lead, void **base_out, size_t *mapped_out) {
  size_t total = size + align;
  if (total < size) { errno = ENOMEM; return NULL; }
  uint8_t *raw = _hak_os_map(total);
  if (raw == NULL) return NULL;
  uintptr_t aligned = ((uintptr_t)raw + lead + align - 1) & ~(uintptr_t)(align - 1);
  uint8_t *base = (uint8_t *)(aligned - lead);
  size_t head = (size_t)(base - raw);
  size_t tail = total - head - size;
  if (head) munmap(raw, head);
  if (tail) munmap(base + size, tail);
  *base_out = base;
  *mapped_out = size;
  return (void *)aligned;
}

void _hak_os_unmap(void *p, size_t size) { munmap(p, size); }

/* Give the pages back but keep the range mapped (reads see zeros). */
void _hak_os_decommit(void *p, size_t size) { madvise(p, size, MADV_DONTNEED); }

/* Move a mapping to `dest` (a range this process reserved) without copying. */
void *_hak_os_remap_fixed(void *old, size_t old_size, size_t new_size, void *dest) {
  void *p = mremap(old, old_size, new_size, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
  return p == MAP_FAILED ? NULL : p;
}

/* Grow or shrink a mapping where it is; 0 on success. */
int _hak_os_remap_inplace(void *old, size_t old_size, size_t new_size) {
  return mremap(old, old_size, new_size, 0) == MAP_FAILED ? -1 : 0;
}

/* Milliseconds of a monotonic clock, for decay (wraps after 49 days: compare
 * differences). The coarse clock is read from the vDSO, without a system
 * call, at the kernel tick's resolution (1-4 ms). */
uint32_t _hak_os_clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}
