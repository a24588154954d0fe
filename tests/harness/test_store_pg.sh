#!/usr/bin/env bash
# test_store_pg.sh: the results store on a real PostgreSQL server that this
# test starts itself (initdb + pg_ctl in a temporary folder, Unix socket
# only, no TCP), as an unprivileged user (initdb refuses root; CI runs as
# root: the server then runs as `nobody`), stopped at the end (trap). The same
# checks as SQLite (store_checks.sh), one fresh database each.
# Exits 77 (SKIP) when the PostgreSQL server binaries are not installed
# (Debian: postgresql; `make test` installs it).
. "$(dirname "$0")/../lib.sh"
need_hakbench
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ] || ! command -v psql >/dev/null; then
  echo "SKIP: PostgreSQL server not installed (apt-get install -y postgresql): PostgreSQL store tests NOT run"
  exit 77
fi
pgdir=$(mktemp -d /tmp/hakbench-pg.XXXXXX)
chmod 755 "$pgdir"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$pgdir"
  as_pg=(runuser -u nobody --)
fi
pguser=$("${as_pg[@]}" id -un)
stop() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$pgdir"
}
at_exit stop
if ! "${as_pg[@]}" "$bindir/initdb" -D "$pgdir/data" --auth=trust -U "$pguser" >"$TMP/initdb.log" 2>&1; then
  die "initdb failed: $(tail -n 3 "$TMP/initdb.log")"
fi
if ! "${as_pg[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -w -t 60 -l "$pgdir/server.log" \
     -o "-c listen_addresses='' -k $pgdir -c fsync=off" start >"$TMP/pg_ctl.log" 2>&1; then
  die "the server did not start: $(tail -n 5 "$pgdir/server.log" 2>/dev/null)"
fi
ok "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') started as $pguser on socket $pgdir"
dbn=0
new_store() {
  local db="hb_$(date +%s%N)_$RANDOM"
  psql -h "$pgdir" -U "$pguser" -d postgres -qAt -c "CREATE DATABASE $db" >/dev/null || echo "could not create $db" >&2
  echo "postgresql:///$db?host=$pgdir&user=$pguser"
}
sql() { psql "$1" -qAt -c "$2"; }
source "$(dirname "$0")/store_checks.sh"

expect_exit 2 "cannot connect" "a server that is not there" -- "$HB" history --store "postgresql:///nope?host=$TMP/nosocket&user=x"
S=$(new_store)
"$HB" history --store "$S" import results/phase7/results.json results/baseline/ci.json >/dev/null 2>&1
"$HB" history --store "$S" --cell rm100k/64 >"$TMP/pg.md" 2>&1
S2=$(mktemp -u "$TMP/XXXXXX.sqlite")
"$HB" history --store "$S2" import results/phase7/results.json results/baseline/ci.json >/dev/null 2>&1
"$HB" history --store "$S2" --cell rm100k/64 >"$TMP/sqlite.md" 2>&1
cmp -s "$TMP/pg.md" "$TMP/sqlite.md" && ok "the same trend report from PostgreSQL and SQLite" || fail "reports differ: $(diff "$TMP/pg.md" "$TMP/sqlite.md" | head -5)"
finish
