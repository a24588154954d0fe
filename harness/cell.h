/* cell.h: a cell, the unit of a suite: one workload with its arguments,
 * run against every allocator. The same type describes a cell read from a
 * suite file (suite.c) and a cell of a results file with its runs
 * (results.h); this file owns how a cell's arguments are read. */
#ifndef HB_CELL_H
#define HB_CELL_H

struct hb_series_s;

typedef struct hb_cell_s {
  char  *id;          /* unique within the suite, e.g. "rm100k/64"             */
  char  *table;       /* report table it belongs to, e.g. "random_mixed_short" */
  char  *label;       /* row label in that table, e.g. "64 B"                  */
  char  *workload;    /* name under build/workloads/, or a path with a '/'     */
  char **args;        /* arguments passed to the workload (NULL-terminated)    */
  int    nargs;
  int    threads;     /* from threads= or the --threads argument, else 1       */
  char  *metric;      /* "ops_per_sec" or "instructions_per_op"                */
  int    lower_better;/* the metric is better when smaller ("better": "lower") */
  int    cachegrind;  /* measured under cachegrind: exact instruction counts,
                         one run, RSS is valgrind's (metric instructions_per_op) */
  int    reps, warmup;  /* suite file: -1 = the run's setting; results: as run */
  double timeout_s;     /* suite file: <= 0 = the run's setting                */
  /* Results only (NULL/0 for a suite cell): one series per allocator that
   * has runs or statistics, in the file's order. */
  struct hb_series_s *series;
  int    nseries;
} hb_cell_t;

#define HB_METRIC_OPS   "ops_per_sec"
#define HB_METRIC_INSTR "instructions_per_op"

/* Set lower_better and cachegrind from the metric name. */
void hb_cell_set_metric(hb_cell_t *c, const char *metric);

/* Value of option NAME in args, given as "NAME VALUE" or "NAME=VALUE";
 * NULL when absent. The one reader of a cell's arguments. */
const char *hb_cell_arg(const hb_cell_t *c, const char *name);
/* The same, as a number: 1 when present and in [min, max]. */
int hb_cell_arg_long(const hb_cell_t *c, const char *name, long min, long max, long *out);
int hb_cell_arg_double(const hb_cell_t *c, const char *name, double min, double max, double *out);

/* argv for one run: prefix..., binary, the cell's arguments with each option
 * set[i].name replaced by set[i].value (in the form it was given; appended
 * as NAME=VALUE when absent). NULL-terminated; free with hb_argv_free. */
typedef struct hb_arg_set_s { const char *name, *value; } hb_arg_set_t;
char **hb_cell_argv(const hb_cell_t *c, const char *const *prefix, int nprefix, const char *binary,
                    const hb_arg_set_t *set, int nset);
void   hb_argv_free(char **argv);

/* Rough seconds one run of this cell takes, to print an estimate. */
double hb_cell_estimate_s(const hb_cell_t *c);

#endif
