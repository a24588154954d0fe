/* fork.c: fork() from a process whose threads are allocating.
 *
 * THREADS threads (default 4) allocate, fill, check and free blocks in a
 * loop while the main thread forks FORKS times (default 50). Each child
 * allocates, checks and frees blocks of many sizes, also from a new thread,
 * and exits 0. The parent waits for each child at most LIMIT seconds: a child
 * that hangs (a lock held across fork), crashes or fails a check fails the
 * test.
 *
 * usage: fork [-t threads] [-n forks] [-w limit_seconds]
 * Exit 0 ok, 1 a child failed or hung or a block was corrupted, 2 bad args.
 *
 * The second scenario, `fork threads`: fork many times from a
 * multithreaded process while other threads keep allocating and freeing.
 *
 *   fork threads [--forks N] [--threads T] [--timeout-ms MS]
 *
 * T worker threads run malloc/realloc/free loops (small and large blocks,
 * some freed by another worker) for the whole run. The main thread forks N
 * times. Each child, which inherits the allocator's state at an arbitrary
 * moment of the workers' activity, allocates and checks blocks of every
 * size range, starts a thread that does the same, and exits 0. A child that
 * has not exited within MS milliseconds is counted as deadlocked, killed,
 * and the run fails. Prints "COUNT forks_survived=N".
 */
#include "talloc.h"
#include "rel_util.h"
#include <errno.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;
static atomic_ulong parent_ops, parent_bad;

/* Allocate, fill, check and free `rounds` batches of mixed sizes; returns
 * the number of corrupted blocks. */
static unsigned long churn(unsigned long *rs, int rounds)
{
  enum { N = 64 };
  void *b[N];
  size_t n[N];
  unsigned long bad = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++) {
      unsigned long x = t_rand(rs);
      n[i] = (x & 15) == 0 ? 1 + (x >> 8) % 200000 : 1 + (x >> 8) % 2048;
      b[i] = T_malloc(n[i]);
      if (!b[i]) { bad++; continue; }
      t_fill(b[i], n[i]);
    }
    for (int i = 0; i < N; i++) {
      if (b[i] && t_check(b[i], n[i]) != (size_t)-1) bad++;
      T_free(b[i]);
    }
  }
  return bad;
}

static void *parent_worker(void *arg)
{
  unsigned long rs = 0x1234567UL + (unsigned long)(size_t)arg * 7919;
  while (!atomic_load(&stop)) {
    atomic_fetch_add(&parent_bad, churn(&rs, 1));
    atomic_fetch_add(&parent_ops, 64);
  }
  return NULL;
}

static void *child_thread(void *arg)
{
  unsigned long rs = 99, *bad = arg;
  *bad = churn(&rs, 5);
  return NULL;
}

static int child_main(int k)
{
  unsigned long rs = 777 + (unsigned long)k, tbad = 0;
  unsigned long bad = churn(&rs, 5);
  pthread_t t;
  if (pthread_create(&t, NULL, child_thread, &tbad) != 0) return 3;
  pthread_join(t, NULL);
  return bad || tbad ? 4 : 0;
}

static int main_default(int argc, char **argv)
{
  long threads = 4, forks = 50, limit = 10;
  int opt;
  while ((opt = getopt(argc, argv, "t:n:w:h")) != -1) {
    int ok = 1;
    switch (opt) {
    case 't': ok = t_parse_num(optarg, 1, 256, &threads); break;
    case 'n': ok = t_parse_num(optarg, 1, 100000, &forks); break;
    case 'w': ok = t_parse_num(optarg, 1, 3600, &limit); break;
    default: ok = 0;
    }
    if (!ok || opt == 'h') {
      fprintf(stderr, "usage: %s [-t threads(4)] [-n forks(50)] [-w child_limit_seconds(10)]\n", argv[0]);
      return 2;
    }
  }
  if (optind != argc) { fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]); return 2; }
  t_check_served("fork");

  pthread_t tid[256];
  for (long i = 0; i < threads; i++)
    if (pthread_create(&tid[i], NULL, parent_worker, (void *)(size_t)i) != 0) { perror("pthread_create"); return 1; }

  int failed = 0;
  double worst = 0;
  for (long k = 0; k < forks && !failed; k++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); failed = 1; break; }
    if (pid == 0) _exit(child_main((int)k));
    int st = 0;
    pid_t w = 0;
    for (;;) {                          /* poll so a hung child cannot hang us */
      w = waitpid(pid, &st, WNOHANG);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      if (w != 0) break;
      if ((double)(t1.tv_sec - t0.tv_sec) > (double)limit) break;
      usleep(2000);
    }
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (dt > worst) worst = dt;
    if (w == 0) {
      printf("fork: FAIL: child %ld still running after %ld s (hung); killing it\n", k, limit);
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      failed = 1;
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      printf("fork: FAIL: child %ld %s %d\n", k, WIFSIGNALED(st) ? "killed by signal" : "exited with",
             WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
      failed = 1;
    }
  }
  atomic_store(&stop, 1);
  for (long i = 0; i < threads; i++) pthread_join(tid[i], NULL);
  printf("fork (%s): %ld allocating threads, %ld forks, slowest child %.3f s (limit %ld s),"
         " parent threads did %lu allocations, %lu corrupted\n", T_API_NAME, threads, forks, worst,
         limit, atomic_load(&parent_ops), atomic_load(&parent_bad));
  if (atomic_load(&parent_bad)) { printf("fork: FAIL: corrupted blocks in the parent\n"); failed = 1; }
  if (!failed) printf("fork: ok: every child allocated, freed and exited 0 in time\n");
  return failed ? 1 : 0;
}

/* ---- `fork threads`: fork while threads pass blocks around ------------- */
#define SHARED 256
static _Atomic(void *) shared[SHARED];   /* blocks passed between workers */
static atomic_int ft_stop;
static atomic_long worker_ops, worker_bad;

/* Blocks in `shared` carry their size and tag in their first 16 bytes. */
static void *make_block(size_t n, uint64_t tag) {
  uint64_t *p = T_malloc(n);
  if (!p) return NULL;
  rel_fill(p + 2, n - 16, tag);
  p[0] = n; p[1] = tag;
  return p;
}

static int block_ok(void *v) {
  uint64_t *p = v;
  return rel_check(p + 2, p[0] - 16, p[1]) == (size_t)-1;
}

static void *worker(void *arg) {
  uint64_t seed = (uint64_t)(long)arg * 0x9E3779B97F4A7C15ULL + 1;
  void *local[64] = {0};
  while (!atomic_load_explicit(&ft_stop, memory_order_relaxed)) {
    uint64_t r = rel_next(&seed);
    size_t n = (r % 64 == 0) ? 65536 + (r >> 16) % 400000 : 16 + (r >> 16) % 2000;
    unsigned slot = (unsigned)(r >> 40) % 64;
    if (r % 3 == 0) {                   /* exchange with another thread */
      void *b = make_block(n, r);
      if (!b) { atomic_fetch_add(&worker_bad, 1); continue; }
      void *old = atomic_exchange(&shared[(r >> 24) % SHARED], b);
      if (old) { if (!block_ok(old)) atomic_fetch_add(&worker_bad, 1); T_free(old); }
    } else if (local[slot] && r % 5 == 0) {
      void *q = T_realloc(local[slot], n);
      if (!q) atomic_fetch_add(&worker_bad, 1); else local[slot] = q;
    } else {
      T_free(local[slot]);
      local[slot] = T_malloc(n);
      if (local[slot]) memset(local[slot], (int)r, n);
    }
    atomic_fetch_add_explicit(&worker_ops, 1, memory_order_relaxed);
  }
  for (int i = 0; i < 64; i++) T_free(local[i]);
  return NULL;
}

/* In the child: every size range, checked; returns the number of failures. */
static int child_allocations(uint64_t seed) {
  static const size_t sizes[] = {1, 16, 24, 100, 256, 1000, 4096, 10000, 32768, 40000, 300000, 1 << 20};
  void *p[sizeof sizes / sizeof sizes[0]];
  int bad = 0;
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
      p[i] = T_malloc(sizes[i]);
      if (!p[i]) { bad++; continue; }
      rel_fill(p[i], sizes[i], seed + i);
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
      if (!p[i]) continue;
      if (rel_check(p[i], sizes[i], seed + i) != (size_t)-1) bad++;
      void *q = T_realloc(p[i], sizes[i] * 2 + 1);
      if (!q) { bad++; T_free(p[i]); continue; }
      if (rel_check(q, sizes[i], seed + i) != (size_t)-1) bad++;
      T_free(q);
    }
  }
  /* Blocks the parent's workers had published: still readable and freeable. */
  for (int i = 0; i < 8; i++) {
    void *b = atomic_exchange(&shared[i], NULL);
    if (b) { if (!block_ok(b)) bad++; T_free(b); }
  }
  return bad;
}

static void *ft_child_thread(void *arg) {
  return (void *)(long)child_allocations((uint64_t)(long)arg);
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int main_threads(int argc, char **argv) {
  int nforks = 300, nthreads = 3;
  long timeout_ms = 5000;
  for (int i = 1; i < argc; i += 2) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    char *end = NULL;
    long x = v ? strtol(v, &end, 10) : -1;
    if (!v || *end || x < 1) { fprintf(stderr, "usage: fork_threads [--forks N] [--threads T] [--timeout-ms MS]\n"); return 2; }
    if (!strcmp(argv[i], "--forks")) nforks = (int)x;
    else if (!strcmp(argv[i], "--threads")) nthreads = (int)x;
    else if (!strcmp(argv[i], "--timeout-ms")) timeout_ms = x;
    else { fprintf(stderr, "usage: fork_threads [--forks N] [--threads T] [--timeout-ms MS]\n"); return 2; }
  }
  printf("malloc from: %s\n", rel_malloc_library());
  fflush(stdout);
  pthread_t *tids = T_calloc((size_t)nthreads, sizeof *tids);
  for (int t = 0; t < nthreads; t++)
    if (pthread_create(&tids[t], NULL, worker, (void *)(long)(t + 1))) { perror("pthread_create"); return 1; }

  int survived = 0, deadlocked = 0, failed = 0;
  for (int f = 0; f < nforks; f++) {
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); failed++; break; }
    if (pid == 0) {
      int bad = child_allocations((uint64_t)f * 1000);
      pthread_t t;
      void *tbad = NULL;
      if (pthread_create(&t, NULL, ft_child_thread, (void *)(long)f) || pthread_join(t, &tbad)) bad++;
      _exit(bad + (int)(long)tbad ? 3 : 0);
    }
    long deadline = now_ms() + timeout_ms;
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline) {
      struct timespec ms = {0, 1000000};
      nanosleep(&ms, NULL);
    }
    if (w == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      fprintf(stderr, "fork_threads: child %d (fork #%d) did not finish in %ld ms: deadlock\n", pid, f, timeout_ms);
      deadlocked++;
    } else if (WIFSIGNALED(status)) {
      fprintf(stderr, "fork_threads: child of fork #%d killed by signal %d (%s)\n", f, WTERMSIG(status), strsignal(WTERMSIG(status)));
      failed++;
    } else if (WEXITSTATUS(status) != 0) {
      fprintf(stderr, "fork_threads: child of fork #%d exited %d (bad allocations)\n", f, WEXITSTATUS(status));
      failed++;
    } else {
      survived++;
    }
    if (deadlocked + failed >= 5) break;  /* enough evidence */
  }
  atomic_store(&ft_stop, 1);
  for (int t = 0; t < nthreads; t++) pthread_join(tids[t], NULL);
  for (int i = 0; i < SHARED; i++) {
    void *b = atomic_exchange(&shared[i], NULL);
    if (b) { if (!block_ok(b)) atomic_fetch_add(&worker_bad, 1); T_free(b); }
  }
  printf("forks %d, survived %d, deadlocked %d, failed %d; parent workers: %d threads, %ld ops, %ld bad\n",
         nforks, survived, deadlocked, failed, nthreads, atomic_load(&worker_ops), atomic_load(&worker_bad));
  printf("COUNT forks_survived=%d\n", survived);
  T_free(tids);
  if (deadlocked || failed || atomic_load(&worker_bad) || survived != nforks) { printf("FAIL\n"); return 1; }
  printf("ok: every child allocated, checked its blocks and exited in time\n");
  return 0;
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "threads") == 0)
    return main_threads(argc - 1, argv + 1);
  return main_default(argc, argv);
}
