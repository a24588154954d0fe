// misuse_cxx.cc: new[] / delete mismatches, at five sizes (NAME:16 .. NAME:1m).
//
// Both use a type whose operator delete[] takes the size, so new[] stores
// the element count in an 8-byte cookie before the array (Itanium C++ ABI),
// as it does for a type with a destructor, but no destructor loop runs over
// a garbage count: the pointer the allocator gets is not the one operator
// new[] returned (delete_array_as_scalar frees 8 bytes into the block;
// delete_scalar_as_array frees 8 bytes before it).
//
// The safe outcome: the allocator sees a pointer it never handed out and
// stops (abort) or reports and ignores it; never a block handed out twice
// or overlapping the live one.
#include "check.h"

#include <cstdlib>
#include <new>

namespace {

struct Elem {                   // 8 bytes; new Elem[k] has a cookie
  unsigned long v;
  static void operator delete[](void *p, size_t) { ::operator delete[](p); }
};

template <size_t N> struct Blob {  // N bytes; delete[] reads a cookie
  unsigned char b[N];
  static void operator delete[](void *p, size_t) { ::operator delete[](p); }
};

// new Elem[k] (k * 8 + 8 = n bytes), then delete (scalar).
int delete_array_as_scalar(size_t n)
{
  size_t k = n > 8 ? (n - 8) / 8 : 1;
  Elem *a = new Elem[k];
  for (size_t i = 0; i < k; i++) a[i].v = i;
  unsigned char *base = reinterpret_cast<unsigned char *>(a) - 8;  // the cookie
  ck_fill(a, k * 8, 3);
  delete static_cast<Elem *>(ck_hide(a));
  ck_returned();
  int changed = !ck_intact(a, k * 8, 3);
  struct ck_region live = { base, k * 8 + 8, "the array" };
  ck_probe(n, 0, &live, 1, nullptr, 0);
  if (changed) ck_damage("delete wrote into the live array %p", static_cast<void *>(a));
  return ck_verdict();
}

// new Blob<N> (N bytes), then delete[].
template <size_t N> int delete_scalar_as_array_n()
{
  Blob<N> *b = new Blob<N>;
  ck_fill(b, N, 3);
  delete[] static_cast<Blob<N> *>(ck_hide(b));
  ck_returned();
  int changed = !ck_intact(b, N, 3);
  struct ck_region live = { b, N, "the object" };
  ck_probe(N, 0, &live, 1, nullptr, 0);
  if (changed) ck_damage("delete[] wrote into the live object %p", static_cast<void *>(b));
  return ck_verdict();
}

int delete_scalar_as_array(size_t n)
{
  switch (n) {
  case 16: return delete_scalar_as_array_n<16>();
  case 64: return delete_scalar_as_array_n<64>();
  case 4096: return delete_scalar_as_array_n<4096>();
  case 65536: return delete_scalar_as_array_n<65536>();
  default: return delete_scalar_as_array_n<1048576>();
  }
}

const ck_scenario table[] = {
  CK_SIZED("delete_array_as_scalar", delete_array_as_scalar,
           "new T[k] freed with delete (new[] added a count cookie)"),
  CK_SIZED("delete_scalar_as_array", delete_scalar_as_array,
           "new T freed with delete[] (which reads a count cookie)"),
};

}  // namespace

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_MISUSE,
                 "new[]/delete mismatches; prints the misuse protocol (README.md).", table,
                 sizeof table / sizeof table[0]);
}
