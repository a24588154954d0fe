/* internal.h: hakmem's core types, constants and the inline fast paths.
 *
 * Glossary
 *   block      what malloc returns. No header: its size class is found from
 *              its address. Its last word is its end mark (see "Misuse"),
 *              outside what the program may use; a free block's first word
 *              links it into a list (mangled).
 *   slab       a 64 KiB (classes to 1 KiB) or 512 KiB (larger classes) piece of a
 *              SuperSlab that serves exactly one size class.
 *   SuperSlab  a 2 MiB region aligned to 2 MiB. Its header (at its start)
 *              holds the owner heap and one hak_slab_t record per slab, so
 *              block -> SuperSlab is a mask and -> slab is a shift.
 *   heap       one per thread (hak_heap_t, reached through initial-exec TLS):
 *              per class, a list of the slabs it allocates from. A heap owns
 *              whole SuperSlabs; only the owner touches its slabs' free lists.
 *   remote free  a block freed by a thread other than its SuperSlab's owner:
 *              gathered with others of the same slab in the freeing heap's
 *              remote buffer, then pushed as a chain onto the slab's
 *              lock-free thread_free stack (one CAS per chain), collected by
 *              the owner on its slow path.
 *   large block  above HAK_SMALL_MAX, up to HAK_SEG_BLOCK_MAX (32 MiB): a run
 *              of pages in a segment of the shared large page heap (large.c).
 *   segment    2..64 MiB aligned to its size: a header (one record per page)
 *              and page runs, each a live large block or free; free runs
 *              coalesce, and their pages are decommitted by decay.
 *   huge block above HAK_SEG_BLOCK_MAX (or aligned beyond what segments
 *              give): its own mapping, whose user pointer is 2 MiB-aligned
 *              and whose header sits in the page just before it (huge.c).
 *
 * Misuse detection (always on, O(1), no list walk):
 *   - free(p) accepts p only if the ownership map says p's chunk is ours
 *     and p is a block start of its slab (_hak_block_in_slab: one
 *     multiply, exact for interior pointers, the SuperSlab header and
 *     slots serving no class);
 *   - a small block's last word is its end mark: _hak_secret from the
 *     malloc that hands it out to its free, which sets it to 0. free
 *     compares it first: 0 is a double free (by any thread), reported and
 *     refused; anything else but the secret is a write past the block's end
 *     (or before the next block's start), and the process stops. The mark
 *     costs its 8 bytes: a request of n bytes takes the class of n + 8, and
 *     malloc_usable_size is the class size - 8. (An over-read of a live
 *     block shows the mark, as a use-after-free read shows a link: the
 *     secret guards against blind overwrites, not against reads);
 *   - free-list links are stored XORed with _hak_secret and checked before
 *     they are followed: a link that is not a block start of the same slab
 *     stops the process (the heap is corrupt: an overflow or a write after
 *     free). The remote lists' links are stored the same way;
 *   - a large block's run ends with a canary, and one on the quick list
 *     starts with a free key (large.c, "Guards"): an overwritten one stops
 *     the process at free, realloc or reuse.
 *
 * Ownership map (_hak_chunk_map): one byte per 2 MiB chunk of the 47-bit
 * address space says whether a SuperSlab starts there (and its slab shift),
 * the chunk belongs to a large-heap segment (and the segment's size), or a
 * huge block's user pointer is there. free() trusts a pointer only after
 * this lookup, so pointers hakmem does not own are never written.
 */
#ifndef HAKMEM_INTERNAL_H
#define HAKMEM_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include "hakmem.h"

/* ---- attributes -------------------------------------------------------- */
#define hak_likely(x)     __builtin_expect(!!(x), 1)
#define hak_unlikely(x)   __builtin_expect(!!(x), 0)
#define hak_noinline      __attribute__((noinline))
#define hak_inline        static inline __attribute__((always_inline))
#define hak_export        __attribute__((visibility("default")))
#define hak_cold          __attribute__((cold, noinline))

/* One step of a spin-wait loop: the CPU's hint that this is one (x86
 * pause, AArch64 yield), which frees the core for the sibling thread and
 * avoids the memory-order flush when the loop ends; nothing elsewhere. */
hak_inline void hak_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* Assertions in levels, set by one build variable, HAKMEM_DEBUG:
 *   0  release: only the always-on misuse checks (see "Misuse");
 *   1  hak_assert: internal assertions, O(1) each;
 *   2  also hak_check_slab / hak_check_heap: the invariant checkers of
 *      valid.c (a slab's free list walked, a heap's SuperSlabs and their
 *      masks), at every state change of a slab or SuperSlab.
 * The debug build (make debug, build/debug/libhakmem.so) is level 2. */
#if HAKMEM_DEBUG
#define hak_assert(c) ((c) ? (void)0 : _hak_assert_fail(#c, __FILE__, __LINE__))
#else
#define hak_assert(c) ((void)0)
#endif
#if HAKMEM_DEBUG >= 2
#define hak_check_slab(h, s) _hak_slab_check((h), (s))
#define hak_check_heap(h)    _hak_heap_check(h)
#else
#define hak_check_slab(h, s) ((void)0)
#define hak_check_heap(h)    ((void)0)
#endif

/* ---- geometry ---------------------------------------------------------- */
#define HAK_ALIGN          16u
#define HAK_SS_SHIFT       21                       /* 2 MiB SuperSlabs     */
#define HAK_SS_SIZE        ((uintptr_t)1 << HAK_SS_SHIFT)
#define HAK_SS_MASK        (HAK_SS_SIZE - 1)
#define HAK_SLAB_SHIFT_SMALL  16                    /* 64 KiB: 32 per SS    */
#define HAK_SLAB_SHIFT_MEDIUM 19                    /* 512 KiB: 4 per SS    */
#define HAK_MAX_SLABS      32
#define HAK_ADDR_BITS      47                       /* user address space   */
#define HAK_MAP_CHUNKS     ((size_t)1 << (HAK_ADDR_BITS - HAK_SS_SHIFT))
#define HAK_PAGE           4096u
#define HAK_PAGE_SHIFT     12

/* Size classes (sizeclass.c): 16-byte steps up to 128 B, four classes per
 * power of two up to 1 KiB, eight above, up to 32 KiB (60 classes).
 * Bound: a block of m bytes rounds up to <= m + m/4 + 16, and <= m + m/8
 * above 1 KiB (a request of n bytes needs m = n + HAK_MARK). */
#define HAK_NCLASSES       60
#define HAK_SMALL_MAX      32768u
#define HAK_TABLE_MAX      1040u      /* block sizes up to here map by table
                                         (1 KiB requests and their end mark) */
#define HAK_MARK           8u         /* a small block's end mark (bytes)   */
/* The largest requests served by a small block, and by the table: a block
 * holds the request and its end mark. */
#define HAK_SMALL_REQ_MAX  (HAK_SMALL_MAX - HAK_MARK)
#define HAK_TABLE_REQ_MAX  (HAK_TABLE_MAX - HAK_MARK)
#define HAK_SMALL_KIND_MAX 1024u      /* classes up to here use 64 KiB slabs */

/* ---- types --------------------------------------------------------------- */
/* A free block: link = next ^ _hak_secret (the next free block, or NULL).
 * Every class is >= 16 B: room for the link and the end mark. */
typedef struct hak_block_s {
  uintptr_t link;
} hak_block_t;
typedef struct hak_heap_s hak_heap_t;
typedef struct hak_ss_s hak_ss_t;

/* thread_free word: pointer to the top block, low 2 bits a state.
 *   NORMAL  remote frees push their block here.
 *   NOTIFY  the owner found the slab full and took it off its lists; the next
 *           remote freer sets BUSY, hands its block to the owner heap's
 *           delayed list (so the owner sees the slab has room again), then
 *           sets NORMAL. While BUSY the owner neither abandons nor releases
 *           the slab, so that freer may still read ss->owner and the heap.
 * Invariant: only the owner takes blocks off (all at once, by CAS), so the
 * stack has no ABA problem; pushes never need a version counter. */
enum { HAK_TF_NORMAL = 0, HAK_TF_NOTIFY = 1, HAK_TF_BUSY = 2, HAK_TF_STATE = 3 };
hak_inline hak_block_t *_hak_tf_block(uintptr_t tf) { return (hak_block_t *)(tf & ~(uintptr_t)HAK_TF_STATE); }
hak_inline uintptr_t _hak_tf_state(uintptr_t tf) { return tf & HAK_TF_STATE; }
hak_inline uintptr_t _hak_tf_make(hak_block_t *b, uintptr_t state) { return (uintptr_t)b | state; }

/* slab flags: non-zero sends the owner's free() to its slow path (through
 * fast_owner, see hak_slab_t). */
enum {
  HAK_SLAB_FULL   = 1,   /* off the heap's class list (no free block)    */
  HAK_SLAB_UNUSED = 2,   /* slot not serving any class                   */
  HAK_SLAB_CHECK  = 4,   /* HAKMEM_CHECK: validate every free            */
};

/* One per slab slot.
 * Invariant (owner's view): capacity (blocks carved) == used + length(free).
 * Blocks on thread_free or on the heap's delayed list still count as used,
 * so used == 0 means every carved block is back on `free`.
 * Only the owner thread reads or writes free, used, capacity, next/prev;
 * other threads read start, div_mul and div_lim on every free (the block
 * start test), and flags on their remote-free slow path.
 * start and div_mul are set when the slot starts serving a class; div_lim
 * grows with each carve (the owner's only write other threads read) and is
 * zeroed when the slot stops, so no pointer into it passes.
 * fast_owner is the owner heap when flags == 0, else NULL (never another
 * heap): free()'s fast path compares it with the caller's heap, one test for
 * "I own it and nothing special is going on". Kept in step with flags by
 * _hak_slab_set_flags; cleared on abandon, before the heap can be reused.
 * 256 bytes (a shift from the slab index), one cache line per kind of use,
 * so threads do not steal lines from each other:
 *   line 0  read by every free of the slab's blocks, written rarely
 *           (fast_owner, flags, cls): stays shared in every freer's cache;
 *   line 1  thread_free, the target of other threads' frees;
 *   line 2  written by the owner's every malloc and free (free, used).
 * Line 3 is padding; with lines 0-1 and 2-3 as pairs, a prefetcher that
 * fetches a line's 128-byte buddy brings no owner-written line to a freer. */
#define HAK_SLAB_RECORD_SHIFT 8
typedef struct hak_slab_s {
  _Atomic(hak_heap_t *) fast_owner; /* see above                          */
  _Atomic uint8_t flags;          /* HAK_SLAB_*                           */
  uint8_t cls;                    /* size class                           */
  uint16_t slot;                  /* index in its SuperSlab               */
  uint32_t reserved;              /* blocks that fit                      */
  uint32_t bsize;                 /* _hak_class_size[cls], kept here for
                                     the fast paths (the end mark)        */
  uint8_t *start;                 /* first block                          */
  uint64_t div_mul;               /* block start test, see _hak_block_in_slab */
  _Atomic uint64_t div_lim;       /* 0 while the slot serves no class,
                                     else capacity * step (block starts
                                     carved so far: _hak_block_in_slab) */
  _Alignas(64) _Atomic uintptr_t thread_free; /* remote frees (HAK_TF_*)  */
  _Alignas(64) hak_block_t *free; /* owner's free list: malloc pops here  */
  uint32_t used;                  /* see invariant above                  */
  uint32_t capacity;              /* blocks carved so far                 */
  struct hak_slab_s *next, *prev; /* heap's class list                    */
  _Alignas(64) uint8_t pad[64];
} hak_slab_t;

enum { HAK_SS_SMALL = 0, HAK_SS_MEDIUM = 1, HAK_SS_KINDS = 2 };

/* SuperSlab header, at the start of its 2 MiB region (slab 0's blocks
 * start after it). The slab records come first; owner and the rest are
 * for slow paths. owner is NULL while abandoned or cached; it changes only from the
 * owner thread (abandon) or from the adopter holding the abandoned list
 * lock, so a thread that reads owner == its own heap can rely on it. */
struct hak_ss_s {
  hak_slab_t slabs[HAK_MAX_SLABS]; /* first: see _hak_slab_at            */
  _Atomic(hak_heap_t *) owner;
  uint8_t slab_shift;             /* also in _hak_chunk_map for free()    */
  uint8_t kind;                   /* HAK_SS_SMALL / HAK_SS_MEDIUM         */
  uint8_t nslabs;
  uint32_t free_mask;             /* owner: slots not serving a class     */
  uint32_t dirty_mask;            /* owner: free slots still committed    */
  uint32_t dirty_old_mask;        /* owner: of those, the ones already
                                     dirty at the heap's last decay tick  */
  hak_ss_t *next, *prev;          /* owner heap's list, or a global list  */
  hak_ss_t *avail_next, *avail_prev; /* owner heap's "has free slots" list */
  uint8_t in_avail;
  uint8_t abandoned;              /* on the abandoned list (global lock)  */
  uint64_t room_classes;          /* abandoned: bit c, a slab of class c had
                                     room when its owner left (global lock) */
  uint64_t free_classes;          /* ... had free blocks worth 1/8 of it  */
  uint64_t abandon_seq;           /* abandons before this one (global lock) */
};

/* Remote frees waiting in the freeing thread's heap: a chain of blocks of
 * one slab (linked through their first word), pushed with one CAS when it
 * reaches HAK_REMOTE_BATCH blocks, when another slab needs its entry, when
 * its thread enters the malloc slow path, and at thread exit. So at most
 * HAK_REMOTE_SLOTS * HAK_REMOTE_BATCH blocks per thread wait unseen by
 * their owner. */
#define HAK_REMOTE_SLOTS 16
#define HAK_REMOTE_BATCH 32
#define HAK_RECLAIM_BUDGET 4      /* see reclaim_budget in hak_heap_s */
typedef struct hak_remote_chain_s {
  hak_slab_t *slab;               /* NULL: entry unused                  */
  hak_block_t *head, *tail;
  uint32_t count;
} hak_remote_chain_t;

/* A heap's cache of freed large blocks (large.c): blocks of up to
 * LC_BLOCK_PAGES that this thread freed, kept whole (record
 * HAK_RUN_QUICK) for its next mallocs, which take them back without the
 * large lock. 32 slots, in no order; a malloc compares all the slots'
 * page counts at once (large.c: lc_fits). Owner thread only. */
#define HAK_LCACHE_MAX 32
typedef struct hak_lcache_s {
  _Alignas(16) uint8_t pages[HAK_LCACHE_MAX]; /* the run's pages, canary
                                              included; 0: an empty slot */
  void *p[HAK_LCACHE_MAX];
  uint32_t stamp[HAK_LCACHE_MAX];          /* clock (ms) of its free      */
  uint32_t seq[HAK_LCACHE_MAX];            /* next_seq at its free        */
  uint32_t used;                           /* bit k: slot k holds a block */
  uint32_t total;                          /* pages of the blocks held    */
  uint32_t next_seq;                       /* frees into the cache, ever  */
  uint32_t stamp_min;                      /* <= every held block's stamp */
  uint32_t misses;                         /* large mallocs it did not
                                              serve since it last did     */
} hak_lcache_t;

/* Per-thread heap. cur[c] is the head of class c's list of slabs with
 * room, or &_hak_slab_empty (free == NULL) so the fast path needs no NULL
 * test: an empty heap just takes the slow path. direct[(n + 15) / 16] is
 * cur[class of n] for blocks of n <= HAK_TABLE_MAX bytes, so malloc skips
 * the class lookup; both are written only through _hak_heap_set_cur. */
#define HAK_DIRECT_SLOTS   (HAK_TABLE_MAX / 16 + 1)
#define HAK_DIRECT_CLASSES 21            /* classes with a direct[] slot: up to 1152 B */
struct hak_heap_s {
  hak_slab_t *direct[HAK_DIRECT_SLOTS];    /* malloc fast path          */
  hak_slab_t *cur[HAK_NCLASSES];
  _Atomic(hak_block_t *) delayed;          /* blocks of full slabs freed by
                                              other threads (see NOTIFY) */
  hak_ss_t *ss_all;                        /* every SuperSlab it owns    */
  hak_ss_t *ss_avail[HAK_SS_KINDS];        /* those with free slots      */
  size_t dirty_bytes;                      /* committed free slots held */
  uint32_t decay_last;                     /* clock (ms) of the last decay
                                              tick (superslab.c)         */
  hak_remote_chain_t remote[HAK_REMOTE_SLOTS]; /* see above              */
  uint32_t remote_used;                    /* bit i: remote[i] holds a chain,
                                              so the slow path's flush skips
                                              a thread that never freed
                                              remotely */
  uint8_t reclaim_budget;                  /* abandoned SuperSlabs free()
                                              may still reclaim before the
                                              next malloc slow path
                                              (HAK_RECLAIM_BUDGET, free.c) */
  hak_lcache_t lcache;                     /* freed large blocks (above) */
  hak_heap_t *pool_next;                   /* heap pool (never unmapped) */
  _Atomic uint8_t waiting;                 /* on the hand-over list (set and
                                              cleared under the global lock;
                                              read without it: heap.c)   */
  uint8_t initialized;
};

/* ---- the large page heap (large.c) --------------------------------------
 * Blocks above HAK_SMALL_MAX up to HAK_SEG_BLOCK_MAX are runs of 4 KiB pages
 * in segments: 2^shift bytes (64 MiB, or less when the kernel refuses that
 * much address space), aligned to their size, so p & ~(size - 1) is the
 * segment of p, and the size comes from the ownership map. A segment's
 * pages are tiled by runs, each a live block or free; free() finds a
 * block's run from the page record of its first page in O(1).
 * Shared by all threads, under _hak_large_lock. */
#define HAK_SEG_SHIFT_MIN  21                       /* 2 MiB                */
#define HAK_SEG_SHIFT_MAX  26                       /* 64 MiB               */
#define HAK_SEG_PAGES_MAX  ((uint32_t)1 << (HAK_SEG_SHIFT_MAX - HAK_PAGE_SHIFT))
#define HAK_SEG_BLOCK_MAX  ((size_t)32 << 20)       /* larger: huge blocks  */
#define HAK_SEG_ALIGN_MAX  HAK_SS_SIZE              /* larger: huge blocks  */
#define HAK_RUN_BINS       64

/* A page record. Invariant: only the first and last page of a run have a
 * non-zero info (a one-page run has only the first); every other page's
 * info is 0, so a pointer into the middle of a block, or to its last page,
 * never passes for a block start.
 *   first page  info = pages << 4 | kind: HAK_RUN_LIVE, HAK_RUN_QUICK (freed,
 *               kept whole on the quick list or in a heap's cache for
 *               reuse: not free for its neighbours, freed for free()'s
 *               double-free test),
 *               HAK_RUN_PURGING (free pages being decommitted by a thread
 *               that let go of the lock meanwhile: neither free nor
 *               allocatable until it takes the lock again) or HAK_RUN_FREE; for a free
 *               run also stamp (decay clock of its last free), dirty (how
 *               many of its pages have their dirty bit set) and its bin
 *               list links (page indices in the segment; 0 ends the list:
 *               page 0 is the header, never a run)
 *   last page   info = pages << 4 | HAK_RUN_TAIL: the left neighbour of a
 *               freed block finds its run's first page from here.
 * info is written under the lock, except by a heap's cache: free() turns
 * a LIVE record QUICK by CAS (of two frees of a block one wins) and malloc
 * turns its own cached block's record LIVE again; both are not FREE, all
 * that other threads' merges look for (atomic, relaxed). */
enum { HAK_RUN_FREE = 1, HAK_RUN_LIVE, HAK_RUN_QUICK, HAK_RUN_TAIL, HAK_RUN_PURGING, HAK_RUN_KIND = 15 };
typedef struct hak_run_s {
  _Atomic uint32_t info;
  uint32_t stamp;
  uint16_t next, prev;
  uint32_t dirty;
} hak_run_t;

typedef struct hak_seg_s hak_seg_t;
/* Segment header, at the segment's start (its pages up to `first`).
 * Invariants (under _hak_large_lock):
 *   - runs tile pages first..npages-1; no two free runs are adjacent
 *     (a free coalesces with both neighbours);
 *   - a free run is on exactly one bin list, bins[d][bin_of(its pages)],
 *     where d is 1 if any of its pages is dirty, else 0; bit b of
 *     bin_mask[d] is set iff bins[d][b] is not empty;
 *   - dirty bit of a page in a free run is 0 only if the page reads as zero
 *     and holds no memory (never touched since mapped, or decommitted): so
 *     calloc clears only the dirty pages of the run it gets. Bits of live
 *     pages mean nothing (free sets them all);
 *   - free_pages and dirty_pages count the pages, and the dirty ones, of
 *     the free runs. */
struct hak_seg_s {
  hak_seg_t *next, *prev;         /* the page heap's list of segments     */
  uint32_t npages;                /* pages in the segment                 */
  uint32_t first;                 /* first page after the header          */
  uint32_t free_pages, dirty_pages;
  uint8_t shift;                  /* log2 of the segment's size           */
  uint64_t bin_mask[2];           /* [0] clean runs, [1] runs with dirty pages */
  uint16_t bins[2][HAK_RUN_BINS]; /* first page of each bin's first run   */
  _Atomic uint64_t dirty[HAK_SEG_PAGES_MAX / 64];
  hak_run_t runs[];               /* one per page                         */
};

/* A huge block's header, in the page before the block (huge.c). */
typedef struct hak_huge_s {
  uint64_t magic;                 /* HAK_HUGE_LIVE or HAK_HUGE_FREED     */
  void *map_base;
  size_t map_size;
  size_t usable;                  /* bytes usable from the user pointer  */
} hak_huge_t;
#define HAK_HUGE_LIVE  0x68616b4c61726765ull
#define HAK_HUGE_FREED 0x68616b4672656564ull

typedef struct hak_options_s {
  uint8_t verbose, abort_on_error, stats, check;
} hak_options_t;

/* ---- globals ----------------------------------------------------------- */
/* What is at each 2 MiB chunk, one byte per chunk (64 MiB of virtual,
 * zero-filled memory, touched only around hakmem's own mappings): nothing;
 * a huge block's user pointer; a chunk of a large-heap segment, recorded as
 * HAK_CHUNK_SEG + (segment shift - HAK_SEG_SHIFT_MIN) in each of its chunks;
 * or a SuperSlab, recorded as its slab shift so that free() finds the slab
 * of a pointer from this one load. */
enum {
  HAK_CHUNK_NONE = 0, HAK_CHUNK_HUGE = 1,
  HAK_CHUNK_SEG = 2, HAK_CHUNK_SEG_LAST = HAK_CHUNK_SEG + HAK_SEG_SHIFT_MAX - HAK_SEG_SHIFT_MIN,
  HAK_CHUNK_SS_MIN = HAK_SLAB_SHIFT_SMALL
};
_Static_assert(HAK_CHUNK_SEG_LAST < HAK_CHUNK_SS_MIN, "chunk kinds overlap");
extern _Atomic uint8_t _hak_chunk_map[HAK_MAP_CHUNKS];
extern hak_heap_t _hak_heap_empty;    /* a thread's heap before its first malloc */
extern hak_heap_t _hak_heap_exited;   /* after its heap was handed over (thread exit) */
extern _Atomic uint32_t _hak_heaps_live; /* heaps set up and not given up (heap.c) */
/* per process, random, odd: see "Misuse". Hidden: one RIP-relative load. */
extern uintptr_t _hak_secret __attribute__((visibility("hidden")));
extern hak_slab_t _hak_slab_empty;
extern __thread hak_heap_t *_hak_tls_heap __attribute__((tls_model("initial-exec")));
extern hak_options_t _hak_options;
extern const uint8_t _hak_class_table[HAK_DIRECT_SLOTS];
extern const uint32_t _hak_class_size[HAK_NCLASSES];

typedef struct hak_counters_s {
  _Atomic size_t mapped, superslabs, large_blocks, errors;
  _Atomic size_t ss_mapped_total, ss_reused, adopted, reclaimed, abandoned, handed_over;
  /* the large page heap: large_blocks counts its live blocks and those in
   * threads' caches (huge blocks apart); segments now and ever mapped, bytes of free pages still
   * committed, decommit calls and bytes; huge blocks live */
  _Atomic size_t segments, segments_total, large_dirty, large_purges, large_purged, huge_blocks;
  /* free slab slots still committed (all heaps), slot decommit calls */
  _Atomic size_t slot_dirty, slot_decommits;
} hak_counters_t;
extern hak_counters_t _hak_counters;
/* Counter updates: relaxed atomics, for statistics only. */
#define hak_count_add(field, n) \
  atomic_fetch_add_explicit(&_hak_counters.field, (size_t)(n), memory_order_relaxed)
#define hak_count_sub(field, n) \
  atomic_fetch_sub_explicit(&_hak_counters.field, (size_t)(n), memory_order_relaxed)
/* size rounded up to whole pages */
hak_inline size_t _hak_page_round(size_t size) { return (size + HAK_PAGE - 1) & ~(size_t)(HAK_PAGE - 1); }

/* ---- cross-file internals (_hak_ prefix) --------------------------------- */
/* os.c: the kernel boundary */
void *_hak_os_map(size_t size);                      /* NULL + ENOMEM on failure */
void *_hak_os_map_aligned(size_t size, size_t align, size_t lead, void **base_out, size_t *mapped_out);
void  _hak_os_unmap(void *p, size_t size);
void  _hak_os_decommit(void *p, size_t size);
uint32_t _hak_os_clock_ms(void);                     /* monotonic, coarse; no system call */
void *_hak_os_remap_fixed(void *old, size_t old_size, size_t new_size, void *dest);
int   _hak_os_remap_inplace(void *old, size_t old_size, size_t new_size);

/* errors.c */
hak_cold void _hak_error(const char *fn, const char *what, const void *p);
__attribute__((noreturn)) hak_cold void _hak_corrupt(const char *what, const void *where);
__attribute__((noreturn)) hak_cold void _hak_corrupt_in(const char *fn, const char *what, const void *where);
hak_cold void _hak_assert_fail(const char *cond, const char *file, int line);
/* valid.c: the invariant checkers (owner's thread; see hak_check_slab) */
void _hak_slab_check(const hak_heap_t *h, const hak_slab_t *s);
void _hak_heap_check(const hak_heap_t *h);
void _hak_write_str(int fd, const char *s);
void _hak_write_num(int fd, size_t v);

/* init.c, options.c, stats.c */
void _hak_process_init(void);
void _hak_options_read(void);
void _hak_stats_print_at_exit(void);

/* lock.c: a futex lock that records its holder's TID, so the holder may
 * take it again (depth): fork handlers and a fork() from a signal handler
 * run on the thread that holds the locks for fork (see lock.c). */
typedef struct hak_lock_s {
  _Atomic uint32_t word;          /* 0 free, else holder TID | WAITERS    */
  uint32_t depth;                 /* nested holds, holder only            */
} hak_lock_t;
#define HAK_LOCK_WAITERS 0x80000000u
#define HAK_LOCK_TID     0x7fffffffu
void _hak_lock(hak_lock_t *l);
void _hak_unlock(hak_lock_t *l);
void _hak_fork_handlers_register(void);
extern hak_lock_t _hak_global_lock;          /* SuperSlab cache, abandoned lists, heap pool, hand-over list */
extern hak_lock_t _hak_large_lock;           /* the large page heap (large.c) */

/* heap.c */
hak_heap_t *_hak_heap_init_thread(void);
void _hak_heap_drain_delayed(hak_heap_t *h);
void _hak_heap_thread_exit(hak_heap_t *h);
int _hak_heap_take_over(hak_heap_t *owner);
void _hak_heap_handover_decay(void);
void _hak_heap_handover_collect(void);
void _hak_heap_handover_each(void (*fn)(hak_heap_t *));
void _hak_heap_collect(hak_heap_t *h);

/* superslab.c */
hak_ss_t *_hak_ss_acquire(hak_heap_t *h, int kind);  /* cached or new        */
int  _hak_ss_adopt_for(hak_heap_t *h, int kind, unsigned cls, int any_slot); /* abandoned with room */
void _hak_ss_release(hak_heap_t *h, hak_ss_t *ss);   /* all slots free        */
void _hak_ss_abandon(hak_heap_t *h, hak_ss_t *ss);
int  _hak_ss_reclaim(hak_heap_t *h, hak_ss_t *ss);
void _hak_ss_list_push(hak_ss_t **head, hak_ss_t *ss);
void _hak_ss_list_remove(hak_ss_t **head, hak_ss_t *ss);
void _hak_ss_avail_add(hak_heap_t *h, hak_ss_t *ss);
void _hak_ss_avail_remove(hak_heap_t *h, hak_ss_t *ss);
void _hak_ss_avail_front(hak_heap_t *h, hak_ss_t *ss);
void _hak_ss_collect_global(void);
void _hak_ss_decommit_dirty(hak_heap_t *h);
void _hak_ss_decay(hak_heap_t *h);                   /* at most once a tick */
void _hak_ss_adopt_all(hak_heap_t *h);
void _hak_ss_slot_free(hak_heap_t *h, hak_ss_t *ss, unsigned slot, int may_keep_dirty);
unsigned _hak_ss_slot_take(hak_heap_t *h, hak_ss_t *ss);
hak_inline uint32_t _hak_ss_all_slots(const hak_ss_t *ss) {
  return ss->nslabs == 32 ? 0xffffffffu : (1u << ss->nslabs) - 1;
}

/* slab.c */
void *_hak_alloc_slow(hak_heap_t *h, unsigned cls);
size_t _hak_slab_collect(hak_slab_t *s);             /* thread_free -> free  */
void _hak_slab_free_local_slow(hak_heap_t *h, hak_ss_t *ss, hak_slab_t *s, hak_block_t *b);
void _hak_slab_became_empty(hak_heap_t *h, hak_ss_t *ss, hak_slab_t *s);
void _hak_slab_became_empty_here(hak_ss_t *ss, hak_slab_t *s);  /* h: this thread's */
void _hak_slab_release(hak_heap_t *h, hak_ss_t *ss, hak_slab_t *s);
void _hak_slab_retire(hak_slab_t *s);
void _hak_slab_list_push_back(hak_heap_t *h, hak_slab_t *s);
void _hak_slab_list_remove(hak_heap_t *h, hak_slab_t *s);
uintptr_t _hak_tf_set_state(hak_slab_t *s, uintptr_t state);

/* free.c */
void _hak_free_other(hak_ss_t *ss, hak_slab_t *s, hak_block_t *b);
void _hak_remote_flush_all(hak_heap_t *h);
void _hak_free_slow(void *p, const char *fn);
void _hak_free_rejected(hak_slab_t *s, hak_block_t *b, const char *fn);
int  _hak_block_check(hak_slab_t *s, const void *p, const char *fn);
int  _hak_block_owned(const void *p);
__attribute__((noreturn)) hak_cold void _hak_link_corrupt(const hak_block_t *b);
/* A small block's end mark is neither the secret nor 0 (free.c). */
__attribute__((noreturn)) hak_cold void _hak_mark_corrupt(const char *fn, const void *b);
hak_cold void *_hak_free_list_corrupt(const hak_slab_t *s);   /* does not return */

/* large.c: blocks above HAK_SMALL_MAX (the page heap, and huge.c's beyond) */
void *_hak_large_alloc(size_t size, size_t align, int zero);
void  _hak_large_free(void *p, unsigned kind, const char *fn);  /* kind: chunk map */
void *_hak_large_realloc(void *p, size_t size);      /* NULL: caller copies */
size_t _hak_large_usable(const void *p);             /* 0 if not a live large block */
void  _hak_large_collect(void);
void  _hak_large_cache_flush(hak_heap_t *h);        /* h's cache to the shared heap */
void  _hak_large_decay(hak_heap_t *h, uint32_t now);  /* a tick: what is due */

/* huge.c: blocks with their own mapping */
void *_hak_huge_alloc(size_t size, size_t align);
void  _hak_huge_free(void *p, const char *fn);
void *_hak_huge_realloc(void *p, size_t size);
size_t _hak_huge_usable(const void *p);

/* alloc.c */
void *_hak_malloc_aligned(size_t align, size_t size);

/* ---- inline helpers --------------------------------------------------- */
/* Kind of the chunk holding a (a < 2^HAK_ADDR_BITS). */
hak_inline unsigned _hak_chunk_kind(uintptr_t a) {
  return atomic_load_explicit(&_hak_chunk_map[a >> HAK_SS_SHIFT], memory_order_relaxed);
}
hak_inline void _hak_chunk_set(uintptr_t chunk, unsigned kind) {
  atomic_store_explicit(&_hak_chunk_map[chunk >> HAK_SS_SHIFT], (uint8_t)kind, memory_order_release);
}

/* Class of a small block of n bytes (n <= HAK_SMALL_MAX); a request of n
 * bytes needs a block of n + HAK_MARK. */
hak_inline unsigned _hak_class_of(size_t n) {
  if (hak_likely(n <= HAK_TABLE_MAX)) return _hak_class_table[(n + 15) >> 4];
  size_t m = n - 1;                     /* above 1 KiB: eight per power of two */
  unsigned k = 63u - (unsigned)__builtin_clzl(m);
  return 20u + (k - 10u) * 8u + (unsigned)((m >> (k - 3)) & 7u);
}

hak_inline hak_ss_t *_hak_ss_of(const void *p) {
  return (hak_ss_t *)((uintptr_t)p & ~HAK_SS_MASK);
}
/* Slab records come first in the header: the record of p is at
 * ss + (slot << HAK_SLAB_RECORD_SHIFT). */
hak_inline hak_slab_t *_hak_slab_at(hak_ss_t *ss, const void *p, unsigned slab_shift) {
  return (hak_slab_t *)((uintptr_t)ss +
                        ((((uintptr_t)p & HAK_SS_MASK) >> slab_shift) << HAK_SLAB_RECORD_SHIFT));
}
hak_inline hak_slab_t *_hak_slab_of(hak_ss_t *ss, const void *p) {
  return _hak_slab_at(ss, p, ss->slab_shift);
}
hak_inline uint32_t _hak_block_size(const hak_slab_t *s) { return s->bsize; }
/* The end mark of block b of slab s: its last word. */
hak_inline uintptr_t *_hak_mark_of(const hak_slab_t *s, const void *b) {
  return (uintptr_t *)((uintptr_t)b + s->bsize - HAK_MARK);
}

hak_inline void _hak_slab_set_flags(hak_slab_t *s, hak_heap_t *owner, uint8_t flags) {
  atomic_store_explicit(&s->flags, flags, memory_order_relaxed);
  atomic_store_explicit(&s->fast_owner, flags == 0 ? owner : NULL, memory_order_relaxed);
}

/* Make s the head of class c's list (s may be &_hak_slab_empty). */
hak_inline void _hak_heap_set_cur(hak_heap_t *h, unsigned c, hak_slab_t *s) {
  h->cur[c] = s;
  if (c < HAK_DIRECT_CLASSES) {
    unsigned lo = c == 0 ? 0 : _hak_class_size[c - 1] / 16 + 1;
    for (unsigned j = lo; j <= _hak_class_size[c] / 16 && j < HAK_DIRECT_SLOTS; j++) h->direct[j] = s;
  }
}

hak_inline hak_heap_t *_hak_owner(hak_ss_t *ss) {
  return atomic_load_explicit(&ss->owner, memory_order_relaxed);
}

/* ---- block validity and free-list links (see "Misuse" above) ---------
 * Is a a block start of s? With d the block size and off = a - start
 * as a 32-bit number, off * div_mul (mod 2^64) is q * e when off = q * d, and
 * at least div_mul (> 2^48) when d does not divide off (Lemire, Kaser and
 * Kurz's divisibility test: div_mul = ceil(2^64 / d), plus 1 when d is a
 * power of two so that e = d * div_mul - 2^64 is never 0). So with
 * div_lim = capacity * e, one compare says "a block start of this slab,
 * carved": a block never handed out fails too. The owner raises div_lim
 * when it carves (slab.c), before it hands out the new blocks, so a thread
 * that was given a block (through the program's own synchronization) reads
 * a limit that covers it; the relaxed atomic load is a plain load. A
 * pointer below start (slot 0's header) wraps to an offset near 2^32,
 * whose quotient is far above any capacity. */
hak_inline int _hak_below_lim(uint64_t x, const _Atomic uint64_t *lim) {
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
  /* The same relaxed load (x86-64 loads are atomic), folded into the
   * compare, which the compiler does not do for an atomic load. */
  int below;
  __asm__("cmpq %2, %1" : "=@ccb"(below) : "r"(x), "m"(*(const uint64_t *)lim));
  return below;
#else
  return x < atomic_load_explicit(lim, memory_order_relaxed);
#endif
}
hak_inline int _hak_block_in_slab(const hak_slab_t *s, uintptr_t a) {
  uint32_t off = (uint32_t)a - (uint32_t)(uintptr_t)s->start;
  return _hak_below_lim((uint64_t)off * s->div_mul, &s->div_lim);
}

hak_inline void _hak_link_set(hak_block_t *b, const hak_block_t *next) {
  b->link = (uintptr_t)next ^ _hak_secret;
}
hak_inline hak_block_t *_hak_link_get(const hak_block_t *b) {
  return (hak_block_t *)(b->link ^ _hak_secret);
}
/* Follow b's link on a list of slab s: the next block is checked before
 * anyone reads its link (NULL ends the list). */
hak_inline hak_block_t *_hak_link_next(const hak_slab_t *s, const hak_block_t *b) {
  hak_block_t *n = _hak_link_get(b);
  if (hak_unlikely(!_hak_block_in_slab(s, (uintptr_t)n)) && n != NULL) _hak_link_corrupt(b);
  return n;
}

/* ---- the fast paths ------------------------------------------------------
 * malloc: size -> class by table, pop the current slab's free list.
 * free:   ownership byte, slab from the address, block start and end mark
 *         checked; the owner pushes onto the slab's free list, any other
 *         thread does a remote free.
 * Neither takes a lock or does an atomic read-modify-write. */
/* The head of a free list was stored without a check (it came from a link
 * or a free); it is checked here, before its link is read. A head that
 * fails is treated as "no block": the slow path, which every malloc then
 * takes, reports it (_hak_alloc_slow), so this path needs no stack frame.
 * NULL needs no test of its own: it fails the block-start test. Its offset
 * from start is 2^32 - (uint32_t)start, and the slab's blocks end within
 * its SuperSlab, which never crosses a multiple of 4 GiB, so that offset is
 * at least reserved * block size; start's low 32 bits are never 0 (slot 0
 * starts after the header), so the offset is never 0 either (slab_init
 * asserts both). The empty slab's div_lim is 0. */
hak_inline void *_hak_pop(hak_slab_t *s) {
  hak_block_t *b = s->free;
  if (hak_likely(_hak_block_in_slab(s, (uintptr_t)b))) {
    s->free = _hak_link_get(b);
    *_hak_mark_of(s, b) = _hak_secret;
    s->used++;
    return b;
  }
  return NULL;
}

/* Allocate from class c (the fast path of malloc's larger sizes and of
 * memalign). */
hak_inline void *_hak_malloc_class(unsigned c) {
  hak_heap_t *h = _hak_tls_heap;
  void *b = _hak_pop(h->cur[c]);
  return hak_likely(b != NULL) ? b : _hak_alloc_slow(h, c);
}

/* direct[] index of a request of n <= HAK_TABLE_REQ_MAX bytes: that of its
 * block, n + HAK_MARK. */
hak_inline size_t _hak_direct_index(size_t n) { return (n + HAK_MARK + 15) >> 4; }

hak_inline void *_hak_malloc_fast(size_t n) {
  if (hak_likely(n <= HAK_TABLE_REQ_MAX)) {
    hak_heap_t *h = _hak_tls_heap;
    size_t i = _hak_direct_index(n);
    void *b = _hak_pop(h->direct[i]);
    return hak_likely(b != NULL) ? b : _hak_alloc_slow(h, _hak_class_table[i]);
  }
  if (hak_likely(n <= HAK_SMALL_REQ_MAX)) return _hak_malloc_class(_hak_class_of(n + HAK_MARK));
  return _hak_large_alloc(n, HAK_ALIGN, 0);
}

/* Bits that make a pointer unacceptable at once: outside the user address
 * space, or not 16-byte aligned. */
#define HAK_BAD_PTR_BITS (~(((uintptr_t)1 << HAK_ADDR_BITS) - 1) | (HAK_ALIGN - 1))

/* (No alignment test: an unaligned pointer fails the block-start test.) */
hak_inline void _hak_free_fast(void *p, const char *fn) {
  uintptr_t a = (uintptr_t)p;
  uintptr_t chunk = a >> HAK_SS_SHIFT;
  unsigned kind;
  if (hak_unlikely(chunk >= HAK_MAP_CHUNKS ||
                   (kind = atomic_load_explicit(&_hak_chunk_map[chunk], memory_order_relaxed)) < HAK_CHUNK_SS_MIN)) {
    _hak_free_slow(p, fn);
    return;
  }
  hak_ss_t *ss = _hak_ss_of(p);
  hak_slab_t *s = _hak_slab_at(ss, p, kind);
  hak_block_t *b = (hak_block_t *)p;
  _Static_assert(sizeof(hak_slab_t) == (1u << HAK_SLAB_RECORD_SHIFT), "slab record size");
  uintptr_t key = _hak_secret, *mark = _hak_mark_of(s, b);
  if (hak_unlikely(!_hak_block_in_slab(s, a) || *mark != key)) {
    _hak_free_rejected(s, b, fn);
    return;
  }
  *mark = 0;
  if (hak_likely(atomic_load_explicit(&s->fast_owner, memory_order_relaxed) == _hak_tls_heap)) {
    b->link = (uintptr_t)s->free ^ key;
    s->free = b;
    if (hak_unlikely(--s->used == 0)) _hak_slab_became_empty_here(ss, s);
    return;
  }
  _hak_free_other(ss, s, b);
}

#endif /* HAKMEM_INTERNAL_H */
