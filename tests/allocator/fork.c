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
 */
#include "talloc.h"

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

int main(int argc, char **argv)
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
