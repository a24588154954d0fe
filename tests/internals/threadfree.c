/* threadfree.c: white-box check of the thread-free word's state machine
 * (internal.h, HAK_TF_*), linked with the allocator's internals
 * (libhakmem-api.a) and driven through the hak_ API:
 *
 *   - _hak_tf_make / _hak_tf_block / _hak_tf_state round-trip every state
 *     with a block and with none;
 *   - _hak_tf_set_state keeps the block list, returns the old word, and
 *     waits while a remote freer holds BUSY;
 *   - NORMAL: a block freed by another thread is pushed on its slab's
 *     thread_free (state stays NORMAL); _hak_slab_collect moves it to the
 *     owner's free list (used drops by one, the state is kept);
 *   - NOTIFY: a slab the owner found full is marked FULL with NOTIFY; the
 *     next remote free takes BUSY, hands its block to the owner heap's
 *     delayed list and leaves NORMAL with an empty thread_free.
 * Exit 0 ok, 1 with a line per failed check.
 */
#include "internal.h"
#include "hakmem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long failures;
#define CHECK(cond, ...) do { if (!(cond)) { if (failures++ < 20) { \
  printf("FAIL: " __VA_ARGS__); printf("\n"); } } } while (0)

static hak_slab_t fake;   /* a slab record of our own for _hak_tf_set_state */

static void *free_one(void *p) { hak_free(p); return NULL; }   /* then exit: flushes */

static void free_in_thread(void *p)
{
  pthread_t t;
  if (pthread_create(&t, NULL, free_one, p) != 0) { perror("pthread_create"); exit(1); }
  pthread_join(t, NULL);
}

static atomic_int set_done;
static uintptr_t set_old;
static void *set_notify(void *arg)
{
  (void)arg;
  set_old = _hak_tf_set_state(&fake, HAK_TF_NOTIFY);
  atomic_store(&set_done, 1);
  return NULL;
}

static uintptr_t tf_of(hak_slab_t *s) { return atomic_load(&s->thread_free); }
static hak_slab_t *slab_of(void *p) { return _hak_slab_of(_hak_ss_of(p), p); }

int main(void)
{
  /* 1. Accessors. */
  void *blk = hak_malloc(64);
  if (!blk) { printf("FAIL: hak_malloc\n"); return 1; }
  hak_block_t *b = blk;
  const uintptr_t states[] = { HAK_TF_NORMAL, HAK_TF_NOTIFY, HAK_TF_BUSY };
  for (unsigned i = 0; i < 3; i++) {
    uintptr_t w = _hak_tf_make(b, states[i]);
    CHECK(_hak_tf_block(w) == b && _hak_tf_state(w) == states[i], "round trip of state %lu with a block",
          (unsigned long)states[i]);
    w = _hak_tf_make(NULL, states[i]);
    CHECK(_hak_tf_block(w) == NULL && _hak_tf_state(w) == states[i] && w == states[i],
          "round trip of state %lu with no block", (unsigned long)states[i]);
  }
  CHECK(((uintptr_t)b & HAK_TF_STATE) == 0, "a block address has state bits set");
  printf("threadfree: make/block/state round-trip NORMAL, NOTIFY, BUSY with and without a block\n");

  /* 2. _hak_tf_set_state on a record of our own. */
  atomic_store(&fake.thread_free, _hak_tf_make(b, HAK_TF_NORMAL));
  uintptr_t old = _hak_tf_set_state(&fake, HAK_TF_NOTIFY);
  CHECK(old == _hak_tf_make(b, HAK_TF_NORMAL), "set_state returned %#lx, not the old word", (unsigned long)old);
  CHECK(tf_of(&fake) == _hak_tf_make(b, HAK_TF_NOTIFY), "NORMAL -> NOTIFY lost the block or the state");
  _hak_tf_set_state(&fake, HAK_TF_NORMAL);
  CHECK(tf_of(&fake) == _hak_tf_make(b, HAK_TF_NORMAL), "NOTIFY -> NORMAL lost the block or the state");
  /* While BUSY, set_state waits; it finishes once BUSY is cleared. */
  atomic_store(&fake.thread_free, _hak_tf_make(NULL, HAK_TF_BUSY));
  pthread_t t;
  pthread_create(&t, NULL, set_notify, NULL);
  struct timespec ts = { 0, 20 * 1000 * 1000 };
  nanosleep(&ts, NULL);
  CHECK(!atomic_load(&set_done), "set_state finished while the word was BUSY");
  CHECK(tf_of(&fake) == _hak_tf_make(NULL, HAK_TF_BUSY), "set_state changed a BUSY word");
  atomic_store(&fake.thread_free, _hak_tf_make(NULL, HAK_TF_NORMAL));
  pthread_join(t, NULL);
  CHECK(set_old == _hak_tf_make(NULL, HAK_TF_NORMAL), "after BUSY, set_state saw %#lx", (unsigned long)set_old);
  CHECK(tf_of(&fake) == _hak_tf_make(NULL, HAK_TF_NOTIFY), "after BUSY, the word is not NOTIFY");
  printf("threadfree: set_state keeps the list, returns the old word, waits out BUSY\n");

  /* 3. NORMAL: a remote free, then collect. Another live block keeps the
   * slab from being given back. */
  void *keep = hak_malloc(64), *p = hak_malloc(64);
  hak_slab_t *s = slab_of(p);
  uint32_t used = s->used;
  CHECK(_hak_tf_state(tf_of(s)) == HAK_TF_NORMAL, "a slab with room is not NORMAL");
  free_in_thread(p);
  CHECK(_hak_tf_block(tf_of(s)) == (hak_block_t *)p, "the remote free is not on top of thread_free");
  CHECK(_hak_tf_state(tf_of(s)) == HAK_TF_NORMAL, "a remote free changed the state");
  CHECK(s->used == used, "a remote free changed used (%u -> %u)", used, s->used);
  size_t n = _hak_slab_collect(s);
  CHECK(n >= 1, "collect took %zu blocks", n);
  CHECK(_hak_tf_block(tf_of(s)) == NULL && _hak_tf_state(tf_of(s)) == HAK_TF_NORMAL,
        "after collect: thread_free not empty and NORMAL");
  CHECK(s->used == used - n, "after collect: used %u, want %u", s->used, (unsigned)(used - n));
  CHECK(s->free == (hak_block_t *)p, "after collect: the block is not first on the free list");
  printf("threadfree: NORMAL: a remote free is pushed, collect moves it to the owner's list\n");

  /* 4. NOTIFY: fill a slab of the largest class until malloc moves on. */
  enum { MAXB = 4096 };
  static void *blocks[MAXB];
  size_t size = HAK_SMALL_REQ_MAX, nb = 0;   /* the largest request of the largest class */
  blocks[nb++] = hak_malloc(size);
  hak_slab_t *full = slab_of(blocks[0]);
  while (nb < MAXB) {
    blocks[nb] = hak_malloc(size);
    if (!blocks[nb]) break;
    if (slab_of(blocks[nb++]) != full) break;
  }
  CHECK(slab_of(blocks[nb - 1]) != full, "%zu blocks of %zu B all in one slab", nb, size);
  uint8_t flags = atomic_load(&full->flags);
  CHECK(flags & HAK_SLAB_FULL, "the exhausted slab is not FULL (flags %#x)", flags);
  CHECK(_hak_tf_state(tf_of(full)) == HAK_TF_NOTIFY, "the exhausted slab's state is %lu, not NOTIFY",
        (unsigned long)_hak_tf_state(tf_of(full)));
  CHECK(atomic_load(&full->fast_owner) == NULL, "a FULL slab keeps its fast_owner");
  hak_block_t *delayed_before = atomic_load(&_hak_tls_heap->delayed);
  free_in_thread(blocks[0]);
  CHECK(_hak_tf_state(tf_of(full)) == HAK_TF_NORMAL, "after the remote free into a NOTIFY slab: state %lu",
        (unsigned long)_hak_tf_state(tf_of(full)));
  CHECK(_hak_tf_block(tf_of(full)) == NULL, "the block went to thread_free, not to the delayed list");
  CHECK(atomic_load(&_hak_tls_heap->delayed) == (hak_block_t *)blocks[0] && delayed_before == NULL,
        "the block is not on top of the owner heap's delayed list");
  printf("threadfree: NOTIFY: a full slab's next remote free goes to the delayed list, state back to NORMAL\n");

  for (size_t i = 1; i < nb; i++) hak_free(blocks[i]);
  hak_free(keep);
  hak_free(blk);
  if (failures) { printf("threadfree: %lu checks failed\n", failures); return 1; }
  printf("threadfree: ok\n");
  return 0;
}
