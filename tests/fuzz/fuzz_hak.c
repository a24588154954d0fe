/* fuzz_hak.c: libFuzzer target over the hak_ API.
 *
 * The input is read as a program of operations on a table of 32 block
 * slots. Each operation takes a few bytes:
 *   op  slot  size(2 bytes, scaled by a shift from the op byte)  [align]
 * Operations: malloc, calloc, realloc, memalign, posix_memalign,
 * aligned_alloc, free, reallocarray, usable-size check, hak_collect.
 * Every live block is filled with a pattern derived from its slot and a
 * generation counter; the pattern is checked before a block is freed and
 * after a realloc (on the preserved prefix). Alignment, hak_owns and the
 * usable-size bound the allocator states (n <= usable, and the block of
 * m = n + 8 bytes, its end mark included, <= m + m/4 + 16 for n <= 32 KiB -
 * 8; usable <= n + n/4 + 4096 above; after realloc, usable <= 2n + 4096)
 * are checked on every allocation.
 * realloc(p, 0) frees p and returns NULL, as glibc does (hakmem.h).
 * A failed check calls abort(), which libFuzzer reports with the input.
 * All blocks are freed at the end of each input.
 *
 * Build: clang -fsanitize=fuzzer,address (tests/fuzz/build.mk), linked with allocator/build.mk's fuzz variant.
 */
#include "hakmem.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 32
typedef struct { unsigned char *p; size_t n; uint32_t gen; } slot_t;
static slot_t slots[SLOTS];
static uint32_t generation;

static void die(const char *what, const void *p, size_t n, size_t extra) {
  fprintf(stderr, "fuzz_hak: %s (pointer %p, size %zu, %zu)\n", what, p, n, extra);
  abort();
}

static unsigned char pat(uint32_t gen, size_t i) { return (unsigned char)(gen * 131u + i * 7u + (i >> 9)); }

/* Patterned bytes: all of the first 4 KiB, then every 61st byte and the
 * last one, so that multi-MiB blocks do not slow the fuzzer to a crawl. */
static size_t next_i(size_t i, size_t n) {
  if (i < 4096) return i + 1;
  return i + 61 < n - 1 ? i + 61 : (i < n - 1 ? n - 1 : n);
}

/* Pattern the sampled bytes from `from` on (after a realloc, the kept prefix
 * already holds it), and the last byte, which the sampling always visits. */
static void fill(slot_t *s, size_t from) {
  for (size_t i = 0; i < s->n; i = next_i(i, s->n))
    if (i >= from || i == s->n - 1) s->p[i] = pat(s->gen, i);
}

static void verify(const slot_t *s, size_t upto, const char *when) {
  for (size_t i = 0; i < upto && i < s->n; i = next_i(i, s->n))
    if (s->p[i] != pat(s->gen, i)) die(when, s->p, s->n, i);
}

/* malloc/calloc: the bound hakmem states. realloc keeps a block in place
 * while the new size is more than half of it (allocator/src/alloc.c, large.c),
 * so after a realloc only "less than twice the size, plus a page" holds. */
enum { BOUND_NONE, BOUND_ALLOC, BOUND_REALLOC };
static void check_new(const unsigned char *p, size_t n, size_t align, int bounded) {
  if ((uintptr_t)p % 16 || (align && (uintptr_t)p % align)) die("misaligned block", p, n, align);
  if (!hak_owns(p)) die("hak_owns is 0 for a live block", p, n, 0);
  size_t u = hak_malloc_usable_size(p);
  if (u < n) die("usable size below the request", p, n, u);
  /* Up to 32 KiB - 8 a small block: the request and its 8-byte end mark,
   * m = n + 8, round up to at most m + m/4 + 16 (usable is the block - 8). */
  size_t m = n + 8;
  if (bounded == BOUND_ALLOC && (n <= 32760 ? u + 8 > m + m / 4 + 16 : u > n + n / 4 + 4096))
    die("usable size over the stated waste bound", p, n, u);
  if (bounded == BOUND_REALLOC && u > 2 * n + 4096) die("realloc kept a block over twice the size", p, n, u);
}

/* s's block was resized to p of n bytes: its first `keep` bytes must have
 * survived; check p as a resized block and pattern the rest. */
static void resized(slot_t *s, unsigned char *p, size_t n, size_t keep, const char *lost) {
  s->p = p;
  verify(s, keep, lost);
  s->n = n;
  check_new(p, n, 0, BOUND_REALLOC);
  fill(s, keep);
}

static void release(slot_t *s) {
  if (!s->p) return;
  verify(s, s->n, "block changed while live");
  hak_free(s->p);
  s->p = NULL;
  s->n = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len) {
  size_t i = 0;
  while (i + 4 <= len) {
    uint8_t op = data[i], sl = data[i + 1];
    static const unsigned char shift[8] = {0, 0, 0, 0, 1, 2, 4, 6};          /* up to 4 MiB */
    size_t n = ((size_t)data[i + 2] | (size_t)data[i + 3] << 8) << shift[op >> 5];
    i += 4;
    size_t align = (size_t)1 << ((sl >> 3) % 21);                              /* 1 B .. 1 MiB */
    slot_t *s = &slots[sl % SLOTS];
    unsigned char *p = NULL;
    switch (op & 15) {
    case 0: case 1:
      release(s);
      p = hak_malloc(n);
      if (!p) die("malloc failed", NULL, n, 0);
      check_new(p, n, 0, BOUND_ALLOC);
      break;
    case 2: {
      release(s);
      size_t k = 1 + (sl & 7);
      p = hak_calloc(k, n / k);
      if (!p) die("calloc failed", NULL, n, k);
      for (size_t j = 0; j < k * (n / k); j = next_i(j, k * (n / k))) if (p[j]) die("calloc memory not zero", p, n, j);
      n = k * (n / k);
      check_new(p, n, 0, BOUND_ALLOC);
      break;
    }
    case 3: case 4: {                                   /* realloc keeps the prefix */
      if (!s->p) continue;
      size_t keep = s->n < n ? s->n : n;
      if (n == 0) verify(s, s->n, "block changed while live");
      p = hak_realloc(s->p, n);
      if (n == 0) {                                     /* as glibc: freed, NULL */
        if (p) die("realloc(p, 0) returned a block", p, 0, 0);
        s->p = NULL;
        s->n = 0;
        continue;
      }
      if (!p) die("realloc failed", s->p, n, 0);
      resized(s, p, n, keep, "realloc lost contents");
      continue;
    }
    case 5:
      release(s);
      p = hak_memalign(align, n);
      if (!p) die("memalign failed", NULL, n, align);
      check_new(p, n, align, BOUND_NONE);
      break;
    case 6: {
      release(s);
      void *q = NULL;
      if (hak_posix_memalign(&q, 3, 16) != EINVAL) die("posix_memalign(3) did not return EINVAL", NULL, 16, 3);
      int rc = hak_posix_memalign(&q, align < sizeof(void *) ? sizeof(void *) : align, n);
      if (rc) die("posix_memalign failed", NULL, n, align);
      p = q;
      check_new(p, n, align, BOUND_NONE);
      break;
    }
    case 7:
      release(s);
      n = (n + align - 1) / align * align;
      p = hak_aligned_alloc(align, n);
      if (!p) die("aligned_alloc failed", NULL, n, align);
      check_new(p, n, align, BOUND_NONE);
      break;
    case 8: case 9: case 10:
      release(s);
      continue;
    case 11: {                                          /* reallocarray, with overflow */
      if (!s->p) continue;
      errno = 0;
      if (hak_reallocarray(s->p, SIZE_MAX / 2, 4) != NULL || errno != ENOMEM)
        die("reallocarray overflow did not fail with ENOMEM", s->p, s->n, 0);
      size_t keep = s->n < n ? s->n : n;
      n += !n;                                          /* size 0 is realloc's case above */
      p = hak_reallocarray(s->p, 1, n);
      if (!p) die("reallocarray failed", s->p, n, 0);
      resized(s, p, n, keep, "reallocarray lost contents");
      continue;
    }
    case 12:
      if (s->p && hak_malloc_usable_size(s->p) < s->n) die("usable size shrank", s->p, s->n, 0);
      continue;
    case 13:
      if ((sl & 15) == 0) hak_collect();
      continue;
    default:                                            /* small blocks, the common case */
      release(s);
      n &= 1023;
      p = hak_malloc(n);
      if (!p) die("malloc failed", NULL, n, 0);
      check_new(p, n, 0, BOUND_ALLOC);
      break;
    }
    s->p = p;
    s->n = n;
    s->gen = ++generation;
    fill(s, 0);
  }
  for (int k = 0; k < SLOTS; k++) release(&slots[k]);
  return 0;
}
