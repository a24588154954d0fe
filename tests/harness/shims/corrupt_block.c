/* corrupt_block.so: an "allocator" that serves malloc from glibc but, on a
 * realloc to 4 KiB or more, damages one byte of the block it returns: a
 * program under it computes a wrong result without crashing
 * (WRONG_OUTPUT in tests/harness/test_program_cells.sh). */
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void  __libc_free(void *);

void *malloc(size_t n) { return __libc_malloc(n); }
void *calloc(size_t n, size_t m) { return __libc_calloc(n, m); }
void  free(void *p) { __libc_free(p); }

void *realloc(void *p, size_t n)
{
  unsigned char *q = __libc_realloc(p, n);
  if (q && n >= 4096) q[n / 3] ^= 0x20;
  return q;
}
