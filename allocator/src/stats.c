/* stats.c: counters (updated on slow paths only) and their report. */
#include "internal.h"

hak_counters_t _hak_counters;

#define LOAD(f) atomic_load_explicit(&_hak_counters.f, memory_order_relaxed)

hak_export void hak_stats_get(hak_stats_t *out) {
  out->mapped_bytes = LOAD(mapped);
  out->superslabs = LOAD(superslabs);
  out->large_blocks = LOAD(large_blocks) + LOAD(huge_blocks);
  out->errors = LOAD(errors);
}

static void line(const char *name, size_t v) {
  _hak_write_str(2, "hakmem:   ");
  _hak_write_str(2, name);
  _hak_write_str(2, " ");
  _hak_write_num(2, v);
  _hak_write_str(2, "\n");
}

hak_export void hak_stats_print(void) {
  _hak_write_str(2, "hakmem: statistics\n");
  line("mapped_bytes", LOAD(mapped));
  line("superslabs_live", LOAD(superslabs));
  line("superslabs_mapped_total", LOAD(ss_mapped_total));
  line("superslabs_reused_from_cache", LOAD(ss_reused));
  line("heaps_handed_over", LOAD(handed_over));
  line("superslabs_abandoned", LOAD(abandoned));
  line("superslabs_adopted", LOAD(adopted));
  line("superslabs_reclaimed_by_free", LOAD(reclaimed));
  line("slot_dirty_bytes", LOAD(slot_dirty));
  line("slot_decommits", LOAD(slot_decommits));
  line("large_blocks_live", LOAD(large_blocks) + LOAD(huge_blocks));
  line("large_huge_blocks_live", LOAD(huge_blocks));
  line("large_segments_live", LOAD(segments));
  line("large_segments_mapped_total", LOAD(segments_total));
  line("large_dirty_bytes", LOAD(large_dirty));
  line("large_decommits", LOAD(large_purges));
  line("large_decommitted_bytes", LOAD(large_purged));
  line("errors", LOAD(errors));
}

void _hak_stats_print_at_exit(void) {
  if (_hak_options.stats) hak_stats_print();
}
