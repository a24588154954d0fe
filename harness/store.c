/* store.c: the results store: where it is, opening it (either backend), the
 * schema and its migrations, and recording a run. Everything here is SQL
 * that both SQLite and PostgreSQL accept; the backends only execute it. */
#include "store.h"
#include "util.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void hb_rows_free(hb_rows_t *rows)
{
  if (!rows || !rows->v) return;
  for (int i = 0; i < rows->nrows * rows->ncols; i++) free(rows->v[i]);
  free(rows->v);
  rows->v = NULL;
  rows->nrows = rows->ncols = 0;
}

/* ---- the schema: migration N brings a store from version N-1 to N ------ */

/* "@ID@" is the backend's auto-numbered primary key column. */
static const char *const migration_1[] = {
  "CREATE TABLE schema_version (version INTEGER NOT NULL)",
  "CREATE TABLE machines (id @ID@, key TEXT NOT NULL UNIQUE, host_hash TEXT, cpu_model TEXT,"
  " cores INTEGER, kernel TEXT)",
  "CREATE TABLE runs (id @ID@, machine_pk BIGINT NOT NULL REFERENCES machines (id), suite TEXT NOT NULL,"
  " git_commit TEXT, git_dirty INTEGER NOT NULL, date TEXT NOT NULL, command TEXT,"
  " complete INTEGER NOT NULL, source TEXT, UNIQUE (machine_pk, suite, date, git_commit))",
  "CREATE TABLE run_allocators (run_pk BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
  " name TEXT NOT NULL, path TEXT, package TEXT, version TEXT, available INTEGER NOT NULL,"
  " PRIMARY KEY (run_pk, name))",
  "CREATE TABLE cells (id @ID@, run_pk BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
  " cell_id TEXT NOT NULL, tbl TEXT, label TEXT, workload TEXT, args TEXT, threads INTEGER,"
  " metric TEXT NOT NULL, lower_better INTEGER NOT NULL, UNIQUE (run_pk, cell_id))",
  "CREATE TABLE samples (cell_pk BIGINT NOT NULL REFERENCES cells (id) ON DELETE CASCADE,"
  " alloc TEXT NOT NULL, rep INTEGER NOT NULL, status TEXT NOT NULL, value DOUBLE PRECISION,"
  " wall_s DOUBLE PRECISION, peak_rss_kb BIGINT, instr_n DOUBLE PRECISION, instr_2n DOUBLE PRECISION,"
  " PRIMARY KEY (cell_pk, alloc, rep))",
  "INSERT INTO schema_version (version) VALUES (1)",
  NULL
};
/* 2: the C library and build flags of a run; an index for the trend query. */
static const char *const migration_2[] = {
  "ALTER TABLE runs ADD COLUMN glibc TEXT",
  "ALTER TABLE runs ADD COLUMN build_flags TEXT",
  "CREATE INDEX runs_by_machine ON runs (machine_pk, suite, date)",
  "UPDATE schema_version SET version = 2",
  NULL
};
/* 3: a check cell's run keeps its classification and why, as results.json
 * has them (NULL for benchmark cells and for runs stored before). */
static const char *const migration_3[] = {
  "ALTER TABLE samples ADD COLUMN outcome TEXT",
  "ALTER TABLE samples ADD COLUMN detail TEXT",
  "UPDATE schema_version SET version = 3",
  NULL
};
static const char *const *const migrations[HB_STORE_SCHEMA_VERSION + 1] = { NULL, migration_1, migration_2, migration_3 };

/* ---- location and opening ---------------------------------------------- */

char *hb_store_location(const char *arg)
{
  if (arg && *arg) return hb_xstrdup(arg);
  const char *e = getenv(HB_STORE_ENV);
  if (e && *e) return hb_xstrdup(e);
  return hb_root_path(HB_STORE_DEFAULT);
}

static int is_pg_url(const char *s)
{
  return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

/* The URL without its password, for messages. */
static char *display_location(const char *loc)
{
  if (!is_pg_url(loc)) return hb_xstrdup(loc);
  const char *rest = strstr(loc, "://") + 3;
  const char *at = strchr(rest, '@'), *colon = strchr(rest, ':');
  if (!at || !colon || colon > at) return hb_xstrdup(loc);
  return hb_sprintf("%.*s:***%s", (int)(colon - loc), loc, at);
}

int hb_store_exec(hb_store_t *st, const char *sql, int nparams, const char *const *params, hb_rows_t *rows)
{
  char *err = NULL;
  if (rows) memset(rows, 0, sizeof *rows);
  if (st->be->exec(st->db, sql, nparams, params, rows, &err) == 0) return 0;
  hb_err("store %s: %s", st->where, err ? err : "unknown error");
  free(err);
  return -1;
}

static int exec0(hb_store_t *st, const char *sql) { return hb_store_exec(st, sql, 0, NULL, NULL); }

/* -1 error, 0 no schema_version table (fresh or foreign), else the version. */
static int read_version(hb_store_t *st, int *ntables)
{
  hb_rows_t rows;
  const char *sql = strcmp(st->be->name, "sqlite") == 0
    ? "SELECT name FROM sqlite_master WHERE type = 'table'"
    : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
  if (hb_store_exec(st, sql, 0, NULL, &rows) != 0) return -1;
  int has = 0;
  *ntables = rows.nrows;
  for (int i = 0; i < rows.nrows; i++)
    if (hb_row(&rows, i, 0) && strcmp(hb_row(&rows, i, 0), "schema_version") == 0) has = 1;
  hb_rows_free(&rows);
  if (!has) return 0;
  if (hb_store_exec(st, "SELECT max(version) FROM schema_version", 0, NULL, &rows) != 0) return -1;
  long v = 0;
  const char *s = rows.nrows == 1 ? hb_row(&rows, 0, 0) : NULL;
  int ok = s && hb_parse_long(s, 1, 1000000, &v);
  hb_rows_free(&rows);
  if (!ok) { hb_err("store %s: its schema_version table holds no valid version: not a hakbench store, or damaged", st->where); return -1; }
  return (int)v;
}

int hb_store_version(hb_store_t *st)
{
  int n;
  return read_version(st, &n);
}

static int migrate(hb_store_t *st, int to)
{
  if (exec0(st, "BEGIN") != 0) return -1;
  if (st->be->lock_sql && exec0(st, st->be->lock_sql) != 0) goto fail;
  int ntables, v = read_version(st, &ntables);  /* again, under the lock */
  if (v < 0) goto fail;
  if (v == 0 && ntables > 0) {
    hb_err("store %s: it has tables but no schema_version: not a hakbench store (refusing to touch it)", st->where);
    goto fail;
  }
  for (int n = v + 1; n <= to; n++) {
    for (const char *const *q = migrations[n]; *q; q++) {
      hb_buf_t b = {0};
      for (const char *p = *q; *p;) {
        const char *id = strstr(p, "@ID@");
        if (!id) { hb_buf_add(&b, p); break; }
        hb_buf_addn(&b, p, (size_t)(id - p));
        hb_buf_add(&b, st->be->id_column);
        p = id + 4;
      }
      int rc = exec0(st, b.s);
      hb_buf_free(&b);
      if (rc != 0) { hb_err("store %s: migration to schema version %d failed", st->where, n); goto fail; }
    }
    if (v > 0) fprintf(stderr, "hakbench: store %s: migrated to schema version %d\n", st->where, n);
  }
  if (exec0(st, "COMMIT") != 0) goto fail;
  return 0;
fail:
  exec0(st, "ROLLBACK");
  return -1;
}

hb_store_t *hb_store_open(const char *location, int to_version)
{
  if (to_version <= 0) to_version = HB_STORE_SCHEMA_VERSION;
  hb_store_t *st = hb_xmalloc(sizeof *st);
  memset(st, 0, sizeof *st);
  st->where = display_location(location);
  char *err = NULL;
  if (is_pg_url(location)) {
    st->be = &hb_store_pg_backend;
    st->db = hb_store_pg_open(location, &err);
  } else if (strstr(location, "://")) {
    hb_err("store '%s': unknown kind of URL (a file path, or postgresql://USER@HOST/DB)", st->where);
    goto fail;
  } else {
    st->be = &hb_store_sqlite_backend;
    char *slash = strrchr(location, '/');
    if (slash && slash != location) {
      char *dir = hb_xstrdup(location);
      dir[slash - location] = '\0';
      if (!hb_exists(dir) && hb_mkdirs(dir) != 0) { hb_err("store %s: cannot create its folder %s", st->where, dir); free(dir); goto fail; }
      free(dir);
    }
    st->db = hb_store_sqlite_open(location, &err);
  }
  if (!st->db) { hb_err("store %s: %s", st->where, err ? err : "cannot open"); free(err); goto fail; }
  int ntables, v = read_version(st, &ntables);
  if (v < 0) goto fail;
  if (v > HB_STORE_SCHEMA_VERSION) {
    hb_err("store %s has schema version %d, newer than this hakbench knows (%d): use a newer hakbench (refusing to read or write it)",
           st->where, v, HB_STORE_SCHEMA_VERSION);
    goto fail;
  }
  if (v < to_version && migrate(st, to_version) != 0) goto fail;
  return st;
fail:
  hb_store_close(st);
  return NULL;
}

void hb_store_close(hb_store_t *st)
{
  if (!st) return;
  if (st->db) st->be->close(st->db);
  free(st->where);
  free(st);
}

/* ---- machines ---------------------------------------------------------- */

static uint64_t fnv1a(const char *s, uint64_t h)
{
  for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
  return h;
}

const char *hb_machine_key(void)
{
  static char key[32];
  if (key[0]) return key;
  char *id = hb_capture("cat /etc/machine-id 2>/dev/null || cat /var/lib/dbus/machine-id 2>/dev/null");
  if (!id) {
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    id = hb_xstrdup(host);
  }
  snprintf(key, sizeof key, "m-%016llx", (unsigned long long)fnv1a(id, 14695981039346656037ULL));
  free(id);
  return key;
}

char *hb_machine_key_for(const hb_results_t *r)
{
  char *s = hb_sprintf("%s|%ld", r->ctx.cpu_model ? r->ctx.cpu_model : "?", r->ctx.cores);
  char *k = hb_sprintf("cpu-%016llx", (unsigned long long)fnv1a(s, 14695981039346656037ULL));
  free(s);
  return k;
}

/* ---- recording a run ---------------------------------------------------- */

static char *num(double v) { return v == v ? hb_sprintf("%.17g", v) : NULL; }
static char *lnum(long v) { return hb_sprintf("%ld", v); }

/* Run an INSERT ... RETURNING id (or a SELECT of one id): the id, or NULL. */
static char *one_value(hb_store_t *st, const char *sql, int n, const char *const *p)
{
  hb_rows_t rows;
  if (hb_store_exec(st, sql, n, p, &rows) != 0) return NULL;
  char *v = rows.nrows > 0 && hb_row(&rows, 0, 0) ? hb_xstrdup(hb_row(&rows, 0, 0)) : NULL;
  hb_rows_free(&rows);
  return v;
}

int hb_store_record(hb_store_t *st, const hb_results_t *r, const char *machine_key, const char *source)
{
  const hb_context_t *x = &r->ctx;
  const char *key = machine_key ? machine_key : hb_machine_key();
  long kill_after = -1;     /* test hook: die half-way through (tests/harness/test_store.sh) */
  const char *k = getenv("HAKBENCH_STORE_TEST_KILL_AFTER");
  if (k) hb_parse_long(k, 0, 1L << 30, &kill_after);
  char *mpk = NULL, *rpk = NULL, *cores = lnum(x->cores);
  int result = -1;
  if (exec0(st, "BEGIN") != 0) { free(cores); return -1; }
  {
    const char *p[] = { key };
    mpk = one_value(st, "SELECT id FROM machines WHERE key = $1", 1, p);
  }
  if (!mpk) {
    const char *host = machine_key ? NULL : key;
    const char *p[] = { key, host, x->cpu_model, cores, x->kernel };
    mpk = one_value(st, "INSERT INTO machines (key, host_hash, cpu_model, cores, kernel) VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, p);
    if (!mpk) goto fail;
  }
  {
    const char *date = x->date ? x->date : "unknown";
    const char *p[] = { mpk, r->suite, date, x->git_commit };
    char *dup = one_value(st, "SELECT id FROM runs WHERE machine_pk = $1 AND suite = $2 AND date = $3 AND git_commit = $4", 4, p);
    if (dup) { free(dup); result = 0; goto fail; }
    const char *q[] = { mpk, r->suite, x->git_commit, x->git_dirty ? "1" : "0", date, x->command,
                        r->complete ? "1" : "0", source, x->glibc, x->build_flags };
    rpk = one_value(st, "INSERT INTO runs (machine_pk, suite, git_commit, git_dirty, date, command, complete, source, glibc, build_flags)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id", 10, q);
    if (!rpk) goto fail;
  }
  for (int i = 0; i < r->nallocs; i++) {
    const hb_alloc_t *a = &r->allocs[i];
    const char *p[] = { rpk, a->name, a->path, a->package, a->version, a->available ? "1" : "0" };
    if (hb_store_exec(st, "INSERT INTO run_allocators (run_pk, name, path, package, version, available) VALUES ($1, $2, $3, $4, $5, $6)", 6, p, NULL) != 0)
      goto fail;
  }
  long nsamples = 0;
  for (int i = 0; i < r->ncells; i++) {
    const hb_cell_t *c = &r->cells[i];
    hb_buf_t args = {0};
    for (int j = 0; j < c->nargs; j++) { if (j) hb_buf_add(&args, " "); hb_buf_add_shell_word(&args, c->args[j]); }
    char *threads = lnum(c->threads);
    const char *p[] = { rpk, c->id, c->table, c->label, c->workload, args.s ? args.s : "", threads, c->metric,
                        c->lower_better ? "1" : "0" };
    char *cpk = one_value(st, "INSERT INTO cells (run_pk, cell_id, tbl, label, workload, args, threads, metric, lower_better)"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id", 9, p);
    hb_buf_free(&args);
    free(threads);
    if (!cpk) goto fail;
    for (int s = 0; s < c->nseries; s++) {
      const hb_series_t *se = &c->series[s];
      for (int j = 0; j < se->nruns; j++) {
        const hb_run_t *run = &se->runs[j];
        if (kill_after >= 0 && nsamples >= kill_after) raise(SIGKILL);
        char *rep = lnum(run->rep), *val = num(run->value), *wall = run->has_rusage ? num(run->wall_s) : NULL;
        char *rss = run->has_rusage ? lnum(run->peak_rss_kb) : NULL;
        char *i1 = run->has_instructions ? num(run->instructions[0]) : NULL;
        char *i2 = run->has_instructions ? num(run->instructions[1]) : NULL;
        const char *outcome = run->outcome != HB_OUT_NONE ? hb_outcome_name(run->outcome) : NULL;
        const char *q[] = { cpk, se->alloc, rep, hb_status_name(run->status), val, wall, rss, i1, i2,
                            outcome, outcome ? run->detail : NULL };
        int rc = hb_store_exec(st, "INSERT INTO samples (cell_pk, alloc, rep, status, value, wall_s, peak_rss_kb, instr_n, instr_2n,"
                                   " outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", 11, q, NULL);
        free(rep); free(val); free(wall); free(rss); free(i1); free(i2);
        if (rc != 0) { free(cpk); goto fail; }
        nsamples++;
      }
    }
    free(cpk);
  }
  if (exec0(st, "COMMIT") != 0) goto fail;
  free(mpk); free(rpk); free(cores);
  return 1;
fail:
  exec0(st, "ROLLBACK");
  free(mpk); free(rpk); free(cores);
  return result;
}
