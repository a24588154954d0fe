/* forkcases MODE [N]: fork in the situations where an allocator's fork
 * handlers can deadlock. Exit 0 when every fork completed and every child
 * exited 0; a deadlock shows as the test script's timeout.
 *   atfork       the program links libtaatfork.so, whose fork handlers
 *                malloc and free (registered before the allocator's): N forks
 *   signal       glibc's tst-mallocfork2 pattern: each child sends SIGUSR1
 *                to the parent while the parent may still be inside fork(),
 *                and the parent's handler forks too: N rounds
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

unsigned long ta_atfork_count(void);

static int parse_n(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 1 || v > 1000000) return 0;
  *out = v;
  return 1;
}

static int wait_child(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return 0;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int atfork_case(long n) {
  free(malloc(10));
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
      void *p = malloc(200000);
      _exit(p ? 0 : 1);
    }
    if (!wait_child(pid)) { printf("forkcases: child %ld failed\n", i); return 1; }
  }
  printf("atfork: %ld forks, the library's prepare handler ran %lu times\n", n, ta_atfork_count());
  return ta_atfork_count() >= (unsigned long)n ? 0 : 1;
}

/* ---- signal ---------------------------------------------------------- */
static volatile sig_atomic_t handler_forks, handler_failures;

static void on_usr1(int sig) {
  (void)sig;
  int saved = errno;
  pid_t pid = fork();
  if (pid == 0) {
    free(malloc(64));
    _exit(0);
  }
  if (pid < 0 || !wait_child(pid)) handler_failures++;
  handler_forks++;
  errno = saved;
}

static int signal_case(long n) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  pid_t parent = getpid();
  for (long i = 0; i < n; i++) {
    void *keep = malloc(100 + (size_t)(i % 7) * 1000);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
      kill(parent, SIGUSR1);              /* lands while the parent is in fork() or soon after */
      free(malloc(32));
      _exit(0);
    }
    free(keep);
    if (!wait_child(pid)) { printf("forkcases: child %ld failed\n", i); return 1; }
  }
  /* Every signal was handled (a pending one is delivered before we look). */
  printf("signal: %ld rounds, %d forks from the handler, %d failed\n", n, (int)handler_forks,
         (int)handler_failures);
  return handler_failures == 0 && handler_forks > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  long n = 100;
  if (argc < 2 || argc > 3 || (argc == 3 && !parse_n(argv[2], &n))) {
    fprintf(stderr, "usage: forkcases atfork|signal [N]\n");
    return 2;
  }
  if (!strcmp(argv[1], "atfork")) return atfork_case(n);
  if (!strcmp(argv[1], "signal")) return signal_case(n);
  fprintf(stderr, "forkcases: unknown mode '%s'\n", argv[1]);
  return 2;
}
