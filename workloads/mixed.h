/* mixed.h: the random-mixed step loop, shared by random_mixed and longrun.
 *
 * A working set of `ws` slots. One step draws one 64-bit random number: its
 * low 32 bits pick a slot; if the slot holds a block, the block is checked and
 * freed, otherwise its high 32 bits pick a size and a new block is allocated,
 * tagged and stored. One step is one op.
 *
 * Size distributions (--dist):
 *   uniform  every size in [min, max] equally likely
 *   pow2     every power of two in [min, max] equally likely
 *   app      a skewed "application" mix: sizes 16*n bytes, n = 1..2048
 *            (16 B .. 32 KiB), with P(16*n) proportional to 1/n^2,
 *            restricted to [min, max] and renormalised. Unrestricted, 61 % of
 *            requests are 16 B, 93 % are at most 128 B, 0.9 % exceed 1 KiB,
 *            0.2 % exceed 4 KiB, and the tail reaches 32 KiB; the mean is
 *            80 B. Drawn through inverse-CDF tables (mixed_build_app_table).
 *
 * Built with -DWL_NULL_ALLOC (build/workloads/tools/random_mixed_null) the
 * loop is unchanged except that malloc returns the slot's own fixed place in
 * a preallocated arena and free does nothing: that binary measures what the
 * loop itself costs.
 */
#ifndef WL_MIXED_H
#define WL_MIXED_H

#include "common.h"

#include <math.h>
#include <stdlib.h>

enum mixed_dist { MIX_UNIFORM, MIX_POW2, MIX_APP };
static const char *const mixed_dist_names[] = {"uniform", "pow2", "app", NULL};

#define MIX_APP_BITS 12
#define MIX_APP_MAX_N 2048     /* app sizes are 16 * n, n <= 2048: 32 KiB */

struct mixed {
  struct wl_block *slots;
  uint32_t ws;
  uint32_t min, span;          /* uniform: min + [0, span)                 */
  uint32_t pow2_lo, pow2_n;    /* pow2: 1 << (pow2_lo + [0, pow2_n))       */
  uint16_t *app_table;         /* app: 2 << MIX_APP_BITS sizes             */
  unsigned dist;
  uint64_t rng;
  uint32_t salt;
  uint64_t mallocs, frees;     /* counted by mixed_run                     */
#ifdef WL_NULL_ALLOC
  unsigned char *arena;
  size_t stride;
#endif
};

/* Options the two drivers share; their defaults live in these variables. */
struct mixed_opts {
  uint64_t ws, min, max, seed;
  unsigned dist;
};

#define MIXED_OPTIONS(o)                                                                      \
  {.name = "ws", .kind = WL_OPT_U64, .value = &(o).ws, .ulo = 1, .uhi = 1u << 28,             \
   .help = "working-set slots"},                                                              \
  {.name = "min", .kind = WL_OPT_U64, .value = &(o).min, .ulo = 1, .uhi = 1u << 30,           \
   .help = "smallest block size, bytes"},                                                     \
  {.name = "max", .kind = WL_OPT_U64, .value = &(o).max, .ulo = 1, .uhi = 1u << 30,           \
   .help = "largest block size, bytes"},                                                      \
  {.name = "dist", .kind = WL_OPT_CHOICE, .value = &(o).dist, .choices = mixed_dist_names,    \
   .help = "sizes (app: --min, --max default to 16, 32768)"},                                 \
  {.name = "seed", .kind = WL_OPT_U64, .value = &(o).seed, .ulo = 0, .uhi = UINT64_MAX,       \
   .help = "PRNG seed"}

/* The app sizes come from two 4096-entry inverse-CDF tables indexed by the
 * draw's top 12 bits and, in the last entry's case (marked 0), the next 12
 * bits: the top 1/4096 of the probability mass, where the long tail lives,
 * gets a resolution of 1/2^24. */
static void mixed_build_app_table(struct mixed *m, const struct wl_cmd *cmd, uint32_t min,
                                  uint32_t max) {
  const uint32_t rows = 1u << MIX_APP_BITS;
  double cdf[MIX_APP_MAX_N + 1], total = 0;
  cdf[0] = 0;
  for (uint32_t n = 1; n <= MIX_APP_MAX_N; n++) {
    int in = 16 * n >= min && 16 * n <= max;
    total += in ? 1.0 / ((double)n * n) : 0;
    cdf[n] = total;
  }
  if (total == 0)
    wl_usage_error(cmd, "--dist app needs a multiple of 16 (16..32768) within [--min, --max]");
  m->app_table = (uint16_t *)wl_mem(sizeof(uint16_t) * 2 * rows);
  uint32_t n = 1;
  for (uint32_t j = 0; j < 2 * rows; j++) {
    if (j == rows - 1) continue;             /* the marker stays 0 */
    /* Entry j stands for the middle of its slice of probability. */
    double q = j < rows ? ((double)j + 0.5) / rows
                        : ((double)(rows - 1) + ((double)(j - rows) + 0.5) / rows) / rows;
    while (n < MIX_APP_MAX_N && cdf[n] < q * total) n++;
    m->app_table[j] = (uint16_t)(16 * n);    /* 32768 fits */
  }
}

/* Validates the shared options (exit 2 on bad ones) and prepares the loop.
 * For --dist app, --min and --max default to 16 and 32768. */
static void mixed_init(struct mixed *m, struct wl_cmd *cmd, struct mixed_opts *o) {
  memset(m, 0, sizeof *m);
  if (o->dist == MIX_APP) {
    if (!wl_opt_get(cmd, "min")->given) o->min = 16;
    if (!wl_opt_get(cmd, "max")->given) o->max = 32768;
  }
  wl_check_min_max(cmd, o->min, o->max);
  m->ws = (uint32_t)o->ws;
  m->min = (uint32_t)o->min;
  m->span = (uint32_t)(o->max - o->min + 1);
  m->dist = o->dist;
  if (o->dist == MIX_POW2) {
    uint32_t lo = 0, hi = 0;
    while ((1ull << lo) < o->min) lo++;
    while ((2ull << hi) <= o->max) hi++;
    if (lo > hi) wl_usage_error(cmd, "--dist pow2 needs a power of two within [--min, --max]");
    m->pow2_lo = lo;
    m->pow2_n = hi - lo + 1;
  } else if (o->dist == MIX_APP) {
    mixed_build_app_table(m, cmd, m->min, (uint32_t)o->max);
  }
  m->slots = (struct wl_block *)wl_mem(sizeof(struct wl_block) * m->ws);
  m->rng = wl_seed_state(o->seed, 0);
#ifdef WL_NULL_ALLOC
  m->stride = ((size_t)o->max + 15) & ~(size_t)15;
  m->arena = (unsigned char *)wl_mem(m->stride * m->ws);
#endif
}

#ifdef WL_NULL_ALLOC
#define MIX_MALLOC(m, slot, size) ((void *)((m)->arena + (size_t)((slot) - (m)->slots) * (m)->stride))
#define MIX_FREE(p) ((void)(p))
#else
#define MIX_MALLOC(m, slot, size) malloc(size)
#define MIX_FREE(p) free(p)
#endif

/* `dist` is a constant in each caller below, so each distribution gets its
 * own loop with no per-step dispatch. */
WL_INLINE void mixed_steps(struct mixed *m, uint64_t n,
                                                              const unsigned dist) {
  struct wl_block *slots = m->slots;
  const uint32_t ws = m->ws, min = m->min, span = m->span;
  const uint32_t pow2_lo = m->pow2_lo, pow2_n = m->pow2_n;
  const uint16_t *app = m->app_table;
  uint64_t rng = m->rng, mallocs = 0;
  uint32_t salt = m->salt;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t r = wl_rand(&rng);
    struct wl_block *b = &slots[wl_scale((uint32_t)r, ws)];
    if (b->p) {
      wl_check(b, "working-set slot");
      MIX_FREE(b->p);
      b->p = NULL;
    } else {
      uint32_t hi = (uint32_t)(r >> 32), size;
      if (dist == MIX_UNIFORM) size = min + wl_scale(hi, span);
      else if (dist == MIX_POW2) size = 1u << (pow2_lo + wl_scale(hi, pow2_n));
      else {
        size = app[hi >> (32 - MIX_APP_BITS)];
        if (WL_UNLIKELY(size == 0))
          size = app[(1u << MIX_APP_BITS) + ((hi >> (32 - 2 * MIX_APP_BITS)) & ((1u << MIX_APP_BITS) - 1))];
      }
      void *p = MIX_MALLOC(m, b, size);
      if (WL_UNLIKELY(!p)) wl_oom(size);
      wl_set(b, p, size, salt++);
      mallocs++;
    }
  }
  m->rng = rng;
  m->salt = salt;
  m->mallocs += mallocs;
  m->frees += n - mallocs;
}

static void mixed_run(struct mixed *m, uint64_t n) {
  switch (m->dist) {
  case MIX_UNIFORM: mixed_steps(m, n, MIX_UNIFORM); break;
  case MIX_POW2: mixed_steps(m, n, MIX_POW2); break;
  default: mixed_steps(m, n, MIX_APP); break;
  }
}

/* Checks and frees every block still held (not timed, not counted as ops). */
static void mixed_free_all(struct mixed *m) {
  for (uint32_t i = 0; i < m->ws; i++) {
    struct wl_block *b = &m->slots[i];
    if (!b->p) continue;
    wl_check(b, "working-set slot, final free");
    MIX_FREE(b->p);
    b->p = NULL;
  }
}

#endif /* WL_MIXED_H */
