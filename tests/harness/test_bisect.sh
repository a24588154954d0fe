#!/usr/bin/env bash
# test_bisect.sh: `hakbench bisect` on a small synthetic git repository of a
# shim allocator (malloc forwards to glibc) whose 4th of 7 commits adds work
# to every malloc. The cell is measured in instructions per op under
# cachegrind, so every verdict is exact: no assertion on elapsed time.
. "$(dirname "$0")/../lib.sh"
need_hakbench
command -v git >/dev/null || { echo "SKIP: git not installed"; exit 77; }
[ -x /usr/bin/valgrind ] || { echo "SKIP: valgrind not installed"; exit 77; }
R="$TMP/repo"
mkdir -p "$R"
cd "$R" || exit 1
git init -q . && git config user.email t@example.com && git config user.name test
cat >Makefile <<'MK'
build/libhakmem.so: shim.c work.h
	mkdir -p build && cc -O1 -fPIC -shared -o $@ shim.c
MK
cat >shim.c <<'C'
#include <stddef.h>
#include "work.h"
extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static volatile unsigned sink;
void *malloc(size_t n) { for (int i = 0; i < WORK; i++) sink += i; return __libc_malloc(n); }
void free(void *p) { __libc_free(p); }
void *calloc(size_t a, size_t b) { return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { return __libc_realloc(p, n); }
C
echo '#define WORK 0' >work.h
git add -A && git commit -qm "shim allocator"
for i in 1 2; do echo "note $i" >>README; git add -A; git commit -qm "docs $i"; done
echo '#define WORK 50 /* checks on every malloc */' >work.h
git commit -qam "malloc: extra checks"
culprit=$(git rev-parse HEAD)
for i in 3 4 5; do echo "note $i" >>README; git add -A; git commit -qm "docs $i"; done
cd "$HAKMEM_ROOT" || exit 1
cat >"$TMP/b.suite" <<'S'
cell cg table=t label="64 B" workload=random_mixed metric=instructions_per_op -- --min 64 --max 64 --iters 3000 --seed 1
S
good=$(git -C "$R" rev-list --max-parents=0 HEAD)
"$HB" bisect --repo "$R" --suite "$TMP/b.suite" --cell cg --good "$good" --bad HEAD --work "$TMP/work" >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out"
if [ $rc -eq 0 ] && grep -q "^first bad commit: $culprit" "$TMP/out"; then
  ok "bisect names the commit that slowed the shim: $(sed -n 2p "$TMP/out")"
else
  fail "bisect: exit $rc, $(head -3 "$TMP/out") $(tail -5 "$TMP/err")"
fi
[ "$(grep -c '^| [0-9a-f]\{12\} ' "$TMP/out")" -ge 3 ] && ok "the steps' measurements are reported" || fail "no step table"
[ -z "$(git -C "$R" worktree list | sed 1d)" ] && ok "worktrees removed" || fail "worktrees left: $(git -C "$R" worktree list)"
# nothing to bisect: bad is not worse than good
expect_exit 2 "nothing to bisect" "a bad commit that is not worse" -- "$HB" bisect --repo "$R" --suite "$TMP/b.suite" --cell cg --good "$good" --bad "$good~0" --work "$TMP/work2"
expect_exit 2 "is not a commit" "an unknown commit" -- "$HB" bisect --repo "$R" --suite "$TMP/b.suite" --cell cg --good nosuch --bad HEAD
expect_exit 2 "has no cell" "an unknown cell" -- "$HB" bisect --repo "$R" --suite "$TMP/b.suite" --cell nope --good "$good" --bad HEAD --work "$TMP/work3"
finish
