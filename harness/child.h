/* child.h: run one process (a workload, a program, a server) and observe it. */
#ifndef HB_CHILD_H
#define HB_CHILD_H

#include "util.h"

#include <stdint.h>
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
  const char *cwd;        /* working directory; NULL = hakbench's        */
  const char *stdin_path; /* stdin; NULL = /dev/null                      */
  const char *log_path;   /* stdout and stderr go to this file instead of
                             being read by hakbench (servers); NULL = pipes */
  char *const *env;       /* extra NAME=VALUE settings, NULL-terminated    */
  int         no_core;    /* RLIMIT_CORE 0: a crash is an expected outcome
                             (check cells), not worth a core file        */
  /* out */
  int         timed_out;  /* killed at the time limit (or, for a stopped
                             server, after its grace period)             */
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
  char       *out_tail;   /* the last HB_CHILD_KEEP_STDOUT bytes of stdout */
  uint64_t    out_digest; /* FNV-1a 64 of the whole of stdout (pipes only) */
  char       *stderr_tail;/* last lines of stderr (or of log_path)         */
  char       *stderr_head;/* the first HB_CHILD_KEEP_HEAD bytes of stderr
                             (pipes only; "" when none)                   */
  /* private: the process in flight */
  pid_t       pid;
  int         fd[3];      /* stdout, stderr, pidfd; -1 when closed         */
  int         ru_fd;      /* hb-launch's rusage pipe, -1 without it       */
  int         reaped, status;
  double      t0, busy0;
  struct rusage self0;
  hb_buf_t    out, err, err_head;
} hb_child_t;

#define HB_CHILD_KEEP_STDOUT (64 * 1024)
#define HB_CHILD_KEEP_HEAD   4096

/* The process group of the run in progress (0 when none), and of a server
 * started for it, for signal handlers. */
extern volatile pid_t hb_child_current, hb_server_current;

/* Fork, exec in a new process group with the environment adjusted, enforce
 * the timeout (SIGKILL to the whole group), collect rusage. 0, or -1 when
 * the process could not be started at all. A binary that cannot be
 * executed right now (being relinked by a concurrent make: ETXTBSY,
 * EACCES) is the harness's problem, not the allocator's: it is retried a
 * few times, half a second apart, before exec_failed is left set. */
int  hb_child_run(hb_child_t *c);
/* The same in steps, for a server that runs beside a client:
 * start (0 or -1), ask whether it has ended (1: yes, results collected),
 * stop it (SIGTERM to its group, SIGKILL after grace_s; results collected). */
int  hb_child_start(hb_child_t *c, int is_server);
int  hb_child_ended(hb_child_t *c);
void hb_child_stop(hb_child_t *c, double grace_s);
void hb_child_free(hb_child_t *c);
/* Copy what an ended child left into a run: wall time, rusage, other
 * processes' CPU time, exit code and signal (a timeout has neither). */
struct hb_run_s;
void hb_child_to_run(const hb_child_t *c, struct hb_run_s *run);
/* "SIGSEGV" for SIGSEGV; static storage. */
const char *hb_signal_name(int sig);
/* FNV-1a 64 of n bytes, continuing from h (start with HB_FNV_INIT). */
#define HB_FNV_INIT 0xcbf29ce484222325ULL
uint64_t hb_fnv1a(uint64_t h, const void *p, size_t n);

#endif
