/* init.c: process start-up and thread exit (fork: lock.c).
 *
 * hakmem works before any constructor runs: every thread starts on the
 * static empty heap (heap.c), whose first allocation takes the slow path,
 * which calls _hak_process_init() and then gives the thread a heap. Nothing
 * here allocates, calls dlsym, getenv or stdio.
 */
#include <sched.h>
#include <string.h>
#include <sys/auxv.h>
#include "internal.h"

pthread_key_t _hak_thread_key;
int _hak_thread_key_ok;             /* without the key, exiting threads keep their memory */
uintptr_t _hak_secret;

static _Atomic int init_state;      /* 0 not started, 1 running, 2 done */

/* The thread's heap is handed over (heap.c); from now on its frees are
 * plain remote frees (glibc frees per-thread buffers after the TSD
 * destructors ran), and a malloc gives it a heap again. */
static void thread_exit(void *arg) {
  _hak_tls_heap = &_hak_heap_exited;    /* first: another thread may take the heap */
  _hak_heap_thread_exit(arg);
}

/* The free key and link mask: the kernel's 16 random bytes for this
 * process (AT_RANDOM, no system call), mixed (splitmix64's finalizer) so
 * that neither half of them (glibc's stack and pointer guards) shows. */
static uintptr_t make_secret(void) {
  const void *rnd = (const void *)getauxval(AT_RANDOM);
  uint64_t r[2] = { 0, 0 };
  if (rnd) memcpy(r, rnd, sizeof r);          /* not aligned */
  uint64_t x = r[0] ^ (r[1] * 0x9e3779b97f4a7c15ull);
  x ^= (uint64_t)(uintptr_t)&init_state;   /* ASLR, should AT_RANDOM be missing */
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return (uintptr_t)(x | 1);               /* never 0: 0 means "handed out" */
}

void _hak_process_init(void) {
  int expected = 0;
  if (atomic_load_explicit(&init_state, memory_order_acquire) == 2) return;
  if (atomic_compare_exchange_strong(&init_state, &expected, 1)) {
    _hak_secret = make_secret();
    _hak_options_read();
    _hak_thread_key_ok = pthread_key_create(&_hak_thread_key, thread_exit) == 0;
    atomic_store_explicit(&init_state, 2, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&init_state, memory_order_acquire) != 2) sched_yield();
}

/* Runs when the library is loaded (after libc is up): settle the options
 * even if nothing allocated yet, and register the fork handlers. */
__attribute__((constructor(101))) static void hak_load(void) {
  _hak_process_init();
  _hak_options_read();
  _hak_fork_handlers_register();
}

__attribute__((destructor)) static void hak_unload(void) { _hak_stats_print_at_exit(); }
