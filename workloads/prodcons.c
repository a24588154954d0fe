/* prodcons: producer threads allocate blocks and pass them through a queue
 * to consumer threads, which check and free them. Every free is a free by
 * another thread than the one that allocated the block, in a steady stream.
 *
 * --pairs pairs of threads; producer i sends only to consumer i, through a
 * lock-free single-producer single-consumer ring of RING_ENTRIES blocks. The
 * producer allocates a block of a size uniform in [--min, --max], tags it
 * and appends it; it publishes what it has appended (one release store) every
 * --batch blocks. The consumer takes everything published, checks and frees
 * each block, then hands the slots back (one release store). A producer that
 * finds the ring full, or a consumer that finds it empty, spins briefly and
 * then yields (counted in full_waits / empty_waits): with more threads than
 * cores, the other side must get to run.
 *
 * With --ops N each producer sends ceil(N/2) blocks (the op count is then
 * fixed by the options); otherwise producers run until --seconds have
 * passed. The timed window runs from the first producer's start to the
 * moment the last consumer has freed the last block. One op is one malloc or
 * one free. */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define RING_ENTRIES 4096u   /* a power of two: positions are masked */
#define MAX_PAIRS 64u

struct pair {
  _Alignas(64) _Atomic uint32_t head;   /* written by the consumer only */
  _Alignas(64) _Atomic uint32_t tail;   /* written by the producer only */
  _Atomic int done;                     /* producer: nothing more comes */
  /* producer's own */
  _Alignas(64) uint64_t rng;
  uint32_t id, salt;
  uint64_t sent, full_waits;
  double start;
  /* consumer's own */
  _Alignas(64) uint64_t received, empty_waits;
  double end;
  struct wl_block buf[RING_ENTRIES];
};

static struct {
  uint32_t min, span, batch;
  uint64_t blocks;             /* per producer with --ops; 0: until stop */
  pthread_barrier_t start;
  _Atomic int stop;
} g;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* Spin a little, then let the scheduler run the other side. */
static inline void backoff(unsigned *spins) {
  if (++*spins > 64) sched_yield();
  else cpu_relax();
}

static void *producer(void *arg) {
  struct pair *q = (struct pair *)arg;
  pthread_barrier_wait(&g.start);
  q->start = wl_now();
  const uint32_t min = g.min, span = g.span, batch = g.batch, mask = RING_ENTRIES - 1;
  const uint64_t limit = g.blocks ? g.blocks : UINT64_MAX;
  uint64_t rng = q->rng, full_waits = 0, n = 0;
  uint32_t salt = q->salt, next = 0, head_seen = 0, unpublished = 0;
  for (; n < limit; n++) {
    if (!g.blocks && WL_UNLIKELY(atomic_load_explicit(&g.stop, memory_order_relaxed))) break;
    uint32_t size = min + wl_scale((uint32_t)wl_rand(&rng), span);
    void *p = malloc(size);
    if (WL_UNLIKELY(!p)) wl_oom(size);
    if (WL_UNLIKELY(next - head_seen == RING_ENTRIES)) {
      unsigned spins = 0;
      atomic_store_explicit(&q->tail, next, memory_order_release);
      unpublished = 0;
      for (;;) {
        head_seen = atomic_load_explicit(&q->head, memory_order_acquire);
        if (next - head_seen != RING_ENTRIES) break;
        if (spins == 0) full_waits++;
        backoff(&spins);
      }
    }
    wl_set(&q->buf[next & mask], p, size, salt++);
    next++;
    if (++unpublished == batch) {
      atomic_store_explicit(&q->tail, next, memory_order_release);
      unpublished = 0;
    }
  }
  atomic_store_explicit(&q->tail, next, memory_order_release);
  atomic_store_explicit(&q->done, 1, memory_order_release);
  q->sent = n;
  q->full_waits = full_waits;
  return NULL;
}

static void *consumer(void *arg) {
  struct pair *q = (struct pair *)arg;
  pthread_barrier_wait(&g.start);
  const uint32_t mask = RING_ENTRIES - 1;
  uint64_t received = 0, empty_waits = 0;
  uint32_t h = 0;
  unsigned spins = 0;
  for (;;) {
    uint32_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (h == t) {
      /* done is stored after the last tail: if it is set, one more look at
       * the tail sees everything. */
      if (atomic_load_explicit(&q->done, memory_order_acquire) &&
          atomic_load_explicit(&q->tail, memory_order_acquire) == h)
        break;
      if (spins == 0) empty_waits++;
      backoff(&spins);
      continue;
    }
    spins = 0;
    received += t - h;
    for (; h != t; h++) {
      struct wl_block *b = &q->buf[h & mask];
      wl_check(b, "received from the producer");
      free(b->p);
    }
    atomic_store_explicit(&q->head, h, memory_order_release);
  }
  q->received = received;
  q->empty_waits = empty_waits;
  q->end = wl_now();
  return NULL;
}

int main(int argc, char **argv) {
  uint64_t pairs = 1, min = 64, max = 64, batch = 16, ops = 0, seed = 42;
  double seconds = 1;
  struct wl_opt opts[] = {
      {.name = "pairs", .kind = WL_OPT_U64, .value = &pairs, .ulo = 1, .uhi = MAX_PAIRS,
       .help = "producer-consumer pairs (threads = 2 x pairs)"},
      {.name = "min", .kind = WL_OPT_U64, .value = &min, .ulo = 1, .uhi = 1u << 30,
       .help = "smallest block size, bytes"},
      {.name = "max", .kind = WL_OPT_U64, .value = &max, .ulo = 1, .uhi = 1u << 30,
       .help = "largest block size, bytes"},
      {.name = "batch", .kind = WL_OPT_U64, .value = &batch, .ulo = 1, .uhi = RING_ENTRIES / 2,
       .help = "blocks the producer appends between publishing"},
      {.name = "seconds", .kind = WL_OPT_F64, .value = &seconds, .dlo = 0.001, .dhi = 1e6,
       .json_key = "seconds_limit", .help = "run time, unless --ops is given"},
      {.name = "ops", .kind = WL_OPT_U64, .value = &ops, .ulo = 1, .uhi = UINT64_MAX / 4,
       .json_key = "ops_limit", .optional = 1,
       .help = "ops per pair: ceil(N/2) blocks (overrides --seconds)"},
      {.name = "seed", .kind = WL_OPT_U64, .value = &seed, .ulo = 0, .uhi = UINT64_MAX,
       .help = "PRNG seed"},
  };
  struct wl_cmd cmd = {
      .name = "prodcons",
      .summary = "producer threads allocate blocks, consumer threads check and free them "
                 "(one lock-free SPSC ring per pair)",
      .op = "one malloc or one free (a block sent is two ops)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);
  wl_check_min_max(&cmd, min, max);
  const struct wl_opt *ops_opt = wl_opt_get(&cmd, "ops");
  g.min = (uint32_t)min;
  g.span = (uint32_t)(max - min + 1);
  g.batch = (uint32_t)batch;
  g.blocks = ops_opt->given ? (ops + 1) / 2 : 0;
  pthread_barrier_init(&g.start, NULL, (unsigned)(2 * pairs + 1));

  struct pair *qs = (struct pair *)wl_mem(sizeof(struct pair) * pairs);
  pthread_t *tids = (pthread_t *)wl_mem(sizeof(pthread_t) * 2 * pairs);
  for (uint32_t i = 0; i < pairs; i++) {
    qs[i].id = i;
    qs[i].rng = wl_seed_state(seed, i);
    qs[i].salt = i << 24;
    int err = pthread_create(&tids[2 * i], NULL, producer, &qs[i]);
    if (!err) err = pthread_create(&tids[2 * i + 1], NULL, consumer, &qs[i]);
    if (err) wl_die("pthread_create: error %d", err);
  }
  pthread_barrier_wait(&g.start);
  double t0 = wl_now();
  if (!g.blocks) {
    wl_sleep(seconds);
    atomic_store(&g.stop, 1);
  }
  uint64_t sent = 0, received = 0, full_waits = 0, empty_waits = 0;
  /* The window: from the first producer's start to the last consumer's end
   * (each thread notes its own: with --ops a short run can be over before
   * main runs again after the barrier). */
  double start = t0, end = t0;
  for (uint32_t i = 0; i < 2 * pairs; i++) {
    int err = pthread_join(tids[i], NULL);
    if (err) wl_die("pthread_join: error %d", err);
  }
  for (uint32_t i = 0; i < pairs; i++) {
    sent += qs[i].sent;
    received += qs[i].received;
    full_waits += qs[i].full_waits;
    empty_waits += qs[i].empty_waits;
    if (i == 0 || qs[i].start < start) start = qs[i].start;
    if (qs[i].end > end) end = qs[i].end;
  }
  if (sent != received)
    wl_corruption_msg("%llu blocks sent but %llu received", (unsigned long long)sent,
                      (unsigned long long)received);

  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("mallocs", sent);
  wl_json_u64("frees", received);
  wl_json_u64("full_waits", full_waits);
  wl_json_u64("empty_waits", empty_waits);
  wl_json_u64("ring_entries", RING_ENTRIES);
  wl_json_end(&cmd, sent + received, end - start, 2 * pairs);
  return 0;
}
