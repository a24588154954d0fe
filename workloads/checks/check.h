/* check.h: what every check program shares (see README.md for the protocol).
 *
 * A check program holds a table of scenarios and runs exactly one per
 * process: `prog SCENARIO`. `prog --list` prints the scenario names, one a
 * line; `prog --help` the usage and the list with a line about each.
 *
 * Every line a runner reads goes to stdout through ck_line(), which formats
 * into a stack buffer and write()s it at once: no stdio buffer, so a line
 * printed before a crash is never lost and printing never calls malloc.
 * The programs write nothing to stderr themselves once a scenario runs:
 * whatever appears there came from the allocator (or the C library).
 *
 *   conformance   ALLOCATOR, CHECK, free-form NOTE lines, then
 *                 "RESULT pass" (exit 0) or "RESULT fail: reason" (exit 1)
 *   misuse        ALLOCATOR, MISUSE, then RETURNED or REFUSED, USE,
 *                 DAMAGE lines, "VERDICT damage" or "VERDICT clean" (exit 0)
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CK_NOINLINE __attribute__((noinline))
#define CK_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum { CK_CONFORM, CK_MISUSE };
enum { CK_EXIT_PASS = 0, CK_EXIT_FAIL = 1, CK_EXIT_USAGE = 2 };

/* One scenario: `name` on the command line, `fn(arg)` runs it. A
 * conformance fn returns ck_pass() or ck_fail(); a misuse fn returns
 * ck_verdict() (or ck_refused()). */
struct ck_scenario {
  const char *name;
  int (*fn)(size_t arg);
  size_t arg;
  const char *about;
};

/* The block sizes of the sized misuse scenarios, and their name suffixes. */
#define CK_NSIZES 5
extern const size_t ck_sizes[CK_NSIZES];
extern const char *const ck_size_names[CK_NSIZES];
/* Five table rows, NAME:16 .. NAME:1m, for one sized scenario. */
#define CK_SIZED(name, fn, about) \
  { name ":16", fn, 16, about }, { name ":64", fn, 64, about }, \
  { name ":4k", fn, 4096, about }, { name ":64k", fn, 65536, about }, \
  { name ":1m", fn, 1048576, about }

int ck_main(int argc, char **argv, int kind, const char *doc,
            const struct ck_scenario *table, size_t n);

/* One stdout line, written at once. */
void ck_line(const char *fmt, ...) CK_PRINTF(1, 2);

/* Conformance. ck_fail() keeps the first reason given, so a scenario can
 * count every failed check and fail once at the end with the first; ck_note
 * prints a NOTE line. ck_result() prints RESULT from what was recorded. */
int ck_pass(void);
int ck_fail(const char *fmt, ...) CK_PRINTF(1, 2);
void ck_record(const char *fmt, ...) CK_PRINTF(1, 2);  /* a failed check, go on */
unsigned ck_failures(void);
int ck_result(void);                    /* pass if nothing was recorded */

/* Misuse markers, in the order a scenario prints them. */
void ck_returned(void);                 /* the misuse call returned           */
int ck_refused(const char *fmt, ...) CK_PRINTF(1, 2);  /* ... visibly refused: the end */
void ck_use(void);                      /* the program starts using results   */
void ck_damage(const char *fmt, ...) CK_PRINTF(1, 2);  /* damage showed (any number) */
int ck_verdict(void);                   /* VERDICT damage|clean, exit status  */

/* The probe after a misuse: `count` mallocs of `size` bytes (0: as many as
 * ck_probe_count(size), enough to empty the allocator's current page or run
 * of the size, so a block freed twice comes back), allocator calls only;
 * then USE, then a pattern written into each block and read back. DAMAGE
 * when two blocks overlap, a block overlaps one of the live regions given
 * (still in use by the program), or a pattern does not read back. `extra`
 * blocks of the same size, obtained elsewhere (another thread), join the
 * overlap test. The probe's blocks are never freed. */
#define CK_PROBE_MAX 8192
struct ck_region { const void *p; size_t n; const char *what; };
unsigned ck_probe_count(size_t size);   /* 8 MiB worth, 8 .. CK_PROBE_MAX */
void ck_probe(size_t size, unsigned count, const struct ck_region *live, unsigned nlive,
              void *const *extra, unsigned nextra);

/* Patterns: fill and test a region with bytes derived from a seed. */
void ck_fill(void *p, size_t n, unsigned seed);
int ck_intact(const void *p, size_t n, unsigned seed);  /* 1: all bytes as filled */

/* An opaque copy of a pointer: the compiler cannot see where it came from,
 * so it neither warns about nor optimises away the misuse done with it. */
static inline void *ck_hide(void *p)
{
  __asm__ volatile("" : "+r"(p));
  return p;
}
static inline size_t ck_hide_size(size_t n)
{
  __asm__ volatile("" : "+r"(n));
  return n;
}

/* Memory for the programs' own bookkeeping, never from malloc. */
void *ck_mem(size_t n);

#ifdef __cplusplus
}
#endif
#endif
