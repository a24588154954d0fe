/* lock.c: hakmem's global locks and the fork handlers that hold them.
 *
 * A hak_lock_t is a futex word holding its holder's thread id (TID), so a
 * thread can tell that it already holds a lock. That is what fork needs:
 *   - fork_prepare takes every lock. Prepare handlers registered before
 *     ours run after it, child and parent handlers registered before ours
 *     run before ours: all while we hold the locks, on the forking thread.
 *     When one of them allocates, its lock calls find the holder is this
 *     thread and nest instead of waiting for themselves.
 *   - fork() called by a signal handler that interrupted fork() on the same
 *     thread: the nested fork_prepare nests in the same way. A lock held by
 *     another thread is waited for as usual, so every fork still copies the
 *     allocator between critical sections, never in the middle of one.
 * Nesting is counted in `depth`, which only the holder touches; a signal
 * can interrupt the holder anywhere in lock/unlock and its handler's nested
 * lock/unlock pairs leave depth as they found it.
 * The child has one thread, whose TID differs from the parent's: fork_child
 * gives the locks this thread holds its new TID before releasing them.
 */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

#define HAK_LOCK_SPINS 100      /* pause-and-look rounds before a sleep */

hak_lock_t _hak_global_lock;
hak_lock_t _hak_large_lock;

static __thread uint32_t tls_tid __attribute__((tls_model("initial-exec")));

hak_inline uint32_t self_tid(void) {
  uint32_t t = tls_tid;
  if (hak_unlikely(t == 0)) tls_tid = t = (uint32_t)syscall(SYS_gettid);
  return t;
}

static void futex_wait(_Atomic uint32_t *w, uint32_t val) {
  syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}
static void futex_wake(_Atomic uint32_t *w) {
  syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void _hak_lock(hak_lock_t *l) {
  uint32_t me = self_tid();
  uint32_t w = atomic_load_explicit(&l->word, memory_order_relaxed);
  if ((w & HAK_LOCK_TID) == me) {        /* nested: fork handlers, see above */
    l->depth++;
    return;
  }
  w = 0;
  if (hak_likely(atomic_compare_exchange_strong_explicit(&l->word, &w, me, memory_order_acquire,
                                                         memory_order_relaxed)))
    return;
  /* Contended. The critical sections are short (a few hundred
   * instructions), so first spin a while on the word: a sleep and a wake
   * cost two system calls, more than the wait. */
  for (unsigned spin = 0; spin < HAK_LOCK_SPINS; spin++) {
    hak_cpu_relax();
    w = atomic_load_explicit(&l->word, memory_order_relaxed);
    if (w == 0 && atomic_compare_exchange_weak_explicit(&l->word, &w, me, memory_order_acquire,
                                                        memory_order_relaxed))
      return;
  }
  /* Then sleep on the word with the waiters bit set; a thread that got
   * here takes the lock with that bit, since others may still sleep. */
  for (;;) {
    if (w == 0) {
      if (atomic_compare_exchange_weak_explicit(&l->word, &w, me | HAK_LOCK_WAITERS, memory_order_acquire,
                                                memory_order_relaxed))
        return;
      continue;
    }
    if (!(w & HAK_LOCK_WAITERS)) {
      if (!atomic_compare_exchange_weak_explicit(&l->word, &w, w | HAK_LOCK_WAITERS, memory_order_relaxed,
                                                 memory_order_relaxed))
        continue;
      w |= HAK_LOCK_WAITERS;
    }
    futex_wait(&l->word, w);
    w = atomic_load_explicit(&l->word, memory_order_relaxed);
  }
}

void _hak_unlock(hak_lock_t *l) {
  hak_assert((atomic_load_explicit(&l->word, memory_order_relaxed) & HAK_LOCK_TID) == self_tid());
  if (l->depth != 0) {
    l->depth--;
    return;
  }
  if (atomic_exchange_explicit(&l->word, 0, memory_order_release) & HAK_LOCK_WAITERS) futex_wake(&l->word);
}

/* ---- fork ---------------------------------------------------------------- */
static void fork_prepare(void) {
  _hak_lock(&_hak_global_lock);
  _hak_lock(&_hak_large_lock);
}

static void fork_parent(void) {
  _hak_unlock(&_hak_large_lock);
  _hak_unlock(&_hak_global_lock);
}

/* In the child, a thread that held BUSY on one of our slabs (a remote
 * free in the middle of its hand-off) no longer exists: end its BUSY, or
 * the next release or exit would wait for it forever. (Its block is lost to
 * the child; other threads' heaps are orphaned there in the same way.)
 * Called for the forking thread's heap and for the heaps waiting for a
 * successor, which a thread of the child may take. */
static void end_busy_states(hak_heap_t *h) {
  if (!h->initialized) return;
  for (hak_ss_t *ss = h->ss_all; ss; ss = ss->next) {
    for (unsigned i = 0; i < ss->nslabs; i++) {
      hak_slab_t *s = &ss->slabs[i];
      uintptr_t tf = atomic_load_explicit(&s->thread_free, memory_order_relaxed);
      if ((ss->free_mask & (1u << i)) || _hak_tf_state(tf) != HAK_TF_BUSY) continue;
      uintptr_t state = (atomic_load_explicit(&s->flags, memory_order_relaxed) & HAK_SLAB_FULL)
                            ? HAK_TF_NOTIFY : HAK_TF_NORMAL;
      atomic_store_explicit(&s->thread_free, _hak_tf_make(_hak_tf_block(tf), state), memory_order_relaxed);
    }
  }
}

static void child_owns(hak_lock_t *l, uint32_t old_tid, uint32_t new_tid) {
  uint32_t w = atomic_load_explicit(&l->word, memory_order_relaxed);
  if ((w & HAK_LOCK_TID) == old_tid) atomic_store_explicit(&l->word, new_tid, memory_order_relaxed);
}

static void fork_child(void) {
  uint32_t old_tid = self_tid();
  tls_tid = (uint32_t)syscall(SYS_gettid);
  /* Both locks are ours (fork_prepare); nobody else is left to wait. */
  child_owns(&_hak_global_lock, old_tid, tls_tid);
  child_owns(&_hak_large_lock, old_tid, tls_tid);
  end_busy_states(_hak_tls_heap);
  _hak_heap_handover_each(end_busy_states);  /* heaps a child thread may take */
  fork_parent();
}

/* Registered once, from the library constructor (pthread_atfork may
 * allocate, so not lazily from an allocation path). */
void _hak_fork_handlers_register(void) { pthread_atfork(fork_prepare, fork_parent, fork_child); }
