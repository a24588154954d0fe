/* report.c: `hakbench report`: render report.md (and the README summary)
 * from the figures report_data.c computed: the structure of the original
 * Phase 7 report with every allocator as a column. Everything comes from
 * the results file alone (no clock, no machine queries), so an old run
 * renders the same way again. */
#include "hakbench.h"
#include "md.h"
#include "report_data.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
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

/* The renderer's state: the figures, where charts are, the output. */
typedef struct out_s {
  const hb_report_t  *rep;
  const hb_results_t *r;
  hb_buf_t            b;
  const char         *plots_abs;   /* folder holding the PNGs          */
  char               *plots_rel;   /* the same, relative to the report */
} out_t;

#define P(...) hb_buf_printf(&O->b, __VA_ARGS__)

static const char *aname(const out_t *O, int i) { return O->r->allocs[i].name; }

/* ---- formatting --------------------------------------------------------- */

static void fmt_num(char *buf, size_t n, const hb_cell_t *c, double v)
{
  if (strcmp(c->metric, HB_METRIC_OPS) == 0) {
    v /= 1e6;
    snprintf(buf, n, v < 10 ? "%.2f" : "%.1f", v);
  } else if (strcmp(c->metric, HB_METRIC_WALL) == 0) {
    snprintf(buf, n, v < 10 ? "%.3f" : "%.2f", v);
  } else if (strcmp(c->metric, HB_METRIC_OUT) == 0) {
    double a = fabs(v);
    snprintf(buf, n, a >= 1000 ? "%.0f" : a >= 10 ? "%.1f" : "%.3f", v);
  } else {
    snprintf(buf, n, "%.1f", v);
  }
}

/* The median and half its interquartile range: "12.3 ±0.4". */
static void fmt_value(char *buf, size_t n, const hb_cell_t *c, const hb_shown_t *s)
{
  char v[48];
  fmt_num(v, sizeof v, c, s->value);
  if (!isfinite(s->spread)) { snprintf(buf, n, "%s", v); return; }
  /* the spread with as many decimals as the value */
  const char *dot = strchr(v, '.');
  int dec = dot ? (int)strlen(dot + 1) : 0;
  double sp = strcmp(c->metric, HB_METRIC_OPS) == 0 ? s->spread / 1e6 : s->spread;
  snprintf(buf, n, "%s ±%.*f", v, dec, sp);
}

/* A ratio with its interval and verdict: "≈ 101 % [96-107]" (a tie),
 * "112 % [105-118] better", "89 % [85-93] worse (jemalloc)". `name` is
 * given only for the best-other column: it is named when it is ahead. */
static void fmt_paired(char *buf, size_t n, const hb_paired_t *p, const char *name)
{
  switch (p->verdict) {
  case HB_CMP_NONE: snprintf(buf, n, "n/a"); break;
  case HB_CMP_TIE:
    snprintf(buf, n, "≈ %.0f %% [%.0f-%.0f]", p->ratio * 100, p->ci.lo * 100, p->ci.hi * 100);
    break;
  case HB_CMP_BETTER:
    snprintf(buf, n, "%.0f %% [%.0f-%.0f] better", p->ratio * 100, p->ci.lo * 100, p->ci.hi * 100);
    break;
  case HB_CMP_WORSE:
    snprintf(buf, n, "%.0f %% [%.0f-%.0f] worse%s%s%s", p->ratio * 100, p->ci.lo * 100, p->ci.hi * 100,
             name ? " (" : "", name ? name : "", name ? ")" : "");
    break;
  }
}

static void fmt_shown(char *buf, size_t n, const hb_cell_t *c, const hb_shown_t *s)
{
  switch (s->kind) {
  case HB_SHOW_VALUE: fmt_value(buf, n, c, s); break;
  case HB_SHOW_NA: snprintf(buf, n, "n/a"); break;
  case HB_SHOW_NOT_RUN: snprintf(buf, n, "not run"); break;
  case HB_SHOW_STATUS:
    if (s->ok > 0) snprintf(buf, n, "**%s** (%ld/%ld ok)", hb_status_name(s->status), s->ok, s->reps);
    else snprintf(buf, n, "**%s**", hb_status_name(s->status));
    break;
  }
}

/* Header of a table with one column per allocator after the first. */
static void alloc_table(const out_t *O, hb_md_table_t *t, const char *first, int extra, const char *const *extra_head,
                        char align)
{
  int n = O->r->nallocs;
  const char **head = hb_xmalloc(sizeof(char *) * (size_t)(n + extra + 1));
  char *al = hb_xmalloc((size_t)(n + extra + 2));
  head[0] = first;
  al[0] = 'l';
  for (int i = 0; i < n; i++) { head[i + 1] = aname(O, i); al[i + 1] = align; }
  for (int k = 0; k < extra; k++) { head[n + 1 + k] = extra_head[k]; al[n + 1 + k] = 'r'; }
  al[n + extra + 1] = '\0';
  hb_md_init(t, n + extra + 1, head, al);
  free(head);
  free(al);
}

static void emit(out_t *O, hb_md_table_t *t)
{
  hb_md_render(t, &O->b);
  hb_md_free(t);
}

static void embed(out_t *O, const char *file, const char *alt)
{
  char *p = hb_sprintf("%s/%s", O->plots_abs, file);
  if (hb_exists(p)) P("![%s](%s/%s)\n\n", alt, O->plots_rel, file);
  free(p);
}

/* ---- tables ------------------------------------------------------------- */

static void geo_text(char *buf, size_t n, double geo, const hb_paired_t *p);

/* geo: when not NULL, a last row with the geometric means (ratios a; each
 * allocator's time relative to system's, norm). */
static void value_table_geo(out_t *O, const hb_value_table_t *v, const hb_ratios_t *a, const double *norm,
                            const int *norm_n)
{
  if (v->nrows > 0) {
    static const char *const extra[] = { "hakmem vs system", "hakmem vs best other" };
    char *first = v->unit ? hb_sprintf("%s (%s%s, median ±IQR/2)", v->first_col, v->unit,
                                       v->rows[0].cell->program && v->rows[0].cell->lower_better ? ", lower is better" : "")
                          : hb_sprintf("%s (median ±IQR/2)", v->first_col);
    hb_md_table_t t;
    alloc_table(O, &t, first, 2, extra, 'r');
    free(first);
    for (int i = 0; i < v->nrows; i++) {
      const hb_value_row_t *row = &v->rows[i];
      char buf[128];
      char *label = v->unit ? hb_xstrdup(row->cell->label)
                            : hb_sprintf("%s (%s%s)", row->cell->label, hb_cell_unit(row->cell),
                                         row->cell->lower_better ? ", lower is better" : "");
      char nruns[48] = "";
      if (row->cell->reps != O->r->ctx.reps && !row->cell->cachegrind) snprintf(nruns, sizeof nruns, " (%d runs)", row->cell->reps);
      hb_md_addf(&t, "%s%s%s", label, nruns, row->busy ? " (busy)" : "");
      free(label);
      for (int a = 0; a < O->r->nallocs; a++) { fmt_shown(buf, sizeof buf, row->cell, &row->shown[a]); hb_md_add(&t, buf); }
      fmt_paired(buf, sizeof buf, &row->p_sys, NULL);
      hb_md_add(&t, buf);
      fmt_paired(buf, sizeof buf, &row->p_best, row->best >= 0 ? aname(O, row->best) : NULL);
      hb_md_add(&t, buf);
    }
    if (a) {
      char buf[128];
      hb_md_add(&t, "**geometric mean**: time relative to system");
      for (int i = 0; i < O->r->nallocs; i++) {
        if (norm_n[i] > 0) hb_md_addf(&t, "%.0f %% (%d)", norm[i] * 100, norm_n[i]);
        else hb_md_add(&t, "n/a");
      }
      if (a->n_sys) { geo_text(buf, sizeof buf, a->geo_sys, &a->pg_sys); hb_md_addf(&t, "**%s**", buf); }
      else hb_md_add(&t, "n/a");
      if (a->n_best) { geo_text(buf, sizeof buf, a->geo_best, &a->pg_best); hb_md_addf(&t, "**%s**", buf); }
      else hb_md_add(&t, "n/a");
    }
    emit(O, &t);
  }
  P("\n");
}

static void value_table(out_t *O, const hb_value_table_t *v)
{
  value_table_geo(O, v, NULL, NULL, NULL);
}

/* A geometric mean with its interval and verdict: "≈ 97 % [91-104]". */
static void geo_text(char *buf, size_t n, double geo, const hb_paired_t *p)
{
  if (p->verdict == HB_CMP_NONE) { snprintf(buf, n, "%.0f %%", geo * 100); return; }
  snprintf(buf, n, "%s%.0f %% [%.0f-%.0f]%s", p->verdict == HB_CMP_TIE ? "≈ " : "", geo * 100, p->ci.lo * 100,
           p->ci.hi * 100, p->verdict == HB_CMP_BETTER ? " better" : p->verdict == HB_CMP_WORSE ? " worse" : "");
}

static void ratio_summary(out_t *O, const hb_ratios_t *a, const char *what)
{
  const hb_report_t *R = O->rep;
  if (a->n_sys == 0) {
    P("hakmem vs system: n/a (%s).\n\n", R->hak < 0 || !O->r->allocs[R->hak].available ? "hakmem was not run"
                                                                                          : "no cell where both ran OK");
    return;
  }
  char ci[128];
  geo_text(ci, sizeof ci, a->geo_sys, &a->pg_sys);
  P("hakmem vs system: geometric mean **%s** over %d %s%s (%d ahead, %d tied, %d behind); best %s (%.0f %%), worst %s (%.0f %%).",
    ci, a->n_sys, what, a->n_sys == 1 ? "" : "s", a->cnt_sys[HB_CMP_BETTER], a->cnt_sys[HB_CMP_TIE],
    a->cnt_sys[HB_CMP_WORSE], a->label[a->best], a->vs_sys[a->best] * 100, a->label[a->worst], a->vs_sys[a->worst] * 100);
  if (a->n_best) {
    geo_text(ci, sizeof ci, a->geo_best, &a->pg_best);
    P(" hakmem vs the best other allocator of each row: geometric mean **%s** (%d ahead, %d tied, %d behind).", ci,
      a->cnt_best[HB_CMP_BETTER], a->cnt_best[HB_CMP_TIE], a->cnt_best[HB_CMP_WORSE]);
  }
  P("\n\n");
}

static void metric_table(out_t *O, const hb_metric_table_t *m, const hb_value_table_t *cells, const char *fmt)
{
  hb_md_table_t t;
  alloc_table(O, &t, m->first_col, 0, NULL, 'r');
  int n = O->r->nallocs;
  for (int i = 0; i < m->nrows; i++) {
    hb_md_add(&t, m->labels[i]);
    for (int a = 0; a < n; a++) {
      const hb_metric_cell_t *c = &m->v[i * n + a];
      char buf[128];
      if (c->has) snprintf(buf, sizeof buf, fmt, c->v);
      else fmt_shown(buf, sizeof buf, cells->rows[i].cell, &c->fallback);
      hb_md_add(&t, buf);
    }
  }
  emit(O, &t);
  P("\n");
}

/* " a x1.00; b n/a." : items separated by ';', the last ending in '.'. */
static void end_list(out_t *O, int n, int i)
{
  P("%s", i + 1 < n ? ";" : ".");
}

/* ---- sections ----------------------------------------------------------- */

static void section_random_mixed(out_t *O, int summary)
{
  const hb_report_t *R = O->rep;
  if (!summary)
    P("## 1. Random mixed: throughput per object size\n\n"
      "One thread allocates and frees blocks of one size in random order over a working set "
      "(the original's \"random mixed\" test). M ops/s = million malloc-or-free calls per second; "
      "\"hakmem vs X\" is hakmem's throughput as a percentage of X's.\n\n");
  for (int t = 0; t < 2; t++) {
    if (!R->rm[t].present) continue;
    char n[32];
    hb_fmt_count(n, sizeof n, R->rm[t].iters);
    if (summary) P("Random mixed, %s ops per run:\n\n", n);
    else P("### 1%c. %s ops per run\n\n", 'a' + t, n);
    value_table(O, &R->rm[t].values);
    ratio_summary(O, &R->rm[t].ratios, "size");
    if (!summary) {
      char *png = hb_sprintf("%s.png", R->rm[t].values.table);
      embed(O, png, "throughput per size, normalized to system");
      free(png);
    }
  }
}

static void section_longrun(out_t *O)
{
  const hb_report_t *R = O->rep;
  P("## 2. Long-run stability\n\n");
  if (!R->longrun) { P("Not in this suite.\n\n"); return; }
  char w[32];
  hb_fmt_count(w, sizeof w, R->window ? R->window : "1000000");
  P("The longrun workload runs random-mixed traffic in windows of %s ops (%s windows per run) "
    "and records each window's throughput and RSS.\n\n", w, R->windows ? R->windows : "20");
  P("**Throughput over the whole run**\n\n");
  value_table(O, &R->longrun_values);
  P("**Window-to-window variation** (coefficient of variation of window throughput; median over runs)\n\n");
  metric_table(O, &R->longrun_cv, &R->longrun_values, "%.1f %%");
  P("**Against the short run** (long-run throughput vs the section 1a figure at the same size)\n\n");
  metric_table(O, &R->longrun_vs_short, &R->longrun_values, "%+.1f %%");
  P("**RSS growth** (RSS at the last window vs the second window)\n\n");
  metric_table(O, &R->longrun_rss, &R->longrun_values, "%+.1f %%");
}

static void section_larson(out_t *O)
{
  const hb_report_t *R = O->rep;
  P("## 3. Multi-threading: Larson\n\n"
    "Each thread frees and replaces random chunks of a shared pool (server-style traffic). "
    "A CRASH or TIMEOUT cell is an allocator failure, recorded and not retried.\n\n");
  for (int k = 0; k < R->nlarson; k++) {
    const hb_larson_t *L = &R->larson[k];
    const char *secs = L->seconds;
    P("### 3%c. %s%s%s%s\n\n", 'a' + k, L->layout->title, secs ? ", " : "", secs ? secs : "", secs ? " s per run" : "");
    value_table(O, &L->values);
    if (L->scaling.present) {
      P("Scaling from 1 to %ld threads (throughput ratio):", L->scaling.most);
      for (int i = 0; i < O->r->nallocs; i++) {
        if (L->scaling.has[i]) P(" %s x%.2f", aname(O, i), L->scaling.x[i]);
        else P(" %s n/a", aname(O, i));
        end_list(O, O->r->nallocs, i);
      }
      P("\n\n");
    }
  }
  if (!R->nlarson) P("Not in this suite.\n\n");
  embed(O, "larson.png", "Larson throughput against threads");
}

static void section_contention(out_t *O)
{
  const hb_report_t *R = O->rep;
  P("## 4. Remote frees and false sharing\n\n");
  if (R->has_contention) {
    P("### 4a. %s\n\n", hb_layout_of("mt_contention")->title);
    value_table(O, &R->contention);
  }
  if (R->has_false_sharing) {
    P("### 4b. %s\n\n", hb_layout_of("false_sharing")->title);
    value_table(O, &R->false_sharing);
  }
  if (!R->has_contention && !R->has_false_sharing) P("Not in this suite.\n\n");
  embed(O, "contention.png", "mt_contention throughput against threads");
}

static void section_rss(out_t *O)
{
  const hb_report_t *R = O->rep;
  P("## 5. Peak RSS\n\n"
    "Largest median peak RSS (MiB, from wait4 of each run) over the cells of each group "
    "(cells measured under cachegrind are left out: their RSS is valgrind's).\n\n");
  hb_md_table_t t;
  alloc_table(O, &t, "Workload group", 0, NULL, 'r');
  for (int g = 0; g < R->nrss; g++) {
    hb_md_add(&t, R->rss_groups[g]);
    for (int i = 0; i < O->r->nallocs; i++) {
      double mx = R->rss[g * O->r->nallocs + i];
      if (mx >= 0) hb_md_addf(&t, "%.1f", mx / 1024);
      else hb_md_add(&t, "n/a");
    }
  }
  emit(O, &t);
  P("\n");
  embed(O, "peak_rss.png", "peak RSS per workload group");
}

static void section_regressions(out_t *O)
{
  const hb_report_t *R = O->rep;
  P("## 6. Regression cases from the original's bug list\n\n");
  if (!R->has_regression) { P("Not in this suite.\n\n"); return; }
  P("PASS = every run completed and the workload checked its blocks; FAIL shows what happened.\n\n");
  hb_md_table_t t;
  alloc_table(O, &t, "Case", 0, NULL, 'l');
  int n = O->r->nallocs;
  for (int c = 0; c < R->nreg; c++) {
    hb_md_add(&t, R->reg_cells[c]->label);
    for (int i = 0; i < n; i++) {
      switch (R->reg[c * n + i]) {
      case HB_REG_NA: hb_md_add(&t, "n/a"); break;
      case HB_REG_NOT_RUN: hb_md_add(&t, "not run"); break;
      case HB_REG_PASS: hb_md_add(&t, "PASS"); break;
      case HB_REG_FAIL: hb_md_addf(&t, "**FAIL** (%s)", hb_status_name(R->reg_status[c * n + i])); break;
      }
    }
  }
  emit(O, &t);
  P("\n");
}

static void section_other(out_t *O)
{
  const hb_report_t *R = O->rep;
  if (R->nother) P("## Other tables of this suite\n\n");
  for (int k = 0; k < R->nother; k++) {
    const hb_value_table_t *v = &R->other[k];
    P("### %s%s\n\n", v->table, v->rows[0].cell->lower_better ? " (lower is better)" : "");
    value_table(O, v);
  }
}

static void checklist_items(out_t *O)
{
  const hb_report_t *R = O->rep;
  for (int i = 0; i < R->nchecks; i++) P("- [%c] %s\n", R->checks[i].done ? 'x' : ' ', R->checks[i].text);
  P("\n");
}

static void section_checklist(out_t *O)
{
  const hb_report_t *R = O->rep;
  P("## 7. Success criteria\n\nComputed from the runs above.\n\n");
  if (!R->hak_ok) P("hakmem was not run (build/libhakmem.so missing): every criterion below is open.\n\n");
  checklist_items(O);
  P("Failed runs of the other allocators (results, not harness errors)%s", R->nothers ? ":" : ".");
  for (int i = 0; i < R->nothers; i++) {
    const hb_failures_t *f = &R->others[i];
    if (!f->installed) P(" %s not installed", f->alloc);
    else P(" %s %d%s%s%s", f->alloc, f->n, f->n ? " (" : "", f->n ? f->first : "", f->n ? ")" : "");
    end_list(O, R->nothers, i);
  }
  P("\n\n");
}

/* ---- conformance and misuse ---------------------------------------------- */

/* A check's text in a markdown table cell: '|' escaped, newlines and
 * backquotes blanked. */
static void md_text(hb_buf_t *b, const char *s, size_t max)
{
  hb_buf_add(b, "");
  for (size_t k = 0; s && s[k] && k < max; k++) {
    if (s[k] == '|') hb_buf_add(b, "\\|");
    else if (s[k] == '`' || (unsigned char)s[k] < 32) hb_buf_add(b, " ");
    else hb_buf_addn(b, s + k, 1);
  }
}

/* An outcome as the tables show it: conformance pass / **FAIL** /
 * **CRASH** (SIGSEGV) / **HANG**; misuse in words; a failed run (HANG,
 * INVALID, ERROR) in capitals. */
static void outcome_text(hb_buf_t *b, hb_outcome_t o, const char *signal)
{
  switch (o) {
  case HB_OUT_PASS: hb_buf_add(b, "pass"); break;
  case HB_OUT_FAIL: hb_buf_add(b, "**FAIL**"); break;
  case HB_OUT_CRASH: hb_buf_printf(b, "**CRASH**%s%s%s", signal ? " (" : "", signal ? signal : "", signal ? ")" : ""); break;
  case HB_OUT_STOPPED: hb_buf_add(b, "stopped"); break;
  case HB_OUT_REPORTED: hb_buf_add(b, "reported"); break;
  case HB_OUT_NO_DAMAGE: hb_buf_add(b, "no damage"); break;
  case HB_OUT_SILENT: hb_buf_add(b, "silent"); break;
  case HB_OUT_CRASHED_ELSEWHERE: hb_buf_add(b, "crashed elsewhere"); break;
  case HB_OUT_HANG: hb_buf_add(b, "**HANG**"); break;
  case HB_OUT_INVALID: hb_buf_add(b, "**INVALID**"); break;
  default: hb_buf_add(b, "**ERROR**"); break;
  }
}

static void check_cell_text(hb_buf_t *b, const hb_check_shown_t *sh)
{
  hb_buf_add(b, "");
  if (sh->kind == HB_SHOW_NA) { hb_buf_add(b, "n/a"); return; }
  if (sh->kind == HB_SHOW_NOT_RUN) { hb_buf_add(b, "not run"); return; }
  if (!sh->varies) outcome_text(b, sh->outcome, sh->signal);
  else
    for (int k = HB_OUT_PASS, first = 1; k < HB_OUT_COUNT; k++) {
      if (!sh->n[k]) continue;
      if (!first) hb_buf_add(b, ", ");
      first = 0;
      outcome_text(b, (hb_outcome_t)k, k == HB_OUT_CRASH ? sh->signal : NULL);
      hb_buf_printf(b, " ×%d", sh->n[k]);
    }
  if (sh->note) hb_buf_printf(b, " [%d]", sh->note);
}

static void check_table(out_t *O, const hb_check_table_t *t, const char *first)
{
  hb_md_table_t md;
  alloc_table(O, &md, first, 0, NULL, 'l');
  for (int i = 0; i < t->nrows; i++) {
    hb_md_addf(&md, "`%s`", t->rows[i].cell->id);
    for (int a = 0; a < O->r->nallocs; a++) {
      hb_buf_t b = {0};
      check_cell_text(&b, &t->rows[i].shown[a]);
      hb_md_add(&md, b.s);
      hb_buf_free(&b);
    }
  }
  emit(O, &md);
  P("\n");
  for (int i = 0; i < t->nnotes; i++) {
    const hb_check_note_t *n = &t->notes[i];
    hb_buf_t d = {0};
    md_text(&d, n->detail ? n->detail : "(no detail recorded)", 300);
    P("[%d] %s, `%s`: %s: %s\n", i + 1, aname(O, n->alloc), n->cell->id, hb_outcome_name(n->outcome), d.s);
    hb_buf_free(&d);
    if (i + 1 < t->nnotes) P("\n");
  }
  if (t->nnotes) P("\n");
}

/* Which count a row of the counts table shows (besides an outcome). */
enum { COUNT_PROTECTED = -1, COUNT_VARIES = -2, COUNT_INVALID_ERROR = -3 };

static int count_of(const hb_check_counts_t *k, int which, int kind)
{
  switch (which) {
  case COUNT_PROTECTED: return k->protected_cases;
  case COUNT_VARIES: return k->varies[kind];
  case COUNT_INVALID_ERROR: return k->n[kind][HB_OUT_INVALID] + k->n[kind][HB_OUT_ERROR];
  default: return k->n[kind][which];
  }
}

/* A row of the counts table: one number per allocator ("n/a" when it was
 * not installed); passed and protected also say of how many cells. kind:
 * 0 conformance, 1 misuse. */
static void count_row(out_t *O, hb_md_table_t *t, const char *label, int which, int kind)
{
  hb_md_add(t, label);
  for (int a = 0; a < O->r->nallocs; a++) {
    const hb_check_counts_t *k = &O->rep->check_counts[a];
    int n = count_of(k, which, kind);
    if (!k->installed) hb_md_add(t, "n/a");
    else if (which == HB_OUT_PASS || which == COUNT_PROTECTED) hb_md_addf(t, "**%d** of %d", n, k->cells[kind]);
    else hb_md_addf(t, "%d", n);
  }
}

/* Some allocator has cells counted under `which` (see count_row). */
static int count_any(const out_t *O, int which, int kind)
{
  for (int a = 0; a < O->r->nallocs; a++)
    if (count_of(&O->rep->check_counts[a], which, kind)) return 1;
  return 0;
}

#define ROW_PASSED    "Conformance checks passed"
#define ROW_PROTECTED "Misuse cases protected (stopped + reported)"
#define ROW_SILENT    "Misuse cases silent (the damage showed)"

/* The counts per allocator; summary: only the rows the README shows. */
static void check_counts(out_t *O, int summary)
{
  const hb_report_t *R = O->rep;
  hb_md_table_t t;
  alloc_table(O, &t, "Cells per outcome", 0, NULL, 'r');
  if (R->nconform) {
    count_row(O, &t, ROW_PASSED, HB_OUT_PASS, 0);
    if (!summary) {
      count_row(O, &t, "Conformance: failed", HB_OUT_FAIL, 0);
      count_row(O, &t, "Conformance: crashed (a signal)", HB_OUT_CRASH, 0);
      count_row(O, &t, "Conformance: hung (time limit)", HB_OUT_HANG, 0);
      if (count_any(O, COUNT_INVALID_ERROR, 0)) count_row(O, &t, "Conformance: invalid or error", COUNT_INVALID_ERROR, 0);
      if (count_any(O, COUNT_VARIES, 0)) count_row(O, &t, "Conformance: outcome varied between runs", COUNT_VARIES, 0);
    }
  }
  if (R->nmisuse) {
    count_row(O, &t, ROW_PROTECTED, COUNT_PROTECTED, 1);
    if (!summary) {
      count_row(O, &t, "Misuse: stopped", HB_OUT_STOPPED, 1);
      count_row(O, &t, "Misuse: reported", HB_OUT_REPORTED, 1);
    }
    count_row(O, &t, ROW_SILENT, HB_OUT_SILENT, 1);
    if (!summary) {
      count_row(O, &t, "Misuse: no damage seen", HB_OUT_NO_DAMAGE, 1);
      count_row(O, &t, "Misuse: crashed elsewhere", HB_OUT_CRASHED_ELSEWHERE, 1);
      count_row(O, &t, "Misuse: hung (time limit)", HB_OUT_HANG, 1);
      if (count_any(O, COUNT_INVALID_ERROR, 1)) count_row(O, &t, "Misuse: invalid or error", COUNT_INVALID_ERROR, 1);
      if (count_any(O, COUNT_VARIES, 1)) count_row(O, &t, "Misuse: outcome varied between runs", COUNT_VARIES, 1);
    }
  }
  emit(O, &t);
  P("\n");
}

static void section_checks(out_t *O)
{
  const hb_report_t *R = O->rep;
  if (!R->has_checks) return;
  P("## Conformance and misuse\n\n"
    "Each check is one scenario of a check program (`workloads/checks/`), run in its own process under each "
    "allocator (`LD_PRELOAD`; glibc without) and classified from its exit status or signal, its stdout and its "
    "stderr (`workloads/checks/README.md`, \"Classification\"). A conformance check passes, or FAILs with the "
    "reason in a footnote; **CRASH**: killed by a signal; **HANG**: killed at its time limit. A misuse scenario "
    "shows what the allocator did: *stopped* (an abort or a fatal signal before the damage was used, or a visible "
    "refusal), *reported* (a message on stderr, and no damage showed), *silent* (the program went on and the damage "
    "showed), *no damage* (nothing reported and nothing seen: ignored, neutralised, or latent beyond the probe), "
    "*crashed elsewhere* (a signal after the damage was handed to the program). Protected = stopped + reported. "
    "One cell by hand: `LD_PRELOAD=LIBRARY build/checks/PROGRAM SCENARIO`; every cell of one allocator: "
    "`workloads/checks/classify.sh ALLOCATOR`.\n\n");
  P("### Counts per allocator\n\n");
  check_counts(O, 0);
  if (R->nconform) {
    P("### Conformance checks\n\n");
    check_table(O, &R->conform, "Check");
  }
  if (R->nmisuse) {
    P("### Misuse scenarios\n\n");
    check_table(O, &R->misuse, "Scenario");
  }
}

/* Every run of every check cell: outcome, status, detail. */
static void check_runs(out_t *O)
{
  static const char *const head[] = { "Cell", "Allocator", "Rep", "Outcome", "Status", "Detail" };
  hb_md_table_t t;
  hb_md_init(&t, 6, head, "llrlll");
  for (int ci = 0; ci < O->r->ncells; ci++) {
    const hb_cell_t *c = &O->r->cells[ci];
    if (!c->check) continue;
    for (int i = 0; i < O->r->nallocs; i++) {
      const hb_series_t *s = hb_cell_series(c, aname(O, i));
      for (int j = 0; s && j < s->nruns; j++) {
        const hb_run_t *run = &s->runs[j];
        hb_buf_t d = {0};
        md_text(&d, run->detail, 200);
        hb_md_add(&t, c->id);
        hb_md_add(&t, aname(O, i));
        hb_md_addf(&t, "%d", run->rep + 1);
        hb_md_add(&t, hb_outcome_name(run->outcome));
        hb_md_addf(&t, "%s%s%s", hb_status_name(run->status), run->signal ? " " : "", run->signal ? run->signal : "");
        hb_md_add(&t, d.s);
        hb_buf_free(&d);
      }
    }
  }
  P("\nCheck runs:\n\n");
  emit(O, &t);
}

/* Every failed run with the last line of its stderr (the crash message). */
static void failed_runs(out_t *O)
{
  hb_md_table_t t;
  static const char *const head[] = { "Cell", "Allocator", "Rep", "Status", "Last line of stderr" };
  hb_md_init(&t, 5, head, "llrll");
  for (int ci = 0; ci < O->r->ncells; ci++) {
    const hb_cell_t *c = &O->r->cells[ci];
    for (int i = 0; i < O->r->nallocs && !c->check; i++) {  /* check runs: their own table */
      const hb_series_t *s = hb_cell_series(c, aname(O, i));
      for (int j = 0; s && j < s->nruns; j++) {
        const hb_run_t *run = &s->runs[j];
        if (run->status == HB_OK) continue;
        const char *tail = run->stderr_tail ? run->stderr_tail : "";
        const char *last = strrchr(tail, '\n');
        last = last ? last + 1 : tail;
        hb_buf_t msg = {0};
        hb_buf_add(&msg, "");
        for (int k = 0; last[k] && k < 160; k++) {
          if (last[k] == '|') hb_buf_add(&msg, "\\|");
          else if (last[k] == '`' || (unsigned char)last[k] < 32) hb_buf_add(&msg, " ");
          else hb_buf_addn(&msg, last + k, 1);
        }
        hb_md_add(&t, c->id);
        hb_md_add(&t, aname(O, i));
        hb_md_addf(&t, "%d", run->rep + 1);
        hb_md_addf(&t, "%s%s%s", hb_status_name(run->status), run->signal ? " " : "", run->signal ? run->signal : "");
        hb_md_add(&t, msg.s);
        hb_buf_free(&msg);
      }
    }
  }
  if (t.nrows) {
    P("\nFailed runs:\n\n");
    hb_md_render(&t, &O->b);
  }
  hb_md_free(&t);
}

static void raw_data(out_t *O)
{
  if (O->rep->checks_only) {
    P("## Raw data\n\n<details>\n<summary>Every check and allocator: outcome, status, detail</summary>\n");
    check_runs(O);
    P("\nThe detail is the reason of a failed check, the signal and where it came, the allocator's first line on "
      "stderr, or the first damage the probe saw. Each run's command line, exit status, stderr tail and rusage are "
      "in results.json.\n\n</details>\n");
    return;
  }
  P("## Raw data\n\n<details>\n<summary>Every cell and allocator: status, statistics of the OK runs, each sample</summary>\n\n");
  static const char *const head[] = { "Cell", "Allocator", "Status", "n", "Median", "Min", "Max", "IQR",
                                      "Peak RSS MiB", "Samples" };
  hb_md_table_t t;
  hb_md_init(&t, 10, head, "lllrrrrrrl");
  for (int ci = 0; ci < O->r->ncells; ci++) {
    const hb_cell_t *c = &O->r->cells[ci];
    for (int i = 0; i < O->r->nallocs && !c->check; i++) {  /* check runs: their own table */
      const hb_series_t *s = hb_cell_series(c, aname(O, i));
      if (!s || !s->has_stats) continue;
      const hb_stats_t *st = &s->stats;
      char med[64] = "", mn[64] = "", mx[64] = "", iqr[64] = "", rss[64] = "";
      if (st->n > 0) {
        fmt_num(med, sizeof med, c, st->median);
        fmt_num(mn, sizeof mn, c, st->min);
        fmt_num(mx, sizeof mx, c, st->max);
        fmt_num(iqr, sizeof iqr, c, st->iqr);
        snprintf(rss, sizeof rss, "%.1f", (isfinite(st->peak_rss_kb_median) ? st->peak_rss_kb_median : 0) / 1024);
      }
      hb_buf_t samples = {0};
      hb_buf_add(&samples, "");
      for (int j = 0; j < s->nruns; j++) {
        const hb_run_t *run = &s->runs[j];
        char v[64];
        if (run->status == HB_OK) fmt_num(v, sizeof v, c, run->value);
        else snprintf(v, sizeof v, "%s%s%s", hb_status_name(run->status), run->signal ? " " : "", run->signal ? run->signal : "");
        hb_buf_printf(&samples, "%s%s", j ? " " : "", v);
      }
      const char *row[10] = { c->id, aname(O, i), hb_status_name(st->status), NULL, med, mn, mx, iqr, rss, samples.s };
      char n[32];
      snprintf(n, sizeof n, "%ld", st->n);
      row[3] = n;
      hb_md_row(&t, row);
      hb_buf_free(&samples);
    }
  }
  emit(O, &t);
  failed_runs(O);
  if (O->rep->has_checks) check_runs(O);
  P("\nUnits: M ops/s for throughput cells, instructions per op for instructions_per_op cells%s. ",
    O->rep->has_programs ? ", seconds or the named unit for program cells" : "");
  P(
    "Each run's command line, exit status and stderr tail are in results.json.\n\n</details>\n");
}

/* The busy-machine warning, shown first in the report and the summary. */
static void busy_warning(out_t *O)
{
  const hb_report_t *R = O->rep;
  if (!R->busy) return;
  if (R->checks_only) {
    P("> **WARNING: BUSY MACHINE.** Other processes used %.2f CPUs on average during the runs (threshold %.1f). "
      "Outcomes do not depend on speed, but a check that hung may only have been slow: run again when the "
      "machine is idle.\n\n", R->other_cpus, HB_BUSY_CPUS);
    return;
  }
  P("> **WARNING: BUSY MACHINE.** Other processes used %.2f CPUs on average during the runs "
    "(threshold %.1f; %d of %d timed cells measured mostly while busy, marked \"(busy)\"). "
    "Throughput figures and verdicts may not hold on a quiet machine: run again when it is idle.\n\n",
    R->other_cpus, HB_BUSY_CPUS, R->busy_cells, R->timed_cells);
}

/* "load average 0.12 at start, 1.05 at end; other processes used 0.03 CPUs" */
static void machine_text(out_t *O, hb_buf_t *b)
{
  const hb_context_t *x = &O->r->ctx;
  const hb_report_t *R = O->rep;
  if (!x->has_load_start && !x->has_load_end && !R->has_other) { hb_buf_add(b, "not recorded"); return; }
  if (x->has_load_start || x->has_load_end) {
    hb_buf_add(b, "load average (1 min)");
    if (x->has_load_start) hb_buf_printf(b, " %.2f at start", x->load_start[0]);
    if (x->has_load_end) hb_buf_printf(b, "%s %.2f at end", x->has_load_start ? "," : "", x->load_end[0]);
    hb_buf_add(b, "; ");
  }
  if (R->has_other)
    hb_buf_printf(b, "other processes used %.2f CPUs on average during the runs: %s", R->other_cpus,
                  R->busy ? "**busy**" : "quiet");
  else
    hb_buf_add(b, "other processes' CPU time not recorded");
}

/* A library path as the report shows it: the checkout's own libraries
 * relative to the repository root (build/libhakmem.so), so that no machine
 * path ends up in a generated file; system libraries as they are. */
static const char *shown_path(const char *path)
{
  const char *b = strstr(path, "/build/");
  if (b && strncmp(path, "/usr/", 5) != 0 && strncmp(path, "/lib", 4) != 0) return b + 1;
  return path;
}

static void header(out_t *O)
{
  const hb_results_t *r = O->r;
  const hb_context_t *x = &r->ctx;
  const char *suite = r->suite;
  P("# hakmem benchmark report: suite `%s`\n\n", suite);
  busy_warning(O);
  if (O->rep->checks_only)
    P("Conformance and misuse checks: each scenario run in its own process under every allocator, its outcome "
      "classified from what the process left behind. A run counts only when the check program reported the "
      "allocator asked for serving its `malloc`. Generated by `build/hakbench report` from `results.json` alone.\n\n");
  else if (O->rep->programs)
    P("Real programs, each run under every allocator side by side (`LD_PRELOAD`; a server under the allocator "
      "with its client under glibc). A run counts only when every process of it reported the allocator asked "
      "for serving its `malloc`, and, for programs with an output check, when its output matched glibc's. "
      "Generated by `build/hakbench report` from `results.json` alone.\n\n");
  else if (O->rep->tables_only)
    P("Every cell run under every allocator side by side, allocators interleaved within each repetition; "
      "time or throughput, and peak RSS, per cell. A run counts only when the allocator asked for served "
      "`malloc`. Generated by `build/hakbench report` from `results.json` alone.\n\n");
  else
    P("The Phase 7 comparison of the original hakmem, re-run on this machine with every allocator "
      "side by side. Generated by `build/hakbench report` from `results.json` alone.\n\n");
  if (!r->complete)
    P("> **INCOMPLETE RUN**: %ld of %ld runs finished. Continue it with "
      "`build/hakbench run --resume <run folder>`; the tables below show only what finished.\n\n",
      O->rep->done, O->rep->planned);
#define OR(s, d) ((s) ? (s) : (d))
  P("| Context | |\n|---|---|\n");
  P("| Date | %s |\n", OR(x->date, "?"));
  P("| Commit | %.12s%s |\n", OR(x->git_commit, "unknown"), x->git_dirty ? " (with uncommitted changes)" : "");
  P("| Machine | %s, %ld cores, Linux %s |\n", OR(x->cpu_model, "?"), x->cores, OR(x->kernel, "?"));
  P("| glibc | %s |\n", OR(x->glibc, "?"));
  P("| Build flags | `%s` |\n", OR(x->build_flags, "?"));
  if (O->rep->checks_only) {  /* outcomes: no verdicts, never more rounds */
    P("| Method | %ld run%s per check and allocator, no warm-up, allocators interleaved; outcomes, not timings; "
      "timeout %g s (the suite may give some checks longer) |\n", x->reps, x->reps == 1 ? "" : "s", x->timeout_s);
  } else {
  P("| Method | %ld measured runs + %ld warm-up per cell and allocator, allocators interleaved within each repetition; "
    "median ±IQR/2 reported; timeout %g s; single-threaded runs %s |\n",
    x->reps, x->warmup, x->timeout_s, x->pin ? "pinned to one CPU" : "not pinned");
  if (x->min_time_s > 0)
    P("| Repetitions | auto: a cell whose runs are short got more interleaved rounds, until each allocator had "
      "about %g s of runs (at most %ld); the rows that did say how many |\n", x->min_time_s, x->max_reps);
  P("| Verdicts | \"hakmem vs X\" is the median of the per-repetition ratios hakmem/X (runs with the same repetition "
    "index ran side by side) with its %.0f %% sign-test interval [low-high]; better or worse only when the interval "
    "leaves out 100 %% and is at least %.0f %% sure (5 or more repetitions), else a tie: ≈. The best other allocator "
    "is named only when it is ahead |\n", HB_CI_LEVEL * 100, HB_MIN_COVERAGE * 100);
  }
  {
    hb_buf_t m = {0};
    machine_text(O, &m);
    P("| Machine state | %s |\n", m.s);
    hb_buf_free(&m);
  }
  P("| Command | `%s` |\n", OR(x->command, "?"));
  for (int j = 0; j < x->nresumed; j++) P("| Resumed with | `%s` |\n", x->resumed[j]);
  if (strcmp(suite, "apps") == 0 || strcmp(suite, "patterns") == 0)
    P("\nTo reproduce: `./run_all.sh` (phase7, patterns, apps, checks), or the command above "
      "followed by `build/hakbench plot DIR` and `build/hakbench report DIR`.\n\n");
  else if (strcmp(suite, "quick") == 0 || strcmp(suite, "phase7") == 0)
    P("\nTo reproduce: `./run_all.sh%s` (builds, installs the allocators, runs, renders), or the command above "
      "followed by `build/hakbench plot DIR` and `build/hakbench report DIR`.\n\n", suite[0] == 'q' ? " --quick" : "");
  else if (O->rep->checks_only)
    P("\nTo reproduce: the command above, then `build/hakbench report DIR`.\n\n");
  else
    P("\nTo reproduce: the command above, then `build/hakbench plot DIR` and `build/hakbench report DIR`.\n\n");
  static const char *const head[] = { "Allocator", "Library", "Package", "Version" };
  hb_md_table_t t;
  hb_md_init(&t, 4, head, NULL);
  for (int i = 0; i < r->nallocs; i++) {
    const hb_alloc_t *a = &r->allocs[i];
    const char *pkg = a->package, *path = a->path;
    hb_md_add(&t, a->name);
    if (a->available) {
      hb_md_add(&t, path ? shown_path(path)
                         : O->rep->programs ? "glibc malloc (libc.so.6 preloaded: ahead of any allocator a program links)"
                                            : "glibc malloc (no preload)");
      hb_md_add(&t, OR(pkg, "-"));
      hb_md_add(&t, OR(a->version, "-"));
    } else {
      hb_md_addf(&t, "**not installed**: %s", path ? shown_path(path) : "-");
      hb_md_add(&t, OR(pkg, "-"));
      hb_md_addf(&t, "skipped%s%s%s", pkg ? " (`apt-get install -y " : " (run `make`)", OR(pkg, ""), pkg ? "`)" : "");
    }
  }
#undef OR
  emit(O, &t);
  P("\n");
  int any = 0;
  for (int k = 0; k < O->rep->nother; k++) {
    char *p = hb_sprintf("%s/%s.png", O->plots_abs, O->rep->other[k].table);
    any |= hb_exists(p);
    free(p);
  }
  for (int k = 0; hb_chart_files[k]; k++) {
    char *p = hb_sprintf("%s/%s", O->plots_abs, hb_chart_files[k]);
    any |= hb_exists(p);
    free(p);
  }
  if (!any && !O->rep->checks_only)  /* a checks report has no charts */
    P("Charts not generated: run `build/hakbench plot <run folder>` (needs python3-matplotlib: "
      "`apt-get install -y python3-matplotlib`).\n\n");
}

/* How each program cell is run, for a reader who wants to repeat one. */
static void program_list(out_t *O)
{
  static const char *const head[] = { "Program", "Command", "Threads", "Measure", "Output check" };
  hb_md_table_t t;
  hb_md_init(&t, 5, head, "llrll");
  for (int i = 0; i < O->r->ncells; i++) {
    const hb_cell_t *c = &O->r->cells[i];
    const hb_program_t *p = c->program;
    if (!p) continue;
    hb_buf_t cmd = {0};
    if (p->server) {
      hb_buf_add(&cmd, "server: `");
      for (int k = 0; k < p->nserver; k++) { if (k) hb_buf_add(&cmd, " "); hb_buf_add_shell_word(&cmd, p->server[k]); }
      hb_buf_add(&cmd, "`; client: ");
    }
    hb_buf_add(&cmd, "`");
    hb_buf_add(&cmd, c->workload);
    for (int k = 0; k < c->nargs; k++) { hb_buf_add(&cmd, " "); hb_buf_add_shell_word(&cmd, c->args[k]); }
    if (p->stdin_file) { hb_buf_add(&cmd, " < "); hb_buf_add(&cmd, p->stdin_file); }
    hb_buf_add(&cmd, "`");
    hb_buf_t md = {0};  /* a '|' inside a table cell */
    hb_buf_add(&md, "");
    for (const char *q = cmd.s; *q; q++) { if (*q == '|') hb_buf_add(&md, "\\|"); else hb_buf_addn(&md, q, 1); }
    hb_md_add(&t, c->label);
    hb_md_add(&t, md.s);
    hb_md_addf(&t, "%d", c->threads);
    if (strcmp(c->metric, HB_METRIC_WALL) == 0) hb_md_add(&t, "wall time");
    else hb_md_addf(&t, "%s from stdout (%s is better)", hb_cell_unit(c), c->lower_better ? "lower" : "higher");
    hb_md_add(&t, p->check ? p->check : "none");
    hb_buf_free(&cmd);
    hb_buf_free(&md);
  }
  emit(O, &t);
  P("\n`{data}` is `harness/apps/`, `{work}` the cell's work folder (every command's current directory), "
    "`{port}` a free loopback port; inputs are generated there by each cell's `prepare` command (results.json "
    "has it) from a fixed seed.\n\n");
}

static void section_tables(out_t *O, int summary)
{
  const hb_report_t *R = O->rep;
  const char *what = R->programs ? "program" : "cell";
  if (!summary) P("## 1. Time and throughput per %s\n\n", what);
  for (int k = 0; k < R->nother; k++) {
    const hb_value_table_t *v = &R->other[k];
    if (R->nother > 1) P("%s `%s`\n\n", summary ? "Table" : "###", v->table);
    value_table_geo(O, v, &R->other_ratios[k], &R->other_norm[k * O->r->nallocs], &R->other_norm_n[k * O->r->nallocs]);
    if (!summary) {
      P("\"hakmem vs X\" > 100 %% means hakmem was faster (took less time, or did more work per second). "
        "Geometric-mean row: each allocator's time relative to system's over the %ss where both ran OK "
        "(100 %% = glibc, lower is better; a throughput counts as system/value), with their number; "
        "then hakmem's geometric-mean ratios with their intervals.\n\n", what);
      ratio_summary(O, &R->other_ratios[k], what);
      char *f = hb_sprintf("%s.png", v->table), *alt = hb_sprintf("%s: time relative to glibc", v->table);
      embed(O, f, alt);
      free(f);
      free(alt);
    }
  }
}

/* A suite of tables outside the Phase 7 layout (apps, patterns): each
 * table with its geometric-mean row, peak RSS per cell, the programs. */
static void render_tables(out_t *O)
{
  const hb_report_t *R = O->rep;
  header(O);
  section_tables(O, 0);
  P("## 2. Peak RSS\n\nMedian peak RSS of each %s's runs (wait4%s).\n\n", R->programs ? "program" : "cell",
    R->has_programs ? "; for a server, the server's" : "");
  for (int k = 0; k < R->nother; k++) {
    if (R->nother > 1) P("### `%s`\n\n", R->other[k].table);
    metric_table(O, &R->other_rss[k], &R->other[k], "%.1f");
  }
  embed(O, "peak_rss.png", R->programs ? "peak RSS per program" : "peak RSS per cell");
  if (R->has_programs) {
    P("## 3. The programs\n\n");
    program_list(O);
  }
  raw_data(O);
}

/* A suite of check cells only: the header, the section, the raw data. */
static void render_checks(out_t *O)
{
  header(O);
  section_checks(O);
  raw_data(O);
}

static void render_report(out_t *O)
{
  if (O->rep->tables_only) { render_tables(O); return; }
  if (O->rep->checks_only) { render_checks(O); return; }
  header(O);
  section_random_mixed(O, 0);
  section_longrun(O);
  section_larson(O);
  section_contention(O);
  section_rss(O);
  section_regressions(O);
  section_other(O);
  section_checks(O);
  section_checklist(O);
  raw_data(O);
}

/* The short version for the top-level README: context line, the random
 * mixed and high-contention Larson tables, the checklist. */
static void render_summary(out_t *O, const char *report_rel)
{
  const hb_results_t *r = O->r;
  const hb_context_t *x = &r->ctx;
  P("Suite `%s`, %s, commit %.7s%s, %s (%ld cores), %ld %s; full report: [%s](%s).\n\n", r->suite,
    x->date ? x->date : "?", x->git_commit ? x->git_commit : "?", x->git_dirty ? " (uncommitted changes)" : "",
    x->cpu_model ? x->cpu_model : "?", x->cores, x->reps,
    !O->rep->checks_only ? "runs per cell" : x->reps == 1 ? "run per check" : "runs per check", report_rel, report_rel);
  busy_warning(O);
  {
    hb_buf_t m = {0};
    machine_text(O, &m);
    if (O->rep->checks_only) P("Machine state: %s.\n\n", m.s);
    else
    P("Machine state: %s. Ratios: median of the paired per-repetition ratios with a %.0f %% interval; "
      "≈ marks a tie (the interval includes 100 %%).\n\n", m.s, HB_CI_LEVEL * 100);
    hb_buf_free(&m);
  }
  if (!r->complete) P("**Incomplete run.**\n\n");
  if (O->rep->checks_only) {
    P("Conformance and misuse (protected = stopped + reported):\n\n");
    check_counts(O, 1);
    return;
  }
  if (O->rep->tables_only) {
    section_tables(O, 1);
    return;
  }
  section_random_mixed(O, 1);
  for (int k = 0; k < O->rep->nlarson; k++) {
    if (strcmp(O->rep->larson[k].layout->table, "larson_high") != 0) continue;
    P("Larson, 1024 chunks per thread (high contention):\n\n");
    value_table(O, &O->rep->larson[k].values);
  }
  P("Success criteria:\n\n");
  checklist_items(O);
  if (O->rep->has_checks) {
    P("Conformance and misuse (protected = stopped + reported):\n\n");
    check_counts(O, 1);
  }
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

static int write_out(const char *path, hb_buf_t *b)
{
  if (hb_write_file_atomic(path, b->s ? b->s : "", b->len) != 0) {
    hb_err("report: cannot write %s: %s", path, strerror(errno));
    return HB_EXIT_FAIL;
  }
  return 0;
}

int hb_render_report(const char *results_path, const char *report_path, const char *plots_dir,
                     const char *summary_path)
{
  hb_results_t *r = hb_results_load(results_path, NULL, NULL);
  if (!r) return HB_EXIT_USAGE;
  char *rdir = hb_xstrdup(report_path);
  char *slash = strrchr(rdir, '/');
  if (slash) *slash = '\0'; else strcpy(rdir, ".");
  char *run_dir = hb_xstrdup(results_path);
  slash = strrchr(run_dir, '/');
  if (slash) *slash = '\0'; else strcpy(run_dir, ".");
  char *pdir = plots_dir ? hb_xstrdup(plots_dir) : hb_default_plots_dir(run_dir, r->suite);
  char rreal[PATH_MAX], preal[PATH_MAX];
  if (!realpath(rdir, rreal)) { hb_err("report: folder %s: %s", rdir, strerror(errno)); return HB_EXIT_USAGE; }
  hb_report_t rep;
  hb_report_compute(r, &rep);
  out_t o = { .rep = &rep, .r = r };
  if (realpath(pdir, preal)) { o.plots_abs = preal; o.plots_rel = relative(rreal, preal); }
  else { o.plots_abs = pdir; o.plots_rel = hb_xstrdup(pdir); }
  render_report(&o);
  int rc = write_out(report_path, &o.b);
  hb_buf_free(&o.b);
  if (rc == 0 && summary_path) {
    /* Links relative to the repository root: the summary is for README.md. */
    char rootreal[PATH_MAX], repreal[PATH_MAX];
    char *rel = realpath(hb_root(), rootreal) && realpath(report_path, repreal) ? relative(rootreal, repreal)
                                                                                : hb_xstrdup(report_path);
    render_summary(&o, rel);
    rc = write_out(summary_path, &o.b);
    hb_buf_free(&o.b);
    free(rel);
  }
  hb_report_free(&rep);
  hb_results_free(r);
  free(o.plots_rel);
  free(pdir);
  free(run_dir);
  free(rdir);
  return rc;
}

int hb_report_main(int argc, char **argv)
{
  static const struct option opts[] = {
    { "out", required_argument, 0, 'o' }, { "plots", required_argument, 0, 'p' },
    { "summary", required_argument, 0, 's' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
  const char *dir = NULL, *out = NULL, *plots = NULL, *sum = NULL;
  int o;
  optind = 1;
  opterr = 0;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'o': out = optarg; break;
    case 'p': plots = optarg; break;
    case 's': sum = optarg; break;
    case 'h': fputs(report_usage, stdout); return 0;
    default:
      hb_err("report: unknown or incomplete option '%s'", argv[optind - 1]);
      fputs(report_usage, stderr);
      return HB_EXIT_USAGE;
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc) { hb_err("report: unexpected argument '%s'", argv[optind]); fputs(report_usage, stderr); return HB_EXIT_USAGE; }
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
  int rc = hb_render_report(path, rp, plots, sum);
  if (rc == 0) printf("%s\n", rp);
  return rc;
}
