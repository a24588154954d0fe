/* bad_free MODE: do one invalid free/realloc among live blocks, then prove
 * that nothing else was harmed.
 *
 * Sets up 48 live blocks (16 B..1 MiB) filled with patterns, prints
 * "bad pointer: 0x..." (the pointer it is about to misuse) and does the bad
 * operation named by MODE:
 *   stack            free(&local variable)
 *   mmap             free(page from mmap)
 *   mmap-interior    free(mmap'd page + 64)
 *   unmapped         free(address of a page just munmap'd)
 *   foreign          free(block from glibc's own malloc, reached by dlopen)
 *   unaligned        free(small block + 8)
 *   interior-small   free(256 B block + 64)
 *   interior-large   free(1 MiB block + 4096)
 *   double-small     free(p); free(p) on a 64 B block
 *   double-large     free(p); free(p) on a 1 MiB block
 *   realloc-stack    realloc(&local, 100)
 *   realloc-interior realloc(1 MiB block + 4096, 100)
 *   realloc-freed-small / realloc-freed-large
 *                    free(p); realloc(p, 100)
 * After it, it allocates 200 more blocks, fills them, and checks that every
 * block (old and new) keeps its contents and that no two live blocks
 * overlap: an error that was "ignored" by corrupting a free list shows here.
 * Prints "realloc returned NULL, errno EINVAL" (or what it got) for the
 * realloc modes. Exit 0: intact; 3: corruption found; 2: unknown mode.
 */
#include "rel_util.h"
#include <errno.h>
#include <sys/mman.h>

#define NOLD 48
#define NNEW 200
typedef struct { unsigned char *p; size_t n; uint64_t tag; } blk_t;
static blk_t live[NOLD + NNEW];

/* The misuse is the point of this program: calling through volatile
 * pointers keeps gcc from rejecting it at build time (-Wfree-nonheap-object,
 * -Wuse-after-free) and from optimizing it away. */
static void (*volatile bad_free_call)(void *) = free;
static void *(*volatile bad_realloc_call)(void *, size_t) = realloc;
static int nlive;

static void *add(size_t n, uint64_t tag) {
  unsigned char *p = malloc(n);
  if (!p) { printf("malloc(%zu) failed\n", n); exit(1); }
  rel_fill(p, n, tag);
  live[nlive++] = (blk_t){p, n, tag};
  return p;
}

/* Forget block `p` (it is freed by the bad operation's legitimate part). */
static void drop(void *p) {
  for (int i = 0; i < nlive; i++)
    if (live[i].p == p) { live[i] = live[--nlive]; return; }
}

static int cmp_blk(const void *a, const void *b) {
  const blk_t *x = a, *y = b;
  return x->p < y->p ? -1 : x->p > y->p;
}

static void announce(const void *p) {
  printf("bad pointer: %p\n", p);
  fflush(stdout);
}

static void report_realloc(void *r) {
  int e = errno;
  if (r) printf("realloc returned %p (a block), errno %d\n", r, e);
  else printf("realloc returned NULL, errno %s\n", e == EINVAL ? "EINVAL" : e == ENOMEM ? "ENOMEM" : strerror(e));
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: bad_free MODE (see the comment at the top of bad_free.c)\n"); return 2; }
  const char *mode = argv[1];
  printf("malloc from: %s\n", rel_malloc_library());
  static const size_t sizes[] = {16, 24, 64, 100, 256, 1000, 2048, 4096, 20000, 32768, 65536, 1 << 20};
  for (int i = 0; i < NOLD; i++) add(sizes[i % 12] + (size_t)(i / 12) * 16 * (sizes[i % 12] < 65536), 1000 + (uint64_t)i);
  unsigned char *small64 = live[2].p, *small256 = live[4].p, *big = live[11].p;
  volatile long local[4] = {1, 2, 3, 4};
  void *vlocal = (void *)local;
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);

  if (!strcmp(mode, "stack")) { announce(vlocal); bad_free_call(vlocal); }
  else if (!strcmp(mode, "mmap") || !strcmp(mode, "mmap-interior") || !strcmp(mode, "unmapped")) {
    unsigned char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    memset(m, 0x5A, 4 * pg);
    void *bad = !strcmp(mode, "mmap") ? (void *)m : !strcmp(mode, "mmap-interior") ? (void *)(m + 64) : (void *)(m + 16);
    if (!strcmp(mode, "unmapped")) munmap(m, 4 * pg);
    announce(bad);
    bad_free_call(bad);
    if (strcmp(mode, "unmapped"))
      for (size_t i = 0; i < 4 * pg; i++)
        if (m[i] != 0x5A) { printf("FAIL: the mmap'd region was written at offset %zu\n", i); return 3; }
  } else if (!strcmp(mode, "foreign")) {
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    void *(*libc_malloc)(size_t) = libc ? (void *(*)(size_t))dlsym(libc, "malloc") : NULL;
    if (!libc_malloc) { printf("cannot reach libc's malloc: %s\n", dlerror()); return 1; }
    void *bad = libc_malloc(200);
    printf("libc malloc is %s\n", libc_malloc == malloc ? "the same as malloc (no preload)" : "another allocator");
    announce(bad);
    bad_free_call(bad);
  } else if (!strcmp(mode, "unaligned")) { announce(small256 + 8); bad_free_call(small256 + 8); }
  else if (!strcmp(mode, "interior-small")) { announce(small256 + 64); bad_free_call(small256 + 64); }
  else if (!strcmp(mode, "interior-large")) { announce(big + 4096); bad_free_call(big + 4096); }
  else if (!strcmp(mode, "double-small") || !strcmp(mode, "double-large")) {
    void *p = mode[7] == 's' ? (void *)small64 : (void *)big;
    drop(p);
    bad_free_call(p);
    announce(p);
    bad_free_call(p);
  } else if (!strcmp(mode, "realloc-stack")) {
    announce(vlocal);
    errno = 0;
    report_realloc(bad_realloc_call(vlocal, 100));
  } else if (!strcmp(mode, "realloc-interior")) {
    announce(big + 4096);
    errno = 0;
    report_realloc(bad_realloc_call(big + 4096, 100));
  } else if (!strcmp(mode, "realloc-freed-small") || !strcmp(mode, "realloc-freed-large")) {
    void *p = mode[14] == 's' ? (void *)small64 : (void *)big;
    drop(p);
    bad_free_call(p);
    announce(p);
    errno = 0;
    void *r = bad_realloc_call(p, 100);
    report_realloc(r);
    if (r) live[nlive++] = (blk_t){r, 0, 0};  /* a block after all: freed at exit */
  } else { fprintf(stderr, "bad_free: unknown mode '%s'\n", mode); return 2; }

  /* Same sizes again, so a free list the bad operation damaged is used. */
  for (int i = 0; i < NNEW; i++) add(sizes[i % 12], 5000 + (uint64_t)i);
  int bad = 0;
  for (int i = 0; i < nlive; i++) {
    size_t at = rel_check(live[i].p, live[i].n, live[i].tag);
    if (at != (size_t)-1) { printf("FAIL: block %p (%zu B) changed at offset %zu\n", (void *)live[i].p, live[i].n, at); bad++; }
  }
  qsort(live, (size_t)nlive, sizeof live[0], cmp_blk);
  for (int i = 1; i < nlive; i++)
    if (live[i - 1].p + live[i - 1].n > live[i].p) { printf("FAIL: live blocks %p and %p overlap\n", (void *)live[i - 1].p, (void *)live[i].p); bad++; }
  if (bad) return 3;
  printf("ok: %d live blocks intact and distinct after the bad operation\n", nlive);
  for (int i = 0; i < nlive; i++) bad_free_call(live[i].p);
  return 0;
}
