/* misuse_free.c: double frees and frees (or reallocs) of pointers the
 * allocator never handed out. Each scenario runs at five block sizes
 * (NAME:16 .. NAME:1m), except free_wild.
 *
 * The safe outcome of every scenario here: the allocator notices and stops
 * the process (abort), or reports the bad pointer and ignores the call. It
 * must never hand one block out twice, nor hand out memory it does not own
 * (a stack buffer, a global, an mmap'd region, the inside of a live block).
 */
#include "check.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PROBE_N 64  /* mallocs by the other thread after a cross-thread misuse */

static void *xmalloc(size_t n)
{
  void *p = malloc(n);
  if (!p) {
    ck_line("NOTE setup malloc(%zu) returned NULL", n);
    exit(CK_EXIT_FAIL);
  }
  return p;
}

/* ---- double frees ------------------------------------------------------- */

/* free(p); free(p). Safe: abort or report-and-ignore; never two mallocs
 * returning p. */
static int double_free_immediate(size_t n)
{
  void *p = xmalloc(n);
  ck_fill(p, n, 1);
  free(p);
  free(ck_hide(p));
  ck_returned();
  ck_probe(n, 0, NULL, 0, NULL, 0);
  return ck_verdict();
}

/* free(p), eight other blocks freed, free(p): p is no longer at the top of
 * any free list, so a check of only the last freed block misses it.
 * Safe: as double_free_immediate. */
static int double_free_after_frees(size_t n)
{
  void *p = xmalloc(n), *o[8];
  for (int i = 0; i < 8; i++) o[i] = xmalloc(n);
  free(p);
  for (int i = 0; i < 8; i++) free(o[i]);
  free(ck_hide(p));
  ck_returned();
  ck_probe(n, 0, NULL, 0, NULL, 0);
  return ck_verdict();
}

/* free(p); free(q); free(p): the classic "fastbin dup" order.
 * Safe: as double_free_immediate. */
static int double_free_interleaved(size_t n)
{
  void *p = xmalloc(n), *q = xmalloc(n);
  free(p);
  free(q);
  free(ck_hide(p));
  ck_returned();
  ck_probe(n, 0, NULL, 0, NULL, 0);
  return ck_verdict();
}

/* free(p); q = malloc(n) (usually p again, now live); free(p): the stale
 * pointer frees the new owner's block. Safe: abort, or report-and-ignore
 * (when q != p); never a later malloc returning memory inside q. When the
 * allocator reused p for q, the second free looks like a valid free of q:
 * no allocator can tell, and the damage shows (q handed out again). */
static int double_free_after_reuse(size_t n)
{
  void *p = xmalloc(n);
  free(p);
  void *q = xmalloc(n);
  ck_fill(q, n, 7);
  ck_line("NOTE the new block %s the freed one", q == p ? "is" : "is not");
  free(ck_hide(p));
  ck_returned();
  struct ck_region live = { q, n, "the live block" };
  ck_probe(n, 0, &live, 1, NULL, 0);
  if (!ck_intact(q, n, 7)) ck_damage("the live block %p was overwritten", q);
  return ck_verdict();
}

/* Cross-thread: the second free happens in another thread, which then
 * allocates too, so a block duplicated between two threads' caches shows. */
struct xt {
  void *p;
  size_t n;
  int misuse;                   /* this thread's free is the second one */
  int probe;                    /* then this thread mallocs PROBE_N blocks */
  void *got[PROBE_N];
};

static void *xt_free(void *arg)
{
  struct xt *x = arg;
  free(ck_hide(x->p));
  if (x->misuse) ck_returned();
  if (x->probe)
    for (int i = 0; i < PROBE_N; i++) x->got[i] = malloc(x->n);
  return NULL;
}

static void run_thread(struct xt *x)
{
  pthread_t t;
  if (pthread_create(&t, NULL, xt_free, x) != 0) {
    ck_line("NOTE pthread_create failed");
    exit(CK_EXIT_FAIL);
  }
  pthread_join(t, NULL);
}

/* The owner frees p, then another thread frees p. Safe: abort or
 * report-and-ignore; never the same block from mallocs in both threads. */
static int double_free_cross_thread(size_t n)
{
  struct xt x = { .p = xmalloc(n), .n = n, .misuse = 1, .probe = 1 };
  free(x.p);
  run_thread(&x);
  ck_probe(n, 0, NULL, 0, x.got, PROBE_N);
  return ck_verdict();
}

/* Another thread frees p (a valid remote free), then the owner frees p.
 * Safe: as double_free_cross_thread. */
static int double_free_remote_first(size_t n)
{
  struct xt x = { .p = xmalloc(n), .n = n };
  run_thread(&x);
  free(ck_hide(x.p));
  ck_returned();
  struct xt y = { .p = NULL, .n = n, .probe = 1 };  /* free(NULL), then mallocs */
  run_thread(&y);
  ck_probe(n, 0, NULL, 0, y.got, PROBE_N);
  return ck_verdict();
}

/* ---- frees of memory the allocator does not own ------------------------- */

/* Shared body: free(bad) where bad points into a region of `len` bytes the
 * program owns (filled with seed 3); the region must stay untouched and
 * never be handed out. */
static int free_foreign(void *region, size_t len, void *bad, size_t n, const char *what)
{
  ck_fill(region, len, 3);
  free(ck_hide(bad));
  ck_returned();
  int wrote = !ck_intact(region, len, 3);
  struct ck_region live = { region, len, what };
  ck_probe(n, 0, &live, 1, NULL, 0);
  if (wrote) ck_damage("free() wrote into %s %p", what, region);
  return ck_verdict();
}

/* free() of a stack buffer. Safe: abort or report-and-ignore. */
static CK_NOINLINE int free_stack(size_t n)
{
  char *buf = __builtin_alloca(n + 64);
  char *al = (char *)(((uintptr_t)buf + 63) & ~(uintptr_t)63);
  return free_foreign(al, n, al, n, "the stack buffer");
}

/* free() of a global array. Safe: abort or report-and-ignore. */
static _Alignas(4096) char global_buf[1 << 20];
static int free_global(size_t n)
{
  return free_foreign(global_buf, n, global_buf, n, "the global array");
}

/* free() of an mmap'd region far from the heap. Safe: abort or
 * report-and-ignore. */
static int free_far(size_t n)
{
  void *r = ck_mem(n);
  return free_foreign(r, n, r, n, "the mmap'd region");
}

/* free() of a live block's middle (offset n/2: 8 for the 16-byte block).
 * Safe: abort or report-and-ignore; the block stays intact and live. */
static int free_interior(size_t n)
{
  char *p = xmalloc(n);
  return free_foreign(p, n, p + n / 2, n, "the live block");
}

/* free(p + 1) of a live block. Safe: abort or report-and-ignore. */
static int free_unaligned(size_t n)
{
  char *p = xmalloc(n);
  return free_foreign(p, n, p + 1, n, "the live block");
}

/* free() of an address where nothing is mapped (2 MiB mapped, then
 * unmapped). Safe: abort or report-and-ignore; a SIGSEGV inside free
 * counts as stopped too. */
static int free_wild(size_t n)
{
  (void)n;
  void *r = ck_mem(2 << 20);
  munmap(r, 2 << 20);
  free(ck_hide((char *)r + (1 << 20)));
  ck_returned();
  ck_probe(64, 0, NULL, 0, NULL, 0);
  return ck_verdict();
}

/* ---- realloc of a bad pointer ------------------------------------------- */

/* realloc() of a freed block. Safe: abort, or NULL (refused, reported);
 * never a block that a later malloc hands out again. */
static int realloc_after_free(size_t n)
{
  void *p = xmalloc(n);
  free(p);
  void *q = realloc(ck_hide(p), 2 * n);
  if (!q) return ck_refused("realloc returned NULL");
  ck_returned();
  ck_fill(q, 2 * n, 5);
  struct ck_region live = { q, 2 * n, "the reallocated block" };
  ck_probe(n, 0, &live, 1, NULL, 0);
  if (!ck_intact(q, 2 * n, 5)) ck_damage("the reallocated block %p was overwritten", q);
  return ck_verdict();
}

/* realloc() of a live block's middle. Safe: abort, or NULL; the live block
 * stays intact. */
static int realloc_interior(size_t n)
{
  char *p = xmalloc(n);
  ck_fill(p, n, 3);
  char *q = realloc(ck_hide(p + n / 2), 2 * n);
  if (!q) {
    if (!ck_intact(p, n, 3)) ck_damage("realloc() changed the live block %p", (void *)p);
    return ck_refused("realloc returned NULL");
  }
  ck_returned();
  int changed = !ck_intact(p, n, 3);
  ck_fill(q, 2 * n, 5);
  struct ck_region live[2] = { { p, n, "the live block" }, { q, 2 * n, "the reallocated block" } };
  if (changed) ck_damage("realloc() changed the live block %p", (void *)p);
  if ((uintptr_t)q < (uintptr_t)p + n && (uintptr_t)p < (uintptr_t)q + 2 * n)
    ck_damage("realloc() returned %p, overlapping the live block %p", (void *)q, (void *)p);
  ck_probe(n, 0, live, 2, NULL, 0);
  return ck_verdict();
}

static const struct ck_scenario table[] = {
  CK_SIZED("double_free_immediate", double_free_immediate, "free(p); free(p)"),
  CK_SIZED("double_free_after_frees", double_free_after_frees,
           "free(p), then 8 other blocks, then free(p) again"),
  CK_SIZED("double_free_interleaved", double_free_interleaved, "free(p); free(q); free(p)"),
  CK_SIZED("double_free_after_reuse", double_free_after_reuse,
           "free(p); q = malloc (reusing p); free(p) again"),
  CK_SIZED("double_free_cross_thread", double_free_cross_thread,
           "the owner frees p, then another thread frees p"),
  CK_SIZED("double_free_remote_first", double_free_remote_first,
           "another thread frees p, then the owner frees p"),
  CK_SIZED("free_stack", free_stack, "free() of a stack buffer"),
  CK_SIZED("free_global", free_global, "free() of a global array"),
  CK_SIZED("free_far", free_far, "free() of an mmap'd region the allocator never saw"),
  CK_SIZED("free_interior", free_interior, "free(p + n/2) of a live block"),
  CK_SIZED("free_unaligned", free_unaligned, "free(p + 1) of a live block"),
  CK_SIZED("realloc_after_free", realloc_after_free, "realloc() of a freed block"),
  CK_SIZED("realloc_interior", realloc_interior, "realloc(p + n/2, 2n) of a live block"),
  { "free_wild", free_wild, 0, "free() of an unmapped address" },
};

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_MISUSE,
                 "Double frees and invalid frees; prints the misuse protocol (README.md).",
                 table, sizeof table / sizeof table[0]);
}
