/* store_pg.c: the PostgreSQL backend of the results store (store.h): a
 * shared server, chosen with a postgresql:// URL (libpq's connection URI). */
#include "store.h"
#include "util.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *hb_store_pg_open(const char *url, char **err)
{
  char *perr = NULL;
  PQconninfoOption *opts = PQconninfoParse(url, &perr);
  if (!opts) {
    *err = hb_sprintf("bad PostgreSQL URL: %s", perr ? perr : "cannot parse it");
    if (perr) { char *nl = strchr(*err, '\n'); if (nl) *nl = '\0'; PQfreemem(perr); }
    return NULL;
  }
  PQconninfoFree(opts);
  PGconn *c = PQconnectdb(url);
  if (PQstatus(c) != CONNECTION_OK) {
    *err = hb_sprintf("cannot connect: %s", PQerrorMessage(c));
    char *nl = strchr(*err, '\n');
    if (nl) *nl = '\0';
    PQfinish(c);
    return NULL;
  }
  PGresult *r = PQexec(c, "SET client_min_messages = warning");
  PQclear(r);
  return c;
}

static int pg_exec(void *db, const char *sql, int nparams, const char *const *params, hb_rows_t *rows, char **err)
{
  PGconn *c = db;
  PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
  ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    *err = hb_xstrdup(PQresultErrorMessage(r));
    char *nl = strchr(*err, '\n');
    if (nl) *nl = '\0';
    PQclear(r);
    return -1;
  }
  if (rows && s == PGRES_TUPLES_OK) {
    rows->nrows = PQntuples(r);
    rows->ncols = PQnfields(r);
    rows->v = hb_xmalloc(sizeof(char *) * (size_t)(rows->nrows * rows->ncols + 1));
    for (int i = 0; i < rows->nrows; i++)
      for (int j = 0; j < rows->ncols; j++)
        rows->v[i * rows->ncols + j] = PQgetisnull(r, i, j) ? NULL : hb_xstrdup(PQgetvalue(r, i, j));
  }
  PQclear(r);
  return 0;
}

static void pg_close(void *db) { PQfinish(db); }

const hb_store_backend_t hb_store_pg_backend = {
  .name = "postgresql", .id_column = "BIGSERIAL PRIMARY KEY", .exec = pg_exec, .close = pg_close,
  /* two CI machines migrating one server at once: the second waits */
  .lock_sql = "SELECT pg_advisory_xact_lock(4242017)",
};
