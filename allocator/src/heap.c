/* heap.c: per-thread heaps: creation, the delayed-free list, thread exit.
 *
 * Heaps come from a pool that is never unmapped, so a remote freer that read
 * a heap pointer can always write to it.
 *
 * Hand-over: a thread that exits leaves its heap as it is, SuperSlabs,
 * slab lists and all, on the hand-over list (at most HAK_HANDOVER_MAX), and
 * the next thread that starts takes it whole, as if it were the same
 * thread: no SuperSlab is abandoned, adopted or reclaimed one by one, and
 * the successor fills the partly used slabs its predecessor left before it
 * touches fresh pages. Meanwhile nobody's fast path matches the heap (it is
 * no running thread's), so frees into it are remote frees, collected by the
 * successor. A heap nobody took for HAK_HANDOVER_MS is given up by a
 * running thread's decay tick, as is every heap that finds the list full:
 * its SuperSlabs with live blocks are abandoned for any thread to adopt,
 * the rest released; the heap itself goes to the pool of bare heaps.
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

static hak_heap_t *heap_pool;       /* bare heaps, given up (global lock) */
_Atomic uint32_t _hak_heaps_live;   /* running threads' heaps and those
                                       waiting for a successor */
#define HAK_HANDOVER_MAX 8
#define HAK_HANDOVER_MS  2000u
static struct {                     /* heaps waiting for a successor, oldest
                                       first (global lock) */
  hak_heap_t *heap;
  uint32_t since;                   /* clock (ms) of its thread's exit */
} handover[HAK_HANDOVER_MAX];
static _Atomic unsigned handover_n;      /* these two also read without the  */
static _Atomic uint32_t handover_oldest; /* lock: handover[0].since          */
static uint8_t *heap_chunk;         /* bump area for new heaps (global lock) */
static size_t heap_chunk_left;
#define HAK_HEAP_CHUNK (64u * 1024u)

extern pthread_key_t _hak_thread_key;
extern int _hak_thread_key_ok;

/* Entry i leaves the hand-over list (global lock held): its heap. */
static hak_heap_t *handover_del(unsigned i) {
  hak_heap_t *h = handover[i].heap;
  atomic_store_explicit(&h->waiting, 0, memory_order_relaxed);
  handover_n--;
  memmove(&handover[i], &handover[i + 1], (handover_n - i) * sizeof handover[0]);
  if (handover_n) handover_oldest = handover[0].since;
  return h;
}

/* A heap waiting for a successor, taken off the list: `want`, or with want
 * NULL the newest; NULL if there is none (or want no longer waits). */
static hak_heap_t *handover_take(hak_heap_t *want) {
  if (atomic_load_explicit(&handover_n, memory_order_relaxed) == 0) return NULL;
  hak_heap_t *h = NULL;
  _hak_lock(&_hak_global_lock);
  for (unsigned i = handover_n; i-- > 0 && h == NULL;)
    if (want == NULL || handover[i].heap == want) h = handover_del(i);
  _hak_unlock(&_hak_global_lock);
  return h;
}

/* A bare heap: one given up before, or a new one. */
static hak_heap_t *heap_bare(void) {
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

/* Give this thread a heap: `want`, a heap waiting for a successor (NULL
 * if it no longer waits), or with want NULL any heap. */
static hak_heap_t *heap_init_thread(hak_heap_t *want) {
  _hak_process_init();
  hak_heap_t *h = handover_take(want);
  if (h != NULL) {
    hak_count_add(handed_over, 1);
    goto ready;
  }
  if (want != NULL || (h = heap_bare()) == NULL) return NULL;
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
  memset(&h->lcache, 0, sizeof h->lcache);
  h->pool_next = NULL;
  h->initialized = 1;
  atomic_fetch_add_explicit(&_hak_heaps_live, 1, memory_order_relaxed);
ready:
  _hak_tls_heap = h;
  /* Set after the TLS pointer: if this allocates, it finds a heap. */
  if (_hak_thread_key_ok) pthread_setspecific(_hak_thread_key, h);
  return h;
}

hak_heap_t *_hak_heap_init_thread(void) { return heap_init_thread(NULL); }

/* A thread with no heap frees a block of `owner`: if owner waits for a
 * successor, this thread becomes it (its predecessor's blocks are then its
 * own, and their frees local). The flag, read without the lock, keeps a
 * thread that only frees blocks of running threads off the global lock. */
int _hak_heap_take_over(hak_heap_t *owner) {
  return atomic_load_explicit(&owner->waiting, memory_order_relaxed) && heap_init_thread(owner) != NULL;
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

/* Give up h, a heap no thread runs on (its thread exited, its remote
 * chains flushed): release what is empty, abandon SuperSlabs with live
 * blocks, put h in the pool of bare heaps. */
static void heap_give_up(hak_heap_t *h) {
  /* 1. No more notifications: after this no remote freer will target h. */
  for (hak_ss_t *ss = h->ss_all; ss; ss = ss->next)
    for (unsigned i = 0; i < ss->nslabs; i++)
      if (!(ss->free_mask & (1u << i))) _hak_tf_set_state(&ss->slabs[i], HAK_TF_NORMAL);
  /* 2. Blocks already handed to us; its cached large blocks go back. */
  _hak_heap_drain_delayed(h);
  _hak_large_cache_flush(h);
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
  atomic_fetch_sub_explicit(&_hak_heaps_live, 1, memory_order_relaxed);
  _hak_lock(&_hak_global_lock);
  h->pool_next = heap_pool;
  heap_pool = h;
  _hak_unlock(&_hak_global_lock);
}

/* Thread exit: our remote frees go to their owners; the heap waits for a
 * successor on the hand-over list, or, when the list is full, is given up. */
void _hak_heap_thread_exit(hak_heap_t *h) {
  if (h == NULL || !h->initialized) return;
  _hak_remote_flush_all(h);
  _hak_lock(&_hak_global_lock);
  int kept = handover_n < HAK_HANDOVER_MAX;
  if (kept) {
    handover[handover_n].heap = h;
    atomic_store_explicit(&h->waiting, 1, memory_order_relaxed);
    handover[handover_n].since = _hak_os_clock_ms();
    if (handover_n == 0) handover_oldest = handover[0].since;
    handover_n++;
  }
  _hak_unlock(&_hak_global_lock);
  if (!kept) heap_give_up(h);
}

/* Give up the oldest heap waiting for a successor if it waited `age` ms or
 * more (0: any); 1 if one was. */
static int handover_expire(uint32_t age) {
  hak_heap_t *h = NULL;
  _hak_lock(&_hak_global_lock);
  if (handover_n > 0 && _hak_os_clock_ms() - handover[0].since >= age) h = handover_del(0);
  _hak_unlock(&_hak_global_lock);
  if (h) heap_give_up(h);
  return h != NULL;
}

/* A running thread's malloc slow path (a new slab): give up a heap nobody
 * took in HAK_HANDOVER_MS. No lock unless one is due. */
void _hak_heap_handover_decay(void) {
  if (atomic_load_explicit(&handover_n, memory_order_relaxed) != 0 &&
      _hak_os_clock_ms() - atomic_load_explicit(&handover_oldest, memory_order_relaxed) >= HAK_HANDOVER_MS)
    handover_expire(HAK_HANDOVER_MS);
}

/* hak_collect(): every heap waiting for a successor is given up. */
void _hak_heap_handover_collect(void) {
  while (handover_expire(0)) {}
}

/* fork_child: fn on every heap waiting for a successor (global lock held). */
void _hak_heap_handover_each(void (*fn)(hak_heap_t *)) {
  for (unsigned i = 0; i < handover_n; i++) fn(handover[i].heap);
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
