/* free.c: free() beyond the owner's fast path: remote frees, large blocks,
 * pointers hakmem does not own, rejected frees and the HAKMEM_CHECK walk.
 *
 * What free() detects (allocator/README.md has the table and its tests):
 *   always            pointers outside every SuperSlab and large block
 *                     (stack, globals, mmap, other allocators, garbage),
 *                     pointers not 16-byte aligned, pointers into the middle
 *                     of a block or of a large block, the SuperSlab header,
 *                     slots serving no class, block starts not carved
 *                     yet: all
 *                     "invalid pointer", reported and ignored;
 *                     a second free of any block, by any thread, while the
 *                     first is still free (its end mark is 0): "double free",
 *                     reported and ignored;
 *                     an end mark overwritten (a write past the block's end,
 *                     or before the next block's start): the process stops;
 *                     a free-list link overwritten after its block was freed
 *                     (checked when followed): the process stops.
 *   HAKMEM_CHECK=1    also a free racing with another free of the same block
 *                     (both saw the mark still set): the owner's free looks
 *                     for the block in the slab's free lists.
 * With HAKMEM_ABORT_ON_ERROR=1 a report is followed by abort().
 */
#include "internal.h"

/* Push the chain head..tail of blocks of slab s (of SuperSlab ss) onto its
 * thread_free, unless the owner asked to be notified: then take BUSY and
 * hand the chain to the owner heap's delayed list instead. */
static void remote_push(hak_ss_t *ss, hak_slab_t *s, hak_block_t *head, hak_block_t *tail) {
  uintptr_t tf = atomic_load_explicit(&s->thread_free, memory_order_relaxed);
  uintptr_t next;
  do {
    if (_hak_tf_state(tf) == HAK_TF_NOTIFY) {
      next = _hak_tf_make(_hak_tf_block(tf), HAK_TF_BUSY);
    } else {
      _hak_link_set(tail, _hak_tf_block(tf));
      next = _hak_tf_make(head, _hak_tf_state(tf));
    }
  } while (!atomic_compare_exchange_weak_explicit(&s->thread_free, &tf, next, memory_order_acq_rel,
                                                  memory_order_relaxed));
  if (_hak_tf_state(tf) != HAK_TF_NOTIFY) return;
  /* (acq_rel above: taking BUSY synchronizes with whoever set NOTIFY, so
   * the owner read below is the one that asked.) */

  /* We hold BUSY: the owner cannot abandon or release this slab, so the
   * owner we read now stays valid until we clear it. */
  hak_heap_t *h = atomic_load_explicit(&ss->owner, memory_order_acquire);
  if (h != NULL) {
    hak_block_t *top = atomic_load_explicit(&h->delayed, memory_order_relaxed);
    do {
      _hak_link_set(tail, top);
    } while (!atomic_compare_exchange_weak_explicit(&h->delayed, &top, head, memory_order_release,
                                                    memory_order_relaxed));
  }
  /* BUSY -> NORMAL (or, with no owner, push the chain after all). */
  tf = atomic_load_explicit(&s->thread_free, memory_order_relaxed);
  do {
    hak_block_t *list = _hak_tf_block(tf);
    if (h == NULL) {
      _hak_link_set(tail, list);
      list = head;
    }
    next = _hak_tf_make(list, HAK_TF_NORMAL);
  } while (!atomic_compare_exchange_weak_explicit(&s->thread_free, &tf, next, memory_order_release,
                                                  memory_order_relaxed));
}

/* noinline: one call in HAK_REMOTE_BATCH; inlined, its registers would make
 * every remote free save and restore them. */
static hak_noinline void remote_flush(hak_heap_t *h, unsigned i) {
  hak_remote_chain_t *c = &h->remote[i];
  remote_push(_hak_ss_of(c->slab), c->slab, c->head, c->tail);
  c->slab = NULL;
  c->count = 0;
  h->remote_used &= ~(1u << i);
}

void _hak_remote_flush_all(hak_heap_t *h) {
  while (h->remote_used != 0) remote_flush(h, (unsigned)__builtin_ctz(h->remote_used));
}

hak_inline unsigned remote_slot(const hak_slab_t *s) {
  return ((uintptr_t)s >> HAK_SLAB_RECORD_SHIFT) & (HAK_REMOTE_SLOTS - 1);
}

/* _hak_free_other past its common case. */
static hak_noinline void free_other_slow(hak_heap_t *me, hak_ss_t *ss, hak_slab_t *s, hak_block_t *b) {
  hak_heap_t *owner = atomic_load_explicit(&ss->owner, memory_order_acquire);
  if (owner == me) {                        /* ours, but flags are set */
    _hak_slab_free_local_slow(owner, ss, s, b);
    return;
  }
  uint8_t f = atomic_load_explicit(&s->flags, memory_order_relaxed);
  if (hak_unlikely(f & HAK_SLAB_CHECK)) {  /* no chains: the owner checks each block */
    remote_push(ss, s, b, b);
    return;
  }
  if (hak_unlikely(!me->initialized)) {
    /* This thread has no heap. Before its first malloc, a successor thread
     * that starts by freeing its predecessor's blocks should own them, not
     * leave them to whichever thread adopts next (its frees there would all
     * be remote): it takes over their heap if that waits for a successor
     * (heap.c, "Hand-over"), or makes a heap and reclaims their abandoned
     * SuperSlab below. After its own heap was handed over (thread exit:
     * glibc frees per-thread buffers after the TSD destructors), never:
     * nothing would hand the heap over again. */
    if (me != &_hak_heap_exited && owner != NULL && _hak_heap_take_over(owner)) {
      _hak_slab_free_local_slow(owner, ss, s, b);
      return;
    }
    if (owner != NULL || me == &_hak_heap_exited || (me = _hak_heap_init_thread()) == NULL) {
      remote_push(ss, s, b, b);          /* no heap, no buffer */
      return;
    }
  }
  /* Abandoned: make it ours, if this thread allocates. The malloc slow
   * path refills reclaim_budget, so a thread that only frees (a consumer of
   * dead threads' blocks) takes at most HAK_RECLAIM_BUDGET SuperSlabs and
   * leaves the rest to threads that will reuse their free space. */
  if (owner == NULL && me->reclaim_budget != 0 && _hak_ss_reclaim(me, ss)) {
    me->reclaim_budget--;
    _hak_slab_free_local_slow(me, ss, s, b);
    return;
  }
  unsigned i = remote_slot(s);
  hak_remote_chain_t *c = &me->remote[i];
  if (c->slab != s) {
    if (c->slab != NULL) remote_flush(me, i);
    c->slab = s;
    me->remote_used |= 1u << i;
    c->tail = b;
    _hak_link_set(b, NULL);
  } else {
    _hak_link_set(b, c->head);
  }
  c->head = b;
  if (++c->count >= HAK_REMOTE_BATCH) remote_flush(me, i);
}

/* A block freed by a thread that does not own its SuperSlab (or owns it,
 * but the slab's flags are set). Common case: this thread already holds a
 * chain for the block's slab with room left; the block joins it, nothing
 * else to check (free() checked the block itself): that chain's first
 * block passed every test below, and
 * none of their outcomes can change while the chain holds blocks of the
 * slab (the slab cannot be released; a CHECK slab never gets a chain; a
 * heap-less thread has none; should this thread have taken over the
 * SuperSlab meanwhile, the chain still goes to the slab's thread_free,
 * which its owner collects). */
void _hak_free_other(hak_ss_t *ss, hak_slab_t *s, hak_block_t *b) {
  hak_heap_t *me = _hak_tls_heap;
  hak_remote_chain_t *c = &me->remote[remote_slot(s)];
  if (hak_likely(c->slab == s && c->count < HAK_REMOTE_BATCH - 1)) {
    _hak_link_set(b, c->head);
    c->head = b;
    c->count++;
    return;
  }
  free_other_slow(me, ss, s, b);
}

/* Not a SuperSlab pointer: NULL, a large block, or not ours at all. */
void _hak_free_slow(void *p, const char *fn) {
  if (p == NULL) return;
  uintptr_t a = (uintptr_t)p;
  unsigned kind;
  if ((a & HAK_BAD_PTR_BITS) == 0 && (kind = _hak_chunk_kind(a)) != HAK_CHUNK_NONE) {
    _hak_large_free(p, kind, fn);
    return;
  }
  _hak_error(fn, "invalid pointer", p);
}

/* free() refused b: not a carved block start of s (its slab record), or
 * its end mark is not the secret: 0 (freed already), or overwritten. */
void _hak_free_rejected(hak_slab_t *s, hak_block_t *b, const char *fn) {
  if (!_hak_block_in_slab(s, (uintptr_t)b)) _hak_error(fn, "invalid pointer", b);
  else if (*_hak_mark_of(s, b) == 0) _hak_error(fn, "double free", b);
  else _hak_mark_corrupt(fn, b);
}

/* Is p a carved block start of some slab of ours? (Links that cross slabs:
 * the delayed list.) */
int _hak_block_owned(const void *p) {
  uintptr_t a = (uintptr_t)p;
  unsigned kind;
  if ((a & HAK_BAD_PTR_BITS) != 0 || (kind = _hak_chunk_kind(a)) < HAK_CHUNK_SS_MIN) return 0;
  return _hak_block_in_slab(_hak_slab_at(_hak_ss_of(p), p, kind), a);
}

void _hak_mark_corrupt(const char *fn, const void *b) {
  _hak_corrupt_in(fn, "block end (written past the end of this block or before the start of the next)", b);
}

void _hak_link_corrupt(const hak_block_t *b) {
  _hak_corrupt("free list (a freed block was written to: use after free or overflow)", b);
}

void *_hak_free_list_corrupt(const hak_slab_t *s) {
  _hak_corrupt("free list (a freed block was written to: use after free or overflow)", s->free);
}

/* HAKMEM_CHECK, the owner's free of p (a carved block start of s whose end
 * mark was still set): is it on one of s's free lists anyway (a double free
 * that raced with the first one's clearing of the mark)? The walk is
 * bounded by capacity and follows only checked links. */
int _hak_block_check(hak_slab_t *s, const void *p, const char *fn) {
  _hak_slab_collect(s);
  uint32_t n = 0;
  for (hak_block_t *f = s->free; f != NULL; f = _hak_link_next(s, f)) {
    if (f == p) {
      _hak_error(fn, "double free", p);
      return 0;
    }
    if (++n > s->capacity) _hak_corrupt("free list (cycle)", s);
  }
  return 1;
}

hak_export void hak_free(void *p) { _hak_free_fast(p, "free"); }
