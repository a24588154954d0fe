/* md.h: markdown tables, the one table type of report.c and compare.c.
 * A table is filled as strings (header first), then rendered:
 *   plain   "| a | b |" and a "|---|---:|" rule (alignment per column)
 *   padded  columns padded to their widest cell, a "|-----|" rule, so that
 *           the text also reads well in a terminal (compare). */
#ifndef HB_MD_H
#define HB_MD_H

#include "util.h"

typedef struct hb_md_table_s {
  int     ncols;
  char  **head;       /* ncols strings                                 */
  char   *align;      /* per column 'l' or 'r' (plain rule only)      */
  char  **cells;      /* row-major, ncells of nrows * ncols filled     */
  int     nrows, ncells;
  int     padded;
  int     sanitize;   /* replace '|' and newlines in cells by '/'      */
} hb_md_table_t;

/* A table with the given header; align is a string of 'l'/'r', one per
 * column (NULL: all left). */
void hb_md_init(hb_md_table_t *t, int ncols, const char *const *head, const char *align);
/* Append a row of ncols strings (copied; NULL is ""). */
void hb_md_row(hb_md_table_t *t, const char *const *cols);
/* Append a row cell by cell: hb_md_add starts a row when the last is full. */
void hb_md_add(hb_md_table_t *t, const char *cell);
void hb_md_addf(hb_md_table_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hb_md_render(const hb_md_table_t *t, hb_buf_t *out);
void hb_md_free(hb_md_table_t *t);

#endif
