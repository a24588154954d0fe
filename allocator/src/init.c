/* init.c: process start-up, thread exit and fork.
 *
 * hakmem works before any constructor runs: every thread starts on the
 * static empty heap (heap.c), whose first allocation takes the slow path,
 * which calls _hak_process_init() and then gives the thread a heap. Nothing
 * here allocates, calls dlsym, getenv or stdio.
 */
#include <sched.h>
#include "internal.h"

pthread_mutex_t _hak_global_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t _hak_large_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_key_t _hak_thread_key;

static _Atomic int init_state;      /* 0 not started, 1 running, 2 done */

static void thread_exit(void *arg) {
  _hak_heap_thread_exit(arg);
  _hak_tls_heap = &_hak_heap_empty;
}

/* fork: hold every global lock across it, so the child never inherits one
 * held by a thread that does not exist there. */
static void fork_prepare(void) {
  pthread_mutex_lock(&_hak_global_lock);
  pthread_mutex_lock(&_hak_large_lock);
}
static void fork_parent(void) {
  pthread_mutex_unlock(&_hak_large_lock);
  pthread_mutex_unlock(&_hak_global_lock);
}
static void fork_child(void) {
  pthread_mutex_init(&_hak_large_lock, NULL);
  pthread_mutex_init(&_hak_global_lock, NULL);
}

void _hak_process_init(void) {
  int expected = 0;
  if (atomic_load_explicit(&init_state, memory_order_acquire) == 2) return;
  if (atomic_compare_exchange_strong(&init_state, &expected, 1)) {
    _hak_options_read();
    pthread_key_create(&_hak_thread_key, thread_exit);
    atomic_store_explicit(&init_state, 2, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&init_state, memory_order_acquire) != 2) sched_yield();
}

/* Runs when the library is loaded (after libc is up): settle the options
 * even if nothing allocated yet, and register the fork handlers (not done
 * lazily: pthread_atfork may allocate). */
__attribute__((constructor(101))) static void hak_load(void) {
  _hak_process_init();
  _hak_options_read();
  pthread_atfork(fork_prepare, fork_parent, fork_child);
}

__attribute__((destructor)) static void hak_unload(void) { _hak_stats_print_at_exit(); }
