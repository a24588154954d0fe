/* program.c: program cells: real programs (any command line) measured
 * under each allocator. The contract is in harness/README.md ("Program
 * cells"): placeholders {data} {work} {port}; prepare once, reset before
 * each run; a server under the allocator with the client under glibc; an
 * output digest compared with glibc's; hb-identify.so proving which
 * library served malloc; wall time or a number from stdout. */
#include "program.h"
#include "child.h"
#include "util.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PREPARE_TIMEOUT_S 600
#define SERVER_READY_S    20    /* a server must accept connections by then */
#define SERVER_STOP_S     5     /* SIGTERM, then SIGKILL after this        */

/* s with {data}, {work} and {port} replaced; caller frees. */
static char *expand(const char *s, const char *work, int port)
{
  hb_buf_t b = {0};
  hb_buf_add(&b, "");
  while (*s) {
    if (strncmp(s, "{data}", 6) == 0) { char *d = hb_root_path("harness/apps"); hb_buf_add(&b, d); free(d); s += 6; }
    else if (strncmp(s, "{work}", 6) == 0) { hb_buf_add(&b, work); s += 6; }
    else if (strncmp(s, "{port}", 6) == 0) { hb_buf_printf(&b, "%d", port); s += 6; }
    else hb_buf_addn(&b, s++, 1);
  }
  return b.s;
}

static char **expand_argv(const char *exe, char *const *args, int nargs, const char *work, int port)
{
  char **v = hb_xmalloc(sizeof(char *) * (size_t)(nargs + 2));
  int k = 0;
  if (exe) v[k++] = hb_xstrdup(exe);
  for (int i = 0; i < nargs; i++) v[k++] = expand(args[i], work, port);
  v[k] = NULL;
  return v;
}

/* The executable named `name` in PATH (or a path with a '/'); NULL if none. */
static char *find_exe(const char *name)
{
  if (strchr(name, '/')) return access(name, X_OK) == 0 ? realpath(name, NULL) : NULL;
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  char *copy = hb_xstrdup(path), *save = NULL;
  for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    char *p = hb_sprintf("%s/%s", d, name);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) { free(copy); return p; }
    free(p);
  }
  free(copy);
  return NULL;
}

/* sh -c CMD in the work folder under glibc; NULL, or why it failed. */
static char *shell(const char *cmd, const char *work, const char *what)
{
  char *x = expand(cmd, work, 0);
  char *argv[] = { "/bin/sh", "-c", x, NULL };
  hb_child_t c = { .argv = argv, .pin_cpu = -1, .timeout_s = PREPARE_TIMEOUT_S, .cwd = work };
  char *why = NULL;
  if (hb_child_run(&c) != 0) why = hb_sprintf("%s: cannot start /bin/sh: %s", what, strerror(errno));
  else if (c.timed_out) why = hb_sprintf("%s timed out after %d s: %s", what, PREPARE_TIMEOUT_S, x);
  else if (c.signal || c.exit_code != 0)
    why = hb_sprintf("%s failed (%s %d): %s; %s", what, c.signal ? "signal" : "exit", c.signal ? c.signal : c.exit_code,
                     x, c.stderr_tail && *c.stderr_tail ? c.stderr_tail : "no stderr");
  hb_child_free(&c);
  free(x);
  return why;
}

static void remove_tree(const char *dir)
{
  hb_buf_t b = {0};
  hb_buf_add(&b, "rm -rf -- ");
  hb_buf_add_shell_word(&b, dir);
  int rc = system(b.s);
  (void)rc;
  hb_buf_free(&b);
}

/* A loopback TCP port nobody listens on now. */
static int free_port(void)
{
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0 };
  socklen_t len = sizeof a;
  int port = -1;
  if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  close(s);
  return port;
}

static int port_open(int port)
{
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return 0;
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
  int ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
  close(s);
  return ok;
}

/* glibc's own file: preloaded for the "system" allocator, so that glibc's
 * malloc serves even a program linked against another allocator (Debian's
 * redis-server links libjemalloc). */
static const char *libc_path(void)
{
  static char path[4096];
  Dl_info info;
  if (!path[0] && dladdr((void *)gnu_get_libc_version, &info) && info.dli_fname && strlen(info.dli_fname) < sizeof path)
    strcpy(path, info.dli_fname);
  return path[0] ? path : "libc.so.6";
}

static char *digest_text(uint64_t h) { return hb_sprintf("fnv1a64:%016llx", (unsigned long long)h); }

/* Digest of the checked output: stdout's, or a file's in the work folder. */
static char *output_digest(const hb_program_t *p, const hb_child_t *c, const char *work, char **why)
{
  if (strcmp(p->check, "stdout") == 0) return digest_text(c->out_digest);
  char *path = hb_sprintf("%s/%s", work, p->check);
  FILE *f = fopen(path, "rb");
  if (!f) { *why = hb_sprintf("hakbench: output file %s was not written: %s", p->check, strerror(errno)); free(path); return NULL; }
  uint64_t h = HB_FNV_INIT;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) h = hb_fnv1a(h, buf, n);
  fclose(f);
  free(path);
  return digest_text(h);
}

/* Every process that loaded hb-identify.so wrote "PID LIBRARY"; all of
 * them must name the allocator asked for. NULL, or why not. */
static char *identity(const char *file, const hb_alloc_t *alloc)
{
  FILE *f = fopen(file, "r");
  if (!f) return hb_xstrdup("hakbench: no process of the run reported which library served malloc "
                            "(a static or setuid program ignores LD_PRELOAD)");
  char line[600];
  int n = 0;
  char *why = NULL;
  const char *want = alloc->expect ? alloc->expect : "", *alt = alloc->expect2 ? alloc->expect2 : "";
  while (!why && fgets(line, sizeof line, f)) {
    long pid;
    char lib[512];
    if (sscanf(line, "%ld %511s", &pid, lib) != 2) continue;
    n++;
    if (strcmp(lib, want) != 0 && (!*alt || strcmp(lib, alt) != 0))
      why = hb_sprintf("hakbench: malloc of process %ld was served by '%s', not '%s'", pid, lib, want);
  }
  fclose(f);
  if (!why && n == 0) why = hb_xstrdup("hakbench: no process of the run reported which library served malloc");
  return why;
}

/* The metric "output": the geometric mean of every match of the pattern's
 * first group in stdout; NAN when it matches nothing. */
static double output_value(const char *pattern, const char *out)
{
  regex_t re;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0) return NAN;
  regmatch_t m[2];
  double logsum = 0;
  int n = 0;
  const char *p = out;
  while (*p && regexec(&re, p, 2, m, p == out ? 0 : REG_NOTBOL) == 0) {
    if (m[1].rm_so >= 0) {
      char num[64];
      size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);
      if (len < sizeof num) {
        memcpy(num, p + m[1].rm_so, len);
        num[len] = '\0';
        char *end;
        double v = strtod(num, &end);
        if (end != num && isfinite(v) && v > 0) { logsum += log(v); n++; }
      }
    }
    p += m[0].rm_eo > 0 ? m[0].rm_eo : 1;
  }
  regfree(&re);
  return n ? exp(logsum / n) : NAN;
}

static void fail(hb_run_t *run, hb_status_t st, char *why)
{
  run->status = st;
  free(run->stderr_tail);
  run->stderr_tail = why;
}

static char *command_text(const char *preload, char **argv, const char *stdin_file)
{
  hb_buf_t b = {0};
  if (preload) { hb_buf_add(&b, "LD_PRELOAD="); hb_buf_add_shell_word(&b, preload); hb_buf_add(&b, " "); }
  for (char **p = argv; *p; p++) { if (p != argv) hb_buf_add(&b, " "); hb_buf_add_shell_word(&b, *p); }
  if (stdin_file) { hb_buf_add(&b, " < "); hb_buf_add_shell_word(&b, stdin_file); }
  return b.s;
}

/* One run: reset, server (if any), the program; status, value, rusage and
 * the output digest (*digest, when the cell checks its output). Identity is
 * checked unless alloc is NULL (the reference run under glibc). */
static hb_run_t run_once(const hb_cell_t *cell, const hb_prog_cell_t *st, const hb_alloc_t *alloc, const char *rep,
                         char **digest)
{
  const hb_program_t *p = cell->program;
  hb_run_t run;
  hb_run_init(&run);
  run.status = HB_OK;
  *digest = NULL;
  char *why = p->reset ? shell(p->reset, st->work, "reset") : NULL;
  if (why) { fail(&run, HB_ERROR, why); return run; }
  int port = p->server ? free_port() : 0;
  if (p->server && port <= 0) { fail(&run, HB_ERROR, hb_sprintf("hakbench: no free loopback port: %s", strerror(errno))); return run; }
  char *idfile = hb_sprintf("%s/.identify", st->work);
  unlink(idfile);
  char *ident = hb_root_path("build/hb-identify.so");
  /* alloc NULL: the reference run, under glibc like "system" */
  const char *lib = alloc && alloc->path ? alloc->path : libc_path();
  char *preload = hb_sprintf("%s:%s", lib, ident);
  char *envv = hb_sprintf("HB_IDENTIFY_FILE=%s", idfile);
  char *env[] = { envv, NULL };
  char **argv = expand_argv(st->exe, cell->args, cell->nargs, st->work, port);
  char *in = p->stdin_file ? hb_sprintf("%s/%s", st->work, p->stdin_file) : NULL;
  hb_child_t srv = {0}, c = {0};
  int have_srv = 0;
  hb_buf_t cmd = {0};
  if (p->server) {
    char **sargv = expand_argv(NULL, p->server, p->nserver, st->work, port);
    char *sexe = find_exe(sargv[0]);
    char *log = hb_sprintf("%s/.server.log", st->work);
    if (!sexe) {
      fail(&run, HB_ERROR, hb_sprintf("hakbench: server program '%s' is not installed%s%s%s", sargv[0],
                                      p->package ? " (apt-get install -y " : "", p->package ? p->package : "", p->package ? ")" : ""));
    } else {
      free(sargv[0]);
      sargv[0] = sexe;
      srv = (hb_child_t){ .argv = sargv, .preload = preload, .pin_cpu = -1, .timeout_s = 1e9, .rep = rep,
                          .cwd = st->work, .log_path = log, .env = env };
      char *t = command_text(preload, sargv, NULL);
      hb_buf_printf(&cmd, "%s & ", t);
      free(t);
      if (hb_child_start(&srv, 1) != 0) fail(&run, HB_ERROR, hb_sprintf("hakbench: cannot start the server: %s", strerror(errno)));
      else {
        have_srv = 1;
        double t0 = hb_now();
        int ready = 0, exited = 0;
        while (!ready && !(exited = hb_child_ended(&srv)) && hb_now() - t0 < SERVER_READY_S) {
          ready = port_open(port);
          if (!ready) { struct timespec ts = { 0, 20000000 }; nanosleep(&ts, NULL); }
        }
        if (!ready) {
          hb_child_stop(&srv, SERVER_STOP_S);
          fail(&run, HB_ERROR, hb_sprintf("hakbench: the server did not accept connections on port %d%s; its output: %s", port,
                                          exited ? " (it exited)" : " within 20 s",
                                          srv.stderr_tail && *srv.stderr_tail ? srv.stderr_tail : "(none)"));
        }
      }
    }
    if (run.status != HB_OK) {
      free(log);
      if (have_srv) hb_child_free(&srv);
      hb_argv_free(sargv);
      goto done;
    }
    srv.log_path = log; /* freed below */
    srv.argv = sargv;
  }
  /* The program: under the allocator, or, beside a server, as its client
   * under glibc. */
  c = (hb_child_t){ .argv = argv, .preload = p->server ? NULL : preload, .pin_cpu = -1, .timeout_s = cell->timeout_s,
                    .rep = rep, .cwd = st->work, .stdin_path = in, .env = p->server ? NULL : env };
  {
    char *t = command_text(p->server ? NULL : preload, argv, p->stdin_file);
    hb_buf_add(&cmd, t);
    free(t);
  }
  int rc = hb_child_run(&c);
  int srv_died = 0;
  if (have_srv) {
    srv_died = hb_child_ended(&srv);
    hb_child_stop(&srv, SERVER_STOP_S);
    /* a crash on the way out (SIGTERM is our own; SIGKILL after the grace period) */
    if (!srv_died && srv.signal && srv.signal != SIGTERM && !srv.timed_out) srv_died = 1;
  }
  if (rc != 0) { fail(&run, HB_ERROR, hb_sprintf("hakbench: cannot start %s: %s", argv[0], strerror(errno))); goto stop; }
  hb_child_to_run(&c, &run);
  run.stderr_tail = c.stderr_tail ? hb_xstrdup(c.stderr_tail) : NULL;
  if (have_srv) {
    /* The allocator under test is the server's: its memory and CPU; the
     * client's wall time. The server's CPU was not other processes'. */
    run.peak_rss_kb = srv.ru.ru_maxrss;
    run.minflt = srv.ru.ru_minflt;
    run.majflt = srv.ru.ru_majflt;
    run.utime_s = (double)srv.ru.ru_utime.tv_sec + srv.ru.ru_utime.tv_usec * 1e-6;
    run.stime_s = (double)srv.ru.ru_stime.tv_sec + srv.ru.ru_stime.tv_usec * 1e-6;
    if (isfinite(run.other_cpu_s)) run.other_cpu_s = fmax(0, run.other_cpu_s - run.utime_s - run.stime_s);
  }
  if (c.timed_out) run.status = HB_TIMEOUT;
  else if (c.signal) run.status = HB_CRASH;
  else if (c.exit_code != 0) run.status = HB_ERROR;
  else if (srv_died) {
    if (srv.signal) { free(run.signal); run.signal = hb_xstrdup(hb_signal_name(srv.signal)); }
    fail(&run, srv.signal ? HB_CRASH : HB_ERROR,
         hb_sprintf("hakbench: the server ended during the run or crashed when stopped (%s %d): %s", srv.signal ? "signal" : "exit",
                    srv.signal ? srv.signal : srv.exit_code, srv.stderr_tail && *srv.stderr_tail ? srv.stderr_tail : "no output"));
  }
  if (run.status == HB_OK && alloc && (why = identity(idfile, alloc)) != NULL) fail(&run, HB_INVALID, why);
  if (run.status == HB_OK && p->check) {
    *digest = output_digest(p, &c, st->work, &why);
    if (!*digest) fail(&run, HB_ERROR, why);
  }
  if (run.status == HB_OK) {
    if (strcmp(cell->metric, HB_METRIC_WALL) == 0) run.value = c.wall_s;
    else {
      run.value = output_value(p->pattern, c.out_tail ? c.out_tail : "");
      if (!isfinite(run.value))
        fail(&run, HB_ERROR, hb_sprintf("hakbench: the pattern \"%s\" matched no positive number in stdout: %.200s",
                                        p->pattern, c.last_line ? c.last_line : ""));
    }
  }
stop:
  hb_child_free(&c);
  if (have_srv) {
    free((char *)srv.log_path);
    hb_argv_free(srv.argv);
    hb_child_free(&srv);
  }
done:
  run.command = cmd.s ? cmd.s : command_text(preload, argv, p->stdin_file);
  unlink(idfile);
  free(idfile); free(ident); free(preload); free(envv); free(in);
  hb_argv_free(argv);
  return run;
}

void hb_program_prepare(hb_cell_t *cell, hb_prog_cell_t *st, const char *out_dir)
{
  if (st->prepared) return;
  st->prepared = 1;
  hb_program_t *p = cell->program;
  char *id = hb_xstrdup(cell->id);
  for (char *q = id; *q; q++) if (*q == '/') *q = '_';
  st->work = hb_sprintf("%s/work/%s", out_dir, id);
  free(id);
  st->exe = find_exe(cell->workload);
  if (!st->exe) {
    st->error = hb_sprintf("hakbench: program '%s' is not installed%s%s%s", cell->workload,
                           p->package ? " (apt-get install -y " : "", p->package ? p->package : "", p->package ? ")" : "");
    return;
  }
  remove_tree(st->work);
  if (hb_mkdirs(st->work) != 0) { st->error = hb_sprintf("hakbench: cannot create %s: %s", st->work, strerror(errno)); return; }
  char *abs = realpath(st->work, NULL);
  if (abs) { free(st->work); st->work = abs; }
  if (p->prepare && (st->error = shell(p->prepare, st->work, "prepare")) != NULL) return;
  if (!p->check || p->reference) return;
  /* The reference output: one run under glibc, before any allocator. */
  fprintf(stderr, "%s%s: reference run under glibc\n", isatty(2) ? "\r\033[K" : "", cell->id);
  char *digest = NULL;
  hb_run_t ref = run_once(cell, st, NULL, "reference", &digest);
  if (ref.status != HB_OK)
    st->error = hb_sprintf("hakbench: the reference run under glibc failed (%s): %s", hb_status_name(ref.status),
                           ref.stderr_tail ? ref.stderr_tail : "");
  else p->reference = digest, digest = NULL;
  free(digest);
  hb_run_free(&ref);
}

hb_run_t hb_program_run(const hb_cell_t *cell, hb_prog_cell_t *st, const hb_alloc_t *alloc, const char *rep)
{
  if (st->error) {
    hb_run_t run;
    hb_run_init(&run);
    run.status = HB_ERROR;
    run.stderr_tail = hb_xstrdup(st->error);
    return run;
  }
  char *digest = NULL;
  hb_run_t run = run_once(cell, st, alloc, rep, &digest);
  if (run.status == HB_OK && digest && cell->program->reference && strcmp(digest, cell->program->reference) != 0)
    fail(&run, HB_WRONG_OUTPUT, hb_sprintf("hakbench: %s differs from glibc's (%s, glibc %s)",
                                           strcmp(cell->program->check, "stdout") == 0 ? "stdout" : cell->program->check,
                                           digest, cell->program->reference));
  free(digest);
  return run;
}

void hb_program_cleanup(hb_prog_cell_t *st)
{
  if (st->work) remove_tree(st->work);
  free(st->work); free(st->exe); free(st->error);
  memset(st, 0, sizeof *st);
}
