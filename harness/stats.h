/* stats.h: order statistics shared by the runner, the reporter and compare.
 *
 * Quantiles use linear interpolation between closest ranks (the "type 7"
 * definition of R and numpy's default): q(p) = x[h] + (h - floor h)(x[h+1] - x[h])
 * with h = (n - 1) p on the sorted sample. */
#ifndef HB_STATS_H
#define HB_STATS_H

#include <stddef.h>

typedef struct hb_summary_s {
  size_t n;
  double median, min, max, q1, q3, iqr, mean;
} hb_summary_t;

/* Sort v[0..n) ascending in place. */
void   hb_sort(double *v, size_t n);
/* Quantile p in [0,1] of an already sorted sample; NAN when n == 0. */
double hb_quantile_sorted(const double *sorted, size_t n, double p);
/* Median of v (copied, v is left untouched); NAN when n == 0. */
double hb_median(const double *v, size_t n);
/* All of the above at once (v is left untouched); fields NAN when n == 0. */
void   hb_summarize(const double *v, size_t n, hb_summary_t *out);
/* Geometric mean of positive values; NAN when n == 0 or any v <= 0. */
double hb_geomean(const double *v, size_t n);

/* A distribution-free confidence interval of the median (the sign test's):
 * [x(k), x(n+1-k)] of the sorted sample (1-based), with the largest k whose
 * coverage 1 - 2 P(Bin(n, 1/2) <= k-1) is at least `level`. When no k
 * reaches it (n < 6 for 95 %), k = 1: [min, max], and `coverage` says how
 * sure that interval is (n = 5: 93.75 %, n = 3: 75 %). */
typedef struct hb_ci_s {
  size_t n;
  double median, lo, hi;
  double coverage;           /* probability that [lo, hi] holds the median */
} hb_ci_t;

/* v is left untouched; -1 when n == 0. */
int    hb_median_ci(const double *v, size_t n, double level, hb_ci_t *out);

#endif
