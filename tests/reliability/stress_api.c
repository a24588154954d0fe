/* stress_api: every entry point of the hak_ API from several threads at
 * once, for the sanitizer builds (ThreadSanitizer, UndefinedBehaviorSanitizer).
 *
 *   stress_api [--threads T] [--ops N]
 *
 * Each thread runs N random operations: hak_malloc, hak_calloc (checks
 * zeroes), hak_realloc and hak_reallocarray (check the kept prefix),
 * hak_memalign / hak_posix_memalign / hak_aligned_alloc / hak_valloc /
 * hak_pvalloc (check alignment), hak_free, hak_malloc_usable_size (>= size),
 * hak_owns (true for live blocks), plus, now and then, hak_stats_get and
 * hak_collect while the other threads allocate (no invalid free may be
 * counted). A quarter of the blocks are
 * passed to other threads through an exchange array and freed there. Every
 * block carries its size and tag in its first 16 bytes and a pattern after
 * them, checked before it is freed. Exit 0: all checks held; 1: one failed.
 */
#include "hakmem.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static atomic_long failures, ops_done, cross_frees;
/* Counts every failure, prints the first 20. */
#define FAILF(...) do { if (atomic_fetch_add(&failures, 1) < 20) { \
    fprintf(stderr, "stress_api: " __VA_ARGS__); fputc('\n', stderr); } } while (0)

#define XCHG 512
static _Atomic(unsigned char *) exchange[XCHG];

/* Block layout: [size][tag][pattern...], size >= 16. The pattern covers the
 * first KiB, then every 61st byte and the last one: enough to catch a block
 * handed out twice or overwritten, cheap enough under ThreadSanitizer. */
static size_t step(size_t i, size_t n) {
  if (i < 1024) return i + 1;
  if (i + 61 < n - 1) return i + 61;
  return i < n - 1 ? n - 1 : n;
}
static void stamp(unsigned char *p, size_t n, uint64_t tag) {
  memcpy(p, &n, 8);
  memcpy(p + 8, &tag, 8);
  for (size_t i = 16; i < n; i = step(i, n)) p[i] = (unsigned char)(tag + i * 13);
}

static int intact(const unsigned char *p, size_t upto) {
  size_t n;
  uint64_t tag;
  memcpy(&n, p, 8);
  memcpy(&tag, p + 8, 8);
  if (upto > n) upto = n;
  for (size_t i = 16; i < upto; i = step(i, n))
    if (p[i] != (unsigned char)(tag + i * 13)) return 0;
  return 1;
}

static size_t block_size(const unsigned char *p) { size_t n; memcpy(&n, p, 8); return n; }

static void check_live(const unsigned char *p, size_t n, const char *what) {
  if ((uintptr_t)p % 16) FAILF("%s returned %p, not 16-byte aligned", what, (const void *)p);
  if (hak_malloc_usable_size(p) < n) FAILF("%s: usable size %zu < %zu", what, hak_malloc_usable_size(p), n);
  if (!hak_owns(p)) FAILF("%s: hak_owns(%p) is 0 for a live block", what, (const void *)p);
}

static void release(unsigned char *p, const char *who) {
  if (!intact(p, SIZE_MAX)) FAILF("%s: block %p (%zu B) corrupted", who, (void *)p, block_size(p));
  hak_free(p);
}

static size_t pick_size(uint64_t r) {
  switch (r % 16) {
  case 0: return 16 + (r >> 8) % (256 * 1024);         /* up to large blocks */
  case 1: case 2: return 16 + (r >> 8) % 32768;
  default: return 16 + (r >> 8) % 512;
  }
}

static int nops = 20000;

static void *worker(void *arg) {
  uint64_t seed = 0xA5A5A5A5ULL * ((uint64_t)(uintptr_t)arg + 1);
  enum { LOCAL = 64 };
  unsigned char *mine[LOCAL] = {0};
  for (int op = 0; op < nops; op++) {
    uint64_t r = next(&seed);
    unsigned slot = (unsigned)(r >> 32) % LOCAL;
    size_t n = pick_size(next(&seed));
    unsigned char *p = NULL;
    if (mine[slot] && r % 7 < 2) {              /* grow or shrink */
      size_t old = block_size(mine[slot]);
      p = (r % 7 == 0) ? hak_realloc(mine[slot], n) : hak_reallocarray(mine[slot], n / 16 + 1, 16);
      size_t nn = (r % 7 == 0) ? n : (n / 16 + 1) * 16;
      if (!p) { FAILF("realloc to %zu failed", nn); continue; }
      if (!intact(p, old < nn ? old : nn)) FAILF("realloc lost contents (%zu -> %zu)", old, nn);
      stamp(p, nn, r);
      check_live(p, nn, "realloc");
      mine[slot] = p;
      continue;
    }
    if (mine[slot]) {
      if (r % 4 == 0) {                          /* pass it on; free what was there */
        unsigned char *old = atomic_exchange(&exchange[(r >> 16) % XCHG], mine[slot]);
        if (old) { release(old, "other thread"); atomic_fetch_add(&cross_frees, 1); }
      } else {
        release(mine[slot], "owner");
      }
      mine[slot] = NULL;
    }
    size_t align = (size_t)16 << ((r >> 8) % 13);   /* 16 B .. 64 KiB */
    switch ((r >> 4) % 9) {
    case 0: {
      p = hak_calloc(1, n);
      align = 16;
      if (p) for (size_t i = 0; i < n; i = step(i, n)) if (p[i]) { FAILF("calloc(%zu) byte %zu not zero", n, i); break; }
      break;
    }
    case 1: p = hak_memalign(align, n); break;
    case 2: {
      void *q = NULL;
      int rc = hak_posix_memalign(&q, align, n);
      if (rc) FAILF("posix_memalign(%zu, %zu) = %d", align, n, rc);
      p = q;
      break;
    }
    case 3: p = hak_aligned_alloc(align, (n + align - 1) / align * align); break;
    case 4: p = (r % 64 == 0) ? hak_valloc(n) : hak_malloc(n); align = (r % 64 == 0) ? 4096 : 16; break;
    case 5: if (r % 64 == 1) { p = hak_pvalloc(n); align = 4096; } else { p = hak_malloc(n); align = 16; } break;
    default: p = hak_malloc(n); align = 16; break;
    }
    if (!p) { FAILF("allocation of %zu (op %d) failed", n, (int)((r >> 4) % 9)); continue; }
    if ((uintptr_t)p % align) FAILF("%p not aligned to %zu", (void *)p, align);
    check_live(p, n, "allocation");
    stamp(p, n, r);
    mine[slot] = p;
    if (r % 4096 == 0) { hak_stats_t st; hak_stats_get(&st); if (st.invalid_frees) FAILF("stats: %zu invalid frees in a correct program", st.invalid_frees); }
    if (r % 8192 == 1) hak_collect();
    if (r % 512 == 2) { hak_free(NULL); errno = 0; void *z = hak_malloc(0); if (!z) FAILF("malloc(0) returned NULL"); hak_free(z); }
  }
  for (int i = 0; i < LOCAL; i++) if (mine[i]) release(mine[i], "owner at exit");
  atomic_fetch_add(&ops_done, nops);
  return NULL;
}

int main(int argc, char **argv) {
  int nthreads = 4;
  for (int i = 1; i < argc; i += 2) {
    char *end = NULL;
    long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
    if (v < 1 || (end && *end)) { fprintf(stderr, "usage: stress_api [--threads T] [--ops N]\n"); return 2; }
    if (!strcmp(argv[i], "--threads")) nthreads = (int)v;
    else if (!strcmp(argv[i], "--ops")) nops = (int)v;
    else { fprintf(stderr, "usage: stress_api [--threads T] [--ops N]\n"); return 2; }
  }
  for (int round = 0; round < 2; round++) {   /* second round reuses what the first left */
    pthread_t t[64];
    if (nthreads > 64) nthreads = 64;
    for (int i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + round * 64));
    for (int i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
  }
  for (int i = 0; i < XCHG; i++) {
    unsigned char *p = atomic_exchange(&exchange[i], NULL);
    if (p) release(p, "main at exit");
  }
  hak_collect();
  hak_stats_t st;
  hak_stats_get(&st);
  printf("stress_api: %d threads x 2 rounds, %ld ops, %ld cross-thread frees, %ld failures; after hak_collect: %zu KiB mapped, %zu SuperSlabs, %zu large blocks\n",
         nthreads, atomic_load(&ops_done), atomic_load(&cross_frees), atomic_load(&failures),
         st.mapped_bytes >> 10, st.superslabs, st.large_blocks);
  if (atomic_load(&failures)) return 1;
  printf("stress_api: ok\n");
  return 0;
}
