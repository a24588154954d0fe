/* errors.c: reporting misuse without allocating (write(2) only). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

void _hak_write_str(int fd, const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w <= 0) { if (w < 0 && errno == EINTR) continue; return; }
    s += w; n -= (size_t)w;
  }
}

void _hak_write_num(int fd, size_t v) {
  char buf[24]; int i = (int)sizeof buf - 1; buf[i] = 0;
  do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v && i > 0);
  _hak_write_str(fd, buf + i);
}

static void write_hex(int fd, uintptr_t v) {
  char buf[2 + 16 + 1]; int i = (int)sizeof buf - 1; buf[i] = 0;
  do { buf[--i] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v && i > 2);
  buf[--i] = 'x'; buf[--i] = '0';
  _hak_write_str(fd, buf + i);
}

/* "hakmem: free(): invalid pointer 0x1234" and, with HAKMEM_ABORT_ON_ERROR,
 * abort(). errno is preserved: free() must not change it. */
void _hak_error(const char *fn, const char *what, const void *p) {
  int saved = errno;
  hak_count_add(errors, 1);
  _hak_write_str(2, "hakmem: ");
  _hak_write_str(2, fn);
  _hak_write_str(2, "(): ");
  _hak_write_str(2, what);
  _hak_write_str(2, " ");
  write_hex(2, (uintptr_t)p);
  if (_hak_options.verbose) {
    _hak_write_str(2, " (thread heap ");
    write_hex(2, (uintptr_t)_hak_tls_heap);
    _hak_write_str(2, ")");
  }
  _hak_write_str(2, "\n");
  if (_hak_options.abort_on_error) abort();
  errno = saved;
}

/* The heap is corrupt (a free list link or a remote list no longer makes
 * sense, a large block's guard was overwritten): say where and stop,
 * whatever the options; going on would hand out memory that is not free.
 * "hakmem: heap corruption detected in WHAT at 0x...", or, when the call
 * that found it is named, "... in FN(): WHAT at 0x...". */
static __attribute__((noreturn)) void corrupt(const char *fn, const char *what, const void *where) {
  hak_count_add(errors, 1);
  _hak_write_str(2, "hakmem: heap corruption detected in ");
  if (fn) {
    _hak_write_str(2, fn);
    _hak_write_str(2, "(): ");
  }
  _hak_write_str(2, what);
  _hak_write_str(2, " at ");
  write_hex(2, (uintptr_t)where);
  _hak_write_str(2, "\n");
  abort();
}

void _hak_corrupt(const char *what, const void *where) { corrupt(NULL, what, where); }
void _hak_corrupt_in(const char *fn, const char *what, const void *where) { corrupt(fn, what, where); }

void _hak_assert_fail(const char *cond, const char *file, int line) {
  _hak_write_str(2, "hakmem: internal assertion failed: ");
  _hak_write_str(2, cond);
  _hak_write_str(2, " at ");
  _hak_write_str(2, file);
  _hak_write_str(2, ":");
  _hak_write_num(2, (size_t)line);
  _hak_write_str(2, "\n");
  abort();
}
