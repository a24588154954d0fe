/* conform_sizes.c: sizes at the edges. glibc's tst-malloc-too-large
 * pattern (sizes above PTRDIFF_MAX through every allocation function: NULL
 * and ENOMEM), zero sizes, realloc's edges, free(NULL) and errno, calloc
 * zeroing reused memory.
 *
 * The rule for a size above PTRDIFF_MAX (glibc manual, "Memory Allocation
 * and C"; C says NULL, POSIX says ENOMEM): the call fails with a null
 * pointer (posix_memalign: returns ENOMEM) and errno is ENOMEM; a block
 * given to realloc/reallocarray stays valid and unchanged. */
#include "check.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- too large ---------------------------------------------------------- */

/* Sizes above PTRDIFF_MAX: SIZE_MAX - k for small k and around page and
 * alignment boundaries, and PTRDIFF_MAX + 1 + k. */
static size_t too_large_sizes(size_t *out)
{
  static const size_t ks[] = { 4095, 4096, 4097, 65535, 65536, 1 << 20, (size_t)1 << 30 };
  size_t n = 0;
  for (size_t k = 0; k < 64; k++) out[n++] = SIZE_MAX - k;
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) out[n++] = SIZE_MAX - ks[i];
  for (size_t k = 0; k < 3; k++) out[n++] = (size_t)PTRDIFF_MAX + 1 + k * 4096;
  return n;
}

static unsigned nchecks;

/* One expected failure: r must be NULL and errno ENOMEM. `call` and its
 * arguments describe the call for the message. */
static void expect_null(void *r, int err, const char *call, ...) CK_PRINTF(3, 4);
static void expect_null(void *r, int err, const char *call, ...)
{
  nchecks++;
  if (r == NULL && err == ENOMEM) return;
  char what[128];
  va_list ap;
  va_start(ap, call);
  vsnprintf(what, sizeof what, call, ap);
  va_end(ap);
  if (r) {
    ck_record("%s returned %p, not NULL", what, r);
    free(r);
  } else {
    ck_record("%s returned NULL with errno %d, not ENOMEM", what, err);
  }
}

static int finish(void)
{
  ck_line("NOTE %u checks, %u failed", nchecks, ck_failures());
  return ck_result();
}

static int too_large_malloc(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  for (size_t i = 0; i < n; i++) {
    errno = 0;
    void *r = malloc(s[i]);
    expect_null(r, errno, "malloc(%#zx)", s[i]);
  }
  return finish();
}

static int too_large_calloc(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  for (size_t i = 0; i < n; i++)
    for (size_t m = 1; m <= 8; m *= 2) {
      errno = 0;
      void *r = calloc(m, s[i] / m);
      expect_null(r, errno, "calloc(%zu, %#zx)", m, s[i] / m);
      if (m == 1) continue;     /* s + 1 may wrap to 0 */
      errno = 0;
      r = calloc(s[i] / m + 1, m);          /* product overflows or is too large */
      expect_null(r, errno, "calloc(%#zx, %zu)", s[i] / m + 1, m);
    }
  /* Products that wrap to small numbers. */
  static const size_t wrap[][2] = { { (size_t)1 << 32, (size_t)1 << 32 },
                                    { ((size_t)1 << 63) + 1, 2 },
                                    { SIZE_MAX / 3 + 1, 3 },
                                    { ((size_t)1 << 60) + 1, 16 } };
  for (size_t i = 0; i < 4; i++) {
    errno = 0;
    void *r = calloc(wrap[i][0], wrap[i][1]);
    expect_null(r, errno, "calloc(%#zx, %#zx)", wrap[i][0], wrap[i][1]);
  }
  return finish();
}

/* realloc/reallocarray: the old block must survive a failed call. */
static void check_kept(const char *call, unsigned char *p)
{
  if (!ck_intact(p, 100, 9)) ck_record("%s failed but changed the old block", call);
}

static int too_large_realloc(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  unsigned char *p = malloc(100);
  if (!p) return ck_fail("malloc(100) returned NULL");
  ck_fill(p, 100, 9);
  for (size_t i = 0; i < n; i++) {
    errno = 0;
    void *r = realloc(p, s[i]);
    expect_null(r, errno, "realloc(p, %#zx)", s[i]);
    if (r) {
      p = malloc(100);
      if (!p) return ck_fail("malloc(100) returned NULL");
      ck_fill(p, 100, 9);
    }
    check_kept("realloc", p);
  }
  free(p);
  return finish();
}

static int too_large_reallocarray(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  unsigned char *p = malloc(100);
  if (!p) return ck_fail("malloc(100) returned NULL");
  ck_fill(p, 100, 9);
  for (size_t i = 0; i < n; i++)
    for (size_t m = 1; m <= 8; m *= 2)
      for (int over = 0; over < 1 + (m > 1); over++) {   /* m = 1: s + 1 may wrap */
        size_t a = over ? s[i] / m + 1 : m, b = over ? m : s[i] / m;
        errno = 0;
        void *r = reallocarray(p, a, b);
        expect_null(r, errno, "reallocarray(p, %#zx, %#zx)", a, b);
        if (r) {
          p = malloc(100);
          if (!p) return ck_fail("malloc(100) returned NULL");
          ck_fill(p, 100, 9);
        }
        check_kept("reallocarray", p);
      }
  free(p);
  return finish();
}

static int too_large_memalign(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  for (size_t i = 0; i < n; i++)
    for (size_t al = 1; al <= 256; al *= 2) {
      errno = 0;
      void *r = memalign(al, s[i]);
      expect_null(r, errno, "memalign(%zu, %#zx)", al, s[i]);
    }
  return finish();
}

static int too_large_posix_memalign(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  for (size_t i = 0; i < n; i++)
    for (size_t al = sizeof(void *); al <= 256; al *= 2) {
      void *r = NULL;
      int e = posix_memalign(&r, al, s[i]);
      nchecks++;
      if (e == 0)
        ck_record("posix_memalign(%#zx, %#zx) succeeded (%p)", al, s[i], r), free(r);
      else if (e != ENOMEM)
        ck_record("posix_memalign(%#zx, %#zx) returned %d, not ENOMEM", al, s[i], e);
    }
  return finish();
}

static int too_large_aligned_alloc(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  for (size_t i = 0; i < n; i++)
    for (size_t al = 1; al <= 256; al *= 2) {
      errno = 0;
      void *r = aligned_alloc(al, s[i]);
      expect_null(r, errno, "aligned_alloc(%zu, %#zx)", al, s[i]);
    }
  return finish();
}

static int too_large_valloc(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  for (size_t i = 0; i < n; i++) {
    errno = 0;
    void *r = valloc(s[i]);
    expect_null(r, errno, "valloc(%#zx)", s[i]);
  }
  return finish();
}

static int too_large_pvalloc(size_t unused)
{
  (void)unused;
  size_t s[128], n = too_large_sizes(s);
  for (size_t i = 0; i < n; i++) {
    errno = 0;
    void *r = pvalloc(s[i]);
    expect_null(r, errno, "pvalloc(%#zx)", s[i]);
  }
  return finish();
}

/* ---- zero and small sizes ----------------------------------------------- */

/* malloc(0), calloc with a zero, realloc(NULL, 0), the aligned family with
 * size 0: NULL or a unique, freeable pointer (glibc: a unique pointer). */
static int zero_sizes(size_t unused)
{
  (void)unused;
  void *r[9];
  void *pm = (void *)1;
  r[0] = malloc(0);
  r[1] = malloc(0);
  r[2] = calloc(0, 0);
  r[3] = calloc(0, 16);
  r[4] = calloc(16, 0);
  r[5] = realloc(NULL, 0);
  r[6] = memalign(64, 0);
  r[7] = aligned_alloc(64, 0);
  int e = posix_memalign(&pm, 64, 0);
  if (e != 0) ck_record("posix_memalign(64, 0) returned %d", e);
  r[8] = e == 0 ? pm : NULL;
  for (int i = 0; i < 9; i++)
    for (int j = i + 1; j < 9; j++)
      if (r[i] && r[i] == r[j]) ck_record("zero-size calls %d and %d returned the same %p", i, j, r[i]);
  for (int i = 0; i < 9; i++) free(r[i]);
  /* malloc(1) is writable. */
  unsigned char *p = malloc(1);
  if (!p) ck_record("malloc(1) returned NULL");
  else {
    p[0] = 0x5a;
    if (malloc_usable_size(p) < 1) ck_record("malloc_usable_size(malloc(1)) is 0");
    free(p);
  }
  return ck_result();
}

/* realloc: NULL acts as malloc; contents kept through growth and shrinking
 * over 1 B .. 4 MiB; realloc(p, 0) frees p and returns NULL or a unique
 * pointer (C17: implementation-defined; glibc 2.36: NULL). */
static int realloc_edges(size_t unused)
{
  (void)unused;
  unsigned char *p = realloc(NULL, 100);
  if (!p) return ck_fail("realloc(NULL, 100) returned NULL");
  ck_fill(p, 100, 1);
  static const size_t steps[] = { 1, 17, 100, 4000, 70000, 1 << 20, 4 << 20, 300000, 5000, 24, 3 };
  size_t have = 100;
  unsigned seed = 1;
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    size_t keep = have < steps[i] ? have : steps[i];
    unsigned char *q = realloc(p, steps[i]);
    if (!q) return ck_fail("realloc(%zu -> %zu) returned NULL", have, steps[i]);
    if (!ck_intact(q, keep, seed)) ck_record("realloc(%zu -> %zu) lost the contents", have, steps[i]);
    p = q;
    have = steps[i];
    ck_fill(p, have, ++seed);
  }
  errno = 0;
  void *z = realloc(p, 0);
  ck_line("NOTE realloc(p, 0) returned %s", z ? "a pointer" : "NULL");
  free(z);
  return ck_result();
}

/* free(NULL) does nothing; free() keeps errno (POSIX.1-2024), for small,
 * medium and large blocks (a large one may be unmapped). */
static int free_errno(size_t unused)
{
  (void)unused;
  static const size_t sizes[] = { 0, 16, 4096, 65536, 1 << 20, 64 << 20 };
  errno = 4242;
  free(NULL);
  if (errno != 4242) ck_record("free(NULL) changed errno to %d", errno);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    void *p = malloc(sizes[i]);
    if (!p) return ck_fail("malloc(%zu) returned NULL", sizes[i]);
    errno = 4242;
    free(p);
    if (errno != 4242) ck_record("free() of a %zu-byte block changed errno to %d", sizes[i], errno);
  }
  return ck_result();
}

/* calloc returns zeroes also where it reuses memory the program dirtied. */
static int calloc_zeroed(size_t unused)
{
  (void)unused;
  static const size_t sizes[] = { 16, 100, 4096, 65536, 1 << 20, 8 << 20 };
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    for (int round = 0; round < 4; round++) {
      size_t n = sizes[i];
      unsigned char *d = malloc(n);
      if (!d) return ck_fail("malloc(%zu) returned NULL", n);
      memset(d, 0xa5, n);
      free(d);
      unsigned char *c = calloc(1, n);
      if (!c) return ck_fail("calloc(1, %zu) returned NULL", n);
      for (size_t k = 0; k < n; k++)
        if (c[k]) {
          ck_record("calloc(1, %zu) byte %zu is %#x, not 0", n, k, c[k]);
          break;
        }
      free(c);
    }
  return ck_result();
}

static const struct ck_scenario table[] = {
  { "too_large_malloc", too_large_malloc, 0, "malloc(size > PTRDIFF_MAX): NULL, ENOMEM" },
  { "too_large_calloc", too_large_calloc, 0,
    "calloc of too-large and overflowing products: NULL, ENOMEM" },
  { "too_large_realloc", too_large_realloc, 0, "realloc(p, too large): NULL, ENOMEM, p kept" },
  { "too_large_reallocarray", too_large_reallocarray, 0,
    "reallocarray(p, too large or overflowing): NULL, ENOMEM, p kept" },
  { "too_large_memalign", too_large_memalign, 0, "memalign(1..256, too large): NULL, ENOMEM" },
  { "too_large_posix_memalign", too_large_posix_memalign, 0,
    "posix_memalign(8..256, too large): ENOMEM" },
  { "too_large_aligned_alloc", too_large_aligned_alloc, 0,
    "aligned_alloc(1..256, too large): NULL, ENOMEM" },
  { "too_large_valloc", too_large_valloc, 0, "valloc(too large): NULL, ENOMEM" },
  { "too_large_pvalloc", too_large_pvalloc, 0,
    "pvalloc(too large, rounding up overflows): NULL, ENOMEM" },
  { "zero_sizes", zero_sizes, 0, "size 0 everywhere: NULL or unique pointers; malloc(1) writable" },
  { "realloc_edges", realloc_edges, 0, "realloc(NULL, n), contents through 1 B..4 MiB, realloc(p, 0)" },
  { "free_errno", free_errno, 0, "free(NULL) is a no-op; free() keeps errno" },
  { "calloc_zeroed", calloc_zeroed, 0, "calloc zeroes reused memory, 16 B..8 MiB" },
};

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_CONFORM, "Sizes at the edges; prints RESULT pass|fail (README.md).",
                 table, sizeof table / sizeof table[0]);
}
