#!/usr/bin/env bash
# git creates a repository from a generated tree of 400 files, commits,
# modifies, commits again, repacks and fscks: identical commit and tree
# hashes (author, committer and dates fixed) and identical log under hakmem
# and glibc.
. "$(dirname "$0")/../lib.sh"
command -v git >/dev/null || die "git missing"
need_preload
cat >"$TMP/job.sh" <<'JOB'
set -e
export GIT_AUTHOR_NAME=hakmem GIT_AUTHOR_EMAIL=hakmem@example.invalid
export GIT_COMMITTER_NAME=hakmem GIT_COMMITTER_EMAIL=hakmem@example.invalid
export GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
export GIT_CONFIG_NOSYSTEM=1 HOME=$PWD
git init -q -b main repo
cd repo
for d in 0 1 2 3 4 5 6 7; do
  mkdir -p dir$d
  for f in $(seq 0 49); do seq $((d * 50 + f)) $((d * 50 + f + 300)) >dir$d/file$f.txt; done
done
git add -A
git commit -q -m "first: 400 generated files"
git rev-parse HEAD HEAD^{tree}
for f in dir3/*.txt; do echo changed >>"$f"; done
git rm -q -r dir5
git add -A
git commit -q -m "second: change dir3, remove dir5"
git rev-parse HEAD HEAD^{tree}
git gc -q --aggressive
git fsck --strict 2>&1
git log --stat --format='%H %s' | sha256sum
git count-objects -v | grep -E '^(count|in-pack|packs)'
JOB
same_output git bash "$TMP/job.sh"
[ "$(wc -l <"$TMP/git.hakmem.out")" -ge 5 ] || die "git job printed too little"
count programs_run 1
finish
