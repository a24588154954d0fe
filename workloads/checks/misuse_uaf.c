/* misuse_uaf.c: use after free, reading a block's old contents, and
 * impossibly large mallocs.
 *
 * Sized scenarios run at NAME:16 .. NAME:1m. */
#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_N 8

/* Does any block of the probe show bytes the program wrote through a stale
 * pointer? `mark` bytes of value `c` at offset `off`. */
static void look_for(void **b, unsigned nb, size_t n, size_t off, size_t mark, int c)
{
  for (unsigned i = 0; i < nb; i++) {
    const unsigned char *q = b[i];
    size_t k = 0;
    while (k < mark && off + k < n && q[off + k] == c) k++;
    if (k == mark)
      ck_damage("a new block %p shows the bytes written through the freed pointer", b[i]);
  }
}

/* Write through a freed pointer, then malloc: `len` bytes of 'A' at
 * offset `off`. */
static int write_after_free_at(size_t n, size_t off, size_t len)
{
  char *p = malloc(n), *q = malloc(n);
  if (!p || !q) return CK_EXIT_FAIL;
  ck_fill(p, n, 1);
  ck_fill(q, n, 2);
  free(p);
  memset(ck_hide(p + off), 'A', ck_hide_size(len));
  ck_returned();
  free(q);
  void *b[PROBE_N];
  for (unsigned i = 0; i < PROBE_N; i++) b[i] = malloc(n);
  ck_use();
  /* Reading the blocks is using them: a wild pointer from a corrupt free
   * list faults here (crashed elsewhere). */
  look_for(b, PROBE_N, n, off, len, 'A');
  for (unsigned i = 0; i < PROBE_N; i++) ck_fill(b[i], n, 200 + i);
  for (unsigned i = 0; i < PROBE_N; i++)
    for (unsigned j = i + 1; j < PROBE_N; j++)
      if (b[i] == b[j]) ck_damage("malloc returned %p twice", b[i]);
  for (unsigned i = 0; i < PROBE_N; i++)
    if (!ck_intact(b[i], n, 200 + i)) ck_damage("block %p overlaps another", b[i]);
  return ck_verdict();
}

/* The first 16 bytes of a freed block (where most allocators keep the free
 * list link) are overwritten, then the block is reused. Safe: the write
 * faults, or the allocator finds the bad link and stops; never a malloc
 * returning the written bytes as a pointer (a crash elsewhere) nor a block
 * that shows them. */
static int write_after_free(size_t n)
{
  return write_after_free_at(n, 0, n < 16 ? n : 16);
}

/* 8 bytes in the middle of a freed block (offset n/2), then reuse. Safe:
 * the write faults, or the allocator notices the freed block changed
 * (a check of freed memory) and stops; silent: a new block shows them. */
static int write_after_free_mid(size_t n)
{
  return write_after_free_at(n, n / 2, 8);
}

/* A block freed with secret contents, then malloc of the same size: does
 * the new block show them? Safe: the new block is zeroed or junk-filled
 * (the probe finds no secret word). There is no report to expect. */
static int uninit_read(size_t n)
{
  const uint64_t secret = 0x5ec2e75ec2e75ec2ULL;
  uint64_t *p = malloc(n);
  if (!p) return CK_EXIT_FAIL;
  for (size_t i = 0; i < n / 8; i++) p[i] = secret;
  free(p);
  ck_returned();
  uint64_t *q = malloc(n);
  if (!q) return CK_EXIT_FAIL;
  ck_use();
  size_t seen = 0;
  for (size_t i = 0; i < n / 8; i++) seen += ck_hide_size(q[i]) == secret;
  if (seen) ck_damage("the new block %p shows %zu of the %zu words of the freed one", (void *)q,
                      seen, n / 8);
  return ck_verdict();
}

/* malloc of a size no process can have. Safe: NULL (with ENOMEM: the
 * conformance checks judge the errno). A block returned is damage: the
 * program would write past what exists. */
static int huge(size_t n)
{
  errno = 0;
  char *p = malloc(ck_hide_size(n));
  if (!p) return ck_refused("malloc(%zu) returned NULL, errno %d", n, errno);
  ck_returned();
  ck_damage("malloc(%zu) returned %p", n, (void *)p);
  ck_use();
  p[n - 1] = 1;
  p[n / 2] = 1;
  return ck_verdict();
}

static const struct ck_scenario table[] = {
  CK_SIZED("write_after_free", write_after_free,
           "write the first 16 bytes of a freed block, then malloc"),
  CK_SIZED("write_after_free_mid", write_after_free_mid,
           "write 8 bytes in the middle of a freed block, then malloc"),
  CK_SIZED("uninit_read", uninit_read, "malloc after a free: are the old contents visible?"),
  { "huge_size_max", huge, SIZE_MAX, "malloc(SIZE_MAX)" },
  { "huge_ptrdiff", huge, (size_t)PTRDIFF_MAX + 1, "malloc(PTRDIFF_MAX + 1)" },
  { "huge_addrspace", huge, (size_t)1 << 47, "malloc(128 TiB): more than the address space" },
};

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_MISUSE,
                 "Use after free, uninitialised reads, impossible sizes; prints the misuse "
                 "protocol (README.md).",
                 table, sizeof table / sizeof table[0]);
}
