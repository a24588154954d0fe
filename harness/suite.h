/* suite.h: benchmark suites, read from harness/suites/<name>.suite or a path.
 * The file format is documented in harness/README.md ("Suite files"). */
#ifndef HB_SUITE_H
#define HB_SUITE_H

#include "cell.h"


typedef struct hb_suite_s {
  char      *name;
  char      *path;
  char      *description;
  int        reps, warmup;  /* defaults for the run (options override)   */
  double     timeout_s;
  double     min_time_s;    /* "min_time S": auto-repetition (0: off)    */
  int        max_reps;      /* "min_time S N": at most N repetitions     */
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

#endif
