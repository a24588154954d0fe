/* not_an_allocator.c: a valid shared library that defines no malloc, so a
 * workload preloading it still reports glibc (libc.so.6) as its allocator:
 * the harness must mark such runs INVALID. */
int not_an_allocator_answer(void);
int not_an_allocator_answer(void) { return 42; }
