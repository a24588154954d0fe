/* child.h: run one workload process and observe it. */
#ifndef HB_CHILD_H
#define HB_CHILD_H

#include <sys/resource.h>
#include <sys/types.h>

typedef struct hb_child_s {
  /* in */
  char      **argv;       /* argv[0] is the executable's path             */
  const char *preload;    /* LD_PRELOAD value, NULL = none (and unset it) */
  int         pin_cpu;    /* CPU to pin the child to, -1 = no pinning     */
  double      timeout_s;
  const char *rep;        /* HAKBENCH_REP for the child: "warmup" or the
                             1-based repetition; NULL = unset            */
  /* out */
  int         timed_out;  /* killed at the time limit                      */
  int         exit_code;  /* when it exited                                */
  int         signal;     /* when it was killed by a signal (0 otherwise)  */
  int         exec_failed;
  double      wall_s;
  double      other_cpu_s;/* CPU seconds other processes used meanwhile
                             (NAN when /proc/stat is unreadable)          */
  struct rusage ru;       /* from wait4; peak RSS and faults the program's
                             own when own_rusage (through build/hb-launch) */
  int         own_rusage;
  char       *last_line;  /* last non-empty stdout line                    */
  char       *stderr_tail;/* last lines of stderr                          */
} hb_child_t;

/* The process group of the run in progress (0 when none), for signal handlers. */
extern volatile pid_t hb_child_current;

/* Fork, exec in a new process group with the environment adjusted, enforce
 * the timeout (SIGKILL to the whole group), collect rusage. 0, or -1 when
 * the process could not be started at all. */
int  hb_child_run(hb_child_t *c);
void hb_child_free(hb_child_t *c);
/* "SIGSEGV" for SIGSEGV; static storage. */
const char *hb_signal_name(int sig);

#endif
