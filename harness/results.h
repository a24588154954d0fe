/* results.h: the results of a run, as typed structs: the one model that the
 * runner fills and saves and that report, plot and compare read. results.c
 * is the only file that knows the JSON form (results.json; schema in
 * harness/README.md); it loads and validates a file in one place.
 *
 *   hb_results_t   a whole file: suite, context, allocators, cells
 *   hb_cell_t      (cell.h) a cell's definition plus one series per allocator
 *   hb_series_t    one allocator in one cell: its runs and their statistics
 *   hb_run_t       one measured run: status, value, rusage, stderr, output
 *   hb_stats_t     statistics of a series' OK runs
 *   hb_outcome_t   what a check cell's run showed (pass, stopped, silent, ...)
 *
 * Absent numbers are NAN (or -1 for counts), absent strings NULL. */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include "allocators.h"
#include "cell.h"

#define HB_RESULTS_FORMAT  "hakbench-results"
#define HB_RESULTS_VERSION 1

/* What happened to a run, in order of severity (a cell's status is the worst
 * of its runs). */
typedef enum hb_status_e {
  HB_OK = 0,
  HB_ERROR,         /* any other failure: non-zero exit, no JSON line, harness error */
  HB_WRONG_OUTPUT,  /* reserved for program cells: output differs from glibc's      */
  HB_INVALID,       /* another library than the one asked for served malloc         */
  HB_TIMEOUT,       /* killed at the time limit                                     */
  HB_CRASH,         /* killed by a signal (hb_run_t.signal)                         */
  HB_CORRUPTION,    /* the workload found a damaged block (exit 3)                  */
  HB_NONE           /* statistics only: the series has no runs                      */
} hb_status_t;

const char *hb_status_name(hb_status_t s);   /* "OK", "CRASH", ...             */
int         hb_status_parse(const char *s, hb_status_t *out); /* 1 when known */

/* A check cell's run, classified (workloads/checks/README.md,
 * "Classification"; the names are classify.sh's classes). Every run of a
 * check cell has one; its status follows from it: OK for the outcomes of a
 * run that went through the protocol (pass, fail; every misuse outcome,
 * including a misuse stopped by a signal), CRASH for a conformance check
 * killed by a signal, TIMEOUT for hang, INVALID, ERROR. */
typedef enum hb_outcome_e {
  HB_OUT_NONE = 0,          /* not a check run                                  */
  HB_OUT_PASS,              /* conformance: RESULT pass                         */
  HB_OUT_FAIL,              /* conformance: RESULT fail (detail: the reason)    */
  HB_OUT_CRASH,             /* conformance: killed by a signal                  */
  HB_OUT_STOPPED,           /* misuse: signal or exit before USE, or REFUSED    */
  HB_OUT_REPORTED,          /* misuse: stderr said something, no damage showed  */
  HB_OUT_NO_DAMAGE,         /* misuse: nothing reported, no damage seen         */
  HB_OUT_SILENT,            /* misuse: the damage showed                        */
  HB_OUT_CRASHED_ELSEWHERE, /* misuse: signal or exit after USE                 */
  HB_OUT_HANG,              /* both: the timeout expired                        */
  HB_OUT_INVALID,           /* both: another library served malloc              */
  HB_OUT_ERROR,             /* both: the program did not follow the protocol    */
  HB_OUT_COUNT
} hb_outcome_t;

const char *hb_outcome_name(hb_outcome_t o);  /* "pass", "no-damage", ...       */
int         hb_outcome_parse(const char *s, hb_outcome_t *out); /* 1 when known */
/* The status a run with this outcome has in a cell of this kind, or -1 when
 * the outcome does not belong to the kind (a misuse cell cannot "pass"). */
int         hb_outcome_status(hb_check_kind_t kind, hb_outcome_t o);

/* The fields of the workload's JSON line that the harness uses; the whole
 * object is kept (raw) and saved as it was. */
typedef struct hb_output_s {
  void  *raw;          /* the parsed object; NULL when there is none         */
  char  *allocator;    /* which library served malloc (dladdr), or NULL      */
  double ops_per_sec, ops, seconds;     /* NAN when absent                  */
  double cv, rss_growth_pct;            /* longrun: NAN when absent         */
} hb_output_t;

typedef struct hb_run_s {
  int          rep;          /* 0-based repetition index                        */
  hb_status_t  status;
  double       value;        /* the metric (OK runs); NAN otherwise             */
  char        *command;      /* shell-quoted command line, or NULL              */
  int          has_rusage;   /* the process ran: the fields below are set       */
  double       wall_s, utime_s, stime_s;
  long         peak_rss_kb, minflt, majflt;
  double       other_cpu_s;  /* CPU seconds used by other processes meanwhile
                                (/proc/stat delta less this run's and hakbench's
                                own rusage; off by a clock tick either way, so
                                possibly negative); NAN: not recorded          */
  int          exit_code;    /* -1 when killed (signal or timeout)              */
  char        *signal;       /* "SIGSEGV" for a CRASH, else NULL                */
  char        *stderr_tail;  /* last lines of stderr, or the harness's reason   */
  hb_output_t  output;
  double       seconds, ops; /* from the output (cachegrind: ops(2N) - ops(N))  */
  int          has_instructions;
  double       instructions[2];  /* cachegrind: Ir(N), Ir(2N)                   */
  hb_outcome_t outcome;      /* check cells: the classification; else NONE     */
  char        *detail;       /* check cells: why (the reason of a fail, the
                                signal and where, the allocator's message), or NULL */
} hb_run_t;

typedef struct hb_stats_s {
  hb_status_t status;        /* OK when some run is OK and none failed, NONE
                                without runs, else the worst status        */
  long        n;             /* OK runs                                    */
  double      median, min, max, q1, q3, iqr, peak_rss_kb_median; /* NAN if n == 0 */
} hb_stats_t;

typedef struct hb_series_s {
  char       *alloc;
  hb_run_t   *runs;
  int         nruns;
  int         has_runs;      /* listed under "runs" (possibly empty)       */
  int         has_stats;
  hb_stats_t  stats;
} hb_series_t;

typedef struct hb_context_s {
  char  *date, *git_commit, *cpu_model, *kernel, *glibc, *build_flags, *command;
  char  *suite_file, *description;
  int    git_dirty, pin;
  long   cores, reps, warmup;
  double timeout_s;
  double min_time_s;         /* auto-repetition: a cell whose runs are short
                                gets rounds until each allocator has about
                                this many seconds of runs (0: off)        */
  long   max_reps;           /* ... but at most this many repetitions      */
  char **resumed;            /* commands of each --resume                  */
  int    has_load_start, has_load_end;  /* 0: not recorded (older files)   */
  double load_start[3], load_end[3];    /* /proc/loadavg: 1, 5, 15 minutes */
  int    nresumed;
} hb_context_t;

typedef struct hb_results_s {
  char        *suite;
  int          complete;
  hb_context_t ctx;
  hb_alloc_t  *allocs;       /* report column order                        */
  int          nallocs;
  hb_cell_t   *cells;
  int          ncells;
} hb_results_t;

/* DIR or DIR/results.json -> path of the results file; caller frees. */
char *hb_results_path(const char *dir_or_file);
/* Load and validate. On any problem prints one clear line naming `what`
 * (NULL: the path) and returns NULL. expect_suite: when not NULL, the
 * file's suite must be this one. */
hb_results_t *hb_results_load(const char *path, const char *what, const char *expect_suite);
/* Write atomically (temp file + rename); 0 or -1 (message printed). */
int  hb_results_save(const hb_results_t *r, const char *path);
void hb_results_free(hb_results_t *r);

/* Index of an allocator by name, -1 when absent. */
int  hb_results_alloc_index(const hb_results_t *r, const char *name);
/* The series of allocator `alloc` in a cell, NULL when it has none. */
hb_series_t *hb_cell_series(const hb_cell_t *c, const char *alloc);
/* The run of a series with repetition index rep, NULL when absent. */
const hb_run_t *hb_series_run(const hb_series_t *s, int rep);
/* Append a run (taken over) to the cell's series for alloc and recompute
 * that series' statistics (only OK runs count). */
void hb_cell_add_run(hb_cell_t *c, const char *alloc, hb_run_t *run);

/* A run with every number absent; freeing one (the model frees its own). */
void hb_run_init(hb_run_t *run);
void hb_run_free(hb_run_t *run);
/* Parse a workload's last stdout line into out; 0, or -1 when it is not a
 * JSON object. */
int  hb_output_parse(const char *line, hb_output_t *out);

#endif
