/* layout.h: the report's tables, in one list: which section of report.md a
 * suite table goes to, its title and first column, and the chart it is
 * drawn in. report.c renders from it; plot.c writes the chart plan that
 * plot.py draws from it. Tables not listed go under "Other tables". */
#ifndef HB_LAYOUT_H
#define HB_LAYOUT_H

typedef struct hb_layout_s {
  const char *table;      /* the cells' table= name                          */
  int         section;    /* section of report.md (1-6)                      */
  const char *title;      /* subsection title, NULL where the report makes one */
  const char *first_col;  /* header of the row-label column                  */
  const char *chart;      /* PNG it is drawn in, NULL when none              */
  const char *panel;      /* title of its panel in that chart                */
} hb_layout_t;

/* Terminated by an entry whose table is NULL. */
extern const hb_layout_t hb_layout[];

/* The entry of a table, NULL when it is not a known report table. */
const hb_layout_t *hb_layout_of(const char *table);

/* Chart files, in the order the report embeds them. */
extern const char *const hb_chart_files[];

#endif
