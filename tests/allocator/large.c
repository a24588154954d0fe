/* large.c: the large page heap (blocks above 32 KiB; allocator/README.md,
 * "Large blocks"). One mode per run:
 *
 *   steady KIND SIZE   a malloc/free cycle, after 64 warm-up rounds: 1000 rounds (100
 *                      above 1 MiB)
 *                      between two markers, write(-1, "hakmem-steady-...")
 *                      that test_large.sh finds in strace's output to
 *                      count the memory system calls in between (must be 0);
 *                      the program itself checks that the rounds took no
 *                      minor fault (no fresh page). KIND: malloc (touch every
 *                      page), calloc (check every page reads 0, then write
 *                      it), mixed (three sizes, freed in another order),
 *                      realloc (grow to 2x, shrink to 1/2).
 *   aspace N           N blocks of 40 KiB live: address space added (VmSize),
 *                      mappings added (/proc/self/maps lines) and distinct
 *                      2 MiB chunks they lie in, against the stated bounds.
 *   decay              freed blocks stay committed (RSS, mincore), are
 *                      decommitted once unused for a while (waits up to 10 s,
 *                      one free every 100 ms to let decay run), are then
 *                      handed out by calloc without being written (RSS does
 *                      not grow), and no more than the dirty bound (64 MiB) stays
 *                      committed after a large free burst.
 *   decay-small        the same decommit of freed large blocks (free runs,
 *                      quick list, this thread's cache) while the program
 *                      allocates only small blocks (waits up to 10 s).
 *   zero               calloc of recycled blocks (random sizes, reused,
 *                      shrunk by realloc, beside live blocks) reads all zero.
 *   misuse             frees of pointers into large blocks that are not
 *                      block starts, double frees, realloc and
 *                      malloc_usable_size of such pointers: prints how many
 *                      reports must appear on stderr ("expect-reports N"),
 *                      then checks the live blocks kept their contents.
 *   realloc            in-place growth into the free run after a block and
 *                      shrinking keep the pointer; contents kept either way;
 *                      every usable byte of the grown and the shrunk block
 *                      is written (hakmem's canary moved past them).
 *   cache              a thread's cache of freed blocks (64 KiB): the
 *                      thread takes its block back, another thread does
 *                      not; hak_collect() (malloc_trim) decommits it; a
 *                      double free by another thread is reported
 *                      ("expect-reports N") and no block goes out twice;
 *                      the next thread takes a thread's cache at its exit;
 *                      blocks allocated where cached blocks went back to
 *                      the free runs are not taken for freed ones; 96
 *                      threads with full caches add less RSS than they
 *                      freed (the caches' shared bound).
 *   threads T S [MAX]  T threads for S seconds exchange blocks of 33 KiB..
 *                      40 MiB (or MAX) through an array (cross-thread frees), with
 *                      calloc, realloc and address patterns checked before
 *                      every free; threads end and are replaced; one of them
 *                      forks a child that allocates and exits 0.
 *
 * Exit 0 ok, 1 a check failed, 2 bad arguments. Built as large-libc
 * (LD_PRELOAD), large-hak (hak_ API) and large-tsan; see talloc.h.
 */
#include "talloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define PAGE 4096u

static int is_hak;
static int failed;

#define CHECK(cond, ...)                                         \
  do {                                                           \
    if (!(cond)) {                                               \
      printf("FAIL: " __VA_ARGS__);                              \
      printf("\n");                                              \
      failed = 1;                                                \
    }                                                            \
  } while (0)

static long minor_faults(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

static size_t rss_bytes(void)
{
  long size = 0, res = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (fscanf(f, "%ld %ld", &size, &res) != 2) res = 0;
  fclose(f);
  return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

/* Pages of [p, p + n) resident (mincore). */
static size_t resident_pages(const void *p, size_t n)
{
  uintptr_t a = (uintptr_t)p & ~(uintptr_t)(PAGE - 1);
  size_t len = (uintptr_t)p + n - a, pages = (len + PAGE - 1) / PAGE, count = 0;
  static unsigned char vec[65536];
  for (size_t done = 0; done < pages;) {
    size_t k = pages - done < sizeof vec ? pages - done : sizeof vec;
    if (mincore((void *)(a + done * PAGE), k * PAGE, vec) != 0) return (size_t)-1;
    for (size_t i = 0; i < k; i++) count += vec[i] & 1;
    done += k;
  }
  return count;
}

static void touch(unsigned char *p, size_t n, unsigned char v)
{
  if (n == 0) return;
  for (size_t o = 0; o < n; o += PAGE) p[o] = v;
  p[n - 1] = v;
}

/* ---- steady ------------------------------------------------------------- */
static void marker(const char *s)
{
  /* Fails (EBADF); strace shows where the measured rounds begin and end. */
  ssize_t r = write(-1, s, strlen(s));
  (void)r;
}

static int zeros(const unsigned char *p, size_t n)
{
  for (size_t o = 0; o < n; o += PAGE) if (p[o] != 0) return 0;
  return p[n / 2] == 0 && p[n - 1] == 0;
}

static int cycle(const char *kind, size_t n, int round)
{
  unsigned char v = (unsigned char)(round | 1);
  if (!strcmp(kind, "malloc")) {
    unsigned char *p = T_malloc(n);
    if (!p) return 0;
    touch(p, n, v);
    T_free(p);
  } else if (!strcmp(kind, "calloc")) {
    unsigned char *p = T_calloc(1, n);
    if (!p) return 0;
    if (!zeros(p, n)) { printf("calloc(%zu) not zero\n", n); return 0; }
    touch(p, n, v);
    T_free(p);
  } else if (!strcmp(kind, "mixed")) {
    unsigned char *a = T_malloc(n), *b = T_malloc(n + n / 2), *c = T_calloc(1, n / 2 + 40 * KiB);
    if (!a || !b || !c) return 0;
    if (!zeros(c, n / 2 + 40 * KiB)) { printf("calloc not zero\n"); return 0; }
    touch(a, n, v); touch(b, n + n / 2, v); touch(c, n / 2 + 40 * KiB, v);
    T_free(b); T_free(a); T_free(c);
  } else if (!strcmp(kind, "realloc")) {
    unsigned char *p = T_malloc(n);
    if (!p) return 0;
    touch(p, n, v);
    unsigned char *q = T_realloc(p, 2 * n);
    if (!q) return 0;
    if (q[0] != v || q[n - 1] != v) { printf("realloc lost the contents\n"); return 0; }
    touch(q, 2 * n, v);
    p = T_realloc(q, n / 2);
    if (!p || p[0] != v) return 0;
    T_free(p);
  } else {
    return -1;
  }
  return 1;
}

static int mode_steady(const char *kind, size_t n)
{
  /* Warm-up: 64 rounds, so that caches of freed blocks fill and settle
   * (the realloc cycle frees a block of a size it never asks for again:
   * hakmem's thread cache keeps 2 MiB of them, then passes them on to the
   * quick list and the free runs; the rounds after take no fresh page). */
  for (int i = 0; i < 64; i++) {
    int r = cycle(kind, n, i);
    if (r < 0) { fprintf(stderr, "large: unknown steady kind %s\n", kind); return 2; }
    if (r == 0) { printf("FAIL: warm-up round %d of %s %zu\n", i, kind, n); return 1; }
  }
  const int rounds = n <= MiB ? 1000 : 100;
  marker("hakmem-steady-begin");
  long f0 = minor_faults();
  int ok = 1;
  for (int i = 0; i < rounds && ok; i++) ok = cycle(kind, n, i) == 1;
  long faults = minor_faults() - f0;
  marker("hakmem-steady-end");
  CHECK(ok, "steady %s %zu: a round failed", kind, n);
  printf("steady %s %zu: %d rounds, %ld minor faults\n", kind, n, rounds, faults);
  if (is_hak) CHECK(faults == 0, "steady %s %zu: %ld minor faults in the measured rounds (fresh pages)", kind, n, faults);
  return failed;
}

/* ---- aspace ------------------------------------------------------------- */
static long vm_size_kb(void)
{
  char line[256];
  long kb = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmSize: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb;
}

static long map_count(void)
{
  char line[512];
  long n = 0;
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) n++;
  fclose(f);
  return n;
}

static int cmp_uptr(const void *a, const void *b)
{
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

static int mode_aspace(long n)
{
  const size_t size = 40 * KiB;
  /* Bookkeeping outside the allocator under test. */
  uintptr_t *blk = mmap(NULL, (size_t)n * sizeof *blk, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (blk == MAP_FAILED) { perror("mmap"); return 1; }
  void *warm = T_malloc(size);          /* the heap's first segment exists */
  long vm0 = vm_size_kb(), maps0 = map_count();
  for (long i = 0; i < n; i++) {
    unsigned char *p = T_malloc(size);
    if (!p) { printf("FAIL: malloc(40 KiB) #%ld failed\n", i); return 1; }
    p[0] = 1;
    blk[i] = (uintptr_t)p;
  }
  long vm1 = vm_size_kb(), maps1 = map_count();
  qsort(blk, (size_t)n, sizeof *blk, cmp_uptr);
  long chunks = 0;
  for (long i = 0; i < n; i++)
    if (i == 0 || (blk[i] >> 21) != (blk[i - 1] >> 21)) chunks++;
  long live_kb = n * (long)(size / KiB);
  long vm_added = vm1 - vm0, maps_added = maps1 - maps0;
  /* Bounds: the blocks' pages and one more 64 MiB segment, 0.4 % of
   * headers; a few mappings in all (segments); the chunks the blocks fill,
   * twice over. Before the page heap: a mapping and a 2 MiB chunk each. */
  long vm_bound = live_kb + live_kb / 64 + 64 * 1024, maps_bound = 8, chunk_bound = 2 * (live_kb / 2048) + 8;
  printf("aspace: %ld blocks of 40 KiB (%ld KiB): VmSize +%ld KiB (bound %ld), mappings +%ld (bound %ld),"
         " in %ld distinct 2 MiB chunks (bound %ld)\n",
         n, live_kb, vm_added, vm_bound, maps_added, maps_bound, chunks, chunk_bound);
  if (is_hak) {
    CHECK(vm_added <= vm_bound, "aspace: address space grew by %ld KiB for %ld KiB of blocks", vm_added, live_kb);
    CHECK(maps_added <= maps_bound, "aspace: %ld mappings added for %ld blocks", maps_added, n);
    CHECK(chunks <= chunk_bound, "aspace: blocks spread over %ld 2 MiB chunks", chunks);
  }
  for (long i = 0; i < n; i++) T_free((void *)blk[i]);
  T_free(warm);
  munmap(blk, (size_t)n * sizeof *blk);
  return failed;
}

/* ---- decay -------------------------------------------------------------- */
static void sleep_ms(long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

static int mode_decay(void)
{
  /* 4 blocks of 3 MiB (runs) and 8 of 1 MiB (the quick list): 20 MiB, under
   * the 64 MiB dirty bound. */
  enum { NB = 12 };
  unsigned char *b[NB];
  size_t len[NB];
  /* Allocated first, so that freeing and reallocating it (to give decay a
   * chance to run) reuses its own pages, not those being watched. */
  unsigned char *trigger = T_malloc(40 * KiB);
  size_t rss0 = rss_bytes();
  for (int i = 0; i < NB; i++) {
    len[i] = i < 4 ? 3 * MiB : 1 * MiB;
    b[i] = T_malloc(len[i]);
    if (!b[i]) { printf("FAIL: malloc\n"); return 1; }
    memset(b[i], 0x5a, len[i]);
  }
  size_t rss_peak = rss_bytes();
  for (int i = 0; i < NB; i++) T_free(b[i]);
  size_t rss_freed = rss_bytes(), res_freed = 0;
  for (int i = 0; i < NB; i++) res_freed += resident_pages(b[i], len[i]);
  printf("decay: RSS %zu KiB at start, %zu KiB with 20 MiB live, %zu KiB just after the frees;"
         " %zu of 5120 freed pages resident\n", rss0 >> 10, rss_peak >> 10, rss_freed >> 10, res_freed);
  if (is_hak) {
    CHECK(rss_freed + 4 * MiB >= rss_peak, "decay: freeing 20 MiB gave memory back at once (no reuse)");
    CHECK(res_freed >= 5000, "decay: only %zu of 5120 freed pages still resident", res_freed);
  }
  /* Decay: wait, with a little activity, until the freed pages are gone. */
  size_t res_after = res_freed, rss_after = rss_freed;
  long waited = 0;
  for (; waited < 10000; waited += 100) {
    sleep_ms(100);
    T_free(trigger);
    trigger = T_malloc(40 * KiB);
    res_after = 0;
    for (int i = 0; i < NB; i++) res_after += resident_pages(b[i], len[i]);
    rss_after = rss_bytes();
    if (res_after == 0) break;
  }
  printf("decay: after %ld ms: %zu freed pages resident, RSS %zu KiB\n", waited + 100, res_after, rss_after >> 10);
  if (is_hak) {
    CHECK(res_after == 0, "decay: %zu freed pages still resident after 10 s", res_after);
    CHECK(rss_after + 16 * MiB <= rss_peak, "decay: RSS %zu KiB did not fall from %zu KiB", rss_after >> 10,
          rss_peak >> 10);
  }
  /* calloc hands out decommitted pages without writing them. */
  size_t rss_c0 = rss_bytes();
  unsigned char *c[4];
  for (int i = 0; i < 4; i++) c[i] = T_calloc(1, 3 * MiB);
  size_t rss_c1 = rss_bytes();
  int nonzero = 0;
  for (int i = 0; i < 4; i++) {
    if (!c[i]) { printf("FAIL: calloc\n"); return 1; }
    nonzero += !zeros(c[i], 3 * MiB);
  }
  printf("decay: calloc of 4 x 3 MiB: RSS +%ld KiB before the blocks are read\n", ((long)rss_c1 - (long)rss_c0) >> 10);
  CHECK(nonzero == 0, "decay: calloc of decommitted pages not zero");
  if (is_hak) CHECK(rss_c1 < rss_c0 + 1 * MiB, "decay: calloc wrote pages the kernel had zeroed");
  for (int i = 0; i < 4; i++) T_free(c[i]);
  T_free(trigger);
  /* A burst of frees: no more than the 64 MiB dirty bound stays committed
   * (the quick list's blocks are part of it). */
  enum { NBIG = 56 };
  unsigned char *d[NBIG];
  size_t rss_b0 = rss_bytes();
  for (int i = 0; i < NBIG; i++) {
    d[i] = T_malloc(i % 2 ? 2 * MiB + 100 * KiB : 1 * MiB);
    if (!d[i]) { printf("FAIL: malloc\n"); return 1; }
    memset(d[i], 1, i % 2 ? 2 * MiB + 100 * KiB : 1 * MiB);
  }
  size_t rss_b1 = rss_bytes();
  for (int i = 0; i < NBIG; i++) T_free(d[i]);
  size_t rss_b2 = rss_bytes();
  printf("decay: 87 MiB freed at once: RSS %zu -> %zu -> %zu KiB (bound: start + 64 MiB + 2 MiB)\n",
         rss_b0 >> 10, rss_b1 >> 10, rss_b2 >> 10);
  if (is_hak) CHECK(rss_b2 <= rss_b0 + 66 * MiB, "decay: %zu KiB committed after the burst, over the bound",
                    (rss_b2 - rss_b0) >> 10);
  return failed;
}

/* decay-small: the same decay when the program has stopped using large
 * blocks: after the frees only small blocks come and go (whole slabs of
 * them, made and given back), and the freed large pages, in free runs, on
 * the quick list and in this thread's cache, still go within 10 s. */
static int mode_decay_small(void)
{
  enum { NB = 14, NS = 2000 };
  unsigned char *b[NB];
  size_t len[NB];
  for (int i = 0; i < NB; i++) {
    len[i] = i < 4 ? 3 * MiB : i < 12 ? 1 * MiB : 128 * KiB;
    b[i] = T_malloc(len[i]);
    if (!b[i]) { printf("FAIL: malloc\n"); return 1; }
    memset(b[i], 0x5a, len[i]);
  }
  for (int i = 0; i < NB; i++) T_free(b[i]);
  size_t pages = 0, res_freed = 0, res_after = 0;
  for (int i = 0; i < NB; i++) {
    pages += len[i] / 4096;
    res_freed += resident_pages(b[i], len[i]);
  }
  static void *s[NS];
  long waited = 0;
  for (; waited < 10000; waited += 100) {
    sleep_ms(100);
    for (int i = 0; i < NS; i++)
      if (!(s[i] = T_malloc(256))) { printf("FAIL: malloc\n"); return 1; }
    for (int i = 0; i < NS; i++) T_free(s[i]);
    res_after = 0;
    for (int i = 0; i < NB; i++) {
      size_t r = resident_pages(b[i], len[i]);
      res_after += r == (size_t)-1 ? 0 : r;
    }
    if (res_after == 0) break;
  }
  printf("decay-small: %zu of %zu freed pages resident after the frees, %zu after %ld ms of small blocks only\n",
         res_freed, pages, res_after, waited + 100);
  if (is_hak) {
    CHECK(res_freed == pages, "decay-small: only %zu of %zu freed pages stayed resident at first", res_freed, pages);
    CHECK(res_after == 0, "decay-small: %zu freed pages still resident after 10 s of small blocks", res_after);
  }
  return failed;
}

/* ---- zero --------------------------------------------------------------- */
static int mode_zero(void)
{
  enum { LIVE = 8 };
  unsigned char *live[LIVE] = { 0 };
  size_t live_n[LIVE] = { 0 };
  unsigned long rs = 77;
  size_t bad = 0, rounds = 1500;
  for (size_t r = 0; r < rounds; r++) {
    unsigned long x = t_rand(&rs);
    size_t n = 33 * KiB + (x >> 8) % ((x & 3) == 0 ? 12 * MiB : 600 * KiB);
    unsigned k = (unsigned)(x >> 40) % LIVE;
    if (live[k]) {
      if ((x >> 50) & 1) {                 /* shrink by realloc: its tail goes free */
        unsigned char *q = T_realloc(live[k], live_n[k] / 3 + 1);
        if (q) { live[k] = q; live_n[k] = live_n[k] / 3 + 1; }
      }
      T_free(live[k]);
      live[k] = NULL;
    }
    unsigned char *p = T_calloc(1, n);
    if (!p) { printf("FAIL: calloc(%zu)\n", n); return 1; }
    for (size_t o = 0; o < n; o += 512) if (p[o]) { bad++; break; }
    if (p[n - 1]) bad++;
    memset(p, 0xa5, n);                    /* dirty it for the next one */
    live[k] = p;
    live_n[k] = n;
  }
  for (unsigned k = 0; k < LIVE; k++) T_free(live[k]);
  printf("zero: %zu callocs of recycled blocks, %zu not zero\n", rounds, bad);
  CHECK(bad == 0, "zero: %zu callocs returned memory that was not zero", bad);
  return failed;
}

/* ---- cache ---------------------------------------------------------------
 * A thread's cache of freed blocks of up to 256 KiB (allocator/README.md,
 * "Large blocks"), seen from outside: where each block comes back. */
#ifdef T_HAK
static void collect(void) { hak_collect(); }
#else
static void collect(void) { malloc_trim(0); }
#endif

static void *c_arg_p;                   /* argument and result of a thread */
static void *c_malloc_free(void *arg)   /* malloc(64 KiB); free it unless arg */
{
  void *p = T_malloc(64 * KiB);
  if (p) memset(p, 0x33, 64 * KiB);
  if (!arg) T_free(p);
  return p;
}
static void *c_free(void *arg)          /* free c_arg_p (arg: unused) */
{
  (void)arg;
  T_free(c_arg_p);
  return NULL;
}
static void *c_run(void *(*fn)(void *), void *arg)
{
  pthread_t t;
  void *r = NULL;
  if (pthread_create(&t, NULL, fn, arg) != 0 || pthread_join(t, &r) != 0) {
    printf("FAIL: pthread\n");
    exit(1);
  }
  return r;
}

/* Step 6 of mode_cache: POOL threads each free POOL_BLOCKS blocks of 248 KiB
 * (the largest a cache keeps), then wait with their caches full until the
 * main thread has read the RSS. */
#define POOL 96
#define POOL_BLOCKS 8
static pthread_barrier_t pool_freed, pool_done;
static atomic_int pool_bad;
static void *c_pool(void *arg)
{
  (void)arg;
  unsigned char *b[POOL_BLOCKS];
  for (int i = 0; i < POOL_BLOCKS; i++) {
    b[i] = T_malloc(248 * KiB);
    if (!b[i]) { atomic_fetch_add(&pool_bad, 1); break; }
    memset(b[i], 6, 248 * KiB);
  }
  for (int i = 0; i < POOL_BLOCKS && b[i]; i++) T_free(b[i]);
  pthread_barrier_wait(&pool_freed);
  pthread_barrier_wait(&pool_done);
  return NULL;
}

static int mode_cache(void)
{
  const size_t n = 64 * KiB;
  int expect = 0;
  /* 1. A thread's freed block is its own next one of that size, and no
   *    other thread's. */
  unsigned char *p = T_malloc(n);
  if (!p) { printf("FAIL: malloc\n"); return 1; }
  memset(p, 1, n);
  T_free(p);
  void *other = c_run(c_malloc_free, NULL);
  unsigned char *q = T_malloc(n);
  printf("cache: freed %p; another thread then got %p, this one %p\n", (void *)p, other, (void *)q);
  if (is_hak) {
    CHECK(other != p, "cache: another thread got the block this thread had just freed");
    CHECK(q == p, "cache: this thread's malloc did not take back the block it had freed");
  }
  /* 2. hak_collect() (malloc_trim) gives the cached blocks back: their
   *    pages are decommitted. */
  memset(q, 2, n);
  T_free(q);
  size_t res0 = resident_pages(q, n);
  collect();
  size_t res1 = resident_pages(q, n);
  if (res1 == (size_t)-1) res1 = 0;                     /* unmapped */
  printf("cache: a freed 64 KiB block: %zu pages resident, %zu after %s\n", res0, res1,
         is_hak ? "hak_collect()" : "malloc_trim(0)");
  if (is_hak) {
    CHECK(res0 == 16, "cache: the freed block's 16 pages are not all resident (%zu): not kept", res0);
    CHECK(res1 == 0, "cache: %zu pages of the cached block still resident after the collect", res1);
  }
  /* 3. A second free by another thread, of a block in this thread's
   *    cache, is reported (and ignored): two mallocs never get one block. */
  p = T_malloc(n);
  if (!p) { printf("FAIL: malloc\n"); return 1; }
  memset(p, 3, n);
  T_free(p);
  c_arg_p = p;
  printf("cache: another thread frees %p again\n", (void *)p);
  c_run(c_free, NULL);                                    expect++;
  unsigned char *a = T_malloc(n), *b = T_malloc(n);
  void *c = c_run(c_malloc_free, (void *)1);
  printf("cache: then %p and %p here, %p in another thread\n", (void *)a, (void *)b, c);
  CHECK(a && b && c && a != b && a != c && b != c, "cache: one block handed out twice after a double free");
  T_free(a);
  T_free(b);
  T_free(c);
  /* 4. A thread's cache outlives it: the next thread takes its heap, cache
   *    and all, and with it the block the first one freed last. */
  void *e = c_run(c_malloc_free, NULL);
  void *f = c_run(c_malloc_free, NULL);
  printf("cache: a thread freed %p and ended; the next one got %p\n", e, f);
  if (is_hak) CHECK(e == f, "cache: the next thread did not get the block its predecessor freed");
  /* 5. Blocks that left the cache for the free runs are free, and blocks
   *    allocated there again are live: 100 blocks freed (the cache passes
   *    most of them on), 100 allocated again where they were and freed,
   *    with no report (expect-reports counts). */
  enum { NV = 100 };
  void *v[NV], *w[NV];
  for (int i = 0; i < NV; i++) {
    v[i] = T_malloc(n);
    if (!v[i]) { printf("FAIL: malloc\n"); return 1; }
    memset(v[i], 5, n);
  }
  for (int i = 0; i < NV; i++) T_free(v[i]);
  int again = 0;
  for (int i = 0; i < NV; i++) {
    w[i] = T_malloc(n);
    if (!w[i]) { printf("FAIL: malloc\n"); return 1; }
    for (int j = 0; j < NV; j++) again += w[i] == v[j];
  }
  for (int i = 0; i < NV; i++) T_free(w[i]);
  printf("cache: %d of %d blocks came back where blocks had been freed, and were freed again\n", again, NV);
  if (is_hak) CHECK(again >= NV / 2, "cache: only %d of %d blocks reused freed places", again, NV);
  /* 6. The caches of many threads together stay bounded: 96 threads that
   *    freed 2 MiB each and wait keep at most 32 MiB in their caches (each
   *    its share), and the rest goes to the free runs, whose committed part
   *    the dirty bound (64 MiB) caps: the RSS grows by less than the 192
   *    MiB the threads freed. */
  collect();
  size_t rss0 = rss_bytes();
  pthread_t pt[POOL];
  int started = 0;
  pthread_barrier_init(&pool_freed, NULL, POOL + 1);
  pthread_barrier_init(&pool_done, NULL, POOL + 1);
  for (; started < POOL; started++)
    if (pthread_create(&pt[started], NULL, c_pool, NULL) != 0) break;
  if (started < POOL) { printf("FAIL: pthread_create (%d started)\n", started); return 1; }
  pthread_barrier_wait(&pool_freed);
  size_t rss1 = rss_bytes();
  pthread_barrier_wait(&pool_done);
  for (int i = 0; i < POOL; i++) pthread_join(pt[i], NULL);
  size_t grew = rss1 > rss0 ? (rss1 - rss0) >> 20 : 0;
  printf("cache: %d threads freed %d MiB and wait: RSS grew by %zu MiB\n", POOL,
         POOL * POOL_BLOCKS * 248 / 1024, grew);
  CHECK(atomic_load(&pool_bad) == 0, "cache: a pool thread's malloc failed");
  if (is_hak) CHECK(grew <= 32 + 64 + 24, "cache: RSS grew by %zu MiB, more than 32 MiB of caches, "
                    "the 64 MiB dirty bound and 24 MiB of stacks and slack", grew);
  printf("expect-reports %d\n", expect);
  return failed;
}

/* ---- misuse --------------------------------------------------------------- */
static int mode_misuse(void)
{
  enum { NL = 6 };
  unsigned char *live[NL];
  size_t live_n[NL] = { 100 * KiB, 1 * MiB, 3 * MiB, 40 * KiB, 8 * MiB, 40 * MiB };
  for (int i = 0; i < NL; i++) {
    live[i] = T_malloc(live_n[i]);
    if (!live[i]) { printf("FAIL: malloc\n"); return 1; }
    t_fill(live[i], live_n[i]);
  }
  int expect = 0;
  unsigned char *big = live[1], *huge = live[5];
  printf("misuse: free(block + 4096)\n");             T_free(big + PAGE); expect++;
  printf("misuse: free(block + 16)\n");               T_free(big + 16); expect++;
  printf("misuse: free(last page of block)\n");       T_free(big + live_n[1] - PAGE); expect++;
  printf("misuse: free(huge block + 4096)\n");        T_free(huge + PAGE); expect++;
  uintptr_t seg = (uintptr_t)big & ~(((uintptr_t)64 << 20) - 1);
  if (is_hak) {
    /* (Only where the segment is known to be mapped.) */
    printf("misuse: free(segment header)\n");         T_free((void *)seg); expect++;
  }
  errno = 0;
  void *r = T_realloc(big + 2 * PAGE, 2 * MiB);        expect++;
  printf("misuse: realloc(block + 8192) returned %p, errno %s\n", r, errno == EINVAL ? "EINVAL" : "other");
  CHECK(r == NULL && errno == EINVAL, "misuse: realloc of an interior pointer did not fail with EINVAL");
  size_t u = T_usable(big + PAGE);                     expect++;
  CHECK(u == 0, "misuse: malloc_usable_size(block + 4096) = %zu", u);
  /* Double frees: on the quick list (100 KiB), of a run (3 MiB, whose
   * right neighbour is free), of a run merged into a free run to its left. */
  unsigned char *a = T_malloc(200 * KiB);
  T_free(a);
  printf("misuse: free(a 200 KiB block) twice\n");    T_free(a); expect++;
  unsigned char *x = T_malloc(5 * MiB), *y = T_malloc(5 * MiB), *z = T_malloc(5 * MiB);
  T_free(x);
  T_free(y);
  printf("misuse: free(a 5 MiB block) twice\n");      T_free(x); expect++;
  printf("misuse: free(a 5 MiB block merged left) twice\n"); T_free(y); expect++;
  T_free(z);
  errno = 0;
  r = T_realloc(x, 6 * MiB);                           expect++;
  CHECK(r == NULL && errno == EINVAL, "misuse: realloc of a freed block did not fail with EINVAL");
  /* The live blocks are intact. */
  for (int i = 0; i < NL; i++) {
    size_t bad = t_check(live[i], live_n[i]);
    CHECK(bad == (size_t)-1, "misuse: live block %d (%zu bytes) damaged at byte %zu", i, live_n[i], bad);
    T_free(live[i]);
  }
  printf("expect-reports %d\n", expect);
  return failed;
}

/* ---- realloc ---------------------------------------------------------------- */
static int mode_realloc(void)
{
  /* A fresh heap: the first block is followed by free pages, so it grows in
   * place; shrinking keeps the pointer. */
  size_t n = 3 * MiB;
  unsigned char *p = T_malloc(n);
  if (!p) return 1;
  t_fill(p, n);
  unsigned char *orig = p;
  unsigned char *q = T_realloc(p, 7 * MiB);
  CHECK(q != NULL && t_check_as(q, orig, n) == (size_t)-1, "realloc: 3 -> 7 MiB lost the contents");
  if (is_hak) CHECK(q == p, "realloc: 3 -> 7 MiB moved although the pages after it were free");
  /* Every usable byte is the program's, after growing and after shrinking
   * in place: hakmem's canary moved to the new end (realloc and free check
   * it and would stop the process). */
  if (q) memset(q + n, 0x77, T_usable(q) - n);
  unsigned char *s = T_realloc(q, 2 * MiB);
  CHECK(s != NULL && t_check_as(s, orig, 2 * MiB) == (size_t)-1, "realloc: 7 -> 2 MiB lost the contents");
  if (is_hak) {
    CHECK(s == q, "realloc: shrinking 7 -> 2 MiB moved the block");
    CHECK(T_usable(s) >= 2 * MiB && T_usable(s) < 2 * MiB + PAGE, "realloc: usable %zu after shrinking", T_usable(s));
  }
  if (s) memset(s + 2 * MiB, 0x77, T_usable(s) - 2 * MiB);
  /* A neighbour blocks growth: the block moves, the contents follow. */
  unsigned char *wall = T_malloc(1 * MiB + 4 * PAGE);
  unsigned char *g = T_realloc(s, 20 * MiB);
  CHECK(g != NULL && t_check_as(g, orig, 2 * MiB) == (size_t)-1, "realloc: 2 -> 20 MiB lost the contents");
  /* Into and out of the huge tier (above 32 MiB). */
  unsigned char *h = T_realloc(g, 48 * MiB);
  CHECK(h != NULL && t_check_as(h, orig, 2 * MiB) == (size_t)-1, "realloc: 20 -> 48 MiB lost the contents");
  unsigned char *back = T_realloc(h, 100 * KiB);
  CHECK(back != NULL && t_check_as(back, orig, 100 * KiB) == (size_t)-1, "realloc: 48 MiB -> 100 KiB lost the contents");
  T_free(back);
  T_free(wall);
  printf("realloc: in place %s, contents kept\n", is_hak ? "where the pages allowed" : "(not checked)");
  return failed;
}

/* ---- threads ------------------------------------------------------------ */
typedef struct slot_s {
  unsigned char *p;
  size_t n;
} slot_t;
#define SLOTS 64
static _Atomic(slot_t *) exchange[SLOTS];
static atomic_ulong n_ops, n_cross, n_bad;
static atomic_int stop, forked;

static size_t max_size = 40 * MiB;

static size_t pick(unsigned long *rs)
{
  unsigned long x = t_rand(rs);
  unsigned sel = (unsigned)(x % 100);
  size_t n;
  if (sel < 60) n = 33 * KiB + (x >> 8) % (500 * KiB);
  else if (sel < 97) n = 512 * KiB + (x >> 8) % (8 * MiB);
  else n = 32 * MiB + (x >> 8) % (8 * MiB);   /* huge */
  return n < max_size ? n : 33 * KiB + (x >> 8) % (max_size - 33 * KiB);
}

static int verify_free(slot_t *s)
{
  int ok = t_check(s->p, s->n) == (size_t)-1;
  if (!ok) atomic_fetch_add(&n_bad, 1);
  T_free(s->p);
  T_free(s);
  return ok;
}

static void child_work(void)
{
  unsigned long rs = 99;
  for (int i = 0; i < 50; i++) {
    size_t n = pick(&rs);
    unsigned char *p = T_malloc(n);
    if (!p) _exit(3);
    t_fill(p, n);
    if (t_check(p, n) != (size_t)-1) _exit(4);
    T_free(p);
  }
  _exit(0);
}

static void *worker(void *arg)
{
  unsigned long rs = (unsigned long)(uintptr_t)arg * 2654435761UL + 1;
  for (int op = 0; op < 150 && !atomic_load(&stop); op++) {
    unsigned long x = t_rand(&rs);
    unsigned k = (unsigned)(x % SLOTS);
    slot_t *s = atomic_exchange(&exchange[k], NULL);
    if (s) {
      if ((x >> 20) % 4 == 0) {               /* realloc, then back in */
        size_t m = pick(&rs);
        unsigned char *q = T_realloc(s->p, m);
        if (q) {
          size_t keep = m < s->n ? m : s->n;
          if (t_check_as(q, s->p, keep) != (size_t)-1) atomic_fetch_add(&n_bad, 1);
          s->p = q;
          s->n = m;
          t_fill(q, m);
        }
        s = atomic_exchange(&exchange[k], s);
        if (!s) continue;
      }
      atomic_fetch_add(&n_cross, 1);
      verify_free(s);
    } else {
      size_t n = pick(&rs);
      s = T_malloc(sizeof *s);
      if (!s) { atomic_fetch_add(&n_bad, 1); continue; }
      int zero = (x >> 30) & 1;
      s->p = zero ? T_calloc(1, n) : T_malloc(n);
      s->n = n;
      if (!s->p) { atomic_fetch_add(&n_bad, 1); T_free(s); continue; }
      if (zero) for (size_t o = 0; o < n; o += PAGE) if (s->p[o]) { atomic_fetch_add(&n_bad, 1); break; }
      t_fill(s->p, n);
      s = atomic_exchange(&exchange[k], s);
      if (s) verify_free(s);
    }
    atomic_fetch_add(&n_ops, 1);
    if (op == 100 && atomic_exchange(&forked, 1) == 0) {
      pid_t pid = fork();
      if (pid == 0) child_work();
      int st = 0;
      if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("FAIL: threads: forked child failed (status %d)\n", st);
        atomic_fetch_add(&n_bad, 1);
      }
    }
  }
  return NULL;
}

static int mode_threads(long nthreads, long seconds)
{
  pthread_t t[64];
  time_t end = time(NULL) + seconds;
  unsigned long life = 0;
  for (long i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)++life);
  while (time(NULL) < end) {             /* replace threads as they end */
    for (long i = 0; i < nthreads; i++) {
      pthread_join(t[i], NULL);
      pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)++life);
    }
  }
  atomic_store(&stop, 1);
  for (long i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
  for (unsigned k = 0; k < SLOTS; k++) {
    slot_t *s = atomic_exchange(&exchange[k], NULL);
    if (s) verify_free(s);
  }
  printf("threads: %lu thread lives, %lu operations, %lu cross-thread frees, %lu bad\n", life,
         atomic_load(&n_ops), atomic_load(&n_cross), atomic_load(&n_bad));
  CHECK(atomic_load(&n_bad) == 0, "threads: %lu blocks damaged or operations failed", atomic_load(&n_bad));
  CHECK(atomic_load(&n_cross) > 100, "threads: too few cross-thread frees");
  return failed;
}

int main(int argc, char **argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) goto usage;
  is_hak = t_check_served("large");
  const char *m = argv[1];
  long a = 0, b = 0;
  if (!strcmp(m, "steady") && argc == 4 && t_parse_num(argv[3], 4096, 64 << 20, &a)) return mode_steady(argv[2], (size_t)a) ? 1 : 0;
  if (!strcmp(m, "aspace") && argc == 3 && t_parse_num(argv[2], 1, 1 << 20, &a)) return mode_aspace(a) ? 1 : 0;
  if (!strcmp(m, "decay") && argc == 2) return mode_decay() ? 1 : 0;
  if (!strcmp(m, "decay-small") && argc == 2) return mode_decay_small() ? 1 : 0;
  if (!strcmp(m, "zero") && argc == 2) return mode_zero() ? 1 : 0;
  if (!strcmp(m, "misuse") && argc == 2) return mode_misuse() ? 1 : 0;
  if (!strcmp(m, "realloc") && argc == 2) return mode_realloc() ? 1 : 0;
  if (!strcmp(m, "cache") && argc == 2) return mode_cache() ? 1 : 0;
  long c = 40 << 20;
  if (!strcmp(m, "threads") && (argc == 4 || (argc == 5 && t_parse_num(argv[4], 64 << 10, 1L << 30, &c))) &&
      t_parse_num(argv[2], 1, 64, &a) && t_parse_num(argv[3], 1, 3600, &b)) {
    max_size = (size_t)c;
    return mode_threads(a, b) ? 1 : 0;
  }
usage:
  fprintf(stderr, "usage: %s steady malloc|calloc|mixed|realloc SIZE | aspace N | decay | decay-small | zero | misuse |"
          " realloc | cache | threads T SECONDS [MAX_SIZE]\n", argv[0]);
  return 2;
}
