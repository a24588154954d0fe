/* child.c: one workload run as a child process: LD_PRELOAD, process group,
 * timeout, wait4 rusage, stdout's last line and stderr's last lines. */
#include "child.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEEP_STDOUT  (64 * 1024)   /* enough for the JSON line            */
#define KEEP_STDERR  (16 * 1024)
#define TAIL_LINES   8

volatile pid_t hb_child_current;

const char *hb_signal_name(int sig)
{
  static char buf[32];
  const char *abbrev = sigabbrev_np(sig);
  if (abbrev) snprintf(buf, sizeof buf, "SIG%s", abbrev);
  else snprintf(buf, sizeof buf, "signal %d", sig);
  return buf;
}

/* Keep only the last `keep` bytes of a stream. */
static void keep_tail(hb_buf_t *b, const char *data, size_t n, size_t keep)
{
  hb_buf_addn(b, data, n);
  if (b->len > 2 * keep) {
    memmove(b->s, b->s + b->len - keep, keep);
    b->len = keep;
    b->s[b->len] = '\0';
  }
}

static char *last_line(const char *s, size_t len)
{
  while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ')) len--;
  size_t start = len;
  while (start && s[start - 1] != '\n') start--;
  char *r = hb_xmalloc(len - start + 1);
  memcpy(r, s + start, len - start);
  r[len - start] = '\0';
  return r;
}

static char *last_lines(const char *s, size_t len, int lines)
{
  while (len && (s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
  size_t start = len;
  int seen = 0;
  while (start) {
    if (s[start - 1] == '\n' && ++seen == lines) break;
    start--;
  }
  char *r = hb_xmalloc(len - start + 1);
  memcpy(r, s + start, len - start);
  r[len - start] = '\0';
  return r;
}

/* build/hb-launch next to this hakbench binary, or NULL when it is not
 * there (runs are then exec'd directly and their peak RSS is at least
 * hakbench's own). */
static const char *launcher(void)
{
  static char path[4096];
  static int looked;
  if (looked) return path[0] ? path : NULL;
  looked = 1;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return NULL;
  *slash = '\0';
  if (strlen(exe) + sizeof "/hb-launch" > sizeof path) return NULL;
  strcpy(path, exe);
  strcat(path, "/hb-launch");
  if (access(path, X_OK) != 0) path[0] = '\0';
  return path[0] ? path : NULL;
}

static void child_exec(hb_child_t *c, int out, int err, int rusage_fd)
{
  setpgid(0, 0);
  dup2(out, 1);
  dup2(err, 2);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  const char *via = rusage_fd >= 0 ? launcher() : NULL;
  if (via) {
    /* fd 3: where hb-launch writes the program's own rusage */
    if (rusage_fd == 3) fcntl(3, F_SETFD, 0);
    else dup2(rusage_fd, 3);
    if (c->preload) setenv("HB_LAUNCH_PRELOAD", c->preload, 1);
    else unsetenv("HB_LAUNCH_PRELOAD");
    unsetenv("LD_PRELOAD");
  } else if (c->preload) setenv("LD_PRELOAD", c->preload, 1);
  else unsetenv("LD_PRELOAD");
  if (c->rep) setenv("HAKBENCH_REP", c->rep, 1);
  else unsetenv("HAKBENCH_REP");
  if (c->pin_cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(c->pin_cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
      dprintf(2, "hakbench: cannot pin to CPU %d: %s\n", c->pin_cpu, strerror(errno));
  }
  signal(SIGPIPE, SIG_DFL);
  if (via) {
    int n = 0;
    while (c->argv[n]) n++;
    char **av = calloc((size_t)n + 2, sizeof *av);
    if (av) {
      av[0] = (char *)via;
      memcpy(av + 1, c->argv, sizeof *av * (size_t)n);
      execv(via, av);
    }
  }
  execv(c->argv[0], c->argv);
  dprintf(2, "hakbench: cannot execute %s: %s\n", c->argv[0], strerror(errno));
  _exit(127);
}

static double tv_s(const struct timeval *t) { return (double)t->tv_sec + (double)t->tv_usec * 1e-6; }

int hb_child_run(hb_child_t *c)
{
  int po[2], pe[2], pr[2] = { -1, -1 };
  if (pipe2(po, O_CLOEXEC) != 0) return -1;
  if (pipe2(pe, O_CLOEXEC) != 0) { close(po[0]); close(po[1]); return -1; }
  if (launcher() && pipe2(pr, O_CLOEXEC) != 0) pr[0] = pr[1] = -1;
  fflush(NULL);
  struct rusage self0, self1;
  getrusage(RUSAGE_SELF, &self0);
  double busy0 = hb_cpu_busy_s();
  double t0 = hb_now();
  pid_t pid = fork();
  if (pid < 0) {
    close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
    if (pr[0] >= 0) { close(pr[0]); close(pr[1]); }
    return -1;
  }
  if (pid == 0) child_exec(c, po[1], pe[1], pr[1]);
  if (pr[1] >= 0) close(pr[1]);
  setpgid(pid, pid); /* also here: whichever runs first wins the race */
  hb_child_current = pid;
  close(po[1]);
  close(pe[1]);

  /* A pidfd becomes readable when the child exits, so poll wakes at once
   * instead of on its next 10 ms tick (kernels without it: the tick). */
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  hb_buf_t out = {0}, err = {0};
  struct pollfd fds[3] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 }, { pidfd, POLLIN, 0 } };
  int open_fds = 2, reaped = 0, status = 0;
  double deadline = t0 + c->timeout_s;
  c->timed_out = 0;
  while (open_fds > 0 || !reaped) {
    if (!reaped) {
      pid_t r = wait4(pid, &status, WNOHANG, &c->ru);
      if (r == pid) {
        reaped = 1;
        hb_child_current = 0;
        c->wall_s = hb_now() - t0;
        kill(-pid, SIGKILL); /* leftovers of its group holding the pipes */
      }
    }
    if (!reaped && !c->timed_out && hb_now() >= deadline) {
      c->timed_out = 1;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
    if (open_fds > 0 || (!reaped && pidfd >= 0)) {
      if (reaped) fds[2].fd = -1;
      int pr = poll(fds, 3, 10);
      if (pr < 0 && errno != EINTR) break;
      for (int i = 0; i < 2; i++) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buf[8192];
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n > 0) keep_tail(i == 0 ? &out : &err, buf, (size_t)n, i == 0 ? KEEP_STDOUT : KEEP_STDERR);
        else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          close(fds[i].fd);
          fds[i].fd = -1;
          open_fds--;
        }
      }
    } else if (!reaped) {
      struct timespec ts = { 0, 2000000 };
      nanosleep(&ts, NULL);
    }
  }
  double busy1 = hb_cpu_busy_s();
  getrusage(RUSAGE_SELF, &self1);
  /* The machine's busy time over the run, less the child's and our own. */
  c->other_cpu_s = busy1 - busy0 - tv_s(&c->ru.ru_utime) - tv_s(&c->ru.ru_stime) -
                   (tv_s(&self1.ru_utime) - tv_s(&self0.ru_utime)) - (tv_s(&self1.ru_stime) - tv_s(&self0.ru_stime));
  if (c->other_cpu_s < 0) c->other_cpu_s = 0;  /* tick granularity */
  if (pidfd >= 0) close(pidfd);
  /* The program's own peak RSS and faults, from hb-launch (it has exited:
   * everything it wrote is in the pipe). */
  c->own_rusage = 0;
  if (pr[0] >= 0) {
    char buf[128];
    fcntl(pr[0], F_SETFL, O_NONBLOCK);
    ssize_t n = read(pr[0], buf, sizeof buf - 1);
    long rss, mn, mj;
    if (n > 0) {
      buf[n] = '\0';
      if (sscanf(buf, "%ld %ld %ld", &rss, &mn, &mj) == 3) {
        c->ru.ru_maxrss = rss;
        c->ru.ru_minflt = mn;
        c->ru.ru_majflt = mj;
        c->own_rusage = 1;
      }
    }
    close(pr[0]);
  }
  for (int i = 0; i < 2; i++) if (fds[i].fd >= 0) close(fds[i].fd);
  c->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  c->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  c->exec_failed = c->exit_code == 127 && err.s && strstr(err.s, "hakbench: cannot execute");
  c->last_line = last_line(out.s ? out.s : "", out.len);
  c->stderr_tail = last_lines(err.s ? err.s : "", err.len, TAIL_LINES);
  hb_buf_free(&out);
  hb_buf_free(&err);
  return 0;
}

void hb_child_free(hb_child_t *c)
{
  free(c->last_line);
  free(c->stderr_tail);
  c->last_line = c->stderr_tail = NULL;
}
