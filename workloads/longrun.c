/* longrun: random_mixed's loop (mixed.h) run in windows of --window ops for
 * --windows windows, or until --seconds have passed, recording each window's
 * throughput and the process's resident set size after it, so that drift,
 * leaks and slow-downs show. No warm-up: the first window shows the cold
 * start, and RSS growth is measured from the second window. */
#include "mixed.h"

#include <stdio.h>

int main(int argc, char **argv) {
  struct mixed_opts mo = {.ws = 400, .min = 16, .max = 1024, .seed = 42, .dist = MIX_UNIFORM};
  uint64_t window = 1000000, windows = 20;
  double seconds = 0;
  struct wl_opt opts[] = {
      {.name = "window", .kind = WL_OPT_U64, .value = &window, .ulo = 1, .uhi = UINT64_MAX / 2,
       .help = "ops per window"},
      {.name = "windows", .kind = WL_OPT_U64, .value = &windows, .ulo = 1, .uhi = 1u << 24,
       .help = "windows to run (ignored with --seconds)"},
      {.name = "seconds", .kind = WL_OPT_F64, .value = &seconds, .dlo = 0.001, .dhi = 1e7,
       .json_key = "seconds_limit", .optional = 1,
       .help = "run windows until this much time has passed"},
      MIXED_OPTIONS(mo),
  };
  struct wl_cmd cmd = {
      .name = "longrun",
      .summary = "random_mixed in windows for a long time; throughput and RSS per window",
      .op = "one step of random_mixed (one malloc or one free)",
      .opts = opts,
      .nopts = (int)(sizeof opts / sizeof opts[0]),
  };
  wl_parse(&cmd, argc, argv);
  int timed = wl_opt_get(&cmd, "seconds")->given;

  struct mixed m;
  mixed_init(&m, &cmd, &mo);
  size_t cap = timed ? 64 : windows, n = 0;
  double *rate = (double *)wl_mem(sizeof(double) * cap);
  long *rss = (long *)wl_mem(sizeof(long) * cap);
  double busy = 0, start = wl_now();
  while (timed ? (n == 0 || wl_now() - start < seconds) : n < windows) {
    if (n == cap) {   /* only with --seconds: grow the arrays (untimed) */
      double *r2 = (double *)wl_mem(sizeof(double) * cap * 2);
      long *s2 = (long *)wl_mem(sizeof(long) * cap * 2);
      memcpy(r2, rate, sizeof(double) * cap);
      memcpy(s2, rss, sizeof(long) * cap);
      wl_mem_free(rate, sizeof(double) * cap);
      wl_mem_free(rss, sizeof(long) * cap);
      rate = r2, rss = s2, cap *= 2;
    }
    double t0 = wl_now();
    mixed_run(&m, window);
    double dt = wl_now() - t0;
    busy += dt;
    rate[n] = (double)window / dt;
    rss[n] = wl_current_rss_kb();
    printf("window %zu: %.3f M ops/s, rss %ld kB\n", n + 1, rate[n] / 1e6, rss[n]);
    n++;
  }
  uint64_t mallocs = m.mallocs, frees = m.frees;
  mixed_free_all(&m);

  /* RSS growth: last window against the second (the first includes start-up). */
  size_t base = n >= 2 ? 1 : 0;
  double growth = rss[base] > 0 ? 100.0 * (double)(rss[n - 1] - rss[base]) / (double)rss[base] : 0;
  wl_json_begin(&cmd);
  wl_json_params(&cmd);
  wl_json_u64("windows_run", n);
  wl_json_u64("mallocs", mallocs);
  wl_json_u64("frees", frees);
  wl_json_f64_array("window_ops_per_sec", rate, n);
  wl_json_i64_array("window_rss_kb", rss, n);
  wl_json_f64("cv", wl_cv(rate, n));
  wl_json_f64("rss_growth_pct", growth);
  wl_json_end(&cmd, window * n, busy, 1);
  return 0;
}
