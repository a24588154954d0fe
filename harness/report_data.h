/* report_data.h: everything report.md and summary.md show, computed from
 * the results model before anything is printed (report_data.c computes,
 * report.c renders). Numbers stay numbers here; formatting is report.c's.
 * Arrays are allocated to fit: nothing is truncated. */
#ifndef HB_REPORT_DATA_H
#define HB_REPORT_DATA_H

#include "layout.h"
#include "results.h"
#include "stats.h"

/* Success criteria (section 7); stated in the report next to the figures. */
#define HB_TARGET_VS_SYSTEM 0.90  /* the original reached 91 % of system */
#define HB_TARGET_VS_BEST   0.80

/* Verdicts. Runs with the same repetition index were measured side by side,
 * so hakmem's ratio to X is taken per repetition (paired) and summarized by
 * the median with its sign-test confidence interval (stats.h). A ratio is a
 * win or a loss only when that interval leaves out 100 % and is at least
 * HB_MIN_COVERAGE sure (5 pairs or more: [min, max] of 5 pairs is 93.75 %
 * sure); anything else is a tie, shown "≈". */
#define HB_CI_LEVEL     0.95
#define HB_MIN_COVERAGE 0.90

/* Busy machine: other processes used, on average over the runs, at least
 * this many CPUs (CPU seconds from /proc/stat less the runs' own and
 * hakbench's, over the wall time of the runs). */
#define HB_BUSY_CPUS    0.5

typedef enum hb_cmp_e { HB_CMP_NONE, HB_CMP_TIE, HB_CMP_BETTER, HB_CMP_WORSE } hb_cmp_t;

/* hakmem against one allocator: the median paired ratio (> 1: hakmem
 * better) with its interval and verdict. */
typedef struct hb_paired_s {
  hb_cmp_t verdict;              /* NONE: no ratio                      */
  double   ratio;
  hb_ci_t  ci;
} hb_paired_t;

/* What a table cell shows for one allocator. */
typedef enum hb_show_e {
  HB_SHOW_VALUE,     /* the median (every run OK)               */
  HB_SHOW_NA,        /* not installed, or nothing to show       */
  HB_SHOW_NOT_RUN,   /* installed but no runs in this cell      */
  HB_SHOW_STATUS     /* a failure: status, and ok of reps runs  */
} hb_show_t;

typedef struct hb_shown_s {
  hb_show_t   kind;
  double      value;
  double      spread;            /* half the interquartile range; NAN with one run */
  hb_status_t status;
  long        ok, reps;
} hb_shown_t;

/* One row of a value table: a cell, one column per allocator, then hakmem
 * against system and against the best other allocator of the row. */
typedef struct hb_value_row_s {
  const hb_cell_t *cell;
  hb_shown_t      *shown;        /* one per allocator                   */
  int              has_vs_sys;
  double           vs_sys;       /* > 1: hakmem better                  */
  int              best;         /* allocator index, -1 when no ratio   */
  double           vs_best;
  hb_paired_t      p_sys, p_best; /* the same ratios with their verdict */
  double           other_cpus;   /* mean CPUs used by other processes during
                                    the cell's runs; NAN: not recorded   */
  int              busy;         /* other_cpus >= HB_BUSY_CPUS          */
} hb_value_row_t;

typedef struct hb_value_table_s {
  const char     *table, *first_col;
  const char     *unit;          /* of every row ("M ops/s", "instructions/op",
                                    "s", a program's unit); NULL: the rows
                                    differ, each names its own (hb_cell_unit) */
  hb_value_row_t *rows;
  int             nrows;
} hb_value_table_t;

/* Ratios of hakmem over the rows of one or more tables. */
typedef struct hb_ratios_s {
  double      *vs_sys, *vs_best;
  const char **label;            /* of each vs_sys entry                */
  int          n_sys, n_best;
  /* summary (NAN / -1 when empty) */
  double       geo_sys, geo_best; /* geometric means                    */
  hb_paired_t  pg_sys, pg_best;  /* their intervals: median over the
                                    repetitions of the per-repetition
                                    geometric mean of the paired ratios */
  int          cnt_sys[4], cnt_best[4]; /* rows per hb_cmp_t verdict    */
  int          best, worst;      /* index of the best / worst vs_sys    */
} hb_ratios_t;

/* A table of one derived number per (cell, allocator); where there is none,
 * `fallback` says why (a failed or missing run, or n/a). */
typedef struct hb_metric_cell_s {
  int        has;
  double     v;
  hb_shown_t fallback;
} hb_metric_cell_t;

typedef struct hb_metric_table_s {
  const char       *first_col;
  const char      **labels;
  hb_metric_cell_t *v;           /* nrows * nallocs                     */
  int               nrows;
} hb_metric_table_t;

typedef struct hb_scaling_s {
  int     present;               /* a 1-thread cell and a larger one    */
  long    most;                  /* threads of the larger               */
  int    *has;                   /* per allocator                       */
  double *x;
} hb_scaling_t;

typedef struct hb_larson_s {
  const hb_layout_t *layout;
  const char        *seconds;    /* --seconds of its first cell, or NULL */
  hb_value_table_t   values;
  hb_scaling_t       scaling;
} hb_larson_t;

typedef enum hb_verdict_e { HB_REG_NA, HB_REG_NOT_RUN, HB_REG_PASS, HB_REG_FAIL } hb_verdict_t;

typedef struct hb_check_s {
  int   done;
  char *text;
} hb_check_t;

/* Failed runs of one allocator: count and the first few "cell STATUS". */
typedef struct hb_failures_s {
  const char *alloc;
  int         installed;
  int         n;
  char       *first;             /* "id STATUS, id STATUS" (at most 5) */
} hb_failures_t;

/* Conformance and misuse (check cells): what each allocator's runs of a
 * check showed. */
typedef struct hb_check_shown_s {
  hb_show_t    kind;             /* VALUE: an outcome; NA: not installed;
                                    NOT_RUN: installed, no runs          */
  hb_outcome_t outcome;          /* of every run (the first run's when they differ) */
  int          varies;           /* the runs had different outcomes: n[] */
  int          n[HB_OUT_COUNT];  /* runs per outcome                     */
  const char  *signal;           /* of the first run (a CRASH), or NULL  */
  int          note;             /* footnote number in its table, 0: none */
} hb_check_shown_t;

typedef struct hb_check_row_s {
  const hb_cell_t  *cell;
  hb_check_shown_t *shown;       /* one per allocator                    */
} hb_check_row_t;

/* A footnote: why a check did not pass (the run's detail). */
typedef struct hb_check_note_s {
  const hb_cell_t *cell;
  int              alloc;
  hb_outcome_t     outcome;
  const char      *detail;       /* may be NULL                          */
} hb_check_note_t;

typedef struct hb_check_table_s {
  hb_check_row_t  *rows;
  int              nrows;
  hb_check_note_t *notes;        /* numbered from 1 in row order         */
  int              nnotes;
} hb_check_table_t;

/* Cells per outcome for one allocator, per kind ([0] conformance, [1]
 * misuse); a cell counts under an outcome only when every run of it had
 * that outcome (else under `varies`). */
typedef struct hb_check_counts_s {
  int installed;
  int cells[2];                  /* cells with runs                      */
  int n[2][HB_OUT_COUNT];
  int varies[2];
  int passed;                    /* n[0][PASS]                           */
  int protected_cases;           /* n[1][STOPPED] + n[1][REPORTED]       */
} hb_check_counts_t;

typedef struct hb_report_s {
  const hb_results_t *r;
  int    hak, sys;               /* allocator indexes, -1 when absent   */
  long   planned, done;          /* runs of installed allocators        */
  /* the machine during the run */
  int    has_other;              /* other processes' CPU time recorded   */
  double other_cpus;             /* their mean CPUs over all runs        */
  int    busy;                   /* other_cpus >= HB_BUSY_CPUS or a busy cell */
  int    busy_cells, timed_cells;
  /* 1. random mixed (short, long) */
  struct {
    int              present;
    const char      *iters;      /* --iters of its first cell           */
    hb_value_table_t values;
    hb_ratios_t      ratios;
  } rm[2];
  hb_ratios_t rm_all;            /* both tables: the checklist's figures */
  /* 2. long run */
  int               longrun;
  const char       *window, *windows;
  hb_value_table_t  longrun_values;
  hb_metric_table_t longrun_cv, longrun_vs_short, longrun_rss;
  /* 3. Larson; 4. contention and false sharing */
  hb_larson_t      *larson;
  int               nlarson;
  int               has_contention, has_false_sharing;
  hb_value_table_t  contention, false_sharing;
  /* 5. peak RSS: one group per table; rss[g * nallocs + a], < 0 none   */
  const char      **rss_groups;
  double           *rss;
  int               nrss;
  /* 6. regression cases */
  int               has_regression;
  const hb_cell_t **reg_cells;
  int               nreg;
  hb_verdict_t     *reg;         /* nreg * nallocs                       */
  hb_status_t      *reg_status;
  int               reg_fails;   /* of hakmem; -1 without the table      */
  /* other tables (program cells' tables among them), each with its
   * ratios (geometric means), each allocator's geometric mean of its time
   * relative to system's (norm[t * nallocs + a]; throughput counted as
   * time: system/value; NAN when none), and peak RSS per cell (KiB) */
  hb_value_table_t  *other;
  hb_ratios_t       *other_ratios;
  double            *other_norm;
  int               *other_norm_n;  /* cells in each geometric mean */
  hb_metric_table_t *other_rss;
  int               nother;
  int               tables_only; /* every cell is in a table outside the Phase 7
                                    layout and none is a check cell: the
                                    tables report (apps, patterns)       */
  int               programs;    /* every cell is a program cell         */
  int               has_programs;/* some cell is                         */
  /* conformance and misuse: check cells */
  int               has_checks;  /* some cell is a check cell            */
  int               checks_only; /* every cell is: the checks report     */
  int               nconform, nmisuse;  /* cells of each kind            */
  hb_check_table_t  conform, misuse;
  hb_check_counts_t *check_counts;      /* one per allocator             */
  /* 7. checklist */
  int               hak_ok;      /* hakmem was installed                 */
  hb_check_t       *checks;
  int               nchecks;
  hb_failures_t    *others;      /* every allocator but hakmem           */
  int               nothers;
} hb_report_t;

/* The unit a cell's values are shown in ("M ops/s", "instructions/op",
 * "s", or a program cell's unit, "value" without one). */
const char *hb_cell_unit(const hb_cell_t *c);
/* Mean CPUs other processes used during a cell's runs (all allocators),
 * NAN when not recorded; >= HB_BUSY_CPUS: measured on a busy machine. */
double hb_cell_other_cpus(const hb_cell_t *c);

void hb_report_compute(const hb_results_t *r, hb_report_t *out);
void hb_report_free(hb_report_t *rep);

#endif
