/* suite.c: the suite file parser (format in harness/README.md). */
#include "suite.h"
#include "checks.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
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

#define KNOWN_KEYS ",table,label,workload,program,threads,reps,warmup,timeout,metric,better,package,prepare,reset," \
                   "stdin,check,server,pattern,unit,"
#define KNOWN_KEYS_TEXT "table label workload threads metric reps warmup timeout; program cells: program package " \
                        "prepare reset stdin check server pattern better unit"

/* A file of a program cell's work folder: relative, without "..". */
static int work_file(const char *s)
{
  return *s && s[0] != '/' && !strstr(s, "..");
}

static int is_name(const char *s)
{
  if (!*s) return 0;
  for (; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./", *s)) return 0;
  return 1;
}

/* A cell id: a name, or with ':' too (check scenarios: double_free_immediate:16). */
static int is_id(const char *s)
{
  if (!*s || *s == ':') return 0;
  for (; *s; s++)
    if (*s != ':' && !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./", *s)) return 0;
  return 1;
}

static void add_cell(hb_suite_t *s, const hb_cell_t *c)
{
  s->cells = hb_xrealloc(s->cells, sizeof *s->cells * (size_t)(s->ncells + 1));
  s->cells[s->ncells++] = *c;
}

static int has_cell(const hb_suite_t *s, const char *id)
{
  for (int i = 0; i < s->ncells; i++)
    if (strcmp(s->cells[i].id, id) == 0) return 1;
  return 0;
}

/* `checks KIND PROGRAM... [only="ERE"] [timeout=S]`: one check cell per
 * scenario that each program lists (`PROGRAM --list`), id PROGRAM/SCENARIO,
 * in the programs' order. NULL, or why not (caller frees). */
static char *expand_checks(hb_suite_t *s, char **tok, int n)
{
  hb_check_kind_t kind;
  if (n < 3 || !hb_check_kind_parse(tok[1], &kind))
    return hb_xstrdup("'checks' takes a kind (conformance or misuse), then check programs, "
                      "then optional only=\"REGEX\" timeout=S");
  const char *only = NULL;
  double timeout_s = -1;
  int nprog = 0;
  for (int i = 2; i < n; i++) {
    if (strncmp(tok[i], "only=", 5) == 0) only = tok[i] + 5;
    else if (strncmp(tok[i], "timeout=", 8) == 0) {
      if (!hb_parse_double(tok[i] + 8, 0.01, 86400, &timeout_s)) return hb_sprintf("bad value for timeout: '%s'", tok[i] + 8);
    } else if (strchr(tok[i], '=')) return hb_sprintf("unknown 'checks' option '%s' (known: only= timeout=)", tok[i]);
    else if (!is_name(tok[i])) return hb_sprintf("'%s' is not a check program name", tok[i]);
    else nprog++;
  }
  if (!nprog) return hb_xstrdup("'checks' needs at least one check program (a name in build/checks/)");
  regex_t re;
  if (only) {
    int rc = regcomp(&re, only, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char why[200];
      regerror(rc, &re, why, sizeof why);
      return hb_sprintf("only=\"%s\" is not a valid extended regular expression: %s", only, why);
    }
  }
  char *why = NULL;
  int added = 0;
  for (int i = 2; i < n && !why; i++) {
    if (strchr(tok[i], '=')) continue;
    char **names = hb_check_list(tok[i], &why);
    if (!names) break;
    const char *base = strrchr(tok[i], '/');
    base = base ? base + 1 : tok[i];
    for (char **sc = names; *sc && !why; sc++) {
      char *id = hb_sprintf("%s/%s", base, *sc);
      if (!is_id(*sc)) why = hb_sprintf("%s --list: '%s' is not a scenario name", tok[i], *sc);
      else if (has_cell(s, id)) why = hb_sprintf("duplicate cell id '%s'", id);
      if (why || (only && regexec(&re, id, 0, NULL, 0) != 0)) { free(id); continue; }
      hb_cell_t c = {0};
      c.id = id;
      c.table = hb_xstrdup(hb_check_kind_name(kind));
      c.label = hb_xstrdup(*sc);
      c.workload = hb_xstrdup(tok[i]);
      c.check = kind;
      c.nargs = 1;
      c.args = hb_xmalloc(sizeof(char *) * 2);
      c.args[0] = hb_xstrdup(*sc);
      c.args[1] = NULL;
      c.threads = 1;
      c.reps = -1;
      c.warmup = 0;  /* outcomes, not timings: never a warm-up run */
      c.timeout_s = timeout_s;
      hb_cell_set_metric(&c, HB_METRIC_OUTCOME);
      add_cell(s, &c);
      added++;
    }
    for (char **sc = names; *sc; sc++) free(*sc);
    free(names);
  }
  if (only) regfree(&re);
  if (!why && !added) why = hb_sprintf("only=\"%s\" matches no scenario of these programs", only ? only : "");
  return why;
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
    } else if (strcmp(tok[0], "min_time") == 0) {
      if ((n != 2 && n != 3) || !hb_parse_double(tok[1], 0, 3600, &d) ||
          (n == 3 && !hb_parse_long(tok[2], 1, 1000, &v)))
        FAIL("'min_time' takes seconds and, optionally, the most repetitions (default 30)");
      s->min_time_s = d;
      s->max_reps = n == 3 ? (int)v : 30;
    } else if (strcmp(tok[0], "description") == 0) {
      if (n != 2) FAIL("'description' takes one quoted text");
      free(s->description);
      s->description = hb_xstrdup(tok[1]);
    } else if (strcmp(tok[0], "cell") == 0) {
      if (n < 2 || strchr(tok[1], '=') || strcmp(tok[1], "--") == 0 || !is_id(tok[1]))
        FAIL("'cell' needs an id first (letters, digits, _ - . / :)");
      if (has_cell(s, tok[1])) FAIL("duplicate cell id '%s'", tok[1]);
      hb_cell_t c = {0};
      hb_program_t pg = {0};
      const char *program = NULL, *better = NULL, *server = NULL;
      c.id = tok[1];
      c.reps = c.warmup = -1;
      c.threads = 0;
      const char *metric = NULL;
      int i = 2;
      for (; i < n && strcmp(tok[i], "--") != 0; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq) FAIL("expected key=value or '--', got '%s'", tok[i]);
        *eq = '\0';
        const char *k = tok[i], *val = eq + 1;
        if (strcmp(k, "table") == 0 && is_name(val)) c.table = (char *)val;
        else if (strcmp(k, "label") == 0 && *val) c.label = (char *)val;
        else if (strcmp(k, "workload") == 0 && is_name(val)) c.workload = (char *)val;
        else if (strcmp(k, "program") == 0 && is_name(val)) program = val;
        else if (strcmp(k, "threads") == 0 && hb_parse_long(val, 1, 4096, &v)) c.threads = (int)v;
        else if (strcmp(k, "reps") == 0 && hb_parse_long(val, 1, 1000, &v)) c.reps = (int)v;
        else if (strcmp(k, "warmup") == 0 && hb_parse_long(val, 0, 1000, &v)) c.warmup = (int)v;
        else if (strcmp(k, "timeout") == 0 && hb_parse_double(val, 0.01, 86400, &d)) c.timeout_s = d;
        else if (strcmp(k, "metric") == 0 && (strcmp(val, HB_METRIC_OPS) == 0 || strcmp(val, HB_METRIC_INSTR) == 0 ||
                                              strcmp(val, HB_METRIC_WALL) == 0 || strcmp(val, HB_METRIC_OUT) == 0))
          metric = val;
        else if (strcmp(k, "better") == 0 && (strcmp(val, "higher") == 0 || strcmp(val, "lower") == 0)) better = val;
        else if (strcmp(k, "package") == 0 && is_name(val)) pg.package = (char *)val;
        else if (strcmp(k, "prepare") == 0 && *val) pg.prepare = (char *)val;
        else if (strcmp(k, "reset") == 0 && *val) pg.reset = (char *)val;
        else if (strcmp(k, "stdin") == 0 && work_file(val)) pg.stdin_file = (char *)val;
        else if (strcmp(k, "check") == 0 && (strcmp(val, "none") == 0 || work_file(val))) pg.check = (char *)val;
        else if (strcmp(k, "server") == 0 && *val) server = val;
        else if (strcmp(k, "pattern") == 0 && *val) pg.pattern = (char *)val;
        else if (strcmp(k, "unit") == 0 && *val) pg.unit = (char *)val;
        else if (strstr(KNOWN_KEYS, hb_sprintf(",%s,", k)))
          FAIL("bad value for %s: '%s'", k, val);
        else
          FAIL("unknown cell key '%s' (known: %s)", k, KNOWN_KEYS_TEXT);
      }
      if (!c.table) FAIL("cell '%s' has no table=", c.id);
      if (!c.workload == !program) FAIL("cell '%s' needs exactly one of workload= and program=", c.id);
      if (!program && (pg.package || pg.prepare || pg.reset || pg.stdin_file || pg.check || server || pg.pattern || better || pg.unit))
        FAIL("cell '%s': package prepare reset stdin check server pattern better unit are for program= cells", c.id);
      if (program) {
        if (!metric) metric = HB_METRIC_WALL;
        if (strcmp(metric, HB_METRIC_WALL) != 0 && strcmp(metric, HB_METRIC_OUT) != 0)
          FAIL("cell '%s': a program cell's metric is wall_s or output", c.id);
        if (strcmp(metric, HB_METRIC_OUT) == 0) {
          if (!pg.pattern || !better) FAIL("cell '%s': metric=output needs pattern=\"REGEX\" and better=higher|lower", c.id);
          regex_t re;
          int rc = regcomp(&re, pg.pattern, REG_EXTENDED);
          if (rc != 0) {
            char why[200];
            regerror(rc, &re, why, sizeof why);
            FAIL("cell '%s': pattern is not a valid extended regular expression: %s", c.id, why);
          }
          size_t groups = re.re_nsub;
          regfree(&re);
          if (groups < 1) FAIL("cell '%s': pattern needs a (group) around the number", c.id);
        } else if (pg.pattern || better || pg.unit) {
          FAIL("cell '%s': pattern, better and unit go with metric=output", c.id);
        }
        if (pg.check && strcmp(pg.check, "none") == 0) pg.check = NULL;
        if (server) {
          char *copy = hb_xstrdup(server), *stok[MAX_TOKENS];
          int sn = tokenize(copy, stok, &why);
          if (sn <= 0) FAIL("cell '%s': server=%s", c.id, sn < 0 ? why : "is empty");
          if (!strstr(server, "{port}")) FAIL("cell '%s': the server must listen on {port} (127.0.0.1)", c.id);
          pg.server = hb_xmalloc(sizeof(char *) * (size_t)(sn + 1));
          for (int j = 0; j < sn; j++) pg.server[j] = hb_xstrdup(stok[j]);
          pg.server[sn] = NULL;
          pg.nserver = sn;
          free(copy);
        }
        c.program = hb_xmalloc(sizeof pg);
        *c.program = pg;
        hb_program_t *P = c.program;
#define DUP(f) P->f = P->f ? hb_xstrdup(P->f) : NULL
        DUP(package); DUP(prepare); DUP(reset); DUP(stdin_file); DUP(check); DUP(pattern); DUP(unit);
#undef DUP
        c.workload = (char *)program;
        if (better) c.lower_better = strcmp(better, "lower") == 0;
      } else {
        if (!metric) metric = HB_METRIC_OPS;
        if (strcmp(metric, HB_METRIC_OPS) != 0 && strcmp(metric, HB_METRIC_INSTR) != 0)
          FAIL("cell '%s': a workload cell's metric is ops_per_sec or instructions_per_op", c.id);
      }
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
      if (!c.threads) c.threads = !c.program && hb_cell_arg_long(&c, "--threads", 1, 4096, &v) ? (int)v : 1;
      if (c.cachegrind) {
        if (!hb_cell_arg_long(&c, "--iters", 1, 1L << 40, &v))
          FAIL("cell '%s': metric instructions_per_op needs '--iters N' in its arguments", c.id);
        c.reps = 1;   /* instruction counts are exact: one run is enough */
        c.warmup = 0;
      }
      add_cell(s, &c);
    } else if (strcmp(tok[0], "checks") == 0) {
      char *why = expand_checks(s, tok, n);
      if (why) { fprintf(stderr, "hakbench: %s:%d: %s\n", path, lineno, why); free(why); goto fail; }
    } else {
      FAIL("unknown directive '%s' (known: cell checks reps warmup timeout min_time description)", tok[0]);
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
