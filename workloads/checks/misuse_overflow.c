/* misuse_overflow.c: writes just outside a live block, at five block sizes
 * (NAME:16 .. NAME:1m).
 *
 * Eight blocks of the size are allocated and patterned; the fourth is the
 * victim. An overflow writes bytes starting at the victim's end, taken
 * as malloc_usable_size() (the first byte the program does not own, even
 * when the allocator rounded the size up); an underflow writes them just
 * before the victim's start. Each byte written is 'A', or 'B' where 'A' is
 * there already: a write that changes nothing is no misuse anyone can see,
 * and a random canary holds an 'A' in a given byte one time in 256. Then the program looks at the seven other
 * blocks (reading only), frees all eight (where a checking allocator finds
 * the damage), and runs the probe (check.h: mallocs of the size, overlap test,
 * USE, patterns).
 *
 * The safe outcome: the write faults at once (a guard page), or the
 * allocator detects the damage when the blocks are freed and stops the
 * process (a redzone or a checked header). Silent: a neighbour's data
 * changed, or later mallocs hand out overlapping blocks.
 */
#include "check.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define NB 8
#define VICTIM 3

static int outside(size_t n, int over, size_t len)
{
  char *b[NB];
  for (int i = 0; i < NB; i++) {
    b[i] = malloc(n);
    if (!b[i]) {
      ck_line("NOTE setup malloc(%zu) returned NULL", n);
      return CK_EXIT_FAIL;
    }
    ck_fill(b[i], n, (unsigned)i);
  }
  char *v = b[VICTIM];
  size_t usable = malloc_usable_size(v);
  ck_line("NOTE victim %p, usable size %zu", (void *)v, usable);
  char *at = over ? v + usable : v - len;
  volatile char *w = ck_hide(at);
  for (size_t i = 0; i < ck_hide_size(len); i++) w[i] = w[i] == 'A' ? 'B' : 'A';
  ck_returned();
  for (int i = 0; i < NB; i++)
    if (i != VICTIM && !ck_intact(b[i], n, (unsigned)i))
      ck_damage("the neighbouring block %p changed", (void *)b[i]);
  for (int i = 0; i < NB; i++) free(b[i]);
  ck_probe(n, 0, NULL, 0, NULL, 0);
  return ck_verdict();
}

/* One byte past the usable end. */
static int overflow_1(size_t n) { return outside(n, 1, 1); }
/* 32 bytes past the usable end. */
static int overflow_32(size_t n) { return outside(n, 1, 32); }
/* The byte just before the block. */
static int underflow_1(size_t n) { return outside(n, 0, 1); }
/* The 32 bytes just before the block. */
static int underflow_32(size_t n) { return outside(n, 0, 32); }

static const struct ck_scenario table[] = {
  CK_SIZED("overflow_1", overflow_1, "write 1 byte past malloc_usable_size()"),
  CK_SIZED("overflow_32", overflow_32, "write 32 bytes past malloc_usable_size()"),
  CK_SIZED("underflow_1", underflow_1, "write the byte before the block"),
  CK_SIZED("underflow_32", underflow_32, "write the 32 bytes before the block"),
};

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_MISUSE,
                 "Heap overflows and underflows; prints the misuse protocol (README.md).",
                 table, sizeof table / sizeof table[0]);
}
