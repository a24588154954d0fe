/* stress.c: multithreaded stress test of the allocator.
 *
 * THREADS workers (default 16, far more than the cores) allocate blocks of
 * 1 B..1 MiB (mostly small), fill each with a pattern tied to its address and
 * check it before every free and realloc. Blocks move between threads through
 * a shared exchange array (atomic exchange of descriptors), so a large share
 * of frees happen in a thread other than the one that allocated the block.
 * Each worker lives for a bounded number of operations, then hands its blocks
 * to the exchange array and exits; the main thread starts a new one in its
 * place, so blocks of exited threads are freed by threads that came later.
 *
 * usage: stress [-t threads] [-s seconds] [-l ops_per_life] [-m max_size]
 * Exit 0: no corruption and enough cross-thread frees; 1: a check failed;
 * 2: bad arguments. Built as stress-libc (LD_PRELOAD), stress-hak,
 * stress-tsan and stress-ubsan (hak_ API, linked with the allocator's tsan
 * and ubsan variants); see talloc.h.
 *
 * The second scenario, `stress api` (hak_ API builds only): every entry
 * point of the hak_ API from several threads at once, for the sanitizer
 * builds (ThreadSanitizer, UndefinedBehaviorSanitizer).
 *
 *   stress api [--threads T] [--ops N]
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
#include "talloc.h"
#include "hakmem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* A block and what is needed to check it; allocated from the allocator under
 * test too, so descriptors are also freed across threads. */
typedef struct blk_s {
  unsigned long magic;       /* BLK_MAGIC ^ address of this descriptor */
  unsigned char *p;
  size_t n;
  unsigned owner;            /* life number of the thread that allocated p */
} blk_t;

#define BLK_MAGIC 0x5354524553534b31UL
#define EXCHANGE  4096
#define LOCAL     256

static _Atomic(blk_t *) exchange[EXCHANGE];
static atomic_ulong n_alloc, n_free, n_cross, n_realloc, n_bad, n_lives;
static atomic_uint next_life = 1;
static size_t max_size = 1 << 20;
static long ops_per_life = 20000;

static size_t pick_size(unsigned long *rs)
{
  unsigned long r = t_rand(rs);
  unsigned pct = (unsigned)(r % 1000);
  size_t lim;
  if (pct < 900) lim = 256;               /* 90% tiny and small   */
  else if (pct < 985) lim = 32768;        /* 8.5% medium          */
  else lim = max_size;                    /* 1.5% up to max_size  */
  if (lim > max_size) lim = max_size;
  return 1 + (size_t)((r >> 16) % lim);
}

static blk_t *blk_new(size_t n, unsigned life)
{
  blk_t *b = T_malloc(sizeof *b);
  unsigned char *p = T_malloc(n);
  if (!b || !p) {
    fprintf(stderr, "stress: malloc(%zu) returned NULL\n", b ? n : sizeof *b);
    atomic_fetch_add(&n_bad, 1);
    T_free(b); T_free(p);
    return NULL;
  }
  if (((uintptr_t)p & 15) || ((uintptr_t)b & 15)) {
    fprintf(stderr, "stress: pointer %p not 16-byte aligned\n", (uintptr_t)p & 15 ? (void *)p : (void *)b);
    atomic_fetch_add(&n_bad, 1);
  }
  b->magic = BLK_MAGIC ^ (uintptr_t)b;
  b->p = p;
  b->n = n;
  b->owner = life;
  t_fill(p, n);
  atomic_fetch_add(&n_alloc, 1);
  return b;
}

static int blk_ok(const blk_t *b, const char *when)
{
  if (b->magic != (BLK_MAGIC ^ (uintptr_t)b)) {
    fprintf(stderr, "stress: descriptor %p corrupted (%s)\n", (const void *)b, when);
    atomic_fetch_add(&n_bad, 1);
    return 0;
  }
  size_t bad = t_check(b->p, b->n);
  if (bad != (size_t)-1) {
    fprintf(stderr, "stress: block %p size %zu corrupted at byte %zu (%s)\n",
            (void *)b->p, b->n, bad, when);
    atomic_fetch_add(&n_bad, 1);
    return 0;
  }
  return 1;
}

static void blk_free(blk_t *b, unsigned life)
{
  if (!b) return;
  if (blk_ok(b, "before free")) {
    if (b->owner != life) atomic_fetch_add(&n_cross, 1);
    T_free(b->p);
    b->magic = 0;
    T_free(b);
  }
  /* A corrupted block is leaked on purpose: freeing it could hide the cause. */
  atomic_fetch_add(&n_free, 1);
}

static void blk_realloc(blk_t *b, size_t n, unsigned life)
{
  if (!blk_ok(b, "before realloc")) return;
  unsigned char *old = b->p;
  unsigned char *q = T_realloc(old, n);
  if (!q) { fprintf(stderr, "stress: realloc(%zu) returned NULL\n", n); atomic_fetch_add(&n_bad, 1); return; }
  size_t keep = b->n < n ? b->n : n;
  size_t bad = t_check_as(q, old, keep);
  if (bad != (size_t)-1) {
    fprintf(stderr, "stress: realloc %zu -> %zu lost byte %zu\n", b->n, n, bad);
    atomic_fetch_add(&n_bad, 1);
  }
  if (b->owner != life) atomic_fetch_add(&n_cross, 1);
  b->p = q;
  b->n = n;
  b->owner = life;
  t_fill(q, n);
  atomic_fetch_add(&n_realloc, 1);
}

static void *worker(void *arg)
{
  (void)arg;
  unsigned life = atomic_fetch_add(&next_life, 1);
  unsigned long rs = 0x9E3779B97F4A7C15UL * life + 12345;
  blk_t *local[LOCAL] = { 0 };
  for (long op = 0; op < ops_per_life; op++) {
    unsigned long r = t_rand(&rs);
    unsigned act = (unsigned)(r % 100);
    unsigned i = (unsigned)((r >> 8) % LOCAL);
    if (act < 45) {                          /* replace a local block   */
      blk_free(local[i], life);
      local[i] = blk_new(pick_size(&rs), life);
    } else if (act < 85) {                   /* swap with the exchange  */
      unsigned j = (unsigned)((r >> 20) % EXCHANGE);
      if (!local[i]) local[i] = blk_new(pick_size(&rs), life);
      local[i] = atomic_exchange(&exchange[j], local[i]);
    } else if (act < 92) {                   /* realloc a held block    */
      if (local[i]) blk_realloc(local[i], pick_size(&rs), life);
    } else {                                 /* free a held block       */
      blk_free(local[i], life);
      local[i] = NULL;
    }
  }
  /* Leave: half of what is held goes to the exchange array for later
   * threads to free (blocks outliving their allocating thread); what comes
   * back and the other half are freed here. */
  for (unsigned i = 0; i < LOCAL; i++) {
    if (!local[i]) continue;
    if (i & 1) {
      unsigned j = (unsigned)(t_rand(&rs) % EXCHANGE);
      blk_free(atomic_exchange(&exchange[j], local[i]), life);
    } else {
      blk_free(local[i], life);
    }
  }
  atomic_fetch_add(&n_lives, 1);
  return NULL;
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int main_default(int argc, char **argv)
{
  long threads = 16, seconds = 5, life = 20000, maxsz = 1 << 20;
  int opt;
  while ((opt = getopt(argc, argv, "t:s:l:m:h")) != -1) {
    int ok = 1;
    switch (opt) {
    case 't': ok = t_parse_num(optarg, 1, 1024, &threads); break;
    case 's': ok = t_parse_num(optarg, 1, 3600, &seconds); break;
    case 'l': ok = t_parse_num(optarg, 1, 100000000, &life); break;
    case 'm': ok = t_parse_num(optarg, 1, 1L << 30, &maxsz); break;
    default: ok = 0;
    }
    if (!ok || opt == 'h') {
      fprintf(stderr, "usage: %s [-t threads(16)] [-s seconds(5)] [-l ops_per_thread_life(20000)]"
              " [-m max_block_size(1048576)]\n", argv[0]);
      return 2;
    }
  }
  if (optind != argc) { fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]); return 2; }
  max_size = (size_t)maxsz;
  ops_per_life = life;
  t_check_served("stress");

  pthread_t *tid = calloc((size_t)threads, sizeof *tid);
  if (!tid) return 1;
  double t0 = now(), deadline = t0 + (double)seconds;
  for (long i = 0; i < threads; i++)
    if (pthread_create(&tid[i], NULL, worker, NULL) != 0) { perror("pthread_create"); return 1; }
  /* Replace each worker when it ends, round robin, until the deadline and
   * at least `threads` replacements (on a slow run too): the others keep
   * running and holding blocks meanwhile. */
  unsigned long started = (unsigned long)threads;
  for (long i = 0; now() < deadline || started < 2 * (unsigned long)threads; i = (i + 1) % threads) {
    pthread_join(tid[i], NULL);
    if (pthread_create(&tid[i], NULL, worker, NULL) != 0) { perror("pthread_create"); return 1; }
    started++;
  }
  for (long i = 0; i < threads; i++) pthread_join(tid[i], NULL);
  for (unsigned j = 0; j < EXCHANGE; j++)        /* main thread frees the rest */
    blk_free(atomic_exchange(&exchange[j], NULL), 0);
  free(tid);

  double dt = now() - t0;
  unsigned long frees = atomic_load(&n_free), cross = atomic_load(&n_cross);
  unsigned long bad = atomic_load(&n_bad), allocs = atomic_load(&n_alloc);
  double share = frees ? (double)cross / (double)frees : 0;
  printf("stress (%s): %ld threads at a time, %lu thread lives, %.1f s\n", T_API_NAME, threads, started, dt);
  printf("stress: %lu blocks allocated, %lu freed, %lu reallocs, %lu cross-thread frees/reallocs (%.0f%%)\n",
         allocs, frees, atomic_load(&n_realloc), cross, 100 * share);
  printf("stress: %lu corrupted or failed allocations\n", bad);
  int ok = 1;
  if (bad) { printf("stress: FAIL: corruption or allocation failure\n"); ok = 0; }
  if (allocs != frees) { printf("stress: FAIL: %lu allocated but %lu freed\n", allocs, frees); ok = 0; }
  if (share < 0.25) { printf("stress: FAIL: only %.0f%% cross-thread frees, want >= 25%%\n", 100 * share); ok = 0; }
  if (ok) printf("stress: ok\n");
  return ok ? 0 : 1;
}

/* ---- `stress api`: every hak_ entry point ------------------------------ */
#ifdef T_HAK
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
static _Atomic(unsigned char *) api_exchange[XCHG];

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

static size_t api_pick_size(uint64_t r) {
  switch (r % 16) {
  case 0: return 16 + (r >> 8) % (256 * 1024);         /* up to large blocks */
  case 1: case 2: return 16 + (r >> 8) % 32768;
  default: return 16 + (r >> 8) % 512;
  }
}

static int nops = 20000;

static void *api_worker(void *arg) {
  uint64_t seed = 0xA5A5A5A5ULL * ((uint64_t)(uintptr_t)arg + 1);
  enum { API_LOCAL = 64 };
  unsigned char *mine[API_LOCAL] = {0};
  for (int op = 0; op < nops; op++) {
    uint64_t r = next(&seed);
    unsigned slot = (unsigned)(r >> 32) % API_LOCAL;
    size_t n = api_pick_size(next(&seed));
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
        unsigned char *old = atomic_exchange(&api_exchange[(r >> 16) % XCHG], mine[slot]);
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
    if (r % 4096 == 0) { hak_stats_t st; hak_stats_get(&st); if (st.errors) FAILF("stats: %zu errors reported in a correct program", st.errors); }
    if (r % 8192 == 1) hak_collect();
    if (r % 512 == 2) { hak_free(NULL); errno = 0; void *z = hak_malloc(0); if (!z) FAILF("malloc(0) returned NULL"); hak_free(z); }
  }
  for (int i = 0; i < API_LOCAL; i++) if (mine[i]) release(mine[i], "owner at exit");
  atomic_fetch_add(&ops_done, nops);
  return NULL;
}

static int main_api(int argc, char **argv) {
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
    for (int i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, api_worker, (void *)(uintptr_t)(i + round * 64));
    for (int i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
  }
  for (int i = 0; i < XCHG; i++) {
    unsigned char *p = atomic_exchange(&api_exchange[i], NULL);
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
#endif

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "api") == 0)
#ifdef T_HAK
    return main_api(argc - 1, argv + 1);
#else
    { fprintf(stderr, "%s: api: only in the hak_ API builds\n", argv[0]); return 2; }
#endif
  return main_default(argc, argv);
}
