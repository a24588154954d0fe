/* changepoint_test.c: harness/changepoint.c on synthetic series: a clean
 * step is found at the right group, pure noise gives none, two steps give
 * two. Fixed seeds; prints one line per check, exits 1 on a failure. */
#include "../../harness/changepoint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long long rng = 88172645463325252ULL;
static double uniform(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return ((rng >> 11) + 0.5) / 9007199254740992.0; }
static double gauss(void) { return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform()); }

static int failures;
static void check(int ok, const char *what) { printf("%s: %s\n", ok ? "ok  " : "FAIL", what); if (!ok) failures++; }

/* ng groups of k samples: level(g) + noise sd. */
static int series(int ng, int k, double sd, const double *level, hb_change_t *out)
{
  double *x = malloc(sizeof(double) * (size_t)(ng * k));
  int *start = malloc(sizeof(int) * (size_t)(ng + 1));
  for (int g = 0; g < ng; g++) {
    start[g] = g * k;
    for (int i = 0; i < k; i++) x[g * k + i] = level[g] * (1 + sd * gauss());
  }
  start[ng] = ng * k;
  int n = hb_changepoints(x, start, ng, NULL, out, 16);
  free(x); free(start);
  return n;
}

int main(void)
{
  double lv[60];
  hb_change_t c[16];
  char msg[200];

  /* one step of -10 % at group 12 of 20, 5 samples each, 3 % noise */
  for (int g = 0; g < 20; g++) lv[g] = g < 12 ? 1.0 : 0.9;
  int n = series(20, 5, 0.03, lv, c);
  snprintf(msg, sizeof msg, "clean step: %d change(s), first at group %d (want 1 at 12), change %.1f %% [%.1f, %.1f]",
           n, n ? c[0].group : -1, n ? 100 * c[0].change : 0, n ? 100 * c[0].lo : 0, n ? 100 * c[0].hi : 0);
  check(n == 1 && c[0].group == 12 && c[0].lo < -0.10 + 0.03 && c[0].hi > -0.10 - 0.03 && c[0].hi < 0, msg);

  /* one exact step in single-sample groups (instruction counts) */
  for (int g = 0; g < 15; g++) lv[g] = g < 6 ? 200.0 : 230.0;
  n = series(15, 1, 0.0, lv, c);
  snprintf(msg, sizeof msg, "exact step, one sample per group: %d change(s) at %d (want 1 at 6)", n, n ? c[0].group : -1);
  check(n == 1 && c[0].group == 6, msg);

  /* pure noise: 200 series of 30 groups, 5 % noise; none may report a change */
  int false_pos = 0;
  for (int t = 0; t < 200; t++) {
    for (int g = 0; g < 30; g++) lv[g] = 1.0;
    false_pos += series(30, 5, 0.05, lv, c) > 0;
  }
  snprintf(msg, sizeof msg, "pure noise: %d of 200 series with a change (want 0)", false_pos);
  check(false_pos == 0, msg);
  false_pos = 0;
  for (int t = 0; t < 200; t++) {
    for (int g = 0; g < 30; g++) lv[g] = 1.0;
    false_pos += series(30, 1, 0.05, lv, c) > 0;
  }
  /* the noise level is then estimated from 29 differences only: allow 1 % */
  snprintf(msg, sizeof msg, "pure noise, one sample per group: %d of 200 series with a change (want <= 2)", false_pos);
  check(false_pos <= 2, msg);

  /* two steps: +15 % at 8, -20 % at 20, of 30 */
  for (int g = 0; g < 30; g++) lv[g] = g < 8 ? 1.0 : g < 20 ? 1.15 : 0.92;
  n = series(30, 5, 0.03, lv, c);
  snprintf(msg, sizeof msg, "two steps: %d change(s) at %d, %d (want 8, 20)", n, n > 0 ? c[0].group : -1, n > 1 ? c[1].group : -1);
  check(n == 2 && c[0].group == 8 && c[1].group == 20 && c[0].change > 0 && c[1].change < 0, msg);

  /* too short to say anything */
  n = series(3, 1, 0.0, lv, c);
  check(n == 0, "three groups: no change reported");
  return failures ? 1 : 0;
}
