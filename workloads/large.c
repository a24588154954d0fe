/* large: big blocks replaced at random, each zero-filled or written when it
 * is allocated, optionally grown with realloc.
 *
 * --slots buffers are live at once (the slots start empty). One replacement:
 * pick a random slot; check and free its buffer, if any; allocate a new one
 * of a size uniform in [--min, --max] and fill it:
 *   memset  malloc, then memset to 0 (what C++'s make_unique<char[]>(n) and
 *           any "new buffer, cleared" code do)
 *   calloc  calloc; the check words are written by xor, so that each shows
 *           whether the memory under it was 0 (wl_big_fill_zeroed), with
 *           no extra page fault
 *   pages   malloc; only the check words are written (a buffer used sparsely)
 * with one check word per 4 KiB page and the tail (wl_big_*) written in every
 * mode. With
 * --grow B the buffer instead starts at B bytes (filled the same way) and is
 * grown with realloc by B bytes at a time up to its size; before each step
 * the buffer is checked, after it the old contents are checked again and the
 * new part is filled (memset: cleared; calloc, pages: check words only).
 *
 * The defaults are the pattern "2000 buffers of 5-25 MiB, zero-filled, at
 * most 20 live" of mimalloc-bench's malloc-large; --min 40960 --max 40960
 * (with more slots) is the 40 KiB-block mode. The JSON adds peak_vm_kb, the
 * process's peak address space, which shows what each block reserves.
 *
 * One op is one KiB of buffer allocated (bytes_allocated / 1024, growth by
 * realloc included): the cost of these buffers grows with their size (pages
 * faulted in, bytes cleared), and the report's M ops/s then reads as GiB/s
 * (about). The JSON also counts the calls. The final frees are not timed. */
#include "common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum fill { FILL_MEMSET, FILL_CALLOC, FILL_PAGES };
static const char *const fill_names[] = {"memset", "calloc", "pages", NULL};

/* A new buffer of `size` bytes, filled as --fill says, with its check words.
 * calloc's memory must read as zero where the check words go. */
static void get(struct wl_big *b, size_t size, unsigned fill, uint32_t salt) {
  void *p = fill == FILL_CALLOC ? calloc(1, size) : malloc(size);
  if (WL_UNLIKELY(!p)) wl_oom(size);
  if (fill == FILL_MEMSET) memset(p, 0, size);
  wl_big_init(b, p, size, salt);
  if (fill != FILL_CALLOC) {
    wl_big_fill(b, 0);
    return;
  }
  uint64_t found;
  size_t off = wl_big_fill_zeroed(b, &found);
  if (WL_UNLIKELY(off != (size_t)-1))
    wl_corruption_msg("calloc(1, %zu) returned %p whose 8 bytes at offset %zu are %016llx, "
                      "not zero", size, p, off, (unsigned long long)found);
}

int main(int argc, char **argv) {
  uint64_t iters = 2000, slots = 20, min = 5u << 20, max = 25u << 20, grow = 0, seed = 42;
  unsigned fill = FILL_MEMSET;
  struct wl_opt opts[] = {
      {.name = "iters", .kind = WL_OPT_U64, .value = &iters, .ulo = 1, .uhi = 1ull << 40,
       .help = "buffers allocated (replacements)"},
      {.name = "slots", .kind = WL_OPT_U64, .value = &slots, .ulo = 1, .uhi = 1u << 24,
       .help = "buffers live at once"},
      {.name = "min", .kind = WL_OPT_U64, .value = &min, .ulo = 16, .uhi = 1ull << 36,
       .help = "smallest buffer, bytes"},
      {.name = "max", .kind = WL_OPT_U64, .value = &max, .ulo = 16, .uhi = 1ull << 36,
       .help = "largest buffer, bytes"},
      {.name = "fill", .kind = WL_OPT_CHOICE, .value = &fill, .choices = fill_names,
       .help = "how a new buffer is filled"},
      {.name = "grow", .kind = WL_OPT_U64, .value = &grow, .ulo = 0, .uhi = 1ull << 36,
       .help = "0, or build each buffer by realloc in steps of this many bytes"},
      {.name = "seed", .kind = WL_OPT_U64, .value = &seed, .ulo = 0, .uhi = UINT64_MAX,
       .help = "PRNG seed"},
  };
  struct wl_cmd cmd = {
      .name = "large",
      .summary = "big buffers replaced at random in --slots slots, zero-filled (memset or "
                 "calloc) or touched, optionally grown with realloc",
      .op = "one KiB of buffer allocated (growth by realloc included)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);
  wl_check_min_max(&cmd, min, max);
  if (grow && grow < 16) wl_usage_error(&cmd, "--grow %llu: steps below 16 bytes", (unsigned long long)grow);

  struct wl_big *slot = (struct wl_big *)wl_mem(sizeof(struct wl_big) * slots);
  uint64_t rng = wl_seed_state(seed, 0), span = max - min + 1;
  uint64_t mallocs = 0, reallocs = 0, frees = 0, bytes = 0;
  uint32_t salt = 0;

  double t0 = wl_now();
  for (uint64_t i = 0; i < iters; i++) {
    uint64_t r = wl_rand(&rng);
    struct wl_big *b = &slot[wl_scale((uint32_t)r, (uint32_t)slots)];
    if (b->p) {
      wl_big_check(b, b->size, "replaced slot");
      free(b->p);
      frees++;
    }
    /* 64 random bits onto [0, span): span < 2^37, so the product fits. */
    size_t size = (size_t)(min + (uint64_t)(((__uint128_t)wl_rand(&rng) * span) >> 64));
    if (!grow || grow >= size) {
      get(b, size, fill, salt++);
      mallocs++;
    } else {
      get(b, grow, fill, salt++);
      mallocs++;
      while (b->size < size) {
        size_t old = b->size, next = old + grow < size ? old + grow : size;
        wl_big_check(b, old, "buffer before realloc");
        void *q = realloc(b->p, next);
        if (WL_UNLIKELY(!q)) wl_oom(next);
        reallocs++;
        b->p = q;
        b->size = next;
        wl_big_check(b, old, "buffer after realloc (old contents)");
        if (fill == FILL_MEMSET) memset((unsigned char *)q + old, 0, next - old);
        wl_big_fill(b, old - 15);
      }
    }
    bytes += size;
  }
  double seconds = wl_now() - t0;

  for (uint64_t i = 0; i < slots; i++) {
    if (!slot[i].p) continue;
    wl_big_check(&slot[i], slot[i].size, "slot, final free");
    free(slot[i].p);
  }

  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("mallocs", mallocs);
  wl_json_u64("reallocs", reallocs);
  wl_json_u64("frees", frees);
  wl_json_u64("bytes_allocated", bytes);
  long vm = wl_peak_vm_kb();
  if (vm >= 0) wl_json_u64("peak_vm_kb", (uint64_t)vm);
  else wl_json_f64("peak_vm_kb", NAN);
  wl_json_end(&cmd, bytes / 1024, seconds, 1);
  return 0;
}
