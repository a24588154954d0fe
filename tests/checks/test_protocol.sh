#!/usr/bin/env bash
# test_protocol.sh: the check programs' command line and output protocol,
# and classify.sh's rules (workloads/checks/README.md, "Classification").
#   - every program: --list, --help (exit 0), no argument / unknown scenario
#     (exit 2, message on stderr); 36 conformance checks, 114 misuse cells,
#     names unique
#   - the markers of a real run, in order, and nothing on stderr from the
#     program itself
#   - classify.sh on fake programs that print each protocol case: every
#     class and detail rule, including hang (a 1 s timeout) and invalid
#   - a whole glibc run: every cell classified, none error or invalid
. "$(dirname "$0")/../lib.sh"
need_checks

# ---- command line ----------------------------------------------------------
nconf=0; nmis=0
for p in "$CK"/conform_* "$CK"/misuse_*; do
  name=$(basename "$p")
  "$p" --list >"$TMP/list" 2>"$TMP/err" || fail "$name --list exited $?"
  [ -s "$TMP/list" ] || fail "$name --list printed nothing"
  [ "$(sort "$TMP/list" | uniq -d)" = "" ] || fail "$name: duplicate scenario names"
  n=$(wc -l <"$TMP/list")
  case $name in conform_*) nconf=$((nconf + n)) ;; *) nmis=$((nmis + n)) ;; esac
  "$p" --help >"$TMP/help" 2>&1 || fail "$name --help exited $?"
  grep -q '^usage:' "$TMP/help" || fail "$name --help shows no usage"
  "$p" >/dev/null 2>"$TMP/err"; rc=$?
  [ $rc -eq 2 ] && [ -s "$TMP/err" ] || fail "$name without arguments: exit $rc, stderr $(wc -c <"$TMP/err") bytes"
  "$p" no_such_scenario >"$TMP/out" 2>"$TMP/err"; rc=$?
  [ $rc -eq 2 ] && grep -q 'unknown scenario' "$TMP/err" || fail "$name no_such_scenario: exit $rc"
  [ -s "$TMP/out" ] && fail "$name no_such_scenario printed on stdout"
done
[ $nconf -eq 36 ] && ok "36 conformance checks" || fail "$nconf conformance checks, expected 36"
[ $nmis -eq 114 ] && ok "114 misuse cells" || fail "$nmis misuse cells, expected 114"

# ---- a real run's markers --------------------------------------------------
{ LIBC_FATAL_STDERR_=1 "$CK/misuse_free" free_unaligned:64 >"$TMP/out" 2>"$TMP/err"; } 2>/dev/null; rc=$?
# glibc: "free(): invalid pointer", abort in the misuse call.
[ $rc -eq 134 ] || fail "glibc: free(p + 1) exited $rc, expected SIGABRT (134)"
[ "$(cut -d' ' -f1 "$TMP/out" | tr '\n' ' ')" = "ALLOCATOR MISUSE " ] \
  || fail "markers of an abort in the call: $(tr '\n' '|' <"$TMP/out")"
grep -q 'free(): invalid pointer' "$TMP/err" || fail "glibc's report is not on stderr"
"$CK/misuse_uaf" uninit_read:64 >"$TMP/out" 2>"$TMP/err" || fail "uninit_read:64 exited $?"
[ "$(grep -v '^NOTE\|^DAMAGE' "$TMP/out" | cut -d' ' -f1 | tr '\n' ' ')" = "ALLOCATOR MISUSE RETURNED USE VERDICT " ] \
  || fail "markers of a run that goes on: $(tr '\n' '|' <"$TMP/out")"
[ -s "$TMP/err" ] && fail "the program wrote to stderr: $(head -c 200 "$TMP/err")"
"$CK/conform_sizes" free_errno >"$TMP/out" 2>"$TMP/err" || fail "free_errno exited $?"
[ "$(cut -d' ' -f1 "$TMP/out" | tr '\n' ' ')" = "ALLOCATOR CHECK RESULT " ] \
  || fail "markers of a conformance run: $(tr '\n' '|' <"$TMP/out")"
grep -q '^ALLOCATOR .*/libc\.so\.6$' "$TMP/out" || fail "ALLOCATOR does not name libc: $(head -n1 "$TMP/out")"
[ $FAILURES -eq 0 ] && ok "command line and markers"

# ---- classify.sh's rules on fake programs ----------------------------------
fake=$TMP/fake
rm -rf "$fake"; mkdir -p "$fake"
cat >"$fake/conform_fake" <<'SH'
#!/usr/bin/env bash
if [ "$1" = --list ]; then printf '%s\n' pass fail crash hang noresult wrongalloc nostart; exit 0; fi
[ "$1" = nostart ] && exit 0
[ "$1" = wrongalloc ] && echo "ALLOCATOR /opt/libother.so" || echo "ALLOCATOR /lib/x86_64-linux-gnu/libc.so.6"
echo "CHECK $1"
case $1 in
  pass|wrongalloc) echo "RESULT pass" ;;
  fail) echo "NOTE failed: x"; echo "RESULT fail: because of x"; exit 1 ;;
  crash) kill -SEGV $$ ;;
  hang) exec sleep 30 ;;
  noresult) exit 3 ;;
esac
SH
cat >"$fake/misuse_fake" <<'SH'
#!/usr/bin/env bash
s=$1
if [ "$s" = --list ]; then
  printf '%s\n' in_call after_return exit_before_use refused crashed reported silent \
    silent_reported nodamage hang noverdict; exit 0
fi
echo "ALLOCATOR /lib/x86_64-linux-gnu/libc.so.6"
echo "MISUSE $s"
case $s in
  in_call) echo "free(): double free detected" >&2; kill -ABRT $$ ;;
  refused) echo "REFUSED malloc returned NULL"; echo "VERDICT clean"; exit 0 ;;
  hang) exec sleep 30 ;;
esac
echo RETURNED
case $s in
  after_return) echo "corrupted size" >&2; kill -ABRT $$ ;;
  exit_before_use) exit 1 ;;
  noverdict) exit 0 ;;
esac
[ "$s" = silent ] || [ "$s" = silent_reported ] && echo "DAMAGE two live blocks overlap"
echo USE
case $s in
  crashed) kill -SEGV $$ ;;
  reported) echo "myalloc: free(): invalid pointer" >&2; echo "VERDICT clean" ;;
  silent) echo "VERDICT damage" ;;
  silent_reported) echo "myalloc: something" >&2; echo "VERDICT damage" ;;
  nodamage) echo "VERDICT clean" ;;
esac
exit 0
SH
chmod +x "$fake"/*
"$CLASSIFY" --bin "$fake" --tsv --timeout 1 glibc >"$TMP/fake.tsv" 2>"$TMP/fake.err"
want() {  # want CELL CLASS DETAIL-REGEX
  local line; line=$(awk -F'\t' -v c="$1" '$1 == c' "$TMP/fake.tsv")
  if [ "$(cut -f2 <<<"$line")" = "$2" ] && grep -Eq -- "$3" <<<"$(cut -f3 <<<"$line")"; then
    ok "rule: $1 -> $2"
  else
    fail "rule: $1: got '$(cut -f2- <<<"$line" | tr '\t' '|')', expected $2 matching /$3/"
  fi
}
want conform_fake/pass pass '^$'
want conform_fake/fail fail '^because of x$'
want conform_fake/crash crash 'SIGSEGV'
want conform_fake/hang hang 'timed out after 1s'
want conform_fake/noresult fail 'exit 3 without a RESULT line'
want conform_fake/wrongalloc invalid 'libother\.so'
want conform_fake/nostart error 'no CHECK line'
want misuse_fake/in_call stopped 'SIGABRT in the misuse call; stderr: free\(\): double free'
want misuse_fake/after_return stopped 'SIGABRT after the misuse returned'
want misuse_fake/exit_before_use stopped 'exit 1 after the misuse returned'
want misuse_fake/refused stopped 'refused: malloc returned NULL'
want misuse_fake/crashed crashed-elsewhere 'SIGSEGV while using the damage'
want misuse_fake/reported reported 'myalloc: free\(\): invalid pointer'
want misuse_fake/silent silent '^two live blocks overlap$'
want misuse_fake/silent_reported silent 'two live blocks overlap; reported: myalloc'
want misuse_fake/nodamage no-damage 'nothing reported'
want misuse_fake/hang hang 'timed out'
want misuse_fake/noverdict error 'without a VERDICT'
[ -s "$TMP/fake.err" ] && fail "classify.sh wrote to stderr: $(head -c 300 "$TMP/fake.err")"
# The markdown table and counts.
"$CLASSIFY" --bin "$fake" --timeout 1 --only 'fake/(pass|fail|in_call|silent)$' glibc >"$TMP/fake.md"
grep -q '^| conform_fake/fail | fail | because of x |$' "$TMP/fake.md" || fail "markdown row: $(cat "$TMP/fake.md")"
grep -q '^| misuse | silent | 1 |$' "$TMP/fake.md" && grep -q '^| conform | pass | 1 |$' "$TMP/fake.md" \
  || fail "markdown counts: $(cat "$TMP/fake.md")"
"$CLASSIFY" glibc extra >/dev/null 2>&1; [ $? -eq 2 ] || fail "classify.sh with two allocators did not exit 2"
"$CLASSIFY" /no/such/lib.so >/dev/null 2>&1; [ $? -eq 2 ] || fail "classify.sh with a missing library did not exit 2"

# ---- a whole glibc run -----------------------------------------------------
"$CLASSIFY" --tsv glibc >"$TMP/glibc.tsv" 2>"$TMP/glibc.err"
n=$(wc -l <"$TMP/glibc.tsv")
[ "$n" -eq 150 ] && ok "glibc: 150 cells classified" || fail "glibc: $n cells classified, expected 150"
bad=$(awk -F'\t' '$2 == "error" || $2 == "invalid" || $2 == ""' "$TMP/glibc.tsv")
[ -z "$bad" ] || fail "glibc cells not classified: $bad"
[ -s "$TMP/glibc.err" ] && fail "classify.sh wrote to stderr: $(head -c 300 "$TMP/glibc.err")"
finish_checks
