/* hb-launch: runs one program for hakbench so that its peak RSS is its own.
 *
 *   hb-launch PROGRAM [ARGS...]      (started by hakbench with fd 3 open)
 *
 * ru_maxrss of a forked child includes the pages it shared with its parent
 * before exec: a run forked straight from hakbench reports at least
 * hakbench's own size. hakbench therefore execs this small launcher, which
 * forks again from its own tiny image and execs PROGRAM with LD_PRELOAD
 * taken from HB_LAUNCH_PRELOAD (so the launcher itself never loads the
 * allocator under test). After PROGRAM ends, the launcher writes its
 * rusage to fd 3 as "maxrss_kb minflt majflt\n" and ends the same way it
 * did: same exit status, or the same signal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  if (argc < 2) { fprintf(stderr, "usage: hb-launch PROGRAM [ARGS...] (fd 3: where the rusage goes)\n"); return 2; }
  const char *pre = getenv("HB_LAUNCH_PRELOAD");
  pid_t pid = fork();
  if (pid < 0) { fprintf(stderr, "hakbench: hb-launch: fork: %s\n", strerror(errno)); return 126; }
  if (pid == 0) {
    close(3);
    if (pre && *pre) setenv("LD_PRELOAD", pre, 1);
    else unsetenv("LD_PRELOAD");
    unsetenv("HB_LAUNCH_PRELOAD");
    execv(argv[1], argv + 1);
    dprintf(2, "hakbench: cannot execute %s: %s\n", argv[1], strerror(errno));
    _exit(127);
  }
  /* Signals meant for the run reach the whole process group; the launcher
   * outlives its child to report, then dies the same way. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) { fprintf(stderr, "hakbench: hb-launch: wait4: %s\n", strerror(errno)); return 126; }
  dprintf(3, "%ld %ld %ld\n", ru.ru_maxrss, ru.ru_minflt, ru.ru_majflt);
  close(3);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  int sig = WTERMSIG(status);
  struct rlimit no_core = { 0, 0 };
  setrlimit(RLIMIT_CORE, &no_core);  /* the child already dumped, if allowed */
  signal(sig, SIG_DFL);
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_UNBLOCK, &all, NULL);
  kill(getpid(), sig);
  return 128 + sig;
}
