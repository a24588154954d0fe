/* cell.h: a cell, the unit of a suite: one workload with its arguments,
 * run against every allocator. The same type describes a cell read from a
 * suite file (suite.c) and a cell of a results file with its runs
 * (results.h); this file owns how a cell's arguments are read. */
#ifndef HB_CELL_H
#define HB_CELL_H

struct hb_series_s;

/* A program cell runs a real program (any command line) instead of one of
 * our workload drivers; harness/README.md ("Program cells") has the syntax.
 * Its hb_cell_t.workload is the executable, its args the arguments. */
typedef struct hb_program_s {
  char  *package;     /* Debian package that provides it, or NULL            */
  char  *prepare;     /* sh -c once per cell before its runs (inputs), or NULL */
  char  *reset;       /* sh -c before every run, or NULL                      */
  char  *stdin_file;  /* stdin, relative to the work folder, or NULL          */
  char  *check;       /* NULL: no output check; "stdout"; or a file name in
                         the work folder whose digest is compared            */
  char **server;      /* server command line (NULL-terminated), or NULL      */
  int    nserver;
  char  *pattern;     /* metric "output": ERE whose first group is the number */
  char  *unit;        /* what that number counts ("requests/s"), or NULL      */
  char  *reference;   /* results: digest of the output of the reference run
                         under glibc ("fnv1a64:..."), NULL until it ran      */
} hb_program_t;

/* A check cell runs one scenario of a check program (workloads/checks/,
 * build/checks/PROGRAM SCENARIO) and records its outcome instead of a
 * number; harness/README.md ("Check cells") has the syntax. */
typedef enum hb_check_kind_e {
  HB_CHECK_NONE = 0,      /* a workload or program cell                      */
  HB_CHECK_CONFORM,       /* conformance: pass or fail, with the reason      */
  HB_CHECK_MISUSE         /* misuse: what the allocator did (stopped, ...)   */
} hb_check_kind_t;

typedef struct hb_cell_s {
  char  *id;          /* unique within the suite, e.g. "rm100k/64"             */
  char  *table;       /* report table it belongs to, e.g. "random_mixed_short" */
  char  *label;       /* row label in that table, e.g. "64 B"                  */
  char  *workload;    /* name under build/workloads/, or a path with a '/';
                         for a program cell, the program (looked up in PATH) */
  hb_program_t *program; /* NULL for a workload cell                         */
  hb_check_kind_t check; /* a check cell: its kind (workload = the check
                            program, args = { scenario }); else NONE       */
  char **args;        /* arguments passed to the workload (NULL-terminated)    */
  int    nargs;
  int    threads;     /* from threads= or the --threads argument, else 1       */
  char  *metric;      /* "ops_per_sec" or "instructions_per_op"; program
                         cells: "wall_s" or "output"                        */
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
#define HB_METRIC_WALL  "wall_s"      /* program cells: seconds, lower is better */
#define HB_METRIC_OUT   "output"      /* program cells: a number from stdout     */
#define HB_METRIC_OUTCOME "outcome"   /* check cells: an outcome, no number       */

/* "conformance", "misuse"; and back (1 when known). */
const char *hb_check_kind_name(hb_check_kind_t k);
int         hb_check_kind_parse(const char *s, hb_check_kind_t *out);

/* Set lower_better and cachegrind from the metric name ("output" keeps
 * lower_better as the caller set it). */
void hb_cell_set_metric(hb_cell_t *c, const char *metric);
void hb_program_free(hb_program_t *p);

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
