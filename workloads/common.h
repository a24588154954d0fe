/* common.h: what every workload driver shares.
 *
 *   options   a table of --name value options; wl_parse() handles --help,
 *             bad input (one-line error + usage on stderr, exit 2) and
 *             --name=value
 *   PRNG      wyrand: one add, one 64x64->128 multiply, one xor per number;
 *             wl_scale() maps 32 random bits onto [0, n) with a multiply and
 *             a shift (no division in any measured loop)
 *   blocks    every block the drivers allocate carries a tag derived from its
 *             address, size and a per-block salt, in its first and last bytes;
 *             wl_check() verifies it before the block is freed and ends the
 *             process with exit 3 and a "CORRUPTION" line on mismatch
 *   big blocks  blocks of many pages (churn, large) carry one check word in
 *             every 4 KiB page besides the tail (wl_big_*), so that a page
 *             lost, shared or not copied by realloc is caught too
 *   timing    wl_now(): CLOCK_MONOTONIC in seconds
 *   JSON      the result line (the last line on stdout)
 *
 * Everything the measured loops call is static inline here; the rest lives
 * in common.c. Memory for the drivers' own bookkeeping (slot arrays, queues)
 * comes from wl_mem() (mmap), never from the allocator being measured.
 */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WL_LIKELY(x)   __builtin_expect(!!(x), 1)
#define WL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WL_NORETURN    __attribute__((noreturn))
#define WL_COLD        __attribute__((cold, noinline))
/* For what runs inside measured loops: GCC otherwise declines to inline the
 * check into loops that are themselves instantiated several times. */
#define WL_INLINE      static inline __attribute__((always_inline))

/* Exit codes of the workload contract. */
enum { WL_EXIT_OK = 0, WL_EXIT_ERROR = 1, WL_EXIT_USAGE = 2, WL_EXIT_CORRUPT = 3 };

/* ---- options ------------------------------------------------------------ */

enum wl_opt_kind {
  WL_OPT_U64,     /* value: uint64_t *, accepted range [ulo, uhi]            */
  WL_OPT_F64,     /* value: double *,   accepted range [dlo, dhi], finite    */
  WL_OPT_CHOICE,  /* value: unsigned *, index into choices                   */
};

struct wl_opt {
  const char *name;             /* option name without the leading "--"      */
  enum wl_opt_kind kind;
  void *value;                  /* holds the default until parsed            */
  uint64_t ulo, uhi;
  double dlo, dhi;
  const char *const *choices;   /* NULL-terminated                           */
  const char *help;
  const char *json_key;         /* key in the result line; NULL: name        */
  int optional;                 /* no default: JSON null unless given        */
  int given;                    /* set by wl_parse()                         */
  char shown_default[32];       /* set by wl_parse(), for the usage text     */
};

struct wl_cmd {
  const char *name;             /* workload name, also "workload" in JSON    */
  const char *summary;          /* one line: what it does                    */
  const char *op;               /* one line: what one op is                  */
  struct wl_opt *opts;
  int nopts;
};

/* Name of the running workload, for error messages (set by wl_parse). */
extern const char *wl_name;

void wl_parse(struct wl_cmd *cmd, int argc, char **argv);
WL_NORETURN void wl_usage_error(const struct wl_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Exit 2 with usage when --min is larger than --max. */
void wl_check_min_max(const struct wl_cmd *cmd, uint64_t min, uint64_t max);
const struct wl_opt *wl_opt_get(const struct wl_cmd *cmd, const char *name);

/* Fatal error that is not the workload's data: message on stderr, exit 1
 * (with _exit: safe from any thread). */
WL_NORETURN void wl_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
WL_NORETURN WL_COLD void wl_oom(size_t size);

/* ---- PRNG --------------------------------------------------------------- */

WL_INLINE uint64_t wl_rand(uint64_t *state) {
  *state += 0xa0761d6478bd642full;
  __uint128_t t = (__uint128_t)*state * (*state ^ 0xe7037ed1a0b428dbull);
  return (uint64_t)(t >> 64) ^ (uint64_t)t;
}

/* Independent starting state for stream `stream` of seed `seed` (splitmix64
 * finaliser), so threads seeded from one --seed do not share a sequence. */
WL_INLINE uint64_t wl_seed_state(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + (stream + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* r (32 uniform bits) onto [0, n): floor(r * n / 2^32). Bias at most
 * n / 2^32, far below anything a benchmark can see. */
WL_INLINE uint32_t wl_scale(uint32_t r, uint32_t n) {
  return (uint32_t)(((uint64_t)r * n) >> 32);
}

/* ---- blocks and their check bytes --------------------------------------- */

/* A live block as the drivers keep it: 16 bytes. */
struct wl_block {
  void *p;
  uint32_t size;
  uint32_t salt;   /* differs between blocks, so two blocks handed out at the
                      same address carry different tags */
};

/* Multiplying by an odd constant is a bijection, so blocks that differ in
 * address, size or salt (within the low 32 bits) get different tags. */
WL_INLINE uint64_t wl_tag(const void *p, uint32_t size, uint32_t salt) {
  return ((uint64_t)(uintptr_t)p ^ ((uint64_t)salt << 32 | size)) * 0x9e3779b97f4a7c15ull;
}

/* Layout: size >= 16: tag in bytes [0,8), ~tag in [size-8,size).
 * 8 <= size < 16: tag in [0,8), top byte of ~tag in the last byte (size > 8).
 * size < 8: low byte of tag in byte 0, top byte of ~tag in the last byte. */
WL_INLINE void wl_fill(void *p, uint32_t size, uint64_t tag) {
  unsigned char *b = (unsigned char *)p;
  uint64_t end = ~tag;
  if (WL_LIKELY(size >= 16)) {
    memcpy(b, &tag, 8);
    memcpy(b + size - 8, &end, 8);
  } else if (size >= 8) {
    memcpy(b, &tag, 8);
    if (size > 8) b[size - 1] = (unsigned char)(end >> 56);
  } else if (size > 0) {
    b[0] = (unsigned char)tag;
    if (size > 1) b[size - 1] = (unsigned char)(end >> 56);
  }
}

WL_INLINE int wl_intact(const void *p, uint32_t size, uint64_t tag) {
  const unsigned char *b = (const unsigned char *)p;
  uint64_t end = ~tag, head, tail;
  if (WL_LIKELY(size >= 16)) {
    memcpy(&head, b, 8);
    memcpy(&tail, b + size - 8, 8);
    return (head ^ tag) == 0 && (tail ^ end) == 0;
  }
  if (size >= 8) {
    memcpy(&head, b, 8);
    return head == tag && (size == 8 || b[size - 1] == (unsigned char)(end >> 56));
  }
  if (size == 0) return 1;
  return b[0] == (unsigned char)tag &&
         (size == 1 || b[size - 1] == (unsigned char)(end >> 56));
}

/* Prints "CORRUPTION: ..." with the expected and found bytes, exits 3.
 * `where` says which of the driver's structures held the block. */
WL_NORETURN WL_COLD void wl_corruption(const struct wl_block *b, const char *where);
/* Same exit for a check of another shape: "<name>: CORRUPTION: <message>". */
WL_NORETURN WL_COLD void wl_corruption_msg(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

WL_INLINE void wl_set(struct wl_block *b, void *p, uint32_t size, uint32_t salt) {
  b->p = p;
  b->size = size;
  b->salt = salt;
  wl_fill(p, size, wl_tag(p, size, salt));
}

WL_INLINE void wl_check(const struct wl_block *b, const char *where) {
  if (WL_UNLIKELY(!wl_intact(b->p, b->size, wl_tag(b->p, b->size, b->salt))))
    wl_corruption(b, where);
}

/* ---- big blocks: one check word per page -------------------------------- */

/* A block of any size, checked by one 8-byte word at the start of every
 * 4 KiB of it (offsets 0, 4096, 8192, ...: word k holds tag + k * WL_BIG_STEP)
 * and its last 8 bytes (~tag ^ size). A word is only written where it ends
 * at or before size - 8, so it never overlaps the tail. The tag is fixed when
 * the block is first allocated and kept across realloc, so that a grown block
 * is checked against what was written before it moved. Blocks must be at
 * least 16 bytes. Writing the words touches every page of the block, as a
 * program that uses its buffer does. */
#define WL_BIG_PAGE 4096u
#define WL_BIG_STEP 0x9e3779b97f4a7c15ull

struct wl_big {
  void *p;
  size_t size;
  uint64_t tag;
};

/* Writes the page words at offsets in [from, size - 8) and the tail. */
WL_INLINE void wl_big_fill(const struct wl_big *b, size_t from) {
  unsigned char *c = (unsigned char *)b->p;
  size_t k = (from + WL_BIG_PAGE - 1) / WL_BIG_PAGE;
  for (size_t off = k * WL_BIG_PAGE; off + 16 <= b->size; off += WL_BIG_PAGE, k++) {
    uint64_t w = b->tag + k * WL_BIG_STEP;
    memcpy(c + off, &w, 8);
  }
  uint64_t tail = ~b->tag ^ (uint64_t)b->size;
  memcpy(c + b->size - 8, &tail, 8);
}

/* Offset of the first wrong word within the first `size` bytes of the block
 * as filled for that size (size <= b->size: a block before it grew), or
 * (size_t)-1 when all are intact. */
WL_INLINE size_t wl_big_bad(const struct wl_big *b, size_t size) {
  const unsigned char *c = (const unsigned char *)b->p;
  size_t k = 0, off = 0;
  for (; off + 16 <= size; off += WL_BIG_PAGE, k++) {
    uint64_t w;
    memcpy(&w, c + off, 8);
    if (WL_UNLIKELY(w != b->tag + k * WL_BIG_STEP)) return off;
  }
  uint64_t tail;
  memcpy(&tail, c + size - 8, 8);
  return tail == (~b->tag ^ (uint64_t)size) ? (size_t)-1 : size - 8;
}

/* Prints a CORRUPTION line naming the offset and exits 3. */
WL_NORETURN WL_COLD void wl_big_corruption(const struct wl_big *b, size_t size, size_t off,
                                           const char *where);

/* Checks the block as filled for `size` bytes (its current size, or its
 * size before a realloc grew it). */
WL_INLINE void wl_big_check(const struct wl_big *b, size_t size, const char *where) {
  size_t off = wl_big_bad(b, size);
  if (WL_UNLIKELY(off != (size_t)-1)) wl_big_corruption(b, size, off, where);
}

/* A new block's fields and tag (no words written yet). */
WL_INLINE void wl_big_init(struct wl_big *b, void *p, size_t size, uint32_t salt) {
  b->p = p;
  b->size = size;
  b->tag = wl_tag(p, (uint32_t)size ^ (uint32_t)(size >> 32), salt);
}

/* A new block: its tag, then every page word. */
WL_INLINE void wl_big_set(struct wl_big *b, void *p, size_t size, uint32_t salt) {
  wl_big_init(b, p, size, salt);
  wl_big_fill(b, 0);
}

/* *c ^= v, returning the new value. On x86-64 in one read-modify-write
 * instruction: a page not yet present then takes one (write) fault, where a
 * load followed by a store would take two (the load maps the zero page). */
WL_INLINE uint64_t wl_xor_word(unsigned char *c, uint64_t v) {
  uint64_t w;
#if defined(__x86_64__)
  __asm__ volatile("xorq %1, %0" : "+m"(*(uint64_t *)(void *)c) : "r"(v));
  memcpy(&w, c, 8);
#else
  memcpy(&w, c, 8);
  w ^= v;
  memcpy(c, &w, 8);
#endif
  return w;
}

/* For a block that should read as zero (calloc): writes the page words and
 * the tail by xor, which leaves the right value only where the memory was
 * zero. Those are the places earlier blocks at the same address wrote, so
 * stale contents show there. Returns the offset of the first word that was
 * not zero, or (size_t)-1; *found gets what was there. */
WL_INLINE size_t wl_big_fill_zeroed(const struct wl_big *b, uint64_t *found) {
  unsigned char *c = (unsigned char *)b->p;
  size_t k = 0, bad = (size_t)-1;
  for (size_t off = 0; off + 16 <= b->size; off += WL_BIG_PAGE, k++) {
    uint64_t want = b->tag + k * WL_BIG_STEP, got = wl_xor_word(c + off, want);
    if (WL_UNLIKELY(got != want) && bad == (size_t)-1) { bad = off; *found = got ^ want; }
  }
  uint64_t tail = ~b->tag ^ (uint64_t)b->size, got = wl_xor_word(c + b->size - 8, tail);
  if (WL_UNLIKELY(got != tail) && bad == (size_t)-1) { bad = b->size - 8; *found = got ^ tail; }
  return bad;
}

/* ---- time, memory, environment ------------------------------------------ */

WL_INLINE double wl_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sleep for `seconds`, resuming after signals. */
void wl_sleep(double seconds);

/* Zeroed memory for the driver's own bookkeeping, straight from mmap. */
void *wl_mem(size_t bytes);
void wl_mem_free(void *p, size_t bytes);

long wl_peak_rss_kb(void);     /* getrusage ru_maxrss                      */
long wl_current_rss_kb(void);  /* /proc/self/statm resident; -1 if unknown */
long wl_peak_vm_kb(void);      /* VmPeak of /proc/self/status (address space); -1 if unknown */

/* Basename of the shared object (or executable) whose malloc the process
 * uses, from dladdr on malloc's resolved address. */
const char *wl_allocator_name(void);

/* ---- the JSON result line ------------------------------------------------ */

/* Usage: wl_json_begin(cmd); wl_json_params(cmd); extra wl_json_* fields;
 * wl_json_end(cmd, ops, seconds, threads) adds ops, seconds, ops_per_sec,
 * threads (unless an option already reports it), peak_rss_kb, allocator and
 * closes the line. Non-finite numbers are written as null. */
void wl_json_begin(const struct wl_cmd *cmd);
void wl_json_params(const struct wl_cmd *cmd);
void wl_json_u64(const char *key, uint64_t v);
void wl_json_f64(const char *key, double v);
void wl_json_str(const char *key, const char *v);
void wl_json_f64_array(const char *key, const double *v, size_t n);
void wl_json_i64_array(const char *key, const long *v, size_t n);
void wl_json_end(const struct wl_cmd *cmd, uint64_t ops, double seconds, uint64_t threads);

/* Sample mean and coefficient of variation (stddev / mean, n-1 divisor;
 * 0 when n < 2). */
double wl_mean(const double *v, size_t n);
double wl_cv(const double *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* WL_COMMON_H */
