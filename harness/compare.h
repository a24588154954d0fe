/* compare.h: `hakbench compare`, a results file against a baseline.
 *
 * For every cell present in both files it reports the baseline and current
 * medians, the change in percent, a Mann-Whitney p-value for timed metrics,
 * and a verdict (regressed, improved, no change, within noise); a geometric
 * mean row closes each table. See harness/CI.md for the rules.
 */
#ifndef HB_COMPARE_H
#define HB_COMPARE_H

/* Exit status: HB_EXIT_OK when nothing of hakmem regressed, HB_EXIT_FAIL
 * when a hakmem cell did, HB_EXIT_USAGE on bad input (missing or corrupt
 * file, different suites, nothing in common); see util.h. */
/* argv[0] = "compare"; argv[1..] = BASE.json CURRENT.json [options]. */
int hb_compare_main(int argc, char **argv);

#endif
