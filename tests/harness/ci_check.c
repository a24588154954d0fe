/* ci_check: print the median and its sign-test interval (harness/stats.c)
 * of a comma-separated sample, for test_stats_scipy.sh:
 *   ci_check 1.2,0.9,1.1  ->  "median lo hi coverage" */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
  if (argc != 2) { fprintf(stderr, "usage: ci_check X1,X2,...\n"); return 2; }
  double v[256];
  size_t n = 0;
  for (char *t = strtok(argv[1], ","); t && n < 256; t = strtok(NULL, ",")) {
    char *end;
    v[n++] = strtod(t, &end);
    if (*end) { fprintf(stderr, "ci_check: not a number: %s\n", t); return 2; }
  }
  hb_ci_t ci;
  if (hb_median_ci(v, n, 0.95, &ci) != 0) { fprintf(stderr, "ci_check: empty sample\n"); return 2; }
  hb_summary_t s;
  hb_summarize(v, n, &s);
  printf("%.17g %.17g %.17g %.17g %.17g %.17g\n", ci.median, ci.lo, ci.hi, ci.coverage, s.q1, s.q3);
  return 0;
}
