/* store_sqlite.c: the SQLite backend of the results store (store.h): a
 * local file, created on first use. */
#include "store.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *hb_store_sqlite_open(const char *path, char **err)
{
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    *err = hb_sprintf("cannot open: %s", db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return NULL;
  }
  sqlite3_busy_timeout(db, 30000);   /* another hakbench writing: wait */
  sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
  return db;
}

static int sqlite_exec(void *vdb, const char *sql, int nparams, const char *const *params, hb_rows_t *rows, char **err)
{
  sqlite3 *db = vdb;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    *err = hb_xstrdup(sqlite3_errmsg(db));
    return -1;
  }
  for (int i = 0; i < nparams; i++) {
    char name[16];
    snprintf(name, sizeof name, "$%d", i + 1);
    int idx = sqlite3_bind_parameter_index(st, name);
    if (idx == 0) continue;
    if (params[i]) sqlite3_bind_text(st, idx, params[i], -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, idx);
  }
  int ncols = sqlite3_column_count(st), cap = 0, rc;
  if (rows) rows->ncols = ncols;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (!rows) continue;
    if (rows->nrows == cap) {
      cap = cap ? cap * 2 : 16;
      rows->v = hb_xrealloc(rows->v, sizeof(char *) * (size_t)cap * (size_t)(ncols ? ncols : 1));
    }
    for (int c = 0; c < ncols; c++) {
      const unsigned char *t = sqlite3_column_text(st, c);
      rows->v[rows->nrows * ncols + c] = t ? hb_xstrdup((const char *)t) : NULL;
    }
    rows->nrows++;
  }
  if (rc != SQLITE_DONE) {
    *err = hb_xstrdup(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (rows) hb_rows_free(rows);
    return -1;
  }
  sqlite3_finalize(st);
  return 0;
}

static void sqlite_close(void *db) { sqlite3_close(db); }

const hb_store_backend_t hb_store_sqlite_backend = {
  .name = "sqlite", .id_column = "INTEGER PRIMARY KEY", .exec = sqlite_exec, .close = sqlite_close,
  .lock_sql = NULL,   /* BEGIN takes the write lock on the first write */
};
