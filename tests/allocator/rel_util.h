/* rel_util.h: small helpers of the test programs written for plain malloc
 * (bad_free.c, oom_rlimit.c, the second scenarios of fork.c and
 * threadreuse.c); rel_rss_kib() also for the RSS bounds of memreturn.c,
 * leakchurn.c, slotdecay.c and threadreuse.c.
 *
 * Blocks are filled with a pattern derived from a per-block tag so that a
 * block overwritten by another (or handed out twice) is caught when it is
 * checked. The programs call plain malloc/free: LD_PRELOAD picks the
 * allocator, and malloc_library() reports which one actually serves malloc.
 */
#ifndef REL_UTIL_H
#define REL_UTIL_H

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline uint64_t rel_next(uint64_t *s) {   /* xorshift64*: fast, repeatable */
  uint64_t x = *s;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static inline unsigned char rel_byte(uint64_t tag, size_t i) {
  return (unsigned char)((tag * 31u + i * 7u + (i >> 8)) ^ (tag >> 8));
}

static inline void rel_fill(void *p, size_t n, uint64_t tag) {
  unsigned char *b = p;
  for (size_t i = 0; i < n; i++) b[i] = rel_byte(tag, i);
}

/* Returns the index of the first wrong byte, or (size_t)-1 when intact. */
static inline size_t rel_check(const void *p, size_t n, uint64_t tag) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i] != rel_byte(tag, i)) return i;
  return (size_t)-1;
}

/* Resident set size of this process now, in KiB (from /proc/self/statm). */
static inline long rel_rss_kib(void) {
  long pages_total = 0, pages_res = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &pages_total, &pages_res) != 2) pages_res = -1;
  fclose(f);
  return pages_res < 0 ? -1 : pages_res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The shared object that malloc resolves to in this process. */
static inline const char *rel_malloc_library(void) {
  Dl_info info;
  void *(*m)(size_t) = malloc;
  if (dladdr(*(void **)&m, &info) && info.dli_fname) return info.dli_fname;
  return "unknown";
}

#endif
