/* report_data.c: results model -> hb_report_t, every figure the report
 * shows, before anything is printed (see report_data.h). */
#include "report_data.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef hb_report_t R_t;

#define NEW(p, n) ((p) = hb_xmalloc(sizeof *(p) * (size_t)((n) + 1)), memset((p), 0, sizeof *(p) * (size_t)((n) + 1)))

static int nalloc(const R_t *R) { return R->r->nallocs; }
static const char *aname(const R_t *R, int i) { return R->r->allocs[i].name; }
static int available(const R_t *R, int i) { return R->r->allocs[i].available; }

static const hb_stats_t *stats_of(const hb_cell_t *c, const char *alloc)
{
  const hb_series_t *s = hb_cell_series(c, alloc);
  return s && s->has_stats ? &s->stats : NULL;
}

/* Median of an allocator in a cell when its runs are all OK. */
static int cell_value(const hb_cell_t *c, const char *alloc, double *v)
{
  const hb_stats_t *s = stats_of(c, alloc);
  if (!s || s->status != HB_OK) return 0;
  *v = s->median;
  return isfinite(*v);
}

static hb_shown_t shown(const R_t *R, const hb_cell_t *c, int i)
{
  hb_shown_t sh = { HB_SHOW_NA, NAN, NAN, HB_OK, 0, 0 };
  if (!available(R, i)) return sh;
  const hb_stats_t *s = stats_of(c, aname(R, i));
  if (!s) { sh.kind = HB_SHOW_NOT_RUN; return sh; }
  sh.spread = s->n >= 2 && isfinite(s->iqr) ? s->iqr / 2 : NAN;
  if (cell_value(c, aname(R, i), &sh.value)) { sh.kind = HB_SHOW_VALUE; return sh; }
  sh.kind = HB_SHOW_STATUS;
  sh.status = s->status;
  sh.ok = s->n;
  sh.reps = c->reps;
  return sh;
}

/* hakmem relative to `other` as a ratio of "as good" (> 1 = better). */
static int ratio(const R_t *R, const hb_cell_t *c, int other, double *r)
{
  double h, o;
  if (R->hak < 0 || other < 0) return 0;
  if (!cell_value(c, aname(R, R->hak), &h) || !cell_value(c, aname(R, other), &o)) return 0;
  if (!(h > 0) || !(o > 0)) return 0;
  *r = c->lower_better ? o / h : h / o;
  return 1;
}

/* Largest repetition count of any cell (sizes the per-repetition arrays). */
static int max_reps(const R_t *R)
{
  int m = 1;
  for (int i = 0; i < R->r->ncells; i++)
    for (int j = 0; j < R->r->cells[i].nseries; j++) {
      const hb_series_t *s = &R->r->cells[i].series[j];
      for (int k = 0; k < s->nruns; k++) if (s->runs[k].rep + 1 > m) m = s->runs[k].rep + 1;
    }
  return m;
}

/* hakmem's ratio to `other` per repetition index, in byrep[0..nrep) (NAN
 * where either run is missing or failed); the number of pairs. */
static int pairs_by_rep(const R_t *R, const hb_cell_t *c, int other, double *byrep, int nrep)
{
  for (int k = 0; k < nrep; k++) byrep[k] = NAN;
  const hb_series_t *h = hb_cell_series(c, aname(R, R->hak)), *o = hb_cell_series(c, aname(R, other));
  int n = 0;
  for (int k = 0; h && o && k < h->nruns; k++) {
    const hb_run_t *a = &h->runs[k], *b = hb_series_run(o, a->rep);
    if (a->status != HB_OK || !b || b->status != HB_OK || a->rep < 0 || a->rep >= nrep) continue;
    if (!(a->value > 0) || !(b->value > 0)) continue;
    byrep[a->rep] = c->lower_better ? b->value / a->value : a->value / b->value;
    n++;
  }
  return n;
}

/* The verdict on a set of ratios (see report_data.h). */
static void judge(const double *v, int n, hb_paired_t *p)
{
  memset(p, 0, sizeof *p);
  p->verdict = HB_CMP_NONE;
  p->ratio = NAN;
  if (n <= 0 || hb_median_ci(v, (size_t)n, HB_CI_LEVEL, &p->ci) != 0) return;
  p->ratio = p->ci.median;
  p->verdict = HB_CMP_TIE;
  if (p->ci.coverage >= HB_MIN_COVERAGE) {
    if (p->ci.lo > 1) p->verdict = HB_CMP_BETTER;
    else if (p->ci.hi < 1) p->verdict = HB_CMP_WORSE;
  }
}

/* hakmem against `other` in a cell, paired per repetition; 0 when there is
 * no ratio (a side missing or not every run OK). */
static int paired(const R_t *R, const hb_cell_t *c, int other, hb_paired_t *p)
{
  double dummy;
  judge(NULL, 0, p);
  if (!ratio(R, c, other, &dummy)) return 0;
  int nrep = max_reps(R);
  double *byrep = hb_xmalloc(sizeof(double) * (size_t)nrep), *v = hb_xmalloc(sizeof(double) * (size_t)nrep);
  pairs_by_rep(R, c, other, byrep, nrep);
  int n = 0;
  for (int k = 0; k < nrep; k++) if (isfinite(byrep[k])) v[n++] = byrep[k];
  judge(v, n, p);
  free(byrep);
  free(v);
  return n > 0;
}

/* Adds a cell's other-process CPU time and wall time (runs that recorded both). */
static void cell_cpu_sums(const hb_cell_t *c, double *other, double *wall)
{
  for (int j = 0; j < c->nseries; j++)
    for (int k = 0; k < c->series[j].nruns; k++) {
      const hb_run_t *run = &c->series[j].runs[k];
      if (!isfinite(run->other_cpu_s) || !isfinite(run->wall_s)) continue;
      *other += run->other_cpu_s;
      *wall += run->wall_s;
    }
}

/* Mean CPUs other processes used during a cell's runs, NAN if not recorded
 * (each run's figure is signed, off by a clock tick either way: the sum is
 * clamped, not the runs). */
double hb_cell_other_cpus(const hb_cell_t *c)
{
  double other = 0, wall = 0;
  cell_cpu_sums(c, &other, &wall);
  return wall > 0 ? fmax(other, 0) / wall : NAN;
}

/* The best allocator other than hakmem in a cell, -1 when none ran OK. */
static int best_other(const R_t *R, const hb_cell_t *c)
{
  int best = -1;
  double bv = 0, v;
  for (int i = 0; i < nalloc(R); i++) {
    if (i == R->hak || !cell_value(c, aname(R, i), &v)) continue;
    if (best < 0 || (c->lower_better ? v < bv : v > bv)) { best = i; bv = v; }
  }
  return best;
}

static const hb_cell_t *first_in(const R_t *R, const char *table)
{
  for (int i = 0; i < R->r->ncells; i++)
    if (strcmp(R->r->cells[i].table, table) == 0) return &R->r->cells[i];
  return NULL;
}

static int count_in(const R_t *R, const char *table)
{
  int n = 0;
  for (int i = 0; i < R->r->ncells; i++) n += strcmp(R->r->cells[i].table, table) == 0;
  return n;
}

static void ratios_add(hb_ratios_t *a, int cap, const char *label, int has_sys, double sys, int has_best, double best)
{
  if (!a->vs_sys) { NEW(a->vs_sys, cap); NEW(a->vs_best, cap); NEW(a->label, cap); }
  if (has_sys) { a->label[a->n_sys] = label; a->vs_sys[a->n_sys++] = sys; }
  if (has_best) a->vs_best[a->n_best++] = best;
}

const char *hb_cell_unit(const hb_cell_t *c)
{
  if (strcmp(c->metric, HB_METRIC_OPS) == 0) return "M ops/s";
  if (strcmp(c->metric, HB_METRIC_INSTR) == 0) return "instructions/op";
  if (strcmp(c->metric, HB_METRIC_WALL) == 0) return "s";
  return c->program && c->program->unit ? c->program->unit : "value";
}

/* One row per cell of `table`, one column per allocator, and the ratios. */
static void value_table(const R_t *R, const char *table, const char *first, hb_value_table_t *t)
{
  t->table = table;
  t->first_col = first;
  NEW(t->rows, count_in(R, table));
  for (int ci = 0; ci < R->r->ncells; ci++) {
    const hb_cell_t *c = &R->r->cells[ci];
    if (strcmp(c->table, table) != 0) continue;
    if (t->nrows == 0) t->unit = hb_cell_unit(c);
    else if (t->unit && strcmp(t->unit, hb_cell_unit(c)) != 0) t->unit = NULL;
    hb_value_row_t *row = &t->rows[t->nrows++];
    row->cell = c;
    NEW(row->shown, nalloc(R));
    for (int i = 0; i < nalloc(R); i++) row->shown[i] = shown(R, c, i);
    row->has_vs_sys = paired(R, c, R->sys, &row->p_sys);
    row->vs_sys = row->p_sys.ratio;
    row->best = best_other(R, c);
    if (!(row->best >= 0 && row->best != R->hak && paired(R, c, row->best, &row->p_best))) {
      row->best = -1;
      judge(NULL, 0, &row->p_best);
    }
    row->vs_best = row->p_best.ratio;
    row->other_cpus = hb_cell_other_cpus(c);
    row->busy = isfinite(row->other_cpus) && row->other_cpus >= HB_BUSY_CPUS;
  }
}

/* The interval of a geometric mean over rows: for each repetition index
 * where every row has a pair, the geometric mean of that repetition's
 * ratios; then the median and its interval over those repetitions. */
static void geo_interval(const R_t *R, const hb_value_table_t *const *t, int nt, int vs_best, hb_paired_t *p)
{
  int nrep = max_reps(R);
  double *logsum = hb_xmalloc(sizeof(double) * (size_t)nrep), *byrep = hb_xmalloc(sizeof(double) * (size_t)nrep);
  int *ok = hb_xmalloc(sizeof(int) * (size_t)nrep), rows = 0;
  for (int k = 0; k < nrep; k++) { logsum[k] = 0; ok[k] = 1; }
  for (int ti = 0; ti < nt; ti++)
    for (int i = 0; i < t[ti]->nrows; i++) {
      const hb_value_row_t *row = &t[ti]->rows[i];
      int other = vs_best ? row->best : R->sys;
      if (vs_best ? row->best < 0 : !row->has_vs_sys) continue;
      rows++;
      pairs_by_rep(R, row->cell, other, byrep, nrep);
      for (int k = 0; k < nrep; k++) {
        if (isfinite(byrep[k])) logsum[k] += log(byrep[k]);
        else ok[k] = 0;
      }
    }
  int n = 0;
  for (int k = 0; k < nrep && rows; k++) if (ok[k]) byrep[n++] = exp(logsum[k] / rows);
  judge(byrep, n, p);
  free(logsum);
  free(byrep);
  free(ok);
}

static void collect(const R_t *R, const hb_value_table_t *const *t, int nt, hb_ratios_t *a, int cap)
{
  for (int ti = 0; ti < nt; ti++)
    for (int i = 0; i < t[ti]->nrows; i++) {
      const hb_value_row_t *row = &t[ti]->rows[i];
      ratios_add(a, cap, row->cell->label, row->has_vs_sys, row->vs_sys, row->best >= 0, row->vs_best);
      if (row->has_vs_sys) a->cnt_sys[row->p_sys.verdict]++;
      if (row->best >= 0) a->cnt_best[row->p_best.verdict]++;
    }
  a->geo_sys = a->n_sys ? hb_geomean(a->vs_sys, (size_t)a->n_sys) : NAN;
  a->geo_best = a->n_best ? hb_geomean(a->vs_best, (size_t)a->n_best) : NAN;
  geo_interval(R, t, nt, 0, &a->pg_sys);
  geo_interval(R, t, nt, 1, &a->pg_best);
  a->best = a->worst = a->n_sys ? 0 : -1;
  for (int i = 1; i < a->n_sys; i++) {
    if (a->vs_sys[i] > a->vs_sys[a->best]) a->best = i;
    if (a->vs_sys[i] < a->vs_sys[a->worst]) a->worst = i;
  }
}

/* Each allocator's geometric mean, over the rows of t where it and system
 * both ran OK, of its time relative to system's (throughput: system/value). */
static void other_norm(const R_t *R, const hb_value_table_t *t, double *norm, int *n)
{
  for (int a = 0; a < nalloc(R); a++) {
    double logsum = 0;
    n[a] = 0;
    for (int i = 0; i < t->nrows && R->sys >= 0; i++) {
      const hb_cell_t *c = t->rows[i].cell;
      double v, s;
      if (!cell_value(c, aname(R, a), &v) || !cell_value(c, aname(R, R->sys), &s) || !(v > 0) || !(s > 0)) continue;
      logsum += log(c->lower_better ? v / s : s / v);
      n[a]++;
    }
    norm[a] = n[a] ? exp(logsum / n[a]) : NAN;
  }
}

/* Median peak RSS (KiB) per row and allocator. */
static void rss_table(const R_t *R, const hb_value_table_t *t, hb_metric_table_t *m)
{
  m->first_col = "Peak RSS, MiB (median)";
  NEW(m->labels, t->nrows);
  NEW(m->v, t->nrows * nalloc(R));
  m->nrows = t->nrows;
  for (int i = 0; i < t->nrows; i++) {
    const hb_cell_t *c = t->rows[i].cell;
    m->labels[i] = c->label;
    for (int a = 0; a < nalloc(R); a++) {
      hb_metric_cell_t *mc = &m->v[i * nalloc(R) + a];
      const hb_stats_t *s = stats_of(c, aname(R, a));
      mc->fallback = t->rows[i].shown[a];
      if (s && s->n > 0 && isfinite(s->peak_rss_kb_median) && !c->cachegrind) {
        mc->has = 1;
        mc->v = s->peak_rss_kb_median / 1024;
      }
    }
  }
}

/* ---- 2. long run --------------------------------------------------------- */

/* Median over OK runs of a field of the workload's output (NAN: absent). */
static int output_median(const hb_cell_t *c, const char *alloc, int which, double *out)
{
  const hb_series_t *s = hb_cell_series(c, alloc);
  if (!s) return 0;
  double *v = hb_xmalloc(sizeof(double) * (size_t)(s->nruns + 1));
  size_t n = 0;
  for (int i = 0; i < s->nruns; i++) {
    if (s->runs[i].status != HB_OK) continue;
    double x = which ? s->runs[i].output.rss_growth_pct : s->runs[i].output.cv;
    if (isfinite(x)) v[n++] = x;
  }
  if (n) *out = hb_median(v, n);
  free(v);
  return n > 0;
}

enum { M_CV, M_VS_SHORT, M_RSS };

static int metric(const R_t *R, const hb_cell_t *c, int a, int which, double *out)
{
  double v, sv;
  if (!cell_value(c, aname(R, a), &v)) return 0;
  if (which == M_CV) {
    if (!output_median(c, aname(R, a), 0, &v)) return 0;
    *out = v * 100;
    return 1;
  }
  if (which == M_RSS) return output_median(c, aname(R, a), 1, out);
  /* against the short random-mixed run of the same size */
  for (int i = 0; i < R->r->ncells; i++) {
    const hb_cell_t *s = &R->r->cells[i];
    if (strcmp(s->table, "random_mixed_short") != 0 || strcmp(s->label, c->label) != 0) continue;
    if (!cell_value(s, aname(R, a), &sv) || !(sv > 0)) return 0;
    *out = (v / sv - 1) * 100;
    return 1;
  }
  return 0;
}

static void metric_table(const R_t *R, const char *table, const char *first, int which, hb_metric_table_t *t)
{
  int n = count_in(R, table);
  t->first_col = first;
  NEW(t->labels, n);
  NEW(t->v, n * nalloc(R));
  for (int ci = 0; ci < R->r->ncells; ci++) {
    const hb_cell_t *c = &R->r->cells[ci];
    if (strcmp(c->table, table) != 0) continue;
    t->labels[t->nrows] = c->label;
    for (int i = 0; i < nalloc(R); i++) {
      hb_metric_cell_t *m = &t->v[t->nrows * nalloc(R) + i];
      m->has = metric(R, c, i, which, &m->v);
      m->fallback = shown(R, c, i);
      if (m->fallback.kind == HB_SHOW_VALUE) m->fallback.kind = HB_SHOW_NA;  /* ran, but no figure */
    }
    t->nrows++;
  }
}

/* ---- 3. Larson ----------------------------------------------------------- */

static void scaling(const R_t *R, const char *table, hb_scaling_t *s)
{
  const hb_cell_t *one = NULL, *most = NULL;
  for (int i = 0; i < R->r->ncells; i++) {
    const hb_cell_t *c = &R->r->cells[i];
    if (strcmp(c->table, table) != 0) continue;
    if (c->threads == 1 && !one) one = c;
    if (!most || c->threads > most->threads) most = c;
  }
  if (!one || !most || one == most) return;
  s->present = 1;
  s->most = most->threads;
  NEW(s->has, nalloc(R));
  NEW(s->x, nalloc(R));
  for (int i = 0; i < nalloc(R); i++) {
    double a, b;
    if (cell_value(one, aname(R, i), &a) && cell_value(most, aname(R, i), &b) && a > 0) {
      s->has[i] = 1;
      s->x[i] = b / a;
    }
  }
}

/* ---- 7. checklist ------------------------------------------------------- */

static int failures(const R_t *R, const char *name, char **first)
{
  hb_buf_t d = {0};
  int n = 0;
  for (int ci = 0; ci < R->r->ncells; ci++) {
    const hb_cell_t *c = &R->r->cells[ci];
    const hb_series_t *s = c->check ? NULL : hb_cell_series(c, name);  /* check outcomes: their own section */
    for (int j = 0; s && j < s->nruns; j++) {
      if (s->runs[j].status == HB_OK) continue;
      if (n < 5) hb_buf_printf(&d, "%s%s %s", n ? ", " : "", c->id, hb_status_name(s->runs[j].status));
      n++;
    }
  }
  *first = d.s ? d.s : hb_xstrdup("");
  return n;
}

static void check(R_t *R, int done, char *text)
{
  R->checks = hb_xrealloc(R->checks, sizeof *R->checks * (size_t)(R->nchecks + 1));
  R->checks[R->nchecks++] = (hb_check_t){ done, text };
}

/* A geometric-mean target: 1 met (the whole interval at or above it, at
 * least HB_MIN_COVERAGE sure), -1 missed (the whole interval below it),
 * 0 undecided (the interval straddles it, or too few repetitions), -2 n/a. */
static int target_met(double geo, const hb_paired_t *p, double target)
{
  if (!isfinite(geo)) return -2;
  if (p->verdict == HB_CMP_NONE || p->ci.coverage < HB_MIN_COVERAGE) return geo < target && p->verdict != HB_CMP_NONE &&
                                                                            p->ci.hi < target ? -1 : 0;
  if (p->ci.lo >= target) return 1;
  if (p->ci.hi < target) return -1;
  return 0;
}

/* "93 % [88-97], met; rows: 2 ahead, 5 tied, 3 behind" */
static char *target_text(double geo, const hb_paired_t *p, int met, const int *cnt)
{
  if (met == -2) return hb_xstrdup("n/a");
  hb_buf_t b = {0};
  hb_buf_printf(&b, "%.0f %%", geo * 100);
  if (p->verdict != HB_CMP_NONE) hb_buf_printf(&b, " [%.0f-%.0f]", p->ci.lo * 100, p->ci.hi * 100);
  hb_buf_printf(&b, ", %s", met == 1 ? "met" : met == -1 ? "not met" : "undecided (the interval includes the target, or too few repetitions)");
  hb_buf_printf(&b, "; rows: %d ahead, %d tied, %d behind", cnt[HB_CMP_BETTER], cnt[HB_CMP_TIE], cnt[HB_CMP_WORSE]);
  return b.s;
}

static void checklist(R_t *R)
{
  R->hak_ok = R->hak >= 0 && available(R, R->hak);
  char *d;
  int f = R->hak_ok ? failures(R, "hakmem", &d) : (d = hb_xstrdup(""), -1);
  check(R, f == 0, hb_sprintf("hakmem: no crash, hang, corruption or invalid run in any cell (%s%s%s)",
                              f < 0 ? "not run" : f == 0 ? "0 failed runs" : hb_sprintf("%d failed run%s: ", f, f == 1 ? "" : "s"),
                              f > 0 ? d : "", f > 5 ? ", ..." : ""));
  free(d);
  if (R->reg_fails >= 0)
    check(R, R->hak_ok && R->reg_fails == 0, hb_sprintf("hakmem passes every regression case (%s)",
          !R->hak_ok ? "not run" : R->reg_fails == 0 ? "all pass" : hb_sprintf("%d failing", R->reg_fails)));
  int mt_fail = 0, mt_cells = 0;
  for (int ci = 0; ci < R->r->ncells; ci++) {
    const hb_cell_t *c = &R->r->cells[ci];
    if (strncmp(c->table, "larson", 6) != 0 || c->threads < 2) continue;
    mt_cells++;
    double v;
    if (!R->hak_ok || !cell_value(c, "hakmem", &v)) mt_fail++;
  }
  if (mt_cells)
    check(R, R->hak_ok && mt_fail == 0, hb_sprintf("hakmem completes every multi-threaded Larson cell "
          "(the original hung at 2 and crashed at 4 threads): %d of %d", R->hak_ok ? mt_cells - mt_fail : 0, mt_cells));
  const hb_ratios_t *rm = &R->rm_all;
  int ms = target_met(rm->geo_sys, &rm->pg_sys, HB_TARGET_VS_SYSTEM);
  int mb = target_met(rm->geo_best, &rm->pg_best, HB_TARGET_VS_BEST);
  check(R, ms == 1, hb_sprintf("hakmem at least %.0f %% of system on random mixed (geometric mean "
        "over %d cells): %s", HB_TARGET_VS_SYSTEM * 100, rm->n_sys, target_text(rm->geo_sys, &rm->pg_sys, ms, rm->cnt_sys)));
  check(R, mb == 1, hb_sprintf("hakmem at least %.0f %% of the best other allocator of each "
        "random-mixed row (geometric mean): %s", HB_TARGET_VS_BEST * 100, target_text(rm->geo_best, &rm->pg_best, mb, rm->cnt_best)));
  check(R, R->r->complete, hb_xstrdup("every planned run finished"));
  NEW(R->others, nalloc(R));
  for (int i = 0; i < nalloc(R); i++) {
    if (i == R->hak) continue;
    hb_failures_t *o = &R->others[R->nothers++];
    o->alloc = aname(R, i);
    o->installed = available(R, i);
    o->n = o->installed ? failures(R, o->alloc, &o->first) : 0;
  }
}

/* ---- conformance and misuse ---------------------------------------------- */

static int outcome_passes(hb_outcome_t o) { return o == HB_OUT_PASS; }

/* What one allocator's runs of a check cell showed. */
static hb_check_shown_t check_shown(const R_t *R, const hb_cell_t *c, int a)
{
  hb_check_shown_t sh;
  memset(&sh, 0, sizeof sh);
  sh.kind = HB_SHOW_NA;
  if (!available(R, a)) return sh;
  const hb_series_t *s = hb_cell_series(c, aname(R, a));
  if (!s || s->nruns == 0) { sh.kind = HB_SHOW_NOT_RUN; return sh; }
  sh.kind = HB_SHOW_VALUE;
  sh.outcome = s->runs[0].outcome;
  sh.signal = s->runs[0].signal;
  for (int k = 0; k < s->nruns; k++) {
    sh.n[s->runs[k].outcome]++;
    sh.varies |= s->runs[k].outcome != sh.outcome;
  }
  return sh;
}

/* The first run of a series with outcome o: its detail, for a footnote. */
static const char *detail_of(const hb_cell_t *c, const char *alloc, hb_outcome_t o)
{
  const hb_series_t *s = hb_cell_series(c, alloc);
  for (int k = 0; s && k < s->nruns; k++)
    if (s->runs[k].outcome == o) return s->runs[k].detail;
  return NULL;
}

/* One table per kind: a row per cell, a footnote for every outcome that
 * needs its reason (conformance: all but pass; misuse: hang, invalid,
 * error), numbered in row order. */
static void check_table(R_t *R, hb_check_kind_t kind, hb_check_table_t *t)
{
  int n = 0;
  for (int ci = 0; ci < R->r->ncells; ci++) n += R->r->cells[ci].check == kind;
  NEW(t->rows, n);
  NEW(t->notes, n * nalloc(R));
  for (int ci = 0; ci < R->r->ncells; ci++) {
    const hb_cell_t *c = &R->r->cells[ci];
    if (c->check != kind) continue;
    hb_check_row_t *row = &t->rows[t->nrows++];
    row->cell = c;
    NEW(row->shown, nalloc(R));
    for (int a = 0; a < nalloc(R); a++) {
      hb_check_shown_t *sh = &row->shown[a];
      *sh = check_shown(R, c, a);
      if (sh->kind != HB_SHOW_VALUE) continue;
      /* the outcome that needs a reason: the shown one, or when the runs
       * differ the first run's that is not a plain result */
      hb_outcome_t o = sh->outcome;
      for (int k = HB_OUT_PASS; sh->varies && k < HB_OUT_COUNT; k++)
        if (sh->n[k] && (kind == HB_CHECK_CONFORM ? !outcome_passes((hb_outcome_t)k) : k >= HB_OUT_HANG)) { o = (hb_outcome_t)k; break; }
      int needs = kind == HB_CHECK_CONFORM ? !outcome_passes(o) : o >= HB_OUT_HANG;
      if (!needs) continue;
      t->notes[t->nnotes] = (hb_check_note_t){ c, a, o, detail_of(c, aname(R, a), o) };
      sh->note = ++t->nnotes;
    }
  }
}

static void checks(R_t *R)
{
  const hb_results_t *r = R->r;
  R->checks_only = r->ncells > 0;
  for (int ci = 0; ci < r->ncells; ci++) {
    const hb_cell_t *c = &r->cells[ci];
    R->has_checks |= c->check != HB_CHECK_NONE;
    R->checks_only &= c->check != HB_CHECK_NONE;
    R->nconform += c->check == HB_CHECK_CONFORM;
    R->nmisuse += c->check == HB_CHECK_MISUSE;
  }
  if (!R->has_checks) return;
  check_table(R, HB_CHECK_CONFORM, &R->conform);
  check_table(R, HB_CHECK_MISUSE, &R->misuse);
  NEW(R->check_counts, nalloc(R));
  for (int a = 0; a < nalloc(R); a++) {
    hb_check_counts_t *k = &R->check_counts[a];
    k->installed = available(R, a);
    for (int pass = 0; pass < 2; pass++) {
      const hb_check_table_t *t = pass ? &R->misuse : &R->conform;
      for (int i = 0; i < t->nrows; i++) {
        const hb_check_shown_t *sh = &t->rows[i].shown[a];
        if (sh->kind != HB_SHOW_VALUE) continue;
        k->cells[pass]++;
        if (sh->varies) k->varies[pass]++;
        else k->n[pass][sh->outcome]++;
      }
    }
    k->passed = k->n[0][HB_OUT_PASS];
    k->protected_cases = k->n[1][HB_OUT_STOPPED] + k->n[1][HB_OUT_REPORTED];
  }
}

/* ---- the machine -------------------------------------------------------- */

static void machine(R_t *R)
{
  double other = 0, wall = 0;
  for (int ci = 0; ci < R->r->ncells; ci++) {
    const hb_cell_t *c = &R->r->cells[ci];
    cell_cpu_sums(c, &other, &wall);
    if (c->cachegrind || c->check) continue;  /* counts or outcomes, not times */
    double oc = hb_cell_other_cpus(c);
    if (!isfinite(oc)) continue;
    R->timed_cells++;
    R->busy_cells += oc >= HB_BUSY_CPUS;
  }
  R->has_other = wall > 0;
  R->other_cpus = R->has_other ? fmax(other, 0) / wall : NAN;
  R->busy = R->has_other && (R->other_cpus >= HB_BUSY_CPUS || R->busy_cells > 0);
}

/* ---- the whole report -------------------------------------------------- */

void hb_report_compute(const hb_results_t *r, hb_report_t *R)
{
  memset(R, 0, sizeof *R);
  R->r = r;
  R->hak = hb_results_alloc_index(r, "hakmem");
  R->sys = hb_results_alloc_index(r, "system");
  R->rm_all.geo_sys = R->rm_all.geo_best = NAN;
  for (int ci = 0; ci < r->ncells; ci++)
    for (int i = 0; i < nalloc(R); i++) {
      if (!available(R, i)) continue;
      const hb_series_t *s = hb_cell_series(&r->cells[ci], aname(R, i));
      R->planned += r->cells[ci].reps;
      R->done += s ? s->nruns : 0;
    }
  /* 1 */
  static const char *rm[2] = { "random_mixed_short", "random_mixed_long" };
  for (int t = 0; t < 2; t++) {
    const hb_cell_t *c0 = first_in(R, rm[t]);
    if (!c0) continue;
    R->rm[t].present = 1;
    R->rm[t].iters = hb_cell_arg(c0, "--iters");
    value_table(R, rm[t], hb_layout_of(rm[t])->first_col, &R->rm[t].values);
    const hb_value_table_t *one = &R->rm[t].values;
    collect(R, &one, 1, &R->rm[t].ratios, r->ncells);
  }
  {
    const hb_value_table_t *both[2];
    int nb = 0;
    for (int t = 0; t < 2; t++) if (R->rm[t].present) both[nb++] = &R->rm[t].values;
    collect(R, both, nb, &R->rm_all, r->ncells);
  }
  /* 2 */
  const hb_cell_t *lr = first_in(R, "longrun");
  if (lr) {
    R->longrun = 1;
    R->window = hb_cell_arg(lr, "--window");
    R->windows = hb_cell_arg(lr, "--windows");
    value_table(R, "longrun", "Size", &R->longrun_values);
    metric_table(R, "longrun", "Size", M_CV, &R->longrun_cv);
    metric_table(R, "longrun", "Size", M_VS_SHORT, &R->longrun_vs_short);
    metric_table(R, "longrun", "Size", M_RSS, &R->longrun_rss);
  }
  /* 3, 4 */
  NEW(R->larson, 8);
  for (const hb_layout_t *l = hb_layout; l->table; l++) {
    const hb_cell_t *c0 = first_in(R, l->table);
    if (!c0) continue;
    if (l->section == 3) {
      hb_larson_t *L = &R->larson[R->nlarson++];
      L->layout = l;
      L->seconds = hb_cell_arg(c0, "--seconds");
      value_table(R, l->table, l->first_col, &L->values);
      scaling(R, l->table, &L->scaling);
    } else if (strcmp(l->table, "mt_contention") == 0) {
      R->has_contention = 1;
      value_table(R, l->table, l->first_col, &R->contention);
    } else if (strcmp(l->table, "false_sharing") == 0) {
      R->has_false_sharing = 1;
      value_table(R, l->table, l->first_col, &R->false_sharing);
    }
  }
  /* 5: largest median peak RSS per table, cachegrind cells left out */
  NEW(R->rss_groups, r->ncells);
  NEW(R->rss, r->ncells * nalloc(R));
  for (int ci = 0; ci < r->ncells; ci++) {
    const hb_cell_t *c = &r->cells[ci];
    int seen = c->cachegrind || c->check;
    for (int cj = 0; cj < ci; cj++) seen |= strcmp(r->cells[cj].table, c->table) == 0;
    if (seen) continue;
    for (int i = 0; i < nalloc(R); i++) {
      double mx = -1;
      for (int cj = 0; cj < r->ncells; cj++) {
        const hb_cell_t *d = &r->cells[cj];
        const hb_stats_t *s = stats_of(d, aname(R, i));
        if (strcmp(d->table, c->table) == 0 && !d->cachegrind && !d->check && s && s->n > 0) {
          double v = isfinite(s->peak_rss_kb_median) ? s->peak_rss_kb_median : -1;
          if (v > mx) mx = v;
        }
      }
      R->rss[R->nrss * nalloc(R) + i] = mx;
    }
    R->rss_groups[R->nrss++] = c->table;
  }
  /* 6 */
  R->reg_fails = -1;
  if (first_in(R, "regression")) {
    R->has_regression = 1;
    R->reg_fails = 0;
    int n = count_in(R, "regression");
    NEW(R->reg_cells, n);
    NEW(R->reg, n * nalloc(R));
    NEW(R->reg_status, n * nalloc(R));
    for (int ci = 0; ci < r->ncells; ci++) {
      const hb_cell_t *c = &r->cells[ci];
      if (strcmp(c->table, "regression") != 0) continue;
      for (int i = 0; i < nalloc(R); i++) {
        const hb_stats_t *s = stats_of(c, aname(R, i));
        int k = R->nreg * nalloc(R) + i;
        if (!available(R, i)) R->reg[k] = HB_REG_NA;
        else if (!s) R->reg[k] = HB_REG_NOT_RUN;
        else if (s->status == HB_OK) R->reg[k] = HB_REG_PASS;
        else { R->reg[k] = HB_REG_FAIL; R->reg_status[k] = s->status; }
        if (i == R->hak && (R->reg[k] == HB_REG_NOT_RUN || R->reg[k] == HB_REG_FAIL)) R->reg_fails++;
      }
      R->reg_cells[R->nreg++] = c;
    }
  }
  /* other tables, in order of first appearance */
  NEW(R->other, r->ncells);
  NEW(R->other_ratios, r->ncells);
  NEW(R->other_rss, r->ncells);
  NEW(R->other_norm, r->ncells * nalloc(R));
  NEW(R->other_norm_n, r->ncells * nalloc(R));
  R->programs = R->tables_only = r->ncells > 0;
  for (int ci = 0; ci < r->ncells; ci++) {
    const hb_cell_t *c = &r->cells[ci];
    R->programs &= c->program != NULL;
    R->has_programs |= c->program != NULL;
    R->tables_only &= !hb_layout_of(c->table) && !c->check;
    int seen = hb_layout_of(c->table) != NULL || c->check;  /* check cells: their own section */
    for (int cj = 0; cj < ci; cj++) seen |= strcmp(r->cells[cj].table, c->table) == 0;
    if (seen) continue;
    int k = R->nother++;
    hb_value_table_t *t = &R->other[k];
    value_table(R, c->table, c->program ? "Program" : "Cell", t);
    const hb_value_table_t *tp = t;
    collect(R, &tp, 1, &R->other_ratios[k], t->nrows);
    other_norm(R, t, &R->other_norm[k * nalloc(R)], &R->other_norm_n[k * nalloc(R)]);
    rss_table(R, t, &R->other_rss[k]);
  }
  checks(R);
  machine(R);
  checklist(R);
}

static void value_table_free(hb_value_table_t *t)
{
  for (int i = 0; i < t->nrows; i++) free(t->rows[i].shown);
  free(t->rows);
}

static void ratios_free(hb_ratios_t *a)
{
  free(a->vs_sys);
  free(a->vs_best);
  free(a->label);
}

static void metric_free(hb_metric_table_t *t)
{
  free(t->labels);
  free(t->v);
}

void hb_report_free(hb_report_t *R)
{
  for (int t = 0; t < 2; t++) { value_table_free(&R->rm[t].values); ratios_free(&R->rm[t].ratios); }
  ratios_free(&R->rm_all);
  value_table_free(&R->longrun_values);
  metric_free(&R->longrun_cv);
  metric_free(&R->longrun_vs_short);
  metric_free(&R->longrun_rss);
  for (int i = 0; i < R->nlarson; i++) {
    value_table_free(&R->larson[i].values);
    free(R->larson[i].scaling.has);
    free(R->larson[i].scaling.x);
  }
  free(R->larson);
  value_table_free(&R->contention);
  value_table_free(&R->false_sharing);
  free(R->rss_groups);
  free(R->rss);
  free(R->reg_cells);
  free(R->reg);
  free(R->reg_status);
  for (int i = 0; i < R->nother; i++) value_table_free(&R->other[i]);
  free(R->other);
  for (int i = 0; i < R->nother; i++) { ratios_free(&R->other_ratios[i]); metric_free(&R->other_rss[i]); }
  free(R->other_ratios);
  free(R->other_rss);
  free(R->other_norm);
  free(R->other_norm_n);
  for (int i = 0; i < R->nchecks; i++) free(R->checks[i].text);
  free(R->checks);
  for (int i = 0; i < R->nothers; i++) free(R->others[i].first);
  free(R->others);
  for (int pass = 0; pass < 2; pass++) {
    hb_check_table_t *t = pass ? &R->misuse : &R->conform;
    for (int i = 0; i < t->nrows; i++) free(t->rows[i].shown);
    free(t->rows);
    free(t->notes);
  }
  free(R->check_counts);
}
