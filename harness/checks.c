/* checks.c: check cells: list a check program's scenarios, run one under an
 * allocator, classify what it left behind. The rules are those of
 * workloads/checks/README.md ("Classification"), in classify.sh's order;
 * the outcome names are classify.sh's classes, so `classify.sh --tsv` and
 * results.json can be compared line by line. */
#include "checks.h"
#include "child.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_TIMEOUT_S 10
#define FIRST_ERR_MAX  100   /* classify.sh: cut -c1-100 */

char *hb_check_path(const char *program)
{
  if (strchr(program, '/')) return hb_root_path(program);
  return hb_sprintf("%s/build/checks/%s", hb_root(), program);
}

char **hb_check_list(const char *program, char **why)
{
  char *path = hb_check_path(program);
  char *argv[] = { path, "--list", NULL };
  hb_child_t c = { .argv = argv, .pin_cpu = -1, .timeout_s = LIST_TIMEOUT_S };
  char **names = NULL;
  *why = NULL;
  if (hb_child_run(&c) != 0) *why = hb_sprintf("cannot run %s: %s", path, strerror(errno));
  else if (c.exec_failed) *why = hb_sprintf("%s is missing or not executable; run `make` first", path);
  else if (c.timed_out || c.signal || c.exit_code != 0)
    *why = hb_sprintf("%s --list failed (%s)", path, c.timed_out ? "timed out" : c.signal ? hb_signal_name(c.signal) : "non-zero exit");
  if (!*why) {
    int n = 0;
    names = hb_xmalloc(sizeof(char *));
    char *copy = hb_xstrdup(c.out_tail ? c.out_tail : ""), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      if (!*line) continue;
      names = hb_xrealloc(names, sizeof(char *) * (size_t)(n + 2));
      names[n++] = hb_xstrdup(line);
    }
    names[n] = NULL;
    free(copy);
    if (n == 0) { free(names); names = NULL; *why = hb_sprintf("%s --list printed no scenario", path); }
  }
  hb_child_free(&c);
  free(path);
  return names;
}

/* ---- classification ------------------------------------------------------ */

/* The first line of `text` that starts with `prefix` (the rest of the line
 * after it, up to the newline, in a new string), or NULL. exact: the whole
 * line must be `prefix`. */
static char *line_with(const char *text, const char *prefix, int exact)
{
  size_t n = strlen(prefix);
  for (const char *p = text; p && *p;) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len >= n && strncmp(p, prefix, n) == 0 && (!exact || len == n)) {
      char *r = hb_xmalloc(len - n + 1);
      memcpy(r, p + n, len - n);
      r[len - n] = '\0';
      return r;
    }
    p = end ? end + 1 : NULL;
  }
  return NULL;
}

static int has_line(const char *text, const char *prefix, int exact)
{
  char *l = line_with(text, prefix, exact);
  free(l);
  return l != NULL;
}

/* At most max bytes of s, cut at a character boundary, bytes that are not
 * UTF-8 replaced by '?' (results.json is UTF-8). */
static char *clean_text(const char *s, size_t max)
{
  hb_buf_t b = {0};
  hb_buf_add(&b, "");
  const unsigned char *p = (const unsigned char *)s;
  while (*p && b.len < max) {
    int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
    int valid = n > 0;
    for (int k = 1; valid && k < n; k++) valid = (p[k] & 0xC0) == 0x80;
    if (!valid) { hb_buf_add(&b, "?"); p++; continue; }
    if (b.len + (size_t)n > max) break;
    hb_buf_addn(&b, (const char *)p, (size_t)n);
    p += n;
  }
  return b.s;
}

/* The first line of stderr that is not blank, cut to 100 bytes; "" when
 * there is none (classify.sh: first_err). */
static char *first_err(const char *err)
{
  for (const char *p = err ? err : ""; *p;) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    for (size_t i = 0; i < len; i++)
      if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\f' && p[i] != '\v') {
        char *line = hb_xmalloc(len + 1);
        memcpy(line, p, len);
        line[len] = '\0';
        char *r = clean_text(line, FIRST_ERR_MAX);
        free(line);
        return r;
      }
    p = end ? end + 1 : p + len;
  }
  return hb_xstrdup("");
}

static const char *base_name(const char *p)
{
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Classify one finished run (README "Classification", classify.sh's
 * order); *detail is set (caller frees). */
static hb_outcome_t classify(hb_check_kind_t kind, const hb_child_t *c, double timeout_s, const hb_alloc_t *alloc,
                             char **detail)
{
  const char *out = c->out_tail ? c->out_tail : "";
  char *report = first_err(c->stderr_head);
  char how[64] = "";
  if (c->signal) snprintf(how, sizeof how, "%s", hb_signal_name(c->signal));
  else if (c->exit_code != 0) snprintf(how, sizeof how, "exit %d", c->exit_code);
  char *allocator = NULL, *text = NULL;
  hb_outcome_t o;
  *detail = NULL;
  if (c->timed_out) {
    o = HB_OUT_HANG;
    *detail = hb_sprintf("timed out after %gs", timeout_s);
    goto done;
  }
  if (!has_line(out, kind == HB_CHECK_CONFORM ? "CHECK " : "MISUSE ", 0)) {
    o = HB_OUT_ERROR;
    *detail = hb_sprintf("no %s line (%s)%s%s", kind == HB_CHECK_CONFORM ? "CHECK" : "MISUSE", *how ? how : "exit 0",
                         *report ? ": " : "", report);
    goto done;
  }
  allocator = line_with(out, "ALLOCATOR ", 0);
  const char *want = alloc->expect ? alloc->expect : "", *alt = alloc->expect2;
  const char *got = allocator ? base_name(allocator) : "";
  if (!allocator) {
    o = HB_OUT_ERROR;
    *detail = hb_xstrdup("no ALLOCATOR line");
    goto done;
  }
  if (strcmp(got, want) != 0 && (!alt || strcmp(got, alt) != 0)) {
    o = HB_OUT_INVALID;
    *detail = hb_sprintf("malloc came from %s, not %s", got, want);
    goto done;
  }
  if (kind == HB_CHECK_CONFORM) {
    if (c->signal) {
      o = HB_OUT_CRASH;
      *detail = hb_sprintf("%s%s%s", how, *report ? "; stderr: " : "", report);
    } else if ((text = line_with(out, "RESULT ", 0)) && strcmp(text, "pass") == 0 && c->exit_code == 0) {
      o = HB_OUT_PASS;
    } else if (text && strncmp(text, "fail: ", 6) == 0) {
      o = HB_OUT_FAIL;
      *detail = clean_text(text + 6, 1000);
    } else {
      o = HB_OUT_FAIL;
      *detail = hb_sprintf("exit %d without a RESULT line", c->exit_code);
    }
    goto done;
  }
  /* misuse */
  if (*how) {
    const char *where = has_line(out, "RETURNED", 0) || has_line(out, "REFUSED", 0) ? "after the misuse returned"
                                                                                   : "in the misuse call";
    if (has_line(out, "USE", 1)) {
      o = HB_OUT_CRASHED_ELSEWHERE;
      *detail = hb_sprintf("%s while using the damage%s%s", how, *report ? "; stderr: " : "", report);
    } else {
      o = HB_OUT_STOPPED;
      *detail = hb_sprintf("%s %s%s%s", how, where, *report ? "; stderr: " : "", report);
    }
  } else if ((text = line_with(out, "REFUSED ", 0)) || has_line(out, "REFUSED", 0)) {
    o = HB_OUT_STOPPED;
    *detail = hb_sprintf("refused: %s", text ? text : "");
  } else if ((text = line_with(out, "VERDICT ", 0)) && strcmp(text, "damage") == 0) {
    char *damage = line_with(out, "DAMAGE ", 0), *cut = clean_text(damage ? damage : "", FIRST_ERR_MAX);
    o = HB_OUT_SILENT;
    *detail = hb_sprintf("%s%s%s", cut, *report ? "; reported: " : "", report);
    free(damage);
    free(cut);
  } else if (text && strcmp(text, "clean") == 0) {
    o = *report ? HB_OUT_REPORTED : HB_OUT_NO_DAMAGE;
    *detail = *report ? hb_xstrdup(report) : hb_xstrdup("nothing reported, no damage seen");
  } else {
    o = HB_OUT_ERROR;
    *detail = hb_xstrdup("exit 0 without a VERDICT line");
  }
done:
  if (*detail) { char *d = clean_text(*detail, 2000); free(*detail); *detail = d; }
  free(report);
  free(allocator);
  free(text);
  return o;
}

/* ---- one run -------------------------------------------------------------- */

hb_run_t hb_check_run(const hb_cell_t *cell, const hb_alloc_t *alloc, const char *rep)
{
  char *path = hb_check_path(cell->workload);
  char *argv[] = { path, cell->args[0], NULL };
  /* glibc's fatal messages ("free(): double free detected") go to stderr,
   * not to the terminal; no core files (check.c also turns them off). */
  char *env[] = { "LIBC_FATAL_STDERR_=1", NULL };
  hb_child_t c = { .argv = argv, .preload = alloc->path, .pin_cpu = -1, .timeout_s = cell->timeout_s, .rep = rep,
                   .env = env, .no_core = 1 };
  hb_run_t run;
  hb_run_init(&run);
  hb_buf_t cmd = {0};
  if (alloc->path) { hb_buf_add(&cmd, "LD_PRELOAD="); hb_buf_add_shell_word(&cmd, alloc->path); hb_buf_add(&cmd, " "); }
  hb_buf_add_shell_word(&cmd, path);
  hb_buf_add(&cmd, " ");
  hb_buf_add_shell_word(&cmd, cell->args[0]);
  run.command = cmd.s;
  int rc = hb_child_run(&c);
  if (rc != 0 || c.exec_failed) {
    run.outcome = HB_OUT_ERROR;
    run.status = HB_ERROR;
    run.detail = rc != 0 ? hb_sprintf("hakbench: cannot start %s: %s", path, strerror(errno))
                         : hb_sprintf("hakbench: cannot execute %s", path);
    run.stderr_tail = hb_xstrdup(run.detail);
    if (rc == 0) hb_child_free(&c);
    free(path);
    return run;
  }
  run.outcome = classify(cell->check, &c, cell->timeout_s, alloc, &run.detail);
  int st = hb_outcome_status(cell->check, run.outcome);
  run.status = st >= 0 ? (hb_status_t)st : HB_ERROR;
  hb_child_to_run(&c, &run);
  run.stderr_tail = c.stderr_tail && *c.stderr_tail ? clean_text(c.stderr_tail, 4000) : NULL;
  hb_child_free(&c);
  free(path);
  return run;
}
