/* child.c: one run as a child process: LD_PRELOAD, working directory,
 * stdin, process group, timeout, wait4 rusage, stdout's last line, tail and
 * digest, stderr's last lines. A server is the same process kept running
 * beside a client and stopped afterwards. */
#include "child.h"
#include "results.h"
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

#define KEEP_STDERR  (16 * 1024)
#define TAIL_LINES   8

volatile pid_t hb_child_current, hb_server_current;

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
  if (c->log_path) {
    int log = open(c->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log < 0) { dprintf(err, "hakbench: cannot write %s: %s\n", c->log_path, strerror(errno)); _exit(127); }
    out = err = log;
  }
  dup2(out, 1);
  dup2(err, 2);
  if (c->cwd && chdir(c->cwd) != 0) { dprintf(2, "hakbench: cannot execute %s: chdir %s: %s\n", c->argv[0], c->cwd, strerror(errno)); _exit(127); }
  int in = open(c->stdin_path ? c->stdin_path : "/dev/null", O_RDONLY);
  if (in < 0) { dprintf(2, "hakbench: cannot execute %s: stdin %s: %s\n", c->argv[0], c->stdin_path, strerror(errno)); _exit(127); }
  dup2(in, 0);
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
  for (char *const *e = c->env; e && *e; e++) putenv(*e);
  if (c->pin_cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(c->pin_cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
      dprintf(2, "hakbench: cannot pin to CPU %d: %s\n", c->pin_cpu, strerror(errno));
  }
  if (c->no_core) {
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
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

int hb_child_start(hb_child_t *c, int is_server)
{
  int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pr[2] = { -1, -1 };
  c->fd[0] = c->fd[1] = c->fd[2] = c->ru_fd = -1;
  c->reaped = c->status = c->timed_out = 0;
  c->out_digest = HB_FNV_INIT;
  memset(&c->out, 0, sizeof c->out);
  memset(&c->err, 0, sizeof c->err);
  memset(&c->err_head, 0, sizeof c->err_head);
  if (!c->log_path) {
    if (pipe2(po, O_CLOEXEC) != 0) return -1;
    if (pipe2(pe, O_CLOEXEC) != 0) { close(po[0]); close(po[1]); return -1; }
  } else if (pipe2(pe, O_CLOEXEC) != 0) return -1; /* only for a message before the log is open */
  if (launcher() && pipe2(pr, O_CLOEXEC) != 0) pr[0] = pr[1] = -1;
  fflush(NULL);
  getrusage(RUSAGE_SELF, &c->self0);
  c->busy0 = hb_cpu_busy_s();
  c->t0 = hb_now();
  pid_t pid = fork();
  if (pid < 0) {
    for (int i = 0; i < 2; i++) { if (po[i] >= 0) close(po[i]); if (pe[i] >= 0) close(pe[i]); if (pr[i] >= 0) close(pr[i]); }
    return -1;
  }
  if (pid == 0) child_exec(c, po[1] >= 0 ? po[1] : pe[1], pe[1], pr[1]);
  if (pr[1] >= 0) close(pr[1]);
  c->ru_fd = pr[0];
  setpgid(pid, pid); /* also here: whichever runs first wins the race */
  c->pid = pid;
  if (is_server) hb_server_current = pid;
  else hb_child_current = pid;
  if (po[1] >= 0) close(po[1]);
  close(pe[1]);
  c->fd[0] = po[0];
  c->fd[1] = pe[0];
  /* A pidfd becomes readable when the child exits, so poll wakes at once
   * instead of on its next 10 ms tick (kernels without it: the tick). */
  c->fd[2] = (int)syscall(SYS_pidfd_open, pid, 0);
  return 0;
}

/* Reap the child if it has ended; 1 when reaped. */
static int try_reap(hb_child_t *c)
{
  if (c->reaped) return 1;
  pid_t r = wait4(c->pid, &c->status, WNOHANG, &c->ru);
  if (r != c->pid) return 0;
  c->reaped = 1;
  if (hb_child_current == c->pid) hb_child_current = 0;
  if (hb_server_current == c->pid) hb_server_current = 0;
  c->wall_s = hb_now() - c->t0;
  kill(-c->pid, SIGKILL); /* leftovers of its group holding the pipes */
  return 1;
}

/* Read what the pipes have, waiting up to wait_ms; closes them at EOF. */
static void pump(hb_child_t *c, int wait_ms)
{
  struct pollfd fds[3];
  for (int i = 0; i < 3; i++) fds[i] = (struct pollfd){ c->reaped && i == 2 ? -1 : c->fd[i], POLLIN, 0 };
  int pr = poll(fds, 3, wait_ms);
  if (pr <= 0) return;
  for (int i = 0; i < 2; i++) {
    if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buf[8192];
    ssize_t n = read(fds[i].fd, buf, sizeof buf);
    if (n > 0) {
      if (i == 0) c->out_digest = hb_fnv1a(c->out_digest, buf, (size_t)n);
      else if (c->err_head.len < HB_CHILD_KEEP_HEAD) {
        size_t room = HB_CHILD_KEEP_HEAD - c->err_head.len;
        hb_buf_addn(&c->err_head, buf, (size_t)n < room ? (size_t)n : room);
      }
      keep_tail(i == 0 ? &c->out : &c->err, buf, (size_t)n, i == 0 ? HB_CHILD_KEEP_STDOUT : KEEP_STDERR);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      close(fds[i].fd);
      c->fd[i] = -1;
    }
  }
}

/* Collect everything once the child is reaped and its pipes are drained. */
static void finish(hb_child_t *c)
{
  double busy1 = hb_cpu_busy_s();
  struct rusage self1;
  getrusage(RUSAGE_SELF, &self1);
  /* The machine's busy time over the run, less the child's and our own.
   * /proc/stat counts whole clock ticks (10 ms), rusage does not, so the
   * difference is off by up to a tick or so either way, and may be
   * negative. It is kept signed: summed over a cell's runs the errors
   * cancel (clamping each run at 0 made a quiet machine look busy in cells
   * whose runs last a few milliseconds). */
  c->other_cpu_s = busy1 - c->busy0 - tv_s(&c->ru.ru_utime) - tv_s(&c->ru.ru_stime) -
                   (tv_s(&self1.ru_utime) - tv_s(&c->self0.ru_utime)) - (tv_s(&self1.ru_stime) - tv_s(&c->self0.ru_stime));
  if (c->fd[2] >= 0) close(c->fd[2]);
  c->fd[2] = -1;
  /* The program's own peak RSS and faults, from hb-launch (it has exited:
   * everything it wrote is in the pipe). */
  c->own_rusage = 0;
  if (c->ru_fd >= 0) {
    char buf[128];
    fcntl(c->ru_fd, F_SETFL, O_NONBLOCK);
    ssize_t n = read(c->ru_fd, buf, sizeof buf - 1);
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
    close(c->ru_fd);
    c->ru_fd = -1;
  }
  for (int i = 0; i < 2; i++) if (c->fd[i] >= 0) { close(c->fd[i]); c->fd[i] = -1; }
  if (c->log_path) { /* a server's stderr tail: the end of its log */
    FILE *f = fopen(c->log_path, "r");
    if (f) {
      char buf[8192];
      if (fseek(f, -(long)KEEP_STDERR, SEEK_END) != 0) rewind(f);
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) keep_tail(&c->err, buf, n, KEEP_STDERR);
      fclose(f);
    }
  }
  int status = c->status;
  c->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  c->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  c->exec_failed = c->exit_code == 127 && c->err.s && strstr(c->err.s, "hakbench: cannot execute");
  c->last_line = last_line(c->out.s ? c->out.s : "", c->out.len);
  c->out_tail = hb_xstrdup(c->out.s ? c->out.s : "");
  c->stderr_tail = last_lines(c->err.s ? c->err.s : "", c->err.len, TAIL_LINES);
  c->stderr_head = hb_xstrdup(c->err_head.s ? c->err_head.s : "");
  hb_buf_free(&c->out);
  hb_buf_free(&c->err);
  hb_buf_free(&c->err_head);
}

/* Wait until the child has ended and its pipes are closed, killing its
 * group at `deadline` (timed_out set). */
static void wait_until(hb_child_t *c, double deadline)
{
  while (c->fd[0] >= 0 || c->fd[1] >= 0 || !c->reaped) {
    try_reap(c);
    if (!c->reaped && !c->timed_out && hb_now() >= deadline) {
      c->timed_out = 1;
      kill(-c->pid, SIGKILL);
      kill(c->pid, SIGKILL);
    }
    if (c->fd[0] >= 0 || c->fd[1] >= 0 || (!c->reaped && c->fd[2] >= 0)) {
      pump(c, 10);
    } else if (!c->reaped) {
      struct timespec ts = { 0, 2000000 };
      nanosleep(&ts, NULL);
    }
  }
  finish(c);
}

int hb_child_run(hb_child_t *c)
{
  for (int tries = 0;; tries++) {
    if (hb_child_start(c, 0) != 0) return -1;
    wait_until(c, c->t0 + c->timeout_s);
    if (!c->exec_failed || tries == 5) return 0;
    hb_child_free(c);
    struct timespec ts = { 0, 500000000 };
    nanosleep(&ts, NULL);
  }
}

void hb_child_to_run(const hb_child_t *c, hb_run_t *run)
{
  run->has_rusage = 1;
  run->wall_s = c->wall_s;
  run->peak_rss_kb = c->ru.ru_maxrss;
  run->minflt = c->ru.ru_minflt;
  run->majflt = c->ru.ru_majflt;
  run->utime_s = tv_s(&c->ru.ru_utime);
  run->stime_s = tv_s(&c->ru.ru_stime);
  run->other_cpu_s = c->other_cpu_s;
  run->exit_code = c->signal || c->timed_out ? -1 : c->exit_code;
  free(run->signal);
  run->signal = c->signal && !c->timed_out ? hb_xstrdup(hb_signal_name(c->signal)) : NULL;
}

int hb_child_ended(hb_child_t *c)
{
  if (c->reaped) return 1;
  if (c->fd[1] >= 0) pump(c, 0);
  if (!try_reap(c)) return 0;
  wait_until(c, hb_now() + 1);
  return 1;
}

void hb_child_stop(hb_child_t *c, double grace_s)
{
  if (c->reaped) return;
  kill(-c->pid, SIGTERM);
  double deadline = hb_now() + grace_s;
  wait_until(c, deadline);
}

void hb_child_free(hb_child_t *c)
{
  free(c->last_line);
  free(c->out_tail);
  free(c->stderr_tail);
  free(c->stderr_head);
  c->last_line = c->out_tail = c->stderr_tail = c->stderr_head = NULL;
}

uint64_t hb_fnv1a(uint64_t h, const void *p, size_t n)
{
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++) { h ^= s[i]; h *= 0x100000001b3ULL; }
  return h;
}
