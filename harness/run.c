/* run.c: `hakbench run`: execute a suite against the allocators, writing
 * results.json after every run (so an interrupted run keeps its work). */
#include "allocators.h"
#include "child.h"
#include "hakbench.h"
#include "results.h"
#include "suite.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef HB_BUILD_FLAGS
#define HB_BUILD_FLAGS "unknown"
#endif

static const char run_usage[] =
  "usage: hakbench run SUITE [options]\n"
  "       hakbench run --resume DIR [SUITE]\n"
  "Run every cell of SUITE (a name in harness/suites/ or a .suite file path)\n"
  "against each allocator; write DIR/results.json after every run.\n"
  "  --allocators LIST  comma-separated: hakmem system jemalloc mimalloc tcmalloc\n"
  "                     or NAME=PATH (default: all five; missing ones are skipped)\n"
  "  --reps N           measured repetitions per cell (default: the suite's, 5)\n"
  "  --warmup N         uncounted warm-up runs per cell and allocator (default 1)\n"
  "  --timeout S        seconds before a run is killed as TIMEOUT (default 60)\n"
  "  --out DIR          run folder (default results/SUITE)\n"
  "  --pin              pin single-threaded runs to one CPU\n"
  "  --resume DIR       continue the interrupted run in DIR, skipping finished runs\n"
  "  --dry-run          print the plan and the time estimate, run nothing\n"
  "  -h, --help         this text\n";

static void on_signal(int sig)
{
  (void)sig;
  if (hb_child_current > 0) kill(-hb_child_current, SIGKILL); /* it has its own group */
  static const char msg[] = "\nhakbench: interrupted; finished runs are in results.json (resume with --resume)\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(130);
}

static char *iso_date(void)
{
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return hb_xstrdup(buf);
}

static char *cpu_model(void)
{
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[512];
  char *r = NULL;
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10) != 0) continue;
    char *c = strchr(line, ':');
    if (!c) continue;
    c++;
    while (*c == ' ') c++;
    c[strcspn(c, "\n")] = '\0';
    r = hb_xstrdup(c);
    break;
  }
  if (f) fclose(f);
  return r ? r : hb_xstrdup("unknown");
}

static char *join_command(int argc, char **argv)
{
  hb_buf_t b = {0};
  hb_buf_add(&b, "build/hakbench");
  for (int i = 0; i < argc; i++) {
    hb_buf_add(&b, " ");
    hb_buf_add_shell_word(&b, argv[i]);
  }
  return b.s;
}

static json_t *context_json(const char *command, const hb_suite_t *s, int reps, int warmup,
                            double timeout_s, int pin)
{
  struct utsname u;
  uname(&u);
  char *cmd = hb_sprintf("git -C '%s' rev-parse HEAD 2>/dev/null", hb_root());
  char *sha = hb_capture(cmd);
  free(cmd);
  cmd = hb_sprintf("git -C '%s' status --porcelain --untracked-files=no 2>/dev/null", hb_root());
  char *dirty = hb_capture(cmd);
  free(cmd);
  char *date = iso_date(), *cpu = cpu_model();
  json_t *c = json_pack("{s:s, s:s?, s:b, s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:i, s:f, s:b, s:s, s:s?}",
                        "date", date, "git_commit", sha, "git_dirty", dirty != NULL,
                        "cpu_model", cpu, "cores", (int)sysconf(_SC_NPROCESSORS_ONLN),
                        "kernel", u.release, "glibc", gnu_get_libc_version(),
                        "build_flags", HB_BUILD_FLAGS, "command", command,
                        "reps", reps, "warmup", warmup, "timeout_s", timeout_s, "pin", pin,
                        "suite_file", s->path, "description", s->description);
  free(sha); free(dirty); free(date); free(cpu);
  return c;
}

static json_t *allocators_json(hb_alloc_t *a, int n)
{
  json_t *arr = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(arr, json_pack("{s:s, s:s?, s:b, s:s?, s:s?, s:s?, s:s?}",
                          "name", a[i].name, "path", a[i].path, "available", a[i].available,
                          "package", a[i].package, "version", a[i].version,
                          "expect", a[i].expect, "expect_alt", a[i].expect2));
  return arr;
}

static json_t *cell_json(const hb_cell_t *c, int reps, int warmup, double timeout_s)
{
  json_t *args = json_array();
  for (int i = 0; i < c->nargs; i++) json_array_append_new(args, json_string(c->args[i]));
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:i, s:i, s:f, s:{}, s:{}}",
                   "id", c->id, "table", c->table, "label", c->label, "workload", c->workload,
                   "args", args, "threads", c->threads, "metric", c->metric,
                   "better", c->lower_better ? "lower" : "higher",
                   "reps", reps, "warmup", warmup, "timeout_s", timeout_s, "runs", "stats");
}

/* ---- one run ---------------------------------------------------------- */

typedef struct plan_s {
  const char *out_dir;
  int         pin_cpu;    /* -1: no pinning */
} plan_t;

static char **build_argv(const char *prefix[], int nprefix, const char *binary, json_t *args,
                         const char *iters_override, int add_warmup0)
{
  size_t nargs = json_array_size(args);
  char **argv = hb_xmalloc(sizeof(char *) * ((size_t)nprefix + nargs + 4));
  int k = 0;
  for (int i = 0; i < nprefix; i++) argv[k++] = hb_xstrdup(prefix[i]);
  argv[k++] = hb_xstrdup(binary);
  int have_warmup = 0;
  for (size_t i = 0; i < nargs; i++) {
    const char *a = json_string_value(json_array_get(args, i));
    if (iters_override && strcmp(a, "--iters") == 0 && i + 1 < nargs) {
      argv[k++] = hb_xstrdup(a);
      argv[k++] = hb_xstrdup(iters_override);
      i++;
      continue;
    }
    if (iters_override && strncmp(a, "--iters=", 8) == 0) {
      argv[k++] = hb_sprintf("--iters=%s", iters_override);
      continue;
    }
    if (strcmp(a, "--warmup") == 0 || strncmp(a, "--warmup=", 9) == 0) {
      have_warmup = 1;
      if (add_warmup0) {
        argv[k++] = hb_xstrdup("--warmup=0");
        if (a[8] == '\0') i++;
        continue;
      }
    }
    argv[k++] = hb_xstrdup(a);
  }
  if (add_warmup0 && !have_warmup) argv[k++] = hb_xstrdup("--warmup=0");
  argv[k] = NULL;
  return argv;
}

static void free_argv(char **argv)
{
  for (char **p = argv; *p; p++) free(*p);
  free(argv);
}

static char *command_string(const char *preload, char **argv)
{
  hb_buf_t b = {0};
  if (preload) {
    hb_buf_add(&b, "LD_PRELOAD=");
    hb_buf_add_shell_word(&b, preload);
    hb_buf_add(&b, " ");
  }
  for (char **p = argv; *p; p++) {
    if (p != argv) hb_buf_add(&b, " ");
    hb_buf_add_shell_word(&b, *p);
  }
  return b.s;
}

/* Run one process and classify it. Returns a run object (without "rep"). */
static json_t *run_process(char **argv, json_t *alloc, double timeout_s, int pin_cpu)
{
  const char *preload = hb_jstr(alloc, "path", NULL);
  hb_child_t c = { .argv = argv, .preload = preload, .pin_cpu = pin_cpu, .timeout_s = timeout_s };
  char *cmd = command_string(preload, argv);
  json_t *run = json_object();
  json_object_set_new(run, "command", json_string(cmd));
  free(cmd);
  int rc = hb_child_run(&c);
  /* A binary that cannot be executed right now (being relinked by a
   * concurrent make: ETXTBSY, EACCES) is the harness's problem, not the
   * allocator's: retry a few times before recording ERROR. */
  for (int tries = 0; rc == 0 && c.exec_failed && tries < 5; tries++) {
    hb_child_free(&c);
    struct timespec ts = { 0, 500000000 };
    nanosleep(&ts, NULL);
    rc = hb_child_run(&c);
  }
  if (rc != 0) {
    json_object_set_new(run, "status", json_string("ERROR"));
    json_object_set_new(run, "stderr_tail", json_string(strerror(errno)));
    return run;
  }
  const char *status = "OK";
  json_t *output = NULL;
  if (c.timed_out) status = "TIMEOUT";
  else if (c.signal) status = "CRASH";
  else if (c.exit_code == 3) status = "CORRUPTION";
  else if (c.exit_code != 0) status = "ERROR";
  else {
    json_error_t e;
    output = json_loads(c.last_line, 0, &e);
    if (!json_is_object(output)) {
      status = "ERROR";
      json_decref(output);
      output = NULL;
      free(c.stderr_tail);
      c.stderr_tail = hb_sprintf("hakbench: the workload's last stdout line is not a JSON object: %.200s",
                                 c.last_line);
    } else {
      const char *got = hb_jstr(output, "allocator", "");
      const char *want = hb_jstr(alloc, "expect", ""), *alt = hb_jstr(alloc, "expect_alt", "");
      if (strcmp(got, want) != 0 && (!*alt || strcmp(got, alt) != 0)) {
        status = "INVALID";
        free(c.stderr_tail);
        c.stderr_tail = hb_sprintf("hakbench: malloc was served by '%s', not '%s'", got, want);
      }
    }
  }
  json_object_set_new(run, "status", json_string(status));
  json_object_set_new(run, "wall_s", json_real(c.wall_s));
  json_object_set_new(run, "peak_rss_kb", json_integer(c.ru.ru_maxrss));
  json_object_set_new(run, "minflt", json_integer(c.ru.ru_minflt));
  json_object_set_new(run, "majflt", json_integer(c.ru.ru_majflt));
  json_object_set_new(run, "utime_s", json_real((double)c.ru.ru_utime.tv_sec + c.ru.ru_utime.tv_usec * 1e-6));
  json_object_set_new(run, "stime_s", json_real((double)c.ru.ru_stime.tv_sec + c.ru.ru_stime.tv_usec * 1e-6));
  json_object_set_new(run, "exit_code", c.signal || c.timed_out ? json_null() : json_integer(c.exit_code));
  json_object_set_new(run, "signal", c.signal && !c.timed_out ? json_string(hb_signal_name(c.signal)) : json_null());
  json_object_set_new(run, "stderr_tail", json_string(c.stderr_tail));
  json_object_set_new(run, "output", output ? output : json_null());
  hb_child_free(&c);
  return run;
}

static json_t *run_plain(json_t *cell, json_t *alloc, const plan_t *p)
{
  char *bin = hb_workload_path(hb_jstr(cell, "workload", ""));
  char **argv = build_argv(NULL, 0, bin, json_object_get(cell, "args"), NULL, 0);
  int pin = json_integer_value(json_object_get(cell, "threads")) == 1 ? p->pin_cpu : -1;
  json_t *run = run_process(argv, alloc, hb_jnum(cell, "timeout_s", 60), pin);
  free_argv(argv);
  free(bin);
  json_t *out = json_object_get(run, "output");
  if (strcmp(hb_jstr(run, "status", ""), "OK") == 0) {
    json_t *v = json_object_get(out, "ops_per_sec");
    if (!json_is_number(v)) {
      json_object_set_new(run, "status", json_string("ERROR"));
      json_object_set_new(run, "stderr_tail", json_string("hakbench: the workload's JSON has no numeric \"ops_per_sec\""));
    } else {
      json_object_set_new(run, "value", json_real(json_number_value(v)));
    }
  }
  if (json_is_object(out)) {
    json_object_set(run, "seconds", json_object_get(out, "seconds") ? json_object_get(out, "seconds") : json_null());
    json_object_set(run, "ops", json_object_get(out, "ops") ? json_object_get(out, "ops") : json_null());
  }
  return run;
}

/* Ir total from a cachegrind output file ("summary: N"); -1 if absent. */
static double cachegrind_ir(const char *file)
{
  FILE *f = fopen(file, "r");
  if (!f) return -1;
  char line[4096];
  double ir = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "summary:", 8) == 0) ir = strtod(line + 8, NULL);
  fclose(f);
  return ir;
}

/* instructions_per_op: run under cachegrind at N and 2N iterations with the
 * workload's own warm-up off; (Ir(2N) - Ir(N)) / (ops(2N) - ops(N)) cancels
 * start-up and set-up costs. */
static json_t *run_cachegrind(json_t *cell, json_t *alloc, const plan_t *p)
{
  char *bin = hb_workload_path(hb_jstr(cell, "workload", ""));
  json_t *args = json_object_get(cell, "args");
  long n = 0;
  for (size_t i = 0; i < json_array_size(args); i++) {
    const char *a = json_string_value(json_array_get(args, i));
    if (strcmp(a, "--iters") == 0 && i + 1 < json_array_size(args))
      hb_parse_long(json_string_value(json_array_get(args, i + 1)), 1, 1L << 40, &n);
    else if (strncmp(a, "--iters=", 8) == 0)
      hb_parse_long(a + 8, 1, 1L << 40, &n);
  }
  json_t *runs[2] = { NULL, NULL };
  double ir[2] = { -1, -1 };
  hb_buf_t cmds = {0};
  for (int k = 0; k < 2; k++) {
    char *iters = hb_sprintf("%ld", n * (k + 1));
    char *cgout = hb_sprintf("%s/.cachegrind.%d.%d.out", p->out_dir, (int)getpid(), k);
    char *cgopt = hb_sprintf("--cachegrind-out-file=%s", cgout);
    const char *prefix[] = { "/usr/bin/valgrind", "--tool=cachegrind", "--cache-sim=no", cgopt };
    char **argv = build_argv(prefix, 4, bin, args, iters, 1);
    runs[k] = run_process(argv, alloc, hb_jnum(cell, "timeout_s", 60), -1);
    if (k) hb_buf_add(&cmds, " ; ");
    hb_buf_add(&cmds, hb_jstr(runs[k], "command", ""));
    ir[k] = cachegrind_ir(cgout);
    unlink(cgout);
    free_argv(argv);
    free(cgopt); free(cgout); free(iters);
    if (strcmp(hb_jstr(runs[k], "status", ""), "OK") != 0) break;
  }
  free(bin);
  int both_ok = runs[1] && strcmp(hb_jstr(runs[0], "status", ""), "OK") == 0;
  double ops1 = hb_jnum(json_object_get(runs[0], "output"), "ops", 0);
  double ops2 = both_ok ? hb_jnum(json_object_get(runs[1], "output"), "ops", 0) : 0;
  json_t *run = both_ok ? runs[1] : runs[0];
  json_incref(run);
  json_decref(runs[0]);
  json_decref(runs[1]);
  json_object_set_new(run, "command", json_string(cmds.s));
  hb_buf_free(&cmds);
  if (strcmp(hb_jstr(run, "status", ""), "OK") == 0) {
    if (ir[0] < 0 || ir[1] < 0 || !(ops2 > ops1)) {
      json_object_set_new(run, "status", json_string("ERROR"));
      json_object_set_new(run, "stderr_tail", json_string("hakbench: no cachegrind summary, or ops did not grow with --iters"));
    } else {
      json_object_set_new(run, "value", json_real((ir[1] - ir[0]) / (ops2 - ops1)));
      json_object_set_new(run, "instructions", json_pack("[f,f]", ir[0], ir[1]));
      json_object_set_new(run, "ops", json_real(ops2 - ops1));
    }
  }
  return run;
}

/* ---- the loop --------------------------------------------------------- */

static int count_done(json_t *cell, const char *alloc, int rep)
{
  json_t *list = json_object_get(json_object_get(cell, "runs"), alloc), *r;
  size_t i;
  json_array_foreach(list, i, r)
    if (json_integer_value(json_object_get(r, "rep")) == rep) return 1;
  return 0;
}

static double cell_estimate(json_t *cell)
{
  hb_cell_t c = {0};
  c.workload = (char *)hb_jstr(cell, "workload", "");
  c.metric = (char *)hb_jstr(cell, "metric", "ops_per_sec");
  c.threads = (int)json_integer_value(json_object_get(cell, "threads"));
  json_t *args = json_object_get(cell, "args");
  c.nargs = (int)json_array_size(args);
  c.args = hb_xmalloc(sizeof(char *) * ((size_t)c.nargs + 1));
  for (int i = 0; i < c.nargs; i++) c.args[i] = (char *)json_string_value(json_array_get(args, (size_t)i));
  double t = hb_cell_estimate_s(&c);
  free(c.args);
  return t;
}

static void fmt_mmss(char *buf, size_t n, double s)
{
  if (!(s >= 0)) s = 0;
  long t = (long)(s + 0.5);
  snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static int execute(json_t *root, const char *path, const plan_t *plan)
{
  json_t *cells = json_object_get(root, "cells"), *allocs = json_object_get(root, "allocators");
  size_t ci, ai;
  json_t *cell, *alloc;
  /* Plan: count runs still to do and estimate them. */
  long total = 0;
  double est_total = 0;
  json_array_foreach(cells, ci, cell) {
    int reps = (int)hb_jnum(cell, "reps", 5), warm = (int)hb_jnum(cell, "warmup", 1);
    double e = cell_estimate(cell);
    json_array_foreach(allocs, ai, alloc) {
      if (!json_is_true(json_object_get(alloc, "available"))) continue;
      int todo = 0;
      for (int r = 0; r < reps; r++) todo += !count_done(cell, hb_jstr(alloc, "name", ""), r);
      if (todo) todo += warm;
      total += todo;
      est_total += todo * e;
    }
  }
  char eta[32];
  fmt_mmss(eta, sizeof eta, est_total);
  fprintf(stderr, "hakbench: %ld runs to do, estimated %s (mm:ss)\n", total, eta);
  if (plan->out_dir == NULL) return 0; /* dry run */

  int tty = isatty(2);
  long done = 0;
  double t0 = hb_now(), est_done = 0;
  json_array_foreach(cells, ci, cell) {
    int reps = (int)hb_jnum(cell, "reps", 5), warm = (int)hb_jnum(cell, "warmup", 1);
    int cachegrind = strcmp(hb_jstr(cell, "metric", ""), "instructions_per_op") == 0;
    double e = cell_estimate(cell);
    for (int r = -warm; r < reps; r++) {
      json_array_foreach(allocs, ai, alloc) {
        const char *name = hb_jstr(alloc, "name", "");
        if (!json_is_true(json_object_get(alloc, "available"))) continue;
        int todo = 0;
        for (int k = 0; k < reps; k++) todo += !count_done(cell, name, k);
        if (!todo || (r >= 0 && count_done(cell, name, r))) continue;
        done++;
        double el = hb_now() - t0;
        double left = est_done > 0 ? (est_total - est_done) * el / est_done : est_total - est_done;
        fmt_mmss(eta, sizeof eta, left);
        if (r < 0)
          fprintf(stderr, "%s[%ld/%ld] %s %s warm-up  ETA %s%s", tty ? "\r" : "", done, total,
                  hb_jstr(cell, "id", ""), name, eta, tty ? "\033[K" : "\n");
        else
          fprintf(stderr, "%s[%ld/%ld] %s %s rep %d/%d  ETA %s%s", tty ? "\r" : "", done, total,
                  hb_jstr(cell, "id", ""), name, r + 1, reps, eta, tty ? "\033[K" : "\n");
        json_t *run = cachegrind ? run_cachegrind(cell, alloc, plan) : run_plain(cell, alloc, plan);
        est_done += e;
        if (r < 0) { json_decref(run); continue; } /* warm-up: not counted */
        json_t *rep = json_integer(r);
        json_object_set_new(run, "rep", rep);
        json_t *runs = json_object_get(cell, "runs");
        json_t *list = json_object_get(runs, name);
        if (!list) { list = json_array(); json_object_set_new(runs, name, list); }
        json_array_append_new(list, run);
        const char *st = hb_jstr(run, "status", "");
        if (strcmp(st, "OK") != 0)
          fprintf(stderr, "%s%s %s rep %d: %s%s%s\n", tty ? "\r\033[K" : "", hb_jstr(cell, "id", ""), name,
                  r + 1, st, json_is_string(json_object_get(run, "signal")) ? " " : "",
                  hb_jstr(run, "signal", ""));
        hb_results_cell_stats(cell);
        if (hb_results_save(root, path) != 0) return -1;
      }
    }
  }
  json_object_set_new(root, "complete", json_true());
  if (hb_results_save(root, path) != 0) return -1;
  fmt_mmss(eta, sizeof eta, hb_now() - t0);
  fprintf(stderr, "%shakbench: %ld runs done in %s; results in %s\n", tty ? "\r\033[K" : "", done, eta, path);
  return 0;
}

/* ---- option handling -------------------------------------------------- */

static int check_binaries(json_t *cells)
{
  size_t i;
  json_t *c;
  int need_valgrind = 0;
  json_array_foreach(cells, i, c) {
    char *bin = hb_workload_path(hb_jstr(c, "workload", ""));
    if (access(bin, X_OK) != 0) {
      hb_err("workload binary %s for cell '%s' is missing or not executable (%s); run `make` first",
             bin, hb_jstr(c, "id", ""), strerror(errno));
      free(bin);
      return -1;
    }
    free(bin);
    need_valgrind |= strcmp(hb_jstr(c, "metric", ""), "instructions_per_op") == 0;
  }
  if (need_valgrind && access("/usr/bin/valgrind", X_OK) != 0) {
    hb_err("this suite has instructions_per_op cells, which need valgrind (apt-get install -y valgrind)");
    return -1;
  }
  return 0;
}

static int last_cpu(void)
{
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  int last = 0;
  for (int i = 0; i < CPU_SETSIZE; i++) if (CPU_ISSET(i, &set)) last = i;
  return last;
}

int hb_run_main(int argc, char **argv)
{
  static const struct option opts[] = {
    { "allocators", required_argument, 0, 'a' }, { "reps", required_argument, 0, 'r' },
    { "warmup", required_argument, 0, 'w' },     { "timeout", required_argument, 0, 't' },
    { "out", required_argument, 0, 'o' },        { "pin", no_argument, 0, 'p' },
    { "resume", required_argument, 0, 'R' },     { "dry-run", no_argument, 0, 'n' },
    { "help", no_argument, 0, 'h' },             { 0, 0, 0, 0 } };
  const char *allocs = NULL, *out = NULL, *resume = NULL;
  long reps = -1, warmup = -1;
  double timeout_s = -1;
  int pin = 0, dry = 0, o;
  char *command = join_command(argc, argv); /* before getopt permutes argv */
  optind = 1;
  opterr = 0;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'a': allocs = optarg; break;
    case 'r': if (!hb_parse_long(optarg, 1, 1000, &reps)) { hb_err("run: --reps needs a whole number 1..1000, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 'w': if (!hb_parse_long(optarg, 0, 1000, &warmup)) { hb_err("run: --warmup needs a whole number 0..1000, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 't': if (!hb_parse_double(optarg, 0.01, 86400, &timeout_s)) { hb_err("run: --timeout needs seconds > 0, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 'o': out = optarg; break;
    case 'p': pin = 1; break;
    case 'R': resume = optarg; break;
    case 'n': dry = 1; break;
    case 'h': fputs(run_usage, stdout); return 0;
    default:
      hb_err("run: unknown or incomplete option '%s'", argv[optind - 1]);
      fputs(run_usage, stderr);
      return HB_EXIT_USAGE;
    }
  }
  const char *suite_arg = optind < argc ? argv[optind++] : NULL;
  if (optind < argc) { hb_err("run: unexpected argument '%s'", argv[optind]); fputs(run_usage, stderr); return HB_EXIT_USAGE; }

  json_t *root;
  char *path;
  if (resume) {
    if (allocs || reps > 0 || warmup >= 0 || timeout_s > 0 || out || pin) {
      hb_err("run: --resume continues with the settings stored in results.json; drop the other options");
      return HB_EXIT_USAGE;
    }
    path = hb_results_path(resume);
    const char *want = NULL;
    hb_suite_t s;
    if (suite_arg) { /* name or file: compare by suite name */
      if (hb_suite_load(suite_arg, &s) != 0) return HB_EXIT_USAGE;
      want = s.name;
    }
    root = hb_results_load(path, want);
    if (!root) return HB_EXIT_USAGE;
    json_t *ctx = json_object_get(root, "context");
    pin = json_is_true(json_object_get(ctx, "pin"));
    char *cmd = hb_xstrdup(command);
    json_t *resumed = json_object_get(ctx, "resumed");
    if (!json_is_array(resumed)) { resumed = json_array(); json_object_set_new(ctx, "resumed", resumed); }
    json_array_append_new(resumed, json_string(cmd));
    free(cmd);
    char *slash = strrchr(path, '/');
    out = slash ? hb_xstrdup(path) : ".";
    if (slash) ((char *)out)[slash - path] = '\0';
    if (json_is_true(json_object_get(root, "complete"))) {
      fprintf(stderr, "hakbench: %s is already complete; nothing to resume\n", path);
      return 0;
    }
  } else {
    if (!suite_arg) { hb_err("run: which suite? (`hakbench list` shows them)"); fputs(run_usage, stderr); return HB_EXIT_USAGE; }
    hb_suite_t s;
    if (hb_suite_load(suite_arg, &s) != 0) return HB_EXIT_USAGE;
    hb_alloc_t *a;
    int na;
    if (hb_allocators_resolve(allocs, &a, &na) != 0) return HB_EXIT_USAGE;
    int r0 = reps > 0 ? (int)reps : s.reps, w0 = warmup >= 0 ? (int)warmup : s.warmup;
    double t0 = timeout_s > 0 ? timeout_s : s.timeout_s;
    root = json_pack("{s:s, s:i, s:s, s:b, s:o, s:o, s:[]}", "format", HB_RESULTS_FORMAT,
                     "version", HB_RESULTS_VERSION, "suite", s.name, "complete", 0,
                     "context", context_json(command, &s, r0, w0, t0, pin),
                     "allocators", allocators_json(a, na), "cells");
    for (int i = 0; i < s.ncells; i++) {
      const hb_cell_t *c = &s.cells[i];
      int cr = c->lower_better ? 1 : reps > 0 ? (int)reps : c->reps >= 0 ? c->reps : s.reps;
      int cw = c->lower_better ? 0 : warmup >= 0 ? (int)warmup : c->warmup >= 0 ? c->warmup : s.warmup;
      double ct = timeout_s > 0 ? timeout_s : c->timeout_s > 0 ? c->timeout_s : s.timeout_s;
      json_array_append_new(json_object_get(root, "cells"), cell_json(c, cr, cw, ct));
    }
    for (int i = 0; i < na; i++)
      if (!a[i].available)
        fprintf(stderr, "hakbench: %s is not installed (%s); skipping it%s%s%s\n", a[i].name,
                a[i].path ? a[i].path : "", a[i].package ? " (apt-get install -y " : "",
                a[i].package ? a[i].package : " (run `make`)", a[i].package ? ")" : "");
    if (!out) out = hb_sprintf("%s/results/%s", hb_root(), s.name);
    path = hb_sprintf("%s/results.json", out);
  }
  if (check_binaries(json_object_get(root, "cells")) != 0) return HB_EXIT_USAGE;
  if (dry) { plan_t p = { NULL, -1 }; return execute(root, path, &p) == 0 ? 0 : 1; }
  if (hb_mkdirs(out) != 0) { hb_err("cannot create %s: %s", out, strerror(errno)); return HB_EXIT_USAGE; }
  if (!resume && hb_exists(path)) fprintf(stderr, "hakbench: replacing %s\n", path);
  if (hb_results_save(root, path) != 0) return 1;

  struct sigaction sa = { .sa_handler = on_signal };
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  plan_t plan = { out, pin ? last_cpu() : -1 };
  return execute(root, path, &plan) == 0 ? 0 : 1;
}
