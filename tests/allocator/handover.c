/* handover: an exited thread's heap waits for a successor (allocator/src/
 * heap.c, "Hand-over").
 *
 *   handover successor  8 rounds: a thread frees the blocks its predecessor
 *                       left, allocates 4000 blocks (16..256 B), frees every
 *                       other one and exits, leaving the rest live. Each
 *                       thread should take its predecessor's heap whole and
 *                       fill the holes it left: no SuperSlab is mapped
 *                       after the first round, and the script expects 7
 *                       heaps handed over and no SuperSlab abandoned.
 *   handover expire     a thread leaves 2000 live blocks and exits; the main
 *                       thread waits 2.5 s (longer than HAK_HANDOVER_MS),
 *                       then allocates: its new slab gives the waiting heap
 *                       up, so the script expects its SuperSlab abandoned
 *                       and none handed over. Then main frees the blocks.
 *   handover collect    a thread allocates and frees 2 MiB of blocks and
 *                       exits; hak_collect() must give its waiting heap up
 *                       and release its SuperSlabs: hak_stats_get()'s
 *                       superslabs count falls to what main holds.
 *   handover fork       4 threads leave live blocks and exit at once (their
 *                       heaps waiting), then fork(): in the child, 4 threads
 *                       take those heaps, allocate, check and free, and the
 *                       child frees the parent's blocks and prints hakmem's
 *                       statistics (the script checks its hand-overs); both
 *                       must exit 0.
 *
 * Every block's first and last bytes are checked before its free (exit 3).
 * Exit 0 ok, 1 a check failed, 2 bad arguments.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "talloc.h"

#define NB 4000

static unsigned char *blocks[8][NB];

static size_t size_of(size_t i) { return 16 + (i * 2654435761u) % 241; }

static void fill(unsigned char **b, size_t n, unsigned tag) {
  for (size_t i = 0; i < n; i++) {
    b[i] = T_malloc(size_of(i));
    if (!b[i]) { fprintf(stderr, "handover: malloc failed\n"); exit(1); }
    b[i][0] = b[i][size_of(i) - 1] = (unsigned char)(tag + i);
  }
}

static void check_free(unsigned char **b, size_t i, unsigned tag) {
  if (!b[i]) return;
  if (b[i][0] != (unsigned char)(tag + i) || b[i][size_of(i) - 1] != (unsigned char)(tag + i)) {
    fprintf(stderr, "handover: block %zu of set %u corrupted\n", i, tag);
    exit(3);
  }
  T_free(b[i]);
  b[i] = NULL;
}

static void run(void *(*fn)(void *), void *arg) {
  pthread_t t;
  if (pthread_create(&t, NULL, fn, arg) != 0 || pthread_join(t, NULL) != 0) {
    fprintf(stderr, "handover: thread failed\n");
    exit(1);
  }
}

/* Set k: free what set k - 1 left, fill, free every other block (the
 * last round: all). */
static void *round_body(void *arg) {
  unsigned k = (unsigned)(uintptr_t)arg;
  if (k > 0)
    for (size_t i = 0; i < NB; i++) check_free(blocks[k - 1], i, k - 1);
  fill(blocks[k], NB, k);
  for (size_t i = 0; i < NB; i += k == 7 ? 1 : 2) check_free(blocks[k], i, k);
  return NULL;
}

static void *leave_live(void *arg) {
  unsigned k = (unsigned)(uintptr_t)arg;
  fill(blocks[k], NB / 2, k);
  return NULL;
}

static void *churn(void *arg) {
  unsigned k = (unsigned)(uintptr_t)arg;
  fill(blocks[k], NB, k);
  for (size_t i = 0; i < NB; i++) check_free(blocks[k], i, k);
  return NULL;
}

/* hak_collect and hak_stats_get: linked in, or the preloaded library's. */
#ifdef T_HAK
static void (*get_collect(void))(void) { return hak_collect; }
static void (*get_print(void))(void) { return hak_stats_print; }
static void (*get_stats(void))(hak_stats_t *) { return hak_stats_get; }
#else
#include "hakmem.h"
static void (*get_collect(void))(void) { return (void (*)(void))dlsym(RTLD_DEFAULT, "hak_collect"); }
static void (*get_print(void))(void) { return (void (*)(void))dlsym(RTLD_DEFAULT, "hak_stats_print"); }
static void (*get_stats(void))(hak_stats_t *) { return (void (*)(hak_stats_t *))dlsym(RTLD_DEFAULT, "hak_stats_get"); }
#endif

static size_t superslabs(void) {
  hak_stats_t st;
  void (*get)(hak_stats_t *) = get_stats();
  if (!get) { fprintf(stderr, "handover: no hak_stats_get\n"); exit(1); }
  get(&st);
  return st.superslabs;
}

int main(int argc, char **argv) {
  const char *mode = argc == 2 ? argv[1] : "";
  t_check_served("handover");
  if (!strcmp(mode, "successor")) {
    size_t first = 0;
    for (unsigned k = 0; k < 8; k++) {
      run(round_body, (void *)(uintptr_t)k);
      if (k == 0) first = superslabs();
    }
    size_t last = superslabs();
    printf("handover successor: superslabs %zu after the first round, %zu after the last\n", first, last);
    if (last > first) {
      fprintf(stderr, "handover successor: later rounds mapped SuperSlabs: the holes were not filled\n");
      return 1;
    }
  } else if (!strcmp(mode, "expire")) {
    fill(blocks[2], 1, 2);                 /* main has a heap: it takes none */
    run(leave_live, (void *)0);
    struct timespec ts = { 2, 500000000 };
    nanosleep(&ts, NULL);
    fill(blocks[1], NB / 2, 1);            /* main's first slabs */
    for (size_t i = 0; i < NB / 2; i++) check_free(blocks[0], i, 0);
    for (size_t i = 0; i < NB / 2; i++) check_free(blocks[1], i, 1);
    check_free(blocks[2], 0, 2);
  } else if (!strcmp(mode, "collect")) {
    fill(blocks[1], 1, 1);                 /* main's own heap */
    size_t before = superslabs();
    run(churn, (void *)0);
    size_t waiting = superslabs();
    void (*collect)(void) = get_collect();
    if (!collect) { fprintf(stderr, "handover: no hak_collect\n"); return 1; }
    collect();
    size_t after = superslabs();
    printf("handover collect: superslabs %zu before the thread, %zu after it, %zu after hak_collect\n",
           before, waiting, after);
    if (waiting <= before || after > before) {
      fprintf(stderr, "handover collect: hak_collect did not release the waiting heap's SuperSlabs\n");
      return 1;
    }
    check_free(blocks[1], 0, 1);
  } else if (!strcmp(mode, "fork")) {
    pthread_t t[4];
    for (unsigned k = 0; k < 4; k++)
      if (pthread_create(&t[k], NULL, leave_live, (void *)(uintptr_t)k) != 0) return 1;
    for (unsigned k = 0; k < 4; k++) pthread_join(t[k], NULL);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
      for (unsigned k = 4; k < 8; k++)
        if (pthread_create(&t[k - 4], NULL, churn, (void *)(uintptr_t)k) != 0) _exit(1);
      for (unsigned k = 0; k < 4; k++) pthread_join(t[k], NULL);
      for (unsigned k = 0; k < 4; k++)
        for (size_t i = 0; i < NB / 2; i++) check_free(blocks[k], i, k);
      printf("handover fork: child ok\n");
      fflush(stdout);
      void (*print)(void) = get_print();   /* _exit skips the one at exit */
      if (!print) _exit(1);
      print();
      _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "handover fork: the child failed (status %d)\n", st);
      return 1;
    }
    for (unsigned k = 0; k < 4; k++)
      for (size_t i = 0; i < NB / 2; i++) check_free(blocks[k], i, k);
  } else {
    fprintf(stderr, "usage: handover successor|expire|collect|fork\n");
    return 2;
  }
  printf("handover %s: ok\n", mode);
  return 0;
}
