/* conform.c: API conformance of hakmem, one check per semantic point of the
 * glibc manual and of the hakmem issue. Built twice (see talloc.h):
 * conform-hak calls hak_*, conform-libc calls malloc & co. under LD_PRELOAD.
 *
 * Every check prints "ok", "FAIL" or "skip" with what it checked; the exit
 * status is 1 when any check failed. Checks that only make sense for hakmem
 * (its waste bound, invalid-free reports) are skipped when the program is
 * validated against another allocator with HAKTEST_ANY_MALLOC=1.
 *
 * The program re-executes itself (--child KIND) for the checks that must run
 * in a separate process: invalid frees, abort on error, real out-of-memory.
 */
#include "talloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures, checks;
static int is_hak;          /* hakmem serves the T_ functions */
static const char *prog = "conform";

static void report(int ok, const char *fmt, ...)
{
  va_list ap;
  checks++;
  if (!ok) failures++;
  printf("%s ", ok ? "ok  " : "FAIL");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static void skip(const char *what, const char *why)
{
  printf("skip %s: %s\n", what, why);
}

/* Sizes passed through a volatile so that the compiler neither folds nor
 * warns about calls that are meant to fail. */
static size_t vsize(size_t n) { volatile size_t v = n; return v; }

static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

/* ---- alignment, malloc(0), usable size ---------------------------------- */

static void check_alignment(void)
{
  int bad = 0;
  size_t first_bad = 0;
  void *keep[512];
  for (size_t i = 0; i < 512; i++) {
    size_t n = i < 256 ? i : (i - 256) * 523 + 1;   /* 0..255, then up to 134 KB */
    keep[i] = T_malloc(vsize(n));
    if (!keep[i] || !aligned(keep[i], 16)) { if (!bad) first_bad = n; bad++; }
  }
  for (size_t i = 0; i < 512; i++) T_free(keep[i]);
  report(!bad, "malloc(n) for 512 sizes 0..133k: every pointer 16-byte aligned"
         " (%d bad, first at n=%zu)", bad, first_bad);
}

static void check_malloc0(void)
{
  void *a = T_malloc(vsize(0)), *b = T_malloc(vsize(0));
  report(a && b && a != b && aligned(a, 16) && aligned(b, 16),
         "malloc(0) twice: two distinct non-NULL aligned pointers (%p, %p)", a, b);
  T_free(a);
  T_free(b);
  report(1, "malloc(0) pointers freed without error");
}

/* For every n in 1..32768: usable >= n, all usable bytes writable and kept;
 * for hakmem also the stated waste bounds of its blocks: a request of n
 * takes a block for m = n + 8 (its end mark, outside the usable size) of
 * at most m + m/4 + 16 bytes, and m + m/8 above 1 KiB. */
static void check_usable_and_waste(void)
{
  size_t low = 0, high = 0, first_low = 0, first_high = 0, worst_n = 0;
  double worst = 0;
  for (size_t n = 1; n <= 32768; n++) {
    unsigned char *p = T_malloc(vsize(n));
    if (!p) { low++; if (!first_low) first_low = n; continue; }
    size_t u = T_usable(p);
    if (u < n) { low++; if (!first_low) first_low = n; }
    else {
      memset(p, 0x5a, u);                 /* all of it must be writable */
      if (p[u - 1] != 0x5a || p[0] != 0x5a) { low++; if (!first_low) first_low = n; }
    }
    size_t m = n + 8, b = u + 8;          /* hakmem: the request and the mark */
    if (n <= 32760 && (b > m + m / 4 + 16 || (m > 1024 && b > m + m / 8))) { high++; if (!first_high) first_high = n; }
    if ((double)(u - n) / n > worst) { worst = (double)(u - n) / n; worst_n = n; }
    T_free(p);
  }
  report(!low, "usable_size(malloc(n)) >= n and all usable bytes writable, n = 1..32768"
         " (%zu bad, first n=%zu)", low, first_low);
  if (is_hak)
    report(!high, "waste bound: block <= m + m/4 + 16 for m = n + 8 (the end mark), n = 1..32760,"
           " <= m + m/8 above 1024"
           " (%zu over, first n=%zu; worst ratio %.3f at n=%zu)", high, first_high, worst, worst_n);
  else
    skip("waste bound m + m/4 + 16 for m = n + 8", "hakmem's bound, allocator is not hakmem");

  /* Larger sizes, sampled: direct mappings, bound n + n/4 + 4096. */
  size_t bad = 0, bad_n = 0, big_high = 0, big_high_n = 0, big_high_usable = 0;
  for (size_t n = 32769; n <= (64u << 20); n = n * 5 / 4 + 4093) {
    unsigned char *p = T_malloc(vsize(n));
    size_t u = p ? T_usable(p) : 0;
    if (!p || u < n) { bad++; bad_n = n; }
    else { p[0] = 1; p[n / 2] = 2; p[u - 1] = 3; }
    if (p && u > n + n / 4 + 4096) { big_high++; big_high_n = n; big_high_usable = u; }
    T_free(p);
  }
  /* Descending, so that each request may be served from the cache of the
   * larger blocks just freed: the bound must hold for a reused block too. */
  for (size_t n = 8u << 20; n > 32768; n = n * 7 / 8 - 1021) {
    unsigned char *p = T_malloc(vsize(n));
    size_t u = p ? T_usable(p) : 0;
    if (!p || u < n) { bad++; bad_n = n; }
    else { p[0] = 1; p[u - 1] = 3; }
    if (p && u > n + n / 4 + 4096) { big_high++; big_high_n = n; big_high_usable = u; }
    T_free(p);
  }
  report(!bad, "usable_size >= n and ends writable for sampled n = 32769..64M, up and down"
         " (%zu bad, last n=%zu)", bad, bad_n);
  if (is_hak)
    report(!big_high, "waste bound usable <= n + n/4 + 4096 for sampled n > 32768, also when"
           " reusing freed larger blocks (%zu over, last n=%zu, usable %zu)", big_high, big_high_n,
           big_high_usable);
  else
    skip("waste bound n + n/4 + 4096", "hakmem's bound, allocator is not hakmem");
}

/* ---- ENOMEM on impossible sizes ----------------------------------------- */

static void enomem(const char *what, void *p)
{
  int e = errno;
  report(p == NULL && e == ENOMEM, "%s returns NULL with errno ENOMEM (got %p, errno %d)",
         what, p, e);
  if (p) T_free(p);
}

static void check_enomem(void)
{
  errno = 0; enomem("malloc(PTRDIFF_MAX+1)", T_malloc(vsize((size_t)PTRDIFF_MAX + 1)));
  errno = 0; enomem("malloc(SIZE_MAX)", T_malloc(vsize(SIZE_MAX)));
  errno = 0; enomem("malloc(SIZE_MAX-4095)", T_malloc(vsize(SIZE_MAX - 4095)));
  errno = 0; enomem("calloc(SIZE_MAX/2+1, 2) (product overflows)",
                    T_calloc(vsize(SIZE_MAX / 2 + 1), vsize(2)));
  errno = 0; enomem("calloc(1<<33, 1<<33) (product overflows)",
                    T_calloc(vsize(1UL << 33), vsize(1UL << 33)));
  errno = 0; enomem("calloc(1, PTRDIFF_MAX+1)", T_calloc(vsize(1), vsize((size_t)PTRDIFF_MAX + 1)));
  errno = 0; enomem("reallocarray(NULL, 1<<40, 1<<40) (product overflows)",
                    T_reallocarray(NULL, vsize(1UL << 40), vsize(1UL << 40)));
  errno = 0; enomem("aligned_alloc(64, SIZE_MAX)", T_aligned_alloc(vsize(64), vsize(SIZE_MAX)));
  errno = 0; enomem("memalign(4096, PTRDIFF_MAX+1)", T_memalign(vsize(4096), vsize((size_t)PTRDIFF_MAX + 1)));
  errno = 0; enomem("valloc(SIZE_MAX)", T_valloc(vsize(SIZE_MAX)));
  errno = 0; enomem("pvalloc(SIZE_MAX-100)", T_pvalloc(vsize(SIZE_MAX - 100)));

  void *pm = (void *)0x1234;
  int r = T_posix_memalign(&pm, vsize(64), vsize(SIZE_MAX));
  report(r == ENOMEM && pm == (void *)0x1234,
         "posix_memalign(&p, 64, SIZE_MAX) returns ENOMEM, *memptr untouched (got %d, %p)", r, pm);

  /* A failed realloc/reallocarray leaves the old block alone. */
  unsigned char *p = T_malloc(vsize(100));
  t_fill(p, 100);
  errno = 0;
  void *q = T_realloc(p, vsize((size_t)PTRDIFF_MAX + 1));
  int e = errno;
  report(q == NULL && e == ENOMEM && t_check(p, 100) == (size_t)-1,
         "realloc(p, PTRDIFF_MAX+1) returns NULL, ENOMEM, p intact (errno %d)", e);
  errno = 0;
  q = T_reallocarray(p, vsize(SIZE_MAX / 4), vsize(8));
  e = errno;
  report(q == NULL && e == ENOMEM && t_check(p, 100) == (size_t)-1,
         "reallocarray(p, SIZE_MAX/4, 8) returns NULL, ENOMEM, p intact (errno %d)", e);
  q = T_reallocarray(p, vsize(50), vsize(4));
  report(q && t_check_as(q, p, 100) == (size_t)-1 && T_usable(q) >= 200,
         "reallocarray(p, 50, 4) grows to 200 bytes and keeps the contents");
  T_free(q);
}

/* ---- real out of memory (child process under RLIMIT_AS) ------------------ */

/* Blocks are chained through their first word so that the child needs no
 * other memory to remember them. */
static int child_oom(void)
{
  struct rlimit rl;
  long vm_kb = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld", &vm_kb) != 1) { printf("cannot read statm\n"); return 2; }
  fclose(f);
  vm_kb *= sysconf(_SC_PAGESIZE) / 1024;
  rl.rlim_cur = rl.rlim_max = (rlim_t)(vm_kb + 96 * 1024) * 1024;   /* 96 MiB headroom */
  if (setrlimit(RLIMIT_AS, &rl) != 0) { perror("setrlimit"); return 2; }

  void *chain = NULL;
  size_t big = 0, small = 0;
  int e_big, e_small;
  for (;;) {                                   /* large blocks until mmap fails */
    void **b = T_malloc(vsize(1 << 20));
    if (!b) { e_big = errno; break; }
    *b = chain; chain = b; big++;
  }
  for (;;) {                                   /* then small ones until that fails */
    void **b = T_malloc(vsize(1000));
    if (!b) { e_small = errno; break; }
    *b = chain; chain = b; small++;
  }
  /* Errors are printed with write(): stdio would need memory. */
  char msg[256];
  int n = snprintf(msg, sizeof msg, "oom-child: %zu x 1 MiB then %zu x 1000 B before NULL;"
                   " errno %d and %d\n", big, small, e_big, e_small);
  if (write(1, msg, (size_t)n) < 0) return 2;
  while (chain) { void **b = chain; chain = *b; T_free(b); }
  void *again_big = T_malloc(vsize(1 << 20)), *again_small = T_malloc(vsize(1000));
  int ok = big > 0 && e_big == ENOMEM && e_small == ENOMEM && again_big && again_small;
  n = snprintf(msg, sizeof msg, "oom-child: after freeing all, malloc(1 MiB)=%s malloc(1000)=%s\n",
               again_big ? "ok" : "NULL", again_small ? "ok" : "NULL");
  if (write(1, msg, (size_t)n) < 0) return 2;
  T_free(again_big);
  T_free(again_small);
  return ok ? 0 : 1;
}

/* ---- calloc, realloc ---------------------------------------------------- */

static void check_calloc(void)
{
  static const size_t sizes[] = { 1, 16, 24, 100, 1000, 4096, 30000, 70000, 1 << 20, 5 << 20 };
  int bad = 0;
  size_t bad_n = 0;
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    size_t n = sizes[k];
    /* Dirty blocks of this size first, so calloc gets recycled memory. */
    void *dirty[64];
    for (int i = 0; i < 64; i++) { dirty[i] = T_malloc(vsize(n)); memset(dirty[i], 0xAA, n); }
    for (int i = 0; i < 64; i++) T_free(dirty[i]);
    for (int i = 0; i < 64; i++) {
      unsigned char *p = T_calloc(vsize(1), vsize(n));
      dirty[i] = p;
      if (!p) { bad++; bad_n = n; continue; }
      for (size_t j = 0; j < n; j++) if (p[j]) { bad++; bad_n = n; break; }
    }
    for (int i = 0; i < 64; i++) T_free(dirty[i]);
  }
  report(!bad, "calloc(1, n) after freeing dirtied blocks of n: all n bytes zero,"
         " n = 1..5 MiB (%d bad, n=%zu)", bad, bad_n);
  unsigned char *p = T_calloc(vsize(1000), vsize(17));
  int zero = p != NULL;
  for (size_t j = 0; p && j < 17000; j++) if (p[j]) { zero = 0; break; }
  report(zero, "calloc(1000, 17): 17000 zero bytes");
  T_free(p);
}

static void check_realloc(void)
{
  static const size_t steps[] = { 1, 16, 17, 100, 128, 129, 5000, 32768, 40000, 1 << 20,
                                  3 << 20, 9 << 20, 2 << 20, 70000, 5000, 100, 1 };
  size_t n = steps[0];
  unsigned char *p = T_malloc(n);
  t_fill(p, n);
  const void *filled_at = p;
  int bad = 0;
  size_t bad_from = 0, bad_to = 0;
  for (size_t k = 1; k < sizeof steps / sizeof *steps; k++) {
    size_t m = steps[k];
    unsigned char *q = T_realloc(p, vsize(m));
    size_t keep = n < m ? n : m;
    if (!q || t_check_as(q, filled_at, keep) != (size_t)-1 || T_usable(q) < m) {
      if (!bad) { bad_from = n; bad_to = m; }
      bad++;
      if (!q) break;
    }
    p = q; n = m;
    t_fill(p, n);
    filled_at = p;
  }
  report(!bad, "realloc chain 1 -> 16 -> ... -> 9 MiB -> ... -> 1 keeps min(old,new) bytes"
         " (%d bad, first %zu -> %zu)", bad, bad_from, bad_to);
  T_free(p);

  /* In-place growth of a large block (mremap may move it: content counts). */
  p = T_malloc(vsize(4 << 20));
  t_fill(p, 4 << 20);
  const void *orig = p;
  unsigned char *q = T_realloc(p, vsize(64 << 20));
  report(q && t_check_as(q, orig, 4 << 20) == (size_t)-1, "realloc 4 MiB -> 64 MiB keeps 4 MiB");
  if (q) { q[(64 << 20) - 1] = 1; p = T_realloc(q, vsize(1 << 20)); }
  report(p && t_check_as(p, orig, 1 << 20) == (size_t)-1 && T_usable(p) >= (1 << 20),
         "realloc 64 MiB -> 1 MiB keeps 1 MiB");
  T_free(p);

  p = T_realloc(NULL, vsize(200));
  report(p && aligned(p, 16) && T_usable(p) >= 200, "realloc(NULL, 200) acts as malloc(200)");
  T_free(p);
}

static long minor_faults(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

/* Growing a large block must not copy it (mremap moves page tables). Shown
 * by counts, not by time: a copy into new memory faults in its pages (at
 * least 128 minor faults for 256 MiB even with 2 MiB transparent huge
 * pages, 65536 with 4 KiB pages), and for a moment holds the old and the new
 * copy (peak RSS up by 256 MiB). Moving page tables does neither. */
static void check_realloc_no_copy(void)
{
  const size_t n = 256u << 20;
  unsigned char *p = T_malloc(vsize(n));
  if (!p) { report(0, "realloc of a large block without copying: malloc(256 MiB) failed"); return; }
  memset(p, 0x5a, n);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  long peak0 = ru.ru_maxrss, faults0 = minor_faults();
  unsigned char *q = T_realloc(p, vsize(2 * n));
  long faults = minor_faults() - faults0;
  getrusage(RUSAGE_SELF, &ru);
  long peak_up_kb = ru.ru_maxrss - peak0;
  int kept = q != NULL;
  for (size_t o = 0; kept && o < n; o += 4096) if (q[o] != 0x5a) kept = 0;
  T_free(q ? q : p);
  report(kept && faults < 32 && peak_up_kb < 64 * 1024,
         "realloc 256 MiB -> 512 MiB keeps the data without copying it: %ld minor faults"
         " (must be < 32), peak RSS up %ld KiB (must be < 65536)", faults, peak_up_kb);
}

/* glibc's own realloc(p, 0) on this machine: NULL (frees p) or not. We ask
 * the real libc.so.6 even under LD_PRELOAD, through dlsym on its handle. */
static int glibc_realloc0_is_null(void)
{
  void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
  if (!h) return -1;
  void *(*g_malloc)(size_t) = (void *(*)(size_t))dlsym(h, "malloc");
  void *(*g_realloc)(void *, size_t) = (void *(*)(void *, size_t))dlsym(h, "realloc");
  void (*g_free)(void *) = (void (*)(void *))dlsym(h, "free");
  if (!g_malloc || !g_realloc || !g_free) return -1;
  void *p = g_malloc(vsize(32));
  void *q = g_realloc(p, vsize(0));
  if (q) g_free(q);
  return q == NULL;
}

static void check_realloc0(void)
{
  int g = glibc_realloc0_is_null();
  if (g < 0) { report(0, "realloc(p, 0): cannot reach glibc's realloc to compare"); return; }
  void *p = T_malloc(vsize(32));
  void *q = T_realloc(p, vsize(0));
  int h = q == NULL;
  report(g == h, "realloc(p, 0) like glibc here: glibc returns %s, tested returns %s",
         g ? "NULL" : "a pointer", h ? "NULL" : "a pointer");
  if (q) T_free(q);
}

/* ---- aligned allocation ------------------------------------------------- */

static void check_posix_memalign_einval(void)
{
  static const size_t bad_align[] = { 0, 1, 2, 4, 3, 12, 24, 48, 100, 4095, (1 << 20) + 8 };
  int bad = 0;
  size_t bad_a = 0;
  for (size_t k = 0; k < sizeof bad_align / sizeof *bad_align; k++) {
    void *p = (void *)0x5151;
    int r = T_posix_memalign(&p, vsize(bad_align[k]), vsize(64));
    if (r != EINVAL || p != (void *)0x5151) { bad++; bad_a = bad_align[k]; }
  }
  report(!bad, "posix_memalign with alignment 0,1,2,4,3,12,24,48,100,4095,1M+8: EINVAL,"
         " *memptr untouched (%d bad, alignment %zu)", bad, bad_a);
  void *p = NULL;
  int r = T_posix_memalign(&p, vsize(sizeof(void *)), vsize(40));
  report(r == 0 && p && aligned(p, sizeof(void *)), "posix_memalign(&p, sizeof(void*), 40) works");
  T_free(p);
}

static void check_alignments(void)
{
  static const char *fn[] = { "posix_memalign", "aligned_alloc", "memalign" };
  for (int f = 0; f < 3; f++) {
    int bad = 0;
    size_t bad_a = 0, bad_n = 0, count = 0;
    for (size_t a = 16; a <= (4u << 20); a *= 2) {
      size_t sizes[] = { 1, 16, a - 8, a, a + 1, 3 * a };
      for (int s = 0; s < 6; s++) {
        size_t n = sizes[s];
        void *p = NULL;
        if (f == 0) { if (T_posix_memalign(&p, vsize(a), vsize(n)) != 0) p = NULL; }
        else if (f == 1) p = T_aligned_alloc(vsize(a), vsize(n));
        else p = T_memalign(vsize(a), vsize(n));
        count++;
        if (!p || !aligned(p, a) || T_usable(p) < n) { bad++; bad_a = a; bad_n = n; T_free(p); continue; }
        memset(p, 0x33, n);
        T_free(p);
      }
    }
    report(!bad, "%s: alignments 16 B..4 MiB x sizes {1,16,a-8,a,a+1,3a}: aligned, usable >= n,"
           " writable, freeable (%zu tried, %d bad, first a=%zu n=%zu)", fn[f], count, bad, bad_a, bad_n);
  }
}

static void check_valloc(void)
{
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  int bad = 0;
  size_t sizes[] = { 1, 100, pg - 1, pg, pg + 1, 5 * pg + 3, 1 << 20 };
  for (int s = 0; s < 7; s++) {
    void *p = T_valloc(vsize(sizes[s]));
    if (!p || !aligned(p, pg) || T_usable(p) < sizes[s]) bad++;
    else memset(p, 1, sizes[s]);
    T_free(p);
  }
  report(!bad, "valloc(n) for 7 sizes: page-aligned (%zu), usable >= n (%d bad)", pg, bad);
  bad = 0;
  for (int s = 0; s < 7; s++) {
    size_t want = (sizes[s] + pg - 1) / pg * pg;
    unsigned char *p = T_pvalloc(vsize(sizes[s]));
    if (!p || !aligned(p, pg) || T_usable(p) < want) bad++;
    else memset(p, 1, want);                 /* the rounded-up size is all usable */
    T_free(p);
  }
  report(!bad, "pvalloc(n) for 7 sizes: page-aligned, usable >= n rounded up to a page (%d bad)", bad);
}

/* ---- free ---------------------------------------------------------------- */

static void check_free(void)
{
  errno = 4321;
  T_free(NULL);
  report(errno == 4321, "free(NULL) does nothing and keeps errno (%d)", errno);
  static const size_t sizes[] = { 0, 8, 100, 3000, 40000, 1 << 20, 8 << 20 };
  int bad = 0;
  for (int s = 0; s < 7; s++) {
    void *p = T_malloc(vsize(sizes[s]));
    errno = 1234;
    T_free(p);
    if (errno != 1234) bad++;
  }
  report(!bad, "free() of blocks 0 B..8 MiB leaves errno at 1234 (%d changed it)", bad);
}

#ifdef T_HAK
static void check_owns(void)
{
  int local;
  void *p = hak_malloc(100), *q = hak_malloc(1 << 20);
  report(hak_owns(p) && hak_owns(q) && !hak_owns(&local) && !hak_owns(&failures),
         "hak_owns: true for hak_malloc'd small and large blocks, false for stack and static");
  hak_free(p);
  hak_free(q);
}
#endif

/* ---- invalid pointers (in a child process) -------------------------------- */

static char static_area[256] __attribute__((aligned(64)));

/* Child: make a few live blocks, pass the bad pointer of `kind` to free or
 * realloc, then prove the blocks and the allocator are still fine. */
static int child_invalid(const char *kind)
{
  enum { N = 64 };
  void *live[N];
  size_t sz[N];
  for (int i = 0; i < N; i++) {
    sz[i] = 16 + (size_t)i * 977;
    live[i] = T_malloc(sz[i]);
    t_fill(live[i], sz[i]);
  }
  char stack_area[256] __attribute__((aligned(64)));
  memset(stack_area, 0, sizeof stack_area);
  void *large = T_malloc(vsize(1 << 20));
  void *bad = NULL, *middle_of = NULL;
  int use_realloc = 0;
  if (!strcmp(kind, "stack")) bad = stack_area + 64;
  else if (!strcmp(kind, "static")) bad = static_area + 64;
  else if (!strcmp(kind, "mmap")) {
    bad = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bad == MAP_FAILED) return 2;
  } else if (!strcmp(kind, "realloc-stack")) { bad = stack_area + 64; use_realloc = 1; }
  else if (!strcmp(kind, "unaligned")) bad = (char *)live[3] + 8;
  else if (!strcmp(kind, "large-middle")) bad = (char *)large + 8192;
  else if (!strcmp(kind, "large-double")) { T_free(large); bad = large; large = NULL; }
  /* Detected only in hakmem's checking mode (HAKMEM_CHECK=1): */
  else if (!strcmp(kind, "small-double")) { bad = T_malloc(vsize(64)); T_free(bad); }
  else if (!strcmp(kind, "small-middle")) { middle_of = T_malloc(vsize(256)); bad = (char *)middle_of + 32; }
  else { printf("unknown kind %s\n", kind); return 2; }

  if (use_realloc) {
    errno = 0;
    void *r = T_realloc(bad, vsize(100));
    printf("realloc returned %p errno %d\n", r, errno);
    if (r != NULL || errno != EINVAL) return 3;
  } else {
    T_free(bad);
  }
  for (int i = 0; i < N; i++)
    if (t_check(live[i], sz[i]) != (size_t)-1) { printf("live block %d corrupted\n", i); return 4; }
  /* The allocator still works: a burst of new blocks must not overlap. */
  for (int i = 0; i < N; i++) T_free(live[i]);
  for (int i = 0; i < N; i++) { live[i] = T_malloc(sz[i]); t_fill(live[i], sz[i]); }
  for (int i = 0; i < N; i++)
    if (t_check(live[i], sz[i]) != (size_t)-1) { printf("new block %d corrupted\n", i); return 4; }
  for (int i = 0; i < N; i++) T_free(live[i]);
  T_free(large);
  T_free(middle_of);
  printf("child-ok\n");
  return 0;
}

/* Runs `self --child ARGS` with HAKMEM_ABORT_ON_ERROR set to abort_env (or
 * unset), captures stdout+stderr into buf; returns the wait status. */
static int run_child(const char *self, const char *a1, const char *a2, const char *abort_env,
                     char *buf, size_t cap)
{
  int fd[2];
  if (pipe(fd) != 0) return -1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[1], 1); dup2(fd[1], 2);
    close(fd[0]); close(fd[1]);
    if (abort_env) setenv("HAKMEM_ABORT_ON_ERROR", abort_env, 1);
    else unsetenv("HAKMEM_ABORT_ON_ERROR");
    execl(self, self, "--child", a1, a2, (char *)NULL);
    _exit(127);
  }
  close(fd[1]);
  size_t len = 0;
  ssize_t r;
  while ((r = read(fd[0], buf + len, cap - 1 - len)) > 0 && len + 1 < cap) len += (size_t)r;
  buf[len] = 0;
  close(fd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return st;
}

static const char *status_str(int st)
{
  static char buf[64];
  if (WIFEXITED(st)) snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(st));
  else snprintf(buf, sizeof buf, "status %#x", st);
  return buf;
}

static void first_line(char *out, size_t cap, const char *buf)
{
  size_t i = 0;
  while (buf[i] && buf[i] != '\n' && i + 1 < cap) { out[i] = buf[i]; i++; }
  out[i] = 0;
}

static void check_invalid_frees(const char *self)
{
  static const struct { const char *kind, *expect, *what; } cases[] = {
    { "stack",         "hakmem: free(): invalid pointer 0x",    "free(stack address)" },
    { "static",        "hakmem: free(): invalid pointer 0x",    "free(static array)" },
    { "mmap",          "hakmem: free(): invalid pointer 0x",    "free(page from mmap)" },
    { "realloc-stack", "hakmem: realloc(): invalid pointer 0x", "realloc(stack address, 100)" },
    { "unaligned",     "hakmem: free(): ",                      "free(small block + 8)" },
    { "large-middle",  "hakmem: free(): ",                      "free(large block + 8192)" },
    { "large-double",  "hakmem: free(): ",                      "free(large block) twice" },
  };
  char buf[8192], line[200];
  if (!is_hak) { skip("invalid-pointer reports", "hakmem's reports, allocator is not hakmem"); return; }
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    int st = run_child(self, "invalid", cases[k].kind, NULL, buf, sizeof buf);
    const char *msg = strstr(buf, cases[k].expect);
    line[0] = 0;
    if (msg) first_line(line, sizeof line, msg);
    report(WIFEXITED(st) && WEXITSTATUS(st) == 0 && msg && strstr(buf, "child-ok"),
           "%s: reported (\"%s\"), ignored, live blocks intact, process goes on (%s)",
           cases[k].what, msg ? line : "no report", status_str(st));
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0 && msg))
      printf("     child output: %.600s\n", buf);
    st = run_child(self, "invalid", cases[k].kind, "1", buf, sizeof buf);
    report(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(buf, cases[k].expect),
           "%s with HAKMEM_ABORT_ON_ERROR=1: reported, then SIGABRT (%s)", cases[k].what,
           status_str(st));
  }
}

static void check_oom(const char *self)
{
  char buf[4096];
  int st = run_child(self, "oom", "-", NULL, buf, sizeof buf);
  for (char *s = buf; *s; ) {               /* show what the child said */
    char *e = strchr(s, '\n');
    printf("     %.*s\n", e ? (int)(e - s) : (int)strlen(s), s);
    if (!e) break;
    s = e + 1;
  }
  report(WIFEXITED(st) && WEXITSTATUS(st) == 0,
         "real out of memory (RLIMIT_AS): NULL + ENOMEM for large and small blocks, no crash,"
         " allocation works again after freeing (%s)", status_str(st));
}

int main(int argc, char **argv)
{
  const char *self = "/proc/self/exe";
  if (argc >= 3 && !strcmp(argv[1], "--child")) {
    if (!strcmp(argv[2], "invalid") && argc >= 4) return child_invalid(argv[3]);
    if (!strcmp(argv[2], "oom")) return child_oom();
    fprintf(stderr, "conform: unknown child mode %s\n", argv[2]);
    return 2;
  }
  if (argc != 1) {
    fprintf(stderr, "usage: %s   (no arguments; runs every conformance check)\n", argv[0]);
    return 2;
  }
  /* /proc/self/exe is resolved by the kernel at exec time; keep the real
   * path so the child is this same binary. */
  static char exe[4096];
  ssize_t n = readlink(self, exe, sizeof exe - 1);
  if (n > 0) { exe[n] = 0; self = exe; }

  is_hak = t_check_served(prog);
  printf("conform: checking the %s\n", T_API_NAME);
  check_alignment();
  check_malloc0();
  check_usable_and_waste();
  check_enomem();
  check_calloc();
  check_realloc();
  check_realloc_no_copy();
  check_realloc0();
  check_posix_memalign_einval();
  check_alignments();
  check_valloc();
  check_free();
#ifdef T_HAK
  check_owns();
#endif
  check_invalid_frees(self);
  check_oom(self);
  printf("conform (%s): %d checks, %d failed\n", T_API_NAME, checks, failures);
  return failures ? 1 : 0;
}
