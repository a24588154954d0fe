/* libck_atfork.c: a library whose fork handlers allocate (conform_fork's
 * fork_atfork_malloc). Its constructor registers them with pthread_atfork.
 * conform_fork links it, so under LD_PRELOAD its constructor runs before
 * the preloaded allocator's: its prepare handler then runs AFTER the
 * allocator's (prepare handlers run in reverse order of registration) and
 * its parent/child handlers BEFORE the allocator's, i.e. while the
 * allocator may still hold its own locks. glibc's malloc has no such window
 * (its fork handling is internal to fork()). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void *held;
static int enabled, prepared, in_parent, in_child;

/* The handlers do nothing until the program enables them: they are not
 * reentrant, and fork_signal forks from a signal handler. */
void ck_atfork_enable(void)
{
  enabled = 1;
}

static void prepare(void)
{
  if (!enabled) return;
  held = malloc(100000);          /* a large block: the large-block path's locks */
  if (held) memset(held, 1, 100000);
  void *small = malloc(24);
  free(small);
  prepared++;
}

static void parent(void)
{
  if (!enabled) return;
  free(held);
  free(malloc(200));
  in_parent++;
}

static void child(void)
{
  if (!enabled) return;
  free(held);
  free(malloc(200000));
  in_child++;
}

__attribute__((constructor)) static void register_handlers(void)
{
  pthread_atfork(prepare, parent, child);
}

/* How many times each handler ran (in this process). */
void ck_atfork_counts(int *p, int *par, int *ch)
{
  *p = prepared;
  *par = in_parent;
  *ch = in_child;
}
