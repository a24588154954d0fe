/* threadreuse.c: memory of exited threads is reused by later threads.
 *
 * LIVES threads (default 200) run one after another. Each allocates about
 * 8 MiB in small blocks (16..1024 B), all live at once, frees all but every
 * 16th block, and exits; the blocks it leaves (~0.5 MiB) are freed by the next thread,
 * so every thread frees blocks of one that has exited. If exited threads'
 * slabs were never adopted, RSS would grow by ~8 MiB per thread (1.6 GiB);
 * the test asserts the peak RSS stays below start + BOUND MiB (default 96)
 * and that RSS after the last free is at most start + 64 MiB.
 *
 * usage: threadreuse [-n lives] [-b bound_MiB]
 * Exit 0 ok, 1 a check failed, 2 bad arguments.
 *
 * The second scenario, `threadreuse churn`: thousands of short-lived
 * threads allocate and exit while long-lived "keeper" threads free the
 * blocks they leave behind.
 *
 *   threadreuse churn [--threads N] [--concurrent C] [--keepers K] [--blocks B]
 *                [--max-rss-mib M] [--max-growth-mib G]
 *
 * Each short thread allocates B blocks (16 B..4 KiB, one in 32 of 16..128 KiB),
 * fills them with a pattern, frees half itself and hands the other half to a
 * keeper, then exits: its heap must be flushed or abandoned, and the keeper's
 * frees are remote frees into a dead thread's slabs. Keepers check every block
 * before freeing it. At most C short threads run at once and each keeper's
 * queue is bounded, so the live data stays a few MiB whatever N is.
 *
 * Fails (exit 1) when peak RSS exceeds M MiB, or when RSS at the end exceeds
 * RSS after the first quarter of the threads by more than G MiB (memory left
 * behind by exited threads and never reused would grow with N). Exit 3: a
 * block's contents changed. Prints "COUNT threads_churned=N".
 */
#include "talloc.h"
#include "rel_util.h"
#include <errno.h>
#include <stdatomic.h>

#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#define PER_THREAD (8u << 20)

typedef struct held_s { struct held_s *next; size_t n; } held_t;

static held_t *handed;          /* left by the previous thread; joined before use */
static unsigned long bad, seed = 1;

static void held_free(held_t *h)
{
  while (h) {
    held_t *next = h->next;
    if (t_check((char *)h + sizeof *h, h->n - sizeof *h) != (size_t)-1) bad++;
    T_free(h);
    h = next;
  }
}

static void *life(void *arg)
{
  (void)arg;
  held_free(handed);                   /* the previous (exited) thread's blocks */
  handed = NULL;
  unsigned long rs = ++seed * 0x9E3779B97F4A7C15UL;
  held_t *all = NULL;
  size_t total = 0;
  while (total < PER_THREAD) {          /* all 8 MiB live at once */
    size_t n = 16 + t_rand(&rs) % 1009;
    held_t *h = T_malloc(n);
    if (!h) { bad++; break; }
    h->n = n;
    t_fill((char *)h + sizeof *h, n - sizeof *h);
    h->next = all;
    all = h;
    total += n;
  }
  for (unsigned long i = 0; all; i++) {  /* keep every 16th for the next thread */
    held_t *h = all;
    all = h->next;
    if (i % 16 == 0) { h->next = handed; handed = h; continue; }
    h->next = NULL;
    held_free(h);
  }
  return NULL;
}

static int main_default(int argc, char **argv)
{
  long lives = 200, bound = 96;
  int opt;
  while ((opt = getopt(argc, argv, "n:b:h")) != -1) {
    int ok = 1;
    switch (opt) {
    case 'n': ok = t_parse_num(optarg, 1, 1000000, &lives); break;
    case 'b': ok = t_parse_num(optarg, 1, 1 << 20, &bound); break;
    default: ok = 0;
    }
    if (!ok || opt == 'h') { fprintf(stderr, "usage: %s [-n lives(200)] [-b bound_MiB(96)]\n", argv[0]); return 2; }
  }
  if (optind != argc) { fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]); return 2; }
  t_check_served("threadreuse");
  long start = rel_rss_kib(), peak = start;
  for (long i = 0; i < lives; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, life, NULL) != 0) { perror("pthread_create"); return 1; }
    pthread_join(t, NULL);
    long r = rel_rss_kib();
    if (r > peak) peak = r;
  }
  held_free(handed);
  long end = rel_rss_kib();
  printf("threadreuse (%s): %ld threads x %u MiB of small blocks, 1/16 of each freed by the next thread\n",
         T_API_NAME, lives, PER_THREAD >> 20);
  printf("threadreuse: RSS start %.1f MiB, peak %.1f MiB (bound start + %ld), end %.1f MiB (bound start + 64),"
         " %lu corrupted blocks\n", start / 1024.0, peak / 1024.0, bound, end / 1024.0, bad);
  int ok = 1;
  if (bad) { printf("threadreuse: FAIL: corrupted blocks or failed allocations\n"); ok = 0; }
  if (peak > start + bound * 1024) { printf("threadreuse: FAIL: peak RSS: exited threads' memory not reused\n"); ok = 0; }
  if (end > start + 64 * 1024) { printf("threadreuse: FAIL: RSS after freeing everything above start + 64 MiB\n"); ok = 0; }
  if (ok) printf("threadreuse: ok\n");
  return ok ? 0 : 1;
}

/* ---- `threadreuse churn`: short-lived threads and keepers -------------- */
typedef struct { void *p; size_t n; uint64_t tag; } item_t;

#define QCAP 4096
typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t not_empty, not_full;
  item_t q[QCAP];
  size_t head, len;
  int done;
  pthread_t tid;
} keeper_t;

static int nthreads = 4000, concurrent = 8, nkeepers = 2, nblocks = 128;
static long max_rss_mib = 128, max_growth_mib = 64;
static keeper_t *keepers;
static atomic_long tc_handed, corrupt;

static void keeper_put(keeper_t *k, item_t it) {
  pthread_mutex_lock(&k->mu);
  while (k->len == QCAP) pthread_cond_wait(&k->not_full, &k->mu);
  k->q[(k->head + k->len) % QCAP] = it;
  k->len++;
  pthread_cond_signal(&k->not_empty);
  pthread_mutex_unlock(&k->mu);
}

static void check_and_free(item_t it, const char *who) {
  size_t bad = rel_check(it.p, it.n, it.tag);
  if (bad != (size_t)-1) {
    fprintf(stderr, "thread_churn: %s: block %p (%zu bytes) corrupted at offset %zu\n",
            who, it.p, it.n, bad);
    atomic_fetch_add(&corrupt, 1);
  }
  T_free(it.p);
}

static void *keeper_main(void *arg) {
  keeper_t *k = arg;
  for (;;) {
    pthread_mutex_lock(&k->mu);
    while (k->len == 0 && !k->done) pthread_cond_wait(&k->not_empty, &k->mu);
    if (k->len == 0 && k->done) { pthread_mutex_unlock(&k->mu); return NULL; }
    item_t it = k->q[k->head];
    k->head = (k->head + 1) % QCAP;
    k->len--;
    pthread_cond_signal(&k->not_full);
    pthread_mutex_unlock(&k->mu);
    check_and_free(it, "keeper");
  }
}

static void *short_main(void *arg) {
  long id = (long)arg;
  uint64_t seed = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(id + 1) * 0x100000001B3ULL;
  item_t *mine = T_malloc(sizeof(item_t) * (size_t)nblocks);
  if (!mine) { atomic_fetch_add(&corrupt, 1); return NULL; }
  for (int i = 0; i < nblocks; i++) {
    uint64_t r = rel_next(&seed);
    size_t n = (r % 32 == 0) ? 16384 + (r >> 8) % (112 * 1024) : 16 + (r >> 8) % 4081;
    void *p = T_malloc(n);
    if (!p) { fprintf(stderr, "thread_churn: T_malloc(%zu) failed\n", n); atomic_fetch_add(&corrupt, 1); n = 0; }
    else rel_fill(p, n, r);
    mine[i] = (item_t){p, n, r};
  }
  keeper_t *k = &keepers[id % nkeepers];
  for (int i = 0; i < nblocks; i++) {
    if (!mine[i].p) continue;
    if (i % 2) check_and_free(mine[i], "owner");
    else { keeper_put(k, mine[i]); atomic_fetch_add(&tc_handed, 1); }
  }
  T_free(mine);
  return NULL;
}

static long arg_long(const char *name, const char *v, long lo, long hi) {
  char *end;
  errno = 0;
  long x = v ? strtol(v, &end, 10) : 0;
  if (!v || errno || *end || x < lo || x > hi) {
    fprintf(stderr, "thread_churn: %s needs an integer in %ld..%ld\n", name, lo, hi);
    exit(2);
  }
  return x;
}

static int main_churn(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--threads")) nthreads = (int)arg_long(a, v, 1, 10000000);
    else if (!strcmp(a, "--concurrent")) concurrent = (int)arg_long(a, v, 1, 1024);
    else if (!strcmp(a, "--keepers")) nkeepers = (int)arg_long(a, v, 1, 64);
    else if (!strcmp(a, "--blocks")) nblocks = (int)arg_long(a, v, 1, 100000);
    else if (!strcmp(a, "--max-rss-mib")) max_rss_mib = arg_long(a, v, 1, 1 << 20);
    else if (!strcmp(a, "--max-growth-mib")) max_growth_mib = arg_long(a, v, 0, 1 << 20);
    else { fprintf(stderr, "usage: thread_churn [--threads N] [--concurrent C] [--keepers K] "
                           "[--blocks B] [--max-rss-mib M] [--max-growth-mib G]\n"); return 2; }
    i++;
  }
  printf("malloc from: %s\n", rel_malloc_library());
  keepers = T_calloc((size_t)nkeepers, sizeof *keepers);
  pthread_t *run = T_calloc((size_t)concurrent, sizeof *run);
  if (!keepers || !run) { perror("calloc"); return 1; }
  for (int k = 0; k < nkeepers; k++) {
    pthread_mutex_init(&keepers[k].mu, NULL);
    pthread_cond_init(&keepers[k].not_empty, NULL);
    pthread_cond_init(&keepers[k].not_full, NULL);
    if (pthread_create(&keepers[k].tid, NULL, keeper_main, &keepers[k])) { perror("pthread_create"); return 1; }
  }
  long peak = 0, quarter = -1;
  int started = 0;
  while (started < nthreads) {          /* waves of up to C short threads */
    int wave = nthreads - started < concurrent ? nthreads - started : concurrent;
    for (int i = 0; i < wave; i++) {
      int rc = pthread_create(&run[i], NULL, short_main, (void *)(long)(started + i));
      if (rc) { fprintf(stderr, "thread_churn: pthread_create: %s\n", strerror(rc)); return 1; }
    }
    for (int i = 0; i < wave; i++) pthread_join(run[i], NULL);
    started += wave;
    long rss = rel_rss_kib();
    if (rss > peak) peak = rss;
    if (quarter < 0 && started >= nthreads / 4) quarter = rss;
  }
  for (int k = 0; k < nkeepers; k++) {
    pthread_mutex_lock(&keepers[k].mu);
    keepers[k].done = 1;
    pthread_cond_signal(&keepers[k].not_empty);
    pthread_mutex_unlock(&keepers[k].mu);
    pthread_join(keepers[k].tid, NULL);
  }
  long end = rel_rss_kib();
  if (end > peak) peak = end;
  printf("threads %d (at most %d at once), keepers %d, blocks per thread %d, tc_handed to keepers %ld\n",
         nthreads, concurrent, nkeepers, nblocks, atomic_load(&tc_handed));
  printf("rss: after first quarter %ld KiB, at end %ld KiB, peak sampled %ld KiB "
         "(bounds: peak <= %ld MiB, growth <= %ld MiB)\n", quarter, end, peak, max_rss_mib, max_growth_mib);
  printf("COUNT threads_churned=%d\n", nthreads);
  if (atomic_load(&corrupt)) { printf("FAIL: %ld corrupted or failed blocks\n", atomic_load(&corrupt)); return 3; }
  int rc = 0;
  if (peak > max_rss_mib * 1024) { printf("FAIL: peak RSS %ld KiB over %ld MiB\n", peak, max_rss_mib); rc = 1; }
  if (end - quarter > max_growth_mib * 1024) {
    printf("FAIL: RSS grew by %ld KiB after the first quarter (bound %ld MiB)\n", end - quarter, max_growth_mib);
    rc = 1;
  }
  if (!rc) printf("ok: no corruption, memory bounded\n");
  T_free(run);
  T_free(keepers);
  return rc;
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "churn") == 0)
    return main_churn(argc - 1, argv + 1);
  return main_default(argc, argv);
}
