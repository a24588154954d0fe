/* md.c: markdown tables (see md.h). */
#include "md.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *copy_cell(const hb_md_table_t *t, const char *s)
{
  char *c = hb_xstrdup(s ? s : "");
  if (t->sanitize)
    for (char *p = c; *p; p++)
      if (*p == '|' || *p == '\n') *p = '/';
  return c;
}

void hb_md_init(hb_md_table_t *t, int ncols, const char *const *head, const char *align)
{
  memset(t, 0, sizeof *t);
  t->ncols = ncols;
  t->head = hb_xmalloc(sizeof(char *) * (size_t)ncols);
  t->align = hb_xmalloc((size_t)ncols + 1);
  for (int k = 0; k < ncols; k++) {
    t->head[k] = hb_xstrdup(head[k] ? head[k] : "");
    t->align[k] = align && align[k] == 'r' ? 'r' : 'l';
  }
  t->align[ncols] = '\0';
}

void hb_md_add(hb_md_table_t *t, const char *cell)
{
  if (t->ncells == t->nrows * t->ncols) t->nrows++;
  t->cells = hb_xrealloc(t->cells, sizeof(char *) * (size_t)(t->ncells + 1));
  t->cells[t->ncells++] = copy_cell(t, cell);
}

void hb_md_addf(hb_md_table_t *t, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s;
  if (vasprintf(&s, fmt, ap) < 0) s = NULL;
  va_end(ap);
  hb_md_add(t, s ? s : "");
  free(s);
}

void hb_md_row(hb_md_table_t *t, const char *const *cols)
{
  for (int k = 0; k < t->ncols; k++) hb_md_add(t, cols[k]);
}

static const char *cell_at(const hb_md_table_t *t, int row, int col)
{
  if (row < 0) return t->head[col];
  size_t i = (size_t)row * (size_t)t->ncols + (size_t)col;
  return i < (size_t)t->ncells ? t->cells[i] : "";
}

static void render_row(const hb_md_table_t *t, hb_buf_t *out, int row, const size_t *w)
{
  for (int k = 0; k < t->ncols; k++) {
    const char *s = cell_at(t, row, k);
    hb_buf_add(out, "| ");
    hb_buf_add(out, s);
    for (size_t n = strlen(s); w && n < w[k]; n++) hb_buf_add(out, " ");
    hb_buf_add(out, " ");
  }
  hb_buf_add(out, "|\n");
}

void hb_md_render(const hb_md_table_t *t, hb_buf_t *out)
{
  size_t *w = NULL;
  if (t->padded) {
    w = hb_xmalloc(sizeof(size_t) * (size_t)t->ncols);
    for (int k = 0; k < t->ncols; k++) {
      w[k] = 0;
      for (int r = -1; r < t->nrows; r++)
        if (strlen(cell_at(t, r, k)) > w[k]) w[k] = strlen(cell_at(t, r, k));
    }
  }
  render_row(t, out, -1, w);
  for (int k = 0; k < t->ncols; k++) {
    hb_buf_add(out, "|");
    if (w)
      for (size_t j = 0; j < w[k] + 2; j++) hb_buf_add(out, "-");
    else
      hb_buf_add(out, t->align[k] == 'r' ? "---:" : "---");
  }
  hb_buf_add(out, "|\n");
  for (int r = 0; r < t->nrows; r++) render_row(t, out, r, w);
  free(w);
}

void hb_md_free(hb_md_table_t *t)
{
  for (int k = 0; k < t->ncols; k++) free(t->head[k]);
  for (int i = 0; i < t->ncells; i++) free(t->cells[i]);
  free(t->head);
  free(t->align);
  free(t->cells);
  memset(t, 0, sizeof *t);
}
