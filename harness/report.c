/* report.c: `hakbench report`: results.json -> report.md, the structure of
 * the original Phase 7 report with every allocator as a column. Everything
 * here is computed from the results file alone (no clock, no machine
 * queries), so an old run renders the same way again. */
#include "hakbench.h"
#include "results.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
  "usage: hakbench report DIR [--out FILE] [--plots PLOTDIR] [--summary FILE]\n"
  "Render DIR/report.md (or FILE) from DIR/results.json alone. Charts found\n"
  "in PLOTDIR (default: plots/SUITE/ for results/SUITE, else DIR/plots/) are\n"
  "embedded with relative links; run `hakbench plot DIR` first to draw them.\n"
  "--summary FILE also writes the short version for the top-level README:\n"
  "the random mixed and Larson high-contention tables and the checklist,\n"
  "linking the full report relative to the repository root.\n";

/* Success criteria (section 7); stated in the report next to the figures. */
#define TARGET_VS_SYSTEM 0.90  /* the original reached 91 % of system      */
#define TARGET_VS_BEST   0.80

typedef struct rep_s {
  json_t     *root, *cells, *allocs;
  hb_buf_t    b;
  const char *plots_abs;   /* folder holding the PNGs                */
  char       *plots_rel;   /* the same, relative to the report       */
  int         hak, sys;    /* index in allocs, -1 when absent        */
} rep_t;

#define P(...) hb_buf_printf(&R->b, __VA_ARGS__)

static size_t nalloc(rep_t *R) { return json_array_size(R->allocs); }
static json_t *alloc_at(rep_t *R, size_t i) { return json_array_get(R->allocs, i); }
static const char *aname(rep_t *R, size_t i) { return hb_jstr(alloc_at(R, i), "name", "?"); }
static int available(rep_t *R, size_t i) { return json_is_true(json_object_get(alloc_at(R, i), "available")); }

static json_t *stats_of(json_t *cell, const char *name)
{
  return json_object_get(json_object_get(cell, "stats"), name);
}

/* Median of an allocator in a cell when its runs are all OK. */
static int cell_value(json_t *cell, const char *name, double *v)
{
  json_t *s = stats_of(cell, name);
  if (!s || strcmp(hb_jstr(s, "status", ""), "OK") != 0) return 0;
  *v = hb_jnum(s, "median", NAN);
  return isfinite(*v);
}

static int lower_better(json_t *cell) { return strcmp(hb_jstr(cell, "better", "higher"), "lower") == 0; }

static void fmt_num(char *buf, size_t n, json_t *cell, double v)
{
  if (strcmp(hb_jstr(cell, "metric", ""), "ops_per_sec") == 0) {
    v /= 1e6;
    snprintf(buf, n, v < 10 ? "%.2f" : "%.1f", v);
  } else {
    snprintf(buf, n, "%.1f", v);
  }
}

/* What a table cell shows for allocator i. */
static void fmt_cell(rep_t *R, char *buf, size_t n, json_t *cell, size_t i)
{
  if (!available(R, i)) { snprintf(buf, n, "n/a"); return; }
  json_t *s = stats_of(cell, aname(R, i));
  if (!s) { snprintf(buf, n, "not run"); return; }
  const char *st = hb_jstr(s, "status", "");
  double v;
  if (cell_value(cell, aname(R, i), &v)) { fmt_num(buf, n, cell, v); return; }
  long ok = (long)hb_jnum(s, "n", 0), reps = (long)hb_jnum(cell, "reps", 0);
  if (ok > 0) snprintf(buf, n, "**%s** (%ld/%ld ok)", st, ok, reps);
  else snprintf(buf, n, "**%s**", st);
}

/* hakmem relative to `other` as a percentage of "as good" (>100 = better). */
static int ratio(rep_t *R, json_t *cell, int other, double *r)
{
  double h, o;
  if (R->hak < 0 || other < 0) return 0;
  if (!cell_value(cell, aname(R, (size_t)R->hak), &h) || !cell_value(cell, aname(R, (size_t)other), &o)) return 0;
  if (!(h > 0) || !(o > 0)) return 0;
  *r = lower_better(cell) ? o / h : h / o;
  return 1;
}

/* The best allocator other than hakmem in a cell, -1 when none ran OK. */
static int best_other(rep_t *R, json_t *cell)
{
  int best = -1;
  double bv = 0, v;
  for (size_t i = 0; i < nalloc(R); i++) {
    if ((int)i == R->hak || !cell_value(cell, aname(R, i), &v)) continue;
    if (best < 0 || (lower_better(cell) ? v < bv : v > bv)) { best = (int)i; bv = v; }
  }
  return best;
}

static void fmt_pct(char *buf, size_t n, int ok, double r)
{
  if (ok) snprintf(buf, n, "%.0f %%", r * 100);
  else snprintf(buf, n, "n/a");
}

static int in_table(json_t *cell, const char *table) { return strcmp(hb_jstr(cell, "table", ""), table) == 0; }

static int table_present(rep_t *R, const char *table)
{
  size_t i;
  json_t *c;
  json_array_foreach(R->cells, i, c) if (in_table(c, table)) return 1;
  return 0;
}

static void embed(rep_t *R, const char *file, const char *alt)
{
  char *p = hb_sprintf("%s/%s", R->plots_abs, file);
  if (hb_exists(p)) P("![%s](%s/%s)\n\n", alt, R->plots_rel, file);
  free(p);
}

static const char *unit_of(json_t *cell)
{
  return strcmp(hb_jstr(cell, "metric", ""), "ops_per_sec") == 0 ? "M ops/s" : "instructions/op";
}

/* Ratios gathered while rendering, for summaries and the checklist. */
typedef struct ratios_s {
  double vs_sys[256], vs_best[256];
  const char *label[256];
  int n_sys, n_best;
} ratios_t;

/* The common table: one row per cell of `table`, one column per allocator,
 * then hakmem relative to system and to the best other allocator. */
static void value_table(rep_t *R, const char *table, const char *first, ratios_t *acc)
{
  size_t ci, i;
  json_t *cell;
  int header = 0;
  json_array_foreach(R->cells, ci, cell) {
    if (!in_table(cell, table)) continue;
    if (!header) {
      P("| %s (%s, median) |", first, unit_of(cell));
      for (i = 0; i < nalloc(R); i++) P(" %s |", aname(R, i));
      P(" hakmem vs system | hakmem vs best other |\n|---|");
      for (i = 0; i < nalloc(R); i++) P("---:|");
      P("---:|---:|\n");
      header = 1;
    }
    char buf[128];
    P("| %s |", hb_jstr(cell, "label", ""));
    for (i = 0; i < nalloc(R); i++) { fmt_cell(R, buf, sizeof buf, cell, i); P(" %s |", buf); }
    double r;
    int ok = ratio(R, cell, R->sys, &r);
    fmt_pct(buf, sizeof buf, ok, r);
    P(" %s |", buf);
    if (ok && acc && acc->n_sys < 256) { acc->label[acc->n_sys] = hb_jstr(cell, "label", ""); acc->vs_sys[acc->n_sys++] = r; }
    int b = best_other(R, cell);
    ok = b >= 0 && b != R->hak && ratio(R, cell, b, &r);
    if (ok) {
      P(" %.0f %% (%s) |\n", r * 100, aname(R, (size_t)b));
      if (acc && acc->n_best < 256) acc->vs_best[acc->n_best++] = r;
    } else {
      P(" n/a |\n");
    }
  }
  P("\n");
}

static void ratio_summary(rep_t *R, ratios_t *a, const char *what)
{
  if (a->n_sys == 0) {
    P("hakmem vs system: n/a (%s).\n\n", R->hak < 0 || !available(R, (size_t)R->hak) ? "hakmem was not run" : "no cell where both ran OK");
    return;
  }
  int best = 0, worst = 0;
  for (int i = 1; i < a->n_sys; i++) {
    if (a->vs_sys[i] > a->vs_sys[best]) best = i;
    if (a->vs_sys[i] < a->vs_sys[worst]) worst = i;
  }
  P("hakmem vs system: geometric mean **%.0f %%** over %d %s%s; best %s (%.0f %%), worst %s (%.0f %%).",
    hb_geomean(a->vs_sys, (size_t)a->n_sys) * 100, a->n_sys, what, a->n_sys == 1 ? "" : "s", a->label[best], a->vs_sys[best] * 100,
    a->label[worst], a->vs_sys[worst] * 100);
  if (a->n_best) P(" hakmem vs the best other allocator of each row: geometric mean **%.0f %%**.",
                   hb_geomean(a->vs_best, (size_t)a->n_best) * 100);
  P("\n\n");
}

/* "100K", "10M" for an --iters value. */
static void fmt_count(char *buf, size_t n, const char *s)
{
  double v = s ? strtod(s, NULL) : 0;
  if (v >= 1e6 && fmod(v, 1e6) == 0) snprintf(buf, n, "%.0fM", v / 1e6);
  else if (v >= 1e3 && fmod(v, 1e3) == 0) snprintf(buf, n, "%.0fK", v / 1e3);
  else snprintf(buf, n, "%s", s ? s : "?");
}

static const char *cell_arg(json_t *cell, const char *name)
{
  json_t *args = json_object_get(cell, "args");
  size_t len = strlen(name);
  for (size_t i = 0; i < json_array_size(args); i++) {
    const char *a = json_string_value(json_array_get(args, i));
    if (strcmp(a, name) == 0 && i + 1 < json_array_size(args)) return json_string_value(json_array_get(args, i + 1));
    if (strncmp(a, name, len) == 0 && a[len] == '=') return a + len + 1;
  }
  return NULL;
}

static json_t *first_in(rep_t *R, const char *table)
{
  size_t i;
  json_t *c;
  json_array_foreach(R->cells, i, c) if (in_table(c, table)) return c;
  return NULL;
}

/* ---- sections --------------------------------------------------------- */

static void section_random_mixed(rep_t *R, ratios_t *all)
{
  static const char *tables[] = { "random_mixed_short", "random_mixed_long" };
  P("## 1. Random mixed: throughput per object size\n\n"
    "One thread allocates and frees blocks of one size in random order over a working set "
    "(the original's \"random mixed\" test). M ops/s = million malloc-or-free calls per second; "
    "\"hakmem vs X\" is hakmem's throughput as a percentage of X's.\n\n");
  for (int t = 0; t < 2; t++) {
    json_t *c0 = first_in(R, tables[t]);
    if (!c0) continue;
    char n[32];
    fmt_count(n, sizeof n, cell_arg(c0, "--iters"));
    P("### 1%c. %s ops per run\n\n", 'a' + t, n);
    ratios_t acc = {0};
    value_table(R, tables[t], "Size", &acc);
    ratio_summary(R, &acc, "size");
    for (int i = 0; i < acc.n_sys && all->n_sys < 256; i++) all->vs_sys[all->n_sys++] = acc.vs_sys[i];
    for (int i = 0; i < acc.n_best && all->n_best < 256; i++) all->vs_best[all->n_best++] = acc.vs_best[i];
    char *png = hb_sprintf("%s.png", tables[t]);
    embed(R, png, "throughput per size, normalized to system");
    free(png);
  }
}

/* Median over OK runs of a numeric field of the workload's JSON output. */
static int output_median(json_t *cell, const char *name, const char *field, double *out)
{
  json_t *list = json_object_get(json_object_get(cell, "runs"), name), *run;
  double v[1024];
  size_t i, n = 0;
  json_array_foreach(list, i, run) {
    if (strcmp(hb_jstr(run, "status", ""), "OK") != 0 || n == 1024) continue;
    json_t *x = json_object_get(json_object_get(run, "output"), field);
    if (json_is_number(x)) v[n++] = json_number_value(x);
  }
  if (!n) return 0;
  *out = hb_median(v, n);
  return 1;
}

typedef int (*metric_fn)(rep_t *R, json_t *cell, size_t alloc, double *out);

static int m_cv(rep_t *R, json_t *cell, size_t a, double *out)
{
  double v;
  if (!stats_of(cell, aname(R, a)) || !cell_value(cell, aname(R, a), &v)) return 0;
  if (!output_median(cell, aname(R, a), "cv", &v)) return 0;
  *out = v * 100;
  return 1;
}

static int m_rss_growth(rep_t *R, json_t *cell, size_t a, double *out)
{
  double v;
  if (!cell_value(cell, aname(R, a), &v)) return 0;
  return output_median(cell, aname(R, a), "rss_growth_pct", out);
}

/* Long-run throughput against the short random-mixed run of the same size. */
static int m_vs_short(rep_t *R, json_t *cell, size_t a, double *out)
{
  double lv, sv;
  if (!cell_value(cell, aname(R, a), &lv)) return 0;
  size_t i;
  json_t *c;
  json_array_foreach(R->cells, i, c) {
    if (!in_table(c, "random_mixed_short") || strcmp(hb_jstr(c, "label", ""), hb_jstr(cell, "label", "")) != 0) continue;
    if (!cell_value(c, aname(R, a), &sv) || !(sv > 0)) return 0;
    *out = (lv / sv - 1) * 100;
    return 1;
  }
  return 0;
}

static void metric_table(rep_t *R, const char *table, const char *first, metric_fn fn, const char *fmt)
{
  size_t ci, i;
  json_t *cell;
  P("| %s |", first);
  for (i = 0; i < nalloc(R); i++) P(" %s |", aname(R, i));
  P("\n|---|");
  for (i = 0; i < nalloc(R); i++) P("---:|");
  P("\n");
  json_array_foreach(R->cells, ci, cell) {
    if (!in_table(cell, table)) continue;
    P("| %s |", hb_jstr(cell, "label", ""));
    for (i = 0; i < nalloc(R); i++) {
      double v;
      char buf[128];
      if (fn(R, cell, i, &v)) { snprintf(buf, sizeof buf, fmt, v); P(" %s |", buf); }
      else { fmt_cell(R, buf, sizeof buf, cell, i); P(" %s |", strcmp(buf, "n/a") == 0 || buf[0] == '*' || buf[0] == 'n' ? buf : "n/a"); }
    }
    P("\n");
  }
  P("\n");
}

static void section_longrun(rep_t *R)
{
  P("## 2. Long-run stability\n\n");
  if (!table_present(R, "longrun")) { P("Not in this suite.\n\n"); return; }
  json_t *c0 = first_in(R, "longrun");
  char w[32];
  fmt_count(w, sizeof w, cell_arg(c0, "--window") ? cell_arg(c0, "--window") : "1000000");
  P("The longrun workload runs random-mixed traffic in windows of %s ops (%s windows per run) "
    "and records each window's throughput and RSS.\n\n", w, cell_arg(c0, "--windows") ? cell_arg(c0, "--windows") : "20");
  P("**Throughput over the whole run**\n\n");
  value_table(R, "longrun", "Size", NULL);
  P("**Window-to-window variation** (coefficient of variation of window throughput; median over runs)\n\n");
  metric_table(R, "longrun", "Size", m_cv, "%.1f %%");
  P("**Against the short run** (long-run throughput vs the section 1a figure at the same size)\n\n");
  metric_table(R, "longrun", "Size", m_vs_short, "%+.1f %%");
  P("**RSS growth** (RSS at the last window vs the second window)\n\n");
  metric_table(R, "longrun", "Size", m_rss_growth, "%+.1f %%");
}

/* "x1.85" scaling row: throughput at the most threads over one thread. */
static void scaling_row(rep_t *R, const char *table)
{
  json_t *one = NULL, *most = NULL, *c;
  size_t i;
  json_array_foreach(R->cells, i, c) {
    if (!in_table(c, table)) continue;
    long t = (long)hb_jnum(c, "threads", 1);
    if (t == 1 && !one) one = c;
    if (!most || t > (long)hb_jnum(most, "threads", 1)) most = c;
  }
  if (!one || !most || one == most) return;
  P("Scaling from 1 to %ld threads (throughput ratio):", (long)hb_jnum(most, "threads", 1));
  for (i = 0; i < nalloc(R); i++) {
    double a, b;
    if (cell_value(one, aname(R, i), &a) && cell_value(most, aname(R, i), &b) && a > 0)
      P(" %s x%.2f;", aname(R, i), b / a);
    else
      P(" %s n/a;", aname(R, i));
  }
  R->b.s[R->b.len - 1] = '.';
  P("\n\n");
}

static void section_larson(rep_t *R)
{
  static const struct { const char *table, *title; } t[] = {
    { "larson_low", "Low contention (256 chunks per thread)" },
    { "larson_high", "High contention (1024 chunks per thread)" },
    { "larson_std", "Standard Larson (8-1000 B, 5000 chunks per thread)" },
  };
  P("## 3. Multi-threading: Larson\n\n"
    "Each thread frees and replaces random chunks of a shared pool (server-style traffic). "
    "A CRASH or TIMEOUT cell is an allocator failure, recorded and not retried.\n\n");
  int any = 0;
  for (int k = 0; k < 3; k++) {
    if (!table_present(R, t[k].table)) continue;
    json_t *c0 = first_in(R, t[k].table);
    const char *secs = cell_arg(c0, "--seconds");
    P("### 3%c. %s%s%s%s\n\n", 'a' + any, t[k].title, secs ? ", " : "", secs ? secs : "", secs ? " s per run" : "");
    value_table(R, t[k].table, "Threads", NULL);
    scaling_row(R, t[k].table);
    any++;
  }
  if (!any) P("Not in this suite.\n\n");
  embed(R, "larson.png", "Larson throughput against threads");
}

static void section_contention(rep_t *R)
{
  P("## 4. Remote frees and false sharing\n\n");
  int any = 0;
  if (table_present(R, "mt_contention")) {
    P("### 4a. mt_contention: blocks freed by a thread other than the one that allocated them\n\n");
    value_table(R, "mt_contention", "Threads, remote frees", NULL);
    any = 1;
  }
  if (table_present(R, "false_sharing")) {
    P("### 4b. false_sharing: threads writing to small blocks allocated side by side\n\n");
    value_table(R, "false_sharing", "Threads", NULL);
    any = 1;
  }
  if (!any) P("Not in this suite.\n\n");
  embed(R, "contention.png", "mt_contention throughput against threads");
}

static void section_rss(rep_t *R)
{
  P("## 5. Peak RSS\n\n"
    "Largest median peak RSS (MiB, from wait4 of each run) over the cells of each group "
    "(cells measured under cachegrind are left out: their RSS is valgrind's).\n\n");
  P("| Workload group |");
  for (size_t i = 0; i < nalloc(R); i++) P(" %s |", aname(R, i));
  P("\n|---|");
  for (size_t i = 0; i < nalloc(R); i++) P("---:|");
  P("\n");
  size_t ci, cj;
  json_t *c, *d;
  json_array_foreach(R->cells, ci, c) {
    const char *table = hb_jstr(c, "table", "");
    int seen = lower_better(c);
    json_array_foreach(R->cells, cj, d) { if (cj >= ci) break; if (in_table(d, table)) seen = 1; }
    if (seen) continue;
    P("| %s |", table);
    for (size_t i = 0; i < nalloc(R); i++) {
      double mx = -1;
      json_array_foreach(R->cells, cj, d) {
        json_t *s = stats_of(d, aname(R, i));
        if (in_table(d, table) && !lower_better(d) && s && hb_jnum(s, "n", 0) > 0) {
          double v = hb_jnum(s, "peak_rss_kb_median", -1);
          if (v > mx) mx = v;
        }
      }
      if (mx >= 0) P(" %.1f |", mx / 1024);
      else P(" %s |", available(R, i) ? "n/a" : "n/a");
    }
    P("\n");
  }
  P("\n");
  embed(R, "peak_rss.png", "peak RSS per workload group");
}

/* Returns -1 when the suite has no regression cells, else failures of hakmem. */
static int section_regressions(rep_t *R)
{
  P("## 6. Regression cases from the original's bug list\n\n");
  if (!table_present(R, "regression")) { P("Not in this suite.\n\n"); return -1; }
  P("PASS = every run completed and the workload checked its blocks; FAIL shows what happened.\n\n| Case |");
  for (size_t i = 0; i < nalloc(R); i++) P(" %s |", aname(R, i));
  P("\n|---|");
  for (size_t i = 0; i < nalloc(R); i++) P("---|");
  P("\n");
  size_t ci;
  json_t *c;
  int fails = 0;
  json_array_foreach(R->cells, ci, c) {
    if (!in_table(c, "regression")) continue;
    P("| %s |", hb_jstr(c, "label", ""));
    for (size_t i = 0; i < nalloc(R); i++) {
      json_t *s = stats_of(c, aname(R, i));
      if (!available(R, i)) P(" n/a |");
      else if (!s) { P(" not run |"); if ((int)i == R->hak) fails++; }
      else if (strcmp(hb_jstr(s, "status", ""), "OK") == 0) P(" PASS |");
      else { P(" **FAIL** (%s) |", hb_jstr(s, "status", "")); if ((int)i == R->hak) fails++; }
    }
    P("\n");
  }
  P("\n");
  return fails;
}

static void section_other(rep_t *R)
{
  static const char *known[] = { "random_mixed_short", "random_mixed_long", "longrun", "larson_low", "larson_high",
                                 "larson_std", "mt_contention", "false_sharing", "regression", NULL };
  size_t ci, cj;
  json_t *c, *d;
  int header = 0;
  json_array_foreach(R->cells, ci, c) {
    const char *table = hb_jstr(c, "table", "");
    int skip = 0;
    for (int k = 0; known[k]; k++) if (strcmp(known[k], table) == 0) skip = 1;
    json_array_foreach(R->cells, cj, d) { if (cj >= ci) break; if (in_table(d, table)) skip = 1; }
    if (skip) continue;
    if (!header) { P("## Other tables of this suite\n\n"); header = 1; }
    P("### %s%s\n\n", table, lower_better(c) ? " (lower is better)" : "");
    value_table(R, table, "Cell", NULL);
  }
}

/* Counts of non-OK runs of allocator `name` over all cells. */
static int failures(rep_t *R, const char *name, hb_buf_t *detail)
{
  size_t ci, j;
  json_t *c, *run;
  int n = 0;
  json_array_foreach(R->cells, ci, c) {
    json_array_foreach(json_object_get(json_object_get(c, "runs"), name), j, run) {
      const char *st = hb_jstr(run, "status", "");
      if (strcmp(st, "OK") == 0) continue;
      if (detail && n < 5) hb_buf_printf(detail, "%s%s %s", n ? ", " : "", hb_jstr(c, "id", ""), st);
      n++;
    }
  }
  return n;
}

static void checklist(rep_t *R, ratios_t *rm, int reg_fails)
{
  P("## 7. Success criteria\n\nComputed from the runs above.\n\n");
  int hak_ok = R->hak >= 0 && available(R, (size_t)R->hak);
  if (!hak_ok) P("hakmem was not run (build/libhakmem.so missing): every criterion below is open.\n\n");
  hb_buf_t d = {0};
  int f = hak_ok ? failures(R, "hakmem", &d) : -1;
  P("- [%c] hakmem: no crash, hang, corruption or invalid run in any cell (%s%s%s)\n", f == 0 ? 'x' : ' ',
    f < 0 ? "not run" : f == 0 ? "0 failed runs" : hb_sprintf("%d failed run%s: ", f, f == 1 ? "" : "s"), f > 0 ? d.s : "",
    f > 5 ? ", ..." : "");
  hb_buf_free(&d);
  if (reg_fails >= 0)
    P("- [%c] hakmem passes every regression case (%s)\n", hak_ok && reg_fails == 0 ? 'x' : ' ',
      !hak_ok ? "not run" : reg_fails == 0 ? "all pass" : hb_sprintf("%d failing", reg_fails));
  int mt_fail = 0, mt_cells = 0;
  size_t ci;
  json_t *c;
  json_array_foreach(R->cells, ci, c) {
    const char *t = hb_jstr(c, "table", "");
    if (strncmp(t, "larson", 6) != 0 || hb_jnum(c, "threads", 1) < 2) continue;
    mt_cells++;
    double v;
    if (!hak_ok || !cell_value(c, "hakmem", &v)) mt_fail++;
  }
  if (mt_cells)
    P("- [%c] hakmem completes every multi-threaded Larson cell (the original hung at 2 and crashed at 4 threads): %d of %d\n",
      hak_ok && mt_fail == 0 ? 'x' : ' ', hak_ok ? mt_cells - mt_fail : 0, mt_cells);
  double gs = rm->n_sys ? hb_geomean(rm->vs_sys, (size_t)rm->n_sys) : NAN;
  double gb = rm->n_best ? hb_geomean(rm->vs_best, (size_t)rm->n_best) : NAN;
  P("- [%c] hakmem at least %.0f %% of system on random mixed (geometric mean over %d cells): %s\n",
    gs >= TARGET_VS_SYSTEM ? 'x' : ' ', TARGET_VS_SYSTEM * 100, rm->n_sys,
    isfinite(gs) ? hb_sprintf("%.0f %%", gs * 100) : "n/a");
  P("- [%c] hakmem at least %.0f %% of the best other allocator of each random-mixed row (geometric mean): %s\n",
    gb >= TARGET_VS_BEST ? 'x' : ' ', TARGET_VS_BEST * 100, isfinite(gb) ? hb_sprintf("%.0f %%", gb * 100) : "n/a");
  int complete = json_is_true(json_object_get(R->root, "complete"));
  P("- [%c] every planned run finished\n\n", complete ? 'x' : ' ');
  P("Failed runs of the other allocators (results, not harness errors):");
  for (size_t i = 0; i < nalloc(R); i++) {
    if ((int)i == R->hak) continue;
    if (!available(R, i)) { P(" %s not installed;", aname(R, i)); continue; }
    hb_buf_t dd = {0};
    int n = failures(R, aname(R, i), &dd);
    P(" %s %d%s%s%s;", aname(R, i), n, n ? " (" : "", n ? dd.s : "", n ? ")" : "");
    hb_buf_free(&dd);
  }
  R->b.s[R->b.len - 1] = '.';
  P("\n\n");
}

/* Every failed run with the last line of its stderr (the crash message). */
static void failed_runs(rep_t *R)
{
  size_t ci, j;
  json_t *c, *run;
  int header = 0;
  json_array_foreach(R->cells, ci, c) {
    for (size_t i = 0; i < nalloc(R); i++) {
      json_array_foreach(json_object_get(json_object_get(c, "runs"), aname(R, i)), j, run) {
        if (strcmp(hb_jstr(run, "status", ""), "OK") == 0) continue;
        if (!header) {
          P("\nFailed runs:\n\n| Cell | Allocator | Rep | Status | Last line of stderr |\n|---|---|---:|---|---|\n");
          header = 1;
        }
        const char *tail = hb_jstr(run, "stderr_tail", "");
        const char *last = strrchr(tail, '\n');
        last = last ? last + 1 : tail;
        P("| %s | %s | %ld | %s%s%s | ", hb_jstr(c, "id", ""), aname(R, i), (long)hb_jnum(run, "rep", 0) + 1,
          hb_jstr(run, "status", ""), json_is_string(json_object_get(run, "signal")) ? " " : "", hb_jstr(run, "signal", ""));
        for (int k = 0; last[k] && k < 160; k++) {
          if (last[k] == '|') P("\\|");
          else if (last[k] == '`' || (unsigned char)last[k] < 32) P(" ");
          else P("%c", last[k]);
        }
        P(" |\n");
      }
    }
  }
}

static void raw_data(rep_t *R)
{
  P("## Raw data\n\n<details>\n<summary>Every cell and allocator: status, statistics of the OK runs, each sample</summary>\n\n");
  P("| Cell | Allocator | Status | n | Median | Min | Max | IQR | Peak RSS MiB | Samples |\n"
    "|---|---|---|---:|---:|---:|---:|---:|---:|---|\n");
  size_t ci, j;
  json_t *c, *run;
  json_array_foreach(R->cells, ci, c) {
    for (size_t i = 0; i < nalloc(R); i++) {
      json_t *s = stats_of(c, aname(R, i));
      if (!s) continue;
      char med[64] = "", mn[64] = "", mx[64] = "", iqr[64] = "";
      if (hb_jnum(s, "n", 0) > 0) {
        fmt_num(med, sizeof med, c, hb_jnum(s, "median", NAN));
        fmt_num(mn, sizeof mn, c, hb_jnum(s, "min", NAN));
        fmt_num(mx, sizeof mx, c, hb_jnum(s, "max", NAN));
        fmt_num(iqr, sizeof iqr, c, hb_jnum(s, "iqr", NAN));
      }
      P("| %s | %s | %s | %ld | %s | %s | %s | %s | ", hb_jstr(c, "id", ""), aname(R, i), hb_jstr(s, "status", ""),
        (long)hb_jnum(s, "n", 0), med, mn, mx, iqr);
      if (hb_jnum(s, "n", 0) > 0) P("%.1f", hb_jnum(s, "peak_rss_kb_median", 0) / 1024);
      P(" |");
      json_array_foreach(json_object_get(json_object_get(c, "runs"), aname(R, i)), j, run) {
        char v[64];
        if (strcmp(hb_jstr(run, "status", ""), "OK") == 0) fmt_num(v, sizeof v, c, hb_jnum(run, "value", NAN));
        else snprintf(v, sizeof v, "%s%s%s", hb_jstr(run, "status", ""), json_is_string(json_object_get(run, "signal")) ? " " : "",
                      hb_jstr(run, "signal", ""));
        P(" %s", v);
      }
      P(" |\n");
    }
  }
  failed_runs(R);
  P("\nUnits: M ops/s for throughput cells, instructions per op for instructions_per_op cells. "
    "Each run's command line, exit status and stderr tail are in results.json.\n\n</details>\n");
}

static void header(rep_t *R, const char *results_path)
{
  json_t *ctx = json_object_get(R->root, "context");
  const char *suite = hb_jstr(R->root, "suite", "");
  P("# hakmem benchmark report: suite `%s`\n\n", suite);
  P("The Phase 7 comparison of the original hakmem, re-run on this machine with every allocator "
    "side by side. Generated by `build/hakbench report` from `results.json` alone.\n\n");
  size_t ci, i, j;
  json_t *c;
  long planned = 0, done = 0;
  json_array_foreach(R->cells, ci, c)
    for (i = 0; i < nalloc(R); i++) {
      if (!available(R, i)) continue;
      planned += (long)hb_jnum(c, "reps", 0);
      done += (long)json_array_size(json_object_get(json_object_get(c, "runs"), aname(R, i)));
    }
  if (!json_is_true(json_object_get(R->root, "complete")))
    P("> **INCOMPLETE RUN**: %ld of %ld runs finished. Continue it with "
      "`build/hakbench run --resume <run folder>`; the tables below show only what finished.\n\n", done, planned);
  const char *sha = hb_jstr(ctx, "git_commit", "unknown");
  P("| Context | |\n|---|---|\n");
  P("| Date | %s |\n", hb_jstr(ctx, "date", "?"));
  P("| Commit | %.12s%s |\n", sha, json_is_true(json_object_get(ctx, "git_dirty")) ? " (with uncommitted changes)" : "");
  P("| Machine | %s, %ld cores, Linux %s |\n", hb_jstr(ctx, "cpu_model", "?"), (long)hb_jnum(ctx, "cores", 0),
    hb_jstr(ctx, "kernel", "?"));
  P("| glibc | %s |\n", hb_jstr(ctx, "glibc", "?"));
  P("| Build flags | `%s` |\n", hb_jstr(ctx, "build_flags", "?"));
  P("| Method | %ld measured runs + %ld warm-up per cell and allocator, allocators interleaved within each repetition; "
    "median reported; timeout %g s; single-threaded runs %s |\n",
    (long)hb_jnum(ctx, "reps", 0), (long)hb_jnum(ctx, "warmup", 0), hb_jnum(ctx, "timeout_s", 0),
    json_is_true(json_object_get(ctx, "pin")) ? "pinned to one CPU" : "not pinned");
  P("| Command | `%s` |\n", hb_jstr(ctx, "command", "?"));
  json_t *resumed = json_object_get(ctx, "resumed"), *x;
  json_array_foreach(resumed, j, x) P("| Resumed with | `%s` |\n", json_string_value(x));
  if (strcmp(suite, "quick") == 0 || strcmp(suite, "phase7") == 0)
    P("\nTo reproduce: `./run_all.sh%s` (builds, installs the allocators, runs, renders), or the command above "
      "followed by `build/hakbench plot DIR` and `build/hakbench report DIR`.\n\n", suite[0] == 'q' ? " --quick" : "");
  else
    P("\nTo reproduce: the command above, then `build/hakbench plot DIR` and `build/hakbench report DIR`.\n\n");
  P("| Allocator | Library | Package | Version |\n|---|---|---|---|\n");
  for (i = 0; i < nalloc(R); i++) {
    json_t *a = alloc_at(R, i);
    const char *pkg = hb_jstr(a, "package", NULL), *path = hb_jstr(a, "path", NULL);
    if (available(R, i))
      P("| %s | %s | %s | %s |\n", aname(R, i), path ? path : "glibc malloc (no preload)", pkg ? pkg : "-",
        hb_jstr(a, "version", "-"));
    else
      P("| %s | **not installed**: %s | %s | skipped%s%s%s |\n", aname(R, i), path ? path : "-", pkg ? pkg : "-",
        pkg ? " (`apt-get install -y " : " (run `make`)", pkg ? pkg : "", pkg ? "`)" : "");
  }
  P("\n");
  static const char *pngs[] = { "random_mixed_short.png", "random_mixed_long.png", "larson.png", "contention.png", "peak_rss.png", NULL };
  int any = 0;
  for (int k = 0; pngs[k]; k++) {
    char *p = hb_sprintf("%s/%s", R->plots_abs, pngs[k]);
    any |= hb_exists(p);
    free(p);
  }
  if (!any)
    P("Charts not generated: run `build/hakbench plot %s` (needs python3-matplotlib: "
      "`apt-get install -y python3-matplotlib`).\n\n", "<run folder>");
  (void)results_path;
}

/* Relative path from folder `from` to `to` (both absolute, normalized). */
static char *relative(const char *from, const char *to)
{
  size_t common = 0, i = 0;
  while (from[i] && from[i] == to[i]) { i++; if (from[i] == '/' || (!from[i] && (to[i] == '/' || !to[i]))) common = i; }
  if (!from[i] && (to[i] == '/' || !to[i])) common = i;
  hb_buf_t b = {0};
  for (const char *p = from + common; *p; p++) if (*p == '/') hb_buf_add(&b, "../");
  const char *rest = to + common;
  if (*rest == '/') rest++;
  hb_buf_add(&b, rest);
  if (!b.s || !*b.s) { hb_buf_free(&b); return hb_xstrdup("."); }
  if (b.s[b.len - 1] == '/') b.s[--b.len] = '\0';
  return b.s;
}

/* The short version for the top-level README: context line, the random
 * mixed and high-contention Larson tables, the checklist. */
static void summary(rep_t *R, const char *report_rel)
{
  json_t *ctx = json_object_get(R->root, "context");
  P("Suite `%s`, %s, commit %.7s%s, %s (%ld cores), %ld runs per cell; full report: [%s](%s).\n\n",
    hb_jstr(R->root, "suite", ""), hb_jstr(ctx, "date", "?"), hb_jstr(ctx, "git_commit", "?"),
    json_is_true(json_object_get(ctx, "git_dirty")) ? " (uncommitted changes)" : "", hb_jstr(ctx, "cpu_model", "?"),
    (long)hb_jnum(ctx, "cores", 0), (long)hb_jnum(ctx, "reps", 0), report_rel, report_rel);
  if (!json_is_true(json_object_get(R->root, "complete"))) P("**Incomplete run.**\n\n");
  ratios_t rm = {0};
  static const char *tables[] = { "random_mixed_short", "random_mixed_long" };
  for (int t = 0; t < 2; t++) {
    json_t *c0 = first_in(R, tables[t]);
    if (!c0) continue;
    char n[32];
    fmt_count(n, sizeof n, cell_arg(c0, "--iters"));
    P("Random mixed, %s ops per run:\n\n", n);
    ratios_t acc = {0};
    value_table(R, tables[t], "Size", &acc);
    ratio_summary(R, &acc, "size");
    for (int i = 0; i < acc.n_sys && rm.n_sys < 256; i++) rm.vs_sys[rm.n_sys++] = acc.vs_sys[i];
    for (int i = 0; i < acc.n_best && rm.n_best < 256; i++) rm.vs_best[rm.n_best++] = acc.vs_best[i];
  }
  if (table_present(R, "larson_high")) {
    P("Larson, 1024 chunks per thread (high contention):\n\n");
    value_table(R, "larson_high", "Threads", NULL);
  }
  hb_buf_t keep = R->b;                 /* render the checklist separately */
  R->b = (hb_buf_t){0};
  int reg = section_regressions(R);
  hb_buf_free(&R->b);
  checklist(R, &rm, reg);
  hb_buf_t list = R->b;
  R->b = keep;
  const char *items = strstr(list.s, "- [");
  const char *end = items ? strstr(items, "\n\n") : NULL;
  if (items && end) { P("Success criteria:\n\n"); hb_buf_addn(&R->b, items, (size_t)(end - items) + 2); }
  hb_buf_free(&list);
}

int hb_render_report(const char *results_path, const char *report_path, const char *plots_dir)
{
  return hb_render_report_summary(results_path, report_path, plots_dir, NULL);
}

int hb_render_report_summary(const char *results_path, const char *report_path, const char *plots_dir,
                             const char *summary_path)
{
  json_t *root = hb_results_load(results_path, NULL);
  if (!root) return HB_EXIT_USAGE;
  rep_t r = { .root = root, .cells = json_object_get(root, "cells"), .allocs = json_object_get(root, "allocators"),
              .hak = -1, .sys = -1 };
  rep_t *R = &r;
  for (size_t i = 0; i < nalloc(R); i++) {
    if (strcmp(aname(R, i), "hakmem") == 0) r.hak = (int)i;
    if (strcmp(aname(R, i), "system") == 0) r.sys = (int)i;
  }
  char *rdir = hb_xstrdup(report_path);
  char *slash = strrchr(rdir, '/');
  if (slash) *slash = '\0'; else strcpy(rdir, ".");
  char *run_dir = hb_xstrdup(results_path);
  slash = strrchr(run_dir, '/');
  if (slash) *slash = '\0'; else strcpy(run_dir, ".");
  char *pdir = plots_dir ? hb_xstrdup(plots_dir) : hb_default_plots_dir(run_dir, hb_jstr(root, "suite", ""));
  char rreal[PATH_MAX], preal[PATH_MAX];
  if (!realpath(rdir, rreal)) { hb_err("report: folder %s: %s", rdir, strerror(errno)); return HB_EXIT_USAGE; }
  if (realpath(pdir, preal)) { r.plots_abs = preal; r.plots_rel = relative(rreal, preal); }
  else { r.plots_abs = pdir; r.plots_rel = hb_xstrdup(pdir); }

  ratios_t rm = {0};
  header(R, results_path);
  section_random_mixed(R, &rm);
  section_longrun(R);
  section_larson(R);
  section_contention(R);
  section_rss(R);
  int reg = section_regressions(R);
  section_other(R);
  checklist(R, &rm, reg);
  raw_data(R);
  if (hb_write_file_atomic(report_path, r.b.s, r.b.len) != 0) {
    hb_err("report: cannot write %s: %s", report_path, strerror(errno));
    return 1;
  }
  if (summary_path) {
    /* Links relative to the repository root: the summary is for README.md. */
    char rootreal[PATH_MAX], repreal[PATH_MAX];
    char *rel = realpath(hb_root(), rootreal) && realpath(report_path, repreal) ? relative(rootreal, repreal)
                                                                                : hb_xstrdup(report_path);
    hb_buf_free(&r.b);
    summary(R, rel);
    if (hb_write_file_atomic(summary_path, r.b.s, r.b.len) != 0) {
      hb_err("report: cannot write %s: %s", summary_path, strerror(errno));
      return 1;
    }
  }
  json_decref(root);
  return 0;
}

int hb_report_main(int argc, char **argv)
{
  const char *dir = NULL, *out = NULL, *plots = NULL, *sum = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { fputs(report_usage, stdout); return 0; }
    if (strcmp(argv[i], "--summary") == 0 && i + 1 < argc) { sum = argv[++i]; continue; }
    if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) { out = argv[++i]; continue; }
    if (strcmp(argv[i], "--plots") == 0 && i + 1 < argc) { plots = argv[++i]; continue; }
    if (argv[i][0] == '-' || dir) {
      hb_err("report: unexpected argument '%s'", argv[i]);
      fputs(report_usage, stderr);
      return HB_EXIT_USAGE;
    }
    dir = argv[i];
  }
  if (!dir) { hb_err("report: which run folder?"); fputs(report_usage, stderr); return HB_EXIT_USAGE; }
  char *path = hb_results_path(dir);
  char *rp;
  if (out) rp = hb_xstrdup(out);
  else {
    rp = hb_xstrdup(path);
    char *slash = strrchr(rp, '/');
    char *tmp = slash ? (*slash = '\0', hb_sprintf("%s/report.md", rp)) : hb_xstrdup("report.md");
    free(rp);
    rp = tmp;
  }
  int rc = hb_render_report_summary(path, rp, plots, sum);
  if (rc == 0) printf("%s\n", rp);
  return rc;
}
