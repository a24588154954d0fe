/* large.c: the large page heap: blocks above HAK_SMALL_MAX (32 KiB) up to
 * HAK_SEG_BLOCK_MAX (32 MiB), shared by all threads under _hak_large_lock.
 * Larger blocks, and alignments above 2 MiB, go to huge.c.
 *
 * A block is a run of whole pages in a segment (internal.h: hak_seg_t):
 * 64 MiB of address space aligned to its size (less when the kernel refuses
 * that much), whose header holds one record per page. Runs tile the
 * segment; a free run sits on one of its segment's size bins, on the dirty
 * side while any of its pages is committed. malloc takes the first fitting
 * run, dirty ones first (then segments oldest first, the smallest bin that
 * fits, most recently freed first), placed over its dirty pages, and splits
 * it; free coalesces the block with its free neighbours. So address space
 * is reused at page granularity: a 40 KiB block costs 11 pages (its
 * canary's 16 bytes take the last) and one record, not a mapping of its
 * own (before: a VMA and a 2 MiB chunk each), and committed pages are
 * reused before fresh ones are touched.
 *
 * A freed block of up to 2 MiB is first kept whole on the quick list (32
 * blocks, 16 MiB at most), where a malloc of the same size, or up to a
 * quarter less, takes it back without splitting or merging anything; the
 * oldest leaves the list for the runs when it is full, and at each malloc
 * the list cannot serve. So a steady malloc/free cycle costs a lock and a
 * few stores, and sizes no longer asked for do not stay on the list.
 * In front of it, a block of up to 256 KiB that a thread frees stays in its
 * heap's cache ("a heap's cache" below), for that thread's next mallocs:
 * no lock at all.
 *
 * Memory goes back by decay, not by munmap: a freed run stays committed
 * ("dirty", reused first, with no system call), and its pages are
 * decommitted (madvise) once the run has been free for HAK_LARGE_DECAY_MS,
 * checked whenever a block is freed; and, oldest first, as soon as more
 * than HAK_LARGE_DIRTY_MAX of them pile up (from a run's end, only as many
 * as it takes to get 4 MiB under the bound). A thread decommits after
 * letting go of the lock (the pages are set aside meanwhile), so no other
 * thread waits for the system call. A segment left with no block stays
 * (one per process) for the next one; more are unmapped.
 * Each page's dirty bit says whether it may hold data; calloc clears only
 * the dirty pages of its run, never those the kernel just gave or zeroed.
 *
 * Guards (always on): a run ends with a 16-byte canary that its block does
 * not own (malloc_usable_size stops before it), two words derived from
 * _hak_secret and their own address, written when the block is handed out
 * or resized. free and realloc check it; so a write past the block's end,
 * or before the start of the block right after it, stops the process
 * ("heap corruption detected in free(): ..."). A block on the quick list
 * also carries a free key in its first 16 bytes, where a stale pointer
 * writes first, checked when it leaves the list (its canary too, when it
 * goes to the runs; a block taken back keeps its canary, checked at its
 * next free). Not caught: an underflow into a free run, writes into the
 * middle of a freed block or into one that went to the runs, huge blocks.
 * The cost: two 16-byte compares and stores per malloc/free pair (the
 * instruction counts: commit 55fb730) and, for a size within 16 bytes of a
 * multiple of 4 KiB, one page more: malloc(65536) takes 17 pages (6 % more address
 * space, and its last page is committed), 1 MiB 0.4 %. (glibc pays a
 * 16-byte header on its heap and a page for each mmap'd block.)
 *
 * The bounds, measured:
 *   - 64 MiB segments, blocks up to 32 MiB: a run must fit in a segment with
 *     room beside it; 64 MiB is what glibc reserves for each of its arenas'
 *     heaps, 32 MiB glibc's largest mmap threshold. The header costs 65 of
 *     the 16384 pages of a 64 MiB segment, touched only where records are
 *     written. Larger blocks gain little here: freeing one would push the
 *     dirty bound at once.
 *   - 64 MiB dirty: the trade between page faults and peak RSS. Threads
 *     cycling blocks of 80 KiB-10 MiB, or 20 live buffers of 5-25 MiB
 *     replaced one by one, refault most of what they free under a small
 *     bound; 64 MiB keeps the buffers' peak RSS within a tenth of the
 *     lowest other allocator's, where a larger bound would not (the
 *     figures: commit dc154b1 for 48 MiB, ef4fa14 for 64).
 *   - 1 s of decay: a program that reuses its buffers within a second pays
 *     no system call or page fault for them; jemalloc waits 10 s.
 */
#include <errno.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "internal.h"

#define HAK_LARGE_DIRTY_MAX  ((size_t)64 << 20)   /* dirty bytes kept, at most */
#define HAK_LARGE_DECAY_MS   1000u                /* a run free this long is decommitted */
#define DIRTY_MAX_PAGES      (HAK_LARGE_DIRTY_MAX >> HAK_PAGE_SHIFT)
#define DIRTY_SLACK_PAGES    1024                 /* 4 MiB decommitted beyond the bound */
#define BIN_SCAN             8                    /* runs tried in the bin of the size asked */
#define QUICK_MAX            32                   /* blocks on the quick list, at most */
#define QUICK_BLOCK_PAGES    513                  /* 2 MiB and its canary: larger blocks are not kept whole */
#define CANARY               16                   /* bytes at the end of each block's run */
#define QUICK_PAGES          4096                 /* 16 MiB on the quick list, at most */

/* All under _hak_large_lock. */
static hak_seg_t *seg_head, *seg_tail;  /* every segment, oldest first */
static size_t dirty_total;              /* dirty pages of free runs, all segments */
static _Atomic uint32_t decay_due;      /* when the oldest dirty run may expire
                                           (far ahead while nothing is dirty);
                                           read without the lock by lc_free */
static unsigned empty_segs;             /* segments without a live block */
/* decay_due is written under the lock and read without it (lc_free): an
 * atomic for the unlocked read only, so relaxed both ways (a stale value
 * costs one lock taken for nothing, or a decay one free later). */
hak_inline uint32_t decay_due_get(void) { return atomic_load_explicit(&decay_due, memory_order_relaxed); }
hak_inline void decay_due_set(uint32_t t) { atomic_store_explicit(&decay_due, t, memory_order_relaxed); }
/* The quick list: freed blocks kept whole (records HAK_RUN_QUICK), oldest
 * first, so stamps never decrease along it. Its pages count as dirty. */
typedef struct quick_s {
  hak_seg_t *seg;
  uint32_t page, pages, stamp;
} quick_t;
static quick_t quick[QUICK_MAX];
static unsigned quick_n;
static uint32_t quick_pages;

/* ---- pages and records ---------------------------------------------------- */
hak_inline uint8_t *page_addr(hak_seg_t *s, uint32_t i) {
  return (uint8_t *)s + ((size_t)i << HAK_PAGE_SHIFT);
}
hak_inline uint32_t info_of(hak_seg_t *s, uint32_t i) {
  return atomic_load_explicit(&s->runs[i].info, memory_order_relaxed);
}
hak_inline void info_set(hak_seg_t *s, uint32_t i, uint32_t v) {
  atomic_store_explicit(&s->runs[i].info, v, memory_order_relaxed);
}
hak_inline uint32_t run_pages(uint32_t info) { return info >> 4; }
hak_inline size_t usable_of(uint32_t n) { return ((size_t)n << HAK_PAGE_SHIFT) - CANARY; }
hak_inline unsigned run_kind(uint32_t info) { return info & HAK_RUN_KIND; }
hak_inline uint32_t make_info(uint32_t n, unsigned flags) { return n << 4 | flags; }
hak_inline size_t pages_for(size_t size) {
  size_t n = (size + HAK_PAGE - 1) >> HAK_PAGE_SHIFT;
  return n ? n : 1;
}
/* Pages of a block of `size` bytes and its canary. */
hak_inline uint32_t block_pages(size_t size) { return (uint32_t)pages_for(size + CANARY); }

hak_inline unsigned seg_shift(unsigned kind) { return HAK_SEG_SHIFT_MIN + (kind - HAK_CHUNK_SEG); }
hak_inline int is_seg_kind(unsigned kind) { return kind >= HAK_CHUNK_SEG && kind <= HAK_CHUNK_SEG_LAST; }
hak_inline hak_seg_t *seg_of(uintptr_t a, unsigned kind) {
  return (hak_seg_t *)(a & ~(((uintptr_t)1 << seg_shift(kind)) - 1));
}
static uint32_t header_pages(uint32_t npages) {
  size_t bytes = offsetof(hak_seg_t, runs) + (size_t)npages * sizeof(hak_run_t);
  return (uint32_t)pages_for(bytes);
}
hak_inline int seg_is_empty(const hak_seg_t *s) { return s->free_pages == s->npages - s->first; }

/* First and last record of the run [i, i + n). */
hak_inline void run_set(hak_seg_t *s, uint32_t i, uint32_t n, unsigned flag) {
  info_set(s, i, make_info(n, flag));
  if (n > 1) info_set(s, i + n - 1, make_info(n, HAK_RUN_TAIL));
}

/* ---- guards ----------------------------------------------------------------
 * Two words at `at`: _hak_secret XOR their address (flip 0: the canary
 * after a live block) or its complement (flip ~0: the free key at the
 * start of a block on the quick list), so neither is a copy of the other,
 * nor of a block's neighbour's. Reading one tells no more about the secret
 * than a small block's free-list link does. */
hak_inline void guard_set(uint8_t *at, uintptr_t flip) {
  uintptr_t *w = (uintptr_t *)at;
  w[0] = (_hak_secret ^ (uintptr_t)&w[0]) ^ flip;
  w[1] = (_hak_secret ^ (uintptr_t)&w[1]) ^ flip;
}
hak_inline int guard_ok(const uint8_t *at, uintptr_t flip) {
  const uintptr_t *w = (const uintptr_t *)at;
  uintptr_t k = _hak_secret ^ flip;
  return ((w[0] ^ (uintptr_t)&w[0] ^ k) | (w[1] ^ (uintptr_t)&w[1] ^ k)) == 0;
}
hak_inline uint8_t *canary_of(hak_seg_t *s, uint32_t t, uint32_t n) { return page_addr(s, t + n) - CANARY; }

/* A guard of block p was overwritten. fn: the call that found it, or NULL
 * (a block on the quick list or in a heap's cache). guard_fail: the same,
 * with the lock held. */
static __attribute__((noreturn)) hak_cold void guard_report(const char *fn, const void *p) {
  if (fn == NULL)
    _hak_corrupt("a freed large block (written to after its free, or overrun by the block before it)", p);
  _hak_corrupt_in(fn, "a large block's canary (an overflow of this block, or an underflow of the block after it)", p);
}
static __attribute__((noreturn)) hak_cold void guard_fail(const char *fn, const void *p) {
  _hak_unlock(&_hak_large_lock);
  guard_report(fn, p);
}

/* ---- dirty bits ------------------------------------------------------------
 * Written under the lock; calloc reads its own run's bits after unlocking
 * while others change neighbouring bits of the same word: relaxed atomics. */
enum { BITS_COUNT, BITS_SET, BITS_CLEAR };
/* (Without -mpopcnt, __builtin_popcountll is a call into libgcc.) */
hak_inline uint32_t popcount64(uint64_t v) {
  v = v - ((v >> 1) & 0x5555555555555555ull);
  v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
  v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (uint32_t)((v * 0x0101010101010101ull) >> 56);
}
hak_inline uint32_t bits_word(_Atomic uint64_t *w, uint64_t m, int op) {
  uint64_t v = atomic_load_explicit(w, memory_order_relaxed);
  if (op == BITS_SET) atomic_store_explicit(w, v | m, memory_order_relaxed);
  else if (op == BITS_CLEAR) atomic_store_explicit(w, v & ~m, memory_order_relaxed);
  v &= m;
  return v == 0 ? 0 : v == ~(uint64_t)0 ? 64 : popcount64(v);
}
/* Apply op to the bits of pages [from, from + n) (n >= 1); returns how many
 * of them were set before. */
hak_inline uint32_t bits(hak_seg_t *s, uint32_t from, uint32_t n, int op) {
  uint32_t w = from >> 6, last = (from + n - 1) >> 6, lo = from & 63, hi = ((from + n - 1) & 63) + 1;
  if (w == last) return bits_word(&s->dirty[w], (~(uint64_t)0 >> (64 - (hi - lo))) << lo, op);
  uint32_t count = bits_word(&s->dirty[w], ~(uint64_t)0 << lo, op);
  while (++w < last) count += bits_word(&s->dirty[w], ~(uint64_t)0, op);
  return count + bits_word(&s->dirty[last], ~(uint64_t)0 >> (64 - hi), op);
}
hak_inline int bit(hak_seg_t *s, uint32_t p) {
  return (int)((atomic_load_explicit(&s->dirty[p >> 6], memory_order_relaxed) >> (p & 63)) & 1);
}

/* Counters this file alone changes, under the lock: a plain store (no
 * atomic read-modify-write on malloc's and free's path); stats read them. */
hak_inline void counter_add(_Atomic size_t *c, size_t d) {
  atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + d, memory_order_relaxed);
}
hak_inline void dirty_add(hak_seg_t *s, uint32_t n) {
  s->dirty_pages += n;
  dirty_total += n;
  counter_add(&_hak_counters.large_dirty, (size_t)n << HAK_PAGE_SHIFT);
}
hak_inline void dirty_sub(hak_seg_t *s, uint32_t n) {
  s->dirty_pages -= n;
  dirty_total -= n;
  counter_add(&_hak_counters.large_dirty, -((size_t)n << HAK_PAGE_SHIFT));
}

/* ---- size bins: 15 exact (1..15 pages), then four per power of two ------ */
static unsigned bin_of(uint32_t n) {
  if (n < 16) return n;
  unsigned k = 31u - (unsigned)__builtin_clz(n);
  return 16u + (k - 4u) * 4u + ((n >> (k - 2u)) & 3u);
}
_Static_assert(HAK_SEG_PAGES_MAX <= 1u << 14 && HAK_RUN_BINS > 16 + (14 - 4) * 4 + 3, "bins");
_Static_assert(HAK_SEG_PAGES_MAX <= 65536, "uint16_t page links");

/* Bin lists: a run is on the dirty side while any of its pages is dirty
 * (so its dirty count changes only while it is off its list). */
hak_inline void bin_push(hak_seg_t *s, uint32_t i, uint32_t n) {
  unsigned b = bin_of(n), d = s->runs[i].dirty != 0;
  hak_run_t *r = &s->runs[i];
  r->prev = 0;
  r->next = s->bins[d][b];
  if (r->next) s->runs[r->next].prev = (uint16_t)i;
  s->bins[d][b] = (uint16_t)i;
  s->bin_mask[d] |= (uint64_t)1 << b;
}

hak_inline void bin_remove(hak_seg_t *s, uint32_t i, uint32_t n) {
  unsigned b = bin_of(n), d = s->runs[i].dirty != 0;
  hak_run_t *r = &s->runs[i];
  if (r->prev) s->runs[r->prev].next = r->next;
  else s->bins[d][b] = r->next;
  if (r->next) s->runs[r->next].prev = r->prev;
  if (s->bins[d][b] == 0) s->bin_mask[d] &= ~((uint64_t)1 << b);
}

/* [i, i + n) becomes a free run (its neighbours are not free), with
 * `dirty` of its pages dirty and `stamp` its decay clock. */
hak_inline void free_run_add(hak_seg_t *s, uint32_t i, uint32_t n, uint32_t stamp, uint32_t dirty) {
  run_set(s, i, n, HAK_RUN_FREE);
  s->runs[i].stamp = stamp;
  s->runs[i].dirty = dirty;
  bin_push(s, i, n);
}

/* A free run of at least `need` pages in s, among the runs with dirty
 * pages (d = 1) or the clean ones (d = 0): its first page, or 0. */
static uint32_t seg_find(hak_seg_t *s, uint32_t need, unsigned d) {
  unsigned b = bin_of(need);
  if (s->bin_mask[d] & ((uint64_t)1 << b)) {
    unsigned k = 0;
    for (uint32_t i = s->bins[d][b]; i != 0 && k < BIN_SCAN; i = s->runs[i].next, k++)
      if (run_pages(info_of(s, i)) >= need) return i;
  }
  uint64_t above = s->bin_mask[d] & ~(((uint64_t)2 << b) - 1);
  return above ? s->bins[d][__builtin_ctzll(above)] : 0;
}

/* Where in the free run at i (m pages, some dirty) a block of n pages
 * covers the most dirty pages, roughly: from its first dirty page, or as
 * near it as the run's end allows. Reusing committed pages first keeps
 * the clean ones uncommitted (and spares their page faults). */
static uint32_t dirty_start(hak_seg_t *s, uint32_t i, uint32_t m, uint32_t n) {
  if (bit(s, i)) return i;
  uint32_t p = i, end = i + m;
  while (p < end) {
    uint64_t w = atomic_load_explicit(&s->dirty[p >> 6], memory_order_relaxed) >> (p & 63);
    if (w) { p += (uint32_t)__builtin_ctzll(w); break; }
    p = (p | 63) + 1;
  }
  if (p >= end) return i;
  return p + n <= end ? p : end - n;
}

/* Pages [t, t + n) become a live block, out of the free run at i
 * (i <= t, t + n <= its end); what is left on either side stays free. */
static void carve(hak_seg_t *s, uint32_t i, uint32_t t, uint32_t n) {
  uint32_t m = run_pages(info_of(s, i)), stamp = s->runs[i].stamp, dirty = s->runs[i].dirty;
  hak_assert(run_kind(info_of(s, i)) == HAK_RUN_FREE && i <= t && t + n <= i + m && dirty <= m);
  if (seg_is_empty(s)) empty_segs--;
  bin_remove(s, i, m);
  uint32_t d_lead = 0, d_block = dirty == 0 ? 0 : dirty == m ? n : bits(s, t, n, BITS_COUNT);
  if (t > i && dirty != 0) d_lead = dirty == m ? t - i : bits(s, i, t - i, BITS_COUNT);
  if (t > i) free_run_add(s, i, t - i, stamp, d_lead);
  if (t + n < i + m) free_run_add(s, t + n, i + m - t - n, stamp, dirty - d_lead - d_block);
  run_set(s, t, n, HAK_RUN_LIVE);
  s->free_pages -= n;
  dirty_sub(s, d_block);
}

hak_inline uint32_t latest(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0 ? a : b; }

/* Pages [t, t + n) of s, until now (part of) a live block or a range
 * being purged, whose records the caller has already rewritten or is
 * giving up, become free, coalesced with the free runs on either side:
 * dirty and freed at `stamp` (the merged run's stamp is its latest free),
 * or clean (just decommitted, their dirty bits already clear). */
static void release_pages(hak_seg_t *s, uint32_t t, uint32_t n, uint32_t stamp, int is_dirty) {
  uint32_t start = t, end = t + n, dirty = 0;
  int stamped = is_dirty;
  hak_assert(t >= s->first && n >= 1 && end <= s->npages && s->free_pages + n <= s->npages - s->first);
  if (is_dirty) {
    bits(s, t, n, BITS_SET);
    dirty_add(s, n);
    dirty = n;
  }
  s->free_pages += n;
  if (t > s->first) {
    uint32_t li = info_of(s, t - 1);
    uint32_t ls = run_kind(li) == HAK_RUN_TAIL ? t - run_pages(li) : t - 1;
    uint32_t lf = info_of(s, ls);
    if (run_kind(lf) == HAK_RUN_FREE) {
      bin_remove(s, ls, run_pages(lf));
      dirty += s->runs[ls].dirty;
      if (s->runs[ls].dirty) stamp = stamped++ ? latest(stamp, s->runs[ls].stamp) : s->runs[ls].stamp;
      if (ls != t - 1) info_set(s, t - 1, 0);
      start = ls;
    }
  }
  if (end < s->npages) {
    uint32_t ri = info_of(s, end);
    if (run_kind(ri) == HAK_RUN_FREE) {
      bin_remove(s, end, run_pages(ri));
      dirty += s->runs[end].dirty;
      if (s->runs[end].dirty) stamp = stamped++ ? latest(stamp, s->runs[end].stamp) : s->runs[end].stamp;
      info_set(s, end, 0);
      end += run_pages(ri);
    }
  }
  /* The old boundaries inside the new run become interior (0). */
  if (start != t) info_set(s, t, 0);
  if (t + n - 1 != end - 1) info_set(s, t + n - 1, 0);
  hak_assert(dirty <= end - start && (!is_dirty || stamped));
  free_run_add(s, start, end - start, stamp, dirty);
  if (seg_is_empty(s)) empty_segs++;
}

/* ---- segments -------------------------------------------------------------- */
/* Map a segment that can hold a run of `need` pages: 64 MiB if the kernel
 * gives that much address space, else smaller (RLIMIT_AS). Not yet linked. */
static hak_seg_t *seg_map(uint32_t need) {
  for (unsigned shift = HAK_SEG_SHIFT_MAX; shift >= HAK_SEG_SHIFT_MIN; shift--) {
    size_t size = (size_t)1 << shift;
    uint32_t npages = (uint32_t)(size >> HAK_PAGE_SHIFT), hp = header_pages(npages);
    if (hp + need > npages) break;
    void *base; size_t mapped;
    hak_seg_t *s = _hak_os_map_aligned(size, size, 0, &base, &mapped);
    if (s == NULL) continue;
    /* Fresh pages are zero: every record 0, every dirty bit clear. */
    s->npages = npages;
    s->first = hp;
    s->shift = (uint8_t)shift;
    s->free_pages = npages - hp;
    free_run_add(s, hp, npages - hp, 0, 0);
    hak_count_add(mapped, size);
    hak_count_add(segments, 1);
    hak_count_add(segments_total, 1);
    return s;
  }
  errno = ENOMEM;
  return NULL;
}

static void seg_set_chunks(hak_seg_t *s, unsigned kind) {
  for (size_t off = 0; off < ((size_t)1 << s->shift); off += HAK_SS_SIZE) _hak_chunk_set((uintptr_t)s + off, kind);
}

static void seg_link(hak_seg_t *s) {
  s->next = NULL;
  s->prev = seg_tail;
  if (seg_tail) seg_tail->next = s; else seg_head = s;
  seg_tail = s;
  empty_segs++;
  seg_set_chunks(s, HAK_CHUNK_SEG + s->shift - HAK_SEG_SHIFT_MIN);
}

/* An empty segment goes back to the kernel. The ownership map forgets it
 * first, under the lock: a free() that found the segment kind in the map
 * looks again once it holds the lock, so it never reads an unmapped header. */
static void seg_unmap(hak_seg_t *s) {
  seg_set_chunks(s, HAK_CHUNK_NONE);
  if (s->prev) s->prev->next = s->next; else seg_head = s->next;
  if (s->next) s->next->prev = s->prev; else seg_tail = s->prev;
  empty_segs--;
  dirty_sub(s, s->dirty_pages);
  size_t size = (size_t)1 << s->shift;
  hak_count_sub(mapped, size);
  hak_count_sub(segments, 1);
  _hak_os_unmap(s, size);
}

/* After pages of s went free: a second segment without a live block goes
 * back to the kernel (one is kept for the next blocks). */
static void seg_released(hak_seg_t *s) {
  if (seg_is_empty(s) && empty_segs > 1) seg_unmap(s);
}

/* ---- the quick list --------------------------------------------------------- */
/* Entry k leaves the list, its free key checked: the block's start was
 * not written while it was free. */
hak_inline quick_t quick_remove(unsigned k) {
  quick_t q = quick[k];
  hak_assert(k < quick_n && run_kind(info_of(q.seg, q.page)) == HAK_RUN_QUICK);
  uint8_t *p = page_addr(q.seg, q.page);
  if (hak_unlikely(!guard_ok(p, ~(uintptr_t)0))) guard_fail(NULL, p);
  if (k + 1 < quick_n) memmove(&quick[k], &quick[k + 1], (quick_n - k - 1) * sizeof(quick_t));
  quick_n--;
  quick_pages -= q.pages;
  return q;
}

/* Entry k leaves the list for the runs: its canary is checked now (a
 * block taken back keeps it, checked at its next free). */
static void quick_flush(unsigned k) {
  quick_t q = quick_remove(k);
  if (hak_unlikely(!guard_ok(canary_of(q.seg, q.page, q.pages), 0))) guard_fail(NULL, page_addr(q.seg, q.page));
  release_pages(q.seg, q.page, q.pages, q.stamp, 1);
  seg_released(q.seg);
}

/* A block of n pages for `size` bytes from the quick list, most recent
 * first, within the waste bound (usable <= size + size/4 + 4096). Its
 * free key is cleared (it would tell the secret to a program reading
 * uninitialised memory); its canary is still in place. */
static void *quick_take(uint32_t n, size_t size) {
  for (unsigned k = quick_n; k-- > 0;) {
    uint32_t m = quick[k].pages;
    if (m >= n && usable_of(m) <= size + size / 4 + HAK_PAGE) {
      quick_t q = quick_remove(k);
      info_set(q.seg, q.page, make_info(q.pages, HAK_RUN_LIVE));
      uint8_t *p = page_addr(q.seg, q.page);
      memset(p, 0, 2 * sizeof(uintptr_t));
      return p;
    }
  }
  return NULL;
}

/* The live block [t, t + n) of s, just freed, joins the list. */
static void quick_put(hak_seg_t *s, uint32_t t, uint32_t n, uint32_t now) {
  hak_assert(run_kind(info_of(s, t)) == HAK_RUN_LIVE && run_pages(info_of(s, t)) == n);
  while (quick_n == QUICK_MAX || quick_pages + n > QUICK_PAGES) quick_flush(0);
  info_set(s, t, make_info(n, HAK_RUN_QUICK));
  guard_set(page_addr(s, t), ~(uintptr_t)0);
  quick[quick_n++] = (quick_t){ s, t, n, now };
  quick_pages += n;
}

/* ---- decay ------------------------------------------------------------------ */
/* Purging: decay and the dirty bound pick pages under the lock and take
 * them out of their free run (a HAK_RUN_PURGING range: no malloc can have
 * them, no free merges with them); the thread decommits them after letting
 * go of the lock, so other threads' malloc and free do not wait for the
 * madvise; then, under the lock again, they go back free and clean. (A
 * fork meanwhile leaves the child those ranges set aside for good: the
 * thread that would give them back is not in it. At most PURGE_BATCH
 * ranges, address space the child never reuses.) */
typedef struct purge_s {
  hak_seg_t *seg;
  uint32_t page, pages;
} purge_t;
#define PURGE_BATCH 8
typedef struct purges_s {
  unsigned n;
  purge_t r[PURGE_BATCH];
} purges_t;

/* Claim the free run at i from its end back to where `want` of its dirty
 * pages (give or take a bitmap word's 64 pages) lie behind; all of them if
 * want >= its dirty count. The end of a run is what malloc reaches last:
 * blocks are carved where its dirty pages begin. Returns the claimed
 * range (the caller decommits it, then calls purge_done). */
static purge_t purge_claim(hak_seg_t *s, uint32_t i, uint32_t want) {
  uint32_t m = run_pages(info_of(s, i)), d = s->runs[i].dirty, stamp = s->runs[i].stamp;
  uint32_t end = i + m, from = i, got = 0;
  hak_assert(run_kind(info_of(s, i)) == HAK_RUN_FREE && d > 0 && d == bits(s, i, m, BITS_COUNT));
  for (uint32_t hi = end; hi > i && got < want;) {
    uint32_t lo = (hi - 1) & ~63u;
    if (lo < i) lo = i;
    uint32_t c = bits(s, lo, hi - lo, BITS_COUNT);
    if (got == 0 && c == 0) end = lo;     /* a clean end needs no system call */
    got += c;
    from = hi = lo;
  }
  if (want >= d) from = i;
  if (seg_is_empty(s)) empty_segs--;
  bin_remove(s, i, m);
  uint32_t cnt = bits(s, from, end - from, BITS_CLEAR);   /* clean once decommitted */
  if (from > i) free_run_add(s, i, from - i, stamp, d - cnt);
  if (end < i + m) free_run_add(s, end, i + m - end, stamp, 0);
  run_set(s, from, end - from, HAK_RUN_PURGING);
  s->free_pages -= end - from;
  dirty_sub(s, cnt);
  hak_count_add(large_purges, 1);
  hak_count_add(large_purged, (size_t)cnt << HAK_PAGE_SHIFT);
  return (purge_t){ s, from, end - from };
}

/* Under the lock: the decommitted range r is free again. */
static void purge_done(purge_t r) {
  release_pages(r.seg, r.page, r.pages, 0, 0);
  seg_released(r.seg);
}

/* Without the lock: decommit what was claimed, then give it back. */
static void purge_finish(purges_t *pl) {
  if (pl->n == 0) return;
  for (unsigned k = 0; k < pl->n; k++)
    _hak_os_decommit(page_addr(pl->r[k].seg, pl->r[k].page), (size_t)pl->r[k].pages << HAK_PAGE_SHIFT);
  _hak_lock(&_hak_large_lock);
  for (unsigned k = 0; k < pl->n; k++) purge_done(pl->r[k]);
  _hak_unlock(&_hak_large_lock);
}

/* Claim for decommitting (into pl, while it has room) the dirty runs free
 * for HAK_LARGE_DECAY_MS or more (blocks on the quick list that long go to
 * the runs first). Cheap when nothing is due: one compare. */
static void decay(uint32_t now, purges_t *pl) {
  if ((int32_t)(now - decay_due_get()) < 0) return;
  if (dirty_total + quick_pages == 0) {
    decay_due_set(now + (1u << 30));
    return;
  }
  while (quick_n > 0 && (int32_t)(now - (quick[0].stamp + HAK_LARGE_DECAY_MS)) >= 0) quick_flush(0);
  uint32_t next = now + HAK_LARGE_DECAY_MS;
  if (quick_n > 0) next = quick[0].stamp + HAK_LARGE_DECAY_MS;
  for (hak_seg_t *s = seg_head; s; s = s->next) {
    if (s->dirty_pages == 0) continue;
    for (uint64_t m = s->bin_mask[1]; m; m &= m - 1)
      for (uint32_t i = s->bins[1][__builtin_ctzll(m)], next_i; i != 0; i = next_i) {
        next_i = s->runs[i].next;          /* (a claim takes i off this list) */
        uint32_t due = s->runs[i].stamp + HAK_LARGE_DECAY_MS;
        if ((int32_t)(now - due) < 0) {
          if ((int32_t)(due - next) < 0) next = due;
        } else if (pl->n < PURGE_BATCH) {
          pl->r[pl->n++] = purge_claim(s, i, UINT32_MAX);
        } else {
          next = now;                      /* more next time */
        }
      }
  }
  decay_due_set(next);
}

/* Before pages become dirty at `now`: if none were, decay is due when
 * these expire. */
hak_inline void decay_arm(uint32_t now) {
  if (dirty_total + quick_pages == 0) decay_due_set(now + HAK_LARGE_DECAY_MS);
}

/* More than HAK_LARGE_DIRTY_MAX dirty (runs and quick list): decommit,
 * freed longest ago first, until DIRTY_SLACK_PAGES under the bound (so that
 * the next frees do not each pay for a search and a system call). A block
 * on the quick list freed before the oldest dirty run goes to the runs
 * first. */
static void dirty_limit(purges_t *pl) {
  if (dirty_total + quick_pages <= DIRTY_MAX_PAGES) return;
  while (dirty_total + quick_pages > DIRTY_MAX_PAGES - DIRTY_SLACK_PAGES && pl->n < PURGE_BATCH) {
    hak_seg_t *os = NULL;
    uint32_t oi = 0;
    for (hak_seg_t *s = seg_head; s; s = s->next) {
      if (s->dirty_pages == 0) continue;
      for (uint64_t m = s->bin_mask[1]; m; m &= m - 1)
        for (uint32_t i = s->bins[1][__builtin_ctzll(m)]; i != 0; i = s->runs[i].next)
          if (os == NULL || (int32_t)(s->runs[i].stamp - os->runs[oi].stamp) < 0) {
            os = s;
            oi = i;
          }
    }
    if (quick_n > 0 && (os == NULL || (int32_t)(quick[0].stamp - os->runs[oi].stamp) <= 0)) {
      quick_flush(0);
      continue;
    }
    if (os == NULL) break;
    pl->r[pl->n++] = purge_claim(os, oi, (uint32_t)(dirty_total + quick_pages - (DIRTY_MAX_PAGES - DIRTY_SLACK_PAGES)));
  }
}

/* Under the lock, after pages went free at `now`: the dirty bound and
 * decay claim what is due; then unlock and decommit it. */
static void freed_unlock(uint32_t now) {
  purges_t pl;
  pl.n = 0;
  dirty_limit(&pl);
  decay(now, &pl);
  _hak_unlock(&_hak_large_lock);
  purge_finish(&pl);
}

/* ---- a heap's cache -----------------------------------------------------------
 * A thread that frees a block of up to LC_BLOCK_PAGES keeps it whole in its
 * heap's cache (internal.h: hak_lcache_t), and its next malloc that fits
 * (the quick list's waste bound) takes it back: neither takes the large
 * lock, so threads cycling medium blocks (I/O buffers, 64 KiB strings) do
 * not queue on it. As on the quick list, the block's record is QUICK (a
 * second free is a double free) and its first 16 bytes are a free key,
 * checked when the block is taken back or leaves; its canary was checked
 * by the free. Blocks leave for the free runs (not the quick list: they
 * are the cache's oldest, of sizes not asked for since), several under one
 * lock: those freed before its last 16 frees when the cache is full
 * (newer ones too if that leaves no room), those freed
 * HAK_LARGE_DECAY_MS ago at the next free, all of them when the cache
 * served none of the last LC_MISSES large mallocs (sizes this thread no
 * longer asks for, which would pin pages amid the free runs and spread
 * the heap), when the heap is given up (a heap handed over keeps its
 * cache) and at hak_collect(). The
 * cached pages are outside the dirty bound: LC_PAGES per heap at most, and
 * LC_ALL_PAGES for all heaps together, shared out by the number of heaps
 * (lc_pages_max: with many threads each keeps less, at least one block of
 * the largest size), so that idle threads of a big pool do not hold 2 MiB
 * each until their next free. */
#define LC_BLOCK_PAGES 65      /* 256 KiB and its canary */
#define LC_PAGES       512     /* 2 MiB per heap */
#define LC_ALL_PAGES   8192    /* 32 MiB for all heaps */
#define LC_MISSES      8       /* mallocs missed in a row: all blocks go */

/* This heap's share of LC_ALL_PAGES, between LC_BLOCK_PAGES and LC_PAGES
 * (a heap set up before the count was read counts as one more). */
hak_inline uint32_t lc_pages_max(void) {
  uint32_t heaps = atomic_load_explicit(&_hak_heaps_live, memory_order_relaxed);
  if (heaps <= LC_ALL_PAGES / LC_PAGES) return LC_PAGES;   /* up to 16 heaps: no division */
  uint32_t share = LC_ALL_PAGES / heaps;
  return share < LC_BLOCK_PAGES ? LC_BLOCK_PAGES : share;
}

/* Page index of p in its segment, and the segment (*sp). */
hak_inline uint32_t lc_page(void *p, hak_seg_t **sp) {
  hak_seg_t *s = seg_of((uintptr_t)p, _hak_chunk_kind((uintptr_t)p));
  *sp = s;
  return (uint32_t)(((uintptr_t)p - (uintptr_t)s) >> HAK_PAGE_SHIFT);
}

/* The slots of c whose block has n to hi pages (hi - n < 128), a bit
 * each: all 32 page counts compared at once. An empty slot (0 pages)
 * never fits: 0 - n wraps to 256 - n >= 191. */
_Static_assert(HAK_LCACHE_MAX == 32 && LC_BLOCK_PAGES < 128, "lc_fits: 32 slots, small page counts");
hak_inline uint32_t lc_fits(const hak_lcache_t *c, uint32_t n, uint32_t hi) {
#ifdef __SSE2__
  __m128i vn = _mm_set1_epi8((char)n), lim = _mm_set1_epi8((char)(hi - n));
  __m128i a = _mm_sub_epi8(_mm_load_si128((const __m128i *)c->pages), vn);
  __m128i b = _mm_sub_epi8(_mm_load_si128((const __m128i *)(c->pages + 16)), vn);
  uint32_t ma = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(a, lim), lim));
  uint32_t mb = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(b, lim), lim));
  return ma | mb << 16;
#else
  uint32_t m = 0;
  for (unsigned k = 0; k < HAK_LCACHE_MAX; k++) m |= (uint32_t)((uint8_t)(c->pages[k] - n) <= hi - n) << k;
  return m;
#endif
}

/* c->stamp_min: the oldest stamp of c's blocks (now if none). */
static void lc_stamp_min(hak_lcache_t *c, uint32_t now) {
  c->stamp_min = now;
  for (uint32_t m = c->used; m; m &= m - 1) {
    uint32_t st = c->stamp[__builtin_ctz(m)];
    if ((int32_t)(st - c->stamp_min) < 0) c->stamp_min = st;
  }
}

/* Slot k of c no longer holds its block (of n pages). */
hak_inline void lc_clear(hak_lcache_t *c, unsigned k, uint32_t n) {
  c->pages[k] = 0;
  c->used &= ~(1u << k);
  c->total -= n;
}

/* Under the lock: the blocks of c in the slots of `mask` go to the free
 * runs. */
static void lc_give(hak_lcache_t *c, uint32_t mask, uint32_t now) {
  decay_arm(now);
  for (; mask; mask &= mask - 1) {
    unsigned k = (unsigned)__builtin_ctz(mask);
    hak_seg_t *s;
    uint32_t t = lc_page(c->p[k], &s), n = c->pages[k];
    hak_assert(n != 0 && info_of(s, t) == make_info(n, HAK_RUN_QUICK));
    if (hak_unlikely(!guard_ok(c->p[k], ~(uintptr_t)0) || !guard_ok(canary_of(s, t, n), 0)))
      guard_fail(NULL, c->p[k]);
    release_pages(s, t, n, c->stamp[k], 1);
    seg_released(s);
    counter_add(&_hak_counters.large_blocks, (size_t)-1);
    lc_clear(c, k, n);
  }
  lc_stamp_min(c, now);
}
static void lc_spill(hak_lcache_t *c, uint32_t mask, uint32_t now) {
  _hak_lock(&_hak_large_lock);
  lc_give(c, mask, now);
  freed_unlock(now);
}

/* The slots of c whose block was freed HAK_LARGE_DECAY_MS ago or more. */
static uint32_t lc_due(const hak_lcache_t *c, uint32_t now) {
  uint32_t due = 0;
  for (uint32_t m = c->used; m; m &= m - 1) {
    unsigned k = (unsigned)__builtin_ctz(m);
    if (now - c->stamp[k] >= HAK_LARGE_DECAY_MS) due |= 1u << k;
  }
  return due;
}

/* The slots of c to empty because their block was freed
 * HAK_LARGE_DECAY_MS ago (0 at once while none can be). */
static uint32_t lc_expired(hak_lcache_t *c, uint32_t now) {
  if (c->used == 0 || now - c->stamp_min < HAK_LARGE_DECAY_MS) return 0;
  uint32_t give = lc_due(c, now);
  if (give == 0) lc_stamp_min(c, now);    /* the oldest block was taken back */
  return give;
}

/* The slots of `give` go to the free runs (the shared heap's decay runs
 * then); with none, the shared heap's decay alone if it is due (decay_due
 * read without the lock). */
static void lc_spill_or_decay(hak_lcache_t *c, uint32_t give, uint32_t now) {
  if (give) {
    lc_spill(c, give, now);
  } else if ((int32_t)(now - decay_due_get()) >= 0) {
    _hak_lock(&_hak_large_lock);
    freed_unlock(now);
  }
}

/* The cache is full, or a block of n pages would pass `max` pages: the
 * slots to empty (besides `give`), the blocks freed before the last half of
 * the cache's frees, then newer ones, until there is room. */
static uint32_t lc_room(const hak_lcache_t *c, uint32_t n, uint32_t give, uint32_t max) {
  for (uint32_t age = HAK_LCACHE_MAX / 2;; age /= 2) {
    uint32_t m = give, left = c->total, kept = 0;
    for (uint32_t u = c->used; u; u &= u - 1) {
      unsigned k = (unsigned)__builtin_ctz(u);
      if (c->next_seq - c->seq[k] > age) m |= 1u << k;
      if (m & (1u << k)) left -= c->pages[k];
      else kept++;
    }
    if ((kept < HAK_LCACHE_MAX && left + n <= max) || age == 0) return m;
  }
}

/* free(p), p in segment s, into this thread's cache: 1 if it went there;
 * 0 for the locked path (no heap, a larger block, or not a live block's
 * start or a bad canary, which that path reports). */
static int lc_free(void *p, hak_seg_t *s) {
  hak_heap_t *h = _hak_tls_heap;
  uintptr_t off = (uintptr_t)p - (uintptr_t)s;
  if (!h->initialized || (off & (HAK_PAGE - 1)) != 0 || (off >> HAK_PAGE_SHIFT) < s->first) return 0;
  uint32_t t = (uint32_t)(off >> HAK_PAGE_SHIFT), info = info_of(s, t), n = run_pages(info);
  if (run_kind(info) != HAK_RUN_LIVE || n > LC_BLOCK_PAGES || !guard_ok(canary_of(s, t, n), 0) ||
      !atomic_compare_exchange_strong_explicit(&s->runs[t].info, &info, make_info(n, HAK_RUN_QUICK),
                                               memory_order_relaxed, memory_order_relaxed))
    return 0;
  hak_lcache_t *c = &h->lcache;
  uint32_t now = _hak_os_clock_ms(), give = lc_expired(c, now), max = lc_pages_max();
  if (c->used == ~0u || c->total + n > max) give = lc_room(c, n, give, max);
  lc_spill_or_decay(c, give, now);
  unsigned k = (unsigned)__builtin_ctz(~c->used);
  guard_set(p, ~(uintptr_t)0);
  if (c->used == 0) c->stamp_min = now;
  c->pages[k] = (uint8_t)n;
  c->p[k] = p;
  c->stamp[k] = now;
  c->seq[k] = c->next_seq++;
  c->used |= 1u << k;
  c->total += n;
  return 1;
}

/* A decay tick of the small-block side (superslab.c: a slab made or given
 * back, at most once per tick), on heap h's thread: the shared heap's decay
 * and h's cached blocks freed HAK_LARGE_DECAY_MS ago, as a large free would
 * run them. So a program that stopped freeing large blocks still returns
 * their pages. No lock unless something is due. */
void _hak_large_decay(hak_heap_t *h, uint32_t now) {
  lc_spill_or_decay(&h->lcache, lc_expired(&h->lcache, now), now);
}

/* A block of n pages for `size` bytes from c, the most recently freed of
 * those that fit the waste bound (usable <= size + size/4 + 4096); its
 * free key checked, then cleared. */
static void *lc_take(hak_lcache_t *c, uint32_t n, size_t size) {
  uint32_t fits = lc_fits(c, n, (uint32_t)((size + size / 4 + HAK_PAGE + CANARY) >> HAK_PAGE_SHIFT));
  if (fits == 0) return NULL;
  unsigned k = (unsigned)__builtin_ctz(fits);
  for (fits &= fits - 1; fits; fits &= fits - 1) {
    unsigned j = (unsigned)__builtin_ctz(fits);
    if ((int32_t)(c->seq[j] - c->seq[k]) > 0) k = j;
  }
  void *p = c->p[k];
  uint32_t m = c->pages[k];
  lc_clear(c, k, m);
  if (hak_unlikely(!guard_ok(p, ~(uintptr_t)0))) guard_report(NULL, p);
  hak_seg_t *s;
  uint32_t t = lc_page(p, &s);
  info_set(s, t, make_info(m, HAK_RUN_LIVE));
  memset(p, 0, 2 * sizeof(uintptr_t));
  return p;
}

void _hak_large_cache_flush(hak_heap_t *h) {
  if (h->lcache.used) lc_spill(&h->lcache, h->lcache.used, _hak_os_clock_ms());
}

/* ---- malloc, free, realloc of page runs ----------------------------------- */
/* Clear the dirty pages of the live run [t, t + n) (calloc): the others
 * read as zero already. Called without the lock: the block's bits do not
 * change while it is live. */
static void zero_dirty(hak_seg_t *s, uint32_t t, uint32_t n) {
  uint32_t p = t, end = t + n;
  while (p < end) {
    while (p < end && !bit(s, p)) p++;
    uint32_t q = p;
    while (q < end && bit(s, q)) q++;
    if (q > p) memset(page_addr(s, p), 0, (size_t)(q - p) << HAK_PAGE_SHIFT);
    p = q;
  }
}

/* A free run of `need` pages: dirty ones first, oldest segment first. */
static hak_seg_t *heap_find(uint32_t need, uint32_t *i) {
  for (unsigned d = 2; d-- > 0;)
    for (hak_seg_t *s = seg_head; s; s = s->next)
      if ((*i = seg_find(s, need, d)) != 0) return s;
  return NULL;
}

static void *seg_alloc(uint32_t n, size_t size, size_t align, int zero) {
  uint32_t ap = align > HAK_PAGE ? (uint32_t)(align >> HAK_PAGE_SHIFT) : 1;  /* alignment in pages */
  uint32_t need = n + ap - 1, i = 0;
  hak_seg_t *s;
  hak_heap_t *h = _hak_tls_heap;
  /* A thread whose first malloc is of this size gets its heap now, so
   * that it has a cache (the static heaps' are empty and stay so). */
  if (hak_unlikely(h == &_hak_heap_empty) && n <= LC_BLOCK_PAGES && (h = _hak_heap_init_thread()) == NULL)
    h = &_hak_heap_empty;
  hak_lcache_t *c = &h->lcache;
  void *p;
  if (ap == 1 && n <= LC_BLOCK_PAGES && c->used != 0 && (p = lc_take(c, n, size)) != NULL) {
    c->misses = 0;
    if (zero) memset(p, 0, size);         /* its pages are dirty */
    return p;
  }
  _hak_lock(&_hak_large_lock);
  /* A cache that served none of the last LC_MISSES mallocs holds sizes
   * this thread no longer asks for: its blocks go back. */
  if (c->used != 0 && ++c->misses >= LC_MISSES) {
    lc_give(c, c->used, _hak_os_clock_ms());
    c->misses = 0;
  }
  if (ap == 1 && quick_n > 0) {
    p = quick_take(n, size);
    if (p) {
      counter_add(&_hak_counters.large_blocks, 1);
      _hak_unlock(&_hak_large_lock);
      if (zero) memset(p, 0, size);       /* its pages are dirty */
      return p;
    }
    /* A miss ages the list: its oldest block goes to the runs, so blocks
     * of sizes no longer asked for do not hold their pages apart. */
    quick_flush(0);
  }
  s = heap_find(need, &i);
  if (s == NULL && quick_n > 0) {         /* the quick list's blocks may make room */
    while (quick_n > 0) quick_flush(0);
    s = heap_find(need, &i);
  }
  if (s == NULL) {
    _hak_unlock(&_hak_large_lock);        /* no lock held across mmap */
    s = seg_map(need);
    if (s == NULL) return NULL;
    _hak_lock(&_hak_large_lock);
    seg_link(s);
    i = seg_find(s, need, 0);
  }
  /* Segments are aligned to at least HAK_SEG_ALIGN_MAX >= align. */
  uint32_t t = (i + ap - 1) & ~(ap - 1);
  if (ap == 1 && s->runs[i].dirty != 0) t = dirty_start(s, i, run_pages(info_of(s, i)), n);
  carve(s, i, t, n);
  counter_add(&_hak_counters.large_blocks, 1);
  _hak_unlock(&_hak_large_lock);
  if (zero) zero_dirty(s, t, n);
  guard_set(canary_of(s, t, n), 0);       /* (after zeroing: it may share a page) */
  return page_addr(s, t);
}

/* Under the lock: is p (in a chunk of `kind`) the start of a live block?
 * Its first page, else 0. The map is read again under the lock (see
 * seg_unmap). */
static uint32_t live_page(hak_seg_t *s, const void *p, unsigned kind, uint32_t *info_out) {
  uintptr_t a = (uintptr_t)p, off = a - (uintptr_t)s;
  *info_out = 0;
  if (_hak_chunk_kind(a) != kind || (off & (HAK_PAGE - 1)) != 0) return 0;
  uint32_t t = (uint32_t)(off >> HAK_PAGE_SHIFT);
  if (t < s->first) return 0;
  *info_out = info_of(s, t);
  return run_kind(*info_out) == HAK_RUN_LIVE ? t : 0;
}

static void seg_free(void *p, unsigned kind, const char *fn) {
  hak_seg_t *s = seg_of((uintptr_t)p, kind);
  if (lc_free(p, s)) return;
  uint32_t now = _hak_os_clock_ms(), info;
  _hak_lock(&_hak_large_lock);
  uint32_t t = live_page(s, p, kind, &info);
  if (t == 0) {
    _hak_unlock(&_hak_large_lock);
    /* On the quick list, or the first page of a free run: freed before
     * (unless it merged with a free run to its left: then it is only an
     * invalid pointer). */
    unsigned k = run_kind(info);
    _hak_error(fn, k == HAK_RUN_FREE || k == HAK_RUN_QUICK ? "double free" : "invalid pointer", p);
    return;
  }
  uint32_t n = run_pages(info);
  if (hak_unlikely(!guard_ok(canary_of(s, t, n), 0))) guard_fail(fn, p);
  decay_arm(now);
  if (n <= QUICK_BLOCK_PAGES) {
    quick_put(s, t, n, now);
  } else {
    release_pages(s, t, n, now, 1);
    seg_released(s);
  }
  counter_add(&_hak_counters.large_blocks, (size_t)-1);
  freed_unlock(now);
}

/* Resize the live block at p in place: shrink by freeing its tail, grow
 * into a free run right after it; its canary moves to the new end. NULL if
 * it cannot (the caller copies). */
static void *seg_realloc(void *p, unsigned kind, size_t size) {
  hak_seg_t *s = seg_of((uintptr_t)p, kind);
  uint32_t now = _hak_os_clock_ms(), info, k = 0;
  purges_t pl;
  pl.n = 0;
  _hak_lock(&_hak_large_lock);
  uint32_t t = live_page(s, p, kind, &info);
  if (t == 0) {                           /* freed meanwhile: the caller's free reports it */
    _hak_unlock(&_hak_large_lock);
    return NULL;
  }
  uint32_t n = run_pages(info);
  if (hak_unlikely(!guard_ok(canary_of(s, t, n), 0))) guard_fail("realloc", p);
  size_t usable = usable_of(n);
  /* In place while the block is at most twice the size asked (as for small
   * blocks in hak_realloc). */
  if (size <= usable && usable / 2 <= size) goto done;
  if (size > HAK_SEG_BLOCK_MAX) { p = NULL; goto done; }
  k = block_pages(size);
  if (k < n) {                            /* shrink: the tail pages go free */
    decay_arm(now);
    run_set(s, t, k, HAK_RUN_LIVE);
    release_pages(s, t + k, n - k, now, 1);
    dirty_limit(&pl);
    goto done;
  }
  uint32_t end = t + n, ri = end < s->npages ? info_of(s, end) : 0;
  if (run_kind(ri) != HAK_RUN_FREE || n + run_pages(ri) < k) { p = NULL; k = 0; goto done; }
  /* grow into the free run [end, end + rn) */
  uint32_t rn = run_pages(ri), take = k - n, stamp = s->runs[end].stamp, dirty = s->runs[end].dirty;
  uint32_t d = bits(s, end, take, BITS_COUNT);
  bin_remove(s, end, rn);
  if (n > 1) info_set(s, end - 1, 0);
  info_set(s, end, 0);
  if (rn > take) free_run_add(s, end + take, rn - take, stamp, dirty - d);
  run_set(s, t, k, HAK_RUN_LIVE);
  s->free_pages -= take;
  dirty_sub(s, d);
done:
  _hak_unlock(&_hak_large_lock);
  /* Resized to k pages: the new canary (its page may be a clean one, a
   * fault: not under the lock). */
  if (k != 0) guard_set(canary_of(s, t, k), 0);
  purge_finish(&pl);
  return p;
}

/* ---- entry points ------------------------------------------------------ */
void *_hak_large_alloc(size_t size, size_t align, int zero) {
  if (size <= HAK_SEG_BLOCK_MAX && align <= HAK_SEG_ALIGN_MAX) {
    void *p = seg_alloc(block_pages(size), size, align, zero);
    if (p) return p;
    /* No segment (address space short): a mapping of its own may fit. */
  }
  return _hak_huge_alloc(size, align);    /* fresh pages are zero already */
}

/* p is 16-byte aligned, below 2^47, in a chunk of `kind` (not a SuperSlab). */
void _hak_large_free(void *p, unsigned kind, const char *fn) {
  if (is_seg_kind(kind)) seg_free(p, kind, fn);
  else if (kind == HAK_CHUNK_HUGE && ((uintptr_t)p & HAK_SS_MASK) == 0) _hak_huge_free(p, fn);
  else _hak_error(fn, "invalid pointer", p);
}

size_t _hak_large_usable(const void *p) {
  uintptr_t a = (uintptr_t)p;
  if (a & HAK_BAD_PTR_BITS) return 0;
  unsigned kind = _hak_chunk_kind(a);
  if (kind == HAK_CHUNK_HUGE) return _hak_huge_usable(p);
  if (!is_seg_kind(kind)) return 0;
  uint32_t info;
  _hak_lock(&_hak_large_lock);
  uint32_t t = live_page(seg_of(a, kind), p, kind, &info);
  _hak_unlock(&_hak_large_lock);
  return t ? usable_of(run_pages(info)) : 0;
}

/* p: a live large block; size > HAK_SMALL_MAX. */
void *_hak_large_realloc(void *p, size_t size) {
  unsigned kind = _hak_chunk_kind((uintptr_t)p);
  if (kind == HAK_CHUNK_HUGE) return _hak_huge_realloc(p, size);
  if (!is_seg_kind(kind)) return NULL;
  return seg_realloc(p, kind, size);
}

/* hak_collect(): empty the quick list, decommit every dirty run, unmap
 * every empty segment. */
void _hak_large_collect(void) {
  _hak_lock(&_hak_large_lock);
  while (quick_n > 0) quick_flush(0);
  for (hak_seg_t *s = seg_head; s; s = s->next)
    while (s->bin_mask[1]) {             /* (decommitted with the lock held) */
      purge_t r = purge_claim(s, s->bins[1][__builtin_ctzll(s->bin_mask[1])], UINT32_MAX);
      _hak_os_decommit(page_addr(s, r.page), (size_t)r.pages << HAK_PAGE_SHIFT);
      release_pages(s, r.page, r.pages, 0, 0);
    }
  for (hak_seg_t *s = seg_head, *next; s; s = next) {
    next = s->next;
    if (seg_is_empty(s)) seg_unmap(s);
  }
  _hak_unlock(&_hak_large_lock);
}
