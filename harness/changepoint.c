/* changepoint.c: PELT change-point detection over grouped samples (see
 * changepoint.h for the method). */
#include "changepoint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hb_cp_defaults(hb_cp_opts_t *o)
{
  o->penalty = 5.0;
  o->min_groups = 2;
  o->min_change = 0.02;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Prefix sums over groups: S[g], Q[g], N[g] of groups [0, g). */
typedef struct sums_s { double *s, *q; long *n; } sums_t;

static double seg_cost(const sums_t *p, int a, int b, double var)
{
  double s = p->s[b] - p->s[a], q = p->q[b] - p->q[a];
  long n = p->n[b] - p->n[a];
  if (n <= 0) return 0;
  double c = q - s * s / (double)n;
  return (c > 0 ? c : 0) / var;
}

static double seg_mean(const sums_t *p, int a, int b)
{
  long n = p->n[b] - p->n[a];
  return n > 0 ? (p->s[b] - p->s[a]) / (double)n : NAN;
}

static double seg_var(const sums_t *p, int a, int b, double fallback)
{
  long n = p->n[b] - p->n[a];
  if (n < 2) return fallback;
  double s = p->s[b] - p->s[a], q = p->q[b] - p->q[a];
  double v = (q - s * s / (double)n) / (double)(n - 1);
  return v > 0 ? v : fallback;
}

/* The noise variance (see changepoint.h); never zero. */
static double noise_var(const double *x, const int *start, int ng, const sums_t *p)
{
  double ss = 0, scale = 0;
  long df = 0, n = p->n[ng];
  for (long i = 0; i < n; i++) scale += fabs(x[i]);
  scale = n ? scale / (double)n : 1;
  for (int g = 0; g < ng; g++) {
    long k = start[g + 1] - start[g];
    if (k < 2) continue;
    double m = seg_mean(p, g, g + 1);
    for (int i = start[g]; i < start[g + 1]; i++) ss += (x[i] - m) * (x[i] - m);
    df += k - 1;
  }
  double var;
  if (df >= 2) var = ss / (double)df;
  else {
    int nd = ng - 1;
    double *d = malloc(sizeof(double) * (size_t)(nd > 0 ? nd : 1));
    for (int g = 0; g < nd; g++) d[g] = fabs(seg_mean(p, g + 1, g + 2) - seg_mean(p, g, g + 1));
    qsort(d, (size_t)(nd > 0 ? nd : 0), sizeof(double), cmp_double);
    double mad = nd > 0 ? (nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2) : 0;
    free(d);
    /* the difference of two samples has twice the variance; 1.4826 * MAD
       estimates a standard deviation */
    double sd = 1.4826 * mad / sqrt(2.0);
    var = sd * sd;
  }
  double floor = 1e-6 * scale * scale + 1e-300;   /* exact data: no zero variance */
  return var > floor ? var : floor;
}

/* PELT: cp[] gets the segment starts (groups) after 0, returns their count. */
static int pelt(const sums_t *p, int ng, double var, double pen, int minseg, int *cp)
{
  double *F = malloc(sizeof(double) * (size_t)(ng + 1));
  int *last = malloc(sizeof(int) * (size_t)(ng + 1));
  int *R = malloc(sizeof(int) * (size_t)(ng + 2)), nr = 0;
  F[0] = -pen;
  last[0] = 0;
  for (int t = 1; t <= ng; t++) { F[t] = INFINITY; last[t] = 0; }
  for (int t = minseg; t <= ng; t++) {
    if (t - minseg >= 0 && (t - minseg == 0 || t - minseg >= minseg)) R[nr++] = t - minseg; /* admissible new start */
    double best = INFINITY;
    int arg = 0;
    for (int i = 0; i < nr; i++) {
      int s = R[i];
      if (t - s < minseg || F[s] == INFINITY) continue;
      double v = F[s] + seg_cost(p, s, t, var) + pen;
      if (v < best) { best = v; arg = s; }
    }
    F[t] = best;
    last[t] = arg;
    int k = 0;   /* prune: s can never be the last change again */
    for (int i = 0; i < nr; i++) {
      int s = R[i];
      if (t - s < minseg || F[s] == INFINITY || F[s] + seg_cost(p, s, t, var) <= F[t]) R[k++] = s;
    }
    nr = k;
  }
  int n = 0;
  for (int t = ng; t > 0 && F[t] < INFINITY; t = last[t]) if (last[t] > 0) cp[n++] = last[t];
  for (int i = 0; i < n / 2; i++) { int tmp = cp[i]; cp[i] = cp[n - 1 - i]; cp[n - 1 - i] = tmp; }
  free(F); free(last); free(R);
  return n;
}

static void describe(const sums_t *p, int a, int c, int b, double var, hb_change_t *o)
{
  o->group = c;
  o->before = seg_mean(p, a, c);
  o->after = seg_mean(p, c, b);
  double n1 = (double)(p->n[c] - p->n[a]), n2 = (double)(p->n[b] - p->n[c]);
  double se = sqrt(seg_var(p, a, c, var) / n1 + seg_var(p, c, b, var) / n2);
  double d = o->after - o->before, ref = fabs(o->before) > 0 ? fabs(o->before) : 1;
  o->change = d / ref;
  o->lo = (d - 1.96 * se) / ref;
  o->hi = (d + 1.96 * se) / ref;
}

int hb_changepoints(const double *x, const int *start, int ng, const hb_cp_opts_t *opts, hb_change_t *out, int max)
{
  hb_cp_opts_t o;
  if (opts) o = *opts; else hb_cp_defaults(&o);
  if (o.min_groups < 1) o.min_groups = 1;
  if (ng < 2 * o.min_groups) return 0;
  sums_t p = { malloc(sizeof(double) * (size_t)(ng + 1)), malloc(sizeof(double) * (size_t)(ng + 1)),
               malloc(sizeof(long) * (size_t)(ng + 1)) };
  p.s[0] = p.q[0] = 0;
  p.n[0] = 0;
  for (int g = 0; g < ng; g++) {
    double s = 0, q = 0;
    for (int i = start[g]; i < start[g + 1]; i++) { s += x[i]; q += x[i] * x[i]; }
    p.s[g + 1] = p.s[g] + s;
    p.q[g + 1] = p.q[g] + q;
    p.n[g + 1] = p.n[g] + (start[g + 1] - start[g]);
  }
  int n = 0;
  if (p.n[ng] >= 2) {
    double var = noise_var(x, start, ng, &p);
    int *cp = malloc(sizeof(int) * (size_t)(ng + 2));
    int ncp = pelt(&p, ng, var, o.penalty * log((double)p.n[ng]), o.min_groups, cp);
    for (;;) {  /* merge away the smallest change under the threshold */
      int worst = -1;
      double wv = INFINITY;
      for (int i = 0; i < ncp; i++) {
        hb_change_t c;
        describe(&p, i ? cp[i - 1] : 0, cp[i], i + 1 < ncp ? cp[i + 1] : ng, var, &c);
        if (fabs(c.change) < o.min_change && fabs(c.change) < wv) { wv = fabs(c.change); worst = i; }
      }
      if (worst < 0) break;
      memmove(cp + worst, cp + worst + 1, sizeof(int) * (size_t)(ncp - worst - 1));
      ncp--;
    }
    for (int i = 0; i < ncp && n < max; i++)
      describe(&p, i ? cp[i - 1] : 0, cp[i], i + 1 < ncp ? cp[i + 1] : ng, var, &out[n++]);
    free(cp);
  }
  free(p.s); free(p.q); free(p.n);
  return n;
}
