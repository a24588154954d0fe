#!/usr/bin/env bash
# fork where an allocator's fork handlers can deadlock:
#   atfork  another library's fork handlers, registered before hakmem's,
#           malloc and free while hakmem's prepare handler holds its locks;
#           under LD_PRELOAD and with libhakmem.a linked in
#   signal  fork() from a SIGUSR1 handler that interrupted fork() (glibc's
#           tst-mallocfork2 pattern), 2000 rounds: at c7c085b it hung in
#           every one of three runs
# A deadlock shows as a timeout (60 s each, far above the 1-3 s they take).
. "$(dirname "$0")/../lib.sh"
need "$TA/forkcases-libc" "$TA/forkcases-static" "$LIBHAKMEM"
# check NAME preload|static CMD...
check() {
  local name=$1 how=$2; shift 2
  local pre=()
  [ "$how" = preload ] && pre=(env LD_PRELOAD="$LIBHAKMEM")
  timeout -k 5 60 "${pre[@]}" "$@" >"$TMP/$name.log" 2>&1
  local rc=$?
  cat "$TMP/$name.log"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && die "$name: hung (killed after 60 s)"
  [ $rc -eq 0 ] || die "$name: exit $rc"
  no_hakmem_errors "$TMP/$name.log"
  echo "ok: $name"
}
check atfork-preload preload "$TA/forkcases-libc" atfork 200
if [ -z "${HAKTEST_PRELOAD:-}" ]; then
  nm "$TA/forkcases-static" | grep -q ' T malloc$' || die "forkcases-static does not define malloc (not linked with libhakmem.a)"
  check atfork-static static "$TA/forkcases-static" atfork 200
fi
check signal-preload preload "$TA/forkcases-libc" signal 2000
echo "PASS: fork with allocating atfork handlers and from a signal handler"
finish
