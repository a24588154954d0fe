/* sizeclass.c: the size-class tables.
 * Classes: 16, 32, ..., 128 (16-byte steps), then four per power of two
 * (2^k * 5/4, 6/4, 7/4, 8/4) up to 1 KiB, and eight above (2^k * 9/8 ...
 * 16/8) up to 32 KiB. A block of m bytes rounds up to at most m + m/4 + 16,
 * and above 1 KiB to at most m + m/8; a request of n takes a block of
 * m = n + 8, its end mark (internal.h), and tests/allocator checks the
 * bound for every n.
 * The finer steps above 1 KiB are for the sizes programs ask for just above
 * a power of two: a page plus a header (sqlite's page cache: 4096 + 272 B,
 * 1024 + 8 B), a 4 KiB value plus a string header (redis); with four steps
 * those took 5120 and 1280 B blocks, up to a quarter of the block wasted. */
#include "internal.h"

/* _hak_class_table[(n + 15) / 16] = class of a block of n bytes, for
 * n <= HAK_TABLE_MAX (1040: requests up to 1 KiB and their end mark). */
const uint8_t _hak_class_table[HAK_TABLE_MAX / 16 + 1] = {
  0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11,
  12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15,
  16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17,
  18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19,
  20,
};

const uint32_t _hak_class_size[HAK_NCLASSES] = {
  16, 32, 48, 64, 80, 96, 112, 128,
  160, 192, 224, 256, 320, 384, 448, 512,
  640, 768, 896, 1024, 1152, 1280, 1408, 1536,
  1664, 1792, 1920, 2048, 2304, 2560, 2816, 3072,
  3328, 3584, 3840, 4096, 4608, 5120, 5632, 6144,
  6656, 7168, 7680, 8192, 9216, 10240, 11264, 12288,
  13312, 14336, 15360, 16384, 18432, 20480, 22528, 24576,
  26624, 28672, 30720, 32768,
};
