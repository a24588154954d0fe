/* util.c: strings, errors, paths, small process and file helpers. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void *hb_xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p) { fputs("hakbench: out of memory\n", stderr); exit(1); }
  return p;
}

void *hb_xrealloc(void *p, size_t n)
{
  p = realloc(p, n ? n : 1);
  if (!p) { fputs("hakbench: out of memory\n", stderr); exit(1); }
  return p;
}

char *hb_xstrdup(const char *s)
{
  size_t n = strlen(s) + 1;
  return memcpy(hb_xmalloc(n), s, n);
}

void hb_buf_addn(hb_buf_t *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    b->s = hb_xrealloc(b->s, cap);
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void hb_buf_add(hb_buf_t *b, const char *s) { hb_buf_addn(b, s, strlen(s)); }

static void buf_vprintf(hb_buf_t *b, const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  char *tmp = hb_xmalloc((size_t)n + 1);
  vsnprintf(tmp, (size_t)n + 1, fmt, ap);
  hb_buf_addn(b, tmp, (size_t)n);
  free(tmp);
}

void hb_buf_printf(hb_buf_t *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *hb_sprintf(const char *fmt, ...)
{
  hb_buf_t b = {0};
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  if (!b.s) return hb_xstrdup("");
  return b.s;
}

void hb_buf_add_shell_word(hb_buf_t *b, const char *s)
{
  int plain = *s != '\0';
  for (const char *p = s; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+%@", *p)) {
      plain = 0;
      break;
    }
  if (plain) { hb_buf_add(b, s); return; }
  hb_buf_add(b, "'");
  for (const char *p = s; *p; p++) {
    if (*p == '\'') hb_buf_add(b, "'\\''");
    else hb_buf_addn(b, p, 1);
  }
  hb_buf_add(b, "'");
}

void hb_buf_free(hb_buf_t *b)
{
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

void hb_err(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("hakbench: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

const char *hb_root(void)
{
  static char root[PATH_MAX];
  if (root[0]) return root;
  const char *env = getenv("HAKMEM_ROOT");
  if (env && *env && realpath(env, root)) return root;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    /* build/hakbench: strip the file name and then the build folder. */
    for (int i = 0; i < 2; i++) {
      char *slash = strrchr(exe, '/');
      if (slash && slash != exe) *slash = '\0';
    }
    snprintf(root, sizeof root, "%s", exe);
  } else if (!getcwd(root, sizeof root)) {
    snprintf(root, sizeof root, ".");
  }
  return root;
}

char *hb_root_path(const char *rel)
{
  if (rel[0] == '/') return hb_xstrdup(rel);
  return hb_sprintf("%s/%s", hb_root(), rel);
}

char *hb_capture(const char *cmd)
{
  FILE *f = popen(cmd, "r");
  if (!f) return NULL;
  hb_buf_t b = {0};
  char tmp[512];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) hb_buf_addn(&b, tmp, n);
  int rc = pclose(f);
  if (rc != 0 || !b.s) { hb_buf_free(&b); return NULL; }
  while (b.len && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == '\r')) b.s[--b.len] = '\0';
  if (!b.len) { hb_buf_free(&b); return NULL; }
  return b.s;
}

int hb_parse_long(const char *s, long min, long max, long *out)
{
  if (!s || !*s) return 0;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < min || v > max) return 0;
  *out = v;
  return 1;
}

int hb_parse_double(const char *s, double min, double max, double *out)
{
  if (!s || !*s) return 0;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || !isfinite(v) || v < min || v > max) return 0;
  *out = v;
  return 1;
}

int hb_mkdirs(const char *path)
{
  char *p = hb_xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST) { free(p); return -1; }
    *s = '/';
  }
  int rc = mkdir(p, 0777);
  free(p);
  return rc == 0 || errno == EEXIST ? 0 : -1;
}

int hb_write_file_atomic(const char *path, const char *data, size_t len)
{
  char *tmp = hb_sprintf("%s.tmp.%d", path, (int)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) { free(tmp); return -1; }
  int ok = fwrite(data, 1, len, f) == len;
  ok &= fflush(f) == 0;
  ok &= fsync(fileno(f)) == 0;
  ok &= fclose(f) == 0;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    free(tmp);
    errno = e;
    return -1;
  }
  free(tmp);
  return 0;
}

int hb_exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

double hb_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void hb_fmt_count(char *buf, size_t n, const char *s)
{
  double v = s ? strtod(s, NULL) : 0;
  if (v >= 1e6 && fmod(v, 1e6) == 0) snprintf(buf, n, "%.0fM", v / 1e6);
  else if (v >= 1e3 && fmod(v, 1e3) == 0) snprintf(buf, n, "%.0fK", v / 1e3);
  else snprintf(buf, n, "%s", s ? s : "?");
}

double hb_cpu_busy_s(void)
{
  FILE *f = fopen("/proc/stat", "r");
  unsigned long long v[8] = {0};
  int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                     &v[6], &v[7]) : 0;
  if (f) fclose(f);
  if (n < 4) return NAN;
  long hz = sysconf(_SC_CLK_TCK);
  /* user nice system idle iowait irq softirq steal */
  unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  return (double)busy / (double)(hz > 0 ? hz : 100);
}

int hb_loadavg(double v[3])
{
  FILE *f = fopen("/proc/loadavg", "r");
  int n = f ? fscanf(f, "%lf %lf %lf", &v[0], &v[1], &v[2]) : 0;
  if (f) fclose(f);
  return n == 3 ? 0 : -1;
}
