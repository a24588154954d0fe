/* mt_contention: threads allocate and free at full speed; --remote percent
 * of the blocks a thread releases are freed by another thread.
 *
 * Each thread keeps --chunks live blocks (filled untimed before the start).
 * One step: pick a random slot; release its block: with probability
 * --remote % hand it to a random other thread, else check and free it here;
 * then allocate a new block of a size uniform in [--min, --max] into the
 * slot. A step is two ops (one free, counted by the thread that released the
 * block, and one malloc). With --ops N every thread makes ceil(N/2) steps
 * (the op count is then fixed by the options); otherwise threads run until
 * --seconds have passed.
 *
 * Hand-off queues: lock-free, one single-producer single-consumer ring per
 * (sender, receiver) pair (1024 entries up to 16 threads, see ring_cap); no atomic read-modify-write
 * anywhere on the path. A sender publishes its new entries (one release store
 * of the ring's tail) and the receiver checks and frees what it finds (one
 * release store of the head) every SYNC_STEPS steps, so the cache lines that
 * carry the rings move between cores once per batch, not once per block. A
 * sender that finds a ring full publishes, drains its own incoming rings and
 * yields until there is room (counted in "full_waits"); since every thread
 * drains while it waits and after it has finished, this cannot deadlock.
 *
 * End: a thread that has made its steps publishes everything, increments
 * `finished`, and keeps draining until all threads have finished; then it
 * drains once more (everything anyone sent is visible by then), notes the
 * time, and frees its own slots untimed. The measured window runs from the
 * common start to the last such note. */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define SYNC_STEPS 16u       /* steps between publishing and draining      */
#define MAX_THREADS 64u
/* Entries per ring: 1024 up to 16 threads, then fewer so that all rings
 * together stay at 256 KiB per thread (a receiver's traffic is spread over
 * more rings). Always a power of two: positions are reduced with a mask. */
#define RING_ENTRIES_PER_THREAD 16384u
#define RING_MAX_ENTRIES 1024u

struct ring {
  _Alignas(64) _Atomic uint32_t head;   /* written by the receiver only */
  _Alignas(64) _Atomic uint32_t tail;   /* written by the sender only   */
  _Alignas(64) struct wl_block buf[];   /* g.ring_cap entries           */
};

/* A thread's private state. The arrays indexed by peer are its view of the
 * rings it sends into: next write position and last head it read. */
struct worker {
  uint32_t id;
  struct wl_block *slots;
  uint32_t *next;
  uint32_t *head_seen;
  uint64_t rng;
  uint32_t salt;
  uint64_t steps, remote, full_waits;
  double end;
} __attribute__((aligned(64)));

static struct {
  uint32_t threads, chunks, min, span;
  uint32_t ring_cap;           /* entries per ring, a power of two */
  size_t ring_bytes;           /* distance between rings          */
  uint64_t remote_threshold;   /* a 32-bit draw below this goes remote */
  uint64_t steps;              /* per thread with --ops; 0: run until stop */
  unsigned char *rings;        /* ring (s, r) at index s * threads + r */
  pthread_barrier_t start;
  _Atomic int stop;
  _Atomic uint32_t finished;
} g;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static inline struct ring *ring_of(uint32_t sender, uint32_t receiver) {
  return (struct ring *)(g.rings + ((size_t)sender * g.threads + receiver) * g.ring_bytes);
}

/* Checks and frees every published entry of every ring into `w`. */
static void drain(struct worker *w) {
  for (uint32_t s = 0; s < g.threads; s++) {
    if (s == w->id) continue;
    struct ring *r = ring_of(s, w->id);
    uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint32_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (h == t) continue;
    const uint32_t mask = g.ring_cap - 1;
    for (; h != t; h++) {
      struct wl_block *b = &r->buf[h & mask];
      wl_check(b, "handed to another thread");
      free(b->p);
    }
    atomic_store_explicit(&r->head, h, memory_order_release);
  }
}

static void publish(struct worker *w) {
  for (uint32_t d = 0; d < g.threads; d++) {
    struct ring *r = ring_of(w->id, d);
    if (atomic_load_explicit(&r->tail, memory_order_relaxed) != w->next[d])
      atomic_store_explicit(&r->tail, w->next[d], memory_order_release);
  }
}

static void send(struct worker *w, uint32_t to, const struct wl_block *b) {
  struct ring *r = ring_of(w->id, to);
  unsigned spins = 0;
  const uint32_t cap = g.ring_cap;
  while (WL_UNLIKELY(w->next[to] - w->head_seen[to] == cap)) {
    w->head_seen[to] = atomic_load_explicit(&r->head, memory_order_acquire);
    if (w->next[to] - w->head_seen[to] != cap) break;
    if (spins++ == 0) w->full_waits++;
    publish(w);
    drain(w);
    /* The receiver is behind (or descheduled): spin a little, then let the
     * scheduler run it. */
    if (spins > 64) sched_yield();
    else cpu_relax();
  }
  r->buf[w->next[to] & (cap - 1)] = *b;
  w->next[to]++;
}

static void fill(struct worker *w) {
  for (uint32_t i = 0; i < g.chunks; i++) {
    uint64_t r = wl_rand(&w->rng);
    uint32_t size = g.min + wl_scale((uint32_t)(r >> 32), g.span);
    void *p = malloc(size);
    if (WL_UNLIKELY(!p)) wl_oom(size);
    wl_set(&w->slots[i], p, size, w->salt++);
  }
}

static void *worker_thread(void *arg) {
  struct worker *w = (struct worker *)arg;
  fill(w);
  pthread_barrier_wait(&g.start);

  struct wl_block *slots = w->slots;
  const uint32_t chunks = g.chunks, min = g.min, span = g.span, peers = g.threads - 1;
  const uint64_t limit = g.steps ? g.steps : UINT64_MAX, thr = g.remote_threshold;
  uint64_t rng = w->rng, step = 0, remote = 0;
  uint32_t salt = w->salt;
  for (; step < limit; step++) {
    if (!g.steps && WL_UNLIKELY(atomic_load_explicit(&g.stop, memory_order_relaxed))) break;
    uint64_t r = wl_rand(&rng), r2 = wl_rand(&rng);
    struct wl_block *b = &slots[wl_scale((uint32_t)r, chunks)];
    if ((uint32_t)r2 < thr) {
      uint32_t to = wl_scale((uint32_t)(r2 >> 32), peers);
      to += to >= w->id;                   /* any thread but this one */
      send(w, to, b);
      remote++;
    } else {
      wl_check(b, "released by its own thread");
      free(b->p);
    }
    uint32_t size = min + wl_scale((uint32_t)(r >> 32), span);
    void *p = malloc(size);
    if (WL_UNLIKELY(!p)) wl_oom(size);
    wl_set(b, p, size, salt++);
    if ((step & (SYNC_STEPS - 1)) == SYNC_STEPS - 1) {
      publish(w);
      drain(w);
    }
  }
  w->steps = step;
  w->remote = remote;

  publish(w);
  atomic_fetch_add_explicit(&g.finished, 1, memory_order_acq_rel);
  for (;;) {
    int all = atomic_load_explicit(&g.finished, memory_order_acquire) == g.threads;
    drain(w);
    if (all) break;
    sched_yield();
  }
  w->end = wl_now();
  for (uint32_t i = 0; i < chunks; i++) {
    wl_check(&slots[i], "own slot, final free");
    free(slots[i].p);
  }
  return NULL;
}

int main(int argc, char **argv) {
  uint64_t threads = 2, remote = 50, chunks = 1000, min = 16, max = 256, ops = 0, seed = 42;
  double seconds = 2;
  struct wl_opt opts[] = {
      {.name = "threads", .kind = WL_OPT_U64, .value = &threads, .ulo = 1, .uhi = MAX_THREADS,
       .help = "threads"},
      {.name = "remote", .kind = WL_OPT_U64, .value = &remote, .ulo = 0, .uhi = 100,
       .help = "percent of blocks freed by another thread"},
      {.name = "chunks", .kind = WL_OPT_U64, .value = &chunks, .ulo = 1, .uhi = 1u << 24,
       .help = "live blocks per thread"},
      {.name = "min", .kind = WL_OPT_U64, .value = &min, .ulo = 1, .uhi = 1u << 30,
       .help = "smallest block size, bytes"},
      {.name = "max", .kind = WL_OPT_U64, .value = &max, .ulo = 1, .uhi = 1u << 30,
       .help = "largest block size, bytes"},
      {.name = "seconds", .kind = WL_OPT_F64, .value = &seconds, .dlo = 0.001, .dhi = 1e6,
       .json_key = "seconds_limit", .help = "run time, unless --ops is given"},
      {.name = "ops", .kind = WL_OPT_U64, .value = &ops, .ulo = 1, .uhi = UINT64_MAX / 4,
       .json_key = "ops_limit", .optional = 1, .help = "ops per thread (overrides --seconds)"},
      {.name = "seed", .kind = WL_OPT_U64, .value = &seed, .ulo = 0, .uhi = UINT64_MAX,
       .help = "PRNG seed"},
  };
  struct wl_cmd cmd = {
      .name = "mt_contention",
      .summary = "threads malloc and free at full speed, --remote % of frees done by another "
                 "thread (lock-free SPSC hand-off rings)",
      .op = "one malloc or one free (a step, free + malloc, is two ops)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);
  wl_check_min_max(&cmd, min, max);
  const struct wl_opt *ops_opt = wl_opt_get(&cmd, "ops");
  g.threads = (uint32_t)threads;
  g.chunks = (uint32_t)chunks;
  g.min = (uint32_t)min;
  g.span = (uint32_t)(max - min + 1);
  /* With one thread there is nobody to hand a block to. */
  g.remote_threshold = threads > 1 ? (remote << 32) / 100 : 0;
  g.steps = ops_opt->given ? (ops + 1) / 2 : 0;
  g.ring_cap = RING_MAX_ENTRIES;
  while (g.ring_cap * threads > RING_ENTRIES_PER_THREAD) g.ring_cap /= 2;
  g.ring_bytes = sizeof(struct ring) + sizeof(struct wl_block) * g.ring_cap;
  g.rings = (unsigned char *)wl_mem(g.ring_bytes * threads * threads);
  pthread_barrier_init(&g.start, NULL, (unsigned)threads + 1);

  struct worker *ws = (struct worker *)wl_mem(sizeof(struct worker) * threads);
  pthread_t *tids = (pthread_t *)wl_mem(sizeof(pthread_t) * threads);
  for (uint32_t t = 0; t < threads; t++) {
    struct worker *w = &ws[t];
    w->id = t;
    w->slots = (struct wl_block *)wl_mem(sizeof(struct wl_block) * chunks);
    w->next = (uint32_t *)wl_mem(sizeof(uint32_t) * threads);
    w->head_seen = (uint32_t *)wl_mem(sizeof(uint32_t) * threads);
    w->rng = wl_seed_state(seed, t);
    w->salt = t << 24;
    int err = pthread_create(&tids[t], NULL, worker_thread, w);
    if (err) wl_die("pthread_create: error %d", err);
  }
  pthread_barrier_wait(&g.start);
  double t0 = wl_now();
  if (!g.steps) {
    wl_sleep(seconds);
    atomic_store(&g.stop, 1);
  }
  uint64_t steps = 0, remote_frees = 0, full_waits = 0;
  double end = t0;
  for (uint32_t t = 0; t < threads; t++) {
    int err = pthread_join(tids[t], NULL);
    if (err) wl_die("pthread_join: error %d", err);
    steps += ws[t].steps;
    remote_frees += ws[t].remote;
    full_waits += ws[t].full_waits;
    if (ws[t].end > end) end = ws[t].end;
  }

  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("mallocs", steps);
  wl_json_u64("frees", steps);
  wl_json_u64("remote_frees", remote_frees);
  wl_json_u64("full_waits", full_waits);
  wl_json_str("queue", "lock-free SPSC ring per sender-receiver pair");
  wl_json_u64("ring_entries", g.ring_cap);
  wl_json_end(&cmd, 2 * steps, end - t0, threads);
  return 0;
}
