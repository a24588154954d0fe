/* superslab.c: SuperSlabs: mapping, the ownership map, the global cache of
 * empty ones, and abandoning / adopting those of exited threads.
 *
 * Life of a SuperSlab: mapped (or taken from the cache) by a heap that needs
 * a slab -> owned by that heap, slots handed out as slabs -> either every
 * slot becomes free again (released: to the bounded cache, or unmapped) or
 * its thread exits with live blocks in it (abandoned: owner NULL, on the
 * global abandoned list; remote frees keep landing on its slabs'
 * thread_free) -> adopted by the next heap that needs a slab of its kind,
 * which collects those frees and lists its slabs as its own.
 *
 * The global lists are guarded by _hak_global_lock (slow path only).
 */
#include <string.h>
#include "internal.h"

#define HAK_SS_CACHE_MAX   8        /* empty SuperSlabs kept mapped, decommitted */
#define HAK_ADOPT_MAX      8        /* abandoned SuperSlabs adopted per call */
#define HAK_HEAP_DIRTY_MAX ((size_t)16 << 20) /* committed free slots per heap */
#define HAK_DIRTY_ALL_MAX  ((size_t)64 << 20) /* ... and in all heaps together */
#define HAK_SLOT_DECAY_MS  1000     /* a dirty slot free for 1-2 s is decommitted */
#define HAK_SS_HEADER_BYTES ((sizeof(hak_ss_t) + HAK_PAGE - 1) & ~(size_t)(HAK_PAGE - 1))

_Atomic uint8_t _hak_chunk_map[HAK_MAP_CHUNKS];

static hak_ss_t *ss_cache;          /* singly linked through ->next */
static _Atomic unsigned ss_cache_count;  /* written under the global lock */
static hak_ss_t *ss_abandoned[HAK_SS_KINDS];   /* doubly linked: next/prev */
/* How many abandoned SuperSlabs of each kind had room in each class, how
 * many had free blocks in it (room_classes, free_classes), and how many
 * have a free slot (all fixed while abandoned: nobody owns them), so that a
 * heap searches the list only when it holds a match. Written under the
 * global lock. */
static _Atomic unsigned abandoned_room[HAK_SS_KINDS][HAK_NCLASSES];
static _Atomic unsigned abandoned_free[HAK_SS_KINDS][HAK_NCLASSES];
static _Atomic unsigned abandoned_slots[HAK_SS_KINDS];
static uint64_t abandon_seq;        /* SuperSlabs abandoned so far (global lock) */
/* A heap that has a free slot adopts for free blocks only SuperSlabs
 * abandoned HAK_ADOPT_AGE abandons ago or more: the younger ones are left to
 * the exited thread's successor, whose frees reclaim them (step 4 of the
 * README's "Life of a block"). Taken by another heap, the successor's frees
 * there would be remote, and its own allocations would map new SuperSlabs
 * (Larson's figures: commit 55a9a1f). */
#define HAK_ADOPT_AGE 16

/* ---- per-heap lists -------------------------------------------------------- */
void _hak_ss_list_push(hak_ss_t **head, hak_ss_t *ss) {
  ss->prev = NULL;
  ss->next = *head;
  if (*head) (*head)->prev = ss;
  *head = ss;
}

void _hak_ss_list_remove(hak_ss_t **head, hak_ss_t *ss) {
  if (ss->prev) ss->prev->next = ss->next; else *head = ss->next;
  if (ss->next) ss->next->prev = ss->prev;
  ss->next = ss->prev = NULL;
}

void _hak_ss_avail_add(hak_heap_t *h, hak_ss_t *ss) {
  if (ss->in_avail) return;
  hak_ss_t **head = &h->ss_avail[ss->kind];
  ss->avail_prev = NULL;
  ss->avail_next = *head;
  if (*head) (*head)->avail_prev = ss;
  *head = ss;
  ss->in_avail = 1;
}

/* ss goes first on its avail list (new slabs come from there). */
void _hak_ss_avail_front(hak_heap_t *h, hak_ss_t *ss) {
  if (ss->in_avail && h->ss_avail[ss->kind] == ss) return;
  _hak_ss_avail_remove(h, ss);
  _hak_ss_avail_add(h, ss);
}

void _hak_ss_avail_remove(hak_heap_t *h, hak_ss_t *ss) {
  if (!ss->in_avail) return;
  if (ss->avail_prev) ss->avail_prev->avail_next = ss->avail_next;
  else h->ss_avail[ss->kind] = ss->avail_next;
  if (ss->avail_next) ss->avail_next->avail_prev = ss->avail_prev;
  ss->avail_next = ss->avail_prev = NULL;
  ss->in_avail = 0;
}

/* ---- slots ---------------------------------------------------------------
 * A free slot is dirty (its pages still committed: reused first, with no
 * system call and no page fault) or clean (decommitted), so a SuperSlab
 * pinned by a few live blocks does not pin its memory for long. A heap keeps
 * at most HAK_HEAP_DIRTY_MAX bytes of dirty slots, and all heaps together
 * HAK_DIRTY_ALL_MAX (idle threads cannot pile them up); past that a freed
 * slot is decommitted at once. Below it, dirty slots go by decay: a slot still free
 * and dirty at two decay ticks in a row (1-2 s apart) is decommitted at the
 * second, and a SuperSlab that was kept only for its dirty slots (every slot
 * free) is then released. The ticks run on the heap's slot events (a slab
 * given back, a new slab), so an idle thread keeps its dirty slots until it
 * allocates again, exits (decommitted then) or calls hak_collect().
 * A program that frees a burst of blocks (a garbage collection, the end of
 * a request) and allocates as many again within a second pays no madvise
 * and no page fault for them (the bound was 1 MiB with no decay before:
 * lua's and python's collections then refaulted most of their heap). */
static size_t slot_bytes(const hak_ss_t *ss) { return (size_t)1 << ss->slab_shift; }

/* _hak_counters.slot_dirty: the dirty slot bytes of every heap */
static void dirty_add(hak_heap_t *h, const hak_ss_t *ss) {
  h->dirty_bytes += slot_bytes(ss);
  hak_count_add(slot_dirty, slot_bytes(ss));
}
static void dirty_sub(hak_heap_t *h, const hak_ss_t *ss) {
  h->dirty_bytes -= slot_bytes(ss);
  hak_count_sub(slot_dirty, slot_bytes(ss));
}

static void slot_decommit(hak_ss_t *ss, unsigned i) {
  uint8_t *base = (uint8_t *)ss + ((size_t)i << ss->slab_shift);
  uint8_t *end = base + slot_bytes(ss);
  if (i == 0) base = (uint8_t *)ss + HAK_SS_HEADER_BYTES;
  _hak_os_decommit(base, (size_t)(end - base));
  hak_count_add(slot_decommits, 1);
}

void _hak_ss_slot_free(hak_heap_t *h, hak_ss_t *ss, unsigned i, int may_keep_dirty) {
  ss->free_mask |= 1u << i;
  if (may_keep_dirty && h->dirty_bytes + slot_bytes(ss) <= HAK_HEAP_DIRTY_MAX &&
      atomic_load_explicit(&_hak_counters.slot_dirty, memory_order_relaxed) + slot_bytes(ss) <= HAK_DIRTY_ALL_MAX) {
    ss->dirty_mask |= 1u << i;
    dirty_add(h, ss);
  } else {
    slot_decommit(ss, i);
  }
}

unsigned _hak_ss_slot_take(hak_heap_t *h, hak_ss_t *ss) {
  uint32_t dirty = ss->free_mask & ss->dirty_mask;
  unsigned i = (unsigned)__builtin_ctz(dirty ? dirty : ss->free_mask);
  if (dirty) {
    ss->dirty_mask &= ~(1u << i);
    ss->dirty_old_mask &= ~(1u << i);
    dirty_sub(h, ss);
  }
  ss->free_mask &= ~(1u << i);
  if (ss->free_mask == 0) _hak_ss_avail_remove(h, ss);
  return i;
}

/* Slots `m` of ss stop being dirty: decommitted, or (decommit 0) the heap
 * lets go of them with ss. */
static void ss_forget_dirty(hak_heap_t *h, hak_ss_t *ss, uint32_t m, int decommit) {
  for (uint32_t r = m; r; r &= r - 1) {
    if (decommit) slot_decommit(ss, (unsigned)__builtin_ctz(r));
    dirty_sub(h, ss);
  }
  ss->dirty_mask &= ~m;
  ss->dirty_old_mask &= ~m;
}

/* Decommit the dirty slots `m` of each of h's SuperSlabs (`old`: those
 * already old at the last tick, else all), and release each SuperSlab left
 * with every slot free. */
static void heap_decommit(hak_heap_t *h, int old) {
  hak_ss_t *ss = h->ss_all;
  while (ss) {
    hak_ss_t *next = ss->next;
    uint32_t m = old ? ss->dirty_mask & ss->dirty_old_mask : ss->dirty_mask;
    if (m) ss_forget_dirty(h, ss, m, 1);
    ss->dirty_old_mask = ss->dirty_mask;
    if (m && ss->free_mask == _hak_ss_all_slots(ss) && ss->dirty_mask == 0)
      _hak_ss_release(h, ss);            /* may unmap ss */
    ss = next;
  }
}

/* hak_collect(): decommit every dirty free slot of h. */
void _hak_ss_decommit_dirty(hak_heap_t *h) { heap_decommit(h, 0); }

/* A decay tick, when one is due (see "slots" above). The coarse clock is a
 * vDSO read; the walk of h's SuperSlabs happens at most once a tick, and so
 * does the large heap's decay check (large.c), which otherwise runs only at
 * large frees. */
void _hak_ss_decay(hak_heap_t *h) {
  uint32_t now = _hak_os_clock_ms();
  if (now - h->decay_last < HAK_SLOT_DECAY_MS) return;   /* unsigned: wraps */
  h->decay_last = now;
  if (h->dirty_bytes != 0) heap_decommit(h, 1);
  _hak_large_decay(h, now);
}

/* ---- creation ------------------------------------------------------------ */
static void ss_format(hak_ss_t *ss, int kind) {
  ss->kind = (uint8_t)kind;
  ss->slab_shift = kind == HAK_SS_SMALL ? HAK_SLAB_SHIFT_SMALL : HAK_SLAB_SHIFT_MEDIUM;
  ss->nslabs = (uint8_t)(HAK_SS_SIZE >> ss->slab_shift);
  ss->free_mask = _hak_ss_all_slots(ss);
  ss->dirty_mask = ss->dirty_old_mask = 0;
  ss->next = ss->prev = ss->avail_next = ss->avail_prev = NULL;
  ss->in_avail = 0;
  ss->abandoned = 0;
  for (unsigned i = 0; i < HAK_MAX_SLABS; i++) {
    hak_slab_t *s = &ss->slabs[i];
    memset(s, 0, sizeof *s);
    s->slot = (uint16_t)i;
    _hak_slab_set_flags(s, NULL, HAK_SLAB_UNUSED);
  }
}

static hak_ss_t *ss_map_new(void) {
  void *base; size_t mapped;
  hak_ss_t *ss = _hak_os_map_aligned(HAK_SS_SIZE, HAK_SS_SIZE, 0, &base, &mapped);
  if (ss == NULL) return NULL;
  hak_count_add(mapped, HAK_SS_SIZE);
  hak_count_add(superslabs, 1);
  hak_count_add(ss_mapped_total, 1);
  return ss;
}

static void ss_take(hak_heap_t *h, hak_ss_t *ss) {
  atomic_store_explicit(&ss->owner, h, memory_order_release);
  _hak_chunk_set((uintptr_t)ss, ss->slab_shift);
  _hak_ss_list_push(&h->ss_all, ss);
  if (ss->free_mask) _hak_ss_avail_add(h, ss);
}

/* Make an abandoned SuperSlab ours: collect what other threads freed into
 * it, release empty slabs, list the others. Returns 0 if it was entirely
 * empty and got released. */
static int ss_adopt(hak_heap_t *h, hak_ss_t *ss) {
  atomic_store_explicit(&ss->owner, h, memory_order_release);
  _hak_ss_list_push(&h->ss_all, ss);
  hak_count_add(adopted, 1);
  uint8_t check = _hak_options.check ? HAK_SLAB_CHECK : 0;
  for (unsigned i = 0; i < ss->nslabs; i++) {
    hak_slab_t *s = &ss->slabs[i];
    if (ss->free_mask & (1u << i)) continue;
    _hak_slab_collect(s);
    s->next = s->prev = NULL;
    if (s->used == 0) {
      _hak_slab_retire(s);
      _hak_ss_slot_free(h, ss, i, 1);
      continue;
    }
    /* A slab with no room stays off the list, marked FULL with NOTIFY set
     * (as in the malloc slow path); if a block sneaks in first, list it. */
    uintptr_t expect = _hak_tf_make(NULL, HAK_TF_NORMAL);
    if (s->free == NULL && s->capacity == s->reserved &&
        atomic_compare_exchange_strong_explicit(&s->thread_free, &expect, (uintptr_t)HAK_TF_NOTIFY,
                                                memory_order_acq_rel, memory_order_relaxed)) {
      _hak_slab_set_flags(s, h, (uint8_t)(check | HAK_SLAB_FULL));
    } else {
      _hak_slab_collect(s);
      _hak_slab_set_flags(s, h, check);
      _hak_slab_list_push_back(h, s);
    }
  }
  if (ss->free_mask == _hak_ss_all_slots(ss)) {
    _hak_ss_release(h, ss);
    return 0;
  }
  if (ss->free_mask) _hak_ss_avail_add(h, ss);
  hak_check_heap(h);
  return 1;
}

/* The abandoned lists and their counts change only here (global lock held). */
static void count_add(_Atomic unsigned *c, int delta) {
  atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + (unsigned)delta, memory_order_relaxed);
}

static void abandoned_count(const hak_ss_t *ss, int delta) {
  for (uint64_t m = ss->room_classes; m; m &= m - 1) count_add(&abandoned_room[ss->kind][__builtin_ctzll(m)], delta);
  for (uint64_t m = ss->free_classes; m; m &= m - 1) count_add(&abandoned_free[ss->kind][__builtin_ctzll(m)], delta);
  if (ss->free_mask) count_add(&abandoned_slots[ss->kind], delta);
}

static void abandoned_push(hak_ss_t *ss) {
  ss->abandon_seq = abandon_seq++;
  _hak_ss_list_push(&ss_abandoned[ss->kind], ss);
  ss->abandoned = 1;
  abandoned_count(ss, 1);
}

static void abandoned_remove(hak_ss_t *ss) {
  _hak_ss_list_remove(&ss_abandoned[ss->kind], ss);
  ss->abandoned = 0;
  abandoned_count(ss, -1);
}

/* Take one abandoned SuperSlab of `kind` off the global list, or NULL. */
static hak_ss_t *abandoned_pop(int kind) {
  _hak_lock(&_hak_global_lock);
  hak_ss_t *ss = ss_abandoned[kind];
  if (ss) abandoned_remove(ss);
  _hak_unlock(&_hak_global_lock);
  return ss;
}

/* Take off the abandoned list of `kind` a SuperSlab that had a slab of
 * class cls with free blocks (free_classes) when its owner left and is
 * not young (HAK_ADOPT_AGE), or with
 * any_slot, one with room in cls (room_classes: free or not yet carved
 * blocks) else one with a free slot; NULL if none. The whole list is
 * searched: taking the first few whatever their classes (as before) left
 * the others' room unused while new SuperSlabs were mapped (under churn
 * with a long-lived set: commit a4b6e43). The counts let a heap
 * skip the lock and the search when no abandoned SuperSlab would do
 * (always so in a program whose threads do not exit); a search that
 * starts ends in an adoption unless every match is young. */
static hak_ss_t *abandoned_pop_for(int kind, unsigned cls, int any_slot) {
  _Atomic unsigned *count = any_slot ? &abandoned_room[kind][cls] : &abandoned_free[kind][cls];
  int room = atomic_load_explicit(count, memory_order_relaxed) != 0;
  if (!room && !(any_slot && atomic_load_explicit(&abandoned_slots[kind], memory_order_relaxed) != 0))
    return NULL;
  uint64_t bit = room ? (uint64_t)1 << cls : 0;
  _hak_lock(&_hak_global_lock);
  hak_ss_t *ss = ss_abandoned[kind], *slot = NULL;
  for (; ss != NULL; ss = ss->next) {
    if (any_slot ? ss->room_classes & bit
                 : (ss->free_classes & bit) && abandon_seq - ss->abandon_seq >= HAK_ADOPT_AGE)
      break;
    if (any_slot && ss->free_mask) {
      if (bit == 0) break;          /* no room to look for: the first slot */
      if (slot == NULL) slot = ss;
    }
  }
  if (ss == NULL) ss = slot;
  if (ss) abandoned_remove(ss);
  _hak_unlock(&_hak_global_lock);
  return ss;
}

/* h needs a slab of class cls (of `kind`): adopt an abandoned SuperSlab
 * with free blocks in that class (committed memory, before fresh pages),
 * or with any_slot one with room in it or a free slot. Returns 1 when h's list of cls (or with
 * any_slot, its SuperSlabs with free slots) is no longer empty. */
int _hak_ss_adopt_for(hak_heap_t *h, int kind, unsigned cls, int any_slot) {
  for (int n = 0; n < HAK_ADOPT_MAX; n++) {
    hak_ss_t *ss = abandoned_pop_for(kind, cls, any_slot);
    if (ss == NULL) return 0;
    ss_adopt(h, ss);
    if (h->cur[cls] != &_hak_slab_empty || (any_slot && h->ss_avail[kind] != NULL)) return 1;
  }
  return 0;
}

/* A SuperSlab of `kind` with a free slot, owned by h: from the cache, else
 * newly mapped. */
hak_ss_t *_hak_ss_acquire(hak_heap_t *h, int kind) {
  _hak_lock(&_hak_global_lock);
  hak_ss_t *ss = ss_cache;
  if (ss) { ss_cache = ss->next; ss_cache_count--; }
  _hak_unlock(&_hak_global_lock);
  if (ss) hak_count_add(ss_reused, 1);
  else ss = ss_map_new();
  if (ss == NULL) return NULL;
  ss_format(ss, kind);
  ss_take(h, ss);
  return ss;
}

/* Every slot is free: take it off the heap, keep it (decommitted) in the
 * cache, or unmap it. The cache changes in one critical section: a fork
 * between two of them would leave the child a count for an entry never
 * pushed (issue 11). The decommit, a system call, comes before it, when a
 * glance at the count says there is room; should the room be gone by then,
 * the SuperSlab is unmapped after all. */
void _hak_ss_release(hak_heap_t *h, hak_ss_t *ss) {
  ss_forget_dirty(h, ss, ss->dirty_mask, 0);
  _hak_ss_avail_remove(h, ss);
  _hak_ss_list_remove(&h->ss_all, ss);
  atomic_store_explicit(&ss->owner, NULL, memory_order_release);
  _hak_chunk_set((uintptr_t)ss, HAK_CHUNK_NONE);
  int room = atomic_load_explicit(&ss_cache_count, memory_order_relaxed) < HAK_SS_CACHE_MAX;
  if (room) _hak_os_decommit(ss, HAK_SS_SIZE);
  _hak_lock(&_hak_global_lock);
  int cached = room && ss_cache_count < HAK_SS_CACHE_MAX;
  if (cached) {
    ss->next = ss_cache;
    ss_cache = ss;
    ss_cache_count++;
  }
  _hak_unlock(&_hak_global_lock);
  if (!cached) {
    _hak_os_unmap(ss, HAK_SS_SIZE);
    hak_count_sub(mapped, HAK_SS_SIZE);
    hak_count_sub(superslabs, 1);
  }
}

/* The owner exits with live blocks here (its thread_free states are NORMAL
 * and no freer is BUSY: see _hak_heap_thread_exit). */
void _hak_ss_abandon(hak_heap_t *h, hak_ss_t *ss) {
  uint64_t room = 0, free = 0;
  for (unsigned i = 0; i < ss->nslabs; i++) {
    const hak_slab_t *s = &ss->slabs[i];
    if (ss->free_mask & (1u << i)) continue;
    if (s->used < s->reserved) room |= (uint64_t)1 << s->cls;
    if ((size_t)(s->capacity - s->used) * _hak_block_size(s) >= slot_bytes(ss) / 8) free |= (uint64_t)1 << s->cls;
  }
  ss_forget_dirty(h, ss, ss->dirty_mask, 1);
  _hak_ss_avail_remove(h, ss);
  _hak_ss_list_remove(&h->ss_all, ss);
  atomic_store_explicit(&ss->owner, NULL, memory_order_release);
  hak_count_add(abandoned, 1);
  _hak_lock(&_hak_global_lock);
  ss->room_classes = room;
  ss->free_classes = free;
  abandoned_push(ss);
  _hak_unlock(&_hak_global_lock);
}

/* A thread frees into an abandoned SuperSlab: make it that thread's own, so
 * this and its later frees there are local (the pattern of a server handing
 * a dead thread's objects to its successor). 0 if someone else got it first. */
int _hak_ss_reclaim(hak_heap_t *h, hak_ss_t *ss) {
  _hak_lock(&_hak_global_lock);
  int got = ss->abandoned;
  if (got) abandoned_remove(ss);
  _hak_unlock(&_hak_global_lock);
  /* The caller's block is live, so adopting cannot find ss empty. */
  if (got) {
    hak_count_add(reclaimed, 1);
    ss_adopt(h, ss);
  }
  return got;
}

/* hak_collect(): adopt every abandoned SuperSlab into h, which releases
 * those whose blocks have all been freed since their thread exited. */
void _hak_ss_adopt_all(hak_heap_t *h) {
  for (int kind = 0; kind < HAK_SS_KINDS; kind++)
    for (hak_ss_t *ss; (ss = abandoned_pop(kind)) != NULL;) ss_adopt(h, ss);
}

/* hak_collect(): unmap the cached empty SuperSlabs. */
void _hak_ss_collect_global(void) {
  _hak_lock(&_hak_global_lock);
  hak_ss_t *list = ss_cache;
  ss_cache = NULL;
  ss_cache_count = 0;
  _hak_unlock(&_hak_global_lock);
  while (list) {
    hak_ss_t *next = list->next;
    _hak_os_unmap(list, HAK_SS_SIZE);
    hak_count_sub(mapped, HAK_SS_SIZE);
    hak_count_sub(superslabs, 1);
    list = next;
  }
}
