/* compare.c: `hakbench compare BASE.json CURRENT.json [--md OUT.md]`.
 *
 * Cells are matched by id. Two kinds of metric:
 *  - timed (ops_per_sec): noisy, so hakmem is measured against glibc in the
 *    same run: per repetition r, ratio_r = hakmem_r / system_r (repetitions
 *    are interleaved, so both ran at about the same time). The baseline's
 *    ratios and the current ratios are compared with medians and a two-sided
 *    Mann-Whitney U test. A cell without system runs is compared on its
 *    absolute values.
 *  - counted (instructions_per_op, from cachegrind): exact and repeatable,
 *    so only the change against a small threshold matters.
 * Only hakmem's verdicts decide the exit status; --all also shows the other
 * allocators' cells for information.
 */
#include "compare.h"
#include "mannwhitney.h"
#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECIDER "hakmem"
#define REFERENCE "system"

typedef struct {
  double alpha;            /* significance level for the U test            */
  double threshold;        /* noise threshold for timed metrics, percent   */
  double instr_threshold;  /* threshold for instruction counts, percent    */
  int all;                 /* show every allocator, not only hakmem        */
  const char *md_path;
} options_t;

/* One compared (cell, allocator) line of a table. */
typedef struct {
  const char *table, *id, *label, *alloc, *metric;
  int counted;             /* instruction counts: exact, no p-value        */
  int vs_system;           /* timed values are ratios to system            */
  int better_higher;
  size_t n_base, n_cur;
  double base, cur;        /* medians                                      */
  double change;           /* percent, NAN when not compared               */
  double p;                /* NAN when not applicable                      */
  const char *verdict;     /* NULL when not compared                       */
  char note[160];
} row_t;

typedef struct {
  row_t *v;
  size_t n, cap;
} rows_t;

static void usage(FILE *f)
{
  fprintf(f,
"usage: hakbench compare BASE.json CURRENT.json [options]\n"
"Compare a results file with a baseline, cell by cell (matched by id).\n"
"\n"
"  --md OUT.md              also write the report as markdown to OUT.md\n"
"  --alpha A                significance level of the Mann-Whitney test (default 0.05)\n"
"  --threshold PCT          noise threshold for timed metrics, percent (default 5)\n"
"  --instr-threshold PCT    threshold for instruction counts, percent (default 1)\n"
"  --all                    also show the other allocators (information only)\n"
"  --help                   this text\n"
"\n"
"Timed cells (ops_per_sec) compare hakmem/system ratios per repetition;\n"
"counted cells (instructions_per_op) compare exact counts. Verdicts, with\n"
"change = (current - baseline) / baseline of the medians and p the two-sided\n"
"Mann-Whitney p-value:\n"
"  regressed / improved  timed: p < alpha and |change| > threshold;\n"
"                        counted: |change| > instr-threshold\n"
"                        (the direction follows the metric's \"better\")\n"
"  within noise          timed only: exactly one of the two conditions holds\n"
"  no change             neither holds\n"
"A hakmem run that crashed, hung or failed in CURRENT counts as regressed.\n"
"\n"
"Exit status: 0 nothing of hakmem regressed, 1 something did, 2 bad input\n"
"(missing or corrupt file, different suites, no cells in common).\n");
}

/* Parse a percentage or probability; a trailing '%' is allowed. */
static int parse_number(const char *opt, const char *s, double lo, double hi, double *out)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end != s && *end == '%') end++;
  if (errno || end == s || *end || !(v >= lo && v <= hi)) {
    fprintf(stderr, "hakbench compare: %s wants a number in [%g, %g], got '%s'\n", opt, lo, hi, s);
    return -1;
  }
  *out = v;
  return 0;
}

/* ---- reading results files ------------------------------------------------ */

static const char *str_field(json_t *obj, const char *key, const char *dflt)
{
  const char *s = json_string_value(json_object_get(obj, key));
  return s ? s : dflt;
}

static json_t *load_results(const char *path, const char *role)
{
  json_error_t err;
  json_t *root = json_load_file(path, 0, &err);
  if (!root) {
    if (err.line < 0 || errno == ENOENT)
      fprintf(stderr, "hakbench compare: cannot read %s file %s: %s\n", role, path, err.text);
    else
      fprintf(stderr, "hakbench compare: %s file %s is not valid JSON (line %d: %s)\n",
              role, path, err.line, err.text);
    return NULL;
  }
  const char *fmt = str_field(root, "format", NULL);
  json_t *ver = json_object_get(root, "version");
  const char *why = NULL;
  if (!json_is_object(root)) why = "not a JSON object";
  else if (!fmt || strcmp(fmt, "hakbench-results")) why = "\"format\" is not \"hakbench-results\"";
  else if (!json_is_integer(ver) || json_integer_value(ver) != 1) why = "\"version\" is not 1";
  else if (!json_is_string(json_object_get(root, "suite"))) why = "no \"suite\" name";
  else if (!json_is_array(json_object_get(root, "cells"))) why = "no \"cells\" array";
  if (why) {
    fprintf(stderr, "hakbench compare: %s file %s is not a hakbench results file: %s\n", role, path, why);
    json_decref(root);
    return NULL;
  }
  return root;
}

static json_t *find_cell(json_t *cells, const char *id)
{
  size_t i;
  json_t *c;
  json_array_foreach(cells, i, c)
    if (!strcmp(str_field(c, "id", ""), id)) return c;
  return NULL;
}

/* The value of an OK run of `alloc` at repetition `rep`, or NAN. */
static double run_value_at(json_t *cell, const char *alloc, json_int_t rep)
{
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(json_object_get(cell, "runs"), alloc), i, r) {
    json_t *jr = json_object_get(r, "rep");
    json_int_t rr = json_is_integer(jr) ? json_integer_value(jr) : (json_int_t)i;
    if (rr == rep && !strcmp(str_field(r, "status", ""), "OK") && json_is_number(json_object_get(r, "value")))
      return json_number_value(json_object_get(r, "value"));
  }
  return NAN;
}

static int has_runs(json_t *cell, const char *alloc)
{
  return json_array_size(json_object_get(json_object_get(cell, "runs"), alloc)) > 0;
}

/* The cell's status for `alloc`: the stats status when present, else
 * "NO RUNS" when the allocator has none. */
static const char *alloc_status(json_t *cell, const char *alloc)
{
  const char *s = str_field(json_object_get(json_object_get(cell, "stats"), alloc), "status", NULL);
  if (s) return s;
  return has_runs(cell, alloc) ? "OK" : "NO RUNS";
}

/* Samples of `alloc` in `cell`: OK values, or ratios to system's OK value
 * of the same repetition. Returns the count; *out is malloc'd. */
static size_t samples(json_t *cell, const char *alloc, int vs_system, double **out)
{
  json_t *runs = json_object_get(json_object_get(cell, "runs"), alloc);
  size_t n = 0, i;
  json_t *r;
  *out = malloc((json_array_size(runs) + 1) * sizeof **out);
  if (!*out) abort();
  json_array_foreach(runs, i, r) {
    json_t *jv = json_object_get(r, "value"), *jr = json_object_get(r, "rep");
    if (strcmp(str_field(r, "status", ""), "OK") || !json_is_number(jv)) continue;
    double v = json_number_value(jv);
    if (vs_system) {
      double s = run_value_at(cell, REFERENCE, json_is_integer(jr) ? json_integer_value(jr) : (json_int_t)i);
      if (!(s > 0)) continue;
      v /= s;
    }
    (*out)[n++] = v;
  }
  return n;
}

/* ---- comparing one cell ----------------------------------------------------- */

static row_t *add_row(rows_t *rows)
{
  if (rows->n == rows->cap) {
    rows->cap = rows->cap ? 2 * rows->cap : 32;
    rows->v = realloc(rows->v, rows->cap * sizeof *rows->v);
    if (!rows->v) abort();
  }
  row_t *r = &rows->v[rows->n++];
  memset(r, 0, sizeof *r);
  r->change = r->p = r->base = r->cur = NAN;
  return r;
}

/* A row for allocator `alloc` of current cell `cc`. */
static row_t *add_cell_row(rows_t *rows, json_t *cc, const char *id, const char *alloc, const char *metric,
                           int counted)
{
  row_t *r = add_row(rows);
  r->table = str_field(cc, "table", "cells");
  r->id = id;
  r->label = str_field(cc, "label", id);
  r->alloc = alloc;
  r->metric = metric;
  r->counted = counted;
  return r;
}

static void compare_alloc(row_t *row, json_t *bc, json_t *cc, const options_t *o)
{
  const char *bs = alloc_status(bc, row->alloc), *cs = alloc_status(cc, row->alloc);
  int base_ok = !strcmp(bs, "OK"), cur_ok = !strcmp(cs, "OK");

  row->vs_system = !row->counted && strcmp(row->alloc, REFERENCE) &&
                   has_runs(bc, REFERENCE) && has_runs(cc, REFERENCE);
  double *b, *c;
  row->n_base = samples(bc, row->alloc, row->vs_system, &b);
  row->n_cur = samples(cc, row->alloc, row->vs_system, &c);
  if (row->n_base) row->base = hb_median(b, row->n_base);
  if (row->n_cur) row->cur = hb_median(c, row->n_cur);

  if (!cur_ok && strcmp(cs, "NO RUNS")) {
    /* A crash, hang, corruption or error now is worse than any slowdown. */
    row->verdict = "regressed";
    snprintf(row->note, sizeof row->note, "%s in current run%s%s", cs,
             base_ok ? "" : ", baseline: ", base_ok ? "" : bs);
  } else if (!cur_ok || !strcmp(bs, "NO RUNS")) {
    snprintf(row->note, sizeof row->note, "not compared: no runs in %s",
             cur_ok ? "baseline" : "current run");
  } else if (row->n_cur == 0) {
    snprintf(row->note, sizeof row->note, "not compared: no %s in current run",
             row->vs_system ? "repetition with both allocators OK" : "OK value");
  } else if (!base_ok || row->n_base == 0) {
    row->verdict = "improved";
    snprintf(row->note, sizeof row->note, "baseline: %s, now OK", base_ok ? "no usable value" : bs);
  } else if (!(row->base != 0)) {
    snprintf(row->note, sizeof row->note, "not compared: baseline median is 0");
  } else {
    row->change = (row->cur - row->base) / fabs(row->base) * 100;
    double thr = row->counted ? o->instr_threshold : o->threshold;
    int beyond = fabs(row->change) > thr;
    int significant = 1;   /* exact counts carry no noise */
    if (!row->counted) {
      hb_mw_result_t mw;
      hb_mann_whitney(b, row->n_base, c, row->n_cur, &mw);
      row->p = mw.p;
      significant = mw.p < o->alpha;
    }
    int worse = row->better_higher ? row->cur < row->base : row->cur > row->base;
    if (beyond && significant) row->verdict = worse ? "regressed" : "improved";
    else if (beyond || (!row->counted && significant)) row->verdict = "within noise";
    else row->verdict = "no change";
    if (row->counted && (row->n_base > 1 || row->n_cur > 1) &&
        (b[0] != row->base || c[0] != row->cur))
      snprintf(row->note, sizeof row->note, "counts vary between repetitions: medians compared");
  }
  free(b);
  free(c);
}

/* Compare every cell of `cur` that the baseline also has. Returns the
 * number of cells in common, or -1 on a mismatch reported on stderr. */
static long compare_cells(json_t *base, json_t *cur, const options_t *o, rows_t *rows)
{
  json_t *bcells = json_object_get(base, "cells"), *ccells = json_object_get(cur, "cells");
  long common = 0;
  size_t i;
  json_t *cc;
  json_array_foreach(ccells, i, cc) {
    const char *id = str_field(cc, "id", NULL);
    if (!id) {
      fprintf(stderr, "hakbench compare: current cell #%zu has no \"id\"\n", i);
      return -1;
    }
    json_t *bc = find_cell(bcells, id);
    if (!bc) continue;
    common++;
    const char *bm = str_field(bc, "metric", "ops_per_sec"), *cm = str_field(cc, "metric", "ops_per_sec");
    if (strcmp(bm, cm)) {
      fprintf(stderr, "hakbench compare: cell %s measures %s in the baseline but %s now: "
              "regenerate the baseline\n", id, bm, cm);
      return -1;
    }
    int counted = !strcmp(cm, "instructions_per_op");
    const char *better = str_field(cc, "better", counted ? "lower" : "higher");

    /* hakmem first, then (with --all) the others in the current file's order. */
    json_t *runs = json_object_get(cc, "runs");
    const char *key;
    json_t *unused;
    for (int pass = 0; pass < 2; pass++) {
      json_object_foreach(runs, key, unused) {
        int is_decider = !strcmp(key, DECIDER);
        if (pass == 0 ? !is_decider : (is_decider || !o->all)) continue;
        if (!counted && !strcmp(key, REFERENCE) && has_runs(cc, DECIDER)) continue; /* ratio 1 */
        row_t *r = add_cell_row(rows, cc, id, key, cm, counted);
        r->better_higher = !strcmp(better, "higher");
        compare_alloc(r, bc, cc, o);
      }
      (void)unused;
    }
    if (!json_object_get(runs, DECIDER)) {
      row_t *r = add_cell_row(rows, cc, id, DECIDER, cm, counted);
      snprintf(r->note, sizeof r->note, "not compared: no hakmem runs in current run");
    }
  }
  return common;
}

/* ---- the report -------------------------------------------------------------- */

/* A table of strings printed as markdown with padded columns, so that it
 * reads well both in a terminal and rendered. */
enum { NCOL = 9 };
typedef struct {
  char *(*cells)[NCOL];
  size_t n, cap;
} grid_t;

static void grid_add(grid_t *g, const char *const cols[NCOL])
{
  if (g->n == g->cap) {
    g->cap = g->cap ? 2 * g->cap : 16;
    g->cells = realloc(g->cells, g->cap * sizeof *g->cells);
    if (!g->cells) abort();
  }
  for (int k = 0; k < NCOL; k++) {
    char *s = strdup(cols[k] ? cols[k] : "");
    if (!s) abort();
    for (char *p = s; *p; p++)
      if (*p == '|' || *p == '\n') *p = '/';
    g->cells[g->n][k] = s;
  }
  g->n++;
}

static void grid_print(FILE *f, grid_t *g)
{
  size_t w[NCOL] = { 0 };
  for (size_t i = 0; i < g->n; i++)
    for (int k = 0; k < NCOL; k++) {
      size_t l = strlen(g->cells[i][k]);
      if (l > w[k]) w[k] = l;
    }
  for (size_t i = 0; i < g->n; i++) {
    for (int k = 0; k < NCOL; k++)
      fprintf(f, "| %-*s ", (int)w[k], g->cells[i][k]);
    fprintf(f, "|\n");
    if (i == 0) {
      for (int k = 0; k < NCOL; k++) {
        fprintf(f, "|");
        for (size_t j = 0; j < w[k] + 2; j++) fputc('-', f);
      }
      fprintf(f, "|\n");
    }
    for (int k = 0; k < NCOL; k++) free(g->cells[i][k]);
  }
  free(g->cells);
  g->cells = NULL;
  g->n = g->cap = 0;
}

static void fmt_value(char *buf, size_t n, double v, const row_t *r)
{
  if (!isfinite(v)) snprintf(buf, n, "-");
  else if (r->counted) snprintf(buf, n, "%.1f instr/op", v);
  else if (r->vs_system) snprintf(buf, n, "%.3f x system", v);
  else if (!strcmp(r->metric, "ops_per_sec")) snprintf(buf, n, "%.3f M ops/s", v / 1e6);
  else snprintf(buf, n, "%.4g", v);
}

static void fmt_change(char *buf, size_t n, double c)
{
  if (isfinite(c)) snprintf(buf, n, "%+.2f %%", fabs(c) < 0.005 ? 0.0 : c);  /* no "-0.00" */
  else snprintf(buf, n, "-");
}

/* Geometric mean of current/baseline over the rows of one table and one
 * allocator that have both medians. */
static void geomean_row(grid_t *g, const rows_t *rows, const char *table, const char *alloc)
{
  double *ratio = malloc((rows->n + 1) * 3 * sizeof *ratio);
  if (!ratio) abort();
  double *bv = ratio + rows->n + 1, *cv = bv + rows->n + 1;
  size_t n = 0;
  const row_t *first = NULL;
  int uniform = 1;  /* one metric and unit: the means of the values make sense */
  for (size_t i = 0; i < rows->n; i++) {
    const row_t *r = &rows->v[i];
    if (strcmp(r->table, table) || strcmp(r->alloc, alloc)) continue;
    if (!(r->base > 0 && r->cur > 0) || !isfinite(r->change)) continue;
    if (!first) first = r;
    else if (strcmp(first->metric, r->metric) || first->vs_system != r->vs_system) uniform = 0;
    ratio[n] = r->cur / r->base;
    bv[n] = r->base;
    cv[n] = r->cur;
    n++;
  }
  if (n > 0) {
    char nb[64], bb[64], cb[64], ch[64];
    snprintf(nb, sizeof nb, "%zu cell%s", n, n == 1 ? "" : "s");
    fmt_value(bb, sizeof bb, uniform ? hb_geomean(bv, n) : NAN, first);
    fmt_value(cb, sizeof cb, uniform ? hb_geomean(cv, n) : NAN, first);
    fmt_change(ch, sizeof ch, (hb_geomean(ratio, n) - 1) * 100);
    const char *cols[NCOL] = { "geometric mean", alloc, nb, bb, cb, ch, "", "", "" };
    grid_add(g, cols);
  }
  free(ratio);
}

static void print_context(FILE *f, const char *role, const char *path, json_t *root)
{
  json_t *ctx = json_object_get(root, "context");
  json_t *dirty = json_object_get(ctx, "git_dirty");
  fprintf(f, "- %s: `%s`, commit %s%s, %s", role, path, str_field(ctx, "git_commit", "unknown"),
          json_is_true(dirty) ? " (dirty)" : "", str_field(ctx, "date", "date unknown"));
  if (!json_is_true(json_object_get(root, "complete"))) fprintf(f, ", **incomplete run**");
  fprintf(f, "\n");
}

static void report(FILE *f, const rows_t *rows, const options_t *o, json_t *base, json_t *cur,
                   const char *bpath, const char *cpath, char **missing, size_t n_missing,
                   char **added, size_t n_added, int *regressed)
{
  fprintf(f, "# Comparison: suite %s\n\n", str_field(cur, "suite", "?"));
  print_context(f, "baseline", bpath, base);
  print_context(f, "current", cpath, cur);
  fprintf(f, "- rules: timed cells regress or improve when p < %g and |change| > %g %%; "
          "instruction counts when |change| > %g %%. Timed values are hakmem/system "
          "ratios from the same run.\n\n", o->alpha, o->threshold, o->instr_threshold);

  size_t counts[4] = { 0 };   /* regressed, improved, within noise, no change */
  const char *names[4] = { "regressed", "improved", "within noise", "no change" };
  size_t not_compared = 0;
  for (size_t i = 0; i < rows->n; i++) {
    const row_t *r = &rows->v[i];
    if (strcmp(r->alloc, DECIDER)) continue;
    if (!r->verdict) { not_compared++; continue; }
    for (int k = 0; k < 4; k++)
      if (!strcmp(r->verdict, names[k])) counts[k]++;
  }
  *regressed = counts[0] > 0;

  /* One table per "table" name, in order of first appearance. */
  for (size_t i = 0; i < rows->n; i++) {
    const char *table = rows->v[i].table;
    int seen = 0;
    for (size_t j = 0; j < i; j++)
      if (!strcmp(rows->v[j].table, table)) seen = 1;
    if (seen) continue;
    fprintf(f, "## %s\n\n", table);
    grid_t g = { 0 };
    const char *head[NCOL] = { "cell", "allocator", "n base/cur", "baseline", "current",
                               "change", "p", "verdict", "note" };
    grid_add(&g, head);
    for (size_t j = i; j < rows->n; j++) {
      const row_t *r = &rows->v[j];
      if (strcmp(r->table, table)) continue;
      char cell[200], nb[32], bb[64], cb[64], ch[64], pb[32];
      snprintf(cell, sizeof cell, "%s (%s)", r->label, r->id);
      snprintf(nb, sizeof nb, "%zu/%zu", r->n_base, r->n_cur);
      fmt_value(bb, sizeof bb, r->base, r);
      fmt_value(cb, sizeof cb, r->cur, r);
      fmt_change(ch, sizeof ch, r->change);
      if (r->counted) snprintf(pb, sizeof pb, "exact");
      else if (isfinite(r->p)) snprintf(pb, sizeof pb, "%.3g", r->p);
      else snprintf(pb, sizeof pb, "-");
      const char *verdict = r->verdict ? r->verdict : "-";
      char vb[64];
      if (r->verdict && strcmp(r->alloc, DECIDER)) { /* information only */
        snprintf(vb, sizeof vb, "(%s)", r->verdict);
        verdict = vb;
      }
      const char *cols[NCOL] = { cell, r->alloc, nb, bb, cb, ch, pb, verdict, r->note };
      grid_add(&g, cols);
    }
    geomean_row(&g, rows, table, DECIDER);
    if (o->all)
      for (size_t j = 0; j < rows->n; j++) {
        int dup = !strcmp(rows->v[j].alloc, DECIDER) || strcmp(rows->v[j].table, table);
        for (size_t k = 0; k < j && !dup; k++)
          if (!strcmp(rows->v[k].alloc, rows->v[j].alloc) && !strcmp(rows->v[k].table, table)) dup = 1;
        if (!dup) geomean_row(&g, rows, table, rows->v[j].alloc);
      }
    grid_print(f, &g);
    fprintf(f, "\n");
  }

  if (n_missing || n_added) {
    fprintf(f, "## Warnings\n\n");
    for (size_t i = 0; i < n_missing; i++)
      fprintf(f, "- cell %s is in the baseline but not in the current run\n", missing[i]);
    for (size_t i = 0; i < n_added; i++)
      fprintf(f, "- cell %s is new (not in the baseline): not compared\n", added[i]);
    fprintf(f, "\n");
  }
  fprintf(f, "**Result: %s.** hakmem cells: %zu regressed, %zu improved, %zu within noise, "
          "%zu no change, %zu not compared.\n",
          *regressed ? "REGRESSION" : "no regression", counts[0], counts[1], counts[2], counts[3],
          not_compared);
  for (size_t i = 0; i < rows->n; i++) {
    const row_t *r = &rows->v[i];
    if (strcmp(r->alloc, DECIDER) || !r->verdict || strcmp(r->verdict, "regressed")) continue;
    fprintf(f, "- regressed: %s (%s): ", r->id, r->label);
    if (!isfinite(r->change)) fprintf(f, "%s\n", r->note);
    else if (r->counted) fprintf(f, "%+.2f %% instructions per op (exact counts, threshold %g %%)\n",
                                 r->change, o->instr_threshold);
    else fprintf(f, "%+.2f %% %s, p = %.3g (alpha %g, threshold %g %%)\n", r->change,
                 r->vs_system ? "relative to system" : "ops/s", r->p, o->alpha, o->threshold);
  }
}

/* Ids of cells of `a` that `b` lacks. */
static size_t cells_missing(json_t *a, json_t *b, char ***out)
{
  json_t *acells = json_object_get(a, "cells"), *bcells = json_object_get(b, "cells");
  size_t n = 0, i;
  json_t *c;
  *out = malloc((json_array_size(acells) + 1) * sizeof **out);
  if (!*out) abort();
  json_array_foreach(acells, i, c) {
    const char *id = str_field(c, "id", NULL);
    if (id && !find_cell(bcells, id)) (*out)[n++] = (char *)id;
  }
  return n;
}

int hb_compare_main(int argc, char **argv)
{
  options_t o = { .alpha = 0.05, .threshold = 5, .instr_threshold = 1 };
  const char *files[2] = { NULL, NULL };
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has_value = !strcmp(a, "--md") || !strcmp(a, "--alpha") || !strcmp(a, "--threshold") ||
                    !strcmp(a, "--instr-threshold");
    if (has_value && i + 1 >= argc) {
      fprintf(stderr, "hakbench compare: %s needs a value\n", a);
      return HB_COMPARE_BAD_INPUT;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return HB_COMPARE_OK; }
    else if (!strcmp(a, "--all")) o.all = 1;
    else if (!strcmp(a, "--md")) o.md_path = argv[++i];
    else if (!strcmp(a, "--alpha")) { if (parse_number(a, argv[++i], 1e-9, 1, &o.alpha)) return HB_COMPARE_BAD_INPUT; }
    else if (!strcmp(a, "--threshold")) { if (parse_number(a, argv[++i], 0, 1000, &o.threshold)) return HB_COMPARE_BAD_INPUT; }
    else if (!strcmp(a, "--instr-threshold")) { if (parse_number(a, argv[++i], 0, 1000, &o.instr_threshold)) return HB_COMPARE_BAD_INPUT; }
    else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "hakbench compare: unknown option %s\n", a);
      usage(stderr);
      return HB_COMPARE_BAD_INPUT;
    } else if (nfiles < 2) files[nfiles++] = a;
    else {
      fprintf(stderr, "hakbench compare: too many files (%s)\n", a);
      return HB_COMPARE_BAD_INPUT;
    }
  }
  if (nfiles != 2) {
    usage(stderr);
    return HB_COMPARE_BAD_INPUT;
  }

  int status = HB_COMPARE_BAD_INPUT;
  json_t *base = load_results(files[0], "baseline"), *cur = NULL;
  if (base) cur = load_results(files[1], "current");
  if (!base || !cur) goto out;

  const char *bs = str_field(base, "suite", ""), *cs = str_field(cur, "suite", "");
  if (strcmp(bs, cs)) {
    fprintf(stderr, "hakbench compare: different suites: baseline %s is suite '%s', current %s is suite '%s'\n",
            files[0], bs, files[1], cs);
    goto out;
  }

  rows_t rows = { 0 };
  long common = compare_cells(base, cur, &o, &rows);
  char **missing = NULL, **added = NULL;
  size_t n_missing = cells_missing(base, cur, &missing), n_added = cells_missing(cur, base, &added);
  for (size_t i = 0; i < n_missing; i++)
    fprintf(stderr, "hakbench compare: warning: cell %s is in the baseline but not in the current run\n", missing[i]);
  for (size_t i = 0; i < n_added; i++)
    fprintf(stderr, "hakbench compare: warning: cell %s is not in the baseline: not compared\n", added[i]);
  if (common == 0)
    fprintf(stderr, "hakbench compare: no cells in common between %s and %s\n", files[0], files[1]);

  if (common > 0) {
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) abort();
    int regressed = 0;
    report(mem, &rows, &o, base, cur, files[0], files[1], missing, n_missing, added, n_added, &regressed);
    fclose(mem);
    fputs(text, stdout);
    fflush(stdout);
    status = regressed ? HB_COMPARE_REGRESSED : HB_COMPARE_OK;
    if (o.md_path) {
      FILE *md = fopen(o.md_path, "w");
      if (!md || fputs(text, md) < 0 || fclose(md) != 0) {
        fprintf(stderr, "hakbench compare: cannot write %s: %s\n", o.md_path, strerror(errno));
        status = HB_COMPARE_BAD_INPUT;
      }
    }
    free(text);
  }
  free(missing);
  free(added);
  free(rows.v);
out:
  json_decref(base);
  json_decref(cur);
  return status;
}
