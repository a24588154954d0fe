/* faulty_malloc.c: an LD_PRELOAD "allocator" that serves malloc from glibc
 * (through its __libc_* entry points) and misbehaves after FAULT_AFTER
 * allocations: FAULT_CRASH writes through NULL (SIGSEGV), FAULT_HANG
 * sleeps forever. Built twice by tests/harness/build.mk. The harness tests
 * use it to check that a crash or hang is recorded, not fatal to the run. */
#include <stddef.h>
#include <unistd.h>

#ifndef FAULT_AFTER
#define FAULT_AFTER 100000
#endif

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void  __libc_free(void *);

static unsigned long allocations;

static void count(void)
{
  if (++allocations < FAULT_AFTER) return;
#if defined(FAULT_CRASH)
  *(volatile int *)0 = 1;
#elif defined(FAULT_HANG)
  for (;;) pause();
#else
#error "define FAULT_CRASH or FAULT_HANG"
#endif
}

void *malloc(size_t n) { count(); return __libc_malloc(n); }
void *calloc(size_t n, size_t s) { count(); return __libc_calloc(n, s); }
void *realloc(void *p, size_t n) { count(); return __libc_realloc(p, n); }
void  free(void *p) { __libc_free(p); }
