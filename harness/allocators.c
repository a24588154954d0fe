/* allocators.c: allocator lookup, availability and versions. */
#include "allocators.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIBDIR "/usr/lib/x86_64-linux-gnu/"

static const struct {
  const char *name, *path, *package;
} known[] = {
  { "hakmem",   NULL, NULL },                       /* build/libhakmem.so   */
  { "system",   NULL, "libc6" },                    /* no preload           */
  { "jemalloc", LIBDIR "libjemalloc.so.2", "libjemalloc2" },
  { "mimalloc", LIBDIR "libmimalloc.so.2", "libmimalloc2.0" },
  { "tcmalloc", LIBDIR "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4" },
};
#define NKNOWN (sizeof known / sizeof known[0])

const char *const hb_known_allocators[] = { "hakmem", "system", "jemalloc", "mimalloc", "tcmalloc", NULL };

static char *base_name(const char *p)
{
  const char *s = strrchr(p, '/');
  return hb_xstrdup(s ? s + 1 : p);
}

static char *dpkg_version(const char *pkg)
{
  char *cmd = hb_sprintf("dpkg-query -W -f='${Version}' %s 2>/dev/null", pkg);
  char *v = hb_capture(cmd);
  free(cmd);
  return v;
}

static void set_expect(hb_alloc_t *a)
{
  a->expect = base_name(a->path);
  char real[PATH_MAX];
  a->expect2 = realpath(a->path, real) ? base_name(real) : NULL;
}

void hb_allocator_lookup(const char *name, hb_alloc_t *a)
{
  memset(a, 0, sizeof *a);
  a->name = hb_xstrdup(name);
  if (strcmp(name, "system") == 0) {
    a->package = hb_xstrdup("libc6");
    a->version = dpkg_version("libc6");
    a->expect = hb_xstrdup("libc.so.6");
    a->available = 1;
    return;
  }
  if (strcmp(name, "hakmem") == 0) {
    a->path = hb_sprintf("%s/build/libhakmem.so", hb_root());
    a->available = access(a->path, R_OK) == 0;
    char *cmd = hb_sprintf("git -C '%s' rev-parse --short HEAD 2>/dev/null", hb_root());
    char *sha = hb_capture(cmd);
    a->version = sha ? hb_sprintf("git %s", sha) : NULL;
    free(sha);
    free(cmd);
    set_expect(a);
    return;
  }
  for (size_t i = 0; i < NKNOWN; i++) {
    if (strcmp(known[i].name, name) != 0) continue;
    a->path = hb_xstrdup(known[i].path);
    a->package = hb_xstrdup(known[i].package);
    a->available = access(a->path, R_OK) == 0;
    a->version = a->available ? dpkg_version(a->package) : NULL;
    set_expect(a);
    return;
  }
}

static int is_known(const char *name)
{
  for (size_t i = 0; i < NKNOWN; i++)
    if (strcmp(known[i].name, name) == 0) return 1;
  return 0;
}

/* dlopen the file in a child, so a library with a bad constructor (or one
 * that replaces malloc) cannot disturb hakbench itself. */
static int loadable(const char *path, char *why, size_t whylen)
{
  int fds[2];
  if (pipe(fds) != 0) { snprintf(why, whylen, "pipe: %s", strerror(errno)); return 0; }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char *e = dlerror();
      ssize_t w = write(fds[1], e, strlen(e));
      (void)w;
      _exit(1);
    }
    _exit(0);
  }
  close(fds[1]);
  if (pid < 0) { close(fds[0]); snprintf(why, whylen, "fork: %s", strerror(errno)); return 0; }
  ssize_t n = read(fds[0], why, whylen - 1);
  why[n > 0 ? n : 0] = '\0';
  close(fds[0]);
  int st;
  waitpid(pid, &st, 0);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 1;
  if (!why[0]) snprintf(why, whylen, "loading it failed (status %d)", st);
  return 0;
}

int hb_allocators_resolve(const char *list, hb_alloc_t **out, int *nout)
{
  hb_alloc_t *v = NULL;
  int n = 0;
  char *copy = hb_xstrdup(list && *list ? list : "hakmem,system,jemalloc,mimalloc,tcmalloc");
  for (char *save = NULL, *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
    hb_alloc_t a;
    char *eq = strchr(item, '=');
    if (eq) {
      *eq = '\0';
      const char *name = item, *path = eq + 1;
      if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(name)) {
        hb_err("bad allocator name '%s' in NAME=PATH (letters, digits, _ - . only)", name);
        goto fail;
      }
      struct stat st;
      if (stat(path, &st) != 0) { hb_err("allocator %s: %s: %s", name, path, strerror(errno)); goto fail; }
      if (!S_ISREG(st.st_mode)) { hb_err("allocator %s: %s is not a regular file", name, path); goto fail; }
      char why[512];
      if (!loadable(path, why, sizeof why)) {
        hb_err("allocator %s: %s is not a loadable shared library: %s", name, path, why);
        goto fail;
      }
      memset(&a, 0, sizeof a);
      a.name = hb_xstrdup(name);
      char real[PATH_MAX];
      a.path = hb_xstrdup(realpath(path, real) ? real : path);
      a.expect = base_name(path);
      a.expect2 = base_name(a.path);
      a.available = 1;
    } else {
      if (!is_known(item)) {
        hb_err("unknown allocator '%s' (known: hakmem system jemalloc mimalloc tcmalloc, or NAME=PATH)", item);
        goto fail;
      }
      hb_allocator_lookup(item, &a);
    }
    for (int i = 0; i < n; i++)
      if (strcmp(v[i].name, a.name) == 0) { hb_err("allocator '%s' given twice", a.name); goto fail; }
    v = hb_xrealloc(v, sizeof *v * (size_t)(n + 1));
    v[n++] = a;
  }
  free(copy);
  if (n == 0) { hb_err("no allocators given"); return -1; }
  *out = v;
  *nout = n;
  return 0;
fail:
  free(copy);
  return -1;
}
