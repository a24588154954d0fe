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
int _hak_thread_key_ok;             /* without the key, exiting threads keep their memory */

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
/* In the child, a thread that held BUSY on one of our slabs (a remote
 * free in the middle of its hand-off) no longer exists: end its BUSY, or
 * the next release or exit would wait for it forever. (Its block is lost to
 * the child; other threads' heaps are orphaned there in the same way.) */
static void fork_child(void) {
  pthread_mutex_init(&_hak_large_lock, NULL);
  pthread_mutex_init(&_hak_global_lock, NULL);
  hak_heap_t *h = _hak_tls_heap;
  if (h == &_hak_heap_empty) return;
  for (hak_ss_t *ss = h->ss_all; ss; ss = ss->next) {
    for (unsigned i = 0; i < ss->nslabs; i++) {
      hak_slab_t *s = &ss->slabs[i];
      uintptr_t tf = atomic_load_explicit(&s->thread_free, memory_order_relaxed);
      if ((ss->free_mask & (1u << i)) || (tf & HAK_TF_STATE) != HAK_TF_BUSY) continue;
      uintptr_t state = (atomic_load_explicit(&s->flags, memory_order_relaxed) & HAK_SLAB_FULL)
                            ? HAK_TF_NOTIFY : HAK_TF_NORMAL;
      atomic_store_explicit(&s->thread_free, (tf & ~(uintptr_t)HAK_TF_STATE) | state, memory_order_relaxed);
    }
  }
}

void _hak_process_init(void) {
  int expected = 0;
  if (atomic_load_explicit(&init_state, memory_order_acquire) == 2) return;
  if (atomic_compare_exchange_strong(&init_state, &expected, 1)) {
    _hak_options_read();
    _hak_thread_key_ok = pthread_key_create(&_hak_thread_key, thread_exit) == 0;
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
