/* threadreuse.c: memory of exited threads is reused by later threads.
 *
 * LIVES threads (default 200) run one after another. Each allocates about
 * 8 MiB in small blocks (16..1024 B), all live at once, frees all but every
 * 16th block, and exits; the blocks it leaves (~0.5 MiB) are freed by the next thread,
 * so every thread frees blocks of one that has exited. If exited threads'
 * slabs were never adopted, RSS would grow by ~8 MiB per thread (1.6 GiB);
 * the test asserts the peak RSS stays below start + BOUND MiB (default 96)
 * and that RSS after the last free is at most start + 64 MiB.
 *
 * usage: threadreuse [-n lives] [-b bound_MiB]
 * Exit 0 ok, 1 a check failed, 2 bad arguments.
 */
#include "talloc.h"

#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#define PER_THREAD (8u << 20)

typedef struct held_s { struct held_s *next; size_t n; } held_t;

static held_t *handed;          /* left by the previous thread; joined before use */
static unsigned long bad, seed = 1;

static long rss_kib(void)
{
  long size, res;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  int ok = fscanf(f, "%ld %ld", &size, &res) == 2;
  fclose(f);
  return ok ? res * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static void held_free(held_t *h)
{
  while (h) {
    held_t *next = h->next;
    if (t_check((char *)h + sizeof *h, h->n - sizeof *h) != (size_t)-1) bad++;
    T_free(h);
    h = next;
  }
}

static void *life(void *arg)
{
  (void)arg;
  held_free(handed);                   /* the previous (exited) thread's blocks */
  handed = NULL;
  unsigned long rs = ++seed * 0x9E3779B97F4A7C15UL;
  held_t *all = NULL;
  size_t total = 0;
  while (total < PER_THREAD) {          /* all 8 MiB live at once */
    size_t n = 16 + t_rand(&rs) % 1009;
    held_t *h = T_malloc(n);
    if (!h) { bad++; break; }
    h->n = n;
    t_fill((char *)h + sizeof *h, n - sizeof *h);
    h->next = all;
    all = h;
    total += n;
  }
  for (unsigned long i = 0; all; i++) {  /* keep every 16th for the next thread */
    held_t *h = all;
    all = h->next;
    if (i % 16 == 0) { h->next = handed; handed = h; continue; }
    h->next = NULL;
    held_free(h);
  }
  return NULL;
}

int main(int argc, char **argv)
{
  long lives = 200, bound = 96;
  int opt;
  while ((opt = getopt(argc, argv, "n:b:h")) != -1) {
    int ok = 1;
    switch (opt) {
    case 'n': ok = t_parse_num(optarg, 1, 1000000, &lives); break;
    case 'b': ok = t_parse_num(optarg, 1, 1 << 20, &bound); break;
    default: ok = 0;
    }
    if (!ok || opt == 'h') { fprintf(stderr, "usage: %s [-n lives(200)] [-b bound_MiB(96)]\n", argv[0]); return 2; }
  }
  if (optind != argc) { fprintf(stderr, "%s: unexpected argument %s\n", argv[0], argv[optind]); return 2; }
  t_check_served("threadreuse");
  long start = rss_kib(), peak = start;
  for (long i = 0; i < lives; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, life, NULL) != 0) { perror("pthread_create"); return 1; }
    pthread_join(t, NULL);
    long r = rss_kib();
    if (r > peak) peak = r;
  }
  held_free(handed);
  long end = rss_kib();
  printf("threadreuse (%s): %ld threads x %u MiB of small blocks, 1/16 of each freed by the next thread\n",
         T_API_NAME, lives, PER_THREAD >> 20);
  printf("threadreuse: RSS start %.1f MiB, peak %.1f MiB (bound start + %ld), end %.1f MiB (bound start + 64),"
         " %lu corrupted blocks\n", start / 1024.0, peak / 1024.0, bound, end / 1024.0, bad);
  int ok = 1;
  if (bad) { printf("threadreuse: FAIL: corrupted blocks or failed allocations\n"); ok = 0; }
  if (peak > start + bound * 1024) { printf("threadreuse: FAIL: peak RSS: exited threads' memory not reused\n"); ok = 0; }
  if (end > start + 64 * 1024) { printf("threadreuse: FAIL: RSS after freeing everything above start + 64 MiB\n"); ok = 0; }
  if (ok) printf("threadreuse: ok\n");
  return ok ? 0 : 1;
}
