/* suite.h: benchmark suites, read from harness/suites/<name>.suite or a path.
 * The file format is documented in harness/README.md ("Suite files"). */
#ifndef HB_SUITE_H
#define HB_SUITE_H

typedef struct hb_cell_s {
  char  *id;          /* unique within the suite, e.g. "rm100k/64"           */
  char  *table;       /* report table it belongs to, e.g. "random_mixed_short" */
  char  *label;       /* row label in that table, e.g. "64 B"                */
  char  *workload;    /* name under build/workloads/, or a path with a '/'   */
  char **args;        /* arguments passed to the workload                    */
  int    nargs;
  int    threads;     /* from threads= or the --threads argument, else 1     */
  char  *metric;      /* "ops_per_sec" or "instructions_per_op"              */
  int    lower_better;
  int    reps, warmup;  /* -1: the run's setting                             */
  double timeout_s;     /* <= 0: the run's setting                           */
} hb_cell_t;

typedef struct hb_suite_s {
  char      *name;
  char      *path;
  char      *description;
  int        reps, warmup;  /* defaults for the run (options override)   */
  double     timeout_s;
  hb_cell_t *cells;
  int        ncells;
} hb_suite_t;

/* Load a suite by name (harness/suites/NAME.suite) or path (contains '/' or
 * ends in .suite). On error prints "FILE:LINE: message" and returns -1. */
int  hb_suite_load(const char *name_or_path, hb_suite_t *out);
/* Names of the suites in harness/suites/, NULL-terminated; caller frees. */
char **hb_suite_list(void);
/* Absolute path of a cell's workload binary; caller frees. */
char *hb_workload_path(const char *workload);
/* Value of option --name in args (NULL when absent). */
const char *hb_cell_arg(const hb_cell_t *c, const char *name);
/* Rough seconds one run of this cell takes, to print an estimate. */
double hb_cell_estimate_s(const hb_cell_t *c);

#endif
