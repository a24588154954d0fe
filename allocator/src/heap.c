/* heap.c: per-thread heaps: creation, the delayed-free list, thread exit.
 *
 * Heaps come from a pool that is never unmapped, so a remote freer that read
 * a heap pointer can always write to it; a heap whose thread exited is
 * reused by the next new thread.
 */
#include <string.h>
#include "internal.h"

hak_slab_t _hak_slab_empty = { .flags = HAK_SLAB_UNUSED, .fast_owner = NULL };
/* Two static heaps that own nothing (initialized == 0): every malloc on
 * them takes the slow path, which gives the thread a heap; free treats a
 * thread on _hak_heap_exited as one that must not get a heap again. Never
 * written: their remote[] entries stay empty. */
#define HAK_STATIC_HEAP { \
  .direct = { [0 ... HAK_DIRECT_SLOTS - 1] = &_hak_slab_empty }, \
  .cur = { [0 ... HAK_NCLASSES - 1] = &_hak_slab_empty }, \
}
hak_heap_t _hak_heap_empty = HAK_STATIC_HEAP;
hak_heap_t _hak_heap_exited = HAK_STATIC_HEAP;
__thread hak_heap_t *_hak_tls_heap __attribute__((tls_model("initial-exec"))) = &_hak_heap_empty;

static hak_heap_t *heap_pool;       /* exited threads' heaps (global lock) */
static uint8_t *heap_chunk;         /* bump area for new heaps (global lock) */
static size_t heap_chunk_left;
#define HAK_HEAP_CHUNK (64u * 1024u)

extern pthread_key_t _hak_thread_key;
extern int _hak_thread_key_ok;

static hak_heap_t *heap_new(void) {
  _hak_lock(&_hak_global_lock);
  hak_heap_t *h = heap_pool;
  if (h) {
    heap_pool = h->pool_next;
  } else {
    size_t sz = (sizeof(hak_heap_t) + 63) & ~(size_t)63;
    if (heap_chunk_left < sz) {
      uint8_t *c = _hak_os_map(HAK_HEAP_CHUNK);
      if (c) { heap_chunk = c; heap_chunk_left = HAK_HEAP_CHUNK; }
    }
    if (heap_chunk_left >= sz) {
      h = (hak_heap_t *)heap_chunk;
      heap_chunk += sz;
      heap_chunk_left -= sz;
    }
  }
  _hak_unlock(&_hak_global_lock);
  return h;
}

hak_heap_t *_hak_heap_init_thread(void) {
  _hak_process_init();
  hak_heap_t *h = heap_new();
  if (h == NULL) return NULL;
  for (unsigned c = 0; c < HAK_NCLASSES; c++) _hak_heap_set_cur(h, c, &_hak_slab_empty);
  /* A reused heap may hold blocks pushed by freers of its previous life
   * (none can be: its SuperSlabs were all released or abandoned after the
   * last freer left BUSY); start clean either way. */
  atomic_store_explicit(&h->delayed, NULL, memory_order_relaxed);
  h->ss_all = NULL;
  h->ss_avail[0] = h->ss_avail[1] = NULL;
  h->dirty_bytes = 0;
  for (unsigned i = 0; i < HAK_REMOTE_SLOTS; i++) h->remote[i] = (hak_remote_chain_t){ 0 };
  h->remote_used = 0;
  h->reclaim_budget = HAK_RECLAIM_BUDGET;
  h->pool_next = NULL;
  h->initialized = 1;
  _hak_tls_heap = h;
  /* Set after the TLS pointer: if this allocates, it finds a heap. */
  if (_hak_thread_key_ok) pthread_setspecific(_hak_thread_key, h);
  return h;
}

/* Blocks of our full slabs that other threads freed (see HAK_TF_NOTIFY).
 * The list crosses slabs: each link is checked against the ownership map
 * and its own slab before it is followed. */
void _hak_heap_drain_delayed(hak_heap_t *h) {
  hak_block_t *b = atomic_exchange_explicit(&h->delayed, NULL, memory_order_acquire);
  while (b != NULL) {
    hak_block_t *next = _hak_link_get(b);
    if (next != NULL && !_hak_block_owned(next)) _hak_link_corrupt(b);
    hak_ss_t *ss = _hak_ss_of(b);
    hak_assert(_hak_owner(ss) == h);
    _hak_slab_free_local_slow(h, ss, _hak_slab_of(ss, b), b);
    b = next;
  }
}

/* Thread exit: release what is empty, abandon SuperSlabs with live blocks. */
void _hak_heap_thread_exit(hak_heap_t *h) {
  if (h == NULL || !h->initialized) return;
  /* 0. Our remote frees go to their owners. */
  _hak_remote_flush_all(h);
  /* 1. No more notifications: after this no remote freer will target h. */
  for (hak_ss_t *ss = h->ss_all; ss; ss = ss->next)
    for (unsigned i = 0; i < ss->nslabs; i++)
      if (!(ss->free_mask & (1u << i))) _hak_tf_set_state(&ss->slabs[i], HAK_TF_NORMAL);
  /* 2. Blocks already handed to us. */
  _hak_heap_drain_delayed(h);
  /* 3. Collect, free empty slabs, then release or abandon each SuperSlab. */
  for (unsigned c = 0; c < HAK_NCLASSES; c++) _hak_heap_set_cur(h, c, &_hak_slab_empty);
  hak_ss_t *ss = h->ss_all;
  while (ss) {
    hak_ss_t *next = ss->next;
    uint32_t live = 0;
    for (unsigned i = 0; i < ss->nslabs; i++) {
      hak_slab_t *s = &ss->slabs[i];
      if (ss->free_mask & (1u << i)) continue;
      /* No fast path for anyone until adopted (h may be reused). */
      atomic_store_explicit(&s->fast_owner, NULL, memory_order_relaxed);
      _hak_slab_collect(s);
      if (s->used != 0) live |= 1u << i;
    }
    for (unsigned i = 0; i < ss->nslabs; i++) {
      if ((ss->free_mask | live) & (1u << i)) continue;
      _hak_slab_retire(&ss->slabs[i]);
      if (live) _hak_ss_slot_free(h, ss, i, 0);   /* decommitted */
      else ss->free_mask |= 1u << i;
    }
    if (!live) _hak_ss_release(h, ss);
    else _hak_ss_abandon(h, ss);
    ss = next;
  }
  h->initialized = 0;
  _hak_lock(&_hak_global_lock);
  h->pool_next = heap_pool;
  heap_pool = h;
  _hak_unlock(&_hak_global_lock);
}

/* hak_collect(): give back every empty slab of this thread's heap. */
void _hak_heap_collect(hak_heap_t *h) {
  if (!h->initialized) return;
  _hak_remote_flush_all(h);
  _hak_heap_drain_delayed(h);
  for (unsigned c = 0; c < HAK_NCLASSES; c++) {
    hak_slab_t *s = h->cur[c];
    if (s == &_hak_slab_empty) continue;
    size_t n = 1;
    for (hak_slab_t *t = s->next; t != s; t = t->next) n++;
    for (size_t i = 0; i < n; i++) {
      hak_slab_t *next = s->next;
      _hak_slab_collect(s);
      if (s->used == 0) {
        _hak_slab_list_remove(h, s);
        _hak_slab_release(h, _hak_ss_of(s), s);
      }
      s = next;
    }
  }
  _hak_ss_decommit_dirty(h);
  hak_check_heap(h);
}
