/* talloc.h: lets every allocator test compile two ways.
 *
 *   -DT_HAK   the test calls hakmem's prefixed API (hak_malloc, ...) and is
 *             linked with libhakmem-api.a or the allocator sources, e.g.
 *             under ThreadSanitizer; the process allocator stays glibc's.
 *   default   the test calls the plain libc names and is run under
 *             LD_PRELOAD=build/libhakmem.so. t_check_served() then proves,
 *             with dladdr() on malloc, that libhakmem.so really serves it.
 *
 *   -DT_STATIC the test calls the plain libc names and is linked with
 *             libhakmem.a; t_check_served() checks with hak_owns() that
 *             malloc's blocks are hakmem's.
 *
 * To validate a test against glibc itself (no preload), set
 * HAKTEST_ANY_MALLOC=1: t_check_served() then reports the library and goes on.
 */
#ifndef TALLOC_H
#define TALLOC_H

#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef T_HAK
#include "hakmem.h"
#define T_malloc          hak_malloc
#define T_free            hak_free
#define T_calloc          hak_calloc
#define T_realloc         hak_realloc
#define T_reallocarray    hak_reallocarray
#define T_posix_memalign  hak_posix_memalign
#define T_aligned_alloc   hak_aligned_alloc
#define T_memalign        hak_memalign
#define T_valloc          hak_valloc
#define T_pvalloc         hak_pvalloc
#define T_usable          hak_malloc_usable_size
#define T_API_NAME        "hak_ API"
#else
#ifdef T_STATIC
#include "hakmem.h"
#define T_API_NAME        "libc names, libhakmem.a"
#else
#define T_API_NAME        "libc names"
#endif
#define T_malloc          malloc
#define T_free            free
#define T_calloc          calloc
#define T_realloc         realloc
#define T_reallocarray    reallocarray
#define T_posix_memalign  posix_memalign
#define T_aligned_alloc   aligned_alloc
#define T_memalign        memalign
#define T_valloc          valloc
#define T_pvalloc         pvalloc
#define T_usable          malloc_usable_size
#endif

/* Returns 1 when hakmem serves the T_ functions, 0 when another allocator
 * does and HAKTEST_ANY_MALLOC=1 allows it; otherwise exits with status 1. */
static inline int t_check_served(const char *prog)
{
#if defined(T_HAK)
  (void)prog;
  printf("%s: allocator: hakmem (hak_ API, linked in)\n", prog);
  return 1;
#elif defined(T_STATIC)
  void *p = malloc(64);
  int owned = p && hak_owns(p);
  free(p);
  printf("%s: malloc %s hakmem's (libhakmem.a linked in)\n", prog, owned ? "is" : "is NOT");
  if (!owned) {
    fprintf(stderr, "%s: FAIL: malloc's block is not hakmem's though libhakmem.a is linked\n", prog);
    exit(1);
  }
  return 1;
#else
  /* Through a volatile pointer so the compiler cannot resolve the symbol
   * itself: this is the address the dynamic linker bound malloc to. */
  void *(*volatile fp)(size_t) = malloc;
  Dl_info info;
  const char *lib = "?";
  if (dladdr((void *)fp, &info) && info.dli_fname)
    lib = info.dli_fname;
  int is_hak = strstr(lib, "libhakmem") != NULL;
  printf("%s: malloc is served by %s\n", prog, lib);
  if (is_hak)
    return 1;
  const char *any = getenv("HAKTEST_ANY_MALLOC");
  if (any && strcmp(any, "1") == 0) {
    printf("%s: not hakmem; going on because HAKTEST_ANY_MALLOC=1\n", prog);
    return 0;
  }
  fprintf(stderr, "%s: FAIL: malloc is not served by libhakmem.so (%s); "
          "run under LD_PRELOAD=build/libhakmem.so\n", prog, lib);
  exit(1);
#endif
}

/* Pattern tied to a block's address: word i of block p. Any block that moves,
 * overlaps another or is handed out twice shows a mismatch. */
static inline unsigned long t_pattern_word(const void *p, size_t i)
{
  return ((unsigned long)(size_t)p * 0x9E3779B97F4A7C15UL) ^ (i * 0xBF58476D1CE4E5B9UL) ^ i;
}

static inline unsigned char t_pattern_byte(const void *p, size_t i)
{
  return (unsigned char)(t_pattern_word(p, i / 8) >> ((i % 8) * 8));
}

/* Fill n bytes at p with its pattern (word-wise, then the tail bytes). */
static inline void t_fill(void *p, size_t n)
{
  unsigned long *w = p;
  size_t nw = n / sizeof *w;
  for (size_t i = 0; i < nw; i++)
    w[i] = t_pattern_word(p, i);
  unsigned char *b = p;
  for (size_t i = nw * sizeof *w; i < n; i++)
    b[i] = t_pattern_byte(p, i);
}

/* Check n bytes at p against the pattern of address `as` (the block's
 * address when it was filled; differs from p after realloc moved it).
 * Returns the index of the first bad byte, or (size_t)-1 when all match. */
static inline size_t t_check_as(const void *p, const void *as, size_t n)
{
  const unsigned long *w = p;
  size_t nw = n / sizeof *w;
  for (size_t i = 0; i < nw; i++)
    if (w[i] != t_pattern_word(as, i)) {
      for (size_t j = i * 8; j < i * 8 + 8; j++)
        if (((const unsigned char *)p)[j] != t_pattern_byte(as, j))
          return j;
    }
  const unsigned char *b = p;
  for (size_t i = nw * sizeof *w; i < n; i++)
    if (b[i] != t_pattern_byte(as, i))
      return i;
  return (size_t)-1;
}

static inline size_t t_check(const void *p, size_t n) { return t_check_as(p, p, n); }

/* Command-line number in [lo, hi]; 0 when s is not one. */
static inline int t_parse_num(const char *s, long lo, long hi, long *out)
{
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

/* xorshift64*: a small, fast per-thread random generator. */
static inline unsigned long t_rand(unsigned long *s)
{
  unsigned long x = *s;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DUL;
}

#endif /* TALLOC_H */
