/* free.c: free() beyond the owner's fast path: remote frees, large blocks,
 * pointers hakmem does not own, and the HAKMEM_CHECK validation.
 *
 * What is detected:
 *   always            NULL (ignored); pointers outside every SuperSlab and
 *                     large block (stack, mmap, other allocators, garbage);
 *                     pointers not 16-byte aligned; pointers into the middle
 *                     of a large block; a second free of a large block;
 *                     pointers into a slab slot that serves no class.
 *   HAKMEM_CHECK=1    pointers into the middle of a small block, and a small
 *                     block freed twice while the first free is still on its
 *                     slab's lists (a second free by the owning thread,
 *                     or any free after the owner collected the first).
 *   never             a double free of a small block by two non-owner
 *                     threads before the owner looks at the slab: it makes
 *                     the remote-free stack cyclic (as in every allocator
 *                     without per-block headers, the behaviour is undefined).
 */
#include "internal.h"

/* Push the chain head..tail of blocks of slab s (of SuperSlab ss) onto its
 * thread_free, unless the owner asked to be notified: then take BUSY and
 * hand the chain to the owner heap's delayed list instead. */
static void remote_push(hak_ss_t *ss, hak_slab_t *s, hak_block_t *head, hak_block_t *tail) {
  uintptr_t tf = atomic_load_explicit(&s->thread_free, memory_order_relaxed);
  uintptr_t next;
  do {
    if ((tf & HAK_TF_STATE) == HAK_TF_NOTIFY) {
      next = (tf & ~(uintptr_t)HAK_TF_STATE) | HAK_TF_BUSY;
    } else {
      tail->next = (hak_block_t *)(tf & ~(uintptr_t)HAK_TF_STATE);
      next = (uintptr_t)head | (tf & HAK_TF_STATE);
    }
  } while (!atomic_compare_exchange_weak_explicit(&s->thread_free, &tf, next, memory_order_acq_rel,
                                                  memory_order_relaxed));
  if ((tf & HAK_TF_STATE) != HAK_TF_NOTIFY) return;
  /* (acq_rel above: taking BUSY synchronizes with whoever set NOTIFY, so
   * the owner read below is the one that asked.) */

  /* We hold BUSY: the owner cannot abandon or release this slab, so the
   * owner we read now stays valid until we clear it. */
  hak_heap_t *h = atomic_load_explicit(&ss->owner, memory_order_acquire);
  if (h != NULL) {
    hak_block_t *top = atomic_load_explicit(&h->delayed, memory_order_relaxed);
    do {
      tail->next = top;
    } while (!atomic_compare_exchange_weak_explicit(&h->delayed, &top, head, memory_order_release,
                                                    memory_order_relaxed));
  }
  /* BUSY -> NORMAL (or, with no owner, push the chain after all). */
  tf = atomic_load_explicit(&s->thread_free, memory_order_relaxed);
  do {
    uintptr_t list = tf & ~(uintptr_t)HAK_TF_STATE;
    if (h == NULL) {
      tail->next = (hak_block_t *)list;
      list = (uintptr_t)head;
    }
    next = list | HAK_TF_NORMAL;
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
  if (hak_unlikely(f & HAK_SLAB_UNUSED)) {
    _hak_error("free", "invalid pointer", b);
    return;
  }
  if (hak_unlikely(f & HAK_SLAB_CHECK)) {
    if (_hak_block_check(ss, s, b, "free")) remote_push(ss, s, b, b);
    return;
  }
  if (hak_unlikely(me == &_hak_heap_empty)) {
    /* This thread has no heap yet. Into an abandoned SuperSlab, make one and
     * reclaim it below: a successor thread that starts by freeing its
     * predecessor's blocks should own them, not leave them to whichever
     * thread adopts next (its frees there would all be remote). */
    if (owner != NULL || (me = _hak_heap_init_thread()) == NULL) {
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
    b->next = NULL;
  } else {
    b->next = c->head;
  }
  c->head = b;
  if (++c->count >= HAK_REMOTE_BATCH) remote_flush(me, i);
}

/* A block freed by a thread that does not own its SuperSlab (or owns it,
 * but the slab's flags are set). Common case: this thread already holds a
 * chain for the block's slab with room left; the block joins it, nothing
 * else to check: that chain's first block passed every test below, and
 * none of their outcomes can change while the chain holds blocks of the
 * slab (the slab cannot be released; a CHECK slab never gets a chain; a
 * heap-less thread has none; should this thread have taken over the
 * SuperSlab meanwhile, the chain still goes to the slab's thread_free,
 * which its owner collects). */
void _hak_free_other(hak_ss_t *ss, hak_slab_t *s, hak_block_t *b) {
  hak_heap_t *me = _hak_tls_heap;
  hak_remote_chain_t *c = &me->remote[remote_slot(s)];
  if (hak_likely(c->slab == s && c->count < HAK_REMOTE_BATCH - 1)) {
    b->next = c->head;
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
  if ((a & HAK_BAD_PTR_BITS) == 0 && (a & HAK_SS_MASK) == 0 && _hak_chunk_kind(a) == HAK_CHUNK_LARGE) {
    _hak_large_free(p, fn);
    return;
  }
  _hak_error(fn, "invalid pointer", p);
}

/* HAKMEM_CHECK: is p the start of a block of s, and (when we own s) not
 * already free? Reports and returns 0 when not. */
int _hak_block_check(hak_ss_t *ss, hak_slab_t *s, const void *p, const char *fn) {
  uintptr_t off = (uintptr_t)p - (uintptr_t)s->start;
  uint32_t bsize = _hak_block_size(s);
  if ((uintptr_t)p < (uintptr_t)s->start || off % bsize != 0 || off / bsize >= s->capacity) {
    _hak_error(fn, "invalid pointer", p);
    return 0;
  }
  hak_heap_t *h = _hak_tls_heap;
  if (_hak_owner(ss) != h) return 1;
  _hak_slab_collect(s);
  for (hak_block_t *f = s->free; f != NULL; f = f->next) {
    if (f == p) {
      _hak_error(fn, "double free", p);
      return 0;
    }
  }
  return 1;
}

hak_export void hak_free(void *p) { _hak_free_fast(p, "free"); }
