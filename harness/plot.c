/* plot.c: `hakbench plot`: run harness/plot.py with a Python that has
 * matplotlib (the first python3 on PATH may not). */
#include "hakbench.h"
#include "results.h"
#include "util.h"

#include "layout.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char plot_usage[] =
  "usage: hakbench plot DIR [--plots PLOTDIR]\n"
  "Draw the charts of DIR/results.json (or a results file) as PNG files in\n"
  "PLOTDIR (default plots/SUITE/ for results/SUITE, else DIR/plots/).\n"
  "Needs a python3 with matplotlib (apt-get install -y python3-matplotlib);\n"
  "exits 3 when there is none.\n";

char *hb_default_plots_dir(const char *run_dir, const char *suite)
{
  char real[PATH_MAX], want[PATH_MAX];
  char *std = hb_sprintf("%s/results/%s", hb_root(), suite);
  int is_std = realpath(run_dir, real) && realpath(std, want) && strcmp(real, want) == 0;
  free(std);
  if (is_std) return hb_sprintf("%s/plots/%s", hb_root(), suite);
  return hb_sprintf("%s/plots", run_dir);
}

/* A python that imports matplotlib, or NULL. */
static const char *find_python(void)
{
  static const char *cands[] = { "/usr/bin/python3", "python3", NULL };
  for (int i = 0; cands[i]; i++) {
    char *cmd = hb_sprintf("%s -c 'import matplotlib' >/dev/null 2>&1", cands[i]);
    int rc = system(cmd);
    free(cmd);
    if (rc == 0) return cands[i];
  }
  return NULL;
}

/* The chart plan plot.py draws: one "chart FILE KIND TITLE" line per PNG,
 * each followed by its "panel TITLE CELL-ID..." lines; fields separated by
 * tabs (cell ids and titles have none). */
static void plan_panel(hb_buf_t *b, const hb_results_t *r, const char *title, const char *table,
                       const char *remote)
{
  hb_buf_t ids = {0};
  for (int i = 0; i < r->ncells; i++) {
    const hb_cell_t *c = &r->cells[i];
    if (strcmp(c->table, table) != 0) continue;
    if (remote) {
      const char *v = hb_cell_arg(c, "--remote");
      if (strcmp(v ? v : "50", remote) != 0) continue;
    }
    hb_buf_printf(&ids, "\t%s", c->id);
  }
  if (ids.s) hb_buf_printf(b, "panel\t%s%s\n", title, ids.s);
  hb_buf_free(&ids);
}

static int cmp_long(const void *a, const void *b)
{
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

static char *chart_plan(const hb_results_t *r)
{
  hb_buf_t b = {0};
  for (const hb_layout_t *l = hb_layout; l->table; l++) {
    if (!l->chart || l->panel) continue;            /* one chart per table: bars per size */
    const hb_cell_t *c0 = NULL;
    for (int i = 0; i < r->ncells && !c0; i++) if (strcmp(r->cells[i].table, l->table) == 0) c0 = &r->cells[i];
    if (!c0) continue;
    char n[32];
    hb_fmt_count(n, sizeof n, hb_cell_arg(c0, "--iters"));
    hb_buf_printf(&b, "chart\t%s\tsize_bars\trandom mixed, %s ops per run\n", l->chart, n);
    plan_panel(&b, r, "throughput relative to system (median, bars: min-max)", l->table, NULL);
  }
  static const struct { const char *file, *title; } tc[] = {
    { "larson.png", "Larson" }, { "contention.png", "Remote frees and false sharing" } };
  for (int k = 0; k < 2; k++) {
    hb_buf_printf(&b, "chart\t%s\tthreads\t%s\n", tc[k].file, tc[k].title);
    for (const hb_layout_t *l = hb_layout; l->table; l++) {
      if (!l->chart || strcmp(l->chart, tc[k].file) != 0 || !l->panel) continue;
      if (!strstr(l->panel, "%s")) { plan_panel(&b, r, l->panel, l->table, NULL); continue; }
      /* one panel per --remote share (default 50), in increasing order */
      long *v = hb_xmalloc(sizeof(long) * (size_t)(r->ncells + 1));
      int nv = 0;
      for (int i = 0; i < r->ncells; i++) {
        long x;
        if (strcmp(r->cells[i].table, l->table) != 0) continue;
        if (!hb_cell_arg_long(&r->cells[i], "--remote", 0, 100, &x)) x = 50;
        int seen = 0;
        for (int j = 0; j < nv; j++) seen |= v[j] == x;
        if (!seen) v[nv++] = x;
      }
      qsort(v, (size_t)nv, sizeof *v, cmp_long);
      for (int j = 0; j < nv; j++) {
        char val[32];
        snprintf(val, sizeof val, "%ld", v[j]);
        char *title = hb_sprintf(l->panel, val);
        plan_panel(&b, r, title, l->table, val);
        free(title);
      }
      free(v);
    }
  }
  /* Tables outside the layout (program cells, or a suite of such tables:
   * apps, patterns): time relative to glibc, one group of bars per cell. */
  int tables_only = r->ncells > 0;
  for (int i = 0; i < r->ncells; i++) tables_only &= !hb_layout_of(r->cells[i].table) && r->cells[i].check == HB_CHECK_NONE;
  for (int i = 0; i < r->ncells; i++) {
    const hb_cell_t *c = &r->cells[i];
    int seen = 0;
    for (int j = 0; j < i; j++) seen |= strcmp(r->cells[j].table, c->table) == 0;
    if (seen || !(c->program || tables_only) || hb_layout_of(c->table) || c->check != HB_CHECK_NONE) continue;
    hb_buf_printf(&b, "chart\t%s.png\tnormalized\t%s: time relative to glibc (lower is better)\n", c->table, c->table);
    plan_panel(&b, r, "median; bars: IQR of the runs; throughput as time (system/value)",
               c->table, NULL);
  }
  /* Peak RSS: one group per table, cachegrind cells left out (their RSS is
   * valgrind's); for a suite of tables outside the layout, one per cell. */
  hb_buf_printf(&b, "chart\tpeak_rss.png\tpeak_rss\tpeak RSS per %s\n", tables_only ? "cell" : "workload group");
  for (int i = 0; i < r->ncells && tables_only; i++)
    if (!r->cells[i].cachegrind && !strchr(r->cells[i].label, '\t'))
      hb_buf_printf(&b, "panel\t%s\t%s\n", r->cells[i].label, r->cells[i].id);
  for (int i = 0; i < r->ncells && !tables_only; i++) {
    const hb_cell_t *c = &r->cells[i];
    int seen = c->check != HB_CHECK_NONE;  /* outcomes: no chart */
    for (int j = 0; j < i; j++) seen |= strcmp(r->cells[j].table, c->table) == 0;
    if (seen) continue;
    hb_buf_t ids = {0};
    for (int j = i; j < r->ncells; j++)
      if (strcmp(r->cells[j].table, c->table) == 0 && !r->cells[j].cachegrind && !r->cells[j].check)
        hb_buf_printf(&ids, "\t%s", r->cells[j].id);
    if (ids.s) hb_buf_printf(&b, "panel\t%s%s\n", c->table, ids.s);
    hb_buf_free(&ids);
  }
  return b.s;
}

int hb_plot_main(int argc, char **argv)
{
  static const struct option opts[] = { { "plots", required_argument, 0, 'p' }, { "help", no_argument, 0, 'h' },
                                        { 0, 0, 0, 0 } };
  const char *dir = NULL, *plots = NULL;
  int o;
  optind = 1;
  opterr = 0;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'p': plots = optarg; break;
    case 'h': fputs(plot_usage, stdout); return 0;
    default:
      hb_err("plot: unknown or incomplete option '%s'", argv[optind - 1]);
      fputs(plot_usage, stderr);
      return HB_EXIT_USAGE;
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc) { hb_err("plot: unexpected argument '%s'", argv[optind]); fputs(plot_usage, stderr); return HB_EXIT_USAGE; }
  if (!dir) { hb_err("plot: which run folder?"); fputs(plot_usage, stderr); return HB_EXIT_USAGE; }
  char *path = hb_results_path(dir);
  hb_results_t *r = hb_results_load(path, NULL, NULL);
  if (!r) return HB_EXIT_USAGE;
  char *run_dir = hb_xstrdup(path);
  char *slash = strrchr(run_dir, '/');
  if (slash) *slash = '\0'; else strcpy(run_dir, ".");
  char *out = plots ? hb_xstrdup(plots) : hb_default_plots_dir(run_dir, r->suite);
  const char *py = find_python();
  if (!py) {
    hb_err("plot: charts not generated: no python3 with matplotlib (apt-get install -y python3-matplotlib)");
    return HB_EXIT_NO_PYTHON;
  }
  if (hb_mkdirs(out) != 0) { hb_err("plot: cannot create %s", out); return HB_EXIT_USAGE; }
  char *plan = chart_plan(r), *plan_path = hb_sprintf("%s/.charts.tsv", out);
  if (hb_write_file_atomic(plan_path, plan ? plan : "", plan ? strlen(plan) : 0) != 0) {
    hb_err("plot: cannot write %s: %s", plan_path, strerror(errno));
    return 1;
  }
  char *script = hb_sprintf("%s/harness/plot.py", hb_root());
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    execlp(py, py, script, path, plan_path, out, (char *)NULL);
    _exit(127);
  }
  int st = 0;
  int failed = pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
  unlink(plan_path);
  if (failed) {
    hb_err("plot: %s %s failed", py, script);
    return 1;
  }
  fprintf(stderr, "hakbench: charts in %s\n", out);
  hb_results_free(r);
  return 0;
}
