/* conform_threads.c: threads, libraries and limits.
 *
 *   tsd_destructor           malloc/free in pthread key destructors, which
 *                            run while the thread is being torn down, also
 *                            as a thread's first allocation, over 3 rounds
 *                            of destructor calls
 *   thread_exit_remote_free  threads allocate, hand every block to two
 *                            consumers and exit at once, while the consumers
 *                            check and free the blocks
 *   dlopen_dlclose           a library that allocates in its constructor and
 *                            frees in its destructor (libck_dl.so), opened
 *                            and closed 50 times, half of them in a thread
 *   rlimit_oom               under RLIMIT_AS: malloc fails with NULL and
 *                            ENOMEM, the blocks held stay intact, and after
 *                            they are freed as many fit again
 */
#include "check.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static uint64_t rnd(uint64_t *s)
{
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return *s >> 33;
}

static int start_join(unsigned total, unsigned batch, void *(*fn)(void *))
{
  pthread_t t[64];
  for (unsigned done = 0; done < total; done += batch) {
    unsigned n = total - done < batch ? total - done : batch;
    for (unsigned i = 0; i < n; i++)
      if (pthread_create(&t[i], NULL, fn, (void *)(uintptr_t)(done + i)) != 0) return -1;
    for (unsigned i = 0; i < n; i++) pthread_join(t[i], NULL);
  }
  return 0;
}

/* ---- tsd_destructor ----------------------------------------------------- */

enum { ROUNDS = 3, TSD_THREADS = 64 };
struct tsd {
  int round, is_static;
  unsigned char data[200];
};
static pthread_key_t key;
static atomic_int dtor_calls, dtor_bad;
static struct tsd statics[TSD_THREADS];

static void dtor(void *v)
{
  struct tsd *t = v;
  if (!ck_intact(t->data, sizeof t->data, (unsigned)t->round)) atomic_fetch_add(&dtor_bad, 1);
  void *x = malloc((size_t)t->round * 5000 + 10);
  if (!x) atomic_fetch_add(&dtor_bad, 1);
  else memset(x, 1, (size_t)t->round * 5000 + 10);
  free(x);
  if (t->round + 1 < ROUNDS) {  /* set a new value: the destructor runs again */
    struct tsd *n = malloc(sizeof *n);
    if (!n) atomic_fetch_add(&dtor_bad, 1);
    else {
      n->round = t->round + 1;
      n->is_static = 0;
      ck_fill(n->data, sizeof n->data, (unsigned)n->round);
      pthread_setspecific(key, n);
    }
  }
  if (!t->is_static) free(t);
  atomic_fetch_add(&dtor_calls, 1);
}

static void *tsd_thread(void *arg)
{
  uintptr_t i = (uintptr_t)arg;
  struct tsd *t;
  if (i % 2) {                  /* no allocation before the destructor's */
    t = &statics[i];
    t->is_static = 1;
  } else {
    t = malloc(sizeof *t);
    if (!t) return NULL;
    t->is_static = 0;
    free(malloc(100));
  }
  t->round = 0;
  ck_fill(t->data, sizeof t->data, 0);
  pthread_setspecific(key, t);
  return NULL;
}

static int tsd_destructor(size_t u)
{
  (void)u;
  if (pthread_key_create(&key, dtor) != 0) return ck_fail("pthread_key_create failed");
  if (start_join(TSD_THREADS, 8, tsd_thread) != 0) return ck_fail("pthread_create failed");
  int calls = atomic_load(&dtor_calls);
  if (calls != TSD_THREADS * ROUNDS)
    ck_record("%d destructor calls, expected %d", calls, TSD_THREADS * ROUNDS);
  if (atomic_load(&dtor_bad)) ck_record("%d bad blocks or failed mallocs in destructors", atomic_load(&dtor_bad));
  return ck_result();
}

/* ---- thread_exit_remote_free -------------------------------------------- */

enum { PRODUCERS = 64, PER_PRODUCER = 200, QCAP = PRODUCERS * PER_PRODUCER };
struct item { void *p; size_t n; unsigned seed; };
static struct item *queue;
static unsigned qhead, qtail;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static atomic_int consumed_bad;

static void *producer(void *arg)
{
  uint64_t s = (uintptr_t)arg + 1;
  struct item mine[PER_PRODUCER];
  for (int i = 0; i < PER_PRODUCER; i++) {
    uint64_t r = rnd(&s);
    size_t n = r % 10 == 0 ? 1 + r % 200000 : 1 + r % 1024;
    mine[i].p = malloc(n);
    mine[i].n = n;
    mine[i].seed = (unsigned)r;
    if (mine[i].p) ck_fill(mine[i].p, n, mine[i].seed);
  }
  pthread_mutex_lock(&qlock);
  for (int i = 0; i < PER_PRODUCER; i++) queue[qtail++] = mine[i];
  pthread_cond_broadcast(&qcond);
  pthread_mutex_unlock(&qlock);
  return NULL;                  /* exits while the consumers free its blocks */
}

static void *consumer(void *arg)
{
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&qlock);
    while (qhead == qtail && qhead < QCAP) pthread_cond_wait(&qcond, &qlock);
    if (qhead == QCAP) {
      pthread_mutex_unlock(&qlock);
      return NULL;
    }
    struct item it = queue[qhead++];
    pthread_mutex_unlock(&qlock);
    if (!it.p || !ck_intact(it.p, it.n, it.seed)) atomic_fetch_add(&consumed_bad, 1);
    free(it.p);
  }
}

static int thread_exit_remote_free(size_t u)
{
  (void)u;
  queue = ck_mem(QCAP * sizeof *queue);
  pthread_t c[2];
  for (int i = 0; i < 2; i++)
    if (pthread_create(&c[i], NULL, consumer, NULL) != 0) return ck_fail("pthread_create failed");
  if (start_join(PRODUCERS, 8, producer) != 0) return ck_fail("pthread_create failed");
  for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
  if (atomic_load(&consumed_bad))
    ck_record("%d of %d blocks were NULL or changed when freed", atomic_load(&consumed_bad), QCAP);
  /* The memory the exited threads held is usable again. */
  for (int i = 0; i < 1000; i++) free(malloc((size_t)16 + (size_t)i * 37));
  return ck_result();
}

/* ---- dlopen_dlclose ----------------------------------------------------- */

int ck_dl_errors;               /* libck_dl.so's destructor adds to it */
static char dl_path[PATH_MAX];
static atomic_int dl_bad;

static void *dl_cycle(void *arg)
{
  (void)arg;
  void *h = dlopen(dl_path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    atomic_fetch_add(&dl_bad, 1);
    return NULL;
  }
  void *(*f)(size_t) = (void *(*)(size_t))dlsym(h, "ck_dl_alloc");
  void *x = f ? f(3000) : NULL;
  if (!x) atomic_fetch_add(&dl_bad, 1);
  free(x);
  dlclose(h);
  return NULL;
}

static int dlopen_dlclose(size_t cycles)
{
  ssize_t n = readlink("/proc/self/exe", dl_path, sizeof dl_path - 32);
  if (n <= 0) return ck_fail("readlink /proc/self/exe failed");
  dl_path[n] = 0;
  char *slash = strrchr(dl_path, '/');
  strcpy(slash ? slash + 1 : dl_path, "libck_dl.so");
  if (access(dl_path, R_OK) != 0) return ck_fail("%s is missing", dl_path);
  for (size_t i = 0; i < cycles; i++) {
    if (i % 2) start_join(1, 1, dl_cycle);
    else dl_cycle(NULL);
  }
  if (atomic_load(&dl_bad)) ck_record("%d dlopen or allocation failures", atomic_load(&dl_bad));
  if (ck_dl_errors) ck_record("the library's destructor found %d bad blocks", ck_dl_errors);
  return ck_result();
}

/* ---- rlimit_oom --------------------------------------------------------- */

static size_t vm_size(void)
{
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
  }
  return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static int rlimit_oom(size_t headroom)
{
  enum { MAXBIG = 4096, MAXSMALL = 1 << 20 };
  unsigned char **big = ck_mem(MAXBIG * sizeof *big);
  void **small = ck_mem(MAXSMALL * sizeof *small);
  struct rlimit old, lim;
  getrlimit(RLIMIT_AS, &old);
  lim = old;
  lim.rlim_cur = vm_size() + headroom;
  if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < lim.rlim_cur) lim.rlim_cur = old.rlim_cur;
  if (setrlimit(RLIMIT_AS, &lim) != 0) return ck_fail("setrlimit(RLIMIT_AS) failed: errno %d", errno);
  size_t nbig = 0, nsmall = 0;
  int err = 0;
  for (; nbig < MAXBIG; nbig++) {
    errno = 0;
    big[nbig] = malloc(1 << 20);
    if (!big[nbig]) { err = errno; break; }
    big[nbig][0] = (unsigned char)nbig;
    big[nbig][(1 << 20) - 1] = (unsigned char)(nbig + 1);
  }
  if (nbig == MAXBIG) ck_record("%d MiB fit under a limit of %zu MiB more", MAXBIG, headroom >> 20);
  else if (err != ENOMEM) ck_record("malloc(1 MiB) failed with errno %d, not ENOMEM", err);
  for (; nsmall < MAXSMALL; nsmall++) {
    errno = 0;
    small[nsmall] = malloc(64);
    if (!small[nsmall]) { err = errno; break; }
    memset(small[nsmall], 0x42, 64);
  }
  if (nsmall < MAXSMALL && err != ENOMEM) ck_record("malloc(64) failed with errno %d, not ENOMEM", err);
  ck_line("NOTE %zu blocks of 1 MiB and %zu of 64 B fit", nbig, nsmall);
  for (size_t i = 0; i < nbig; i++)
    if (big[i][0] != (unsigned char)i || big[i][(1 << 20) - 1] != (unsigned char)(i + 1))
      ck_record("1 MiB block %zu changed", i);
  for (size_t i = 0; i < nsmall; i++) free(small[i]);
  for (size_t i = 0; i < nbig; i++) free(big[i]);
  /* Recovery: at least half as many 1 MiB blocks fit again. */
  size_t again = 0;
  for (; again < nbig; again++)
    if (!(big[again] = malloc(1 << 20))) break;
  for (size_t i = 0; i < again; i++) free(big[i]);
  if (again < nbig / 2) ck_record("after freeing, only %zu of %zu 1 MiB blocks fit again", again, nbig);
  void *last = malloc(100);
  if (!last) ck_record("malloc(100) failed after recovery");
  free(last);
  setrlimit(RLIMIT_AS, &old);
  ck_line("NOTE %zu 1 MiB blocks fit again", again);
  return ck_result();
}

static const struct ck_scenario table[] = {
  { "tsd_destructor", tsd_destructor, 0, "malloc/free in pthread key destructors, 64 threads, 3 rounds" },
  { "thread_exit_remote_free", thread_exit_remote_free, 0,
    "64 threads hand their blocks to 2 others and exit while those free them" },
  { "dlopen_dlclose", dlopen_dlclose, 50, "a library allocating in its constructor, freeing in its destructor" },
  { "rlimit_oom", rlimit_oom, (size_t)256 << 20, "RLIMIT_AS at +256 MiB: NULL and ENOMEM, then recovery" },
};

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_CONFORM, "Threads, libraries, limits; prints RESULT pass|fail (README.md).",
                 table, sizeof table / sizeof table[0]);
}
