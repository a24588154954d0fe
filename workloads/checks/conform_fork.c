/* conform_fork.c: fork and the allocator. A child that deadlocks makes the
 * parent wait forever: the runner's timeout turns that into "hang".
 *
 *   fork_threads        fork while 4 threads allocate; each child checks and
 *                       frees the parent's blocks, allocates, starts a thread
 *                       that allocates, and exits 0
 *   fork_signal         glibc's tst-mallocfork2 pattern: a second process
 *                       sends SIGUSR1 to this one as fast as it can while it
 *                       forks in a loop; the handler forks too (fork is
 *                       async-signal-safe), so a fork interrupts a fork
 *   fork_atfork_malloc  fork with fork handlers that allocate, registered
 *                       before the allocator's own (libck_atfork.so)
 */
#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* libck_atfork.so */
void ck_atfork_enable(void);
void ck_atfork_counts(int *prepared, int *in_parent, int *in_child);

static int wait_child(pid_t pid)
{
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return st;
}

static void child_status(const char *what, int st)
{
  if (st == -1) ck_record("%s: waitpid failed", what);
  else if (WIFSIGNALED(st)) ck_record("%s: child killed by signal %d", what, WTERMSIG(st));
  else if (WEXITSTATUS(st) != 0) ck_record("%s: child exited %d", what, WEXITSTATUS(st));
}

static uint64_t rnd(uint64_t *s)
{
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return *s >> 33;
}

static size_t rnd_size(uint64_t *s)
{
  uint64_t r = rnd(s);
  return r % 16 == 0 ? 32768 + r % (1 << 20) : 16 + r % 2000;  /* mostly small */
}

/* ---- fork_threads ------------------------------------------------------- */

static atomic_int stop;

static void *churn(void *arg)
{
  uint64_t s = (uintptr_t)arg;
  void *slot[64] = { 0 };
  while (!atomic_load(&stop)) {
    unsigned i = (unsigned)(rnd(&s) % 64);
    free(slot[i]);
    size_t n = rnd_size(&s);
    slot[i] = malloc(n);
    if (slot[i]) memset(slot[i], 0x33, n < 256 ? n : 256);
  }
  for (int i = 0; i < 64; i++) free(slot[i]);
  return NULL;
}

/* Allocate, fill, check and free mixed sizes; 0 when all was well. */
static int exercise(uint64_t seed)
{
  void *b[100];
  size_t n[100];
  for (int i = 0; i < 100; i++) {
    n[i] = rnd_size(&seed);
    b[i] = malloc(n[i]);
    if (!b[i]) return 1;
    ck_fill(b[i], n[i], (unsigned)i);
  }
  int bad = 0;
  for (int i = 0; i < 100; i++) {
    bad |= !ck_intact(b[i], n[i], (unsigned)i);
    free(b[i]);
  }
  return bad;
}

static void *exercise_thread(void *arg)
{
  return (void *)(uintptr_t)exercise((uintptr_t)arg);
}

static int fork_threads(size_t forks)
{
  pthread_t t[4];
  for (uintptr_t i = 0; i < 4; i++)
    if (pthread_create(&t[i], NULL, churn, (void *)(i + 1)) != 0) return ck_fail("pthread_create failed");
  enum { NB = 32 };
  void *mine[NB];
  for (int i = 0; i < NB; i++) {
    mine[i] = malloc((size_t)16 << (i % 17));
    if (!mine[i]) return ck_fail("malloc returned NULL");
    ck_fill(mine[i], (size_t)16 << (i % 17), (unsigned)i);
  }
  for (size_t k = 0; k < forks; k++) {
    pid_t pid = fork();
    if (pid < 0) return ck_fail("fork failed: errno %d", errno);
    if (pid == 0) {
      int bad = 0;
      for (int i = 0; i < NB; i++) {
        bad |= !ck_intact(mine[i], (size_t)16 << (i % 17), (unsigned)i);
        free(mine[i]);
      }
      bad |= exercise(k + 100);
      pthread_t ct;
      void *r = (void *)1;
      if (pthread_create(&ct, NULL, exercise_thread, (void *)(uintptr_t)(k + 7)) == 0)
        pthread_join(ct, &r);
      _exit(bad || r ? 1 : 0);
    }
    child_status("fork_threads", wait_child(pid));
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < NB; i++) {
    if (!ck_intact(mine[i], (size_t)16 << (i % 17), (unsigned)i)) ck_record("a block of the parent changed");
    free(mine[i]);
  }
  return ck_result();
}

/* ---- fork_signal -------------------------------------------------------- */

static volatile sig_atomic_t handler_forks, handler_bad;

static void on_usr1(int sig)
{
  (void)sig;
  int saved = errno;
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid > 0) {
    int st = wait_child(pid);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) handler_bad = 1;
    handler_forks = handler_forks + 1;
  }
  errno = saved;
}

static int fork_signal(size_t iterations)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  pid_t parent = getpid();
  pid_t sender = fork();
  if (sender < 0) return ck_fail("fork failed: errno %d", errno);
  if (sender == 0) {
    /* Signal the parent as long as it lives; a random pause of 0.1-1 ms
     * between signals varies where in fork() each one lands, and leaves the
     * loop time to make progress. */
    signal(SIGUSR1, SIG_IGN);
    uint64_t s = 12345;
    for (;;) {
      if (getppid() != parent || kill(parent, SIGUSR1) != 0) _exit(0);
      struct timespec ts = { 0, 100000 + (long)(rnd(&s) % 900000) };
      nanosleep(&ts, NULL);
    }
  }
  /* The loop itself does not allocate: a handler that forks while the
   * loop is inside malloc would be the program's fault, not the allocator's.
   * Only fork() runs here, and fork() is async-signal-safe. */
  for (size_t i = 0; i < iterations; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      if (errno == EAGAIN) continue;
      kill(sender, SIGKILL);
      return ck_fail("fork failed: errno %d", errno);
    }
    if (pid == 0) {
      free(malloc(100));
      _exit(0);
    }
    child_status("fork in the loop", wait_child(pid));
  }
  kill(sender, SIGKILL);
  wait_child(sender);
  if (handler_bad) ck_record("a child forked in the signal handler did not exit 0");
  ck_line("NOTE %zu forks in the loop, %d in the signal handler", iterations, (int)handler_forks);
  return ck_result();
}

/* ---- fork_atfork_malloc ------------------------------------------------- */

static int fork_atfork_malloc(size_t forks)
{
  ck_atfork_enable();
  free(malloc(10));
  pthread_t t;
  for (size_t k = 0; k < forks; k++) {
    if (k == forks / 2) {       /* second half: with a thread allocating */
      if (pthread_create(&t, NULL, churn, (void *)9) != 0) return ck_fail("pthread_create failed");
    }
    pid_t pid = fork();
    if (pid < 0) return ck_fail("fork failed: errno %d", errno);
    if (pid == 0) {
      int p, par, ch;
      ck_atfork_counts(&p, &par, &ch);
      free(malloc(1000));
      free(malloc(200000));
      _exit(ch == 1 ? 0 : 3);
    }
    child_status("fork with allocating atfork handlers", wait_child(pid));
  }
  atomic_store(&stop, 1);
  pthread_join(t, NULL);
  int p, par, ch;
  ck_atfork_counts(&p, &par, &ch);
  if ((size_t)p != forks || (size_t)par != forks)
    ck_record("handlers ran %d (prepare) and %d (parent) times for %zu forks", p, par, forks);
  return ck_result();
}

static const struct ck_scenario table[] = {
  { "fork_threads", fork_threads, 30, "30 forks while 4 threads allocate; the child allocates, also in a new thread" },
  { "fork_signal", fork_signal, 1000,
    "1000 forks while SIGUSR1 keeps arriving; the handler forks (glibc tst-mallocfork2)" },
  { "fork_atfork_malloc", fork_atfork_malloc, 40,
    "40 forks with pthread_atfork handlers that allocate, registered before the allocator's" },
};

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_CONFORM, "fork and the allocator; prints RESULT pass|fail (README.md).",
                 table, sizeof table / sizeof table[0]);
}
