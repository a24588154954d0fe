/* cell.c: reading a cell's arguments, building its command line, and a
 * rough estimate of its run time. */
#include "cell.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void hb_cell_set_metric(hb_cell_t *c, const char *metric)
{
  c->metric = hb_xstrdup(metric);
  c->cachegrind = strcmp(metric, HB_METRIC_INSTR) == 0;
  if (strcmp(metric, HB_METRIC_OUT) != 0) c->lower_better = c->cachegrind || strcmp(metric, HB_METRIC_WALL) == 0;
}

const char *hb_check_kind_name(hb_check_kind_t k)
{
  return k == HB_CHECK_CONFORM ? "conformance" : k == HB_CHECK_MISUSE ? "misuse" : "none";
}

int hb_check_kind_parse(const char *s, hb_check_kind_t *out)
{
  if (strcmp(s, "conformance") == 0) *out = HB_CHECK_CONFORM;
  else if (strcmp(s, "misuse") == 0) *out = HB_CHECK_MISUSE;
  else return 0;
  return 1;
}

void hb_program_free(hb_program_t *p)
{
  if (!p) return;
  free(p->package); free(p->prepare); free(p->reset); free(p->stdin_file); free(p->check);
  for (int i = 0; i < p->nserver; i++) free(p->server[i]);
  free(p->server);
  free(p->pattern); free(p->unit); free(p->reference);
  free(p);
}

/* Index of option NAME in args and of its value (-1 when absent). */
static int find_arg(char *const *args, int nargs, const char *name, int *value_at, const char **value)
{
  size_t len = strlen(name);
  for (int i = 0; i < nargs; i++) {
    const char *a = args[i];
    if (strcmp(a, name) == 0) {
      *value_at = i + 1 < nargs ? i + 1 : -1;
      *value = *value_at >= 0 ? args[i + 1] : NULL;
      return i;
    }
    if (strncmp(a, name, len) == 0 && a[len] == '=') {
      *value_at = i;
      *value = a + len + 1;
      return i;
    }
  }
  *value_at = -1;
  *value = NULL;
  return -1;
}

const char *hb_cell_arg(const hb_cell_t *c, const char *name)
{
  int at;
  const char *v;
  find_arg(c->args, c->nargs, name, &at, &v);
  return v;
}

int hb_cell_arg_long(const hb_cell_t *c, const char *name, long min, long max, long *out)
{
  const char *v = hb_cell_arg(c, name);
  return v && hb_parse_long(v, min, max, out);
}

int hb_cell_arg_double(const hb_cell_t *c, const char *name, double min, double max, double *out)
{
  const char *v = hb_cell_arg(c, name);
  return v && hb_parse_double(v, min, max, out);
}

char **hb_cell_argv(const hb_cell_t *c, const char *const *prefix, int nprefix, const char *binary,
                    const hb_arg_set_t *set, int nset)
{
  char **argv = hb_xmalloc(sizeof(char *) * ((size_t)nprefix + (size_t)c->nargs + (size_t)nset + 2));
  int k = 0;
  for (int i = 0; i < nprefix; i++) argv[k++] = hb_xstrdup(prefix[i]);
  argv[k++] = hb_xstrdup(binary);
  int base = k;
  for (int i = 0; i < c->nargs; i++) argv[k++] = hb_xstrdup(c->args[i]);
  for (int s = 0; s < nset; s++) {
    int at;
    const char *v;
    int opt = find_arg(argv + base, k - base, set[s].name, &at, &v);
    if (opt < 0) { argv[k++] = hb_sprintf("%s=%s", set[s].name, set[s].value); continue; }
    if (at < 0) { free(argv[base + opt]); argv[base + opt] = hb_sprintf("%s=%s", set[s].name, set[s].value); continue; }
    free(argv[base + at]);
    argv[base + at] = at == opt ? hb_sprintf("%s=%s", set[s].name, set[s].value) : hb_xstrdup(set[s].value);
  }
  argv[k] = NULL;
  return argv;
}

void hb_argv_free(char **argv)
{
  for (char **p = argv; *p; p++) free(*p);
  free(argv);
}

static double arg_num(const hb_cell_t *c, const char *name, double dflt)
{
  double d;
  return hb_cell_arg_double(c, name, 0, 1e15, &d) ? d : dflt;
}

double hb_cell_estimate_s(const hb_cell_t *c)
{
  if (c->program) return 2.0; /* the apps suite aims at 0.5-5 s per run */
  if (c->check) return 0.1;   /* most scenarios take milliseconds, a few 1-2 s */
  /* Start-up plus work at roughly 40M ops/s, or the run's own time limit. */
  const char *w = strrchr(c->workload, '/');
  w = w ? w + 1 : c->workload;
  double t = 0.01;
  if (strcmp(w, "random_mixed") == 0)
    t += arg_num(c, "--iters", 1e7) * 1.1 / 4e7;
  else if (strcmp(w, "larson") == 0)
    t += arg_num(c, "--seconds", 5) + 0.05;
  else if (strcmp(w, "longrun") == 0) {
    double s = arg_num(c, "--seconds", 0);
    t += s > 0 ? s : arg_num(c, "--window", 1e6) * arg_num(c, "--windows", 20) / 4e7;
  } else if (strcmp(w, "mt_contention") == 0) {
    t += hb_cell_arg(c, "--ops") ? arg_num(c, "--ops", 0) * c->threads / 2e7 : arg_num(c, "--seconds", 2);
  } else if (strcmp(w, "false_sharing") == 0)
    t += arg_num(c, "--objects", 1000) * arg_num(c, "--writes", 1000) *
         arg_num(c, "--rounds", 20) * c->threads / 1e9;
  if (c->cachegrind) t = 3 * 50 * t + 1.0; /* N and 2N under valgrind */
  return t;
}
