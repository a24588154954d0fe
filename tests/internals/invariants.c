/* invariants.c: the invariant checkers of allocator/src/valid.c hold on a
 * heap in use, and each catches the breakage it is there for.
 *
 * A heap is put through allocations and frees of several classes (carved,
 * partly freed, one slab emptied and given back, so a dirty slot exists);
 * then _hak_slab_check and _hak_heap_check must pass. Then, one child
 * process per case, one field is broken and the checker must stop the
 * process with SIGABRT and "internal assertion failed" on stderr, never
 * pass, hang or crash otherwise:
 *   capacity off by one, a free-list cycle, a free block outside the slab,
 *   fast_owner not matching flags, a dirty slot that is in use, the heap's
 *   dirty byte count off.
 * Exit 0 ok, 1 with a line per failed check.
 */
#include "internal.h"
#include "hakmem.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

#define NB 3000
static void *blocks[NB];

/* The slab of a live block of ours and its SuperSlab. */
static hak_slab_t *slab_of(void *p) { return _hak_slab_of(_hak_ss_of(p), p); }

typedef void (*breaker_t)(hak_heap_t *h, hak_slab_t *s);

static void b_capacity(hak_heap_t *h, hak_slab_t *s) { (void)h; s->capacity++; }
static void b_cycle(hak_heap_t *h, hak_slab_t *s) { (void)h; _hak_link_set(s->free, s->free); }
static void b_outside(hak_heap_t *h, hak_slab_t *s)
{
  (void)h;
  _hak_link_set(s->free, (hak_block_t *)(s->start + 8));   /* not a block start */
}
static void b_owner(hak_heap_t *h, hak_slab_t *s)
{
  (void)h;
  atomic_store_explicit(&s->fast_owner, NULL, memory_order_relaxed);   /* flags 0 */
}
static void b_dirty_used(hak_heap_t *h, hak_slab_t *s)
{
  (void)h;
  _hak_ss_of(s)->dirty_mask |= 1u << s->slot;
}
static void b_dirty_bytes(hak_heap_t *h, hak_slab_t *s) { (void)s; h->dirty_bytes += 4096; }

/* Run one breakage in a child; 1 when the checker stopped it as it should. */
static int stopped_by_checker(const char *name, breaker_t brk, hak_heap_t *h, hak_slab_t *s, int heap_level)
{
  int err[2];
  if (pipe(err) != 0) { perror("pipe"); exit(1); }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); exit(1); }
  if (pid == 0) {
    dup2(err[1], 2);
    close(err[0]);
    brk(h, s);
    if (heap_level) _hak_heap_check(h);
    else _hak_slab_check(h, s);
    _exit(0);                                /* the checker let it pass */
  }
  close(err[1]);
  char buf[512] = { 0 };
  size_t got = 0;
  for (;;) {                                 /* to EOF: the child writes in pieces */
    char sink[256];
    ssize_t n = got < sizeof buf - 1 ? read(err[0], buf + got, sizeof buf - 1 - got)
                                     : read(err[0], sink, sizeof sink);
    if (n <= 0) break;
    if (got < sizeof buf - 1) got += (size_t)n;
  }
  close(err[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  int ok = WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(buf, "internal assertion failed");
  printf("%s: %s (%s)\n", name, ok ? "stopped" : "NOT STOPPED",
         WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited");
  if (buf[0]) printf("  %s", buf);
  return ok;
}

int main(void)
{
  /* Several classes, carved and partly freed. */
  for (int i = 0; i < NB; i++) {
    blocks[i] = hak_malloc(16 + (size_t)(i % 7) * 48);
    if (!blocks[i]) { printf("FAIL: hak_malloc\n"); return 1; }
    memset(blocks[i], 0x5a, 16);
  }
  for (int i = 0; i < NB; i += 3) { hak_free(blocks[i]); blocks[i] = NULL; }
  /* A second slab of one class emptied: it goes back as a dirty slot. */
  void *big[200];
  for (int i = 0; i < 200; i++) big[i] = hak_malloc(1024);
  for (int i = 0; i < 200; i++) hak_free(big[i]);
  hak_heap_t *h = _hak_tls_heap;
  void *live = blocks[1];
  hak_slab_t *s = slab_of(live);
  CHECK(s->free != NULL, "the test slab has free blocks");
  _hak_slab_check(h, s);                     /* aborts if the heap is wrong */
  _hak_heap_check(h);
  printf("invariants: a heap in use passes both checkers (dirty bytes %zu)\n", h->dirty_bytes);

  struct { const char *name; breaker_t brk; int heap_level; } cases[] = {
    { "capacity off by one", b_capacity, 0 },
    { "free-list cycle", b_cycle, 0 },
    { "free block not a block start", b_outside, 0 },
    { "fast_owner NULL with no flag", b_owner, 0 },
    { "dirty slot in use", b_dirty_used, 1 },
    { "heap dirty bytes off", b_dirty_bytes, 1 },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK(stopped_by_checker(cases[i].name, cases[i].brk, h, s, cases[i].heap_level),
          "%s: the checker did not stop the process", cases[i].name);

  for (int i = 0; i < NB; i++) hak_free(blocks[i]);
  if (failures) { printf("invariants: %lu failed\n", failures); return 1; }
  printf("invariants: ok\n");
  return 0;
}
