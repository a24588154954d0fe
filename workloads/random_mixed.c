/* random_mixed: random malloc/free over a fixed working set of slots.
 * The loop is in mixed.h; this file runs it once: an untimed warm-up of
 * --warmup percent of --iters steps, then --iters timed steps, then an
 * untimed free of what is left. */
#include "mixed.h"

#include <stdio.h>

#ifdef WL_NULL_ALLOC
#define WORKLOAD_NAME "random_mixed_null"
#define SUMMARY "random_mixed's loop with malloc/free replaced by nothing: the loop's own cost"
#else
#define WORKLOAD_NAME "random_mixed"
#define SUMMARY "random malloc/free over a working set of slots, one thread"
#endif

int main(int argc, char **argv) {
  struct mixed_opts mo = {.ws = 400, .min = 16, .max = 1024, .seed = 42, .dist = MIX_UNIFORM};
  uint64_t iters = 10000000, warmup = 10;
  struct wl_opt opts[] = {
      {.name = "iters", .kind = WL_OPT_U64, .value = &iters, .ulo = 1, .uhi = UINT64_MAX / 2,
       .help = "timed steps"},
      MIXED_OPTIONS(mo),
      {.name = "warmup", .kind = WL_OPT_U64, .value = &warmup, .ulo = 0, .uhi = 100,
       .help = "untimed warm-up steps, percent of --iters (0: none)"},
  };
  struct wl_cmd cmd = {
      .name = WORKLOAD_NAME,
      .summary = SUMMARY,
      .op = "one step: a slot is picked; a full one is checked and freed, an empty one gets "
            "a new block (one malloc or one free)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);

  struct mixed m;
  mixed_init(&m, &cmd, &mo);
  /* iters <= 2^63, so the product cannot overflow 128 bits. */
  uint64_t warm = (uint64_t)((__uint128_t)iters * warmup / 100);
  mixed_run(&m, warm);
  m.mallocs = m.frees = 0;

  double t0 = wl_now();
  mixed_run(&m, iters);
  double seconds = wl_now() - t0;
  uint64_t mallocs = m.mallocs, frees = m.frees;
  mixed_free_all(&m);

  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("warmup_ops", warm);
  wl_json_u64("mallocs", mallocs);
  wl_json_u64("frees", frees);
  wl_json_end(&cmd, iters, seconds, 1);
  return 0;
}
