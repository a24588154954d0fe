/* valid.c: invariant checkers, compiled into every build and called only
 * through hak_check_slab / hak_check_heap (internal.h), which the debug
 * build (HAKMEM_DEBUG=2) turns on at each state change of a slab or a
 * SuperSlab, as mimalloc's expensive assertions do. A broken invariant goes
 * to _hak_assert_fail with the condition's text and its line here: the
 * process stops where the state first went wrong, not where a bad block is
 * handed out later.
 *
 * The checks read only what the owner heap writes, so they are valid on
 * the owner's thread between two of its operations. */
#include "internal.h"

#define CHECK(c) ((c) ? (void)0 : _hak_assert_fail(#c, __FILE__, __LINE__))

/* A slab serving a class, seen by its owner h:
 *   - its record agrees with itself: a class, a nonzero block-start limit,
 *     reserved blocks that fit in its slot, capacity <= reserved,
 *     used <= capacity;
 *   - fast_owner is h exactly when no flag is set, else NULL;
 *   - every block on its free list is a carved block start of this slab,
 *     the list has no cycle, and capacity == used + its length (blocks freed
 *     by other threads and not yet collected still count in used). */
void _hak_slab_check(const hak_heap_t *h, const hak_slab_t *s) {
  const hak_ss_t *ss = _hak_ss_of(s);
  uint8_t flags = atomic_load_explicit(&s->flags, memory_order_relaxed);
  hak_heap_t *fast = atomic_load_explicit(&s->fast_owner, memory_order_relaxed);
  CHECK(!(ss->free_mask & (1u << s->slot)));
  CHECK(!(flags & HAK_SLAB_UNUSED));
  CHECK(s->cls < HAK_NCLASSES);
  uint32_t bsize = _hak_block_size(s);
  CHECK(bsize == _hak_class_size[s->cls]);      /* the record's copy, for the fast paths */
  CHECK(s->capacity != 0 && s->div_lim == (uint64_t)s->capacity * (uint64_t)(bsize * s->div_mul));
  const uint8_t *slot_end = (const uint8_t *)ss + ((size_t)(s->slot + 1) << ss->slab_shift);
  CHECK(s->start + (size_t)s->reserved * bsize <= slot_end);
  CHECK(s->capacity <= s->reserved);
  CHECK(s->used <= s->capacity);
  CHECK(flags == 0 ? fast == h : fast == NULL);
  uint32_t n = 0;
  for (const hak_block_t *b = s->free; b != NULL; b = _hak_link_get(b)) {
    CHECK(_hak_block_in_slab(s, (uintptr_t)b));
    CHECK((size_t)((const uint8_t *)b - s->start) / bsize < s->capacity);
    CHECK(++n <= s->capacity);           /* no cycle */
  }
  CHECK(s->capacity == s->used + n);
}

/* A SuperSlab owned by h: the slot masks nest (dirty_old within dirty
 * within free within the slots it has), a free slot serves no class and a
 * used one serves a class, and it is on h's avail list when it has a free
 * slot. Returns the bytes of its dirty slots. */
static size_t ss_check(const hak_heap_t *h, const hak_ss_t *ss) {
  CHECK(atomic_load_explicit(&ss->owner, memory_order_relaxed) == h);
  CHECK((ss->free_mask & ~_hak_ss_all_slots(ss)) == 0);
  CHECK((ss->dirty_mask & ~ss->free_mask) == 0);
  CHECK((ss->dirty_old_mask & ~ss->dirty_mask) == 0);
  CHECK(ss->free_mask == 0 || ss->in_avail);
  CHECK(!ss->abandoned);
  for (unsigned i = 0; i < ss->nslabs; i++) {
    const hak_slab_t *s = &ss->slabs[i];
    uint8_t flags = atomic_load_explicit(&s->flags, memory_order_relaxed);
    if (ss->free_mask & (1u << i)) CHECK((flags & HAK_SLAB_UNUSED) && s->div_lim == 0);
    else CHECK(!(flags & HAK_SLAB_UNUSED) && s->div_lim != 0);
  }
  return (size_t)__builtin_popcount(ss->dirty_mask) << ss->slab_shift;
}

/* Every SuperSlab of h (ss_check), and h's dirty bytes are the sum of
 * theirs. Free lists are not walked here (hak_check_slab does it for the
 * slab that changed), so this costs O(SuperSlabs). */
void _hak_heap_check(const hak_heap_t *h) {
  size_t dirty = 0;
  for (const hak_ss_t *ss = h->ss_all; ss; ss = ss->next) dirty += ss_check(h, ss);
  CHECK(dirty == h->dirty_bytes);
  for (unsigned k = 0; k < HAK_SS_KINDS; k++)
    for (const hak_ss_t *ss = h->ss_avail[k]; ss; ss = ss->avail_next)
      CHECK(ss->in_avail && ss->kind == k && ss->free_mask != 0);
}
