/* leakchurn.c: a long-lived set of small blocks grows while short-lived
 * threads come and go (the leak-and-churn pattern).
 *
 * Two lineages run side by side. Each owns SLOTS slots of small blocks
 * (16..4095 B, about log-uniform) that outlive the thread that allocated
 * them. A lineage runs ROUNDS short threads one after another; each makes
 * STEPS steps: pick a slot, free its block (or, one time in 100, move it to
 * the lineage's kept set instead, freed only at the end), allocate a new
 * block there. So every thread frees blocks of threads that have exited,
 * and every slab ends up pinned by a few kept blocks.
 *
 * Every block's first bytes hold a pattern checked before its free. At the
 * end the program prints the data bytes live at the peak (slots + kept set)
 * and the process's peak RSS (getrusage), and fails when the peak RSS
 * exceeds start + data * 3/2 + 4 MiB. Before the abandoned SuperSlabs were
 * searched by class, 400 threads mapped ~170 SuperSlabs and peaked near
 * 3x the data; glibc stays within 1.15x. test_leakchurn.sh also bounds the
 * SuperSlabs mapped (HAKMEM_STATS).
 *
 * usage: leakchurn [-r rounds per lineage (200)] [-s steps (10000)]
 * Exit 0 ok, 1 a check failed, 2 bad arguments.
 */
#include "talloc.h"
#include "rel_util.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define LINEAGES 2
#define SLOTS    1000
#define KEEP_IN  100            /* one freed block in KEEP_IN is kept */
#define CHECKED  64             /* pattern bytes at a block's start   */

typedef struct { void *p; size_t n; } blk_t;

typedef struct {
  blk_t slots[SLOTS];
  blk_t *kept;                  /* rounds * steps / KEEP_IN * 2 entries */
  size_t nkept, kept_cap, kept_bytes, live_bytes;
  unsigned long rng;
  unsigned long bad;
} lineage_t;

static long steps = 10000, rounds = 200;

static size_t checked(size_t n) { return n < CHECKED ? n : CHECKED; }

static void blk_free(lineage_t *l, blk_t *b)
{
  if (t_check(b->p, checked(b->n)) != (size_t)-1) l->bad++;
  T_free(b->p);
  l->live_bytes -= b->n;
  b->p = NULL;
}

static void *life(void *arg)
{
  lineage_t *l = arg;
  for (long i = 0; i < steps; i++) {
    unsigned long r = t_rand(&l->rng);
    blk_t *b = &l->slots[r % SLOTS];
    if (b->p) {
      if ((r >> 20) % KEEP_IN == 0 && l->nkept < l->kept_cap) {
        l->kept[l->nkept++] = *b;
        l->kept_bytes += b->n;
        b->p = NULL;
      } else {
        blk_free(l, b);
      }
    }
    unsigned k = 4 + (unsigned)((r >> 32) % 8);            /* [2^k, 2^(k+1)) */
    size_t n = ((size_t)1 << k) + (size_t)((r >> 40) % ((size_t)1 << k));
    b->p = T_malloc(n);
    if (!b->p) { l->bad++; return NULL; }
    b->n = n;
    l->live_bytes += n;
    t_fill(b->p, checked(n));
  }
  return NULL;
}

int main(int argc, char **argv)
{
  int opt;
  while ((opt = getopt(argc, argv, "r:s:h")) != -1) {
    int ok = 1;
    switch (opt) {
    case 'r': ok = t_parse_num(optarg, 1, 100000, &rounds); break;
    case 's': ok = t_parse_num(optarg, 1, 100000000, &steps); break;
    default: ok = 0;
    }
    if (!ok || opt == 'h') { fprintf(stderr, "usage: %s [-r rounds(200)] [-s steps(10000)]\n", argv[0]); return 2; }
  }
  if (optind != argc) { fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]); return 2; }
  t_check_served("leakchurn");
  /* The lineages' tables come from mmap, not from the allocator measured. */
  static lineage_t lin[LINEAGES];
  size_t cap = (size_t)(rounds * steps / KEEP_IN) * 2 + 16;
  for (int i = 0; i < LINEAGES; i++) {
    lin[i].kept = mmap(NULL, cap * sizeof(blk_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (lin[i].kept == MAP_FAILED) { perror("mmap"); return 1; }
    lin[i].kept_cap = cap;
    lin[i].rng = 0x9E3779B97F4A7C15UL * (unsigned long)(i + 1);
  }
  long start = rel_rss_kib();
  size_t peak_data = 0;
  for (long round = 0; round < rounds; round++) {
    pthread_t t[LINEAGES];
    for (int i = 0; i < LINEAGES; i++)
      if (pthread_create(&t[i], NULL, life, &lin[i]) != 0) { perror("pthread_create"); return 1; }
    for (int i = 0; i < LINEAGES; i++) pthread_join(t[i], NULL);
    size_t data = 0;
    for (int i = 0; i < LINEAGES; i++) data += lin[i].live_bytes;
    if (data > peak_data) peak_data = data;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  long peak = ru.ru_maxrss, bound = start + (long)(peak_data * 3 / 2 / 1024) + 4096;
  unsigned long bad = 0;
  size_t kept = 0;
  for (int i = 0; i < LINEAGES; i++) {
    for (int j = 0; j < SLOTS; j++) if (lin[i].slots[j].p) blk_free(&lin[i], &lin[i].slots[j]);
    for (size_t j = 0; j < lin[i].nkept; j++) blk_free(&lin[i], &lin[i].kept[j]);
    bad += lin[i].bad;
    kept += lin[i].kept_bytes;
  }
  printf("leakchurn (%s): %d lineages x %ld threads x %ld steps; kept set %.1f MiB, data at the peak %.1f MiB\n",
         T_API_NAME, LINEAGES, rounds, steps, kept / 1048576.0, peak_data / 1048576.0);
  printf("leakchurn: RSS start %.1f MiB, peak %.1f MiB (bound %.1f: start + data * 3/2 + 4), %lu bad blocks\n",
         start / 1024.0, peak / 1024.0, bound / 1024.0, bad);
  int ok = 1;
  if (bad) { printf("leakchurn: FAIL: corrupted blocks or failed allocations\n"); ok = 0; }
  if (peak > bound) { printf("leakchurn: FAIL: peak RSS: exited threads' free space not reused\n"); ok = 0; }
  if (ok) printf("leakchurn: ok\n");
  return ok ? 0 : 1;
}
