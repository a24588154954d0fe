/* override_cxx.c: the C++ allocation operators (operator new / new[] /
 * delete / delete[], with their nothrow, sized and std::align_val_t forms),
 * exported under their Itanium-ABI names so that LD_PRELOAD=libhakmem.so or
 * linking libhakmem.a makes C++ allocations skip libstdc++'s operator new
 * and its PLT call to malloc. Left out of libhakmem-api.a, like override.c.
 *
 * Written in C: the ABI types are plain values, std::size_t is size_t,
 * std::align_val_t an enum of size_t (passed like size_t) and
 * `const std::nothrow_t &` a pointer that is never read.
 *
 * Fast paths: new inlines malloc's (_hak_malloc_fast; the failure test is
 * off the path of a pop from the direct table: see new_plain), delete
 * inlines free's (_hak_free_fast); aligned new calls the same
 * _hak_malloc_aligned as aligned_alloc. The size given to sized delete is
 * not used: free finds the block's slab from its address with the one load
 * of the ownership map that also validates the pointer, and it never needs
 * the class, so the size could only replace work free does not do.
 *
 * Failure (cold, out of line): as the standard asks, operator new calls the
 * installed std::new_handler and retries while there is one; with none, the
 * throwing forms throw std::bad_alloc and the nothrow forms return NULL. The
 * handler and the throw come from the C++ runtime (libstdc++, or LLVM's
 * libc++/libc++abi), referenced weakly so that a C program that never links
 * a C++ runtime still loads libhakmem.so. Only C++ code calls these
 * operators, so the runtime is there whenever they run; should a throwing
 * form find no way to throw, it reports that and aborts.
 *
 * This file is compiled with -fexceptions (allocator/build.mk), so the
 * std::bad_alloc thrown from new_failed unwinds through these C frames.
 *
 * Limit: a weak reference does not pull a member out of a static archive, so
 * a program linked with libhakmem.a *and* a static libstdc++
 * (-static-libstdc++) has the handler and the throw only if it uses them
 * itself (any use of std::bad_alloc or std::set_new_handler, or of the
 * standard containers, does); otherwise a failing operator new aborts with
 * the message below instead of throwing. */
#include <stdlib.h>
#include "internal.h"

typedef void (*hak_new_handler_t)(void);

/* The C++ runtime, weakly: std::get_new_handler() (libstdc++ and libc++abi
 * both define it in namespace std), and the function each runtime uses to
 * throw std::bad_alloc: libstdc++'s std::__throw_bad_alloc() and libc++'s
 * std::__1::__throw_bad_alloc(). */
extern hak_new_handler_t _ZSt15get_new_handlerv(void) __attribute__((weak));
extern void _ZSt17__throw_bad_allocv(void) __attribute__((weak, noreturn));
extern void _ZNSt3__117__throw_bad_allocEv(void) __attribute__((weak, noreturn));

hak_cold static void throw_bad_alloc(void) {
  if (_ZSt17__throw_bad_allocv) _ZSt17__throw_bad_allocv();
  if (_ZNSt3__117__throw_bad_allocEv) _ZNSt3__117__throw_bad_allocEv();
  _hak_write_str(2, "hakmem: operator new: out of memory, and no C++ runtime "
                    "(std::__throw_bad_alloc) to throw std::bad_alloc: aborting\n");
  abort();
}

/* operator new failed for (size, align): call the new_handler and retry
 * while one is installed (it may free memory, install another handler,
 * uninstall itself, or throw); with none, throw std::bad_alloc, or return
 * NULL for the nothrow forms. align <= HAK_ALIGN means "no alignment". */
hak_cold static void *new_failed(size_t size, size_t align, int nothrow) {
  for (;;) {
    hak_new_handler_t handler = _ZSt15get_new_handlerv ? _ZSt15get_new_handlerv() : NULL;
    if (handler == NULL) {
      if (nothrow) return NULL;
      throw_bad_alloc();
    }
    handler();
    void *p = align <= HAK_ALIGN ? _hak_malloc_fast(size) : _hak_malloc_aligned(align, size);
    if (p != NULL) return p;
  }
}

/* Sizes above 1 KiB, and any size whose current slab is empty: malloc's
 * whole path, then the failure test. Out of line so that the test, which
 * must keep the size across malloc's slow-path call, costs the common case
 * nothing. */
hak_noinline static void *new_slow(size_t size, int nothrow) {
  void *p = _hak_malloc_fast(size);
  return hak_likely(p != NULL) ? p : new_failed(size, 0, nothrow);
}

/* The first step of _hak_malloc_fast (up to 1 KiB: pop the current slab of
 * the size's direct[] entry), which never fails; everything else is a tail
 * jump to new_slow. Same instructions as malloc's fast path. */
hak_inline void *new_plain(size_t size, int nothrow) {
  if (hak_likely(size <= HAK_TABLE_REQ_MAX)) {
    void *b = _hak_pop(_hak_tls_heap->direct[_hak_direct_index(size)]);
    if (hak_likely(b != NULL)) return b;
  }
  return new_slow(size, nothrow);
}

/* align is a power of two (std::align_val_t's precondition). */
hak_inline void *new_aligned(size_t size, size_t align, int nothrow) {
  void *p = _hak_malloc_aligned(align, size);
  return hak_likely(p != NULL) ? p : new_failed(size, align, nothrow);
}

#define HAK_DELETE(p) _hak_free_fast((p), "operator delete")

/* operator new / new[] (size_t), and their nothrow forms. */
hak_export void *_Znwm(size_t n) { return new_plain(n, 0); }
hak_export void *_Znam(size_t n) { return new_plain(n, 0); }
hak_export void *_ZnwmRKSt9nothrow_t(size_t n, const void *nt) { (void)nt; return new_plain(n, 1); }
hak_export void *_ZnamRKSt9nothrow_t(size_t n, const void *nt) { (void)nt; return new_plain(n, 1); }

/* operator new / new[] (size_t, std::align_val_t), and their nothrow forms. */
hak_export void *_ZnwmSt11align_val_t(size_t n, size_t al) { return new_aligned(n, al, 0); }
hak_export void *_ZnamSt11align_val_t(size_t n, size_t al) { return new_aligned(n, al, 0); }
hak_export void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt) {
  (void)nt; return new_aligned(n, al, 1);
}
hak_export void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt) {
  (void)nt; return new_aligned(n, al, 1);
}

/* operator delete / delete[] (void *), sized, nothrow. */
hak_export void _ZdlPv(void *p) { HAK_DELETE(p); }
hak_export void _ZdaPv(void *p) { HAK_DELETE(p); }
hak_export void _ZdlPvm(void *p, size_t n) { (void)n; HAK_DELETE(p); }
hak_export void _ZdaPvm(void *p, size_t n) { (void)n; HAK_DELETE(p); }
hak_export void _ZdlPvRKSt9nothrow_t(void *p, const void *nt) { (void)nt; HAK_DELETE(p); }
hak_export void _ZdaPvRKSt9nothrow_t(void *p, const void *nt) { (void)nt; HAK_DELETE(p); }

/* operator delete / delete[] with std::align_val_t: sized, nothrow. */
hak_export void _ZdlPvSt11align_val_t(void *p, size_t al) { (void)al; HAK_DELETE(p); }
hak_export void _ZdaPvSt11align_val_t(void *p, size_t al) { (void)al; HAK_DELETE(p); }
hak_export void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t al) { (void)n; (void)al; HAK_DELETE(p); }
hak_export void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t al) { (void)n; (void)al; HAK_DELETE(p); }
hak_export void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt) {
  (void)al; (void)nt; HAK_DELETE(p);
}
hak_export void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt) {
  (void)al; (void)nt; HAK_DELETE(p);
}
