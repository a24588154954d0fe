/* slab.c: the malloc slow path and the life of a slab.
 *
 * A slab is initialized for one class, carved lazily (a page's worth of
 * blocks at a time, so untouched memory stays uncommitted), and sits on its
 * heap's class list while it has room. When malloc finds it exhausted it is
 * marked FULL, taken off the list, and its thread_free word set to NOTIFY so
 * the first remote free tells the owner (see internal.h). When its last
 * block comes back it is released to its SuperSlab, unless it is the only
 * slab of its class (kept to avoid thrashing on one-block patterns).
 */
#include <errno.h>
#include <sched.h>
#include <time.h>
#include "internal.h"

/* ---- class lists: circular, head in h->cur[cls] ---------------------- */
void _hak_slab_list_push_back(hak_heap_t *h, hak_slab_t *s) {
  hak_slab_t *head = h->cur[s->cls];
  if (head == &_hak_slab_empty) {
    s->next = s->prev = s;
    _hak_heap_set_cur(h, s->cls, s);
  } else {
    hak_slab_t *tail = head->prev;
    s->prev = tail;
    s->next = head;
    tail->next = s;
    head->prev = s;
  }
}

void _hak_slab_list_remove(hak_heap_t *h, hak_slab_t *s) {
  if (s->next == s) {
    _hak_heap_set_cur(h, s->cls, &_hak_slab_empty);
  } else {
    s->prev->next = s->next;
    s->next->prev = s->prev;
    if (h->cur[s->cls] == s) _hak_heap_set_cur(h, s->cls, s->next);
  }
  s->next = s->prev = NULL;
}

/* ---- thread_free --------------------------------------------------------- */
/* Wait while a remote freer holds BUSY on s (a few instructions of its
 * time: it pushes onto a heap's delayed list). Pause, then yield, then
 * sleep: sched_yield gives the CPU only to threads of the caller's own
 * priority, so a SCHED_FIFO waiter on the freer's CPU would spin forever on
 * yields; a sleep lets the freer run whatever its priority. Returns the
 * word once it is not BUSY. */
static uintptr_t wait_not_busy(hak_slab_t *s) {
  uintptr_t tf;
  for (unsigned spins = 0;; spins++) {
    tf = atomic_load_explicit(&s->thread_free, memory_order_acquire);
    if (_hak_tf_state(tf) != HAK_TF_BUSY) return tf;
    if (spins < 64) {
      hak_cpu_relax();
    } else if (spins < 128) {
      sched_yield();
    } else {
      struct timespec ts = { 0, 50000 };
      nanosleep(&ts, NULL);
    }
  }
}

/* Set the state bits, keeping the block list; waits while a remote freer
 * holds BUSY (it may still read this slab's SuperSlab and owner heap). */
uintptr_t _hak_tf_set_state(hak_slab_t *s, uintptr_t state) {
  uintptr_t tf = wait_not_busy(s);
  while (!atomic_compare_exchange_weak_explicit(&s->thread_free, &tf, _hak_tf_make(_hak_tf_block(tf), state),
                                                memory_order_acq_rel, memory_order_acquire))
    if (_hak_tf_state(tf) == HAK_TF_BUSY) tf = wait_not_busy(s);
  return tf;
}

/* Move remote-freed blocks onto the owner's free list; returns how many.
 * The chain's links are checked as they are followed, and its length is
 * bounded by used: a chain made cyclic by a racing double free, or with a
 * link overwritten after the free, stops the process instead of hanging or
 * handing out a bad block. */
size_t _hak_slab_collect(hak_slab_t *s) {
  uintptr_t tf = atomic_load_explicit(&s->thread_free, memory_order_relaxed);
  do {
    if (_hak_tf_block(tf) == NULL) return 0;
  } while (!atomic_compare_exchange_weak_explicit(&s->thread_free, &tf, _hak_tf_make(NULL, _hak_tf_state(tf)),
                                                  memory_order_acquire, memory_order_relaxed));
  hak_block_t *head = _hak_tf_block(tf);
  if (!_hak_block_in_slab(s, (uintptr_t)head)) _hak_corrupt("remote free list", head);
  hak_block_t *tail = head;
  size_t n = 1;
  for (hak_block_t *next; (next = _hak_link_next(s, tail)) != NULL; tail = next)
    if (++n > s->used) _hak_corrupt("remote free list (cycle: a block freed twice at once?)", s);
  _hak_link_set(tail, s->free);
  s->free = head;
  s->used -= (uint32_t)n;
  return n;
}

/* Exhausted slab: ask to be notified of the next remote free. Returns 0 if
 * blocks arrived meanwhile (collect them instead). A NOTIFY left from
 * earlier already guarantees the next remote free comes back through the
 * heap's delayed list. BUSY does not (its freer's block may already be
 * drained, and it will set NORMAL), so wait for it to end, as
 * _hak_tf_set_state does. */
static int try_mark_full(hak_slab_t *s) {
  uintptr_t tf = wait_not_busy(s);
  for (;;) {
    if (_hak_tf_block(tf) != NULL) return 0;
    if (_hak_tf_state(tf) == HAK_TF_NOTIFY) return 1;
    if (_hak_tf_state(tf) == HAK_TF_BUSY) {
      tf = wait_not_busy(s);
      continue;
    }
    if (atomic_compare_exchange_weak_explicit(&s->thread_free, &tf, _hak_tf_make(NULL, HAK_TF_NOTIFY),
                                              memory_order_acq_rel, memory_order_acquire))
      return 1;
  }
}

/* ---- carving ------------------------------------------------------------- */
/* Extend the free list by the blocks up to the next page boundary (at least
 * one), in address order. */
static void carve(hak_slab_t *s) {
  uint32_t bsize = _hak_block_size(s);
  uint8_t *first = s->start + (size_t)s->capacity * bsize;
  uintptr_t page_end = ((uintptr_t)first + HAK_PAGE) & ~(uintptr_t)(HAK_PAGE - 1);
  uint32_t n = (uint32_t)((page_end - (uintptr_t)first) / bsize);
  if (n == 0) n = 1;
  if (n > s->reserved - s->capacity) n = s->reserved - s->capacity;
  hak_block_t *b = (hak_block_t *)first;
  for (uint32_t i = 1; i < n; i++) {
    hak_block_t *nb = (hak_block_t *)((uint8_t *)b + bsize);
    _hak_link_set(b, nb);
    b = nb;
  }
  _hak_link_set(b, s->free);
  s->free = (hak_block_t *)first;
  s->capacity += n;
  /* Before any of them is handed out: free() accepts carved blocks only. */
  atomic_store_explicit(&s->div_lim, (uint64_t)s->capacity * (uint64_t)(bsize * s->div_mul),
                        memory_order_relaxed);
}

static void slab_init(hak_heap_t *h, hak_ss_t *ss, hak_slab_t *s, unsigned cls) {
  uint32_t bsize = _hak_class_size[cls];
  uint8_t *slot_base = (uint8_t *)ss + ((size_t)s->slot << ss->slab_shift);
  uint8_t *slot_end = slot_base + ((size_t)1 << ss->slab_shift);
  uint8_t *start = slot_base;
  if (s->slot == 0) {
    /* Slot 0 holds the header. Start at a multiple of the block size's
     * power-of-two factor so blocks keep the alignment memalign relies on. */
    uintptr_t a = bsize & (0u - bsize);
    start = (uint8_t *)(((uintptr_t)ss + sizeof(hak_ss_t) + a - 1) & ~(a - 1));
  }
  s->free = NULL;
  s->used = 0;
  s->cls = (uint8_t)cls;
  s->bsize = bsize;
  s->capacity = 0;
  s->reserved = (uint32_t)((size_t)(slot_end - start) / bsize);
  s->start = start;
  /* _hak_block_in_slab; bsize * div_mul wraps to e, the step per block. */
  s->div_mul = UINT64_MAX / bsize + 1 + ((bsize & (bsize - 1)) == 0);
  atomic_store_explicit(&s->div_lim, 0, memory_order_relaxed);   /* carve sets it */
  atomic_store_explicit(&s->thread_free, 0, memory_order_relaxed);
  _hak_slab_set_flags(s, h, _hak_options.check ? HAK_SLAB_CHECK : 0);
  s->next = s->prev = NULL;
  carve(s);                              /* a slab in use has carved blocks */
  hak_assert(!_hak_block_in_slab(s, 0));                 /* _hak_pop relies on it */
}

/* The slot serves no class any more: no pointer into it passes free(). */
void _hak_slab_retire(hak_slab_t *s) {
  _hak_slab_set_flags(s, NULL, HAK_SLAB_UNUSED);
  atomic_store_explicit(&s->div_lim, 0, memory_order_relaxed);
  s->free = NULL;
  s->capacity = 0;
}

/* ---- release --------------------------------------------------------------- */
/* Give an empty slab (used == 0, on no list) back to its SuperSlab. */
void _hak_slab_release(hak_heap_t *h, hak_ss_t *ss, hak_slab_t *s) {
  hak_assert(s->used == 0);
  _hak_tf_set_state(s, HAK_TF_NORMAL);   /* also waits out a BUSY freer */
  hak_assert(_hak_tf_block(atomic_load(&s->thread_free)) == NULL);
  _hak_slab_retire(s);
  int had_room = ss->free_mask != 0;
  _hak_ss_slot_free(h, ss, s->slot, 1);
  /* Every slot free: release it, unless its slots stay dirty for reuse
   * (they then go by decay, and it with them: superslab.c). */
  if (ss->free_mask == _hak_ss_all_slots(ss) && ss->dirty_mask == 0) {
    _hak_ss_release(h, ss);
  } else if (!had_room || (ss->dirty_mask & (1u << s->slot))) {
    _hak_ss_avail_front(h, ss);          /* its dirty slot is taken first */
  }
  _hak_ss_decay(h);
  hak_check_heap(h);
}

/* The owner's free emptied a listed slab. Keep it when it is the only slab
 * of its class; otherwise give it back. */
void _hak_slab_became_empty(hak_heap_t *h, hak_ss_t *ss, hak_slab_t *s) {
  if (s->next == s) return;
  _hak_slab_list_remove(h, s);
  _hak_slab_release(h, ss, s);
}

/* The same from free()'s fast path, which reads the thread's heap only to
 * compare it (one instruction fewer there). */
void _hak_slab_became_empty_here(hak_ss_t *ss, hak_slab_t *s) {
  _hak_slab_became_empty(_hak_tls_heap, ss, s);
}

/* The owner frees into a slab whose flags are set (full, unused, checked). */
void _hak_slab_free_local_slow(hak_heap_t *h, hak_ss_t *ss, hak_slab_t *s, hak_block_t *b) {
  uint8_t f = atomic_load_explicit(&s->flags, memory_order_relaxed);
  hak_assert(!(f & HAK_SLAB_UNUSED));    /* div_lim 0: free() refused it */
  if ((f & HAK_SLAB_CHECK) && !_hak_block_check(s, b, "free")) return;
  _hak_link_set(b, s->free);
  s->free = b;
  s->used--;
  if (f & HAK_SLAB_FULL) {
    _hak_slab_set_flags(s, h, (uint8_t)(f & ~HAK_SLAB_FULL));
    _hak_slab_list_push_back(h, s);
  }
  hak_check_slab(h, s);
  if (s->used == 0) _hak_slab_became_empty(h, ss, s);
}

/* ---- malloc slow path -------------------------------------------------- */
static hak_slab_t *new_slab(hak_heap_t *h, unsigned cls) {
  int kind = _hak_class_size[cls] <= HAK_SMALL_KIND_MAX ? HAK_SS_SMALL : HAK_SS_MEDIUM;
  /* A heap waiting too long for a successor is given up first (heap.c,
   * "Hand-over"): its SuperSlabs become adoptable below. The free blocks an
   * exited thread left in a slab of cls (1/8 of it or more, abandoned a
   * while ago: see HAK_ADOPT_AGE) come before fresh pages (commit 55a9a1f);
   * then a free slot of ours; then an abandoned SuperSlab's room in cls or
   * free slot; a cached SuperSlab; a new mapping. */
  _hak_heap_handover_decay();
  if (_hak_ss_adopt_for(h, kind, cls, 0)) return h->cur[cls];
  _hak_ss_decay(h);
  hak_ss_t *ss = h->ss_avail[kind];
  if (ss == NULL) {
    if (_hak_ss_adopt_for(h, kind, cls, 1)) {
      if (h->cur[cls] != &_hak_slab_empty) return h->cur[cls];
      ss = h->ss_avail[kind];
    } else {
      ss = _hak_ss_acquire(h, kind);
    }
    if (ss == NULL) return NULL;
  }
  hak_slab_t *s = &ss->slabs[_hak_ss_slot_take(h, ss)];
  slab_init(h, ss, s, cls);
  /* New slab goes first: it is where malloc will look. */
  _hak_slab_list_push_back(h, s);
  _hak_heap_set_cur(h, cls, s);
  hak_check_slab(h, s);
  hak_check_heap(h);
  return s;
}

/* The current slab of `cls` has no block on its free list. Refill from
 * (in order) its remote frees, uncarved space, the next slab on the list,
 * blocks other threads freed into our full slabs, and finally a new slab. */
void *_hak_alloc_slow(hak_heap_t *h, unsigned cls) {
  if (hak_unlikely(!h->initialized)) {
    h = _hak_heap_init_thread();
    if (h == NULL) { errno = ENOMEM; return NULL; }
  }
  h->reclaim_budget = HAK_RECLAIM_BUDGET;
  _hak_remote_flush_all(h);
  if (atomic_load_explicit(&h->delayed, memory_order_relaxed) != NULL) _hak_heap_drain_delayed(h);
  for (;;) {
    hak_slab_t *s = h->cur[cls];
    while (s != &_hak_slab_empty) {
      if (s->free != NULL && !_hak_block_in_slab(s, (uintptr_t)s->free)) _hak_free_list_corrupt(s);
      if (s->free == NULL) _hak_slab_collect(s);
      if (s->free == NULL && s->capacity < s->reserved) carve(s);
      hak_check_slab(h, s);
      hak_block_t *b = _hak_pop(s);
      if (b != NULL) return b;
      if (!try_mark_full(s)) continue;
      _hak_slab_list_remove(h, s);
      _hak_slab_set_flags(s, h, (uint8_t)(atomic_load_explicit(&s->flags, memory_order_relaxed) | HAK_SLAB_FULL));
      s = h->cur[cls];
    }
    if (new_slab(h, cls) == NULL) { errno = ENOMEM; return NULL; }
  }
}
