#!/usr/bin/env bash
# The libraries' symbol tables (nm):
#  - libhakmem.so and libhakmem.a define every libc name the issue lists;
#  - libhakmem-api.a defines the hak_ API and none of the libc names (so it can
#    be linked next to another malloc, e.g. under ThreadSanitizer);
#  - libhakmem.so imports nothing that can allocate or that the issue forbids
#    on allocation paths: no dlsym/dlopen, no getenv, no stdio printing.
. "$(dirname "$0")/lib.sh"
[ -n "${HAKTEST_PRELOAD:-}" ] && { echo "skip: HAKTEST_PRELOAD set, these are hakmem's libraries"; exit 77; }
command -v nm >/dev/null || { echo "nm (binutils) missing"; exit 77; }
need "$BUILD/libhakmem.so" "$BUILD/libhakmem.a" "$BUILD/libhakmem-api.a"
LIBC_NAMES="malloc free calloc realloc reallocarray posix_memalign aligned_alloc memalign valloc pvalloc
  malloc_usable_size __libc_malloc __libc_free __libc_calloc __libc_realloc __libc_memalign"
HAK_NAMES="hak_malloc hak_free hak_calloc hak_realloc hak_reallocarray hak_posix_memalign hak_aligned_alloc
  hak_memalign hak_valloc hak_pvalloc hak_malloc_usable_size hak_owns hak_stats_get hak_stats_print hak_collect"
FORBIDDEN="dlsym dlvsym dlopen dladdr getenv secure_getenv printf fprintf vfprintf dprintf vdprintf snprintf
  vsnprintf sprintf vsprintf puts fputs fwrite fopen fdopen strdup strndup asprintf vasprintf"

so_def=$(nm -D --defined-only "$BUILD/libhakmem.so" | awk 'NF >= 3 && $2 ~ /[TWi]/ {print $3}')
so_undef=$(nm -D --undefined-only "$BUILD/libhakmem.so" | awk '{print $NF}' | sed 's/@.*//')
a_def=$(nm --defined-only "$BUILD/libhakmem.a" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TWi]/ {print $3}')
api_def=$(nm --defined-only "$BUILD/libhakmem-api.a" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TWi]/ {print $3}')
has() { grep -qx "$1" <<<"$2"; }

bad=0
for s in $LIBC_NAMES; do
  has "$s" "$so_def" || { echo "FAIL: libhakmem.so does not export $s"; bad=1; }
  has "$s" "$a_def" || { echo "FAIL: libhakmem.a does not define $s"; bad=1; }
  has "$s" "$api_def" && { echo "FAIL: libhakmem-api.a defines the libc name $s"; bad=1; }
done
echo "checked: libhakmem.so and libhakmem.a define, libhakmem-api.a does not define:" $LIBC_NAMES
for s in $HAK_NAMES; do
  has "$s" "$api_def" || { echo "FAIL: libhakmem-api.a does not define $s"; bad=1; }
done
echo "checked: libhakmem-api.a defines:" $HAK_NAMES
for s in $FORBIDDEN; do
  has "$s" "$so_undef" && { echo "FAIL: libhakmem.so calls $s"; bad=1; }
done
echo "checked: libhakmem.so imports none of:" $FORBIDDEN
echo "libhakmem.so imports:" $so_undef
[ $bad -eq 0 ] || fail "symbol checks above"
echo "PASS: exported, hidden and imported symbols as the issue requires"
