/* results.h: the results.json document (schema in harness/README.md). */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include <jansson.h>

#define HB_RESULTS_FORMAT  "hakbench-results"
#define HB_RESULTS_VERSION 1

/* DIR or DIR/results.json -> path of the results file; caller frees. */
char   *hb_results_path(const char *dir_or_file);
/* Load and validate. On any problem prints a clear message and returns
 * NULL. expect_suite: when not NULL, the file's suite must be this one. */
json_t *hb_results_load(const char *path, const char *expect_suite);
/* Write atomically (temp file + rename); 0 or -1 (message printed). */
int     hb_results_save(json_t *root, const char *path);
/* Recompute cell.stats from cell.runs (only OK runs count). */
void    hb_results_cell_stats(json_t *cell);
/* Rank of a run status: 0 for OK, higher is worse. */
int     hb_status_rank(const char *status);

/* Accessors that tolerate missing fields. */
const char *hb_jstr(json_t *o, const char *key, const char *dflt);
double      hb_jnum(json_t *o, const char *key, double dflt);

#endif
