/* results.c: results.json <-> hb_results_t. The only file that reads or
 * writes the JSON form: loading validates everything the other parts rely
 * on, so they never meet a missing or mistyped field. */
#include "results.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- statuses ------------------------------------------------------------ */

static const char *const status_names[] = {
  [HB_OK] = "OK", [HB_ERROR] = "ERROR", [HB_WRONG_OUTPUT] = "WRONG_OUTPUT", [HB_INVALID] = "INVALID",
  [HB_TIMEOUT] = "TIMEOUT", [HB_CRASH] = "CRASH", [HB_CORRUPTION] = "CORRUPTION", [HB_NONE] = "NONE",
};

const char *hb_status_name(hb_status_t s)
{
  return (unsigned)s <= HB_NONE ? status_names[s] : "ERROR";
}

int hb_status_parse(const char *s, hb_status_t *out)
{
  for (int i = 0; i <= HB_NONE; i++)
    if (strcmp(s, status_names[i]) == 0) { *out = (hb_status_t)i; return 1; }
  return 0;
}

/* ---- check outcomes ------------------------------------------------------ */

static const char *const outcome_names[] = {
  [HB_OUT_NONE] = "none", [HB_OUT_PASS] = "pass", [HB_OUT_FAIL] = "fail", [HB_OUT_CRASH] = "crash",
  [HB_OUT_STOPPED] = "stopped", [HB_OUT_REPORTED] = "reported", [HB_OUT_NO_DAMAGE] = "no-damage",
  [HB_OUT_SILENT] = "silent", [HB_OUT_CRASHED_ELSEWHERE] = "crashed-elsewhere", [HB_OUT_HANG] = "hang",
  [HB_OUT_INVALID] = "invalid", [HB_OUT_ERROR] = "error",
};

const char *hb_outcome_name(hb_outcome_t o)
{
  return (unsigned)o < HB_OUT_COUNT ? outcome_names[o] : "none";
}

int hb_outcome_parse(const char *s, hb_outcome_t *out)
{
  for (int i = HB_OUT_PASS; i < HB_OUT_COUNT; i++)
    if (strcmp(s, outcome_names[i]) == 0) { *out = (hb_outcome_t)i; return 1; }
  return 0;
}

int hb_outcome_status(hb_check_kind_t kind, hb_outcome_t o)
{
  switch (o) {
  case HB_OUT_HANG: return HB_TIMEOUT;
  case HB_OUT_INVALID: return HB_INVALID;
  case HB_OUT_ERROR: return HB_ERROR;
  case HB_OUT_PASS: case HB_OUT_FAIL: return kind == HB_CHECK_CONFORM ? HB_OK : -1;
  case HB_OUT_CRASH: return kind == HB_CHECK_CONFORM ? HB_CRASH : -1;
  case HB_OUT_STOPPED: case HB_OUT_REPORTED: case HB_OUT_NO_DAMAGE: case HB_OUT_SILENT:
  case HB_OUT_CRASHED_ELSEWHERE: return kind == HB_CHECK_MISUSE ? HB_OK : -1;
  default: return -1;
  }
}

char *hb_results_path(const char *p)
{
  struct stat st;
  if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) return hb_sprintf("%s/results.json", p);
  return hb_xstrdup(p);
}

/* ---- the model ----------------------------------------------------------- */

void hb_run_init(hb_run_t *run)
{
  memset(run, 0, sizeof *run);
  run->value = run->wall_s = run->utime_s = run->stime_s = run->seconds = run->ops = run->other_cpu_s = NAN;
  run->peak_rss_kb = run->minflt = run->majflt = -1;
  run->exit_code = -1;
  run->output.ops_per_sec = run->output.ops = run->output.seconds = NAN;
  run->output.cv = run->output.rss_growth_pct = NAN;
}

int hb_results_alloc_index(const hb_results_t *r, const char *name)
{
  for (int i = 0; i < r->nallocs; i++)
    if (strcmp(r->allocs[i].name, name) == 0) return i;
  return -1;
}

hb_series_t *hb_cell_series(const hb_cell_t *c, const char *alloc)
{
  for (int i = 0; i < c->nseries; i++)
    if (strcmp(c->series[i].alloc, alloc) == 0) return &c->series[i];
  return NULL;
}

const hb_run_t *hb_series_run(const hb_series_t *s, int rep)
{
  for (int i = 0; s && i < s->nruns; i++)
    if (s->runs[i].rep == rep) return &s->runs[i];
  return NULL;
}

static hb_series_t *series_add(hb_cell_t *c, const char *alloc)
{
  hb_series_t *s = hb_cell_series(c, alloc);
  if (s) return s;
  c->series = hb_xrealloc(c->series, sizeof *c->series * (size_t)(c->nseries + 1));
  s = &c->series[c->nseries++];
  memset(s, 0, sizeof *s);
  s->alloc = hb_xstrdup(alloc);
  return s;
}

static void stats_init(hb_stats_t *st)
{
  st->status = HB_NONE;
  st->n = 0;
  st->median = st->min = st->max = st->q1 = st->q3 = st->iqr = st->peak_rss_kb_median = NAN;
}

static void series_stats(hb_series_t *s)
{
  double *v = hb_xmalloc(sizeof(double) * (size_t)(s->nruns + 1));
  double *rss = hb_xmalloc(sizeof(double) * (size_t)(s->nruns + 1));
  size_t nok = 0, nval = 0;
  hb_status_t worst = HB_OK;
  for (int i = 0; i < s->nruns; i++) {
    const hb_run_t *run = &s->runs[i];
    if (run->status == HB_OK) {
      /* check cells' OK runs have an outcome, not a value */
      if (isfinite(run->value)) {
        rss[nval] = run->peak_rss_kb >= 0 ? (double)run->peak_rss_kb : 0;
        v[nval++] = run->value;
      }
      nok++;
    } else if (run->status > worst) {
      worst = run->status;
    }
  }
  stats_init(&s->stats);
  s->has_stats = 1;
  s->stats.status = nok == 0 && worst == HB_OK ? HB_NONE : worst;
  s->stats.n = (long)nok;
  if (nval > 0) {
    hb_summary_t sum;
    hb_summarize(v, nval, &sum);
    s->stats.median = sum.median;
    s->stats.min = sum.min;
    s->stats.max = sum.max;
    s->stats.q1 = sum.q1;
    s->stats.q3 = sum.q3;
    s->stats.iqr = sum.iqr;
    s->stats.peak_rss_kb_median = hb_median(rss, nval);
  }
  free(v);
  free(rss);
}

void hb_cell_add_run(hb_cell_t *c, const char *alloc, hb_run_t *run)
{
  hb_series_t *s = series_add(c, alloc);
  s->has_runs = 1;
  s->runs = hb_xrealloc(s->runs, sizeof *s->runs * (size_t)(s->nruns + 1));
  s->runs[s->nruns++] = *run;
  series_stats(s);
}

static void output_free(hb_output_t *o)
{
  json_decref((json_t *)o->raw);
  free(o->allocator);
}

void hb_run_free(hb_run_t *r)
{
  free(r->command);
  free(r->signal);
  free(r->stderr_tail);
  free(r->detail);
  output_free(&r->output);
}

static void strv_free(char **v, int n)
{
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

void hb_results_free(hb_results_t *r)
{
  if (!r) return;
  hb_context_t *x = &r->ctx;
  free(x->date); free(x->git_commit); free(x->cpu_model); free(x->kernel); free(x->glibc);
  free(x->build_flags); free(x->command); free(x->suite_file); free(x->description);
  strv_free(x->resumed, x->nresumed);
  for (int i = 0; i < r->nallocs; i++) {
    hb_alloc_t *a = &r->allocs[i];
    free(a->name); free(a->path); free(a->package); free(a->version); free(a->expect); free(a->expect2);
  }
  free(r->allocs);
  for (int i = 0; i < r->ncells; i++) {
    hb_cell_t *c = &r->cells[i];
    free(c->id); free(c->table); free(c->label); free(c->workload); free(c->metric);
    hb_program_free(c->program);
    strv_free(c->args, c->nargs);
    for (int j = 0; j < c->nseries; j++) {
      hb_series_t *s = &c->series[j];
      for (int k = 0; k < s->nruns; k++) hb_run_free(&s->runs[k]);
      free(s->runs);
      free(s->alloc);
    }
    free(c->series);
  }
  free(r->cells);
  free(r->suite);
  free(r);
}

/* ---- loading ------------------------------------------------------------- */

/* The loader's state: the first problem found is printed, the rest ignored. */
typedef struct load_s {
  const char *what;
  int         failed;
} load_t;

static void bad(load_t *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(load_t *L, const char *fmt, ...)
{
  if (L->failed++) return;
  va_list ap;
  va_start(ap, fmt);
  char *msg;
  if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
  va_end(ap);
  hb_err("%s: not a valid hakbench results file: %s", L->what, msg ? msg : "?");
  free(msg);
}

/* Typed fields. `where` names the object in messages ("cell 3"). Absent
 * and null optional fields give NULL / NAN / dflt. */
static char *str_field(load_t *L, json_t *o, const char *key, int required, const char *where)
{
  json_t *v = json_object_get(o, key);
  if (json_is_string(v)) return hb_xstrdup(json_string_value(v));
  if (required || (v && !json_is_null(v))) bad(L, "%s%s\"%s\" %s", where, *where ? " " : "", key,
                                               v ? "is not a string" : "missing");
  return NULL;
}

static double num_field(load_t *L, json_t *o, const char *key, const char *where)
{
  json_t *v = json_object_get(o, key);
  if (json_is_number(v)) return json_number_value(v);
  if (v && !json_is_null(v)) bad(L, "%s \"%s\" is not a number", where, key);
  return NAN;
}

static long int_field(load_t *L, json_t *o, const char *key, long dflt, const char *where)
{
  json_t *v = json_object_get(o, key);
  if (json_is_integer(v)) return (long)json_integer_value(v);
  if (v && !json_is_null(v)) bad(L, "%s \"%s\" is not a whole number", where, key);
  return dflt;
}

static int bool_field(load_t *L, json_t *o, const char *key, int required, const char *where)
{
  json_t *v = json_object_get(o, key);
  if (json_is_boolean(v)) return json_is_true(v);
  if (required || (v && !json_is_null(v))) bad(L, "%s%s\"%s\" %s", where, *where ? " " : "", key,
                                               v ? "is not true or false" : "missing");
  return 0;
}

static void load_output(json_t *o, hb_output_t *out)
{
  json_t *a = json_object_get(o, "allocator"), *v;
  json_incref(o);
  out->raw = o;
  out->allocator = json_is_string(a) ? hb_xstrdup(json_string_value(a)) : NULL;
#define NUM(f) v = json_object_get(o, #f); out->f = json_is_number(v) ? json_number_value(v) : NAN
  NUM(ops_per_sec); NUM(ops); NUM(seconds); NUM(cv); NUM(rss_growth_pct);
#undef NUM
}

int hb_output_parse(const char *line, hb_output_t *out)
{
  json_error_t e;
  json_t *o = json_loads(line ? line : "", 0, &e);
  if (!json_is_object(o)) { json_decref(o); return -1; }
  load_output(o, out);
  json_decref(o);
  return 0;
}

/* A check run's "outcome" and "detail": known for the cell's kind, and
 * the status that outcome gives (results.h, hb_outcome_status). */
static void load_outcome(load_t *L, json_t *o, hb_run_t *run, hb_check_kind_t kind, const char *where)
{
  json_t *v = json_object_get(o, "outcome");
  if (!kind) {
    if (v) bad(L, "%s has an \"outcome\", but its cell is not a check cell", where);
    return;
  }
  if (!json_is_string(v)) { bad(L, "%s %s", where, v ? "\"outcome\" is not a string" : "lacks \"outcome\""); return; }
  const char *name = json_string_value(v);
  int st = hb_outcome_parse(name, &run->outcome) ? hb_outcome_status(kind, run->outcome) : -1;
  if (st < 0) {
    bad(L, "%s has outcome '%s', not one of %s", where, name,
        kind == HB_CHECK_CONFORM ? "pass fail crash hang invalid error (a conformance check)"
                                 : "stopped reported no-damage silent crashed-elsewhere hang invalid error (a misuse scenario)");
    return;
  }
  if ((hb_status_t)st != run->status)
    bad(L, "%s has outcome '%s' with status %s (that outcome's status is %s)", where, name,
        hb_status_name(run->status), hb_status_name((hb_status_t)st));
  run->detail = str_field(L, o, "detail", 0, where);
}

static void load_run(load_t *L, json_t *o, hb_run_t *run, hb_check_kind_t kind, const char *where)
{
  hb_run_init(run);
  if (!json_is_object(o)) { bad(L, "%s is not an object", where); return; }
  json_t *rep = json_object_get(o, "rep");
  char *st = str_field(L, o, "status", 0, where);
  if (!st || !json_is_integer(rep)) { free(st); bad(L, "a run lacks \"status\" or \"rep\""); return; }
  run->rep = (int)json_integer_value(rep);
  if (!hb_status_parse(st, &run->status) || run->status == HB_NONE) bad(L, "%s has an unknown status '%s'", where, st);
  free(st);
  run->value = num_field(L, o, "value", where);
  if (run->status == HB_OK && !kind && !isfinite(run->value)) bad(L, "an OK run lacks \"value\"");
  load_outcome(L, o, run, kind, where);
  run->command = str_field(L, o, "command", 0, where);
  run->has_rusage = json_object_get(o, "wall_s") != NULL;
  run->wall_s = num_field(L, o, "wall_s", where);
  run->utime_s = num_field(L, o, "utime_s", where);
  run->stime_s = num_field(L, o, "stime_s", where);
  run->peak_rss_kb = int_field(L, o, "peak_rss_kb", -1, where);
  run->minflt = int_field(L, o, "minflt", -1, where);
  run->majflt = int_field(L, o, "majflt", -1, where);
  run->other_cpu_s = num_field(L, o, "other_cpu_s", where);
  run->exit_code = (int)int_field(L, o, "exit_code", -1, where);
  run->signal = str_field(L, o, "signal", 0, where);
  run->stderr_tail = str_field(L, o, "stderr_tail", 0, where);
  run->seconds = num_field(L, o, "seconds", where);
  run->ops = num_field(L, o, "ops", where);
  json_t *out = json_object_get(o, "output");
  if (json_is_object(out)) load_output(out, &run->output);
  else if (out && !json_is_null(out)) bad(L, "%s \"output\" is not an object", where);
  json_t *ins = json_object_get(o, "instructions");
  if (ins) {
    if (!json_is_array(ins) || json_array_size(ins) != 2 || !json_is_number(json_array_get(ins, 0)) ||
        !json_is_number(json_array_get(ins, 1)))
      bad(L, "%s \"instructions\" is not two numbers", where);
    else {
      run->has_instructions = 1;
      run->instructions[0] = json_number_value(json_array_get(ins, 0));
      run->instructions[1] = json_number_value(json_array_get(ins, 1));
    }
  }
}

static void load_stats(load_t *L, json_t *o, hb_stats_t *st, const char *where)
{
  stats_init(st);
  if (!json_is_object(o)) { bad(L, "%s is not an object", where); return; }
  char *s = str_field(L, o, "status", 1, where);
  if (s && !hb_status_parse(s, &st->status)) bad(L, "%s has an unknown status '%s'", where, s);
  free(s);
  st->n = int_field(L, o, "n", 0, where);
  st->median = num_field(L, o, "median", where);
  st->min = num_field(L, o, "min", where);
  st->max = num_field(L, o, "max", where);
  st->q1 = num_field(L, o, "q1", where);
  st->q3 = num_field(L, o, "q3", where);
  st->iqr = num_field(L, o, "iqr", where);
  st->peak_rss_kb_median = num_field(L, o, "peak_rss_kb_median", where);
}

/* A JSON array of strings -> a NULL-terminated copy in *out (count in *n).
 * 0, or -1 (reported) when a is not an array or holds a non-string. */
static int strings_field(load_t *L, json_t *a, char ***out, int *n, const char *what)
{
  *n = 0;
  *out = hb_xmalloc(sizeof(char *) * (json_is_array(a) ? json_array_size(a) + 1 : 1));
  (*out)[0] = NULL;
  if (!json_is_array(a)) { bad(L, "%s is not an array", what); return -1; }
  size_t i;
  json_t *x;
  json_array_foreach(a, i, x) {
    if (!json_is_string(x)) { bad(L, "%s holds a value that is not a string", what); return -1; }
    (*out)[(*n)++] = hb_xstrdup(json_string_value(x));
    (*out)[*n] = NULL;
  }
  return 0;
}

/* A program cell's "program" object (harness/README.md, results.json). */
static void load_program(load_t *L, json_t *o, hb_cell_t *c, const char *where)
{
  if (!json_is_object(o)) { bad(L, "%s \"program\" is not an object", where); return; }
  hb_program_t *p = hb_xmalloc(sizeof *p);
  memset(p, 0, sizeof *p);
  c->program = p;
  p->package = str_field(L, o, "package", 0, where);
  p->prepare = str_field(L, o, "prepare", 0, where);
  p->reset = str_field(L, o, "reset", 0, where);
  p->stdin_file = str_field(L, o, "stdin", 0, where);
  p->check = str_field(L, o, "check", 0, where);
  p->pattern = str_field(L, o, "pattern", 0, where);
  p->unit = str_field(L, o, "unit", 0, where);
  p->reference = str_field(L, o, "reference_digest", 0, where);
  json_t *sv = json_object_get(o, "server");
  if (sv && !json_is_null(sv)) {
    char what[96];
    snprintf(what, sizeof what, "%s \"server\"", where);
    if (strings_field(L, sv, &p->server, &p->nserver, what) != 0) return;
    if (p->nserver == 0) { bad(L, "%s is empty", what); return; }
  }
  if (strcmp(c->metric, HB_METRIC_WALL) != 0 && strcmp(c->metric, HB_METRIC_OUT) != 0)
    bad(L, "%s: a program cell's metric is \"wall_s\" or \"output\", not \"%s\"", where, c->metric);
  else if (strcmp(c->metric, HB_METRIC_OUT) == 0 && !p->pattern)
    bad(L, "%s: metric \"output\" without a \"pattern\"", where);
}

static void load_cell(load_t *L, json_t *o, size_t idx, hb_cell_t *c)
{
  memset(c, 0, sizeof *c);
  static const char *keys[] = { "id", "table", "label", "workload", "metric", "better" };
  if (!json_is_object(o)) { bad(L, "cell %zu is not an object", idx); return; }
  for (size_t j = 0; j < 6; j++)
    if (!json_is_string(json_object_get(o, keys[j]))) { bad(L, "cell %zu lacks \"%s\"", idx, keys[j]); return; }
  char where[64];
  snprintf(where, sizeof where, "cell %zu", idx);
  c->id = str_field(L, o, "id", 1, where);
  c->table = str_field(L, o, "table", 1, where);
  c->label = str_field(L, o, "label", 1, where);
  c->workload = str_field(L, o, "workload", 1, where);
  char *metric = str_field(L, o, "metric", 1, where), *better = str_field(L, o, "better", 1, where);
  hb_cell_set_metric(c, metric);
  c->lower_better = strcmp(better, "lower") == 0;
  if (!c->lower_better && strcmp(better, "higher") != 0) bad(L, "%s \"better\" is not \"higher\" or \"lower\"", where);
  free(metric);
  free(better);
  json_t *args = json_object_get(o, "args"), *x;
  size_t j;
  if (!args) { bad(L, "a cell lacks \"args\""); return; }
  char what[96];
  snprintf(what, sizeof what, "%s \"args\"", where);
  if (strings_field(L, args, &c->args, &c->nargs, what) != 0) return;
  c->threads = (int)int_field(L, o, "threads", 1, where);
  json_t *prog = json_object_get(o, "program"), *check = json_object_get(o, "check");
  if (check && !json_is_null(check)) {
    if (!json_is_string(check) || !hb_check_kind_parse(json_string_value(check), &c->check))
      bad(L, "%s \"check\" is not \"conformance\" or \"misuse\"", where);
    else if (prog && !json_is_null(prog))
      bad(L, "%s has both \"check\" and \"program\"", where);
    else if (strcmp(c->metric, HB_METRIC_OUTCOME) != 0)
      bad(L, "%s: a check cell's metric is \"outcome\", not \"%s\"", where, c->metric);
    else if (c->nargs != 1)
      bad(L, "%s: a check cell has one argument (its scenario), not %d", where, c->nargs);
  } else if (prog && !json_is_null(prog)) load_program(L, prog, c, where);
  else if (strcmp(c->metric, HB_METRIC_OPS) != 0 && strcmp(c->metric, HB_METRIC_INSTR) != 0)
    bad(L, "%s: metric \"%s\" is for %s cells, and it has no \"%s\"", where, c->metric,
        strcmp(c->metric, HB_METRIC_OUTCOME) == 0 ? "check" : "program",
        strcmp(c->metric, HB_METRIC_OUTCOME) == 0 ? "check" : "program");
  c->reps = (int)int_field(L, o, "reps", 0, where);
  c->warmup = (int)int_field(L, o, "warmup", 0, where);
  c->timeout_s = num_field(L, o, "timeout_s", where);
  json_t *runs = json_object_get(o, "runs"), *stats = json_object_get(o, "stats"), *list;
  if (!json_is_object(runs)) { bad(L, "a cell lacks \"runs\""); return; }
  if (stats && !json_is_object(stats)) { bad(L, "%s \"stats\" is not an object", where); return; }
  const char *name;
  json_object_foreach(runs, name, list) {
    if (!json_is_array(list)) { bad(L, "a cell's runs are not arrays"); return; }
    hb_series_t *s = series_add(c, name);
    s->has_runs = 1;
    s->runs = hb_xmalloc(sizeof *s->runs * (json_array_size(list) + 1));
    json_array_foreach(list, j, x) {
      char rw[160];
      snprintf(rw, sizeof rw, "cell %s: run %zu of %s", c->id, j, name);
      load_run(L, x, &s->runs[s->nruns++], c->check, rw);
      for (int k = 0; k + 1 < s->nruns; k++)
        if (s->runs[k].rep == s->runs[s->nruns - 1].rep) { bad(L, "%s repeats rep %d", rw, s->runs[k].rep); break; }
    }
  }
  json_object_foreach(stats, name, x) {
    char sw[160];
    snprintf(sw, sizeof sw, "cell %s: stats of %s", c->id, name);
    hb_series_t *s = series_add(c, name);
    s->has_stats = 1;
    load_stats(L, x, &s->stats, sw);
  }
}

/* "key": [1-min, 5-min, 15-min] load averages; 0 when absent (not recorded). */
static int load_triple(load_t *L, json_t *o, const char *key, double *v)
{
  json_t *a = json_object_get(o, key);
  if (!a || json_is_null(a)) return 0;
  if (!json_is_array(a) || json_array_size(a) != 3) { bad(L, "context: \"%s\" is not an array of 3 numbers", key); return 0; }
  for (size_t i = 0; i < 3; i++) {
    json_t *x = json_array_get(a, i);
    if (!json_is_number(x)) { bad(L, "context: \"%s\" is not an array of 3 numbers", key); return 0; }
    v[i] = json_number_value(x);
  }
  return 1;
}

static void load_context(load_t *L, json_t *o, hb_context_t *x)
{
  const char *w = "context:";
  x->date = str_field(L, o, "date", 0, w);
  x->git_commit = str_field(L, o, "git_commit", 0, w);
  x->git_dirty = bool_field(L, o, "git_dirty", 0, w);
  x->cpu_model = str_field(L, o, "cpu_model", 0, w);
  x->cores = int_field(L, o, "cores", 0, w);
  x->kernel = str_field(L, o, "kernel", 0, w);
  x->glibc = str_field(L, o, "glibc", 0, w);
  x->build_flags = str_field(L, o, "build_flags", 0, w);
  x->command = str_field(L, o, "command", 0, w);
  x->reps = int_field(L, o, "reps", 0, w);
  x->warmup = int_field(L, o, "warmup", 0, w);
  double t = num_field(L, o, "timeout_s", w);
  x->timeout_s = isfinite(t) ? t : 0;
  x->pin = bool_field(L, o, "pin", 0, w);
  double mt = num_field(L, o, "min_time_s", w);
  x->min_time_s = isfinite(mt) && mt > 0 ? mt : 0;
  x->max_reps = int_field(L, o, "max_reps", 0, w);
  x->suite_file = str_field(L, o, "suite_file", 0, w);
  x->description = str_field(L, o, "description", 0, w);
  x->has_load_start = load_triple(L, o, "load_avg_start", x->load_start);
  x->has_load_end = load_triple(L, o, "load_avg_end", x->load_end);
  json_t *res = json_object_get(o, "resumed");
  if (res) strings_field(L, res, &x->resumed, &x->nresumed, "context: \"resumed\"");
}

static void load_alloc(load_t *L, json_t *o, hb_alloc_t *a)
{
  memset(a, 0, sizeof *a);
  if (!json_is_string(json_object_get(o, "name")) || !json_is_boolean(json_object_get(o, "available"))) {
    bad(L, "an allocator lacks \"name\" or \"available\"");
    return;
  }
  const char *w = "allocator";
  a->name = str_field(L, o, "name", 1, w);
  a->available = bool_field(L, o, "available", 1, w);
  a->path = str_field(L, o, "path", 0, w);
  a->package = str_field(L, o, "package", 0, w);
  a->version = str_field(L, o, "version", 0, w);
  a->expect = str_field(L, o, "expect", 0, w);
  a->expect2 = str_field(L, o, "expect_alt", 0, w);
}

static void load_root(load_t *L, json_t *o, hb_results_t *r)
{
  if (!json_is_object(o)) { bad(L, "top level is not an object"); return; }
  json_t *fmt = json_object_get(o, "format");
  if (!json_is_string(fmt) || strcmp(json_string_value(fmt), HB_RESULTS_FORMAT) != 0) {
    bad(L, "\"format\" is not \"" HB_RESULTS_FORMAT "\"");
    return;
  }
  json_t *ver = json_object_get(o, "version");
  if (!json_is_integer(ver) || json_integer_value(ver) != HB_RESULTS_VERSION) {
    char v[32] = "(missing)";
    if (json_is_integer(ver)) snprintf(v, sizeof v, "%lld", (long long)json_integer_value(ver));
    hb_err("%s: results version %s is not supported (this hakbench reads version %d)", L->what, v,
           HB_RESULTS_VERSION);
    L->failed++;
    return;
  }
  if (!json_is_string(json_object_get(o, "suite"))) { bad(L, "\"suite\" missing"); return; }
  if (!json_is_boolean(json_object_get(o, "complete"))) { bad(L, "\"complete\" missing"); return; }
  json_t *ctx = json_object_get(o, "context");
  if (!json_is_object(ctx)) { bad(L, "\"context\" missing"); return; }
  json_t *allocs = json_object_get(o, "allocators"), *x;
  if (!json_is_array(allocs) || json_array_size(allocs) == 0) { bad(L, "\"allocators\" missing or empty"); return; }
  json_t *cells = json_object_get(o, "cells");
  if (!json_is_array(cells) || json_array_size(cells) == 0) { bad(L, "\"cells\" missing or empty"); return; }
  r->suite = str_field(L, o, "suite", 1, "");
  r->complete = bool_field(L, o, "complete", 1, "");
  load_context(L, ctx, &r->ctx);
  size_t i;
  r->allocs = hb_xmalloc(sizeof *r->allocs * json_array_size(allocs));
  json_array_foreach(allocs, i, x) {
    if (L->failed) return;
    load_alloc(L, x, &r->allocs[r->nallocs++]);
    for (int k = 0; k + 1 < r->nallocs && !L->failed; k++)
      if (strcmp(r->allocs[k].name, r->allocs[r->nallocs - 1].name) == 0)
        bad(L, "allocator '%s' is listed twice", r->allocs[k].name);
  }
  r->cells = hb_xmalloc(sizeof *r->cells * json_array_size(cells));
  json_array_foreach(cells, i, x) {
    if (L->failed) return;
    load_cell(L, x, i, &r->cells[r->ncells++]);
    for (int k = 0; k + 1 < r->ncells && !L->failed; k++)
      if (strcmp(r->cells[k].id, r->cells[r->ncells - 1].id) == 0) bad(L, "cell id '%s' appears twice", r->cells[k].id);
  }
}

hb_results_t *hb_results_load(const char *path, const char *what, const char *expect_suite)
{
  load_t L = { what ? what : path, 0 };
  if (!hb_exists(path)) {
    hb_err("cannot read %s: %s", L.what, strerror(errno));
    return NULL;
  }
  json_error_t e;
  json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
  if (!o) {
    hb_err("%s: corrupt or truncated JSON at line %d column %d: %s", L.what, e.line, e.column, e.text);
    return NULL;
  }
  hb_results_t *r = hb_xmalloc(sizeof *r);
  memset(r, 0, sizeof *r);
  load_root(&L, o, r);
  json_decref(o);
  if (L.failed) { hb_results_free(r); return NULL; }
  if (expect_suite && strcmp(r->suite, expect_suite) != 0) {
    hb_err("%s holds suite '%s', not '%s'", path, r->suite, expect_suite);
    hb_results_free(r);
    return NULL;
  }
  return r;
}

/* ---- saving -------------------------------------------------------------- */

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }
static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *run_json(const hb_run_t *r)
{
  json_t *o = json_object();
  if (r->command) json_object_set_new(o, "command", json_string(r->command));
  json_object_set_new(o, "status", json_string(hb_status_name(r->status)));
  if (r->has_rusage) {
    json_object_set_new(o, "wall_s", jnum(r->wall_s));
    json_object_set_new(o, "peak_rss_kb", json_integer(r->peak_rss_kb));
    json_object_set_new(o, "minflt", json_integer(r->minflt));
    json_object_set_new(o, "majflt", json_integer(r->majflt));
    json_object_set_new(o, "utime_s", jnum(r->utime_s));
    json_object_set_new(o, "stime_s", jnum(r->stime_s));
    if (isfinite(r->other_cpu_s)) json_object_set_new(o, "other_cpu_s", json_real(r->other_cpu_s));
    json_object_set_new(o, "exit_code", r->exit_code >= 0 ? json_integer(r->exit_code) : json_null());
    json_object_set_new(o, "signal", jstr(r->signal));
  }
  json_object_set_new(o, "stderr_tail", jstr(r->stderr_tail));
  if (r->has_rusage) json_object_set(o, "output", r->output.raw ? (json_t *)r->output.raw : json_null());
  if (isfinite(r->value)) json_object_set_new(o, "value", json_real(r->value));
  if (r->has_instructions) json_object_set_new(o, "instructions", json_pack("[f,f]", r->instructions[0], r->instructions[1]));
  if (isfinite(r->seconds)) json_object_set_new(o, "seconds", json_real(r->seconds));
  if (isfinite(r->ops)) json_object_set_new(o, "ops", json_real(r->ops));
  if (r->outcome) {
    json_object_set_new(o, "outcome", json_string(hb_outcome_name(r->outcome)));
    json_object_set_new(o, "detail", jstr(r->detail));
  }
  json_object_set_new(o, "rep", json_integer(r->rep));
  return o;
}

static json_t *stats_json(const hb_stats_t *s)
{
  json_t *o = json_pack("{s:s, s:I}", "status", hb_status_name(s->status), "n", (json_int_t)s->n);
  if (s->n > 0) {
    json_object_set_new(o, "median", jnum(s->median));
    json_object_set_new(o, "min", jnum(s->min));
    json_object_set_new(o, "max", jnum(s->max));
    json_object_set_new(o, "q1", jnum(s->q1));
    json_object_set_new(o, "q3", jnum(s->q3));
    json_object_set_new(o, "iqr", jnum(s->iqr));
    json_object_set_new(o, "peak_rss_kb_median", jnum(s->peak_rss_kb_median));
  }
  return o;
}

static json_t *program_json(const hb_program_t *p)
{
  json_t *o = json_object();
#define S(k, v) if (v) json_object_set_new(o, k, json_string(v))
  S("package", p->package); S("prepare", p->prepare); S("reset", p->reset); S("stdin", p->stdin_file);
  S("check", p->check); S("pattern", p->pattern); S("unit", p->unit); S("reference_digest", p->reference);
#undef S
  if (p->server) {
    json_t *a = json_array();
    for (int i = 0; i < p->nserver; i++) json_array_append_new(a, json_string(p->server[i]));
    json_object_set_new(o, "server", a);
  }
  return o;
}

static json_t *cell_json(const hb_cell_t *c)
{
  json_t *args = json_array(), *runs = json_object(), *stats = json_object();
  for (int i = 0; i < c->nargs; i++) json_array_append_new(args, json_string(c->args[i]));
  for (int i = 0; i < c->nseries; i++) {
    const hb_series_t *s = &c->series[i];
    if (s->has_runs) {
      json_t *list = json_array();
      for (int k = 0; k < s->nruns; k++) json_array_append_new(list, run_json(&s->runs[k]));
      json_object_set_new(runs, s->alloc, list);
    }
    if (s->has_stats) json_object_set_new(stats, s->alloc, stats_json(&s->stats));
  }
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:i, s:i, s:o, s:o, s:o}",
                   "id", c->id, "table", c->table, "label", c->label, "workload", c->workload,
                   "args", args, "threads", c->threads, "metric", c->metric,
                   "better", c->lower_better ? "lower" : "higher", "reps", c->reps, "warmup", c->warmup,
                   "timeout_s", jnum(c->timeout_s), "runs", runs, "stats", stats);
  if (o && c->program) json_object_set_new(o, "program", program_json(c->program));
  if (o && c->check) json_object_set_new(o, "check", json_string(hb_check_kind_name(c->check)));
  return o;
}

static json_t *results_json(const hb_results_t *r)
{
  const hb_context_t *x = &r->ctx;
  json_t *ctx = json_pack("{s:o, s:o, s:b, s:o, s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:f, s:b, s:o, s:o}",
                          "date", jstr(x->date), "git_commit", jstr(x->git_commit), "git_dirty", x->git_dirty,
                          "cpu_model", jstr(x->cpu_model), "cores", (json_int_t)x->cores, "kernel", jstr(x->kernel),
                          "glibc", jstr(x->glibc), "build_flags", jstr(x->build_flags), "command", jstr(x->command),
                          "reps", (json_int_t)x->reps, "warmup", (json_int_t)x->warmup, "timeout_s", x->timeout_s,
                          "pin", x->pin, "suite_file", jstr(x->suite_file), "description", jstr(x->description));
  if (x->min_time_s > 0) {
    json_object_set_new(ctx, "min_time_s", json_real(x->min_time_s));
    json_object_set_new(ctx, "max_reps", json_integer(x->max_reps));
  }
  if (x->nresumed) {
    json_t *res = json_array();
    for (int i = 0; i < x->nresumed; i++) json_array_append_new(res, json_string(x->resumed[i]));
    json_object_set_new(ctx, "resumed", res);
  }
  if (x->has_load_start)
    json_object_set_new(ctx, "load_avg_start", json_pack("[f, f, f]", x->load_start[0], x->load_start[1], x->load_start[2]));
  if (x->has_load_end)
    json_object_set_new(ctx, "load_avg_end", json_pack("[f, f, f]", x->load_end[0], x->load_end[1], x->load_end[2]));
  json_t *allocs = json_array(), *cells = json_array();
  for (int i = 0; i < r->nallocs; i++) {
    const hb_alloc_t *a = &r->allocs[i];
    json_array_append_new(allocs, json_pack("{s:s, s:o, s:b, s:o, s:o, s:o, s:o}", "name", a->name,
                          "path", jstr(a->path), "available", a->available, "package", jstr(a->package),
                          "version", jstr(a->version), "expect", jstr(a->expect), "expect_alt", jstr(a->expect2)));
  }
  for (int i = 0; i < r->ncells; i++) json_array_append_new(cells, cell_json(&r->cells[i]));
  return json_pack("{s:s, s:i, s:s, s:b, s:o, s:o, s:o}", "format", HB_RESULTS_FORMAT,
                   "version", HB_RESULTS_VERSION, "suite", r->suite, "complete", r->complete,
                   "context", ctx, "allocators", allocs, "cells", cells);
}

int hb_results_save(const hb_results_t *r, const char *path)
{
  json_t *root = results_json(r);
  char *s = root ? json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) : NULL;
  json_decref(root);
  if (!s) { hb_err("cannot serialize results"); return -1; }
  hb_buf_t b = {0};
  hb_buf_add(&b, s);
  hb_buf_add(&b, "\n");
  free(s);
  int rc = hb_write_file_atomic(path, b.s, b.len);
  if (rc != 0) hb_err("cannot write %s: %s", path, strerror(errno));
  hb_buf_free(&b);
  return rc;
}
