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
 * 2: bad arguments. Built as stress-libc (LD_PRELOAD), stress-hak and
 * stress-tsan (hak_ API under ThreadSanitizer); see talloc.h.
 */
#include "talloc.h"

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

int main(int argc, char **argv)
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
