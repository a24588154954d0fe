/* bisect.c: `hakbench bisect`: the first commit between a good and a bad one
 * where a cell got worse. Each candidate commit is built in its own git
 * worktree; the cell runs with the candidate's allocator library and the
 * good commit's, interleaved (`hakbench run` with both as allocators), and
 * `git bisect run` calls `hakbench bisect --step` at each candidate, which
 * answers good (0), bad (1) or skip (125, the build failed).
 *
 * The verdict: the candidate's median against the good build's, as a
 * performance ratio (> 1: better); bad when it is below 1 - threshold. For
 * an instructions_per_op cell the counts are exact, so the verdict is
 * deterministic. Every step is logged to WORK/steps.tsv and printed at the
 * end. */
#include "hakbench.h"
#include "results.h"
#include "suite.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char bisect_usage[] =
  "usage: hakbench bisect --cell ID --good COMMIT --bad COMMIT [options]\n"
  "Find the first commit between GOOD and BAD where cell ID got worse than\n"
  "at GOOD by more than the threshold (git bisect run).\n"
  "  --suite NAME|FILE  the suite that defines the cell (default ci)\n"
  "  --repo DIR         the git repository to bisect (default this project)\n"
  "  --build CMD        how a worktree builds its library (default\n"
  "                     'make -s build/libhakmem.so')\n"
  "  --lib PATH         the library, relative to a worktree (default build/libhakmem.so)\n"
  "  --threshold PCT    worse by more than PCT %% is bad (default 5)\n"
  "  --reps N           interleaved repetitions per step (default the cell's)\n"
  "  --work DIR         scratch folder for worktrees and runs (default a new\n"
  "                     folder in $TMPDIR; removed at the end unless given)\n";

typedef struct b_opts_s {
  const char *cell, *good, *bad, *suite, *repo, *build, *lib, *work;
  double threshold;
  long reps;
} b_opts_t;

static int sh(const char *cmd)
{
  fflush(NULL);
  int rc = system(cmd);
  return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static char *q(const char *s) { hb_buf_t b = {0}; hb_buf_add_shell_word(&b, s); if (!b.s) b.s = hb_xstrdup("''"); return b.s; }

/* Build commit sha of repo in WORK/wt-SHA (once); the library path or NULL. */
static char *build_commit(const b_opts_t *o, const char *sha)
{
  char *dir = hb_sprintf("%s/wt-%.12s", o->work, sha), *lib = hb_sprintf("%s/%s", dir, o->lib);
  if (hb_exists(lib)) { free(dir); return lib; }
  char *qr = q(o->repo), *qd = q(dir), *qs = q(sha);
  char *cmd = hb_sprintf("git -C %s worktree add --detach %s %s >/dev/null 2>&1 && cd %s && (%s) >%s/build-%.12s.log 2>&1",
                         qr, qd, qs, qd, o->build, o->work, sha);
  int rc = sh(cmd);
  free(cmd); free(qr); free(qd); free(qs); free(dir);
  if (rc != 0 || !hb_exists(lib)) {
    hb_err("bisect: %.12s does not build (log: %s/build-%.12s.log)", sha, o->work, sha);
    free(lib);
    return NULL;
  }
  return lib;
}

/* Run the cell with the good and the candidate library, interleaved: the
 * candidate's performance ratio against good (> 1 better), medians out. */
static int measure(const b_opts_t *o, const char *sha, double *ratio, double *mgood, double *mcand)
{
  char *good = hb_sprintf("%s/wt-%.12s/%s", o->work, o->good, o->lib), *cand = build_commit(o, sha);
  if (!cand) { free(good); return -1; }
  char *out = hb_sprintf("%s/run-%.12s", o->work, sha), *suite = hb_sprintf("%s/cell.suite", o->work);
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  char *al = hb_sprintf("good=%s,candidate=%s", good, cand);
  char *qe = q(exe), *qsu = q(suite), *qa = q(al), *qo = q(out);
  char *reps = o->reps > 0 ? hb_sprintf(" --reps %ld", o->reps) : hb_xstrdup("");
  char *cmd = hb_sprintf("%s run %s --allocators %s --out %s --no-store%s >%s/log 2>&1 </dev/null", qe, qsu, qa, qo, reps, qo);
  hb_mkdirs(out);
  int rc = sh(cmd);
  free(cmd); free(qe); free(qsu); free(qa); free(qo); free(reps); free(al);
  int res = -1;
  char *path = hb_sprintf("%s/results.json", out);
  hb_results_t *r = rc == 0 ? hb_results_load(path, NULL, NULL) : NULL;
  if (!r || r->ncells != 1) hb_err("bisect: the run at %.12s failed (see %s/log)", sha, out);
  else {
    hb_cell_t *c = &r->cells[0];
    hb_series_t *g = hb_cell_series(c, "good"), *k = hb_cell_series(c, "candidate");
    if (!g || !k || g->stats.n == 0 || k->stats.n == 0 || g->stats.status != HB_OK || k->stats.status != HB_OK)
      hb_err("bisect: the cell did not run OK at %.12s (see %s/log)", sha, out);
    else {
      *mgood = g->stats.median;
      *mcand = k->stats.median;
      *ratio = c->lower_better ? *mgood / *mcand : *mcand / *mgood;
      res = 0;
    }
  }
  if (r) hb_results_free(r);
  free(path); free(out); free(suite); free(good); free(cand);
  return res;
}

static char *rev(const char *repo, const char *c)
{
  char *qr = q(repo), *qc = q(c);
  char *cmd = hb_sprintf("git -C %s rev-parse --verify -q %s^{commit} 2>/dev/null", qr, qc);
  char *sha = hb_capture(cmd);
  free(cmd); free(qr); free(qc);
  return sha;
}

/* The one-cell suite file the runs use. */
static int write_cell_suite(const b_opts_t *o)
{
  hb_suite_t s;
  if (hb_suite_load(o->suite, &s) != 0) return -1;
  const hb_cell_t *c = NULL;
  for (int i = 0; i < s.ncells; i++) if (strcmp(s.cells[i].id, o->cell) == 0) c = &s.cells[i];
  if (!c) { hb_err("bisect: suite %s has no cell '%s'", s.name, o->cell); return -1; }
  hb_buf_t b = {0};
  char *wl = strchr(c->workload, '/') ? hb_root_path(c->workload) : hb_xstrdup(c->workload);
  hb_buf_printf(&b, "reps %d\nwarmup %d\ntimeout %g\n", s.reps, s.warmup, s.timeout_s);
  hb_buf_printf(&b, "cell %s table=%s workload=%s metric=%s threads=%d", c->id, c->table, wl, c->metric, c->threads);
  if (c->reps > 0) hb_buf_printf(&b, " reps=%d", c->reps);
  if (c->warmup >= 0) hb_buf_printf(&b, " warmup=%d", c->warmup);
  hb_buf_add(&b, " --");
  for (int i = 0; i < c->nargs; i++) {
    hb_buf_add(&b, " \"");
    for (const char *p = c->args[i]; *p; p++) { if (*p == '"' || *p == '\\') hb_buf_add(&b, "\\"); hb_buf_addn(&b, p, 1); }
    hb_buf_add(&b, "\"");
  }
  hb_buf_add(&b, "\n");
  char *path = hb_sprintf("%s/cell.suite", o->work);
  int rc = hb_write_file_atomic(path, b.s, b.len);
  free(path); free(wl); hb_buf_free(&b);
  return rc;
}

static void log_step(const b_opts_t *o, const char *sha, double mg, double mc, double ratio, const char *verdict)
{
  char *path = hb_sprintf("%s/steps.tsv", o->work);
  FILE *f = fopen(path, "a");
  if (f) { fprintf(f, "%s\t%.6g\t%.6g\t%.4f\t%s\n", sha, mg, mc, ratio, verdict); fclose(f); }
  free(path);
}

/* `git bisect run` calls this in the bisect worktree: 0 good, 1 bad, 125 skip. */
static int step(const b_opts_t *o)
{
  char *sha = hb_capture("git rev-parse HEAD");
  if (!sha) return 128;
  double ratio, mg, mc;
  if (measure(o, sha, &ratio, &mg, &mc) != 0) { log_step(o, sha, 0, 0, 0, "skip"); return 125; }
  int bad = ratio < 1 - o->threshold / 100;
  log_step(o, sha, mg, mc, ratio, bad ? "bad" : "good");
  fprintf(stderr, "hakbench: bisect: %.12s: good build %.6g, this commit %.6g: %.1f %% of good -> %s\n", sha, mg, mc,
          100 * ratio, bad ? "bad" : "good");
  return bad;
}

int hb_bisect_main(int argc, char **argv)
{
  static const struct option lopts[] = {
    { "cell", required_argument, 0, 'c' }, { "good", required_argument, 0, 'g' }, { "bad", required_argument, 0, 'b' },
    { "suite", required_argument, 0, 's' }, { "repo", required_argument, 0, 'r' }, { "build", required_argument, 0, 'B' },
    { "lib", required_argument, 0, 'l' }, { "threshold", required_argument, 0, 't' }, { "reps", required_argument, 0, 'n' },
    { "work", required_argument, 0, 'w' }, { "step", no_argument, 0, 'S' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
  b_opts_t o = { .suite = "ci", .build = "make -s build/libhakmem.so", .lib = "build/libhakmem.so", .threshold = 5, .reps = -1 };
  int c, is_step = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
    switch (c) {
    case 'c': o.cell = optarg; break;
    case 'g': o.good = optarg; break;
    case 'b': o.bad = optarg; break;
    case 's': o.suite = optarg; break;
    case 'r': o.repo = optarg; break;
    case 'B': o.build = optarg; break;
    case 'l': o.lib = optarg; break;
    case 'w': o.work = optarg; break;
    case 'S': is_step = 1; break;
    case 't': if (!hb_parse_double(optarg, 0.01, 1000, &o.threshold)) { hb_err("bisect: --threshold needs a percentage > 0, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 'n': if (!hb_parse_long(optarg, 1, 1000, &o.reps)) { hb_err("bisect: --reps needs 1..1000, got '%s'", optarg); return HB_EXIT_USAGE; } break;
    case 'h': fputs(bisect_usage, stdout); return 0;
    default: hb_err("bisect: unknown or incomplete option '%s'", argv[optind - 1]); fputs(bisect_usage, stderr); return HB_EXIT_USAGE;
    }
  }
  if (optind < argc) { hb_err("bisect: unexpected argument '%s'", argv[optind]); return HB_EXIT_USAGE; }
  if (!o.cell || !o.good || !o.bad) { hb_err("bisect: --cell, --good and --bad are required"); fputs(bisect_usage, stderr); return HB_EXIT_USAGE; }
  if (is_step) return step(&o);

  char repo[PATH_MAX];
  if (!realpath(o.repo ? o.repo : hb_root(), repo)) { hb_err("bisect: no repository %s", o.repo ? o.repo : hb_root()); return HB_EXIT_USAGE; }
  o.repo = repo;
  char *good = rev(repo, o.good), *bad = rev(repo, o.bad);
  if (!good || !bad) { hb_err("bisect: %s is not a commit of %s", !good ? o.good : o.bad, repo); return HB_EXIT_USAGE; }
  int own_work = !o.work;
  char work[PATH_MAX];
  if (o.work) { if (hb_mkdirs(o.work) != 0 || !realpath(o.work, work)) { hb_err("bisect: cannot create %s", o.work); return HB_EXIT_USAGE; } }
  else {
    const char *t = getenv("TMPDIR");
    snprintf(work, sizeof work, "%s/hakbench-bisect.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(work)) { hb_err("bisect: cannot create a scratch folder: %s", strerror(errno)); return HB_EXIT_USAGE; }
  }
  o.work = work;
  if (write_cell_suite(&o) != 0) return HB_EXIT_USAGE;
  o.good = good;
  unlink(hb_sprintf("%s/steps.tsv", work));
  int rc = HB_EXIT_FAIL;
  char *qr = q(repo), *bwt = hb_sprintf("%s/bisect", work), *qb = q(bwt);
  fprintf(stderr, "hakbench: bisect: cell %s, good %.12s, bad %.12s, threshold %g %%, work in %s\n", o.cell, good, bad, o.threshold, work);
  if (!build_commit(&o, good)) goto out;
  double ratio, mg, mc;
  if (measure(&o, bad, &ratio, &mg, &mc) != 0) goto out;
  log_step(&o, bad, mg, mc, ratio, ratio < 1 - o.threshold / 100 ? "bad" : "good");
  if (ratio >= 1 - o.threshold / 100) {
    hb_err("bisect: %.12s is not worse than %.12s beyond %g %% (%.6g vs %.6g: %.1f %%): nothing to bisect", bad, good,
           o.threshold, mc, mg, 100 * ratio);
    rc = HB_EXIT_USAGE;
    goto out;
  }
  {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    hb_buf_t cmd = {0};
    hb_buf_printf(&cmd, "git -C %s worktree add --detach %s %s >/dev/null 2>&1 && cd %s && git bisect start %s %s >/dev/null && git bisect run ",
                  qr, qb, bad, qb, bad, good);
    const char *args[] = { exe, "bisect", "--step", "--cell", o.cell, "--good", good, "--bad", bad, "--repo", repo,
                           "--build", o.build, "--lib", o.lib, "--work", work };
    for (size_t i = 0; i < sizeof args / sizeof *args; i++) { hb_buf_add_shell_word(&cmd, args[i]); hb_buf_add(&cmd, " "); }
    char th[32];
    snprintf(th, sizeof th, "%g", o.threshold);
    hb_buf_printf(&cmd, "--threshold %s", th);
    if (o.reps > 0) hb_buf_printf(&cmd, " --reps %ld", o.reps);
    hb_buf_printf(&cmd, " >%s/bisect.log 2>&1", work);
    int brc = sh(cmd.s);
    hb_buf_free(&cmd);
    char *c2 = hb_sprintf("git -C %s rev-parse refs/bisect/bad 2>/dev/null", qb);
    char *first = brc == 0 ? hb_capture(c2) : NULL;
    free(c2);
    if (!first) { hb_err("bisect: git bisect run failed (log: %s/bisect.log)", work); goto out; }
    char *c3 = hb_sprintf("git -C %s log -1 --format='%%h %%s' %s", qr, first);
    char *subject = hb_capture(c3);
    free(c3);
    printf("first bad commit: %s\n  %s\n\nsteps (cell %s; performance of the commit as %% of %.12s, bad below %g %%):\n\n",
           first, subject ? subject : "", o.cell, good, 100 - o.threshold);
    printf("| commit | good build | this commit | %% of good | verdict |\n|---|---:|---:|---:|---|\n");
    char *sp = hb_sprintf("%s/steps.tsv", work);
    FILE *f = fopen(sp, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
      char s1[64], v[16];
      double a, b2, r2;
      if (sscanf(line, "%63s %lf %lf %lf %15s", s1, &a, &b2, &r2, v) == 5)
        printf("| %.12s | %.6g | %.6g | %.1f %% | %s |\n", s1, a, b2, 100 * r2, v);
    }
    if (f) fclose(f);
    rc = 0;
  }
out:
  {
    char *cmd = hb_sprintf("(cd %s 2>/dev/null && git bisect reset >/dev/null 2>&1); for d in %s/wt-* %s; do [ -d \"$d\" ] && git -C %s worktree remove --force \"$d\" >/dev/null 2>&1; done; git -C %s worktree prune",
                           qb, work, qb, qr, qr);
    sh(cmd);
    free(cmd);
    if (own_work && rc == 0) { char *qw = q(work); char *rm = hb_sprintf("rm -rf %s", qw); sh(rm); free(rm); free(qw); }
  }
  return rc;
}
