/* slotdecay.c: freed slab slots stay committed for reuse, then decay.
 *
 * 1. Reuse: ROUNDS rounds, each allocating about MIB MiB of 64-512 B blocks,
 *    touching them and freeing them all (a collection, the end of a
 *    request). The first round faults its pages in; every later round must
 *    find them still committed: its minor faults (getrusage) are at most a
 *    tenth of the first round's. (With a 1 MiB bound on committed free
 *    slots and no decay, each round gave back all but 1 MiB and faulted the
 *    rest in again: as many faults as the first.)
 * 2. Decay: then, while the program keeps allocating a little (a slab made
 *    and given back every few milliseconds, which is when decay runs), RSS
 *    must fall back to within 4 MiB of where it was before round 1. No time
 *    is asserted: the program waits up to WAIT seconds for it (decay takes
 *    1-2 s) and fails only if it never happens.
 *
 * usage: slotdecay [-r rounds(8)] [-m MiB(12)] [-w wait_s(20)]
 * Exit 0 ok, 1 a check failed, 2 bad arguments.
 */
#include "talloc.h"
#include "rel_util.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long minflt(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

int main(int argc, char **argv)
{
  int rounds = 8, mib = 12, wait_s = 20, opt;
  while ((opt = getopt(argc, argv, "r:m:w:")) != -1) {
    if (opt == 'r') rounds = atoi(optarg);
    else if (opt == 'm') mib = atoi(optarg);
    else if (opt == 'w') wait_s = atoi(optarg);
    else {
      fprintf(stderr, "usage: %s [-r rounds(8)] [-m MiB(12)] [-w wait_s(20)]\n", argv[0]);
      return 2;
    }
  }
  if (rounds < 2 || mib < 1 || wait_s < 1) {
    fprintf(stderr, "slotdecay: need rounds >= 2, MiB >= 1, wait >= 1\n");
    return 2;
  }
  t_check_served("slotdecay");
  size_t total = (size_t)mib << 20, n = total / 64;   /* enough slots for the smallest */
  char **b = T_malloc(n * sizeof *b);
  if (!b) { printf("slotdecay: FAIL: no room for the block table\n"); return 1; }
  memset(b, 0, n * sizeof *b);
  long start = rel_rss_kib(), first = 0, later = 0;
  for (int r = 0; r < rounds; r++) {
    long f0 = minflt();
    size_t used = 0, k = 0;
    while (used < total && k < n) {
      size_t sz = (size_t)64 << (k % 4);               /* 64, 128, 256, 512 B */
      b[k] = T_malloc(sz);
      if (!b[k]) { printf("slotdecay: FAIL: malloc(%zu) returned NULL\n", sz); return 1; }
      memset(b[k], (int)(k & 0xff), sz);
      used += sz;
      k++;
    }
    for (size_t i = 0; i < k; i++) {
      if ((unsigned char)b[i][0] != (i & 0xff)) { printf("slotdecay: FAIL: block %zu changed\n", i); return 1; }
      T_free(b[i]);
    }
    long f = minflt() - f0;
    if (r == 0) first = f; else later += f;
  }
  long avg = later / (rounds - 1);
  printf("slotdecay (%s): %d rounds of %d MiB: minor faults %ld in the first round, %ld per later round on average\n",
         T_API_NAME, rounds, mib, first, avg);
  int ok = 1;
  if (first < (long)(total >> 12) / 2) {
    printf("slotdecay: FAIL: the first round took only %ld faults: were the blocks touched?\n", first);
    ok = 0;
  }
  if (avg * 10 > first) {
    printf("slotdecay: FAIL: later rounds faulted their pages in again (%ld > %ld / 10): freed slots were not kept\n",
           avg, first);
    ok = 0;
  }
  long after = rel_rss_kib(), now = after;
  struct timespec nap = { 0, 5 * 1000 * 1000 };
  int naps = 0, max_naps = wait_s * 200;
  void *s[200];
  while (now > start + 4096 && naps < max_naps) {
    /* 3 slabs of 1 KiB blocks (hakmem: 1016 B and the 8-byte end mark;
     * classes up to 1 KiB have 64 KiB slabs, larger ones 512 KiB) */
    for (int i = 0; i < 200; i++) s[i] = T_malloc(1016);
    for (int i = 0; i < 200; i++) T_free(s[i]);
    nanosleep(&nap, NULL);
    naps++;
    now = rel_rss_kib();
  }
  printf("slotdecay: RSS %ld KiB before, %ld KiB after the rounds, %ld KiB after %d naps of 5 ms (bound: before + 4096)\n",
         start, after, now, naps);
  if (now > start + 4096) {
    printf("slotdecay: FAIL: the freed slots were never decommitted\n");
    ok = 0;
  }
  T_free(b);
  printf("slotdecay: %s\n", ok ? "ok" : "FAIL");
  return ok ? 0 : 1;
}
