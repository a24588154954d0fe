/* sizeclass.c: the size-class tables.
 * Classes: 16, 32, ..., 128 (16-byte steps), then four per power of two:
 * 2^k * 5/4, 6/4, 7/4, 8/4 up to 32 KiB. A size n rounds up to at most
 * n + n/4 + 16 bytes (tests/allocator checks it for every n). */
#include "internal.h"

/* _hak_class_table[(n + 15) / 16] = class of n, for n <= 1024. */
const uint8_t _hak_class_table[HAK_TABLE_MAX / 16 + 1] = {
  0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11,
  12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15,
  16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17,
  18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19,
};

const uint32_t _hak_class_size[HAK_NCLASSES] = {
  16, 32, 48, 64, 80, 96, 112, 128,
  160, 192, 224, 256, 320, 384, 448, 512,
  640, 768, 896, 1024, 1280, 1536, 1792, 2048,
  2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
  10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768,
};
