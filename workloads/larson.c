/* larson: the server simulation of Larson and Krishnan, "Memory allocation
 * for long-running server applications" (ISMM 1998), written from the
 * paper's description.
 *
 * --threads lineages run at once. A lineage owns an array of --chunks blocks,
 * filled (untimed) by its first thread. A thread repeatedly picks a random
 * chunk, checks and frees its block and allocates a new one of a size
 * uniform in [--min, --max]. After --rounds x --chunks replacements it starts
 * a successor thread that inherits the array and the random stream, and
 * exits; so blocks allocated by one thread are freed by another, as in a
 * server whose requests move between worker threads.
 *
 * Stop: after --seconds the main thread raises a flag that every thread
 * reads before each replacement; the thread that sees it records itself and
 * posts its lineage's semaphore. Each successor joins its predecessor, and
 * main joins the last thread of each lineage, so no thread outlives the run;
 * main then checks and frees every block. One op is one malloc or one free. */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct lineage {
  struct wl_block *chunks;
  uint64_t rng;
  uint32_t salt;
  int has_pred;
  pthread_t pred;        /* the thread that started the current one          */
  pthread_t last;        /* set by the thread that saw the stop flag         */
  uint64_t ops;          /* mallocs + frees, summed over its threads         */
  uint64_t threads;      /* threads this lineage has run                     */
  sem_t done;
} __attribute__((aligned(64)));

static struct {
  uint64_t chunks, rounds;
  uint32_t min, span;
  pthread_barrier_t start;
  pthread_attr_t attr;
  _Atomic int stop;
} g;

static void fill(struct lineage *l) {
  for (uint64_t i = 0; i < g.chunks; i++) {
    uint64_t r = wl_rand(&l->rng);
    uint32_t size = g.min + wl_scale((uint32_t)(r >> 32), g.span);
    void *p = malloc(size);
    if (WL_UNLIKELY(!p)) wl_oom(size);
    wl_set(&l->chunks[i], p, size, l->salt++);
  }
}

static void *lineage_thread(void *arg) {
  struct lineage *l = (struct lineage *)arg;
  if (l->has_pred) {
    int err = pthread_join(l->pred, NULL);
    if (err) wl_die("pthread_join of the predecessor thread: error %d", err);
  } else {
    fill(l);
    pthread_barrier_wait(&g.start);
  }
  struct wl_block *chunks = l->chunks;
  const uint32_t n = (uint32_t)g.chunks, min = g.min, span = g.span;
  const uint64_t replacements = g.rounds * g.chunks;
  uint64_t rng = l->rng, ops = 0;
  uint32_t salt = l->salt;
  for (uint64_t i = 0; i < replacements; i++) {
    if (WL_UNLIKELY(atomic_load_explicit(&g.stop, memory_order_relaxed))) {
      l->ops += ops;
      l->last = pthread_self();
      sem_post(&l->done);
      return NULL;
    }
    uint64_t r = wl_rand(&rng);
    struct wl_block *b = &chunks[wl_scale((uint32_t)r, n)];
    wl_check(b, "chunk array");
    free(b->p);
    uint32_t size = min + wl_scale((uint32_t)(r >> 32), span);
    void *p = malloc(size);
    if (WL_UNLIKELY(!p)) wl_oom(size);
    wl_set(b, p, size, salt++);
    ops += 2;
  }
  /* Hand the array to a successor. Everything it reads is written before
   * pthread_create; this thread does not touch *l afterwards. */
  l->rng = rng;
  l->salt = salt;
  l->ops += ops;
  l->threads++;
  l->pred = pthread_self();
  l->has_pred = 1;
  pthread_t next;
  int err = pthread_create(&next, &g.attr, lineage_thread, l);
  if (err) wl_die("pthread_create of a successor thread: error %d", err);
  return NULL;
}

int main(int argc, char **argv) {
  uint64_t threads = 1, min = 8, max = 1000, chunks = 5000, rounds = 100, seed = 4141;
  double seconds = 5;
  struct wl_opt opts[] = {
      {.name = "seconds", .kind = WL_OPT_F64, .value = &seconds, .dlo = 0.001, .dhi = 1e6,
       .json_key = "seconds_limit", .help = "measured run time"},
      {.name = "min", .kind = WL_OPT_U64, .value = &min, .ulo = 1, .uhi = 1u << 30,
       .help = "smallest block size, bytes"},
      {.name = "max", .kind = WL_OPT_U64, .value = &max, .ulo = 1, .uhi = 1u << 30,
       .help = "largest block size, bytes"},
      {.name = "chunks", .kind = WL_OPT_U64, .value = &chunks, .ulo = 1, .uhi = 1u << 24,
       .help = "live blocks per thread"},
      {.name = "rounds", .kind = WL_OPT_U64, .value = &rounds, .ulo = 1, .uhi = 1u << 30,
       .help = "a thread makes rounds x chunks replacements, then hands over"},
      {.name = "seed", .kind = WL_OPT_U64, .value = &seed, .ulo = 0, .uhi = UINT64_MAX,
       .help = "PRNG seed"},
      {.name = "threads", .kind = WL_OPT_U64, .value = &threads, .ulo = 1, .uhi = 1024,
       .help = "threads running at once"},
  };
  struct wl_cmd cmd = {
      .name = "larson",
      .summary = "Larson-Krishnan server simulation: threads replace random blocks and pass "
                 "their arrays on to successor threads",
      .op = "one malloc or one free (a replacement is two ops)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);
  wl_check_min_max(&cmd, min, max);
  g.chunks = chunks;
  g.rounds = rounds;
  g.min = (uint32_t)min;
  g.span = (uint32_t)(max - min + 1);
  pthread_attr_init(&g.attr);
  pthread_attr_setstacksize(&g.attr, 256 * 1024);

  struct lineage *ls = (struct lineage *)wl_mem(sizeof(struct lineage) * threads);
  pthread_barrier_init(&g.start, NULL, (unsigned)threads + 1);
  for (uint64_t t = 0; t < threads; t++) {
    struct lineage *l = &ls[t];
    l->chunks = (struct wl_block *)wl_mem(sizeof(struct wl_block) * chunks);
    l->rng = wl_seed_state(seed, t);
    l->salt = (uint32_t)(t << 24);
    l->threads = 1;
    sem_init(&l->done, 0, 0);
    pthread_t tid;
    int err = pthread_create(&tid, &g.attr, lineage_thread, l);
    if (err) wl_die("pthread_create: error %d", err);
  }
  pthread_barrier_wait(&g.start);
  double t0 = wl_now();
  wl_sleep(seconds);
  atomic_store(&g.stop, 1);
  for (uint64_t t = 0; t < threads; t++)
    while (sem_wait(&ls[t].done) != 0 && errno == EINTR) {}
  double elapsed = wl_now() - t0;

  uint64_t ops = 0, started = 0;
  for (uint64_t t = 0; t < threads; t++) {
    struct lineage *l = &ls[t];
    int err = pthread_join(l->last, NULL);
    if (err) wl_die("pthread_join: error %d", err);
    ops += l->ops;
    started += l->threads;
    for (uint64_t i = 0; i < chunks; i++) {
      wl_check(&l->chunks[i], "chunk array, final free");
      free(l->chunks[i].p);
    }
  }

  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("mallocs", ops / 2);
  wl_json_u64("frees", ops / 2);
  wl_json_u64("threads_started", started);
  wl_json_end(&cmd, ops, elapsed, threads);
  return 0;
}
