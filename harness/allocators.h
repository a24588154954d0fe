/* allocators.h: which malloc each run preloads. */
#ifndef HB_ALLOCATORS_H
#define HB_ALLOCATORS_H

typedef struct hb_alloc_s {
  char *name;      /* "hakmem", "system", "jemalloc", ... or a user NAME     */
  char *path;      /* absolute library path; NULL for system (no preload)   */
  char *package;   /* Debian package that provides it, or NULL              */
  char *version;   /* package version, "git <sha>" for hakmem, or NULL      */
  char *expect;    /* the workload's "allocator" field when it is in charge */
  char *expect2;   /* also accepted: basename of the resolved path          */
  int   available;
} hb_alloc_t;

/* The allocators hakbench knows, in report order. */
extern const char *const hb_known_allocators[];

/* Resolve a comma-separated list ("hakmem,system,x=/path/libx.so"); NULL or
 * "" means all known. Unknown names and NAME=PATH that is missing or not a
 * loadable shared library are errors (message printed, returns -1). Known
 * allocators that are not installed come back with available = 0. */
int hb_allocators_resolve(const char *list, hb_alloc_t **out, int *n);
/* Fill in a resolved allocator (used by resolve and by `list`). */
void hb_allocator_lookup(const char *name, hb_alloc_t *a);

#endif
