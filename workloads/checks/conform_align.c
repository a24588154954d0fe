/* conform_align.c: alignment of plain and aligned allocations, usable size.
 *
 * Rules checked (C17 7.22.3, POSIX, glibc manual):
 *   malloc          every block aligned to alignof(max_align_t) (16 here), as
 *                   C11 and glibc promise: align_max_align_t. C17 (DR 445)
 *                   only asks for the alignment of an object that fits in
 *                   the size: align_c17 checks that weaker rule.
 *   posix_memalign  alignment a power of two multiple of sizeof(void *), else
 *                   EINVAL with *memptr untouched; on success aligned.
 *   aligned_alloc   (C17, DR 460) any size with a valid alignment; an
 *                   alignment that is not a power of two fails with NULL.
 *   memalign, valloc, pvalloc  aligned as asked (a page for the last two);
 *                   pvalloc rounds the size up to a page.
 *   malloc_usable_size  at least the size asked, every byte writable without
 *                   touching another block.
 */
#include "check.h"

#include <errno.h>
#include <malloc.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXAL ((size_t)64 << 20)   /* largest alignment tried: 64 MiB */

static int aligned(const void *p, size_t al) { return ((uintptr_t)p & (al - 1)) == 0; }

/* Write the first and last byte, and all of a small block. */
static void touch(void *p, size_t n)
{
  unsigned char *c = p;
  if (n <= 65536) memset(c, 0x5a, n);
  else c[0] = c[n - 1] = 0x5a;
}

static int check_sizes(size_t (*required)(size_t))
{
  void **b = ck_mem(4097 * sizeof *b);
  for (size_t n = 1; n <= 4096; n++) {
    b[n] = malloc(n);
    if (!b[n]) return ck_fail("malloc(%zu) returned NULL", n);
    if (!aligned(b[n], required(n)))
      ck_record("malloc(%zu) = %p, not aligned to %zu", n, b[n], required(n));
  }
  for (size_t n = 1; n <= 4096; n++) free(b[n]);
  return ck_result();
}

static size_t req_max_align(size_t n) { (void)n; return alignof(max_align_t); }
static size_t req_c17(size_t n)
{
  size_t a = alignof(max_align_t);
  while (a > n) a /= 2;         /* largest power of two <= n, at most 16 */
  return a;
}

static int align_max_align_t(size_t u) { (void)u; return check_sizes(req_max_align); }
static int align_c17(size_t u) { (void)u; return check_sizes(req_c17); }

/* memalign with every power-of-two alignment 1 B .. 64 MiB. */
static int memalign_range(size_t u)
{
  (void)u;
  for (size_t al = 1; al <= MAXAL; al *= 2) {
    const size_t sizes[] = { 1, 100, al, al + 1 };
    for (int i = 0; i < 4; i++) {
      void *p = memalign(al, sizes[i]);
      if (!p) { ck_record("memalign(%zu, %zu) returned NULL", al, sizes[i]); continue; }
      if (!aligned(p, al)) ck_record("memalign(%zu, %zu) = %p, not aligned", al, sizes[i], p);
      touch(p, sizes[i]);
      free(p);
    }
  }
  return ck_result();
}

static int posix_memalign_range(size_t u)
{
  (void)u;
  for (size_t al = sizeof(void *); al <= MAXAL; al *= 2) {
    const size_t sizes[] = { 1, 100, al, al + 1 };
    for (int i = 0; i < 4; i++) {
      void *p = NULL;
      int e = posix_memalign(&p, al, sizes[i]);
      if (e) { ck_record("posix_memalign(%zu, %zu) returned %d", al, sizes[i], e); continue; }
      if (!aligned(p, al)) ck_record("posix_memalign(%zu, %zu) = %p, not aligned", al, sizes[i], p);
      touch(p, sizes[i]);
      free(p);
    }
  }
  return ck_result();
}

/* Invalid alignments: EINVAL, and *memptr is left as it was. */
static int posix_memalign_einval(size_t u)
{
  (void)u;
  static const size_t bad[] = { 0, 1, 2, 4, 3, 12, 24, 48, 96, 4095, 4097, 65537 * 8,
                                ((size_t)1 << 63) + 8, SIZE_MAX };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    void *sentinel = (void *)0x5e7;
    void *p = sentinel;
    int e = posix_memalign(&p, bad[i], 64);
    if (e != EINVAL) ck_record("posix_memalign(&p, %#zx, 64) returned %d, not EINVAL", bad[i], e);
    if (p != sentinel) {
      ck_record("posix_memalign(&p, %#zx, 64) changed *memptr to %p", bad[i], p);
      if (e == 0) free(p);
    }
  }
  return ck_result();
}

/* C17: any size with a valid (power of two) alignment, sizes that are not
 * multiples of it included. */
static int aligned_alloc_sizes(size_t u)
{
  (void)u;
  for (size_t al = 1; al <= MAXAL; al *= 2) {
    const size_t sizes[] = { 1, 3, al + 1, 3 * al };
    for (int i = 0; i < 4; i++) {
      void *p = aligned_alloc(al, sizes[i]);
      if (!p) { ck_record("aligned_alloc(%zu, %zu) returned NULL", al, sizes[i]); continue; }
      if (!aligned(p, al)) ck_record("aligned_alloc(%zu, %zu) = %p, not aligned", al, sizes[i], p);
      touch(p, sizes[i]);
      free(p);
    }
  }
  return ck_result();
}

/* C17 7.22.3.1: an alignment that is not valid (valid ones are powers of
 * two, 6.2.8) fails with NULL. POSIX.1-2024 adds errno EINVAL. */
static int aligned_alloc_bad_align(size_t u)
{
  (void)u;
  static const size_t bad[] = { 0, 3, 24, 48, 100, 4097 };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    errno = 0;
    void *p = aligned_alloc(bad[i], 64);
    if (p) {
      ck_record("aligned_alloc(%zu, 64) returned %p, not NULL", bad[i], p);
      free(p);
    } else if (errno != EINVAL) {
      ck_record("aligned_alloc(%zu, 64) returned NULL with errno %d, not EINVAL", bad[i], errno);
    }
  }
  return ck_result();
}

static int valloc_pages(size_t u)
{
  (void)u;
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  const size_t sizes[] = { 1, 100, pg, pg + 1, 1 << 20 };
  for (int i = 0; i < 5; i++) {
    void *p = valloc(sizes[i]);
    if (!p) { ck_record("valloc(%zu) returned NULL", sizes[i]); continue; }
    if (!aligned(p, pg)) ck_record("valloc(%zu) = %p, not page-aligned", sizes[i], p);
    touch(p, sizes[i]);
    free(p);
  }
  return ck_result();
}

/* pvalloc rounds the size up to a whole page: every byte of it is usable. */
static int pvalloc_pages(size_t u)
{
  (void)u;
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  const size_t sizes[] = { 1, 100, pg, pg + 1 };
  for (int i = 0; i < 4; i++) {
    size_t whole = (sizes[i] + pg - 1) / pg * pg;
    unsigned char *p = pvalloc(sizes[i]);
    if (!p) { ck_record("pvalloc(%zu) returned NULL", sizes[i]); continue; }
    if (!aligned(p, pg)) ck_record("pvalloc(%zu) = %p, not page-aligned", sizes[i], (void *)p);
    size_t us = malloc_usable_size(p);
    if (us < whole) ck_record("pvalloc(%zu): usable size %zu < %zu", sizes[i], us, whole);
    memset(p, 0x5a, whole);
    free(p);
  }
  return ck_result();
}

/* malloc_usable_size(p) >= n, and all of it can be written with every
 * block live: no block's usable bytes overlap another's. */
static int usable_size_writable(size_t u)
{
  (void)u;
  enum { N = 1200 };
  void **b = ck_mem(N * sizeof *b);
  size_t *us = ck_mem(N * sizeof *us);
  for (size_t i = 0; i < N; i++) {
    size_t n = i < 1024 ? i + 1 : (size_t)1 << (i % 21);   /* 1..1024, then 1 B..1 MiB */
    if (i % 7 == 6) b[i] = memalign(64, n);
    else b[i] = malloc(n);
    if (!b[i]) return ck_fail("allocation of %zu bytes returned NULL", n);
    us[i] = malloc_usable_size(b[i]);
    if (us[i] < n) ck_record("malloc_usable_size of a %zu-byte block is %zu", n, us[i]);
    ck_fill(b[i], us[i], (unsigned)i);
  }
  for (size_t i = 0; i < N; i++)
    if (!ck_intact(b[i], us[i], (unsigned)i))
      ck_record("the usable bytes of block %zu (%p, %zu) were changed by another block", i, b[i], us[i]);
  /* After shrinking with realloc, the usable size still covers the size. */
  for (size_t i = 0; i < N; i += 3) {
    void *q = realloc(b[i], us[i] / 2 + 1);
    if (!q) return ck_fail("realloc shrinking returned NULL");
    b[i] = q;
    size_t v = malloc_usable_size(q);
    if (v < us[i] / 2 + 1) ck_record("usable size %zu after realloc to %zu", v, us[i] / 2 + 1);
    memset(q, 0x77, v);
  }
  for (size_t i = 0; i < N; i++) free(b[i]);
  return ck_result();
}

static const struct ck_scenario table[] = {
  { "align_max_align_t", align_max_align_t, 0, "malloc(1..4096) aligned to alignof(max_align_t)" },
  { "align_c17", align_c17, 0, "malloc(1..4096) aligned as C17 asks (min(16, size) rounded down to 2^k)" },
  { "memalign_range", memalign_range, 0, "memalign, alignments 1 B..64 MiB" },
  { "posix_memalign_range", posix_memalign_range, 0, "posix_memalign, alignments 8 B..64 MiB" },
  { "posix_memalign_einval", posix_memalign_einval, 0, "bad alignments: EINVAL, *memptr untouched" },
  { "aligned_alloc_sizes", aligned_alloc_sizes, 0, "aligned_alloc, 1 B..64 MiB, any size (C17)" },
  { "aligned_alloc_bad_align", aligned_alloc_bad_align, 0, "aligned_alloc, non-power-of-two alignment: NULL, EINVAL" },
  { "valloc", valloc_pages, 0, "valloc: page-aligned" },
  { "pvalloc", pvalloc_pages, 0, "pvalloc: page-aligned, whole pages usable" },
  { "usable_size_writable", usable_size_writable, 0, "malloc_usable_size >= size, every byte writable" },
};

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_CONFORM, "Alignment and usable size; prints RESULT pass|fail (README.md).",
                 table, sizeof table / sizeof table[0]);
}
