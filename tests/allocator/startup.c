/* startup.c: hakmem must work before any constructor has run and inside the
 * dynamic loader's and libpthread's own allocations. Run under LD_PRELOAD.
 *
 *   - a .preinit_array function allocates: it runs before the initialisers
 *     of every shared object, libhakmem.so's included;
 *   - a constructor(101) allocates too;
 *   - main dlopen()s tlslib.so, whose large __thread array the loader
 *     allocates with malloc in each thread that touches it and frees at
 *     thread exit; 32 threads (in 4 waves) do so while also allocating;
 *   - dlerror() strings and dlclose() exercise the loader's malloc/free.
 * usage: startup TLSLIB_PATH. Exit 0 ok, 1 a check failed, 2 bad args.
 */
#include "talloc.h"

#include <pthread.h>
#include <stdint.h>

#define EARLY_N 32
static void *early_pre[EARLY_N], *early_ctor[EARLY_N];
static int early_pre_ok = -1, early_ctor_ok = -1;

/* Allocate, fill and keep n blocks; returns 1 when all were non-NULL and
 * 16-byte aligned (checked again, with contents, in main). */
static int early_alloc(void **keep)
{
  int ok = 1;
  for (int i = 0; i < EARLY_N; i++) {
    size_t n = 1 + (size_t)i * 397;
    void *p = malloc(n);
    if (!p || ((uintptr_t)p & 15)) ok = 0;
    if (p) t_fill(p, n);
    keep[i] = p;
  }
  void *c = calloc(10, 10), *r = realloc(NULL, 50);
  r = realloc(r, 5000);
  if (!c || !r) ok = 0;
  free(c);
  free(r);
  return ok;
}

static void preinit(int argc, char **argv, char **envp)
{
  (void)argc; (void)argv; (void)envp;
  early_pre_ok = early_alloc(early_pre);
}
__attribute__((section(".preinit_array"), used))
static void (*const preinit_fn)(int, char **, char **) = preinit;

__attribute__((constructor(101))) static void early_ctor_fn(void)
{
  early_ctor_ok = early_alloc(early_ctor);
}

static int check_early(void **keep)
{
  int ok = 1;
  for (int i = 0; i < EARLY_N; i++) {
    size_t n = 1 + (size_t)i * 397;
    if (!keep[i] || t_check(keep[i], n) != (size_t)-1) ok = 0;
    free(keep[i]);
  }
  return ok;
}

static unsigned char *(*touch)(unsigned char);
static int (*tls_ok)(unsigned char);

static void *thread_main(void *arg)
{
  unsigned char v = (unsigned char)(uintptr_t)arg;
  unsigned char *tls = touch(v);               /* loader mallocs our TLS block */
  void *b[64];
  int ok = tls != NULL;
  for (int i = 0; i < 64; i++) { b[i] = malloc(16 + (size_t)i * 64); t_fill(b[i], 16 + (size_t)i * 64); }
  for (int i = 0; i < 64; i++) { if (t_check(b[i], 16 + (size_t)i * 64) != (size_t)-1) ok = 0; free(b[i]); }
  if (!tls_ok(v)) ok = 0;
  return (void *)(uintptr_t)ok;
}

static int report(int ok, const char *what)
{
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
  if (argc != 2) { fprintf(stderr, "usage: %s PATH/libtatls.so\n", argv[0]); return 2; }
  t_check_served("startup");
  int bad = 0;
  bad += report(early_pre_ok == 1 && check_early(early_pre),
                "malloc/calloc/realloc/free from .preinit_array (before every initialiser):"
                " 32 blocks aligned and intact");
  bad += report(early_ctor_ok == 1 && check_early(early_ctor),
                "malloc/calloc/realloc/free from a constructor(101): 32 blocks aligned and intact");

  dlerror();
  void *none = dlopen("/nonexistent/libnothing.so", RTLD_NOW);
  const char *err = dlerror();
  bad += report(!none && err && strstr(err, "libnothing"), "dlopen of a missing library: dlerror() message built");

  int threads_ok = 1;
  for (int round = 0; round < 3; round++) {     /* dlopen, use, dlclose, again */
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) { printf("dlopen %s: %s\n", argv[1], dlerror()); return 1; }
    touch = (unsigned char *(*)(unsigned char))dlsym(h, "tlslib_touch");
    tls_ok = (int (*)(unsigned char))dlsym(h, "tlslib_check");
    if (!touch || !tls_ok) { printf("dlsym failed\n"); return 1; }
    for (int wave = 0; wave < 4; wave++) {
      pthread_t t[8];
      for (int i = 0; i < 8; i++)
        if (pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)(wave * 8 + i + 1)) != 0) return 1;
      for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        if (!r) threads_ok = 0;
      }
    }
    touch(7);
    if (!tls_ok(7)) threads_ok = 0;
    if (dlclose(h) != 0) threads_ok = 0;
  }
  bad += report(threads_ok, "dlopen + 32 threads using the library's 20 KB __thread array"
                " (loader-allocated TLS), allocating, exiting; dlclose; 3 rounds");
  printf("startup: %s\n", bad ? "FAIL" : "ok");
  return bad ? 1 : 0;
}
