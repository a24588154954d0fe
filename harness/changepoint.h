/* changepoint.h: where a series of measurements stepped.
 *
 * Method: PELT (pruned exact linear time; Killick, Fearnhead and Eckley,
 * 2012) with a Gaussian change-in-mean cost. The series is a sequence of
 * groups (one per run, in commit order), each holding that run's samples
 * (e.g. the per-repetition hakmem/glibc ratios); a change may only fall
 * between groups. Segment cost: sum of squared deviations from the segment
 * mean divided by sigma^2, the noise variance: the pooled within-group
 * variance when groups have several samples, else from the median absolute
 * difference of successive group means. Penalty per change:
 * penalty * ln(number of samples) (default 5, far stricter than BIC's 1, so that
 * pure noise gives nothing). Segments have at least min_groups groups, and a
 * change smaller than min_change (relative) is merged away, smallest first.
 *
 * Each change reports the means before and after (of its two adjacent
 * segments) and the relative change after/before - 1 with a 95 % interval
 * (normal approximation of the difference of the means, Welch's standard
 * error). */
#ifndef HB_CHANGEPOINT_H
#define HB_CHANGEPOINT_H

typedef struct hb_cp_opts_s {
  double penalty;     /* multiplier of ln(n); default 5            */
  int    min_groups;  /* shortest segment, in groups; default 2    */
  double min_change;  /* smallest relative change kept; default 0.02 */
} hb_cp_opts_t;

typedef struct hb_change_s {
  int    group;            /* first group of the new level             */
  double before, after;    /* segment means                            */
  double change, lo, hi;   /* after/before - 1 and its 95 % interval   */
} hb_change_t;

void hb_cp_defaults(hb_cp_opts_t *o);
/* x: all samples, group g is x[start[g] .. start[g+1]-1]; ngroups groups.
 * Writes up to max changes to out (in order) and returns how many. */
int  hb_changepoints(const double *x, const int *start, int ngroups, const hb_cp_opts_t *o,
                     hb_change_t *out, int max);

#endif
