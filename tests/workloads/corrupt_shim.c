/* corrupt_shim.c: build/tests/workloads/libcorrupt.so, a deliberately broken
 * malloc for LD_PRELOAD, to prove the workload drivers notice corruption.
 *
 * It is a small complete allocator of its own (one mutex; a 32-byte header
 * before each block; exact 16-byte size classes up to 1 MiB with LIFO free
 * lists; everything else carved from 64 MiB mmap'd chunks and never unmapped).
 * Its bookkeeping lives only in the headers, never in the user bytes, so the
 * damage it does to user bytes cannot crash it: the driver sees it first.
 *
 * Environment, read at the first call:
 *   CORRUPT_MODE   none (default: a correct allocator), flip, dup, calloc or
 *                  realloc
 *   CORRUPT_AFTER  mallocs served correctly before the damage starts (1000)
 * flip: from then on, each malloc call first flips one bit in the first byte
 *       of the block the same thread got from its previous malloc, if that
 *       block came from a free list (was freed, then reused) and is still
 *       live. The same thread has written its check bytes by then.
 * dup:  from then on, a malloc call may return, again, the block the same
 *       thread got from its previous call, if still live and large enough:
 *       two live blocks at one address.
 * calloc:  from then on, calloc does not clear a block that comes from a free
 *       list (the old contents show through).
 * realloc: from then on, realloc to a larger size copies only the first
 *       4096 bytes of the old block (the first page's worth).
 * Liveness is judged under the mutex by the block's generation number, so
 * the shim never writes into a block that has been freed meanwhile. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

#define GRAIN 16u
#define CLASSES 65536u                    /* classes of 16 B: up to 1 MiB */
#define CHUNK (64u << 20)

struct hdr {
  struct hdr *next;       /* free-list link while free                   */
  uint32_t cap;           /* usable bytes                                */
  uint32_t gen;           /* odd while live; +1 on every malloc and free */
  uint32_t listed;        /* 1: goes back to a free list on free         */
  uint32_t pad;
};                        /* 32 bytes: user pointers stay 16-aligned     */

enum { MODE_NONE, MODE_FLIP, MODE_DUP, MODE_CALLOC, MODE_REALLOC };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hdr *lists[CLASSES];
static unsigned char *bump, *bump_end;
static int inited, mode;
static unsigned long after = 1000, served;

/* The block this thread's previous malloc returned, and its generation. */
static TLS struct hdr *last;
static TLS uint32_t last_gen;
static TLS int last_reused;
static TLS int damaging;       /* this thread's last malloc came after CORRUPT_AFTER */

static void init(void) {
  const char *m = getenv("CORRUPT_MODE"), *a = getenv("CORRUPT_AFTER");
  if (m && strcmp(m, "flip") == 0) mode = MODE_FLIP;
  else if (m && strcmp(m, "dup") == 0) mode = MODE_DUP;
  else if (m && strcmp(m, "calloc") == 0) mode = MODE_CALLOC;
  else if (m && strcmp(m, "realloc") == 0) mode = MODE_REALLOC;
  if (a && *a) after = strtoul(a, NULL, 10);
  inited = 1;
}

static void *carve(size_t bytes, size_t align) {
  uintptr_t p = ((uintptr_t)bump + sizeof(struct hdr) + align - 1) & ~(uintptr_t)(align - 1);
  if (!bump || p + bytes > (uintptr_t)bump_end) {
    size_t len = bytes + align + sizeof(struct hdr) > CHUNK ? bytes + align + sizeof(struct hdr) : CHUNK;
    void *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED) return NULL;
    bump = (unsigned char *)c;
    bump_end = bump + len;
    p = ((uintptr_t)bump + sizeof(struct hdr) + align - 1) & ~(uintptr_t)(align - 1);
  }
  bump = (unsigned char *)(p + bytes);
  return (void *)p;
}

static struct hdr *hdr_of(void *p) { return (struct hdr *)p - 1; }

/* Called with the lock held. */
static void *alloc_locked(size_t n, size_t align) {
  if (!inited) init();
  served++;
  if (mode != MODE_NONE && served > after && last && last->gen == last_gen) {
    if (mode == MODE_FLIP && last_reused) {
      ((unsigned char *)(last + 1))[0] ^= 0x20;
    } else if (mode == MODE_DUP && align <= GRAIN && last->cap >= n) {
      void *p = last + 1;
      last = NULL;          /* not the same block three times in a row */
      return p;
    }
  }
  struct hdr *h = NULL;
  int reused = 0;
  size_t cls = (n + GRAIN - 1) / GRAIN;
  if (align <= GRAIN && cls < CLASSES) {
    if (cls == 0) cls = 1;
    if (lists[cls]) {
      h = lists[cls];
      lists[cls] = h->next;
      reused = 1;
    } else {
      void *p = carve(cls * GRAIN, GRAIN);
      if (!p) return NULL;
      h = hdr_of(p);
      h->cap = (uint32_t)(cls * GRAIN);
      h->listed = 1;
    }
  } else {
    if (n > UINT32_MAX) return NULL;
    void *p = carve(n ? n : 1, align < GRAIN ? GRAIN : align);
    if (!p) return NULL;
    h = hdr_of(p);
    h->cap = (uint32_t)n;
    h->listed = 0;          /* odd sizes and alignments: never reused */
  }
  h->gen |= 1;
  h->next = NULL;
  last = h;
  last_gen = h->gen;
  last_reused = reused;
  damaging = served > after;
  return h + 1;
}

static void *alloc(size_t n, size_t align) {
  pthread_mutex_lock(&lock);
  void *p = alloc_locked(n, align);
  pthread_mutex_unlock(&lock);
  if (!p) errno = ENOMEM;
  return p;
}

EXPORT void free(void *p) {
  if (!p) return;
  struct hdr *h = hdr_of(p);
  pthread_mutex_lock(&lock);
  if (h->gen & 1) {         /* a second free of a block is ignored */
    h->gen++;
    if (h->listed) {
      size_t cls = h->cap / GRAIN;
      h->next = lists[cls];
      lists[cls] = h;
    }
  }
  pthread_mutex_unlock(&lock);
}

EXPORT void *malloc(size_t n) { return alloc(n, GRAIN); }

EXPORT void *calloc(size_t k, size_t n) {
  size_t total;
  if (__builtin_mul_overflow(k, n, &total)) { errno = ENOMEM; return NULL; }
  void *p = alloc(total, GRAIN);
  /* mode was set under the lock before this thread's alloc() took it. */
  if (p && !(mode == MODE_CALLOC && damaging && last_reused)) memset(p, 0, total);
  return p;
}

EXPORT size_t malloc_usable_size(void *p) { return p ? hdr_of(p)->cap : 0; }

EXPORT void *realloc(void *p, size_t n) {
  if (!p) return malloc(n);
  if (n == 0) { free(p); return NULL; }
  size_t old = hdr_of(p)->cap;
  void *q = malloc(n);
  if (!q) return NULL;
  if (mode == MODE_REALLOC && damaging && n > old && old > 4096) old = 4096;
  memcpy(q, p, old < n ? old : n);
  free(p);
  return q;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n) {
  if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
  void *p = alloc(n, align);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n) {
  if (align == 0 || (align & (align - 1))) { errno = EINVAL; return NULL; }
  return alloc(n, align);
}

EXPORT void *memalign(size_t align, size_t n) { return aligned_alloc(align, n); }
EXPORT void *valloc(size_t n) { return alloc(n, (size_t)sysconf(_SC_PAGESIZE)); }
EXPORT void *pvalloc(size_t n) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  return alloc((n + page - 1) & ~(page - 1), page);
}
