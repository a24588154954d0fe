/* libck_dl.c: a library that allocates in its constructor and frees in its
 * destructor (conform_threads' dlopen_dlclose). The destructor checks the
 * blocks first and counts what it found wrong in ck_dl_errors, a variable
 * of the program that dlopen()ed it (found through the dynamic symbol
 * table: the check programs are linked with -rdynamic). */
#include <stdlib.h>
#include <string.h>

extern int ck_dl_errors __attribute__((weak));

enum { NB = 64 };
static unsigned char *blocks[NB];

static size_t size_of(int i) { return (size_t)16 << (i % 16); }   /* 16 B .. 512 KiB */

__attribute__((constructor)) static void dl_init(void)
{
  for (int i = 0; i < NB; i++) {
    blocks[i] = malloc(size_of(i));
    if (blocks[i]) memset(blocks[i], i + 1, size_of(i));
  }
}

__attribute__((destructor)) static void dl_fini(void)
{
  int bad = 0;
  for (int i = 0; i < NB; i++) {
    if (!blocks[i]) { bad++; continue; }
    for (size_t k = 0; k < size_of(i); k += 61)
      if (blocks[i][k] != (unsigned char)(i + 1)) { bad++; break; }
    free(blocks[i]);
  }
  if (&ck_dl_errors) ck_dl_errors += bad;
}

/* Called between dlopen and dlclose: one more allocation from the library. */
void *ck_dl_alloc(size_t n)
{
  return malloc(n);
}
