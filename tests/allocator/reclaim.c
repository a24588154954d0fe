/* reclaim: who takes over the memory of exited threads.
 *
 *   reclaim successor   a thread allocates 20000 blocks and exits; a new
 *                       thread whose first call is free() frees them all,
 *                       then allocates and frees as a successor would.
 *   reclaim consumer    12 threads allocate 3000 blocks each and exit at the
 *                       same time: 8 heaps wait for a successor (heap.c,
 *                       "Hand-over"), the other 4 are given up, their
 *                       SuperSlabs abandoned; a thread that never
 *                       allocates frees every block.
 *
 * Run with HAKMEM_STATS=1: test_reclaim.sh reads heaps_handed_over and
 * superslabs_reclaimed_by_free from the statistics printed at exit. A
 * successor should take its predecessor's heap whole; a free-only consumer
 * should take one heap at most and at most 4 abandoned SuperSlabs, leaving
 * the rest to threads that allocate. Every block's contents are checked
 * before it is freed (exit 3 on corruption).
 */
#include <pthread.h>
#include <stdint.h>
#include "talloc.h"

#define NPROD 12

static unsigned char **blocks;
static size_t nblocks;
static pthread_barrier_t all_allocated;

static size_t size_of(size_t i) { return 16 + (i * 2654435761u) % 1000; }

static void fill_range(size_t lo, size_t hi) {
  for (size_t i = lo; i < hi; i++) {
    size_t n = size_of(i);
    blocks[i] = T_malloc(n);
    if (!blocks[i]) { fprintf(stderr, "reclaim: malloc(%zu) failed\n", n); exit(1); }
    memset(blocks[i], (int)(i & 0xff), n);
  }
}

static void check_free(size_t i) {
  size_t n = size_of(i);
  if (blocks[i][0] != (unsigned char)(i & 0xff) || blocks[i][n - 1] != (unsigned char)(i & 0xff)) {
    fprintf(stderr, "reclaim: block %zu corrupted\n", i);
    exit(3);
  }
  T_free(blocks[i]);
  blocks[i] = NULL;
}

static void *producer(void *arg) {
  size_t k = (size_t)(uintptr_t)arg, per = nblocks / NPROD;
  fill_range(k * per, (k + 1) * per);
  pthread_barrier_wait(&all_allocated);  /* exit together: no heap reuse */
  return NULL;
}

static void *one_producer(void *arg) {
  (void)arg;
  fill_range(0, nblocks);
  return NULL;
}

/* Frees everything; the successor then runs a short Larson-style loop. */
static void *freer(void *arg) {
  int successor = arg != NULL;
  for (size_t i = 0; i < nblocks; i++) check_free(i);
  if (successor) {
    fill_range(0, nblocks / 2);
    for (size_t i = 0; i < nblocks / 2; i++) check_free(i);
  }
  return NULL;
}

static void run(void *(*fn)(void *), void *arg) {
  pthread_t t;
  if (pthread_create(&t, NULL, fn, arg) != 0 || pthread_join(t, NULL) != 0) {
    fprintf(stderr, "reclaim: thread failed\n");
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc != 2 || (strcmp(argv[1], "successor") != 0 && strcmp(argv[1], "consumer") != 0)) {
    fprintf(stderr, "usage: reclaim successor|consumer\n");
    return 2;
  }
  t_check_served("reclaim");
  int successor = strcmp(argv[1], "successor") == 0;
  nblocks = successor ? 20000 : NPROD * 3000;
  blocks = calloc(nblocks, sizeof *blocks);  /* the process allocator's: not counted */
  if (!blocks) return 1;
  if (successor) {
    run(one_producer, NULL);
    run(freer, (void *)1);
  } else {
    pthread_t t[NPROD];
    pthread_barrier_init(&all_allocated, NULL, NPROD);
    for (size_t k = 0; k < NPROD; k++)
      if (pthread_create(&t[k], NULL, producer, (void *)(uintptr_t)k) != 0) return 1;
    for (size_t k = 0; k < NPROD; k++) pthread_join(t[k], NULL);
    run(freer, NULL);
  }
  printf("reclaim %s: %zu blocks checked and freed\n", argv[1], nblocks);
  return 0;
}
