/* store.h: the results store, a database of every run: SQLite (a local
 * file, the default) or PostgreSQL (a shared server). One schema for both,
 * versioned: schema_version holds the version, store.c's migrations bring an
 * older store up to date, and a store written by a newer hakbench is refused.
 *
 *   machines        one row per machine (key: hashed /etc/machine-id for live
 *                   runs, or given/derived on import)
 *   runs            suite, commit, dirty flag, date, command line, machine
 *   run_allocators  each allocator of a run with its library identity
 *   cells           each cell of a run (id, table, metric, arguments)
 *   samples         every repetition of every cell and allocator (check
 *                   cells: with its outcome and detail)
 *
 * The backends (store_sqlite.c, store_pg.c) only execute SQL with text
 * parameters ($1, $2, ...) and return rows of text. */
#ifndef HB_STORE_H
#define HB_STORE_H

#include "results.h"

#define HB_STORE_SCHEMA_VERSION 3
#define HB_STORE_DEFAULT "results/history.sqlite"   /* relative to the root */
#define HB_STORE_ENV     "HAKBENCH_STORE"

/* Rows of text; cell (r, c) is v[r * ncols + c], NULL for SQL NULL. */
typedef struct hb_rows_s {
  int    nrows, ncols;
  char **v;
} hb_rows_t;
void hb_rows_free(hb_rows_t *rows);
static inline const char *hb_row(const hb_rows_t *rows, int r, int c) { return rows->v[r * rows->ncols + c]; }

typedef struct hb_store_backend_s {
  const char *name;          /* "sqlite", "postgresql"                          */
  const char *id_column;     /* an auto-numbered primary key column type        */
  /* Run one statement; rows (may be NULL) receives its result. 0, or -1 with
   * *err set (caller frees). */
  int  (*exec)(void *db, const char *sql, int nparams, const char *const *params, hb_rows_t *rows, char **err);
  void (*close)(void *db);
  const char *lock_sql;      /* taken inside the migration transaction, or NULL */
} hb_store_backend_t;

typedef struct hb_store_s {
  const hb_store_backend_t *be;
  void *db;
  char *where;               /* the path or URL, for messages (password hidden) */
} hb_store_t;

/* Backends: open or return NULL with a message printed. */
void *hb_store_sqlite_open(const char *path, char **err);
void *hb_store_pg_open(const char *url, char **err);
extern const hb_store_backend_t hb_store_sqlite_backend, hb_store_pg_backend;

/* The store to use: `arg` (a path or a postgresql:// URL) when not NULL, else
 * $HAKBENCH_STORE, else HB_STORE_DEFAULT under the root. Caller frees. */
char *hb_store_location(const char *arg);
/* Open and migrate to HB_STORE_SCHEMA_VERSION (to_version: 0 for that, or an
 * older version, for tests). NULL with one clear line printed for a bad URL,
 * a corrupt or foreign file, a server that cannot be reached, or a store of
 * a newer schema. */
hb_store_t *hb_store_open(const char *location, int to_version);
void hb_store_close(hb_store_t *st);
/* The schema version of an open store. */
int  hb_store_version(hb_store_t *st);

/* Statement helpers: 0 or -1 (message printed). */
int  hb_store_exec(hb_store_t *st, const char *sql, int nparams, const char *const *params, hb_rows_t *rows);

/* This machine's key: "m-" and 16 hex digits of a hash of /etc/machine-id
 * (or the host name when there is none). Static storage. */
const char *hb_machine_key(void);
/* The key an imported file gets by default: "cpu-" and a hash of its CPU
 * model and core count. Caller frees. */
char *hb_machine_key_for(const hb_results_t *r);

/* Record a results file as one run, in one transaction. machine_key NULL:
 * this machine. Returns 1 recorded, 0 already there (same machine, suite,
 * date and commit), -1 error (nothing written; message printed). */
int  hb_store_record(hb_store_t *st, const hb_results_t *r, const char *machine_key, const char *source);

#endif
