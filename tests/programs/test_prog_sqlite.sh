#!/usr/bin/env bash
# sqlite3 (Debian package) runs a generated script of inserts, indexes,
# joins, updates, deletes and VACUUM on an on-disk database: identical
# output and exit status under hakmem and glibc, and the database passes
# PRAGMA integrity_check.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || die "sqlite3 missing (TEST_PACKAGES has it: run make test-deps)"
need_preload
rows=${SQLITE_ROWS:-40000}
tests/programs/gen_sql.sh "$rows" >"$TMP/script.sql"
echo "script: $(wc -l <"$TMP/script.sql") SQL lines, $rows orders"
same_output sqlite sh -c "sqlite3 db.sqlite <'$TMP/script.sql'"
tail -n 1 "$TMP/sqlite.hakmem.out" | grep -qx ok || die "integrity_check did not print ok"
ok "integrity_check: ok"
count programs_run 1
finish
