/* false_sharing: do blocks freed by one thread and reallocated by another end
 * up sharing cache lines with blocks a third thread is writing? (In the
 * style of the "cache-scratch" benchmark.)
 *
 * Setup (untimed): the main thread allocates --threads batches of --objects
 * blocks of --size bytes, interleaved (block i of batch 0, block i of batch 1,
 * ...), so neighbouring allocations go to different batches.
 * Round r: thread t takes batch (t + k_r) mod T, where k_r is drawn from
 * --seed and differs from k_(r-1), so with two or more threads every batch
 * changes hands each round. For each object of its batch the thread checks
 * and frees the block (allocated by another thread), allocates a new one of
 * the same size and tags it; then it makes --writes passes over its batch,
 * each incrementing every object's first byte through a volatile pointer,
 * and checks the counts. A barrier separates rounds.
 * An allocator that gives threads blocks on one cache line makes every one of
 * those writes a cache-line transfer between cores.
 *
 * One op is one write; the JSON also counts mallocs and frees. */
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static struct {
  uint32_t threads, objects, size, rounds;
  uint64_t writes;
  uint32_t *shift;             /* k_r for each round */
  struct wl_block **batches;
  pthread_barrier_t start, round, end;
} g;

struct worker {
  uint32_t id;
  uint32_t salt;
} __attribute__((aligned(64)));

static void *worker_thread(void *arg) {
  struct worker *w = (struct worker *)arg;
  const uint32_t size = g.size, objects = g.objects;
  const uint64_t writes = g.writes;
  pthread_barrier_wait(&g.start);
  for (uint32_t r = 0; r < g.rounds; r++) {
    struct wl_block *batch = g.batches[(w->id + g.shift[r]) % g.threads];
    for (uint32_t i = 0; i < objects; i++) {
      struct wl_block *b = &batch[i];
      wl_check(b, "object from the previous round");
      free(b->p);
      void *p = malloc(size);
      if (WL_UNLIKELY(!p)) wl_oom(size);
      wl_set(b, p, size, w->salt++);
    }
    /* Passes over the whole batch rather than one object at a time: a line
     * shared with another thread's batch then bounces for the whole round,
     * whether or not the threads run in step. */
    for (uint64_t k = 0; k < writes; k++)
      for (uint32_t i = 0; i < objects; i++) (*(volatile unsigned char *)batch[i].p)++;
    for (uint32_t i = 0; i < objects; i++) {
      /* The counter byte is the tag's first byte plus the writes. */
      unsigned char *c = (unsigned char *)batch[i].p;
      unsigned char first = (unsigned char)wl_tag(c, size, batch[i].salt);
      if (WL_UNLIKELY(*c != (unsigned char)(first + writes)))
        wl_corruption_msg("object %p of %u bytes: first byte is 0x%02x after %llu writes, "
                          "expected 0x%02x", (void *)c, size, *c, (unsigned long long)writes,
                          (unsigned char)(first + writes));
      *c = first;
    }
    pthread_barrier_wait(&g.round);
  }
  pthread_barrier_wait(&g.end);
  return NULL;
}

int main(int argc, char **argv) {
  uint64_t threads = 2, size = 8, objects = 1000, writes = 1000, rounds = 20, seed = 42;
  struct wl_opt opts[] = {
      {.name = "threads", .kind = WL_OPT_U64, .value = &threads, .ulo = 1, .uhi = 256,
       .help = "threads"},
      {.name = "size", .kind = WL_OPT_U64, .value = &size, .ulo = 1, .uhi = 1u << 20,
       .help = "object size, bytes"},
      {.name = "objects", .kind = WL_OPT_U64, .value = &objects, .ulo = 1, .uhi = 1u << 24,
       .help = "objects per thread"},
      {.name = "writes", .kind = WL_OPT_U64, .value = &writes, .ulo = 1, .uhi = 1ull << 32,
       .help = "writes per object per round"},
      {.name = "rounds", .kind = WL_OPT_U64, .value = &rounds, .ulo = 1, .uhi = 1u << 24,
       .help = "rounds (each batch changes thread every round)"},
      {.name = "seed", .kind = WL_OPT_U64, .value = &seed, .ulo = 0, .uhi = UINT64_MAX,
       .help = "PRNG seed (which thread takes which batch)"},
  };
  struct wl_cmd cmd = {
      .name = "false_sharing",
      .summary = "threads free and reallocate each other's small blocks and write them in a "
                 "tight loop (cache-scratch style)",
      .op = "one write to an object (a byte increment)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);
  g.threads = (uint32_t)threads;
  g.objects = (uint32_t)objects;
  g.size = (uint32_t)size;
  g.rounds = (uint32_t)rounds;
  g.writes = writes;

  /* Which batch each thread takes per round: k_r != k_(r-1) when T > 1. */
  g.shift = (uint32_t *)wl_mem(sizeof(uint32_t) * rounds);
  uint64_t rng = wl_seed_state(seed, 0);
  uint32_t k = wl_scale((uint32_t)wl_rand(&rng), g.threads);
  for (uint32_t r = 0; r < rounds; r++) {
    if (r > 0 && g.threads > 1)
      k = (k + 1 + wl_scale((uint32_t)wl_rand(&rng), g.threads - 1)) % g.threads;
    g.shift[r] = k;
  }

  g.batches = (struct wl_block **)wl_mem(sizeof(struct wl_block *) * threads);
  for (uint32_t t = 0; t < threads; t++)
    g.batches[t] = (struct wl_block *)wl_mem(sizeof(struct wl_block) * objects);
  uint32_t salt = 0xfff00000u;
  for (uint32_t i = 0; i < objects; i++)
    for (uint32_t t = 0; t < threads; t++) {
      void *p = malloc(size);
      if (!p) wl_oom(size);
      wl_set(&g.batches[t][i], p, (uint32_t)size, salt++);
    }

  pthread_barrier_init(&g.start, NULL, (unsigned)threads + 1);
  pthread_barrier_init(&g.end, NULL, (unsigned)threads + 1);
  pthread_barrier_init(&g.round, NULL, (unsigned)threads);
  struct worker *ws = (struct worker *)wl_mem(sizeof(struct worker) * threads);
  pthread_t *tids = (pthread_t *)wl_mem(sizeof(pthread_t) * threads);
  for (uint32_t t = 0; t < threads; t++) {
    ws[t].id = t;
    ws[t].salt = t << 24;
    int err = pthread_create(&tids[t], NULL, worker_thread, &ws[t]);
    if (err) wl_die("pthread_create: error %d", err);
  }
  pthread_barrier_wait(&g.start);
  double t0 = wl_now();
  pthread_barrier_wait(&g.end);
  double seconds = wl_now() - t0;
  for (uint32_t t = 0; t < threads; t++) {
    int err = pthread_join(tids[t], NULL);
    if (err) wl_die("pthread_join: error %d", err);
  }
  for (uint32_t t = 0; t < threads; t++)
    for (uint32_t i = 0; i < objects; i++) {
      wl_check(&g.batches[t][i], "object, final free");
      free(g.batches[t][i].p);
    }

  uint64_t moved = threads * objects * rounds;
  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("mallocs", moved);
  wl_json_u64("frees", moved);
  wl_json_end(&cmd, moved * writes, seconds, threads);
  return 0;
}
