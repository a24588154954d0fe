/* churn: short-lived threads over big blocks. Every round starts --threads
 * threads and joins them all, so the allocator sees threads end and new ones
 * start all the time, with their blocks still live.
 *
 * --threads lineages; each owns --live slots of blocks that outlive the
 * thread that allocated them (the slots start empty). In every round, the
 * lineage's new thread makes --steps steps: pick a random slot; check its
 * block and free it (or, with probability --keep per mille, move it to the
 * lineage's long-lived set instead, which is only freed at the end); then
 * allocate a new block of a size drawn from [--min, --max] (--dist log:
 * log-uniform, so every doubling of the size is equally likely; uniform) and
 * write its check words, one per 4 KiB page (wl_big_*). So blocks are freed
 * by a later thread than the one that allocated them, after that one ended.
 * Then, with --grow B, the thread grows one buffer from B bytes to --max by
 * realloc in steps of B bytes, checking the contents before and after each
 * step and writing the new part's check words, and frees it.
 *
 * --keep N > 0 is the leak-and-churn pattern: a long-lived set of blocks
 * grows for the whole run beside the short-lived ones (with small --min,
 * --max, and --threads 1 --rounds 1 for a single thread).
 *
 * One op is one KiB of blocks allocated (bytes_allocated / 1024, growth by
 * realloc included): the cost of big blocks grows with their size. The JSON
 * also counts the calls. The timed window is from the first thread's
 * creation to the last round's last join; the blocks still live then (slots
 * and long-lived sets) are checked and freed untimed. */
#include "common.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum dist { DIST_LOG, DIST_UNIFORM };
static const char *const dist_names[] = {"log", "uniform", NULL};

struct lineage {
  struct wl_big *slots;
  struct wl_big *kept;         /* the long-lived set, capacity steps x rounds */
  uint64_t nkept, kept_bytes;
  uint64_t bytes;              /* allocated, growth included */
  uint64_t rng;
  uint32_t salt;
  uint64_t mallocs, reallocs, frees;
} __attribute__((aligned(64)));

static struct {
  uint64_t steps, live, grow, keep_threshold;
  size_t min, max;
  unsigned dist;
  double log_ratio;            /* ln(max / min) */
} g;

static size_t draw_size(uint64_t *rng) {
  uint64_t r = wl_rand(rng);
  if (g.dist == DIST_UNIFORM)
    return g.min + (size_t)(((__uint128_t)r * (g.max - g.min + 1)) >> 64);
  double u = (double)(r >> 11) * 0x1p-53;            /* [0, 1) */
  size_t s = (size_t)((double)g.min * exp(u * g.log_ratio));
  return s < g.min ? g.min : s > g.max ? g.max : s;
}

static void grow_one(struct lineage *l) {
  void *p = malloc(g.grow);
  if (WL_UNLIKELY(!p)) wl_oom(g.grow);
  l->mallocs++;
  l->bytes += g.grow;
  struct wl_big b;
  wl_big_set(&b, p, g.grow, l->salt++);
  while (b.size < g.max) {
    size_t old = b.size, next = old + g.grow < g.max ? old + g.grow : g.max;
    wl_big_check(&b, old, "growing buffer before realloc");
    void *q = realloc(b.p, next);
    if (WL_UNLIKELY(!q)) wl_oom(next);
    l->reallocs++;
    l->bytes += next - old;
    b.p = q;
    b.size = next;
    wl_big_check(&b, old, "growing buffer after realloc (old contents)");
    wl_big_fill(&b, old - 15);
  }
  wl_big_check(&b, b.size, "grown buffer");
  free(b.p);
  l->frees++;
}

static void *round_thread(void *arg) {
  struct lineage *l = (struct lineage *)arg;
  uint64_t rng = l->rng;
  const uint32_t live = (uint32_t)g.live;
  for (uint64_t i = 0; i < g.steps; i++) {
    uint64_t r = wl_rand(&rng);
    struct wl_big *b = &l->slots[wl_scale((uint32_t)r, live)];
    if (b->p) {
      wl_big_check(b, b->size, "slot of a thread that has ended");
      if ((r >> 32) < g.keep_threshold) {
        l->kept[l->nkept++] = *b;
        l->kept_bytes += b->size;
      } else {
        free(b->p);
        l->frees++;
      }
    }
    size_t size = draw_size(&rng);
    void *p = malloc(size);
    if (WL_UNLIKELY(!p)) wl_oom(size);
    l->mallocs++;
    l->bytes += size;
    wl_big_set(b, p, size, l->salt++);
  }
  if (g.grow) grow_one(l);
  l->rng = rng;
  return NULL;
}

int main(int argc, char **argv) {
  uint64_t threads = 4, rounds = 20, steps = 32, live = 8, min = 80 << 10, max = 10 << 20;
  uint64_t grow = 800000, keep = 0, seed = 42;
  unsigned dist = DIST_LOG;
  struct wl_opt opts[] = {
      {.name = "threads", .kind = WL_OPT_U64, .value = &threads, .ulo = 1, .uhi = 256,
       .help = "threads per round (lineages)"},
      {.name = "rounds", .kind = WL_OPT_U64, .value = &rounds, .ulo = 1, .uhi = 1u << 24,
       .help = "rounds; each starts and joins --threads threads"},
      {.name = "steps", .kind = WL_OPT_U64, .value = &steps, .ulo = 1, .uhi = 1u << 30,
       .help = "block replacements per thread per round"},
      {.name = "live", .kind = WL_OPT_U64, .value = &live, .ulo = 1, .uhi = 1u << 24,
       .help = "slots per lineage (blocks live across rounds)"},
      {.name = "min", .kind = WL_OPT_U64, .value = &min, .ulo = 16, .uhi = 1ull << 34,
       .help = "smallest block, bytes"},
      {.name = "max", .kind = WL_OPT_U64, .value = &max, .ulo = 16, .uhi = 1ull << 34,
       .help = "largest block (and the grown buffer's final size), bytes"},
      {.name = "dist", .kind = WL_OPT_CHOICE, .value = &dist, .choices = dist_names,
       .help = "block sizes: log-uniform or uniform"},
      {.name = "grow", .kind = WL_OPT_U64, .value = &grow, .ulo = 0, .uhi = 1ull << 34,
       .help = "realloc step of the buffer each thread grows to --max (0: none)"},
      {.name = "keep", .kind = WL_OPT_U64, .value = &keep, .ulo = 0, .uhi = 1000,
       .help = "per mille of replaced blocks kept to the end (the long-lived set)"},
      {.name = "seed", .kind = WL_OPT_U64, .value = &seed, .ulo = 0, .uhi = UINT64_MAX,
       .help = "PRNG seed"},
  };
  struct wl_cmd cmd = {
      .name = "churn",
      .summary = "rounds of short-lived threads replacing big blocks that outlive them, "
                 "one realloc-grown buffer per thread and round, an optional long-lived set",
      .op = "one KiB of blocks allocated (growth by realloc included)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);
  wl_check_min_max(&cmd, min, max);
  if (grow && grow < 16) wl_usage_error(&cmd, "--grow %llu: steps below 16 bytes", (unsigned long long)grow);
  g.steps = steps;
  g.live = live;
  g.grow = grow;
  g.min = (size_t)min;
  g.max = (size_t)max;
  g.dist = dist;
  g.log_ratio = log((double)max / (double)min);
  g.keep_threshold = (keep << 32) / 1000;

  struct lineage *ls = (struct lineage *)wl_mem(sizeof(struct lineage) * threads);
  for (uint64_t t = 0; t < threads; t++) {
    ls[t].slots = (struct wl_big *)wl_mem(sizeof(struct wl_big) * live);
    if (keep) ls[t].kept = (struct wl_big *)wl_mem(sizeof(struct wl_big) * steps * rounds);
    ls[t].rng = wl_seed_state(seed, t);
    ls[t].salt = (uint32_t)(t << 24);
  }
  pthread_t *tids = (pthread_t *)wl_mem(sizeof(pthread_t) * threads);

  double t0 = wl_now();
  for (uint64_t r = 0; r < rounds; r++) {
    for (uint64_t t = 0; t < threads; t++) {
      int err = pthread_create(&tids[t], NULL, round_thread, &ls[t]);
      if (err) wl_die("pthread_create: error %d", err);
    }
    for (uint64_t t = 0; t < threads; t++) {
      int err = pthread_join(tids[t], NULL);
      if (err) wl_die("pthread_join: error %d", err);
    }
  }
  double seconds = wl_now() - t0;

  uint64_t mallocs = 0, reallocs = 0, frees = 0, nkept = 0, kept_bytes = 0, bytes = 0;
  for (uint64_t t = 0; t < threads; t++) {
    struct lineage *l = &ls[t];
    mallocs += l->mallocs;
    reallocs += l->reallocs;
    frees += l->frees;
    nkept += l->nkept;
    kept_bytes += l->kept_bytes;
    bytes += l->bytes;
    for (uint64_t i = 0; i < live; i++) {
      if (!l->slots[i].p) continue;
      wl_big_check(&l->slots[i], l->slots[i].size, "slot, final free");
      free(l->slots[i].p);
    }
    for (uint64_t i = 0; i < l->nkept; i++) {
      wl_big_check(&l->kept[i], l->kept[i].size, "long-lived set, final free");
      free(l->kept[i].p);
    }
  }

  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("mallocs", mallocs);
  wl_json_u64("reallocs", reallocs);
  wl_json_u64("frees", frees);
  wl_json_u64("threads_started", threads * rounds);
  wl_json_u64("kept", nkept);
  wl_json_u64("kept_bytes", kept_bytes);
  wl_json_u64("bytes_allocated", bytes);
  wl_json_end(&cmd, bytes / 1024, seconds, threads);
  return 0;
}
