/* layout.c: the list of report tables (see layout.h). */
#include "layout.h"

#include <stddef.h>
#include <string.h>

const hb_layout_t hb_layout[] = {
  { "random_mixed_short", 1, NULL, "Size", "random_mixed_short.png", NULL },
  { "random_mixed_long", 1, NULL, "Size", "random_mixed_long.png", NULL },
  { "longrun", 2, NULL, "Size", NULL, NULL },
  { "larson_low", 3, "Low contention (256 chunks per thread)", "Threads", "larson.png", "256 chunks/thread" },
  { "larson_high", 3, "High contention (1024 chunks per thread)", "Threads", "larson.png", "1024 chunks/thread" },
  { "larson_std", 3, "Standard Larson (8-1000 B, 5000 chunks per thread)", "Threads", "larson.png",
    "8-1000 B, 5000 chunks/thread" },
  { "mt_contention", 4, "mt_contention: blocks freed by a thread other than the one that allocated them",
    "Threads, remote frees", "contention.png", "mt_contention, %s %% remote frees" },
  { "false_sharing", 4, "false_sharing: threads writing to small blocks allocated side by side", "Threads",
    "contention.png", "false_sharing" },
  { "regression", 6, NULL, "Case", NULL, NULL },
  { NULL, 0, NULL, NULL, NULL, NULL },
};

const char *const hb_chart_files[] = {
  "random_mixed_short.png", "random_mixed_long.png", "larson.png", "contention.png", "peak_rss.png", NULL,
};

const hb_layout_t *hb_layout_of(const char *table)
{
  for (const hb_layout_t *l = hb_layout; l->table; l++)
    if (strcmp(l->table, table) == 0) return l;
  return NULL;
}
