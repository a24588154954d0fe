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
 *   double-medium    free(p); free(p) on a 4096 B block
 *   double-large     free(p); free(p) on a 1 MiB block
 *   double-cross     the owner frees a 64 B block, another thread frees it again
 *   double-cross-rev another thread frees a 64 B block, then the owner frees it
 *   double-delayed   free(p), 100 other frees and mallocs, free(p) again
 *   uncarved         free() of a block start its slab has not handed out
 *                    yet: two 208 B blocks p, q (a class nothing else here
 *                    uses), then p + 200 (q - p), past the page hakmem
 *                    carved for them
 *   unused-slot      free() of an address in the last 64 KiB slot of the
 *                    2 MiB region holding a 64 B block: under hakmem a slot
 *                    of that SuperSlab serving no class
 *   superslab-base   free(64 B block in the first 64 KiB of a 2 MiB region,
 *                    rounded down to 2 MiB): under hakmem the SuperSlab's
 *                    header, while slot 0 serves this thread's 64 B blocks
 *   clobbered-link   p, q = malloc(8); free(p), 8 bytes written into p (a
 *                    write after free), free(q): the next mallocs of 8 B
 *                    follow p's link; hakmem stops the process with "heap
 *                    corruption detected"
 *   overflow-large   one byte written just past malloc_usable_size() of a
 *                    64 KiB block, then free(it): hakmem's canary after the
 *                    block stops the process in free()
 *   overflow-small   one byte written just past malloc_usable_size() of a
 *                    64 B request, then free(it): hakmem's end mark (the
 *                    block's last 8 bytes) stops the process in free()
 *   overflow-small-exact  the same for a 48 B request, the whole of its
 *                    48 + 8 B block's class but the mark
 *   underflow-small  256 B blocks until two are adjacent (b right after a),
 *                    the byte before b written, then free(a): the byte is
 *                    a's end mark, which stops the process
 *   underflow-large  two 64 KiB blocks a, b one after the other (hakmem:
 *                    a fresh run), the byte before b written, then free(a):
 *                    a's canary stops the process
 *   realloc-overflow-large  a 100 KiB block grown by realloc to 200 KiB
 *                    (in place under hakmem: the canary moves), one byte
 *                    written past its new usable size, then realloc to
 *                    400 KiB: stopped in realloc()
 *   clobbered-large  free(p) of a 64 KiB block, 16 bytes written into p,
 *                    then two mallocs of 64 KiB: hakmem finds its free key
 *                    overwritten when the quick list hands p out again
 *   realloc-aligned  realloc(memalign(65536, 100), 5000): not misuse, kept
 *                    here for HAKMEM_CHECK=1 (it crashed at c7c085b)
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
#include <malloc.h>
#include <pthread.h>
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
static void *(*volatile bad_write)(void *, int, size_t) = memset;

/* One byte at p changed: 'A', or 'B' where 'A' is there already (a
 * canary's byte is 'A' one time in 256, and writing what is there is no
 * misuse anyone can see). */
static void bad_write_byte(unsigned char *p) { bad_write(p, *(volatile unsigned char *)p == 'A' ? 'B' : 'A', 1); }
static int nlive;

/* The pointer announced as bad. Unless it was a real block freed once
 * before its misuse (double frees), malloc must never return it: that would
 * mean the bad free was taken in. */
static const void *bad_ptr;
static int bad_ptr_was_block;

static void *add(size_t n, uint64_t tag) {
  unsigned char *p = malloc(n);
  if (!p) { printf("malloc(%zu) failed\n", n); exit(1); }
  if (p == bad_ptr && !bad_ptr_was_block) {
    printf("FAIL: malloc(%zu) returned the bad pointer %p: the bad free was taken in\n", n, (void *)p);
    exit(3);
  }
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

static void *free_in_thread(void *p) {
  bad_free_call(p);
  return NULL;
}

static void announce(const void *p) {
  bad_ptr = p;
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
  bad_ptr_was_block = !strncmp(mode, "double-", 7) || !strncmp(mode, "realloc-", 8) || !strncmp(mode, "clobbered-", 10) ||
                      !strncmp(mode, "overflow-", 9) || !strncmp(mode, "underflow-", 10);
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
  else if (!strcmp(mode, "double-small") || !strcmp(mode, "double-large") || !strcmp(mode, "double-medium")) {
    void *p = mode[7] == 's' ? (void *)small64 : mode[7] == 'm' ? (void *)live[7].p : (void *)big;
    drop(p);
    bad_free_call(p);
    announce(p);
    bad_free_call(p);
  } else if (!strcmp(mode, "double-cross") || !strcmp(mode, "double-cross-rev")) {
    void *p = small64;
    int rev = mode[12] == '-';
    drop(p);
    if (!rev) bad_free_call(p);
    announce(p);
    pthread_t t;
    if (pthread_create(&t, NULL, free_in_thread, p) != 0) { perror("pthread_create"); return 1; }
    pthread_join(t, NULL);
    if (rev) bad_free_call(p);
  } else if (!strcmp(mode, "double-delayed")) {
    void *p = small64, *tmp[100];
    drop(p);
    bad_free_call(p);
    for (int i = 0; i < 100; i++) tmp[i] = malloc(64 + (size_t)(i % 3) * 200);
    for (int i = 0; i < 100; i++) free(tmp[i]);
    announce(p);
    bad_free_call(p);
  } else if (!strcmp(mode, "uncarved")) {
    /* 200 blocks on, at the stride of two blocks carved one after the
     * other (not the usable size: a block also holds its end mark). */
    unsigned char *p = add(208, 3000), *q = add(208, 3001), *bad = p + 200 * (size_t)(q - p);
    announce(bad);
    bad_free_call(bad);
  } else if (!strcmp(mode, "unused-slot")) {
    uintptr_t ss = (uintptr_t)small64 & ~(uintptr_t)((2u << 20) - 1);
    void *bad = (void *)(ss + 31 * 65536 + 4096);
    announce(bad);
    bad_free_call(bad);
  } else if (!strcmp(mode, "superslab-base")) {
    /* 64 B blocks until one lands in the first 64 KiB of a 2 MiB region (a
     * fresh SuperSlab's slot 0, whose slab is then this thread's current
     * one): its base is what we free. */
    void *p = NULL;
    for (int i = 0; i < 200000 && !p; i++) {
      uintptr_t b = (uintptr_t)malloc(64);
      if (b && (b & ((2u << 20) - 1)) < 65536) p = (void *)(b & ~(uintptr_t)((2u << 20) - 1));
    }
    if (!p) { printf("no 64 B block in the first 64 KiB of a 2 MiB region\n"); return 1; }
    announce(p);
    bad_free_call(p);
  } else if (!strcmp(mode, "clobbered-link")) {
    unsigned char *p = malloc(8), *q = malloc(8);
    announce(p);
    bad_free_call(p);
    memset(p, 'A', 8);                     /* the write after free */
    bad_free_call(q);
    void *got[3];
    for (int i = 0; i < 3; i++) got[i] = malloc(8);  /* q, p, then p's link */
    printf("malloc(8) returned %p, %p, %p\n", got[0], got[1], got[2]);
  } else if (!strcmp(mode, "overflow-large")) {
    unsigned char *p = malloc(65536);
    announce(p);
    bad_write_byte(p + malloc_usable_size(p));  /* the overflow */
    bad_free_call(p);
  } else if (!strcmp(mode, "overflow-small") || !strcmp(mode, "overflow-small-exact")) {
    unsigned char *p = malloc(!strcmp(mode, "overflow-small") ? 64 : 48);
    announce(p);
    bad_write_byte(p + malloc_usable_size(p));  /* the overflow */
    bad_free_call(p);
  } else if (!strcmp(mode, "underflow-small")) {
    unsigned char *a = malloc(256), *b = malloc(256);
    for (int i = 0; i < 1000 && b != a + malloc_usable_size(a) + 8; i++) { a = b; b = malloc(256); }
    if (b != a + malloc_usable_size(a) + 8) { printf("no two adjacent 256 B blocks\n"); return 1; }
    printf("blocks %p and %p\n", (void *)a, (void *)b);
    announce(a);
    bad_write_byte(b - 1);                      /* the underflow, into a's end mark */
    bad_free_call(a);
    bad_free_call(b);
  } else if (!strcmp(mode, "underflow-large")) {
    unsigned char *a = malloc(65536), *b = malloc(65536);
    printf("blocks %p and %p\n", (void *)a, (void *)b);
    announce(a);
    bad_write_byte(b - 1);                      /* the underflow, into a's canary */
    bad_free_call(a);
    bad_free_call(b);
  } else if (!strcmp(mode, "realloc-overflow-large")) {
    unsigned char *p = malloc(100 << 10), *r = realloc(p, 200 << 10);
    if (!r) { printf("realloc failed\n"); return 1; }
    printf("realloc to 200 KiB %s\n", r == p ? "in place" : "moved");
    announce(r);
    bad_write_byte(r + malloc_usable_size(r));  /* the overflow */
    errno = 0;
    report_realloc(bad_realloc_call(r, 400 << 10));
  } else if (!strcmp(mode, "clobbered-large")) {
    unsigned char *p = malloc(65536), *q = malloc(65536);
    announce(p);
    bad_free_call(p);
    bad_write(p, 'A', 16);                      /* the write after free */
    bad_free_call(q);
    q = malloc(65536);                       /* q again, then p */
    p = malloc(65536);
    printf("malloc returned %p and %p\n", (void *)q, (void *)p);
  } else if (!strcmp(mode, "realloc-aligned")) {
    unsigned char *p = memalign(65536, 100);
    if (!p) { printf("memalign failed\n"); return 1; }
    rel_fill(p, 100, 77);
    announce(p);
    unsigned char *r = bad_realloc_call(p, 5000);
    if (!r || rel_check(r, 100, 77) != (size_t)-1) { printf("FAIL: realloc of an aligned block lost it\n"); return 3; }
    live[nlive++] = (blk_t){r, 100, 77};
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
