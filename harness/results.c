/* results.c: loading, validating, saving results.json; per-cell stats. */
#include "results.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *hb_jstr(json_t *o, const char *key, const char *dflt)
{
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

double hb_jnum(json_t *o, const char *key, double dflt)
{
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : dflt;
}

char *hb_results_path(const char *p)
{
  struct stat st;
  if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) return hb_sprintf("%s/results.json", p);
  return hb_xstrdup(p);
}

int hb_status_rank(const char *s)
{
  static const char *order[] = { "OK", "ERROR", "INVALID", "TIMEOUT", "CRASH", "CORRUPTION" };
  for (int i = 0; i < 6; i++)
    if (strcmp(s, order[i]) == 0) return i;
  return 1;
}

static int bad(const char *path, const char *what)
{
  hb_err("%s: not a valid hakbench results file: %s", path, what);
  return 0;
}

/* Structural check of everything the report, plot and resume rely on. */
static int validate(json_t *r, const char *path)
{
  if (!json_is_object(r)) return bad(path, "top level is not an object");
  if (strcmp(hb_jstr(r, "format", ""), HB_RESULTS_FORMAT) != 0)
    return bad(path, "\"format\" is not \"" HB_RESULTS_FORMAT "\"");
  json_t *ver = json_object_get(r, "version");
  if (!json_is_integer(ver) || json_integer_value(ver) != HB_RESULTS_VERSION) {
    hb_err("%s: results version %s is not supported (this hakbench reads version %d)", path,
           json_is_integer(ver) ? hb_sprintf("%lld", (long long)json_integer_value(ver)) : "(missing)",
           HB_RESULTS_VERSION);
    return 0;
  }
  if (!json_is_string(json_object_get(r, "suite"))) return bad(path, "\"suite\" missing");
  if (!json_is_boolean(json_object_get(r, "complete"))) return bad(path, "\"complete\" missing");
  if (!json_is_object(json_object_get(r, "context"))) return bad(path, "\"context\" missing");
  json_t *allocs = json_object_get(r, "allocators");
  if (!json_is_array(allocs) || json_array_size(allocs) == 0) return bad(path, "\"allocators\" missing or empty");
  size_t i, j;
  json_t *a, *c;
  json_array_foreach(allocs, i, a) {
    if (!json_is_string(json_object_get(a, "name")) || !json_is_boolean(json_object_get(a, "available")))
      return bad(path, "an allocator lacks \"name\" or \"available\"");
  }
  json_t *cells = json_object_get(r, "cells");
  if (!json_is_array(cells) || json_array_size(cells) == 0) return bad(path, "\"cells\" missing or empty");
  json_array_foreach(cells, i, c) {
    static const char *keys[] = { "id", "table", "label", "workload", "metric", "better" };
    for (j = 0; j < 6; j++)
      if (!json_is_string(json_object_get(c, keys[j]))) {
        hb_err("%s: not a valid hakbench results file: cell %zu lacks \"%s\"", path, i, keys[j]);
        return 0;
      }
    json_t *args = json_object_get(c, "args"), *x;
    if (!json_is_array(args)) return bad(path, "a cell lacks \"args\"");
    json_array_foreach(args, j, x) if (!json_is_string(x)) return bad(path, "a cell argument is not a string");
    json_t *runs = json_object_get(c, "runs");
    if (!json_is_object(runs)) return bad(path, "a cell lacks \"runs\"");
    const char *k;
    json_t *list, *run;
    json_object_foreach(runs, k, list) {
      if (!json_is_array(list)) return bad(path, "a cell's runs are not arrays");
      json_array_foreach(list, j, run) {
        if (!json_is_string(json_object_get(run, "status")) || !json_is_integer(json_object_get(run, "rep")))
          return bad(path, "a run lacks \"status\" or \"rep\"");
        if (strcmp(hb_jstr(run, "status", ""), "OK") == 0 && !json_is_number(json_object_get(run, "value")))
          return bad(path, "an OK run lacks \"value\"");
      }
    }
  }
  return 1;
}

json_t *hb_results_load(const char *path, const char *expect_suite)
{
  json_error_t e;
  if (!hb_exists(path)) {
    hb_err("%s: %s", path, strerror(errno));
    return NULL;
  }
  json_t *r = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
  if (!r) {
    hb_err("%s: corrupt or truncated JSON at line %d column %d: %s", path, e.line, e.column, e.text);
    return NULL;
  }
  if (!validate(r, path)) { json_decref(r); return NULL; }
  if (expect_suite && strcmp(hb_jstr(r, "suite", ""), expect_suite) != 0) {
    hb_err("%s holds suite '%s', not '%s'", path, hb_jstr(r, "suite", ""), expect_suite);
    json_decref(r);
    return NULL;
  }
  return r;
}

int hb_results_save(json_t *root, const char *path)
{
  char *s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
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

void hb_results_cell_stats(json_t *cell)
{
  json_t *stats = json_object();
  json_t *runs = json_object_get(cell, "runs");
  const char *name;
  json_t *list;
  json_object_foreach(runs, name, list) {
    size_t n = json_array_size(list), i, nok = 0;
    double *v = hb_xmalloc(sizeof(double) * (n + 1)), *rss = hb_xmalloc(sizeof(double) * (n + 1));
    const char *worst = "OK";
    json_t *run;
    json_array_foreach(list, i, run) {
      const char *st = hb_jstr(run, "status", "ERROR");
      if (strcmp(st, "OK") == 0) {
        rss[nok] = hb_jnum(run, "peak_rss_kb", 0);
        v[nok++] = hb_jnum(run, "value", NAN);
      } else if (hb_status_rank(st) > hb_status_rank(worst)) {
        worst = st;
      }
    }
    hb_summary_t s;
    hb_summarize(v, nok, &s);
    json_t *o = json_pack("{s:s, s:I}", "status", nok == 0 && strcmp(worst, "OK") == 0 ? "NONE" : worst,
                          "n", (json_int_t)nok);
    if (nok > 0) {
      json_object_set_new(o, "median", json_real(s.median));
      json_object_set_new(o, "min", json_real(s.min));
      json_object_set_new(o, "max", json_real(s.max));
      json_object_set_new(o, "q1", json_real(s.q1));
      json_object_set_new(o, "q3", json_real(s.q3));
      json_object_set_new(o, "iqr", json_real(s.iqr));
      json_object_set_new(o, "peak_rss_kb_median", json_real(hb_median(rss, nok)));
    }
    json_object_set_new(stats, name, o);
    free(v);
    free(rss);
  }
  json_object_set_new(cell, "stats", stats);
}
