#!/usr/bin/env bash
# The libraries' symbol tables (nm):
#  - libhakmem.so and libhakmem.a define every libc name the issue lists and
#    the 20 C++ operators jemalloc and tcmalloc export;
#  - libhakmem-api.a defines the hak_ API and none of those names (so it can
#    be linked next to another malloc, e.g. under ThreadSanitizer);
#  - libhakmem.so imports nothing that can allocate or that the issue forbids
#    on allocation paths: no dlsym/dlopen, no getenv, no stdio printing;
#  - its references to the C++ runtime are weak and it needs no C++ library
#    (a C program still loads it: test_cxx_preload.sh runs one).
. "$(dirname "$0")/../lib.sh"
[ -n "${HAKTEST_PRELOAD:-}" ] && { echo "skip: HAKTEST_PRELOAD set, these are hakmem's libraries"; exit 77; }
command -v nm >/dev/null || { echo "nm (binutils) missing"; exit 77; }
need "$BUILD/libhakmem.so" "$BUILD/libhakmem.a" "$BUILD/libhakmem-api.a"
LIBC_NAMES="malloc free calloc realloc reallocarray posix_memalign aligned_alloc memalign valloc pvalloc
  malloc_usable_size __libc_malloc __libc_free __libc_calloc __libc_realloc __libc_memalign"
# operator new/new[] (plain, nothrow, aligned, aligned nothrow), delete/delete[]
# (plain, sized, nothrow, aligned, aligned sized, aligned nothrow).
CXX_NAMES="_Znwm _Znam _ZnwmRKSt9nothrow_t _ZnamRKSt9nothrow_t _ZnwmSt11align_val_t _ZnamSt11align_val_t
  _ZnwmSt11align_val_tRKSt9nothrow_t _ZnamSt11align_val_tRKSt9nothrow_t
  _ZdlPv _ZdaPv _ZdlPvm _ZdaPvm _ZdlPvRKSt9nothrow_t _ZdaPvRKSt9nothrow_t
  _ZdlPvSt11align_val_t _ZdaPvSt11align_val_t _ZdlPvmSt11align_val_t _ZdaPvmSt11align_val_t
  _ZdlPvSt11align_val_tRKSt9nothrow_t _ZdaPvSt11align_val_tRKSt9nothrow_t"
HAK_NAMES="hak_malloc hak_free hak_calloc hak_realloc hak_reallocarray hak_posix_memalign hak_aligned_alloc
  hak_memalign hak_valloc hak_pvalloc hak_malloc_usable_size hak_owns hak_stats_get hak_stats_print hak_collect"
FORBIDDEN="dlsym dlvsym dlopen dladdr getenv secure_getenv printf fprintf vfprintf dprintf vdprintf snprintf
  vsnprintf sprintf vsprintf puts fputs fwrite fopen fdopen strdup strndup asprintf vasprintf"

so_def=$(nm -D --defined-only "$BUILD/libhakmem.so" | awk 'NF >= 3 && $2 ~ /[TWi]/ {print $3}')
so_undef=$(nm -D --undefined-only "$BUILD/libhakmem.so" | awk '{print $NF}' | sed 's/@.*//')
a_def=$(nm --defined-only "$BUILD/libhakmem.a" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TWi]/ {print $3}')
api_def=$(nm --defined-only "$BUILD/libhakmem-api.a" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TWi]/ {print $3}')
has() { grep -qx "$1" <<<"$2"; }

for s in $LIBC_NAMES $CXX_NAMES; do
  has "$s" "$so_def" || fail "libhakmem.so does not export $s"
  has "$s" "$a_def" || fail "libhakmem.a does not define $s"
  has "$s" "$api_def" && fail "libhakmem-api.a defines the libc name $s"
done
echo "checked: libhakmem.so and libhakmem.a define, libhakmem-api.a does not define:" $LIBC_NAMES $CXX_NAMES
for s in $HAK_NAMES; do
  has "$s" "$api_def" || fail "libhakmem-api.a does not define $s"
done
echo "checked: libhakmem-api.a defines:" $HAK_NAMES
for s in $FORBIDDEN; do
  has "$s" "$so_undef" && fail "libhakmem.so calls $s"
done
echo "checked: libhakmem.so imports none of:" $FORBIDDEN
# C++ runtime references (mangled _Z names): weak only, and no C++ library needed.
cxx_strong=$(nm -D --undefined-only "$BUILD/libhakmem.so" | awk '$1 != "w" && $NF ~ /^_Z/ {print $NF}')
[ -z "$cxx_strong" ] || fail "libhakmem.so needs C++ runtime symbols (not weak):" $cxx_strong
a_cxx_strong=$(nm --undefined-only "$BUILD/libhakmem.a" 2>/dev/null | awk '$1 == "U" && $2 ~ /^_Z/ {print $2}')
[ -z "$a_cxx_strong" ] || fail "libhakmem.a needs C++ runtime symbols (not weak):" $a_cxx_strong
echo "checked: references to the C++ runtime are weak:" $(nm -D --undefined-only "$BUILD/libhakmem.so" | awk '$NF ~ /^_Z/ {print $NF}')
if command -v readelf >/dev/null; then
  needed=$(readelf -d "$BUILD/libhakmem.so" | awk '/NEEDED/ {print $NF}' | tr -d '[]')
  grep -q 'c++' <<<"$needed" && fail "libhakmem.so needs a C++ library:" $needed
  echo "checked: libhakmem.so needs only:" $needed
fi
echo "libhakmem.so imports:" $so_undef
echo "checked: exported, hidden and imported symbols"
finish
