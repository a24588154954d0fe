/* stats.c: order statistics (see stats.h for the quantile definition). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void hb_sort(double *v, size_t n)
{
  if (n > 1) qsort(v, n, sizeof *v, cmp_double);
}

double hb_quantile_sorted(const double *s, size_t n, double p)
{
  if (n == 0) return NAN;
  if (p <= 0) return s[0];
  if (p >= 1) return s[n - 1];
  double h = (double)(n - 1) * p;
  size_t lo = (size_t)h;
  if (lo + 1 >= n) return s[n - 1];
  return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

void hb_summarize(const double *v, size_t n, hb_summary_t *out)
{
  out->n = n;
  if (n == 0) {
    out->median = out->min = out->max = out->q1 = out->q3 = out->iqr = out->mean = NAN;
    return;
  }
  double *s = malloc(n * sizeof *s);
  if (!s) abort();
  memcpy(s, v, n * sizeof *s);
  hb_sort(s, n);
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += s[i];
  out->min = s[0];
  out->max = s[n - 1];
  out->median = hb_quantile_sorted(s, n, 0.5);
  out->q1 = hb_quantile_sorted(s, n, 0.25);
  out->q3 = hb_quantile_sorted(s, n, 0.75);
  out->iqr = out->q3 - out->q1;
  out->mean = sum / (double)n;
  free(s);
}

double hb_median(const double *v, size_t n)
{
  hb_summary_t s;
  hb_summarize(v, n, &s);
  return s.median;
}

double hb_geomean(const double *v, size_t n)
{
  if (n == 0) return NAN;
  double acc = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(v[i] > 0)) return NAN;
    acc += log(v[i]);
  }
  return exp(acc / (double)n);
}

/* P(Bin(n, 1/2) <= k), summed in logs so that large n does not overflow. */
static double binom_half_cdf(size_t n, size_t k)
{
  double p = 0;
  for (size_t i = 0; i <= k && i <= n; i++)
    p += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) - (double)n * log(2.0));
  return p > 1 ? 1 : p;
}

int hb_median_ci(const double *v, size_t n, double level, hb_ci_t *out)
{
  memset(out, 0, sizeof *out);
  out->median = out->lo = out->hi = out->coverage = NAN;
  if (n == 0) return -1;
  double *s = malloc(sizeof *s * n);
  if (!s) abort();
  memcpy(s, v, sizeof *s * n);
  hb_sort(s, n);
  size_t k = 1;
  while (k + 1 <= (n + 1) / 2 && 1 - 2 * binom_half_cdf(n, k) >= level) k++;
  out->n = n;
  out->median = hb_quantile_sorted(s, n, 0.5);
  out->lo = s[k - 1];
  out->hi = s[n - k];
  out->coverage = n == 1 ? 0 : 1 - 2 * binom_half_cdf(n, k - 1);
  if (out->coverage < 0) out->coverage = 0;
  free(s);
  return 0;
}
