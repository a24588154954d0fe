/* suite.c: the suite file parser (format in harness/README.md). */
#include "suite.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 128

/* Split a line into words; "double quotes" group words, \" and \\ escape.
 * Returns the count, or -1 with *why set. A '#' outside quotes ends the line. */
static int tokenize(char *line, char **tok, const char **why)
{
  int n = 0;
  char *p = line;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p || *p == '#') return n;
    if (n == MAX_TOKENS) { *why = "too many words on one line"; return -1; }
    char *out = p;
    tok[n++] = out;
    int quoted = 0;
    while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
      if (*p == '"') { quoted = !quoted; p++; continue; }
      if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
      *out++ = *p++;
    }
    if (quoted) { *why = "unterminated quote"; return -1; }
    if (*p) p++;
    *out = '\0';
  }
}

static int is_name(const char *s)
{
  if (!*s) return 0;
  for (; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./", *s)) return 0;
  return 1;
}

char *hb_workload_path(const char *workload)
{
  if (strchr(workload, '/')) return hb_root_path(workload);
  return hb_sprintf("%s/build/workloads/%s", hb_root(), workload);
}

static char *suite_file_path(const char *name_or_path)
{
  size_t n = strlen(name_or_path);
  if (strchr(name_or_path, '/') || (n > 6 && strcmp(name_or_path + n - 6, ".suite") == 0))
    return hb_xstrdup(name_or_path);
  return hb_sprintf("%s/harness/suites/%s.suite", hb_root(), name_or_path);
}

#define FAIL(...) do { fprintf(stderr, "hakbench: %s:%d: ", path, lineno); \
                       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); goto fail; } while (0)

int hb_suite_load(const char *name_or_path, hb_suite_t *s)
{
  memset(s, 0, sizeof *s);
  char *path = suite_file_path(name_or_path);
  FILE *f = fopen(path, "r");
  int lineno = 0;
  char *line = NULL;
  size_t cap = 0;
  if (!f) {
    if (!strchr(name_or_path, '/') && strstr(path, "/harness/suites/"))
      hb_err("unknown suite '%s' (no %s; `hakbench list` shows the suites)", name_or_path, path);
    else
      hb_err("cannot read suite file %s: %s", path, strerror(errno));
    free(path);
    return -1;
  }
  s->path = path;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  s->name = hb_xstrdup(base);
  char *dot = strstr(s->name, ".suite");
  if (dot && dot[6] == '\0') *dot = '\0';
  s->reps = 5;
  s->warmup = 1;
  s->timeout_s = 60;
  int reps_set = 0;

  while (getline(&line, &cap, f) >= 0) {
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    char *tok[MAX_TOKENS];
    const char *why = NULL;
    int n = tokenize(line, tok, &why);
    if (n < 0) FAIL("%s", why);
    if (n == 0) continue;
    long v;
    double d;
    if (strcmp(tok[0], "reps") == 0 || strcmp(tok[0], "warmup") == 0) {
      if (n != 2 || !hb_parse_long(tok[1], strcmp(tok[0], "reps") == 0 ? 1 : 0, 1000, &v))
        FAIL("'%s' takes one whole number (reps >= 1, warmup >= 0)", tok[0]);
      if (tok[0][0] == 'r') { s->reps = (int)v; reps_set = 1; } else s->warmup = (int)v;
    } else if (strcmp(tok[0], "timeout") == 0) {
      if (n != 2 || !hb_parse_double(tok[1], 0.01, 86400, &d)) FAIL("'timeout' takes seconds (> 0)");
      s->timeout_s = d;
    } else if (strcmp(tok[0], "description") == 0) {
      if (n != 2) FAIL("'description' takes one quoted text");
      free(s->description);
      s->description = hb_xstrdup(tok[1]);
    } else if (strcmp(tok[0], "cell") == 0) {
      if (n < 2 || strchr(tok[1], '=') || strcmp(tok[1], "--") == 0 || !is_name(tok[1]))
        FAIL("'cell' needs an id first (letters, digits, _ - . /)");
      for (int i = 0; i < s->ncells; i++)
        if (strcmp(s->cells[i].id, tok[1]) == 0) FAIL("duplicate cell id '%s'", tok[1]);
      hb_cell_t c = {0};
      c.id = tok[1];
      c.reps = c.warmup = -1;
      c.threads = 0;
      const char *metric = HB_METRIC_OPS;
      int i = 2;
      for (; i < n && strcmp(tok[i], "--") != 0; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq) FAIL("expected key=value or '--', got '%s'", tok[i]);
        *eq = '\0';
        const char *k = tok[i], *val = eq + 1;
        if (strcmp(k, "table") == 0 && is_name(val)) c.table = (char *)val;
        else if (strcmp(k, "label") == 0 && *val) c.label = (char *)val;
        else if (strcmp(k, "workload") == 0 && is_name(val)) c.workload = (char *)val;
        else if (strcmp(k, "threads") == 0 && hb_parse_long(val, 1, 4096, &v)) c.threads = (int)v;
        else if (strcmp(k, "reps") == 0 && hb_parse_long(val, 1, 1000, &v)) c.reps = (int)v;
        else if (strcmp(k, "warmup") == 0 && hb_parse_long(val, 0, 1000, &v)) c.warmup = (int)v;
        else if (strcmp(k, "timeout") == 0 && hb_parse_double(val, 0.01, 86400, &d)) c.timeout_s = d;
        else if (strcmp(k, "metric") == 0 && (strcmp(val, HB_METRIC_OPS) == 0 || strcmp(val, HB_METRIC_INSTR) == 0))
          metric = val;
        else if (strstr(",table,label,workload,threads,reps,warmup,timeout,metric,", hb_sprintf(",%s,", k)))
          FAIL("bad value for %s: '%s'", k, val);
        else
          FAIL("unknown cell key '%s' (known: table label workload threads metric reps warmup timeout)", k);
      }
      if (!c.table) FAIL("cell '%s' has no table=", c.id);
      if (!c.workload) FAIL("cell '%s' has no workload=", c.id);
      if (i < n) i++; /* skip "--" */
      c.nargs = n - i;
      c.args = hb_xmalloc(sizeof(char *) * (size_t)(c.nargs + 1));
      for (int j = 0; j < c.nargs; j++) c.args[j] = hb_xstrdup(tok[i + j]);
      c.args[c.nargs] = NULL;
      c.id = hb_xstrdup(c.id);
      c.table = hb_xstrdup(c.table);
      c.label = hb_xstrdup(c.label ? c.label : c.id);
      c.workload = hb_xstrdup(c.workload);
      hb_cell_set_metric(&c, metric);
      if (!c.threads) c.threads = hb_cell_arg_long(&c, "--threads", 1, 4096, &v) ? (int)v : 1;
      if (c.cachegrind) {
        if (!hb_cell_arg_long(&c, "--iters", 1, 1L << 40, &v))
          FAIL("cell '%s': metric instructions_per_op needs '--iters N' in its arguments", c.id);
        c.reps = 1;   /* instruction counts are exact: one run is enough */
        c.warmup = 0;
      }
      s->cells = hb_xrealloc(s->cells, sizeof *s->cells * (size_t)(s->ncells + 1));
      s->cells[s->ncells++] = c;
    } else {
      FAIL("unknown directive '%s' (known: cell reps warmup timeout description)", tok[0]);
    }
  }
  (void)reps_set;
  if (s->ncells == 0) { lineno = 0; FAIL("suite has no cells"); }
  free(line);
  fclose(f);
  return 0;
fail:
  free(line);
  fclose(f);
  return -1;
}

char **hb_suite_list(void)
{
  char *dir = hb_sprintf("%s/harness/suites", hb_root());
  DIR *d = opendir(dir);
  free(dir);
  char **names = hb_xmalloc(sizeof(char *));
  int n = 0;
  names[0] = NULL;
  if (!d) return names;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len <= 6 || strcmp(e->d_name + len - 6, ".suite") != 0) continue;
    names = hb_xrealloc(names, sizeof(char *) * (size_t)(n + 2));
    names[n] = hb_xstrdup(e->d_name);
    names[n][len - 6] = '\0';
    names[++n] = NULL;
  }
  closedir(d);
  for (int i = 1; i < n; i++) /* insertion sort: a handful of names */
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *t = names[j]; names[j] = names[j - 1]; names[j - 1] = t;
    }
  return names;
}
