/* checks.h: check cells (cell.h, hb_check_kind_t): the scenarios of a check
 * program (workloads/checks/, built into build/checks/), and one scenario
 * run under an allocator and classified from its exit status or signal,
 * stdout and stderr, by the rules of workloads/checks/README.md
 * ("Classification"), as workloads/checks/classify.sh does. */
#ifndef HB_CHECKS_H
#define HB_CHECKS_H

#include "results.h"

/* Absolute path of a check program: NAME is build/checks/NAME, a name with
 * a '/' is relative to the repository root. Caller frees. */
char *hb_check_path(const char *program);

/* The scenario names of a check program (`PROGRAM --list`, under glibc),
 * NULL-terminated; NULL with *why set (caller frees) when it cannot run or
 * lists nothing. */
char **hb_check_list(const char *program, char **why);

/* One run of a check cell under alloc (rep: "warmup" or the 1-based
 * repetition, as for workloads): status, outcome and detail, rusage. */
hb_run_t hb_check_run(const hb_cell_t *cell, const hb_alloc_t *alloc, const char *rep);

#endif
