/* larson.c: Larson-style cross-thread replacement, the high-contention case
 * that crashed and hung the original hakmem.
 *
 * All threads share THREADS x CHUNKS slots (default 4 x 1024). Each thread
 * mostly replaces chunks in its own 1024 slots, and one time in RATIO in a
 * random other thread's: allocate a new chunk (16..1024 B), fill it with its
 * address pattern, swap it into the slot with an atomic exchange, check the
 * chunk that comes out and free it. So chunks are freed by threads that did
 * not allocate them. Like Larson, every thread hands its slots to a
 * successor thread after ROUND operations and exits: the successor frees the
 * chunks of a thread that is gone.
 *
 * usage: larson [-t threads] [-c chunks] [-s seconds] [-r round_ops] [-x ratio]
 * Exit 0 ok, 1 corruption, 2 bad arguments. A hang is caught by the caller's
 * timeout.
 */
#include "talloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

typedef _Atomic(unsigned char *) slot_t;

static slot_t *slots;
static long nthreads = 4, chunks = 1024, round_ops = 50000, ratio = 8;
static double deadline;
static atomic_ulong n_ops, n_cross, n_bad, n_lives;

typedef struct { long id; unsigned long rs; } chain_t;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A chunk keeps its size in its first word; the rest is the pattern. */
static unsigned char *chunk_new(unsigned long *rs)
{
  size_t n = 16 + t_rand(rs) % 1009;
  unsigned char *p = T_malloc(n);
  if (!p) { atomic_fetch_add(&n_bad, 1); return NULL; }
  *(size_t *)p = n;
  t_fill(p + sizeof(size_t), n - sizeof(size_t));
  return p;
}

static void chunk_free(unsigned char *p)
{
  if (!p) return;
  size_t n = *(size_t *)p;
  if (n < 16 || n > 1024 || t_check(p + sizeof(size_t), n - sizeof(size_t)) != (size_t)-1) {
    fprintf(stderr, "larson: chunk %p (size word %zu) corrupted\n", (void *)p, n);
    atomic_fetch_add(&n_bad, 1);
    return;                     /* leaked on purpose: it is not trustworthy */
  }
  T_free(p);
}

static void *run(void *arg)
{
  chain_t *c = arg;
  slot_t *mine = slots + c->id * chunks;
  unsigned long cross = 0;
  long op;
  for (op = 0; op < round_ops; op++) {
    unsigned long r = t_rand(&c->rs);
    slot_t *s = mine + (long)(r % (unsigned long)chunks);
    if (nthreads > 1 && (long)((r >> 32) % (unsigned long)ratio) == 0) {
      long other = (long)((r >> 40) % (unsigned long)nthreads);
      s = slots + other * chunks + (long)(r % (unsigned long)chunks);
      cross += other != c->id;
    }
    chunk_free(atomic_exchange(s, chunk_new(&c->rs)));
  }
  atomic_fetch_add(&n_ops, (unsigned long)op);
  atomic_fetch_add(&n_cross, cross);
  atomic_fetch_add(&n_lives, 1);
  if (now() < deadline) {      /* hand the slots to a successor and exit */
    pthread_t next;
    if (pthread_create(&next, NULL, run, c) == 0) { pthread_detach(next); return NULL; }
    perror("pthread_create");
    atomic_fetch_add(&n_bad, 1);
  }
  __atomic_store_n(&c->id, -1 - c->id, __ATOMIC_RELEASE);   /* this chain is done */
  return NULL;
}

int main(int argc, char **argv)
{
  long seconds = 3;
  int opt;
  while ((opt = getopt(argc, argv, "t:c:s:r:x:h")) != -1) {
    int ok = 1;
    switch (opt) {
    case 't': ok = t_parse_num(optarg, 1, 256, &nthreads); break;
    case 'c': ok = t_parse_num(optarg, 1, 1 << 20, &chunks); break;
    case 's': ok = t_parse_num(optarg, 1, 3600, &seconds); break;
    case 'r': ok = t_parse_num(optarg, 1, 1L << 30, &round_ops); break;
    case 'x': ok = t_parse_num(optarg, 1, 1 << 20, &ratio); break;
    default: ok = 0;
    }
    if (!ok || opt == 'h') {
      fprintf(stderr, "usage: %s [-t threads(4)] [-c chunks_per_thread(1024)] [-s seconds(3)]"
              " [-r ops_per_thread_round(50000)] [-x one_in_x_cross_thread(8)]\n", argv[0]);
      return 2;
    }
  }
  if (optind != argc) { fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]); return 2; }
  t_check_served("larson");

  unsigned long rs = 42;
  slots = calloc((size_t)(nthreads * chunks), sizeof *slots);
  chain_t *chain = calloc((size_t)nthreads, sizeof *chain);
  if (!slots || !chain) return 1;
  for (long i = 0; i < nthreads * chunks; i++) slots[i] = chunk_new(&rs);
  double t0 = now();
  deadline = t0 + (double)seconds;
  for (long i = 0; i < nthreads; i++) {
    chain[i].id = i;
    chain[i].rs = 0x9E3779B97F4A7C15UL * (unsigned long)(i + 1);
    pthread_t t;
    if (pthread_create(&t, NULL, run, &chain[i]) != 0) { perror("pthread_create"); return 1; }
    pthread_detach(t);
  }
  /* Wait for every chain to end (detached threads: poll the done marks). */
  for (long done = 0; done < nthreads; ) {
    usleep(10000);
    done = 0;
    for (long i = 0; i < nthreads; i++)
      done += __atomic_load_n(&chain[i].id, __ATOMIC_ACQUIRE) < 0;
  }
  double dt = now() - t0;
  for (long i = 0; i < nthreads * chunks; i++) chunk_free(atomic_exchange(&slots[i], NULL));
  free(slots);
  free(chain);
  unsigned long ops = atomic_load(&n_ops), bad = atomic_load(&n_bad);
  printf("larson (%s): %ld threads x %ld chunks, %.1f s, %lu thread lives, %lu replacements"
         " (%.0f ops/s), %lu into other threads' slots, %lu corrupted\n", T_API_NAME, nthreads, chunks,
         dt, atomic_load(&n_lives), ops, (double)ops / dt, atomic_load(&n_cross), bad);
  if (bad) { printf("larson: FAIL: corrupted chunks or failed allocations\n"); return 1; }
  printf("larson: ok\n");
  return 0;
}
