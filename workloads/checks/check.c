/* check.c: command line, output markers and the damage probe of the check
 * programs (check.h, README.md). */
#include "check.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

const size_t ck_sizes[CK_NSIZES] = { 16, 64, 4096, 65536, 1048576 };
const char *const ck_size_names[CK_NSIZES] = { "16", "64", "4k", "64k", "1m" };

static void vline(const char *prefix, const char *fmt, va_list ap)
{
  char buf[1024];
  size_t n = 0;
  if (prefix) {
    n = strlen(prefix);
    memcpy(buf, prefix, n);
  }
  int k = vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
  if (k < 0) k = 0;
  n += (size_t)k < sizeof buf - n - 1 ? (size_t)k : sizeof buf - n - 2;
  /* One line per marker: a newline inside a reason would split it. */
  for (size_t i = 0; i < n; i++)
    if (buf[i] == '\n') buf[i] = ' ';
  buf[n++] = '\n';
  for (size_t off = 0; off < n;) {
    ssize_t w = write(1, buf + off, n - off);
    if (w <= 0) return;
    off += (size_t)w;
  }
}

void ck_line(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vline(NULL, fmt, ap);
  va_end(ap);
}

/* ---- conformance -------------------------------------------------------- */

static char first_reason[512];
static unsigned nfail;

void ck_record(const char *fmt, ...)
{
  va_list ap;
  if (nfail++ == 0) {
    va_start(ap, fmt);
    vsnprintf(first_reason, sizeof first_reason, fmt, ap);
    va_end(ap);
  }
  if (nfail <= 5) {             /* the first few in full, then a count */
    va_start(ap, fmt);
    vline("NOTE failed: ", fmt, ap);
    va_end(ap);
  }
}

unsigned ck_failures(void) { return nfail; }

int ck_pass(void)
{
  ck_line("RESULT pass");
  return CK_EXIT_PASS;
}

int ck_fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vline("RESULT fail: ", fmt, ap);
  va_end(ap);
  return CK_EXIT_FAIL;
}

int ck_result(void)
{
  if (nfail == 0) return ck_pass();
  if (nfail == 1) return ck_fail("%s", first_reason);
  return ck_fail("%u checks failed, first: %s", nfail, first_reason);
}

/* ---- misuse ------------------------------------------------------------- */

static unsigned ndamage;

void ck_returned(void) { ck_line("RETURNED"); }
void ck_use(void) { ck_line("USE"); }

int ck_refused(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vline("REFUSED ", fmt, ap);
  va_end(ap);
  return CK_EXIT_PASS;
}

void ck_damage(const char *fmt, ...)
{
  va_list ap;
  ndamage++;
  va_start(ap, fmt);
  vline("DAMAGE ", fmt, ap);
  va_end(ap);
}

int ck_verdict(void)
{
  ck_line("VERDICT %s", ndamage ? "damage" : "clean");
  return CK_EXIT_PASS;
}

static int overlap(const void *a, size_t an, const void *b, size_t bn)
{
  uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
  return x < y + bn && y < x + an;
}

static int by_address(const void *a, const void *b)
{
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

unsigned ck_probe_count(size_t size)
{
  size_t c = ((size_t)8 << 20) / (size ? size : 1);   /* 8 MiB of blocks */
  return c < 8 ? 8 : c > CK_PROBE_MAX ? CK_PROBE_MAX : (unsigned)c;
}

void ck_probe(size_t size, unsigned count, const struct ck_region *live, unsigned nlive,
              void *const *extra, unsigned nextra)
{
  if (count == 0) count = ck_probe_count(size);
  if (count + nextra > CK_PROBE_MAX) count = CK_PROBE_MAX - nextra;
  void **b = ck_mem(CK_PROBE_MAX * sizeof *b);
  unsigned n = 0;
  for (unsigned i = 0; i < count; i++) {
    void *p = malloc(size);
    if (!p) ck_line("NOTE probe malloc(%zu) returned NULL", size);
    else b[n++] = p;
  }
  unsigned own = n;
  for (unsigned i = 0; i < nextra; i++)
    if (extra[i]) b[n++] = extra[i];
  /* By address first: no memory is touched yet. Sorted, overlapping blocks
   * are neighbours. */
  void **s = ck_mem(CK_PROBE_MAX * sizeof *s);
  memcpy(s, b, n * sizeof *s);
  qsort(s, n, sizeof *s, by_address);
  unsigned shown = 0;
  for (unsigned i = 0; i + 1 < n; i++)
    if (overlap(s[i], size, s[i + 1], size) && shown++ < 3)
      ck_damage("two live blocks overlap: %p and %p (malloc(%zu) %s)", s[i], s[i + 1], size,
                s[i] == s[i + 1] ? "returned the same block twice" : "returned overlapping blocks");
  for (unsigned i = 0; i < n; i++)
    for (unsigned k = 0; k < nlive; k++)
      if (overlap(b[i], size, live[k].p, live[k].n) && shown++ < 6)
        ck_damage("malloc(%zu) returned %p, inside %s %p (%zu bytes)", size, b[i],
                  live[k].what, live[k].p, live[k].n);
  ck_use();
  for (unsigned i = 0; i < n; i++) ck_fill(b[i], size, 200 + i);
  for (unsigned i = 0; i < n; i++)
    if (!ck_intact(b[i], size, 200 + i) && shown++ < 9)
      ck_damage("block %p (%s) changed after another block was written", b[i],
                i < own ? "probe malloc" : "other thread's malloc");
  /* The probe blocks stay allocated: freeing two copies of one block would
   * be a second misuse, and the process ends soon. */
}

/* ---- patterns and memory ------------------------------------------------ */

static inline unsigned char pat(size_t i, unsigned seed)
{
  return (unsigned char)((seed * 167u + 13u) ^ (unsigned)(i * 31u) ^ (unsigned)(i >> 8));
}

void ck_fill(void *p, size_t n, unsigned seed)
{
  unsigned char *c = p;
  for (size_t i = 0; i < n; i++) c[i] = pat(i, seed);
}

int ck_intact(const void *p, size_t n, unsigned seed)
{
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++)
    if (c[i] != pat(i, seed)) return 0;
  return 1;
}

void *ck_mem(size_t n)
{
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    ck_line("NOTE mmap(%zu) failed", n);
    _exit(CK_EXIT_FAIL);
  }
  return p;
}

/* ---- command line ------------------------------------------------------- */

static void usage(FILE *f, const char *prog, const char *doc, const struct ck_scenario *t,
                  size_t n, int about)
{
  fprintf(f, "usage: %s SCENARIO | --list | --help\n%s\n", prog, doc);
  if (!about) return;
  fprintf(f, "\nscenarios:\n");
  for (size_t i = 0; i < n; i++) {
    /* Sized rows repeat their description: print it once per name. */
    const char *colon = strchr(t[i].name, ':');
    if (colon && i > 0 && strncmp(t[i - 1].name, t[i].name, (size_t)(colon - t[i].name) + 1) == 0)
      continue;
    if (colon)
      fprintf(f, "  %.*s:{16,64,4k,64k,1m}\n      %s\n", (int)(colon - t[i].name), t[i].name,
              t[i].about);
    else
      fprintf(f, "  %s\n      %s\n", t[i].name, t[i].about);
  }
}

int ck_main(int argc, char **argv, int kind, const char *doc,
            const struct ck_scenario *t, size_t n)
{
  const char *prog = argc > 0 ? argv[0] : "check";
  if (argc != 2) {
    usage(stderr, prog, doc, t, n, 0);
    return CK_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout, prog, doc, t, n, 1);
    return 0;
  }
  if (strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < n; i++) printf("%s\n", t[i].name);
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (strcmp(argv[1], t[i].name) != 0) continue;
    /* A crash must end at once, not spend seconds writing a core file. */
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    Dl_info di;
    void *(*m)(size_t) = malloc;
    ck_line("ALLOCATOR %s", dladdr(*(void **)&m, &di) && di.dli_fname ? di.dli_fname : "unknown");
    ck_line("%s %s", kind == CK_MISUSE ? "MISUSE" : "CHECK", t[i].name);
    return t[i].fn(t[i].arg);
  }
  fprintf(stderr, "%s: unknown scenario '%s' (--list shows them)\n", prog, argv[1]);
  return CK_EXIT_USAGE;
}
