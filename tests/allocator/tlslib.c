/* tlslib.c: a shared library with a large thread-local array, loaded by
 * startup.c with dlopen(). Its TLS is allocated by the dynamic loader with
 * malloc when a thread first touches it, and freed at thread exit: the
 * loader's own allocations, served by hakmem under LD_PRELOAD. */
#include <string.h>

static __thread unsigned char tls_buf[20000];

unsigned char *tlslib_touch(unsigned char v)
{
  memset(tls_buf, v, sizeof tls_buf);
  return tls_buf;
}

int tlslib_check(unsigned char v)
{
  for (size_t i = 0; i < sizeof tls_buf; i++)
    if (tls_buf[i] != v) return 0;
  return 1;
}
