/* libtaatfork.so: a library whose fork handlers allocate, loaded (as a
 * dependency of the program) before the allocator's constructor registers
 * its own handlers. glibc runs prepare handlers in reverse order of
 * registration and parent/child handlers in order, so these run while the
 * allocator's prepare handler holds its locks. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void *held;
static volatile unsigned long ta_atfork_calls;

/* Large enough to take the allocator's large-block path (and its lock). */
static void prepare(void) {
  held = malloc(100000);
  if (held) memset(held, 1, 100000);
  ta_atfork_calls++;
}
static void parent(void) { free(held); held = NULL; }
static void child(void) { free(held); held = NULL; free(malloc(50)); }

unsigned long ta_atfork_count(void) { return ta_atfork_calls; }

__attribute__((constructor)) static void register_handlers(void) {
  pthread_atfork(prepare, parent, child);
}
