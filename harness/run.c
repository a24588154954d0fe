/* run.c: `hakbench run`: execute a suite against the allocators, writing
 * results.json after every run (so an interrupted run keeps its work). */
#include "allocators.h"
#include "checks.h"
#include "child.h"
#include "hakbench.h"
#include "program.h"
#include "stats.h"
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
  "  --min-time S       auto-repetition: a cell whose runs are short gets more rounds,\n"
  "                     until each allocator has about S seconds of runs (at most the\n"
  "                     suite's max, default 30 repetitions); 0 turns it off\n"
  "                     (default: the suite's min_time, else off)\n"
  "  --out DIR          run folder (default results/SUITE)\n"
  "  --pin              pin single-threaded runs to one CPU\n"
  "  --resume DIR       continue the interrupted run in DIR, skipping finished runs\n"
  "  --dry-run          print the plan and the time estimate, run nothing\n"
  "  --store PATH|URL   record the finished run there (default $HAKBENCH_STORE,\n"
  "                     else results/history.sqlite; see `hakbench history`)\n"
  "  --no-store         do not record the run in the store\n"
  "  -h, --help         this text\n";

static void on_signal(int sig)
{
  (void)sig;
  if (hb_child_current > 0) kill(-hb_child_current, SIGKILL); /* it has its own group */
  if (hb_server_current > 0) kill(-hb_server_current, SIGKILL); /* a program cell's server */
  static const char msg[] = "\nhakbench: interrupted; finished runs are in results.json (resume with --resume)\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(130);
}

/* The run's start, UTC, to the millisecond: with the machine, suite and
 * commit it identifies the run in the results store, so two runs started in
 * the same second stay two runs. */
static char *iso_date(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%03ldZ", ts.tv_nsec / 1000000);
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

static void fill_context(hb_context_t *x, const char *command, const hb_suite_t *s, int reps, int warmup,
                         double timeout_s, int pin)
{
  struct utsname u;
  uname(&u);
  char *cmd = hb_sprintf("git -C '%s' rev-parse HEAD 2>/dev/null", hb_root());
  x->git_commit = hb_capture(cmd);
  free(cmd);
  /* Generated files (results/, plots/) do not make the code dirty: ./run_all.sh
   * rewrites the committed phase7 report before it runs the next suite. */
  cmd = hb_sprintf("git -C '%s' status --porcelain --untracked-files=no -- . ':!results' ':!plots' 2>/dev/null", hb_root());
  char *dirty = hb_capture(cmd);
  free(cmd);
  x->git_dirty = dirty != NULL;
  free(dirty);
  x->date = iso_date();
  x->cpu_model = cpu_model();
  x->cores = sysconf(_SC_NPROCESSORS_ONLN);
  x->kernel = hb_xstrdup(u.release);
  x->glibc = hb_xstrdup(gnu_get_libc_version());
  x->build_flags = hb_xstrdup(HB_BUILD_FLAGS);
  x->command = hb_xstrdup(command);
  x->reps = reps;
  x->warmup = warmup;
  x->timeout_s = timeout_s;
  x->pin = pin;
  x->min_time_s = s->min_time_s;
  x->max_reps = s->max_reps;
  x->suite_file = hb_xstrdup(s->path);
  x->description = s->description ? hb_xstrdup(s->description) : NULL;
  x->has_load_start = hb_loadavg(x->load_start) == 0;
}

/* ---- one run ---------------------------------------------------------- */

typedef struct plan_s {
  const char     *out_dir;
  int             pin_cpu;  /* -1: no pinning */
  hb_prog_cell_t *prog;     /* per cell: program cells' work folders */
} plan_t;

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

/* Run one process and classify it (rep is left for the caller). */
static hb_run_t run_process(char **argv, const hb_alloc_t *alloc, double timeout_s, int pin_cpu, const char *rep)
{
  hb_child_t c = { .argv = argv, .preload = alloc->path, .pin_cpu = pin_cpu, .timeout_s = timeout_s, .rep = rep };
  hb_run_t run;
  hb_run_init(&run);
  run.command = command_string(alloc->path, argv);
  int rc = hb_child_run(&c);
  if (rc != 0) {
    run.status = HB_ERROR;
    run.stderr_tail = hb_xstrdup(strerror(errno));
    return run;
  }
  run.status = HB_OK;
  if (c.timed_out) run.status = HB_TIMEOUT;
  else if (c.signal) run.status = HB_CRASH;
  else if (c.exit_code == 3) run.status = HB_CORRUPTION;
  else if (c.exit_code != 0) run.status = HB_ERROR;
  else if (hb_output_parse(c.last_line, &run.output) != 0) {
    run.status = HB_ERROR;
    free(c.stderr_tail);
    c.stderr_tail = hb_sprintf("hakbench: the workload's last stdout line is not a JSON object: %.200s", c.last_line);
  } else {
    const char *got = run.output.allocator ? run.output.allocator : "";
    const char *want = alloc->expect ? alloc->expect : "", *alt = alloc->expect2 ? alloc->expect2 : "";
    if (strcmp(got, want) != 0 && (!*alt || strcmp(got, alt) != 0)) {
      run.status = HB_INVALID;
      free(c.stderr_tail);
      c.stderr_tail = hb_sprintf("hakbench: malloc was served by '%s', not '%s'", got, want);
    }
  }
  hb_child_to_run(&c, &run);
  run.stderr_tail = c.stderr_tail ? hb_xstrdup(c.stderr_tail) : NULL;
  hb_child_free(&c);
  return run;
}

static hb_run_t run_plain(const hb_cell_t *cell, const hb_alloc_t *alloc, const plan_t *p, const char *rep)
{
  char *bin = hb_workload_path(cell->workload);
  char **argv = hb_cell_argv(cell, NULL, 0, bin, NULL, 0);
  hb_run_t run = run_process(argv, alloc, cell->timeout_s, cell->threads == 1 ? p->pin_cpu : -1, rep);
  hb_argv_free(argv);
  free(bin);
  if (run.status == HB_OK) {
    if (!isfinite(run.output.ops_per_sec)) {
      run.status = HB_ERROR;
      free(run.stderr_tail);
      run.stderr_tail = hb_xstrdup("hakbench: the workload's JSON has no numeric \"ops_per_sec\"");
    } else {
      run.value = run.output.ops_per_sec;
    }
  }
  run.seconds = run.output.seconds;
  run.ops = run.output.ops;
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
static hb_run_t run_cachegrind(const hb_cell_t *cell, const hb_alloc_t *alloc, const plan_t *p, const char *rep)
{
  char *bin = hb_workload_path(cell->workload);
  long n = 0;
  hb_cell_arg_long(cell, "--iters", 1, 1L << 40, &n);   /* the suite parser checked it */
  hb_run_t runs[2];
  int nruns = 0;
  double ir[2] = { -1, -1 };
  hb_buf_t cmds = {0};
  for (int k = 0; k < 2; k++) {
    char *iters = hb_sprintf("%ld", n * (k + 1));
    char *cgout = hb_sprintf("%s/.cachegrind.%d.%d.out", p->out_dir, (int)getpid(), k);
    char *cgopt = hb_sprintf("--cachegrind-out-file=%s", cgout);
    const char *prefix[] = { "/usr/bin/valgrind", "--tool=cachegrind", "--cache-sim=no", cgopt };
    const hb_arg_set_t set[] = { { "--iters", iters }, { "--warmup", "0" } };
    char **argv = hb_cell_argv(cell, prefix, 4, bin, set, 2);
    runs[nruns] = run_process(argv, alloc, cell->timeout_s, -1, rep);
    if (k) hb_buf_add(&cmds, " ; ");
    hb_buf_add(&cmds, runs[nruns].command);
    ir[k] = cachegrind_ir(cgout);
    unlink(cgout);
    hb_argv_free(argv);
    free(cgopt); free(cgout); free(iters);
    if (runs[nruns++].status != HB_OK) break;
  }
  free(bin);
  int both_ok = nruns == 2;
  double ops1 = runs[0].output.ops, ops2 = both_ok ? runs[1].output.ops : NAN;
  hb_run_t run = runs[nruns - 1];
  if (both_ok) hb_run_free(&runs[0]);
  free(run.command);
  run.command = cmds.s;
  if (run.status == HB_OK) {
    if (ir[0] < 0 || ir[1] < 0 || !(ops2 > ops1)) {
      run.status = HB_ERROR;
      free(run.stderr_tail);
      run.stderr_tail = hb_xstrdup("hakbench: no cachegrind summary, or ops did not grow with --iters");
    } else {
      run.value = (ir[1] - ir[0]) / (ops2 - ops1);
      run.has_instructions = 1;
      run.instructions[0] = ir[0];
      run.instructions[1] = ir[1];
      run.ops = ops2 - ops1;
    }
  }
  return run;
}

/* Progress of the run, for the ETA line. */
typedef struct progress_s {
  long   done, total;
  double t0, est_done, est_total;
  int    tty;
} progress_t;

static int count_done(const hb_cell_t *cell, const char *alloc, int rep);
static void fmt_mmss(char *buf, size_t n, double s);

/* Rounds [from, to) of cell ci (negative: warm-ups), allocators
 * interleaved within each round; runs already in the results are skipped. */
static int run_rounds(hb_results_t *res, const char *path, const plan_t *plan, int ci, int from, int to,
                      progress_t *g)
{
  hb_cell_t *cell = &res->cells[ci];
  double e = hb_cell_estimate_s(cell);
  char eta[32];
  for (int r = from; r < to; r++) {
    for (int ai = 0; ai < res->nallocs; ai++) {
      const hb_alloc_t *alloc = &res->allocs[ai];
      const char *name = alloc->name;
      if (!alloc->available) continue;
      int todo = 0;
      for (int k = from < 0 ? 0 : from; k < to; k++) todo += !count_done(cell, name, k);
      if (!todo || (r >= 0 && count_done(cell, name, r))) continue;
      g->done++;
      double el = hb_now() - g->t0;
      double left = g->est_done > 0 ? (g->est_total - g->est_done) * el / g->est_done : g->est_total - g->est_done;
      fmt_mmss(eta, sizeof eta, left);
      if (r < 0)
        fprintf(stderr, "%s[%ld/%ld] %s %s warm-up  ETA %s%s", g->tty ? "\r" : "", g->done, g->total,
                cell->id, name, eta, g->tty ? "\033[K" : "\n");
      else
        fprintf(stderr, "%s[%ld/%ld] %s %s rep %d/%d  ETA %s%s", g->tty ? "\r" : "", g->done, g->total,
                cell->id, name, r + 1, to, eta, g->tty ? "\033[K" : "\n");
      char rep[32] = "warmup";
      if (r >= 0) snprintf(rep, sizeof rep, "%d", r + 1);
      hb_run_t run = cell->program      ? hb_program_run(cell, &plan->prog[ci], alloc, rep)
                     : cell->check      ? hb_check_run(cell, alloc, rep)
                     : cell->cachegrind ? run_cachegrind(cell, alloc, plan, rep)
                                        : run_plain(cell, alloc, plan, rep);
      g->est_done += e;
      if (r < 0) { hb_run_free(&run); continue; } /* warm-up: not counted */
      run.rep = r;
      if (run.status != HB_OK)
        fprintf(stderr, "%s%s %s rep %d: %s%s%s\n", g->tty ? "\r\033[K" : "", cell->id, name,
                r + 1, cell->check ? hb_outcome_name(run.outcome) : hb_status_name(run.status),
                run.signal ? " " : "", run.signal ? run.signal : "");
      hb_cell_add_run(cell, name, &run);
      if (hb_results_save(res, path) != 0) return -1;
    }
  }
  return 0;
}

/* The repetitions a cell should get under auto-repetition: enough for
 * min_time_s of runs per allocator at the median run's wall time, at most
 * max_reps; its current count when that is already enough, when it is off
 * or the cell is measured by cachegrind. */
static int more_reps(const hb_results_t *res, const hb_cell_t *cell)
{
  const hb_context_t *x = &res->ctx;
  /* exact counts and check outcomes are not timings: never more rounds */
  if (!(x->min_time_s > 0) || cell->cachegrind || cell->check || cell->reps >= x->max_reps) return cell->reps;
  size_t n = 0;
  for (int i = 0; i < cell->nseries; i++) n += (size_t)cell->series[i].nruns;
  double *w = hb_xmalloc(sizeof(double) * (n + 1));
  n = 0;
  for (int i = 0; i < cell->nseries; i++)
    for (int k = 0; k < cell->series[i].nruns; k++) {
      const hb_run_t *run = &cell->series[i].runs[k];
      if (run->status == HB_OK && isfinite(run->wall_s) && run->wall_s > 0) w[n++] = run->wall_s;
    }
  double med = n ? hb_median(w, n) : NAN;
  free(w);
  if (!(med > 0)) return cell->reps;
  double want = ceil(x->min_time_s / med);
  return want > x->max_reps ? (int)x->max_reps : want > cell->reps ? (int)want : cell->reps;
}

/* ---- the loop --------------------------------------------------------- */

static int count_done(const hb_cell_t *cell, const char *alloc, int rep)
{
  return hb_series_run(hb_cell_series(cell, alloc), rep) != NULL;
}

static void fmt_mmss(char *buf, size_t n, double s)
{
  if (!(s >= 0)) s = 0;
  long t = (long)(s + 0.5);
  snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static int execute(hb_results_t *res, const char *path, const plan_t *plan)
{
  /* Plan: count runs still to do and estimate them. */
  long total = 0;
  double est_total = 0;
  for (int ci = 0; ci < res->ncells; ci++) {
    const hb_cell_t *cell = &res->cells[ci];
    double e = hb_cell_estimate_s(cell);
    for (int ai = 0; ai < res->nallocs; ai++) {
      if (!res->allocs[ai].available) continue;
      int todo = 0;
      for (int r = 0; r < cell->reps; r++) todo += !count_done(cell, res->allocs[ai].name, r);
      if (todo) todo += cell->warmup;
      total += todo;
      est_total += todo * e;
    }
  }
  char eta[32];
  fmt_mmss(eta, sizeof eta, est_total);
  fprintf(stderr, "hakbench: %ld runs to do, estimated %s (mm:ss)\n", total, eta);
  if (plan->out_dir == NULL) return 0; /* dry run */

  int tty = isatty(2);
  progress_t prog = { 0, total, hb_now(), 0, est_total, tty };
  int avail = 0;
  for (int ai = 0; ai < res->nallocs; ai++) avail += res->allocs[ai].available;
  for (int ci = 0; ci < res->ncells; ci++) {
    hb_cell_t *cell = &res->cells[ci];
    int reps = cell->reps;
    if (cell->program) {
      int todo = 0;
      for (int ai = 0; ai < res->nallocs; ai++)
        for (int k = 0; res->allocs[ai].available && k < reps; k++) todo += !count_done(cell, res->allocs[ai].name, k);
      if (todo) {
        hb_program_prepare(cell, &plan->prog[ci], plan->out_dir);
        if (plan->prog[ci].error) fprintf(stderr, "%s%s: %s\n", tty ? "\r\033[K" : "", cell->id, plan->prog[ci].error);
        if (hb_results_save(res, path) != 0) return -1;  /* the reference digest */
      }
    }
    if (run_rounds(res, path, plan, ci, -cell->warmup, cell->reps, &prog) != 0) return -1;
    /* Auto-repetition: a short cell gets more interleaved rounds (no
     * second warm-up) until each allocator has about min_time_s of runs. */
    int want = more_reps(res, cell);
    if (want > cell->reps) {
      int from = cell->reps;
      cell->reps = want;
      if (hb_results_save(res, path) != 0) return -1;
      prog.total += (long)(want - from) * avail;
      prog.est_total += (want - from) * avail * hb_cell_estimate_s(cell);
      if (run_rounds(res, path, plan, ci, from, want, &prog) != 0) return -1;
    }
  }
  for (int ci = 0; ci < res->ncells; ci++) hb_program_cleanup(&plan->prog[ci]);
  char *work = hb_sprintf("%s/work", plan->out_dir);
  rmdir(work);  /* only when empty */
  free(work);
  res->complete = 1;
  res->ctx.has_load_end = hb_loadavg(res->ctx.load_end) == 0;
  if (hb_results_save(res, path) != 0) return -1;
  fmt_mmss(eta, sizeof eta, hb_now() - prog.t0);
  fprintf(stderr, "%shakbench: %ld runs done in %s; results in %s\n", tty ? "\r\033[K" : "", prog.done, eta, path);
  return 0;
}

/* ---- option handling -------------------------------------------------- */

static int check_binaries(const hb_results_t *res)
{
  int need_valgrind = 0, programs = 0;
  for (int i = 0; i < res->ncells; i++) {
    const hb_cell_t *c = &res->cells[i];
    if (c->program) { programs++; continue; } /* a missing program is that cell's ERROR */
    char *bin = c->check ? hb_check_path(c->workload) : hb_workload_path(c->workload);
    if (access(bin, X_OK) != 0) {
      hb_err("%s binary %s for cell '%s' is missing or not executable (%s); run `make` first",
             c->check ? "check program" : "workload", bin, c->id, strerror(errno));
      free(bin);
      return -1;
    }
    free(bin);
    need_valgrind |= c->cachegrind;
  }
  char *ident = hb_root_path("build/hb-identify.so");
  int have_ident = access(ident, R_OK) == 0;
  free(ident);
  if (programs && !have_ident) {
    hb_err("this suite has program cells, which need build/hb-identify.so; run `make` first");
    return -1;
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
    { "store", required_argument, 0, 'S' },      { "no-store", no_argument, 0, 'N' },
    { "min-time", required_argument, 0, 'm' },
    { "help", no_argument, 0, 'h' },             { 0, 0, 0, 0 } };
  const char *allocs = NULL, *out = NULL, *resume = NULL, *store = NULL;
  int no_store = 0;
  long reps = -1, warmup = -1;
  double timeout_s = -1, min_time = -1;
  int pin = 0, dry = 0, o;
  char *command = join_command(argc, argv); /* before getopt permutes argv */
  /* Test hook (tests/harness/test_peak_rss.sh): hold and touch this many MiB,
   * so that a run's peak RSS is seen not to include the runner's. */
  const char *hold = getenv("HAKBENCH_TEST_HOLD_MIB");
  if (hold && atol(hold) > 0) memset(hb_xmalloc((size_t)atol(hold) << 20), 1, (size_t)atol(hold) << 20);
  optind = 1;
  opterr = 0;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'a': allocs = optarg; break;
    case 'r': if (!hb_parse_long(optarg, 1, 1000, &reps)) { hb_err("run: --reps needs a whole number 1..1000, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 'w': if (!hb_parse_long(optarg, 0, 1000, &warmup)) { hb_err("run: --warmup needs a whole number 0..1000, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 't': if (!hb_parse_double(optarg, 0.01, 86400, &timeout_s)) { hb_err("run: --timeout needs seconds > 0, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 'm': if (!hb_parse_double(optarg, 0, 3600, &min_time)) { hb_err("run: --min-time needs seconds >= 0, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 'o': out = optarg; break;
    case 'p': pin = 1; break;
    case 'R': resume = optarg; break;
    case 'n': dry = 1; break;
    case 'S': store = optarg; break;
    case 'N': no_store = 1; break;
    case 'h': fputs(run_usage, stdout); return 0;
    default:
      hb_err("run: unknown or incomplete option '%s'", argv[optind - 1]);
      fputs(run_usage, stderr);
      return HB_EXIT_USAGE;
    }
  }
  const char *suite_arg = optind < argc ? argv[optind++] : NULL;
  if (optind < argc) { hb_err("run: unexpected argument '%s'", argv[optind]); fputs(run_usage, stderr); return HB_EXIT_USAGE; }

  hb_results_t *res;
  char *path;
  if (resume) {
    if (allocs || reps > 0 || warmup >= 0 || timeout_s > 0 || out || pin || min_time >= 0) {
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
    res = hb_results_load(path, NULL, want);
    if (!res) return HB_EXIT_USAGE;
    pin = res->ctx.pin;
    hb_context_t *x = &res->ctx;
    x->resumed = hb_xrealloc(x->resumed, sizeof(char *) * (size_t)(x->nresumed + 1));
    x->resumed[x->nresumed++] = hb_xstrdup(command);
    char *slash = strrchr(path, '/');
    out = slash ? hb_xstrdup(path) : ".";
    if (slash) ((char *)out)[slash - path] = '\0';
    if (res->complete) {
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
    res = hb_xmalloc(sizeof *res);
    memset(res, 0, sizeof *res);
    res->suite = hb_xstrdup(s.name);
    fill_context(&res->ctx, command, &s, r0, w0, t0, pin);
    if (min_time >= 0) {
      res->ctx.min_time_s = min_time;
      if (res->ctx.max_reps <= 0) res->ctx.max_reps = 30;
    }
    res->allocs = a;
    res->nallocs = na;
    res->cells = s.cells;    /* taken over from the suite */
    res->ncells = s.ncells;
    for (int i = 0; i < s.ncells; i++) {
      hb_cell_t *c = &res->cells[i];
      /* cachegrind counts are exact: one run, no warm-up (suite.c set them) */
      if (!c->cachegrind) {
        c->reps = reps > 0 ? (int)reps : c->reps >= 0 ? c->reps : s.reps;
        c->warmup = warmup >= 0 ? (int)warmup : c->warmup >= 0 ? c->warmup : s.warmup;
      }
      if (c->check) c->warmup = 0;  /* outcomes, not timings (suite.c) */
      c->timeout_s = timeout_s > 0 ? timeout_s : c->timeout_s > 0 ? c->timeout_s : s.timeout_s;
    }
    for (int i = 0; i < na; i++)
      if (!a[i].available)
        fprintf(stderr, "hakbench: %s is not installed (%s); skipping it%s%s%s\n", a[i].name,
                a[i].path ? a[i].path : "", a[i].package ? " (apt-get install -y " : "",
                a[i].package ? a[i].package : " (run `make`)", a[i].package ? ")" : "");
    if (!out) out = hb_sprintf("%s/results/%s", hb_root(), s.name);
    path = hb_sprintf("%s/results.json", out);
  }
  if (check_binaries(res) != 0) return HB_EXIT_USAGE;
  if (dry) { plan_t p = { NULL, -1, NULL }; return execute(res, path, &p) == 0 ? 0 : 1; }
  if (!no_store && hb_history_check_store(store) != 0) return HB_EXIT_USAGE;  /* before, not after the run */
  if (hb_mkdirs(out) != 0) { hb_err("cannot create %s: %s", out, strerror(errno)); return HB_EXIT_USAGE; }
  if (!resume && hb_exists(path)) fprintf(stderr, "hakbench: replacing %s\n", path);
  if (hb_results_save(res, path) != 0) return 1;

  struct sigaction sa = { .sa_handler = on_signal };
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  plan_t plan = { out, pin ? last_cpu() : -1, hb_xmalloc(sizeof(hb_prog_cell_t) * (size_t)(res->ncells + 1)) };
  memset(plan.prog, 0, sizeof(hb_prog_cell_t) * (size_t)(res->ncells + 1));
  if (execute(res, path, &plan) != 0) return 1;
  return no_store || hb_history_record_run(path, store) == 0 ? 0 : 1;
}
