/* mw_pvalue X Y: print "U p exact|approx" of the two-sided Mann-Whitney test
 * of two comma-separated samples, for tests/compare/test_mannwhitney.sh. */
#include "mannwhitney.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t parse(const char *s, double *out, size_t cap)
{
  size_t n = 0;
  char *copy = strdup(s), *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    char *end;
    double v = strtod(t, &end);
    if (end == t || *end || n == cap) {
      fprintf(stderr, "mw_pvalue: bad sample value '%s'\n", t);
      exit(2);
    }
    out[n++] = v;
  }
  free(copy);
  return n;
}

int main(int argc, char **argv)
{
  double x[64], y[64];
  if (argc != 3) {
    fprintf(stderr, "usage: mw_pvalue X1,X2,... Y1,Y2,...\n");
    return 2;
  }
  size_t nx = parse(argv[1], x, 64), ny = parse(argv[2], y, 64);
  hb_mw_result_t r;
  if (hb_mann_whitney(x, nx, y, ny, &r) != 0) {
    fprintf(stderr, "mw_pvalue: empty sample\n");
    return 2;
  }
  printf("%g %.10g %s\n", r.u, r.p, r.exact ? "exact" : "approx");
  return 0;
}
