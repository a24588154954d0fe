/* teardown N: N threads, one after the other, each does free(malloc(100))
 * and strerror() of an unknown error number. glibc keeps that message in a
 * per-thread buffer and frees it in __libc_thread_freeres, after the TSD
 * destructors (where hakmem gives the thread's heap up) have run. That late
 * free must not give the dead thread a new heap, which nothing would give up
 * again: prints hakmem's SuperSlab count and mapped bytes afterwards, and
 * exits 1 when more than MAX_SS SuperSlabs are mapped. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hakmem.h"

#define MAX_SS 8

static void *body(void *arg) {
  (void)arg;
  free(malloc(100));
  volatile size_t n = strlen(strerror(12345));
  (void)n;
  return NULL;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
  if (argc > 2 || n < 1 || n > 100000) {
    fprintf(stderr, "usage: teardown [threads(2000)]\n");
    return 2;
  }
  void (*stats_get)(hak_stats_t *) = (void (*)(hak_stats_t *))dlsym(RTLD_DEFAULT, "hak_stats_get");
  if (!stats_get) { printf("teardown: hak_stats_get not found: hakmem is not loaded\n"); return 1; }
  for (long i = 0; i < n; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, body, NULL) != 0) { perror("pthread_create"); return 1; }
    pthread_join(t, NULL);
  }
  hak_stats_t st;
  stats_get(&st);
  printf("teardown: %ld threads: %zu SuperSlabs, %zu MiB mapped\n", n, st.superslabs, st.mapped_bytes >> 20);
  return st.superslabs <= MAX_SS ? 0 : 1;
}
