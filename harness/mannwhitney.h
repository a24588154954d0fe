/* mannwhitney.h: the Mann-Whitney U test (Wilcoxon rank-sum), two-sided.
 *
 * Used by `hakbench compare` to ask whether two sets of repetitions of the
 * same cell (baseline vs current) come from the same distribution. It makes
 * no assumption of normality, which suits timings on a noisy machine.
 */
#ifndef HB_MANNWHITNEY_H
#define HB_MANNWHITNEY_H

#include <stddef.h>

/* Largest sample size per side for which the exact distribution of U is
 * used (when there are no ties); beyond it, or with ties, the normal
 * approximation with tie and continuity correction. */
#define HB_MW_EXACT_MAX 20

typedef struct hb_mw_result_s {
  double u;        /* U statistic of the first sample (pairs x > y, ties 1/2) */
  double p;        /* two-sided p-value in [0, 1]                              */
  int exact;       /* 1: exact distribution, 0: normal approximation           */
} hb_mw_result_t;

/* Test x[0..nx) against y[0..ny). Returns 0 and fills *out, or -1 when a
 * sample is empty (no test possible). NaN values are not allowed. */
int hb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
                    hb_mw_result_t *out);

#endif
