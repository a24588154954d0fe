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
 * allocators' cells for information. Check cells (outcomes, not numbers)
 * are left out.
 */
#include "compare.h"
#include "report_data.h"
#include "mannwhitney.h"
#include "md.h"
#include "results.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
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
  double p_floor;          /* timed: the smallest p its sample sizes allow
                              when that is not below alpha, else 0          */
  const char *verdict;     /* NULL when not compared                       */
  char *note;              /* NULL when none                               */
  double busy;             /* timed, current run measured on a busy machine:
                              the CPUs other processes used; else NAN      */
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
    hb_err("compare: %s wants a number in [%g, %g], got '%s'", opt, lo, hi, s);
    return -1;
  }
  *out = v;
  return 0;
}

/* ---- reading the results ---------------------------------------------------- */

static const hb_cell_t *find_cell(const hb_results_t *r, const char *id)
{
  for (int i = 0; i < r->ncells; i++)
    if (!strcmp(r->cells[i].id, id)) return &r->cells[i];
  return NULL;
}

/* The value of an OK run of `alloc` at repetition `rep`, or NAN. */
static double run_value_at(const hb_cell_t *cell, const char *alloc, int rep)
{
  const hb_run_t *r = hb_series_run(hb_cell_series(cell, alloc), rep);
  return r && r->status == HB_OK ? r->value : NAN;
}

static int has_runs(const hb_cell_t *cell, const char *alloc)
{
  const hb_series_t *s = hb_cell_series(cell, alloc);
  return s && s->nruns > 0;
}

/* The cell's status for `alloc`: the stats status when present, else
 * "NO RUNS" when the allocator has none. */
static const char *alloc_status(const hb_cell_t *cell, const char *alloc)
{
  const hb_series_t *s = hb_cell_series(cell, alloc);
  if (s && s->has_stats) return hb_status_name(s->stats.status);
  return has_runs(cell, alloc) ? "OK" : "NO RUNS";
}

/* Samples of `alloc` in `cell`: OK values, or ratios to system's OK value
 * of the same repetition. Returns the count; *out is malloc'd. */
static size_t samples(const hb_cell_t *cell, const char *alloc, int vs_system, double **out)
{
  const hb_series_t *s = hb_cell_series(cell, alloc);
  size_t n = 0;
  *out = hb_xmalloc(((size_t)(s ? s->nruns : 0) + 1) * sizeof **out);
  for (int i = 0; s && i < s->nruns; i++) {
    const hb_run_t *r = &s->runs[i];
    if (r->status != HB_OK || !isfinite(r->value)) continue;
    double v = r->value;
    if (vs_system) {
      double sv = run_value_at(cell, REFERENCE, r->rep);
      if (!(sv > 0)) continue;
      v /= sv;
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
    rows->v = hb_xrealloc(rows->v, rows->cap * sizeof *rows->v);
  }
  row_t *r = &rows->v[rows->n++];
  memset(r, 0, sizeof *r);
  r->change = r->p = r->base = r->cur = r->busy = NAN;
  r->note = NULL;
  return r;
}

/* A row for allocator `alloc` of current cell `cc`. */
static row_t *add_cell_row(rows_t *rows, const hb_cell_t *cc, const char *alloc)
{
  row_t *r = add_row(rows);
  r->table = cc->table;
  r->id = cc->id;
  r->label = cc->label;
  r->alloc = alloc;
  r->metric = cc->metric;
  r->counted = cc->cachegrind;
  return r;
}

static void compare_alloc(row_t *row, const hb_cell_t *bc, const hb_cell_t *cc, const options_t *o)
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
    row->note = hb_sprintf("%s in current run%s%s", cs,
             base_ok ? "" : ", baseline: ", base_ok ? "" : bs);
  } else if (!cur_ok || !strcmp(bs, "NO RUNS")) {
    row->note = hb_sprintf("not compared: no runs in %s",
             cur_ok ? "baseline" : "current run");
  } else if (row->n_cur == 0) {
    row->note = hb_sprintf("not compared: no %s in current run",
             row->vs_system ? "repetition with both allocators OK" : "OK value");
  } else if (!base_ok || row->n_base == 0) {
    row->verdict = "improved";
    row->note = hb_sprintf("baseline: %s, now OK", base_ok ? "no usable value" : bs);
  } else if (!(row->base != 0)) {
    row->note = hb_xstrdup("not compared: baseline median is 0");
  } else {
    row->change = (row->cur - row->base) / fabs(row->base) * 100;
    double thr = row->counted ? o->instr_threshold : o->threshold;
    int beyond = fabs(row->change) > thr;
    int significant = 1;   /* exact counts carry no noise */
    if (!row->counted) {
      /* The most extreme ordering of nb + nc values: p = 2 / C(nb + nc, nb).
       * When even that is not below alpha, no result can be significant. */
      double comb = 1;
      for (size_t k = 1; k <= row->n_base; k++) comb = comb * (double)(row->n_cur + k) / (double)k;
      double floor_p = comb > 0 ? 2 / comb : 1;
      if (floor_p > 1) floor_p = 1;
      if (floor_p >= o->alpha) {
        row->p_floor = floor_p;
        row->note = hb_sprintf("cannot reach significance: %zu vs %zu repetitions, smallest possible p = %.3g",
                               row->n_base, row->n_cur, floor_p);
      }
      hb_mw_result_t mw;
      hb_mann_whitney(b, row->n_base, c, row->n_cur, &mw);
      row->p = mw.p;
      significant = mw.p < o->alpha;
    }
    int worse = row->better_higher ? row->cur < row->base : row->cur > row->base;
    if (beyond && significant) row->verdict = worse ? "regressed" : "improved";
    else if (beyond || (!row->counted && significant)) row->verdict = "within noise";
    else row->verdict = "no change";
    double other = row->counted ? NAN : hb_cell_other_cpus(cc);
    if (isfinite(other) && other >= HB_BUSY_CPUS) {
      row->busy = other;
      char *n = hb_sprintf("%s%smeasured on a busy machine (other processes used %.2f CPUs)", row->note ? row->note : "",
                           row->note ? "; " : "", other);
      free(row->note);
      row->note = n;
    }
    if (row->counted && (row->n_base > 1 || row->n_cur > 1) &&
        (b[0] != row->base || c[0] != row->cur))
      row->note = hb_xstrdup("counts vary between repetitions: medians compared");
  }
  free(b);
  free(c);
}

/* Compare every cell of `cur` that the baseline also has. Returns the
 * number of cells in common, or -1 on a mismatch reported on stderr. */
static long compare_cells(const hb_results_t *base, const hb_results_t *cur, const options_t *o, rows_t *rows)
{
  long common = 0;
  for (int i = 0; i < cur->ncells; i++) {
    const hb_cell_t *cc = &cur->cells[i], *bc = find_cell(base, cc->id);
    if (!bc || cc->check || bc->check) continue;  /* check cells hold outcomes, not measurements */
    common++;
    if (strcmp(bc->metric, cc->metric)) {
      hb_err("compare: cell %s measures %s in the baseline but %s now: regenerate the baseline", cc->id,
             bc->metric, cc->metric);
      return -1;
    }
    /* hakmem first, then (with --all) the others in the current file's order. */
    for (int pass = 0; pass < 2; pass++) {
      for (int k = 0; k < cc->nseries; k++) {
        const hb_series_t *s = &cc->series[k];
        if (!s->has_runs) continue;
        int is_decider = !strcmp(s->alloc, DECIDER);
        if (pass == 0 ? !is_decider : (is_decider || !o->all)) continue;
        if (!cc->cachegrind && !strcmp(s->alloc, REFERENCE) && has_runs(cc, DECIDER)) continue; /* ratio 1 */
        row_t *r = add_cell_row(rows, cc, s->alloc);
        r->better_higher = !cc->lower_better;
        compare_alloc(r, bc, cc, o);
      }
    }
    const hb_series_t *h = hb_cell_series(cc, DECIDER);
    if (!h || !h->has_runs) {
      row_t *r = add_cell_row(rows, cc, DECIDER);
      r->note = hb_xstrdup("not compared: no hakmem runs in current run");
    }
  }
  return common;
}

/* ---- the verdicts, counted --------------------------------------------------- */

typedef struct {
  size_t counts[4];          /* regressed, improved, within noise, no change */
  size_t not_compared;
  int regressed;
} tally_t;

static const char *const verdicts[4] = { "regressed", "improved", "within noise", "no change" };

static void tally(const rows_t *rows, tally_t *t)
{
  memset(t, 0, sizeof *t);
  for (size_t i = 0; i < rows->n; i++) {
    const row_t *r = &rows->v[i];
    if (strcmp(r->alloc, DECIDER)) continue;
    if (!r->verdict) { t->not_compared++; continue; }
    for (int k = 0; k < 4; k++)
      if (!strcmp(r->verdict, verdicts[k])) t->counts[k]++;
  }
  t->regressed = t->counts[0] > 0;
}

/* ---- the report -------------------------------------------------------------- */

/* Tables are markdown padded to their widest cell, so that the report reads
 * well both in a terminal and rendered. */
enum { NCOL = 9 };

static void fmt_value(char *buf, size_t n, double v, const row_t *r)
{
  if (!isfinite(v)) snprintf(buf, n, "-");
  else if (r->counted) snprintf(buf, n, "%.1f instr/op", v);
  else if (r->vs_system) snprintf(buf, n, "%.3f x system", v);
  else if (!strcmp(r->metric, HB_METRIC_OPS)) snprintf(buf, n, "%.3f M ops/s", v / 1e6);
  else snprintf(buf, n, "%.4g", v);
}

static void fmt_change(char *buf, size_t n, double c)
{
  if (isfinite(c)) snprintf(buf, n, "%+.2f %%", fabs(c) < 0.005 ? 0.0 : c);  /* no "-0.00" */
  else snprintf(buf, n, "-");
}

/* Geometric mean of current/baseline over the rows of one table and one
 * allocator that have both medians. */
static void geomean_row(hb_md_table_t *g, const rows_t *rows, const char *table, const char *alloc)
{
  double *ratio = hb_xmalloc((rows->n + 1) * 3 * sizeof *ratio);
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
    hb_md_row(g, cols);
  }
  free(ratio);
}

static void print_context(hb_buf_t *f, const char *role, const char *path, const hb_results_t *r)
{
  hb_buf_printf(f, "- %s: `%s`, commit %s%s, %s", role, path, r->ctx.git_commit ? r->ctx.git_commit : "unknown",
                r->ctx.git_dirty ? " (dirty)" : "", r->ctx.date ? r->ctx.date : "date unknown");
  if (!r->complete) hb_buf_printf(f, ", **incomplete run**");
  hb_buf_printf(f, "\n");
}

static void report(hb_buf_t *f, const rows_t *rows, const tally_t *t, const options_t *o, const hb_results_t *base,
                   const hb_results_t *cur, const char *bpath, const char *cpath, char **missing, size_t n_missing,
                   char **added, size_t n_added)
{
  hb_buf_printf(f, "# Comparison: suite %s\n\n", cur->suite);
  print_context(f, "baseline", bpath, base);
  print_context(f, "current", cpath, cur);
  hb_buf_printf(f, "- rules: timed cells regress or improve when p < %g and |change| > %g %%; "
                "instruction counts when |change| > %g %%. Timed values are hakmem/system "
                "ratios from the same run.\n\n", o->alpha, o->threshold, o->instr_threshold);

  /* One table per "table" name, in order of first appearance. */
  for (size_t i = 0; i < rows->n; i++) {
    const char *table = rows->v[i].table;
    int seen = 0;
    for (size_t j = 0; j < i; j++)
      if (!strcmp(rows->v[j].table, table)) seen = 1;
    if (seen) continue;
    hb_buf_printf(f, "## %s\n\n", table);
    static const char *const head[NCOL] = { "cell", "allocator", "n base/cur", "baseline", "current",
                                            "change", "p", "verdict", "note" };
    hb_md_table_t g;
    hb_md_init(&g, NCOL, head, NULL);
    g.padded = g.sanitize = 1;
    for (size_t j = i; j < rows->n; j++) {
      const row_t *r = &rows->v[j];
      if (strcmp(r->table, table)) continue;
      char nb[32], bb[64], cb[64], ch[64], pb[32];
      char *cell = hb_sprintf("%s (%s)", r->label, r->id);
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
      hb_md_row(&g, cols);
      free(cell);
    }
    geomean_row(&g, rows, table, DECIDER);
    if (o->all)
      for (size_t j = 0; j < rows->n; j++) {
        int dup = !strcmp(rows->v[j].alloc, DECIDER) || strcmp(rows->v[j].table, table);
        for (size_t k = 0; k < j && !dup; k++)
          if (!strcmp(rows->v[k].alloc, rows->v[j].alloc) && !strcmp(rows->v[k].table, table)) dup = 1;
        if (!dup) geomean_row(&g, rows, table, rows->v[j].alloc);
      }
    hb_md_render(&g, f);
    hb_md_free(&g);
    hb_buf_printf(f, "\n");
  }

  if (n_missing || n_added) {
    hb_buf_printf(f, "## Warnings\n\n");
    for (size_t i = 0; i < n_missing; i++)
      hb_buf_printf(f, "- cell %s is in the baseline but not in the current run\n", missing[i]);
    for (size_t i = 0; i < n_added; i++)
      hb_buf_printf(f, "- cell %s is new (not in the baseline): not compared\n", added[i]);
    hb_buf_printf(f, "\n");
  }
  hb_buf_printf(f, "**Result: %s.** hakmem cells: %zu regressed, %zu improved, %zu within noise, "
                "%zu no change, %zu not compared.\n", t->regressed ? "REGRESSION" : "no regression",
                t->counts[0], t->counts[1], t->counts[2], t->counts[3], t->not_compared);
  for (size_t i = 0; i < rows->n; i++) {
    const row_t *r = &rows->v[i];
    if (strcmp(r->alloc, DECIDER) || !r->verdict || strcmp(r->verdict, "regressed")) continue;
    hb_buf_printf(f, "- regressed: %s (%s): ", r->id, r->label);
    if (!isfinite(r->change)) hb_buf_printf(f, "%s\n", r->note ? r->note : "");
    else if (r->counted) hb_buf_printf(f, "%+.2f %% instructions per op (exact counts, threshold %g %%)\n",
                                       r->change, o->instr_threshold);
    else hb_buf_printf(f, "%+.2f %% %s, p = %.3g (alpha %g, threshold %g %%)%s\n", r->change,
                       r->vs_system ? "relative to system" : "ops/s", r->p, o->alpha, o->threshold,
                       isfinite(r->busy) ? " [busy machine]" : "");
  }
}

/* Ids of cells of `a` that `b` lacks. */
static size_t cells_missing(const hb_results_t *a, const hb_results_t *b, char ***out)
{
  size_t n = 0;
  *out = hb_xmalloc(((size_t)a->ncells + 1) * sizeof **out);
  for (int i = 0; i < a->ncells; i++)
    if (!a->cells[i].check && !find_cell(b, a->cells[i].id)) (*out)[n++] = a->cells[i].id;
  return n;
}

int hb_compare_main(int argc, char **argv)
{
  static const struct option opts[] = {
    { "md", required_argument, 0, 'm' }, { "alpha", required_argument, 0, 'a' },
    { "threshold", required_argument, 0, 't' }, { "instr-threshold", required_argument, 0, 'i' },
    { "all", no_argument, 0, 'A' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
  options_t o = { .alpha = 0.05, .threshold = 5, .instr_threshold = 1 };
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'm': o.md_path = optarg; break;
    case 'a': if (parse_number("--alpha", optarg, 1e-9, 1, &o.alpha)) return HB_EXIT_USAGE; break;
    case 't': if (parse_number("--threshold", optarg, 0, 1000, &o.threshold)) return HB_EXIT_USAGE; break;
    case 'i': if (parse_number("--instr-threshold", optarg, 0, 1000, &o.instr_threshold)) return HB_EXIT_USAGE; break;
    case 'A': o.all = 1; break;
    case 'h': usage(stdout); return HB_EXIT_OK;
    default:
      if (optopt) hb_err("compare: %s needs a value", argv[optind - 1]);
      else hb_err("compare: unknown option %s", argv[optind - 1]);
      usage(stderr);
      return HB_EXIT_USAGE;
    }
  }
  if (argc - optind != 2) {
    if (argc - optind > 2) hb_err("compare: too many files (%s)", argv[optind + 2]);
    usage(stderr);
    return HB_EXIT_USAGE;
  }
  const char *files[2] = { argv[optind], argv[optind + 1] };

  int status = HB_EXIT_USAGE;
  char *bwhat = hb_sprintf("baseline file %s", files[0]), *cwhat = hb_sprintf("current file %s", files[1]);
  hb_results_t *base = hb_results_load(files[0], bwhat, NULL), *cur = NULL;
  if (base) cur = hb_results_load(files[1], cwhat, NULL);
  free(bwhat);
  free(cwhat);
  if (!base || !cur) goto out;

  if (strcmp(base->suite, cur->suite)) {
    hb_err("compare: different suites: baseline %s is suite '%s', current %s is suite '%s'",
           files[0], base->suite, files[1], cur->suite);
    goto out;
  }

  rows_t rows = { 0 };
  long common = compare_cells(base, cur, &o, &rows);
  char **missing = NULL, **added = NULL;
  size_t n_missing = cells_missing(base, cur, &missing), n_added = cells_missing(cur, base, &added);
  for (size_t i = 0; i < n_missing; i++)
    hb_err("compare: warning: cell %s is in the baseline but not in the current run", missing[i]);
  for (size_t i = 0; i < n_added; i++)
    hb_err("compare: warning: cell %s is not in the baseline: not compared", added[i]);
  for (size_t i = 0; i < rows.n; i++) {
    const row_t *r = &rows.v[i];
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) seen = rows.v[j].p_floor > 0 && !strcmp(rows.v[j].id, r->id);
    if (r->p_floor > 0 && !seen)
      hb_err("compare: warning: cell %s cannot reach significance: %zu vs %zu repetitions, smallest possible "
             "p = %.3g >= alpha %g (run more repetitions)", r->id, r->n_base, r->n_cur, r->p_floor, o.alpha);
  }
  if (common == 0)
    hb_err("compare: no cells in common between %s and %s%s", files[0], files[1],
           base->ncells && cur->ncells && base->cells[0].check ? " (check cells hold outcomes and are not compared)" : "");

  if (common > 0) {
    tally_t t;
    tally(&rows, &t);
    hb_buf_t text = { 0 };
    report(&text, &rows, &t, &o, base, cur, files[0], files[1], missing, n_missing, added, n_added);
    fputs(text.s, stdout);
    fflush(stdout);
    status = t.regressed ? HB_EXIT_FAIL : HB_EXIT_OK;
    if (o.md_path && hb_write_file_atomic(o.md_path, text.s, text.len) != 0) {
      hb_err("compare: cannot write %s: %s", o.md_path, strerror(errno));
      status = HB_EXIT_USAGE;
    }
    hb_buf_free(&text);
  }
  free(missing);
  free(added);
  for (size_t i = 0; i < rows.n; i++) free(rows.v[i].note);
  free(rows.v);
out:
  hb_results_free(base);
  hb_results_free(cur);
  return status;
}
