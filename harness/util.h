/* util.h: small helpers shared by the hakbench subcommands. */
#ifndef HB_UTIL_H
#define HB_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses of every subcommand. */
#define HB_EXIT_OK        0
#define HB_EXIT_FAIL      1  /* run: could not save; compare: hakmem regressed  */
#define HB_EXIT_USAGE     2  /* bad input of any kind (options, files, suites)  */
#define HB_EXIT_NO_PYTHON 3  /* plot: no python3 with matplotlib                */

/* Growable string. */
typedef struct hb_buf_s {
  char  *s;
  size_t len, cap;
} hb_buf_t;

void  hb_buf_add(hb_buf_t *b, const char *s);
void  hb_buf_addn(hb_buf_t *b, const char *s, size_t n);
void  hb_buf_printf(hb_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s quoted for a POSIX shell when it needs quoting. */
void  hb_buf_add_shell_word(hb_buf_t *b, const char *s);
void  hb_buf_free(hb_buf_t *b);

void *hb_xmalloc(size_t n);
void *hb_xrealloc(void *p, size_t n);
char *hb_xstrdup(const char *s);
char *hb_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "hakbench: <msg>" to stderr. */
void  hb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The repository root: the parent of the folder holding the hakbench binary
 * (build/hakbench -> .), or $HAKMEM_ROOT when set. */
const char *hb_root(void);
/* path made absolute against the root when relative; caller frees. */
char *hb_root_path(const char *rel);

/* Run a fixed shell command and return its stdout without the trailing
 * newline (NULL when it failed or printed nothing); caller frees. */
char *hb_capture(const char *cmd);

/* Parse helpers: 1 on success. */
int   hb_parse_long(const char *s, long min, long max, long *out);
int   hb_parse_double(const char *s, double min, double max, double *out);

/* mkdir -p; 0 on success, -1 with errno. */
int   hb_mkdirs(const char *path);
/* Write a whole file atomically (temp file + rename); 0 or -1 with errno. */
int   hb_write_file_atomic(const char *path, const char *data, size_t len);
/* 1 when path exists. */
int   hb_exists(const char *path);

/* "100K", "10M" for a count given as text (an --iters value), else the
 * text itself ("?" for NULL). */
void  hb_fmt_count(char *buf, size_t n, const char *s);

double hb_now(void); /* monotonic seconds */
/* The machine's state. CPU seconds all CPUs spent busy since boot (the
 * "cpu" line of /proc/stat: everything but idle and iowait), NAN when
 * unreadable; the 1, 5 and 15-minute load averages, 0 or -1. */
double hb_cpu_busy_s(void);
int    hb_loadavg(double v[3]);

#endif
