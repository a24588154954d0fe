/* history.c: `hakbench history`: import results files into the store, the
 * trend report per cell for one machine (markdown and a chart), change
 * points, machines, migrations. Reads the store through store.h only. */
#include "hakbench.h"
#include "changepoint.h"
#include "md.h"
#include "stats.h"
#include "store.h"
#include "util.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char history_usage[] =
  "usage: hakbench history [ACTION] [options]\n"
  "  (no action)        trend report per cell: markdown on stdout, charts in --charts DIR\n"
  "  import FILE...     record results.json files (or run folders) into the store\n"
  "  changes            change points of every cell (hakmem vs glibc, PELT)\n"
  "  machines           the machines in the store, with their runs\n"
  "  migrate [--to N]   bring the store to schema version N (default: the newest)\n"
  "options:\n"
  "  --store PATH|URL   the store (default $HAKBENCH_STORE, else results/history.sqlite);\n"
  "                     postgresql://USER@HOST/DB or postgresql:///DB?host=/socket/dir\n"
  "  --machine KEY      the machine (default: the one with the latest run); import: the\n"
  "                     key to file the runs under (default cpu-<hash of CPU model, cores>)\n"
  "  --cell ID          only this cell     --suite NAME   only this suite\n"
  "  --series ratio|hakmem  change points of the hakmem/glibc ratio (default) or hakmem's value\n"
  "  --charts DIR       write one PNG per cell there (needs python3-matplotlib)\n";

typedef struct opts_s {
  const char *store, *machine, *cell, *suite, *series, *charts;
  int to;
} opts_t;

/* ---- loading a machine's trends ------------------------------------------ */

typedef struct h_alloc_s { char *name; double *v; int *rep; int n; } h_alloc_t;
typedef struct h_point_s { char *commit, *date; int dirty; h_alloc_t *a; int na; } h_point_t;
typedef struct h_cell_s {
  char *suite, *id, *label, *metric;
  int lower;
  h_point_t *p;
  int np;
} h_cell_t;

static int cell_same(const h_cell_t *c, const char *suite, const char *id)
{
  return strcmp(c->suite, suite) == 0 && strcmp(c->id, id) == 0;
}

static char *machine_pk(hb_store_t *st, const char *key, char **key_out)
{
  hb_rows_t rows;
  int rc;
  if (key) {
    const char *p[] = { key };
    rc = hb_store_exec(st, "SELECT id, key FROM machines WHERE key = $1", 1, p, &rows);
  } else {
    rc = hb_store_exec(st, "SELECT m.id, m.key FROM machines m JOIN runs r ON r.machine_pk = m.id"
                           " ORDER BY r.date DESC, r.id DESC LIMIT 1", 0, NULL, &rows);
  }
  if (rc != 0) return NULL;
  char *pk = NULL;
  if (rows.nrows > 0) { pk = hb_xstrdup(hb_row(&rows, 0, 0)); *key_out = hb_xstrdup(hb_row(&rows, 0, 1)); }
  else if (key) hb_err("history: no machine '%s' in store %s (`hakbench history machines` lists them)", key, st->where);
  else hb_err("history: store %s holds no runs yet (hakbench run, or hakbench history import FILE)", st->where);
  hb_rows_free(&rows);
  return pk;
}

static int load_cells(hb_store_t *st, const char *mpk, const opts_t *o, h_cell_t **out, int *nout)
{
  const char *p[] = { mpk, o->cell, o->suite };
  hb_rows_t rows;
  if (hb_store_exec(st,
        "SELECT r.suite, c.cell_id, c.label, c.metric, c.lower_better, r.id, r.git_commit, r.git_dirty, r.date,"
        " s.alloc, s.rep, s.value FROM runs r JOIN cells c ON c.run_pk = r.id JOIN samples s ON s.cell_pk = c.id"
        " WHERE r.machine_pk = $1 AND s.status = 'OK' AND s.value IS NOT NULL"
        " AND (CAST($2 AS TEXT) IS NULL OR c.cell_id = CAST($2 AS TEXT)) AND (CAST($3 AS TEXT) IS NULL OR r.suite = CAST($3 AS TEXT))"
        " ORDER BY r.suite, c.cell_id, r.date, r.id, s.alloc, s.rep", 3, p, &rows) != 0)
    return -1;
  h_cell_t *cells = NULL;
  int n = 0;
  const char *last_run = NULL;
  for (int i = 0; i < rows.nrows; i++) {
    const char *suite = hb_row(&rows, i, 0), *id = hb_row(&rows, i, 1), *run = hb_row(&rows, i, 5);
    const char *alloc = hb_row(&rows, i, 9);
    if (n == 0 || !cell_same(&cells[n - 1], suite, id)) {
      cells = hb_xrealloc(cells, sizeof *cells * (size_t)(n + 1));
      h_cell_t *c = &cells[n++];
      memset(c, 0, sizeof *c);
      c->suite = hb_xstrdup(suite);
      c->id = hb_xstrdup(id);
      c->label = hb_xstrdup(hb_row(&rows, i, 2) ? hb_row(&rows, i, 2) : id);
      c->metric = hb_xstrdup(hb_row(&rows, i, 3));
      c->lower = strcmp(hb_row(&rows, i, 4), "1") == 0;
      last_run = NULL;
    }
    h_cell_t *c = &cells[n - 1];
    if (!last_run || strcmp(last_run, run) != 0) {
      c->p = hb_xrealloc(c->p, sizeof *c->p * (size_t)(c->np + 1));
      h_point_t *pt = &c->p[c->np++];
      memset(pt, 0, sizeof *pt);
      pt->commit = hb_xstrdup(hb_row(&rows, i, 6) ? hb_row(&rows, i, 6) : "unknown");
      pt->date = hb_xstrdup(hb_row(&rows, i, 8));
      pt->dirty = strcmp(hb_row(&rows, i, 7), "1") == 0;
      last_run = run;
    }
    h_point_t *pt = &c->p[c->np - 1];
    if (pt->na == 0 || strcmp(pt->a[pt->na - 1].name, alloc) != 0) {
      pt->a = hb_xrealloc(pt->a, sizeof *pt->a * (size_t)(pt->na + 1));
      memset(&pt->a[pt->na], 0, sizeof *pt->a);
      pt->a[pt->na++].name = hb_xstrdup(alloc);
    }
    h_alloc_t *a = &pt->a[pt->na - 1];
    a->v = hb_xrealloc(a->v, sizeof(double) * (size_t)(a->n + 1));
    a->rep = hb_xrealloc(a->rep, sizeof(int) * (size_t)(a->n + 1));
    a->v[a->n] = strtod(hb_row(&rows, i, 11), NULL);
    a->rep[a->n++] = atoi(hb_row(&rows, i, 10));
  }
  hb_rows_free(&rows);
  *out = cells;
  *nout = n;
  return 0;
}

static const h_alloc_t *point_alloc(const h_point_t *p, const char *name)
{
  for (int i = 0; i < p->na; i++) if (strcmp(p->a[i].name, name) == 0) return &p->a[i];
  return NULL;
}

/* Allocators of a cell in report order: the known ones first, then others. */
static int cell_allocs(const h_cell_t *c, const char **names, int max)
{
  int n = 0;
  for (int k = 0; hb_known_allocators[k] && n < max; k++)
    for (int i = 0; i < c->np; i++)
      if (point_alloc(&c->p[i], hb_known_allocators[k])) { names[n++] = hb_known_allocators[k]; break; }
  for (int i = 0; i < c->np; i++)
    for (int j = 0; j < c->p[i].na && n < max; j++) {
      int seen = 0;
      for (int k = 0; k < n; k++) seen |= strcmp(names[k], c->p[i].a[j].name) == 0;
      if (!seen) names[n++] = c->p[i].a[j].name;
    }
  return n;
}

/* hakmem's performance against glibc, paired per repetition (> 1: hakmem
 * better): the ratios into r (max n), returns their count. */
static int paired_ratios(const h_cell_t *c, const h_point_t *p, double *r, int max)
{
  const h_alloc_t *h = point_alloc(p, "hakmem"), *s = point_alloc(p, "system");
  int n = 0;
  if (!h || !s) return 0;
  for (int i = 0; i < h->n; i++)
    for (int j = 0; j < s->n && n < max; j++)
      if (h->rep[i] == s->rep[j] && h->v[i] > 0 && s->v[j] > 0)
        r[n++] = c->lower ? s->v[j] / h->v[i] : h->v[i] / s->v[j];
  return n;
}

static double alloc_median(const h_point_t *p, const char *name)
{
  const h_alloc_t *a = point_alloc(p, name);
  return a ? hb_median(a->v, (size_t)a->n) : NAN;
}

/* hakmem's median against the best other allocator's (> 1: hakmem better). */
static double vs_best(const h_cell_t *c, const h_point_t *p, const char **best)
{
  double h = alloc_median(p, "hakmem"), b = NAN;
  *best = NULL;
  for (int i = 0; i < p->na; i++) {
    if (strcmp(p->a[i].name, "hakmem") == 0) continue;
    double m = hb_median(p->a[i].v, (size_t)p->a[i].n);
    if (b != b || (c->lower ? m < b : m > b)) { b = m; *best = p->a[i].name; }
  }
  if (h != h || b != b || h <= 0 || b <= 0) return NAN;
  return c->lower ? b / h : h / b;
}

static double scale_of(const h_cell_t *c) { return strcmp(c->metric, "ops_per_sec") == 0 ? 1e6 : 1; }
static const char *unit_of(const h_cell_t *c) { return strcmp(c->metric, "ops_per_sec") == 0 ? "M ops/s" : "instructions/op"; }

static char *short_commit(const h_point_t *p)
{
  return hb_sprintf("%.7s%s", p->commit, p->dirty ? "+dirty" : "");
}

/* Change points of a cell: the series is per point the paired ratios (or
 * hakmem's values). Returns their count; out gets them. */
static int cell_changes(const h_cell_t *c, const char *series, hb_change_t *out, int max)
{
  int cap = 16, n = 0;
  double *x = hb_xmalloc(sizeof(double) * (size_t)cap);
  int *start = hb_xmalloc(sizeof(int) * (size_t)(c->np + 1)), *idx = hb_xmalloc(sizeof(int) * (size_t)(c->np + 1));
  int ng = 0;
  for (int i = 0; i < c->np; i++) {
    double tmp[4096];
    int k;
    if (strcmp(series, "hakmem") == 0) {
      const h_alloc_t *h = point_alloc(&c->p[i], "hakmem");
      k = 0;
      if (h) for (int j = 0; j < h->n && k < 4096; j++) tmp[k++] = h->v[j];
    } else k = paired_ratios(c, &c->p[i], tmp, 4096);
    if (k == 0) continue;
    while (n + k > cap) { cap *= 2; x = hb_xrealloc(x, sizeof(double) * (size_t)cap); }
    start[ng] = n;
    idx[ng++] = i;
    memcpy(x + n, tmp, sizeof(double) * (size_t)k);
    n += k;
  }
  start[ng] = n;
  int nc = hb_changepoints(x, start, ng, NULL, out, max);
  for (int i = 0; i < nc; i++) out[i].group = idx[out[i].group];   /* back to point indexes */
  free(x); free(start); free(idx);
  return nc;
}

static void change_row(hb_md_table_t *t, const h_cell_t *c, const hb_change_t *ch, const char *series)
{
  char *cm = short_commit(&c->p[ch->group]);
  hb_md_add(t, cm);
  hb_md_addf(t, "%s/%s", c->suite, c->id);
  double k = strcmp(series, "hakmem") == 0 ? 1 / scale_of(c) : 100;
  const char *u = strcmp(series, "hakmem") == 0 ? "" : " %";
  hb_md_addf(t, "%.*f%s", k == 100 ? 1 : 3, ch->before * k, u);
  hb_md_addf(t, "%.*f%s", k == 100 ? 1 : 3, ch->after * k, u);
  hb_md_addf(t, "%+.1f %% [%+.1f, %+.1f]", 100 * ch->change, 100 * ch->lo, 100 * ch->hi);
  free(cm);
}

/* ---- the trend report ------------------------------------------------------ */

static void trend_table(hb_buf_t *out, const h_cell_t *c, const char *series)
{
  const char *names[32];
  int na = cell_allocs(c, names, 32);
  hb_buf_printf(out, "### %s / %s: %s\n\n%s, median ± half the interquartile range; ratios > 100 %% mean hakmem is %s.\n\n",
                c->suite, c->id, c->label, unit_of(c), c->lower ? "better (fewer instructions)" : "faster");
  const char *head[40];
  char align[41];
  int nc = 0;
  head[nc] = "commit"; align[nc++] = 'l';
  head[nc] = "date"; align[nc++] = 'l';
  for (int i = 0; i < na; i++) { head[nc] = names[i]; align[nc++] = 'r'; }
  head[nc] = "hakmem vs glibc"; align[nc++] = 'r';
  head[nc] = "hakmem vs best other"; align[nc++] = 'r';
  align[nc] = '\0';
  hb_md_table_t t;
  hb_md_init(&t, nc, head, align);
  for (int i = 0; i < c->np; i++) {
    const h_point_t *p = &c->p[i];
    char *cm = short_commit(p);
    hb_md_add(&t, cm);
    free(cm);
    hb_md_addf(&t, "%.10s", p->date);
    for (int j = 0; j < na; j++) {
      const h_alloc_t *a = point_alloc(p, names[j]);
      if (!a) { hb_md_add(&t, "n/a"); continue; }
      hb_summary_t s;
      hb_summarize(a->v, (size_t)a->n, &s);
      double k = scale_of(c);
      if (a->n > 1) hb_md_addf(&t, "%.2f ±%.2f", s.median / k, s.iqr / 2 / k);
      else hb_md_addf(&t, "%.2f", s.median / k);
    }
    double r[4096];
    int nr = paired_ratios(c, p, r, 4096);
    if (nr) {
      hb_summary_t s;
      hb_summarize(r, (size_t)nr, &s);
      if (nr > 1) hb_md_addf(&t, "%.1f %% [%.1f, %.1f]", 100 * s.median, 100 * s.min, 100 * s.max);
      else hb_md_addf(&t, "%.1f %%", 100 * s.median);
    } else hb_md_add(&t, "n/a");
    const char *best;
    double vb = vs_best(c, p, &best);
    if (vb == vb) hb_md_addf(&t, "%.1f %% (%s)", 100 * vb, best);
    else hb_md_add(&t, "n/a");
  }
  hb_md_render(&t, out);
  hb_md_free(&t);
  hb_change_t ch[16];
  int n = cell_changes(c, series, ch, 16);
  if (n == 0) hb_buf_printf(out, "\nChange points (%s): none.\n\n", strcmp(series, "hakmem") ? "hakmem vs glibc" : "hakmem");
  else {
    hb_buf_add(out, "\nChange points:\n\n");
    const char *h2[] = { "commit", "cell", "before", "after", "change [95 % interval]" };
    hb_md_init(&t, 5, h2, "llrrr");
    for (int i = 0; i < n; i++) change_row(&t, c, &ch[i], series);
    hb_md_render(&t, out);
    hb_md_free(&t);
    hb_buf_add(out, "\n");
  }
}

/* The chart data history.py draws: one block per cell. */
static void chart_data(hb_buf_t *b, const h_cell_t *c, const char *png)
{
  const char *names[32];
  int na = cell_allocs(c, names, 32);
  hb_buf_printf(b, "cell\t%s\t%s / %s: %s\t%s\n", png, c->suite, c->id, c->label, unit_of(c));
  for (int i = 0; i < c->np; i++) {
    const h_point_t *p = &c->p[i];
    char *cm = short_commit(p);
    hb_buf_printf(b, "x\t%d\t%s\n", i, cm);
    free(cm);
    for (int j = 0; j < na; j++) {
      const h_alloc_t *a = point_alloc(p, names[j]);
      if (!a) continue;
      hb_summary_t s;
      hb_summarize(a->v, (size_t)a->n, &s);
      double k = scale_of(c);
      hb_buf_printf(b, "value\t%d\t%s\t%.6g\t%.6g\t%.6g\n", i, names[j], s.median / k, s.q1 / k, s.q3 / k);
    }
    double r[4096];
    int nr = paired_ratios(c, p, r, 4096);
    if (nr) hb_buf_printf(b, "ratio\t%d\tvs glibc\t%.6g\n", i, 100 * hb_median(r, (size_t)nr));
    const char *best;
    double vb = vs_best(c, p, &best);
    if (vb == vb) hb_buf_printf(b, "ratio\t%d\tvs best other\t%.6g\n", i, 100 * vb);
  }
  hb_change_t ch[16];
  int n = cell_changes(c, "ratio", ch, 16);
  for (int i = 0; i < n; i++) hb_buf_printf(b, "change\t%d\n", ch[i].group);
}

static int draw_charts(const char *dir, const hb_buf_t *data)
{
  const char *py = system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0 ? "/usr/bin/python3"
                 : system("python3 -c 'import matplotlib' >/dev/null 2>&1") == 0 ? "python3" : NULL;
  if (!py) { hb_err("history: charts not drawn: no python3 with matplotlib (apt-get install -y python3-matplotlib)"); return HB_EXIT_NO_PYTHON; }
  if (hb_mkdirs(dir) != 0) { hb_err("history: cannot create %s", dir); return HB_EXIT_USAGE; }
  char *path = hb_sprintf("%s/.history.tsv", dir), *script = hb_sprintf("%s/harness/history.py", hb_root());
  if (hb_write_file_atomic(path, data->s ? data->s : "", data->len) != 0) { hb_err("history: cannot write %s", path); return 1; }
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) { execlp(py, py, script, path, dir, (char *)NULL); _exit(127); }
  int st = 0;
  int failed = pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
  unlink(path);
  if (failed) { hb_err("history: %s %s failed", py, script); return 1; }
  fprintf(stderr, "hakbench: charts in %s\n", dir);
  return 0;
}

static int do_trends(hb_store_t *st, const opts_t *o, int changes_only)
{
  char *key = NULL, *mpk = machine_pk(st, o->machine, &key);
  if (!mpk) return HB_EXIT_USAGE;
  h_cell_t *cells;
  int n;
  if (load_cells(st, mpk, o, &cells, &n) != 0) return HB_EXIT_FAIL;
  if (n == 0) { hb_err("history: no OK samples%s%s on machine %s", o->cell ? " of cell " : "", o->cell ? o->cell : "", key); return HB_EXIT_USAGE; }
  hb_buf_t out = {0}, data = {0};
  const char *series = o->series ? o->series : "ratio";
  hb_rows_t m;
  const char *p[] = { mpk };
  if (hb_store_exec(st, "SELECT cpu_model, cores, kernel FROM machines WHERE id = $1", 1, p, &m) != 0) return HB_EXIT_FAIL;
  hb_buf_printf(&out, "## History on machine %s (%s, %s cores, kernel %s)\n\n", key, hb_row(&m, 0, 0) ? hb_row(&m, 0, 0) : "?",
                hb_row(&m, 0, 1) ? hb_row(&m, 0, 1) : "?", hb_row(&m, 0, 2) ? hb_row(&m, 0, 2) : "?");
  hb_rows_free(&m);
  if (changes_only) {
    hb_buf_printf(&out, "Change points of %s per cell (PELT, Gaussian mean cost, penalty 5 ln n; changes under 2 %% merged):\n\n",
                  strcmp(series, "hakmem") ? "hakmem vs glibc (paired per repetition)" : "hakmem's value");
    const char *h2[] = { "commit", "cell", "before", "after", "change [95 % interval]" };
    hb_md_table_t t;
    hb_md_init(&t, 5, h2, "llrrr");
    int total = 0;
    for (int i = 0; i < n; i++) {
      hb_change_t ch[16];
      int k = cell_changes(&cells[i], series, ch, 16);
      for (int j = 0; j < k; j++) change_row(&t, &cells[i], &ch[j], series);
      total += k;
    }
    if (total) hb_md_render(&t, &out);
    else hb_buf_printf(&out, "None in %d cell(s).\n", n);
    hb_md_free(&t);
  } else {
    for (int i = 0; i < n; i++) {
      trend_table(&out, &cells[i], series);
      char *png = hb_sprintf("%s_%s.png", cells[i].suite, cells[i].id);
      for (char *q = png; *q; q++) if (*q == '/' || *q == ' ') *q = '_';
      chart_data(&data, &cells[i], png);
      free(png);
    }
  }
  fputs(out.s, stdout);
  fflush(stdout);
  int rc = 0;
  if (o->charts && !changes_only) rc = draw_charts(o->charts, &data);
  return rc;
}

static int do_import(hb_store_t *st, const opts_t *o, int argc, char **argv)
{
  int bad = 0;
  if (argc == 0) { hb_err("history import: which results files?"); return HB_EXIT_USAGE; }
  for (int i = 0; i < argc; i++) {
    char *path = hb_results_path(argv[i]);
    hb_results_t *r = hb_results_load(path, NULL, NULL);
    if (!r) { bad = 1; free(path); continue; }
    char *key = o->machine ? hb_xstrdup(o->machine) : hb_machine_key_for(r);
    char *src = hb_sprintf("import %s", path);
    int rc = hb_store_record(st, r, key, src);
    if (rc < 0) bad = 1;
    else fprintf(stderr, "hakbench: %s: %s (suite %s, commit %.7s, %s, machine %s)\n", path,
                 rc ? "recorded" : "already in the store", r->suite, r->ctx.git_commit ? r->ctx.git_commit : "?",
                 r->ctx.date ? r->ctx.date : "?", key);
    free(key); free(src); free(path);
    hb_results_free(r);
  }
  return bad ? HB_EXIT_USAGE : 0;
}

static int do_machines(hb_store_t *st)
{
  hb_rows_t rows;
  if (hb_store_exec(st, "SELECT m.key, m.cpu_model, m.cores, m.kernel, count(r.id), max(r.date) FROM machines m"
                        " LEFT JOIN runs r ON r.machine_pk = m.id GROUP BY m.id, m.key, m.cpu_model, m.cores, m.kernel"
                        " ORDER BY max(r.date) DESC", 0, NULL, &rows) != 0) return HB_EXIT_FAIL;
  const char *head[] = { "machine", "CPU", "cores", "kernel", "runs", "latest run" };
  hb_md_table_t t;
  hb_md_init(&t, 6, head, "llrlrl");
  for (int i = 0; i < rows.nrows; i++) {
    const char *c[6];
    for (int j = 0; j < 6; j++) c[j] = hb_row(&rows, i, j);
    hb_md_row(&t, c);
  }
  hb_buf_t out = {0};
  hb_md_render(&t, &out);
  fputs(out.s, stdout);
  hb_rows_free(&rows);
  return 0;
}

int hb_history_main(int argc, char **argv)
{
  static const struct option lopts[] = {
    { "store", required_argument, 0, 's' }, { "machine", required_argument, 0, 'm' },
    { "cell", required_argument, 0, 'c' },  { "suite", required_argument, 0, 'S' },
    { "series", required_argument, 0, 'x' }, { "charts", required_argument, 0, 'C' },
    { "to", required_argument, 0, 't' },    { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
  opts_t o = {0};
  int c;
  long to = 0;
  optind = 1;
  opterr = 0;
  /* GNU getopt moves the action and the files after the options */
  while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
    switch (c) {
    case 's': o.store = optarg; break;
    case 'm': o.machine = optarg; break;
    case 'c': o.cell = optarg; break;
    case 'S': o.suite = optarg; break;
    case 'x':
      if (strcmp(optarg, "ratio") && strcmp(optarg, "hakmem")) { hb_err("history: --series is ratio or hakmem, not '%s'", optarg); return HB_EXIT_USAGE; }
      o.series = optarg;
      break;
    case 'C': o.charts = optarg; break;
    case 't': if (!hb_parse_long(optarg, 1, HB_STORE_SCHEMA_VERSION, &to)) { hb_err("history: --to needs a schema version 1..%d", HB_STORE_SCHEMA_VERSION); return HB_EXIT_USAGE; } break;
    case 'h': fputs(history_usage, stdout); return 0;
    default:
      hb_err("history: unknown or incomplete option '%s'", argv[optind - 1]);
      fputs(history_usage, stderr);
      return HB_EXIT_USAGE;
    }
  }
  const char *action = optind < argc ? argv[optind++] : NULL;
  char **rest = argv + optind;
  int nrest = argc - optind;
  if (action && strcmp(action, "import") && strcmp(action, "changes") && strcmp(action, "machines") && strcmp(action, "migrate")) {
    hb_err("history: unknown action '%s'", action);
    fputs(history_usage, stderr);
    return HB_EXIT_USAGE;
  }
  if (action && strcmp(action, "import") && nrest > 0) { hb_err("history %s: unexpected argument '%s'", action, rest[0]); return HB_EXIT_USAGE; }
  if (!action && nrest > 0) { hb_err("history: unexpected argument '%s'", rest[0]); return HB_EXIT_USAGE; }
  char *loc = hb_store_location(o.store);
  hb_store_t *st = hb_store_open(loc, action && strcmp(action, "migrate") == 0 ? (int)to : 0);
  if (!st) return HB_EXIT_USAGE;
  int rc;
  if (!action) rc = do_trends(st, &o, 0);
  else if (strcmp(action, "changes") == 0) rc = do_trends(st, &o, 1);
  else if (strcmp(action, "import") == 0) rc = do_import(st, &o, nrest, rest);
  else if (strcmp(action, "machines") == 0) rc = do_machines(st);
  else { printf("store %s: schema version %d\n", st->where, hb_store_version(st)); rc = 0; }
  hb_store_close(st);
  free(loc);
  return rc;
}

/* For `hakbench run`: record a finished results file (store.h). */
int hb_history_record_run(const char *results_path, const char *store)
{
  hb_results_t *r = hb_results_load(results_path, NULL, NULL);
  if (!r) return -1;
  char *loc = hb_store_location(store);
  hb_store_t *st = hb_store_open(loc, 0);
  int rc = -1;
  if (st) {
    rc = hb_store_record(st, r, NULL, "run");
    if (rc >= 0) fprintf(stderr, "hakbench: run recorded in store %s (machine %s)\n", st->where, hb_machine_key());
    hb_store_close(st);
  }
  free(loc);
  hb_results_free(r);
  return rc < 0 ? -1 : 0;
}

int hb_history_check_store(const char *store)
{
  char *loc = hb_store_location(store);
  hb_store_t *st = hb_store_open(loc, 0);
  free(loc);
  if (!st) { hb_err("run: the results store cannot be used (--no-store runs without it)"); return -1; }
  hb_store_close(st);
  return 0;
}
