// conform_cxx.cc: the C++ allocation operators and thread_local destructors.
//
//   new_handler        a failing operator new calls the new_handler until it
//                      returns... here 3 times, the third uninstalls itself:
//                      then std::bad_alloc
//   bad_alloc          impossible sizes throw std::bad_alloc (new[] with an
//                      overflowing count: std::bad_array_new_length)
//   nothrow            new (std::nothrow) returns nullptr instead, after
//                      calling the new_handler
//   aligned_new        new of over-aligned types and operator new(size,
//                      align_val_t) for 16 B .. 64 MiB: aligned, writable,
//                      freed with the matching aligned (and sized) delete
//   sized_delete       operator delete(p, size) and delete[] with sizes,
//                      1 B .. 1 MiB, blocks intact until deleted
//   thread_local_dtor  destructors of thread_local objects that allocate and
//                      free, in 64 threads
#include "check.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <pthread.h>
#include <string>
#include <vector>

namespace {

const size_t kImpossible = size_t(1) << 62;   // no address space holds it

int handler_calls;
void counting_handler()
{
  if (++handler_calls == 3) std::set_new_handler(nullptr);
}

int new_handler(size_t)
{
  handler_calls = 0;
  std::set_new_handler(counting_handler);
  try {
    void *p = ::operator new(ck_hide_size(kImpossible));
    ::operator delete(p);
    ck_record("operator new(2^62) returned %p", p);
  } catch (const std::bad_alloc &) {
    if (handler_calls != 3) ck_record("new_handler called %d times, expected 3", handler_calls);
  }
  std::set_new_handler(nullptr);
  return ck_result();
}

int bad_alloc(size_t)
{
  const size_t sizes[] = { kImpossible, SIZE_MAX, SIZE_MAX - 4095, size_t(PTRDIFF_MAX) + 1 };
  for (size_t n : sizes) {
    try {
      void *p = ::operator new(ck_hide_size(n));
      ck_record("operator new(%#zx) returned %p", n, p);
      ::operator delete(p);
    } catch (const std::bad_alloc &) {
    }
    try {
      void *p = ::operator new[](ck_hide_size(n), std::align_val_t(64));
      ck_record("operator new[](%#zx, align 64) returned %p", n, p);
      ::operator delete[](p, std::align_val_t(64));
    } catch (const std::bad_alloc &) {
    }
  }
  try {
    size_t count = ck_hide_size(SIZE_MAX / 4);
    long *p = new long[count];  // count * 8 overflows
    ck_record("new long[SIZE_MAX / 4] returned %p", static_cast<void *>(p));
    delete[] p;
  } catch (const std::bad_array_new_length &) {
  } catch (const std::bad_alloc &) {
    ck_record("new long[SIZE_MAX / 4] threw bad_alloc, not bad_array_new_length");
  }
  return ck_result();
}

int nothrow(size_t)
{
  handler_calls = 0;
  std::set_new_handler(counting_handler);
  void *p = ::operator new(ck_hide_size(kImpossible), std::nothrow);
  if (p) ck_record("new (nothrow) of 2^62 bytes returned %p", p);
  if (handler_calls != 3) ck_record("new_handler called %d times by nothrow new, expected 3", handler_calls);
  std::set_new_handler(nullptr);
  p = ::operator new[](ck_hide_size(kImpossible), std::align_val_t(4096), std::nothrow);
  if (p) ck_record("aligned new[] (nothrow) of 2^62 bytes returned %p", p);
  char *q = new (std::nothrow) char[100];
  if (!q) ck_record("new (nothrow) char[100] returned nullptr");
  delete[] q;
  return ck_result();
}

struct alignas(64) A64 { unsigned char b[100]; };
struct alignas(4096) A4k { unsigned char b[5000]; };
struct alignas(2 << 20) A2m { unsigned char b[10]; };

template <class T> void check_type(const char *name)
{
  for (int i = 0; i < 4; i++) {
    T *o = new T;
    T *a = new T[3];
    if (reinterpret_cast<uintptr_t>(o) % alignof(T)) ck_record("new %s = %p, misaligned", name, static_cast<void *>(o));
    if (reinterpret_cast<uintptr_t>(a) % alignof(T)) ck_record("new %s[3] = %p, misaligned", name, static_cast<void *>(a));
    memset(static_cast<void *>(o), 1, sizeof *o);
    memset(static_cast<void *>(a), 2, 3 * sizeof *a);
    delete o;
    delete[] a;
  }
}

int aligned_new(size_t)
{
  check_type<A64>("A64");
  check_type<A4k>("A4k");
  check_type<A2m>("A2m");
  for (size_t al = 16; al <= (size_t(64) << 20); al *= 2) {
    const size_t sizes[] = { 1, al + 1 };
    for (size_t n : sizes) {
      void *p = ::operator new(n, std::align_val_t(al));
      if (reinterpret_cast<uintptr_t>(p) % al) ck_record("operator new(%zu, %zu) = %p, misaligned", n, al, p);
      static_cast<unsigned char *>(p)[0] = 1;
      static_cast<unsigned char *>(p)[n - 1] = 1;
      ::operator delete(p, n, std::align_val_t(al));
      p = ::operator new[](n, std::align_val_t(al), std::nothrow);
      if (!p || reinterpret_cast<uintptr_t>(p) % al) ck_record("operator new[](%zu, %zu, nothrow) = %p", n, al, p);
      ::operator delete[](p, std::align_val_t(al));
    }
  }
  return ck_result();
}

int sized_delete(size_t)
{
  std::vector<std::pair<unsigned char *, size_t>> live;
  for (size_t n = 1; n <= (size_t(1) << 20); n = n * 3 / 2 + 1) {
    auto *p = static_cast<unsigned char *>(::operator new(n));
    ck_fill(p, n, unsigned(n));
    live.push_back({ p, n });
    auto *q = new unsigned char[n];
    ck_fill(q, n, unsigned(n + 1));
    live.push_back({ q, ~n });  // ~n: an array
  }
  for (auto &e : live) {
    bool arr = e.second > (size_t(1) << 40);
    size_t n = arr ? ~e.second : e.second;
    if (!ck_intact(e.first, n, unsigned(arr ? n + 1 : n))) ck_record("a %zu-byte block changed", n);
    if (arr) delete[] e.first;
    else ::operator delete(e.first, n);
  }
  return ck_result();
}

std::atomic<int> tl_done, tl_bad;

struct Holder {
  std::vector<std::string> strings;
  Holder()
  {
    for (int i = 0; i < 50; i++) strings.push_back(std::string(size_t(20 + i * 13), char('a' + i % 26)));
  }
  ~Holder()
  {
    // Allocates while the thread is being torn down.
    std::string all;
    for (auto &s : strings) all += s;
    std::vector<char> copy(all.begin(), all.end());
    size_t expect = 0;
    for (int i = 0; i < 50; i++) expect += size_t(20 + i * 13);
    if (copy.size() != expect) tl_bad++;
    void *p = ::operator new(100000);
    ::operator delete(p);
    tl_done++;
  }
};

thread_local Holder holder;

void *tl_thread(void *)
{
  if (holder.strings.size() != 50) tl_bad++;
  return nullptr;
}

int thread_local_dtor(size_t)
{
  for (int round = 0; round < 8; round++) {
    pthread_t t[8];
    for (auto &x : t)
      if (pthread_create(&x, nullptr, tl_thread, nullptr) != 0) return ck_fail("pthread_create failed");
    for (auto &x : t) pthread_join(x, nullptr);
  }
  if (tl_done != 64) ck_record("%d thread_local destructors finished, expected 64", int(tl_done));
  if (tl_bad) ck_record("%d thread_local objects were wrong", int(tl_bad));
  return ck_result();
}

const ck_scenario table[] = {
  { "new_handler", new_handler, 0, "failing new calls the new_handler until it is removed, then bad_alloc" },
  { "bad_alloc", bad_alloc, 0, "impossible sizes throw bad_alloc; overflowing new[] bad_array_new_length" },
  { "nothrow", nothrow, 0, "nothrow new returns nullptr (after the new_handler)" },
  { "aligned_new", aligned_new, 0, "over-aligned new/delete, 16 B .. 64 MiB" },
  { "sized_delete", sized_delete, 0, "sized operator delete and delete[], 1 B .. 1 MiB" },
  { "thread_local_dtor", thread_local_dtor, 0, "thread_local destructors that allocate, 64 threads" },
};

}  // namespace

int main(int argc, char **argv)
{
  return ck_main(argc, argv, CK_CONFORM, "C++ operators; prints RESULT pass|fail (README.md).", table,
                 sizeof table / sizeof table[0]);
}
