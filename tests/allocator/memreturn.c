/* memreturn.c: memory goes back to the OS after a program frees it.
 *
 * Allocates about TOTAL MiB (default 1024): half in small blocks (16..1024 B)
 * and half in large ones (64 KiB..4 MiB), interleaved, touches every page,
 * then frees everything in a shuffled order. RSS is read from
 * /proc/self/statm before, at the peak and after the frees; the test passes
 * when RSS after <= RSS before + BOUND MiB (default 72, hakmem's stated bound
 * on what its caches keep committed). The hak_ build also checks that
 * hak_collect() then brings RSS within 16 MiB of the start.
 *
 * usage: memreturn [-m total_MiB] [-b bound_MiB]
 * Exit 0 ok, 1 RSS did not fall enough or a block was corrupted, 2 bad args.
 */
#include "talloc.h"
#include "rel_util.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static long rss_mib_x10(void)     /* resident set in tenths of MiB */
{
  long kib = rel_rss_kib();
  return kib < 0 ? -1 : kib * 10 / 1024;
}

int main(int argc, char **argv)
{
  long total = 1024, bound = 72;
  int opt;
  while ((opt = getopt(argc, argv, "m:b:h")) != -1) {
    int ok = 1;
    switch (opt) {
    case 'm': ok = t_parse_num(optarg, 16, 1 << 20, &total); break;
    case 'b': ok = t_parse_num(optarg, 0, 1 << 20, &bound); break;
    default: ok = 0;
    }
    if (!ok || opt == 'h') {
      fprintf(stderr, "usage: %s [-m total_MiB(1024)] [-b bound_MiB(72)]\n", argv[0]);
      return 2;
    }
  }
  if (optind != argc) { fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]); return 2; }
  t_check_served("memreturn");

  size_t half = (size_t)total << 19;               /* total/2 MiB in bytes */
  size_t cap = half / 16 + half / (64 << 10) + 16;  /* enough slots for both halves */
  /* The bookkeeping comes from mmap, not from the allocator under test, and
   * is unmapped before the last RSS reading. */
  size_t book = cap * (sizeof(void *) + sizeof(uint32_t));
  void *m = mmap(NULL, book, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) { perror("mmap"); return 1; }
  unsigned char **blk = m;
  uint32_t *len = (uint32_t *)(blk + cap);

  long before = rss_mib_x10();
  unsigned long rs = 2024;
  size_t small_bytes = 0, large_bytes = 0, nsmall = 0, nlarge = 0, n = 0;
  while ((small_bytes < half || large_bytes < half) && n < cap) {
    unsigned long r = t_rand(&rs);
    size_t sz;
    /* one large block per ~4000 small ones keeps the two halves growing
     * together (average small 520 B, average large ~2 MiB) */
    int large = large_bytes < half && (small_bytes >= half || r % 4000 == 0);
    if (large) { sz = (64 << 10) + (r >> 12) % ((4 << 20) - (64 << 10) + 1); large_bytes += sz; nlarge++; }
    else { sz = 16 + (r >> 12) % 1009; small_bytes += sz; nsmall++; }
    unsigned char *p = T_malloc(sz);
    if (!p) { fprintf(stderr, "memreturn: malloc(%zu) failed\n", sz); return 1; }
    /* touch every page, and leave a checkable mark at both ends */
    for (size_t o = 0; o < sz; o += 4096) p[o] = (unsigned char)o;
    p[0] = (unsigned char)(uintptr_t)p; p[sz - 1] = (unsigned char)((uintptr_t)p >> 8);
    blk[n] = p; len[n] = (uint32_t)sz; n++;
  }
  long peak = rss_mib_x10();
  for (size_t i = n; i > 1; i--) {                 /* shuffle the free order */
    size_t j = t_rand(&rs) % i;
    unsigned char *tp = blk[i - 1]; blk[i - 1] = blk[j]; blk[j] = tp;
    uint32_t tl = len[i - 1]; len[i - 1] = len[j]; len[j] = tl;
  }
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char *p = blk[i];
    if (p[0] != (unsigned char)(uintptr_t)p || p[len[i] - 1] != (unsigned char)((uintptr_t)p >> 8)) bad++;
    T_free(p);
  }
  munmap(m, book);
  long after = rss_mib_x10();
  printf("memreturn (%s): %zu small blocks (%zu MiB) + %zu large blocks (%zu MiB)\n",
         T_API_NAME, nsmall, small_bytes >> 20, nlarge, large_bytes >> 20);
  printf("memreturn: RSS before %.1f MiB, at peak %.1f MiB, after freeing all %.1f MiB"
         " (bound: before + %ld MiB = %.1f MiB)\n", before / 10.0, peak / 10.0, after / 10.0,
         bound, before / 10.0 + (double)bound);
  int ok = 1;
  if (bad) { printf("memreturn: FAIL: %zu blocks corrupted\n", bad); ok = 0; }
  if (peak - before < total * 10 * 9 / 10) {
    printf("memreturn: FAIL: peak RSS grew by only %.1f MiB: the blocks were not touched?\n",
           (peak - before) / 10.0);
    ok = 0;
  }
  if (after > before + bound * 10) {
    printf("memreturn: FAIL: RSS after freeing is %.1f MiB above the start, bound %ld MiB\n",
           (after - before) / 10.0, bound);
    ok = 0;
  }
#ifdef T_HAK
  hak_stats_t st;
  hak_collect();
  hak_stats_get(&st);
  long collected = rss_mib_x10();
  printf("memreturn: after hak_collect(): RSS %.1f MiB, hakmem has %.1f MiB mapped (bound: RSS start + 16 MiB)\n",
         collected / 10.0, (double)st.mapped_bytes / (1 << 20));
  if (collected > before + 160) { printf("memreturn: FAIL: hak_collect() left RSS above start + 16 MiB\n"); ok = 0; }
#endif
  if (ok) printf("memreturn: ok\n");
  return ok ? 0 : 1;
}
