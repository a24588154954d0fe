// cxx.cc: the C++ allocation operators hakmem exports (allocator/src/override_cxx.c).
// Built twice (tests/allocator/build.mk):
//   cxx-libc    plain C++ program, run under LD_PRELOAD=libhakmem.so;
//   cxx-static  linked with libhakmem.a (-DT_STATIC).
// Checks, each counted:
//   - every one of the 20 operator symbols resolves to hakmem (dladdr: in
//     libhakmem.so under preload, in the program itself when static), and so
//     does the `operator new` the program calls; blocks from new, and from
//     libstdc++'s own containers, are hakmem's (hak_owns);
//   - every variant allocates, and its matching delete frees (a freed block
//     comes back from the next new of its size: hakmem's LIFO free list);
//   - aligned new at 16 B .. 1 MiB alignments;
//   - the new_handler: called on failure, retried, and can free a reserve to
//     let the retry succeed (under RLIMIT_AS, in a child); can give up by
//     uninstalling itself, and then std::bad_alloc is thrown;
//   - std::bad_alloc with no handler (impossible size, and a real
//     out-of-memory under RLIMIT_AS); nothrow forms return nullptr;
//   - sized delete of every size 1..32768 and of large sizes, and blocks
//     deleted by another thread.
// Last line: "cxx (<mode>): N checks, 0 failed"; exit 0 when none failed.
// HAKTEST_ANY_MALLOC=1 (tests/lib.sh, HAKTEST_PRELOAD) skips the hakmem-identity
// checks, to run the rest against another allocator.
#include <dlfcn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <thread>
#include <vector>

#ifdef T_STATIC
#define MODE "libhakmem.a"
extern "C" int hak_owns(const void *p);
#else
#define MODE "LD_PRELOAD"
#endif

static int checks, failed;
static bool any_malloc;  // HAKTEST_ANY_MALLOC: not necessarily hakmem

#define CHECK(cond, ...)                                   \
  do {                                                     \
    checks++;                                              \
    if (!(cond)) {                                         \
      failed++;                                            \
      std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::printf(__VA_ARGS__);                            \
      std::printf("\n");                                   \
    }                                                      \
  } while (0)

// Keep the compiler from proving a block unused (new/delete pairs of
// new-expressions may be elided; explicit operator calls are not, but the
// writes to them could be).
static void escape(void *p) { asm volatile("" : : "g"(p) : "memory"); }

static int (*owns_fn)(const void *);
static bool owned(const void *p) { return any_malloc || (owns_fn && owns_fn(p)); }

static void fill(void *p, size_t n, unsigned seed) {
  std::memset(p, (int)(seed & 0xff), n);
  escape(p);
}
static bool filled(const void *p, size_t n, unsigned seed) {
  const unsigned char *c = (const unsigned char *)p;
  for (size_t i = 0; i < n; i += (n > 4096 ? 509 : 1))
    if (c[i] != (unsigned char)(seed & 0xff)) return false;
  return n == 0 || c[n - 1] == (unsigned char)(seed & 0xff);
}

// ---- 1. which library serves the operators -------------------------------
// Every operator, by its mangled name and by the address this program calls.
using std::align_val_t;
using std::nothrow_t;
using std::size_t;
struct op_t {
  const char *name;
  const void *addr;
};
#define OP(name, type, op) {name, (const void *)static_cast<type>(&::op)}
static const op_t k_ops[] = {
    OP("_Znwm", void *(*)(size_t), operator new),
    OP("_Znam", void *(*)(size_t), operator new[]),
    OP("_ZnwmRKSt9nothrow_t", void *(*)(size_t, const nothrow_t &) noexcept, operator new),
    OP("_ZnamRKSt9nothrow_t", void *(*)(size_t, const nothrow_t &) noexcept, operator new[]),
    OP("_ZnwmSt11align_val_t", void *(*)(size_t, align_val_t), operator new),
    OP("_ZnamSt11align_val_t", void *(*)(size_t, align_val_t), operator new[]),
    OP("_ZnwmSt11align_val_tRKSt9nothrow_t", void *(*)(size_t, align_val_t, const nothrow_t &) noexcept, operator new),
    OP("_ZnamSt11align_val_tRKSt9nothrow_t", void *(*)(size_t, align_val_t, const nothrow_t &) noexcept, operator new[]),
    OP("_ZdlPv", void (*)(void *) noexcept, operator delete),
    OP("_ZdaPv", void (*)(void *) noexcept, operator delete[]),
    OP("_ZdlPvm", void (*)(void *, size_t) noexcept, operator delete),
    OP("_ZdaPvm", void (*)(void *, size_t) noexcept, operator delete[]),
    OP("_ZdlPvRKSt9nothrow_t", void (*)(void *, const nothrow_t &) noexcept, operator delete),
    OP("_ZdaPvRKSt9nothrow_t", void (*)(void *, const nothrow_t &) noexcept, operator delete[]),
    OP("_ZdlPvSt11align_val_t", void (*)(void *, align_val_t) noexcept, operator delete),
    OP("_ZdaPvSt11align_val_t", void (*)(void *, align_val_t) noexcept, operator delete[]),
    OP("_ZdlPvmSt11align_val_t", void (*)(void *, size_t, align_val_t) noexcept, operator delete),
    OP("_ZdaPvmSt11align_val_t", void (*)(void *, size_t, align_val_t) noexcept, operator delete[]),
    OP("_ZdlPvSt11align_val_tRKSt9nothrow_t", void (*)(void *, align_val_t, const nothrow_t &) noexcept, operator delete),
    OP("_ZdaPvSt11align_val_tRKSt9nothrow_t", void (*)(void *, align_val_t, const nothrow_t &) noexcept, operator delete[]),
};

// Where the code at addr lives: "libhakmem.so" (preload) or "self" (static:
// the program's own file), else the object's path.
static std::string owner_of(const void *addr) {
  Dl_info info;
  if (!dladdr(addr, &info) || info.dli_fname == nullptr) return "?";
  std::string f = info.dli_fname;
  Dl_info self;
  if (dladdr((const void *)&owner_of, &self) && self.dli_fname && f == self.dli_fname) return "self";
  return f;
}
static bool served_by_hakmem(const std::string &f) {
#ifdef T_STATIC
  return f == "self";
#else
  return f.size() >= 12 && f.compare(f.size() - 12, 12, "libhakmem.so") == 0;
#endif
}

static int check_identity() {
  // The operator new this program calls (through its GOT).
  std::string f = owner_of(k_ops[0].addr);
  std::printf("cxx: operator new is served by %s\n", f.c_str());
  if (any_malloc) return 0;
  if (!served_by_hakmem(f)) {
    std::printf("cxx: operator new is not served by libhakmem (%s): refusing to run\n", f.c_str());
    return 1;
  }
  for (const op_t &op : k_ops) {
    std::string o = owner_of(op.addr);
    CHECK(served_by_hakmem(o), "%s called at %p is served by %s", op.name, op.addr, o.c_str());
#ifndef T_STATIC
    void *a = dlsym(RTLD_DEFAULT, op.name);  // what the rest of the process binds to
    std::string d = a ? owner_of(a) : "(undefined)";
    CHECK(a != nullptr && served_by_hakmem(d), "dlsym(%s) is served by %s", op.name, d.c_str());
#endif
  }
#ifdef T_STATIC
  owns_fn = hak_owns;
#else
  owns_fn = (int (*)(const void *))dlsym(RTLD_DEFAULT, "hak_owns");
#endif
  CHECK(owns_fn != nullptr, "hak_owns not found");
  // libstdc++'s own allocations (std::string, std::vector, std::map nodes).
  std::string str(1000, 'x');
  std::vector<int> v(100, 1);
  std::map<int, int> m{{1, 2}};
  CHECK(owned(str.data()) && owned(v.data()) && owned(&*m.begin()), "container memory is not hakmem's");
  return 0;
}

// ---- 2. every variant ----------------------------------------------------
static const std::nothrow_t &nt = std::nothrow;

template <typename New, typename Del>
static void variant(const char *name, size_t n, size_t align, New mk, Del del) {
  void *p = mk(n);
  CHECK(p != nullptr, "%s(%zu) returned NULL", name, n);
  if (p == nullptr) return;
  CHECK(((uintptr_t)p & (align - 1)) == 0, "%s(%zu) = %p not %zu-aligned", name, n, p, align);
  CHECK(owned(p), "%s(%zu) = %p not hakmem's", name, n, p);
  fill(p, n, (unsigned)n);
  CHECK(filled(p, n, (unsigned)n), "%s(%zu) contents", name, n);
  uintptr_t old = (uintptr_t)p;  // compared, never used, after the delete
  del(p, n);
  // The block went back to hakmem's free list (LIFO): the next block of
  // that size is the same one. Only for small blocks and hakmem itself.
  if (!any_malloc && n <= 1024) {
    void *q = mk(n);
    CHECK((uintptr_t)q == old, "%s: block %#" PRIxPTR " not reused after its delete (got %p)", name, old, q);
    del(q, n);
  }
}

static void check_variants() {
  const size_t sizes[] = {0, 1, 16, 100, 1024, 5000, 32768, 100000, 3 << 20};
  for (size_t n : sizes) {
    variant("new/delete", n, 16, [](size_t k) { return ::operator new(k); },
            [](void *p, size_t) { ::operator delete(p); });
    variant("new[]/delete[]", n, 16, [](size_t k) { return ::operator new[](k); },
            [](void *p, size_t) { ::operator delete[](p); });
    variant("new/sized delete", n, 16, [](size_t k) { return ::operator new(k); },
            [](void *p, size_t k) { ::operator delete(p, k); });
    variant("new[]/sized delete[]", n, 16, [](size_t k) { return ::operator new[](k); },
            [](void *p, size_t k) { ::operator delete[](p, k); });
    variant("nothrow new/nothrow delete", n, 16, [](size_t k) { return ::operator new(k, nt); },
            [](void *p, size_t) { ::operator delete(p, nt); });
    variant("nothrow new[]/nothrow delete[]", n, 16, [](size_t k) { return ::operator new[](k, nt); },
            [](void *p, size_t) { ::operator delete[](p, nt); });
    for (size_t a : {(size_t)16, (size_t)64, (size_t)4096}) {
      align_val_t al{a};
      variant("aligned new/delete", n, a, [al](size_t k) { return ::operator new(k, al); },
              [al](void *p, size_t) { ::operator delete(p, al); });
      variant("aligned new[]/delete[]", n, a, [al](size_t k) { return ::operator new[](k, al); },
              [al](void *p, size_t) { ::operator delete[](p, al); });
      variant("aligned new/sized delete", n, a, [al](size_t k) { return ::operator new(k, al); },
              [al](void *p, size_t k) { ::operator delete(p, k, al); });
      variant("aligned new[]/sized delete[]", n, a, [al](size_t k) { return ::operator new[](k, al); },
              [al](void *p, size_t k) { ::operator delete[](p, k, al); });
      variant("aligned nothrow new/delete", n, a, [al](size_t k) { return ::operator new(k, al, nt); },
              [al](void *p, size_t) { ::operator delete(p, al, nt); });
      variant("aligned nothrow new[]/delete[]", n, a, [al](size_t k) { return ::operator new[](k, al, nt); },
              [al](void *p, size_t) { ::operator delete[](p, al, nt); });
    }
  }
  // new-expressions (the compiler's calls, not ours).
  struct alignas(256) Over { char c[300]; };
  Over *o = new Over;
  escape(o);
  CHECK(((uintptr_t)o & 255) == 0 && owned(o), "new Over = %p", (void *)o);
  delete o;
  Over *oa = new Over[7];
  escape(oa);
  CHECK(((uintptr_t)oa & 255) == 0 && owned(oa), "new Over[7] = %p", (void *)oa);
  delete[] oa;
  std::string *s = new std::string(500, 'y');
  escape(s);
  CHECK(owned(s) && owned(s->data()), "new std::string");
  delete s;
}

// ---- 3. alignments 16 B .. 1 MiB ---------------------------------------
static void check_alignment() {
  for (size_t a = 16; a <= ((size_t)1 << 20); a <<= 1) {
    const size_t sizes[] = {1, a / 2, a, a + 1, 3 * a, 40000};
    for (size_t n : sizes) {
      std::align_val_t al{a};
      void *ps[4] = {::operator new(n, al), ::operator new[](n, al), ::operator new(n, al, nt),
                     ::operator new[](n, al, nt)};
      for (int i = 0; i < 4; i++) {
        CHECK(ps[i] != nullptr && ((uintptr_t)ps[i] & (a - 1)) == 0,
              "align %zu size %zu form %d: %p", a, n, i, ps[i]);
        if (ps[i]) fill(ps[i], n, (unsigned)(a + i));
      }
      for (int i = 0; i < 4; i++)
        CHECK(ps[i] == nullptr || filled(ps[i], n, (unsigned)(a + i)), "align %zu size %zu form %d overlap", a, n, i);
      ::operator delete(ps[0], n, al);
      ::operator delete[](ps[1], al);
      ::operator delete(ps[2], al, nt);
      ::operator delete[](ps[3], n, al);
    }
  }
}

// ---- 4. new_handler and bad_alloc ---------------------------------------
static const size_t k_impossible = SIZE_MAX / 2;
static int handler_calls;
static void *reserve;
static size_t reserve_size;

static void handler_give_up_after_3() {
  if (++handler_calls >= 3) std::set_new_handler(nullptr);
}
static void handler_free_reserve() {
  handler_calls++;
  ::operator delete(reserve, reserve_size);
  reserve = nullptr;
  std::set_new_handler(nullptr);  // nothing more to give: next failure throws
}

template <typename F>
static bool throws_bad_alloc(F f) {
  try {
    void *p = f();
    escape(p);
    return false;
  } catch (const std::bad_alloc &) {
    return true;
  }
}

static void check_failure() {
  std::set_new_handler(nullptr);
  align_val_t al{64};
  CHECK(throws_bad_alloc([] { return ::operator new(k_impossible); }), "new: no bad_alloc");
  CHECK(throws_bad_alloc([] { return ::operator new[](k_impossible); }), "new[]: no bad_alloc");
  CHECK(throws_bad_alloc([al] { return ::operator new(k_impossible, al); }), "aligned new: no bad_alloc");
  CHECK(throws_bad_alloc([al] { return ::operator new[](k_impossible, al); }), "aligned new[]: no bad_alloc");
  CHECK(::operator new(k_impossible, nt) == nullptr, "nothrow new not NULL");
  CHECK(::operator new[](k_impossible, nt) == nullptr, "nothrow new[] not NULL");
  CHECK(::operator new(k_impossible, al, nt) == nullptr, "aligned nothrow new not NULL");
  CHECK(::operator new[](k_impossible, al, nt) == nullptr, "aligned nothrow new[] not NULL");
  // A new-expression with a huge size (through a volatile, so the compiler
  // cannot see it).
  volatile size_t huge = k_impossible;
  CHECK(throws_bad_alloc([&] { return (void *)new char[huge]; }), "new char[huge]: no bad_alloc");

  // The handler is called on every failure until it uninstalls itself; then
  // the throwing forms throw and the nothrow forms return NULL.
  void *(*const forms[])(size_t) = {
      [](size_t n) { return ::operator new(n); }, [](size_t n) { return ::operator new[](n); },
      [](size_t n) { return ::operator new(n, std::align_val_t{4096}); },
      [](size_t n) { return ::operator new[](n, std::align_val_t{4096}); }};
  for (auto f : forms) {
    handler_calls = 0;
    std::set_new_handler(handler_give_up_after_3);
    CHECK(throws_bad_alloc([f] { return f(k_impossible); }) && handler_calls == 3,
          "handler: %d calls, expected 3 then bad_alloc", handler_calls);
  }
  void *(*const nothrow_forms[])(size_t) = {
      [](size_t n) { return ::operator new(n, nt); }, [](size_t n) { return ::operator new[](n, nt); },
      [](size_t n) { return ::operator new(n, std::align_val_t{4096}, nt); },
      [](size_t n) { return ::operator new[](n, std::align_val_t{4096}, nt); }};
  for (auto f : nothrow_forms) {
    handler_calls = 0;
    std::set_new_handler(handler_give_up_after_3);
    CHECK(f(k_impossible) == nullptr && handler_calls == 3, "nothrow handler: %d calls, expected 3", handler_calls);
  }
  std::set_new_handler(nullptr);
}

// Under RLIMIT_AS (a child process): a real out-of-memory. A reserve holds
// most of the address space left; the next big new fails, the handler frees
// the reserve and the retry succeeds. With no handler, bad_alloc / nullptr.
static long vm_size_kib() {
  FILE *f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmSize: %ld kB", &kib) == 1) break;
  std::fclose(f);
  return kib;
}

static int oom_child(int form) {
  long vm = vm_size_kib();
  if (vm < 0) return 10;
  const size_t big = (size_t)160 << 20;
  struct rlimit rl = {(rlim_t)vm * 1024 + ((rlim_t)256 << 20), RLIM_INFINITY};
  rl.rlim_max = rl.rlim_cur;
  if (setrlimit(RLIMIT_AS, &rl) != 0) return 11;
  reserve_size = big;
  reserve = ::operator new(big);
  fill(reserve, 4096, 1);
  // No handler: the second big block does not fit.
  bool ok = form == 0   ? throws_bad_alloc([&] { return ::operator new(big); })
            : form == 1 ? ::operator new[](big, nt) == nullptr
            : form == 2 ? throws_bad_alloc([&] { return ::operator new(big, std::align_val_t{1 << 20}); })
                        : ::operator new(big, std::align_val_t{1 << 20}, nt) == nullptr;
  if (!ok) return 12;
  // With the handler: it frees the reserve, the retry succeeds.
  handler_calls = 0;
  std::set_new_handler(handler_free_reserve);
  void *p = form == 0   ? ::operator new(big)
            : form == 1 ? ::operator new[](big, nt)
            : form == 2 ? ::operator new(big, std::align_val_t{1 << 20})
                        : ::operator new(big, std::align_val_t{1 << 20}, nt);
  if (p == nullptr) return 13;
  if (handler_calls != 1 || reserve != nullptr) return 14;
  if (form >= 2 && ((uintptr_t)p & ((1 << 20) - 1)) != 0) return 15;
  fill(p, big, 7);
  if (!filled(p, big, 7)) return 16;
  ::operator delete(p);
  return 0;
}

static void check_oom() {
  for (int form = 0; form < 4; form++) {
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(oom_child(form));
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "RLIMIT_AS child form %d: status 0x%x (exit 12: no failure without handler, 13: retry "
          "failed, 14: handler not called once)", form, st);
  }
}

// ---- 5. sized delete of every size ----------------------------------------
static void check_sized_delete() {
  // Every size 1..32768: new, fill, sized delete; a few kept live across
  // sizes so that deletes land in slabs with other live blocks.
  std::vector<std::pair<void *, size_t>> live;
  int bad = 0;
  for (size_t n = 1; n <= 32768; n++) {
    void *p = (n & 1) ? ::operator new(n) : ::operator new[](n);
    std::memset(p, (int)(n & 0xff), n < 64 ? n : 64);
    escape(p);
    if (n % 7 == 0) {
      live.push_back({p, n});
    } else if (n & 1) {
      ::operator delete(p, n);
    } else {
      ::operator delete[](p, n);
    }
    if (live.size() == 64) {
      for (auto &e : live) {
        if (!filled(e.first, e.second < 64 ? e.second : 64, (unsigned)e.second)) bad++;
        ::operator delete(e.first, e.second);
      }
      live.clear();
    }
  }
  for (auto &e : live) ::operator delete(e.first, e.second);
  CHECK(bad == 0, "%d blocks lost their contents", bad);
  // Aligned sized delete across the small sizes.
  for (size_t n = 1; n <= 32768; n += 61) {
    std::align_val_t al{(size_t)1 << (5 + n % 8)};
    void *p = ::operator new(n, al);
    fill(p, n, 3);
    ::operator delete(p, n, al);
  }
  // Large sizes.
  const size_t large[] = {32769, 40000, 65536, 100000, (size_t)1 << 20, (size_t)5 << 20, (size_t)33 << 20};
  for (size_t n : large) {
    void *p = ::operator new(n), *q = ::operator new[](n);
    CHECK(p && q && owned(p) && owned(q), "large %zu", n);
    fill(p, n, 9);
    fill(q, n, 10);
    CHECK(filled(p, n, 9) && filled(q, n, 10), "large %zu contents", n);
    ::operator delete(p, n);
    ::operator delete[](q, n);
  }
  std::printf("cxx: sized delete of every size 1..32768 and of 7 large sizes done\n");
}

// ---- 6. deletes from other threads ----------------------------------------
static void check_threads() {
  std::vector<std::string *> made;
  std::thread producer([&] {
    for (int i = 0; i < 20000; i++) made.push_back(new std::string((size_t)(i % 300) + 20, (char)('a' + i % 26)));
  });
  producer.join();
  int bad = 0;
  std::thread consumer([&] {
    for (size_t i = 0; i < made.size(); i++) {
      if ((*made[i])[0] != (char)('a' + i % 26)) bad++;
      delete made[i];
    }
  });
  consumer.join();
  CHECK(bad == 0, "%d strings corrupted across threads", bad);
  // Many threads with containers.
  std::vector<std::thread> ts;
  std::vector<int> sums(4);
  for (int t = 0; t < 4; t++)
    ts.emplace_back([t, &sums] {
      std::map<int, std::vector<int>> m;
      for (int i = 0; i < 5000; i++) m[i % 500].push_back(i);
      int s = 0;
      for (auto &e : m) s += (int)e.second.size();
      sums[t] = s;
    });
  for (auto &t : ts) t.join();
  for (int s : sums) CHECK(s == 5000, "thread container sum %d", s);
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  any_malloc = std::getenv("HAKTEST_ANY_MALLOC") != nullptr;
  if (check_identity() != 0) return 1;
  check_variants();
  check_alignment();
  check_failure();
  check_oom();
  check_sized_delete();
  check_threads();
  std::printf("cxx (%s): %d checks, %d failed\n", MODE, checks, failed);
  return failed == 0 ? 0 : 1;
}
