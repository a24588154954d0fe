/* program.h: running a program cell (cell.h, hb_program_t): its work
 * folder and inputs, the reference output under glibc, a server beside the
 * client, the allocator-identity check and the metric. */
#ifndef HB_PROGRAM_H
#define HB_PROGRAM_H

#include "results.h"

/* Per-cell state of a run in progress. */
typedef struct hb_prog_cell_s {
  char *work;        /* the cell's work folder                           */
  char *exe;         /* absolute path of the program, NULL when missing  */
  int   prepared;    /* prepare (and the reference run) done             */
  char *error;       /* why none of its runs can be made, or NULL        */
} hb_prog_cell_t;

/* Make the cell's work folder under out_dir, run its prepare command and,
 * for a cell with an output check, its reference run under glibc (stored
 * in cell->program->reference, kept on --resume). Idempotent. On failure
 * st->error says why, and every run of the cell is recorded as ERROR. */
void hb_program_prepare(hb_cell_t *cell, hb_prog_cell_t *st, const char *out_dir);
/* One measured run of a program cell under alloc (rep as for workloads). */
hb_run_t hb_program_run(const hb_cell_t *cell, hb_prog_cell_t *st, const hb_alloc_t *alloc, const char *rep);
/* Remove the work folder (after a complete run; inputs are regenerated). */
void hb_program_cleanup(hb_prog_cell_t *st);

#endif
