/* sizeclass.c: white-box check of the size-class tables (sizeclass.c,
 * internal.h), linked with the allocator's internals (libhakmem-api.a).
 *
 *   - _hak_class_size[] is strictly increasing, every size a multiple of 16,
 *     the first 16 and the last HAK_SMALL_MAX;
 *   - for every n in 0..HAK_SMALL_MAX, _hak_class_of(n) is the smallest
 *     class whose size is >= n, and that size is at most n + n/4 + 16 (the
 *     bound internal.h states);
 *   - _hak_class_table[j] is the class of 16 j for every slot j up to
 *     HAK_TABLE_MAX / 16;
 *   - the heap's direct[] slots (the malloc fast path, written by
 *     _hak_heap_set_cur): the last of the HAK_DIRECT_CLASSES classes holds
 *     HAK_TABLE_MAX (1 KiB requests and their end mark: 1040 B, in the
 *     1152 B class), and setting cur[c] of every class writes direct[j] =
 *     cur[class of 16 j] for every j, once each; classes beyond write none.
 * Exit 0 ok, 1 with a line per failed check.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static unsigned long failures;
#define CHECK(cond, ...) do { if (!(cond)) { if (failures++ < 20) { \
  printf("FAIL: " __VA_ARGS__); printf("\n"); } } } while (0)

static hak_heap_t heap;                 /* a heap of its own: never used to allocate */
static hak_slab_t marks[HAK_NCLASSES];  /* cur[c] = &marks[c] */

int main(void)
{
  CHECK(_hak_class_size[0] == 16, "class 0 is %u B, want 16", _hak_class_size[0]);
  CHECK(_hak_class_size[HAK_NCLASSES - 1] == HAK_SMALL_MAX, "last class is %u B, want %u",
        _hak_class_size[HAK_NCLASSES - 1], HAK_SMALL_MAX);
  for (unsigned c = 0; c < HAK_NCLASSES; c++) {
    CHECK(_hak_class_size[c] % 16 == 0, "class %u: %u B is not a multiple of 16", c, _hak_class_size[c]);
    if (c > 0)
      CHECK(_hak_class_size[c] > _hak_class_size[c - 1], "class %u (%u B) not above class %u (%u B)",
            c, _hak_class_size[c], c - 1, _hak_class_size[c - 1]);
  }
  printf("sizeclass: %u classes, 16..%u B, increasing, multiples of 16\n", HAK_NCLASSES, HAK_SMALL_MAX);

  /* Every n: the smallest class that fits, within the waste bound. */
  size_t worst_n = 0, worst = 0;
  for (size_t n = 0; n <= HAK_SMALL_MAX; n++) {
    unsigned c = _hak_class_of(n);
    if (c >= HAK_NCLASSES) { CHECK(0, "n=%zu: class %u out of range", n, c); continue; }
    size_t sz = _hak_class_size[c];
    CHECK(sz >= n, "n=%zu: class %u holds only %zu B", n, c, sz);
    CHECK(c == 0 || _hak_class_size[c - 1] < n, "n=%zu: class %u (%zu B) but class %u (%u B) fits", n, c, sz,
          c - 1, _hak_class_size[c - 1]);
    CHECK(sz <= n + n / 4 + 16, "n=%zu: %zu B is above the bound n + n/4 + 16", n, sz);
    if (sz - n > worst) { worst = sz - n; worst_n = n; }
  }
  printf("sizeclass: every n in 0..%u maps to the smallest class >= n; most waste %zu B at n=%zu\n",
         HAK_SMALL_MAX, worst, worst_n);

  /* The table the fast path reads. */
  for (unsigned j = 0; j <= HAK_TABLE_MAX / 16; j++)
    CHECK(_hak_class_table[j] == _hak_class_of(16 * j), "table slot %u: class %u, class of %u B is %u", j,
          _hak_class_table[j], 16 * j, _hak_class_of(16 * j));
  printf("sizeclass: _hak_class_table agrees with _hak_class_of for its %u slots\n", HAK_TABLE_MAX / 16 + 1);

  /* Direct slots: the last direct class holds the table's end, and
   * together they write every slot exactly once. */
  CHECK(HAK_DIRECT_SLOTS == HAK_TABLE_MAX / 16 + 1, "HAK_DIRECT_SLOTS %u, want %u", HAK_DIRECT_SLOTS,
        HAK_TABLE_MAX / 16 + 1);
  CHECK(_hak_class_of(HAK_TABLE_MAX) == HAK_DIRECT_CLASSES - 1, "class of %u B is %u, want the last direct %u",
        HAK_TABLE_MAX, _hak_class_of(HAK_TABLE_MAX), HAK_DIRECT_CLASSES - 1);
  CHECK(_hak_class_of(_hak_class_size[HAK_DIRECT_CLASSES - 1] + 1) == HAK_DIRECT_CLASSES,
        "class after the last direct one (%u B) is %u, want %u", _hak_class_size[HAK_DIRECT_CLASSES - 1],
        _hak_class_of(_hak_class_size[HAK_DIRECT_CLASSES - 1] + 1), HAK_DIRECT_CLASSES);
  unsigned writes[HAK_DIRECT_SLOTS];
  memset(writes, 0, sizeof writes);
  for (unsigned c = 0; c < HAK_NCLASSES; c++) {
    hak_slab_t *before[HAK_DIRECT_SLOTS];
    memset(heap.direct, 0, sizeof heap.direct);
    memcpy(before, heap.direct, sizeof before);
    _hak_heap_set_cur(&heap, c, &marks[c]);
    CHECK(heap.cur[c] == &marks[c], "class %u: cur not set", c);
    for (unsigned j = 0; j < HAK_DIRECT_SLOTS; j++) {
      if (heap.direct[j] == NULL) continue;
      writes[j]++;
      CHECK(heap.direct[j] == &marks[c], "class %u: direct[%u] points elsewhere", c, j);
      CHECK(c < HAK_DIRECT_CLASSES, "class %u (not direct) wrote direct[%u]", c, j);
      CHECK(_hak_class_table[j] == c, "class %u wrote direct[%u], which belongs to class %u", c, j,
            _hak_class_table[j]);
    }
  }
  for (unsigned j = 0; j < HAK_DIRECT_SLOTS; j++)
    CHECK(writes[j] == 1, "direct[%u] written by %u classes, want exactly 1", j, writes[j]);
  /* Set all: direct[j] is cur[class of 16 j]. */
  for (unsigned c = 0; c < HAK_NCLASSES; c++) _hak_heap_set_cur(&heap, c, &marks[c]);
  for (unsigned j = 0; j < HAK_DIRECT_SLOTS; j++)
    CHECK(heap.direct[j] == heap.cur[_hak_class_of(16 * j)], "direct[%u] is not cur[class of %u B]", j, 16 * j);
  printf("sizeclass: direct[0..%u] covers classes 0..%u (sizes up to %u B), each slot once\n",
         HAK_DIRECT_SLOTS - 1, HAK_DIRECT_CLASSES - 1, HAK_TABLE_MAX);

  if (failures) { printf("sizeclass: %lu checks failed\n", failures); return 1; }
  printf("sizeclass: ok\n");
  return 0;
}
