/* oom_rlimit: out of memory under RLIMIT_AS, and recovery.
 *
 *   oom_rlimit [--headroom-mib M]
 *
 * Sets RLIMIT_AS to the current address-space size plus M MiB (default 256),
 * then:
 *  1. impossible requests (malloc(SIZE_MAX/2), calloc overflow, realloc to
 *     a huge size, posix_memalign of a huge size) fail with NULL and ENOMEM
 *     (posix_memalign returns ENOMEM) and leave the original block intact;
 *  2. allocates 1 MiB blocks until malloc returns NULL, then small blocks
 *     (24..1000 B) until NULL: each failure must set errno to ENOMEM, and the
 *     blocks already obtained keep their contents;
 *  3. frees everything, then allocates again: at least 90% as many 1 MiB
 *     blocks as in step 2 must succeed (memory freed is usable again).
 * Exit 0 when all holds, 1 otherwise. Prints "COUNT oom_failures=N".
 */
#include "rel_util.h"
#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>

#define MAXB (1 << 20)
static void *blk[MAXB];
static size_t blk_n[MAXB];
static int failures;
static int nulls;                       /* allocation failures observed */
/* volatile: keeps the compiler from rejecting the impossible sizes at build time */
static volatile size_t huge = SIZE_MAX / 2;

#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } \
                              else { printf("ok: " __VA_ARGS__); printf("\n"); } } while (0)

static long vm_kib(void) {
  long total = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld", &total) != 1) { perror("statm"); exit(1); }
  fclose(f);
  return total * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Fill blocks of `size` (0: small random sizes) until NULL. Returns how many. */
static size_t exhaust(size_t first, size_t size, int *errno_ok) {
  size_t i = first;
  uint64_t seed = 77;
  for (; i < MAXB; i++) {
    size_t n = size ? size : 24 + rel_next(&seed) % 977;
    errno = 0;
    void *p = malloc(n);
    if (!p) { *errno_ok = errno == ENOMEM; nulls++; break; }
    /* Touch only the ends: RLIMIT_AS limits address space, not RSS. */
    ((unsigned char *)p)[0] = (unsigned char)i;
    ((unsigned char *)p)[n - 1] = (unsigned char)(i >> 3);
    blk[i] = p; blk_n[i] = n;
  }
  return i - first;
}

static size_t intact(size_t count) {
  size_t good = 0;
  for (size_t i = 0; i < count; i++) {
    unsigned char *p = blk[i];
    if (p[0] == (unsigned char)i && p[blk_n[i] - 1] == (unsigned char)(i >> 3)) good++;
  }
  return good;
}

int main(int argc, char **argv) {
  long headroom = 256;
  if (argc == 3 && !strcmp(argv[1], "--headroom-mib")) headroom = strtol(argv[2], NULL, 10);
  else if (argc != 1) { fprintf(stderr, "usage: oom_rlimit [--headroom-mib M]\n"); return 2; }
  if (headroom < 16) { fprintf(stderr, "oom_rlimit: --headroom-mib must be at least 16\n"); return 2; }
  printf("malloc from: %s\n", rel_malloc_library());
  free(malloc(100));                    /* let the allocator initialize first */
  long vm = vm_kib();
  struct rlimit rl = {(rlim_t)(vm + headroom * 1024) * 1024, (rlim_t)(vm + headroom * 1024) * 1024};
  if (setrlimit(RLIMIT_AS, &rl)) { perror("setrlimit"); return 1; }
  printf("address space now %ld KiB; RLIMIT_AS set to %ld MiB more\n", vm, headroom);
  fflush(stdout);

  /* 1. impossible requests */
  char *keep = malloc(100);
  if (!keep) { printf("FAIL: malloc(100) failed before any exhaustion\n"); return 1; }
  rel_fill(keep, 100, 5);
  errno = 0;
  CHECK(malloc(huge) == NULL && ++nulls && errno == ENOMEM, "malloc(SIZE_MAX/2) -> NULL, ENOMEM");
  errno = 0;
  CHECK(malloc((size_t)(headroom + 64) << 20) == NULL && ++nulls && errno == ENOMEM, "malloc(limit + 64 MiB) -> NULL, ENOMEM");
  errno = 0;
  CHECK(calloc(huge / 4, 16) == NULL && ++nulls && errno == ENOMEM, "calloc(SIZE_MAX/8, 16) overflow -> NULL, ENOMEM");
  errno = 0;
  char *r = realloc(keep, huge);
  if (r == NULL) {
    nulls++;
    CHECK(errno == ENOMEM && rel_check(keep, 100, 5) == (size_t)-1, "realloc(p, SIZE_MAX/2) -> NULL, ENOMEM, p intact");
    free(keep);
  } else {
    CHECK(0, "realloc(p, SIZE_MAX/2) returned a block");
    free(r);
  }
  void *mp = NULL;
  CHECK(posix_memalign(&mp, 4096, (size_t)(headroom + 64) << 20) == ENOMEM && mp == NULL && ++nulls,
        "posix_memalign(4096, limit + 64 MiB) -> ENOMEM");

  /* 2. exhaustion */
  int e_big = 0, e_small = 0;
  size_t big = exhaust(0, 1 << 20, &e_big);
  CHECK(e_big && big > 0 && big < (size_t)headroom, "1 MiB blocks until NULL: %zu blocks, then NULL with ENOMEM", big);
  size_t small = exhaust(big, 0, &e_small);
  CHECK(e_small, "then small blocks until NULL: %zu more blocks, then NULL with ENOMEM", small);
  size_t total = big + small;
  CHECK(intact(total) == total, "all %zu blocks obtained keep their contents", total);
  errno = 0;
  void *again = malloc(1 << 20);
  CHECK(again == NULL && errno == ENOMEM && ++nulls, "a further 1 MiB malloc still fails cleanly (no crash, ENOMEM)");
  free(again);

  /* 3. recovery */
  for (size_t i = 0; i < total; i++) free(blk[i]);
  int e_re = 0;
  size_t re = exhaust(0, 1 << 20, &e_re);
  CHECK(re * 10 >= big * 9, "after freeing everything, %zu 1 MiB blocks fit again (first time %zu)", re, big);
  CHECK(intact(re) == re, "and they hold their contents");
  for (size_t i = 0; i < re; i++) free(blk[i]);
  char *last = malloc(1000);
  CHECK(last != NULL, "small malloc works after all of it");
  free(last);
  printf("COUNT oom_null_returns=%d\n", nulls);
  return failures ? 1 : 0;
}
