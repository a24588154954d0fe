/* order_log.c: an LD_PRELOAD "allocator" for test_run_order.sh. It serves
 * malloc from glibc (its __libc_* entry points), so runs are OK, and at
 * start-up appends "LIBRARY,REP" to the file $ORDER_LOG: its own file name
 * (built as order_a.so, order_b.so, order_c.so) and $HAKBENCH_REP, which
 * the runner sets to "warmup" or the 1-based repetition. The log is the
 * order in which hakbench ran the allocators. Without $HAKBENCH_REP (the
 * runner's dlopen check of a NAME=PATH library) nothing is logged. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void  __libc_free(void *);

void *malloc(size_t n) { return __libc_malloc(n); }
void *calloc(size_t n, size_t m) { return __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { return __libc_realloc(p, n); }
void  free(void *p) { __libc_free(p); }

__attribute__((constructor)) static void log_start(void)
{
  const char *log = getenv("ORDER_LOG"), *rep = getenv("HAKBENCH_REP");
  Dl_info info;
  if (!log || !rep || !dladdr((void *)log_start, &info) || !info.dli_fname) return;
  const char *name = strrchr(info.dli_fname, '/');
  name = name ? name + 1 : info.dli_fname;
  char line[256];
  int n = snprintf(line, sizeof line, "%s,%s\n", name, rep);
  int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0 || n <= 0) return;
  ssize_t w = write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
  (void)w;
  close(fd);
}
