/* forklock_shim.c: a malloc wrapper, for LD_PRELOAD, with a fork
 * deadlock on purpose: one global non-recursive lock around
 * every malloc and free, taken by its own pthread_atfork prepare handler and
 * released by the parent and child handlers. Registered from its
 * constructor, so under LD_PRELOAD after the program's own libraries: a fork
 * handler registered earlier that allocates runs while this lock is held
 * (conform_fork fork_atfork_malloc hangs), and a fork from a signal handler
 * that interrupted fork() waits on it forever. The blocks are glibc's
 * (__libc_malloc), so memory never crosses allocators. */
#include <pthread.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((visibility("default"))) void *malloc(size_t n)
{
  pthread_mutex_lock(&lock);
  void *p = __libc_malloc(n);
  pthread_mutex_unlock(&lock);
  return p;
}

__attribute__((visibility("default"))) void free(void *p)
{
  pthread_mutex_lock(&lock);
  __libc_free(p);
  pthread_mutex_unlock(&lock);
}

static void prepare(void) { pthread_mutex_lock(&lock); }
static void release(void) { pthread_mutex_unlock(&lock); }

__attribute__((constructor)) static void init(void)
{
  pthread_atfork(prepare, release, release);
}
