/* common.c: option parsing, error exits, the JSON result line, RSS and
 * allocator identification for the workload drivers. Nothing here runs
 * inside a measured loop (see common.h for what does). */
#include "common.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

const char *wl_name = "workload";

/* ---- usage and errors ---------------------------------------------------- */

static void format_default(struct wl_opt *o) {
  char *d = o->shown_default;
  size_t n = sizeof o->shown_default;
  if (o->optional) { snprintf(d, n, "not set"); return; }
  switch (o->kind) {
  case WL_OPT_U64: snprintf(d, n, "%llu", (unsigned long long)*(uint64_t *)o->value); break;
  case WL_OPT_F64: snprintf(d, n, "%g", *(double *)o->value); break;
  case WL_OPT_CHOICE: snprintf(d, n, "%s", o->choices[*(unsigned *)o->value]); break;
  }
}

static void print_usage(FILE *f, const struct wl_cmd *cmd) {
  fprintf(f, "usage: %s [--option value | --option=value]...\n", cmd->name);
  fprintf(f, "  %s\n  one op: %s\n  options:\n", cmd->summary, cmd->op);
  for (int i = 0; i < cmd->nopts; i++) {
    const struct wl_opt *o = &cmd->opts[i];
    char arg[64];
    if (o->kind == WL_OPT_CHOICE) {
      size_t n = 0;
      arg[0] = 0;
      for (int c = 0; o->choices[c]; c++)
        n += (size_t)snprintf(arg + n, sizeof arg - n, "%s%s", c ? "|" : "", o->choices[c]);
    } else {
      snprintf(arg, sizeof arg, "%s", o->kind == WL_OPT_U64 ? "N" : "S");
    }
    fprintf(f, "    --%-9s %-18s %s (default %s)\n", o->name, arg, o->help, o->shown_default);
  }
  fputs("    --help                       this text\n", f);
  fputs("  The last stdout line is one JSON object. Exit 0 ok, 2 bad arguments,\n"
        "  3 corrupted block detected (stderr has a CORRUPTION line).\n", f);
}

void wl_check_min_max(const struct wl_cmd *cmd, uint64_t min, uint64_t max) {
  if (min > max)
    wl_usage_error(cmd, "--min %llu is larger than --max %llu", (unsigned long long)min,
                   (unsigned long long)max);
}

void wl_usage_error(const struct wl_cmd *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", cmd->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  print_usage(stderr, cmd);
  exit(WL_EXIT_USAGE);
}

/* One write(2) per message, so lines from several threads do not mix, and
 * _exit, so a worker thread never runs atexit handlers under the others. */
static WL_NORETURN void vreport_exit(int code, const char *tag, const char *fmt, va_list ap) {
  char msg[768];
  int n = snprintf(msg, sizeof msg, "%s: %s", wl_name, tag);
  if (n < 0 || n >= (int)sizeof msg) n = 0;
  int m = vsnprintf(msg + n, sizeof msg - (size_t)n - 1, fmt, ap);
  if (m < 0) m = 0;
  n += m;
  if (n > (int)sizeof msg - 2) n = (int)sizeof msg - 2;
  msg[n++] = '\n';
  if (write(2, msg, (size_t)n) < 0) { /* nothing left to report to */ }
  _exit(code);
}

void wl_die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport_exit(WL_EXIT_ERROR, "", fmt, ap);
}

void wl_corruption_msg(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport_exit(WL_EXIT_CORRUPT, "CORRUPTION: ", fmt, ap);
}

void wl_oom(size_t size) {
  wl_die("malloc(%zu) returned NULL", size);
}

/* ---- parsing -------------------------------------------------------------- */

static int parse_u64(const char *s, uint64_t *out) {
  if (*s < '0' || *s > '9') return 0;      /* no sign, no space, not empty */
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return 0;
  *out = v;
  return 1;
}

static int parse_f64(const char *s, double *out) {
  if (!*s) return 0;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  if (errno || *end || !isfinite(v)) return 0;
  *out = v;
  return 1;
}

static void set_option(const struct wl_cmd *cmd, struct wl_opt *o, const char *val) {
  switch (o->kind) {
  case WL_OPT_U64: {
    uint64_t v;
    if (!parse_u64(val, &v))
      wl_usage_error(cmd, "--%s: '%s' is not a non-negative integer", o->name, val);
    if (v < o->ulo || v > o->uhi)
      wl_usage_error(cmd, "--%s: %llu is out of range [%llu, %llu]", o->name,
                     (unsigned long long)v, (unsigned long long)o->ulo,
                     (unsigned long long)o->uhi);
    *(uint64_t *)o->value = v;
    break;
  }
  case WL_OPT_F64: {
    double v;
    if (!parse_f64(val, &v))
      wl_usage_error(cmd, "--%s: '%s' is not a number", o->name, val);
    if (v < o->dlo || v > o->dhi)
      wl_usage_error(cmd, "--%s: %g is out of range [%g, %g]", o->name, v, o->dlo, o->dhi);
    *(double *)o->value = v;
    break;
  }
  case WL_OPT_CHOICE:
    for (unsigned c = 0; o->choices[c]; c++)
      if (strcmp(o->choices[c], val) == 0) { *(unsigned *)o->value = c; return; }
    wl_usage_error(cmd, "--%s: unknown value '%s'", o->name, val);
  }
}

void wl_parse(struct wl_cmd *cmd, int argc, char **argv) {
  wl_name = cmd->name;
  for (int k = 0; k < cmd->nopts; k++) format_default(&cmd->opts[k]);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      print_usage(stdout, cmd);
      exit(WL_EXIT_OK);
    }
    if (strncmp(a, "--", 2) != 0 || a[2] == 0)
      wl_usage_error(cmd, "unexpected argument '%s'", a);
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    struct wl_opt *o = NULL;
    for (int k = 0; k < cmd->nopts; k++)
      if (strlen(cmd->opts[k].name) == len && strncmp(cmd->opts[k].name, name, len) == 0)
        o = &cmd->opts[k];
    if (!o) wl_usage_error(cmd, "unknown option '%.*s'", (int)(len + 2), a);
    const char *val;
    if (eq) {
      val = eq + 1;
    } else {
      if (i + 1 >= argc) wl_usage_error(cmd, "--%s needs a value", o->name);
      val = argv[++i];
    }
    set_option(cmd, o, val);
    o->given = 1;
  }
}

const struct wl_opt *wl_opt_get(const struct wl_cmd *cmd, const char *name) {
  for (int k = 0; k < cmd->nopts; k++)
    if (strcmp(cmd->opts[k].name, name) == 0) return &cmd->opts[k];
  wl_die("internal error: no option '%s'", name);
}

/* ---- corruption report ---------------------------------------------------- */

static void hex(char *out, const unsigned char *b, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = 0;
}

void wl_corruption(const struct wl_block *b, const char *where) {
  /* Rebuild the expected bytes in a scratch copy of the block's ends. */
  unsigned char want[16] = {0}, got[16] = {0};
  uint32_t n = b->size, k = n < 8 ? n : 8;
  unsigned char scratch[32];
  const unsigned char *p = (const unsigned char *)b->p;
  uint64_t tag = wl_tag(b->p, b->size, b->salt);
  if (n <= 32) {
    memcpy(scratch, p, n);
    wl_fill(scratch, n, tag);
    memcpy(want, scratch, k);
    memcpy(want + 8, scratch + n - k, k);
  } else {
    uint64_t end = ~tag;
    memcpy(want, &tag, 8);
    memcpy(want + 8, &end, 8);
  }
  memcpy(got, p, k);
  memcpy(got + 8, p + n - k, k);
  char hw[2][17], hg[2][17];
  hex(hw[0], want, k); hex(hw[1], want + 8, k);
  hex(hg[0], got, k); hex(hg[1], got + 8, k);
  wl_corruption_msg("block %p of %u bytes (%s) changed before its free: first %u bytes %s, "
                    "expected %s; last %u bytes %s, expected %s",
                    b->p, n, where, k, hg[0], hw[0], k, hg[1], hw[1]);
}

void wl_big_corruption(const struct wl_big *b, size_t size, size_t off, const char *where) {
  uint64_t got, want = off + 8 >= size ? ~b->tag ^ (uint64_t)size
                                       : b->tag + (off / WL_BIG_PAGE) * WL_BIG_STEP;
  memcpy(&got, (const unsigned char *)b->p + off, 8);
  wl_corruption_msg("block %p of %zu bytes (%s) changed before its free: the 8 bytes at "
                    "offset %zu are %016llx, expected %016llx",
                    b->p, size, where, off, (unsigned long long)got, (unsigned long long)want);
}

/* ---- time, memory, environment -------------------------------------------- */

void wl_sleep(double seconds) {
  struct timespec ts;
  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

void *wl_mem(size_t bytes) {
  if (bytes == 0) bytes = 1;
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) wl_die("mmap of %zu bytes for the driver's own tables failed", bytes);
  return p;
}

void wl_mem_free(void *p, size_t bytes) {
  if (p) munmap(p, bytes ? bytes : 1);
}

long wl_peak_rss_kb(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return ru.ru_maxrss;
}

long wl_current_rss_kb(void) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  unsigned long size, resident;
  if (sscanf(buf, "%lu %lu", &size, &resident) != 2) return -1;
  return (long)(resident * (unsigned long)(sysconf(_SC_PAGESIZE) / 1024));
}

long wl_peak_vm_kb(void) {
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmPeak: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb;
}

const char *wl_allocator_name(void) {
  /* Through a volatile pointer the address is the one the dynamic linker
   * bound (the GOT entry of this PIE), i.e. the interposed malloc. */
  void *(*volatile fn)(size_t) = malloc;
  Dl_info info;
  if (!dladdr((void *)fn, &info) || !info.dli_fname || !*info.dli_fname) return "unknown";
  const char *slash = strrchr(info.dli_fname, '/');
  return slash ? slash + 1 : info.dli_fname;
}

/* ---- JSON ----------------------------------------------------------------- */

static int json_first;

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void json_key(const char *key) {
  if (!json_first) putchar(',');
  json_first = 0;
  json_string(key);
  putchar(':');
}

static void json_number(double v) {
  if (isfinite(v)) printf("%.9g", v);
  else fputs("null", stdout);
}

void wl_json_begin(const struct wl_cmd *cmd) {
  json_first = 1;
  putchar('{');
  wl_json_str("workload", cmd->name);
}

void wl_json_params(const struct wl_cmd *cmd) {
  for (int i = 0; i < cmd->nopts; i++) {
    const struct wl_opt *o = &cmd->opts[i];
    json_key(o->json_key ? o->json_key : o->name);
    if (o->optional && !o->given) { fputs("null", stdout); continue; }
    switch (o->kind) {
    case WL_OPT_U64: printf("%llu", (unsigned long long)*(uint64_t *)o->value); break;
    case WL_OPT_F64: json_number(*(double *)o->value); break;
    case WL_OPT_CHOICE: json_string(o->choices[*(unsigned *)o->value]); break;
    }
  }
}

void wl_json_u64(const char *key, uint64_t v) {
  json_key(key);
  printf("%llu", (unsigned long long)v);
}

void wl_json_f64(const char *key, double v) {
  json_key(key);
  json_number(v);
}

void wl_json_str(const char *key, const char *v) {
  json_key(key);
  json_string(v);
}

void wl_json_f64_array(const char *key, const double *v, size_t n) {
  json_key(key);
  putchar('[');
  for (size_t i = 0; i < n; i++) {
    if (i) putchar(',');
    json_number(v[i]);
  }
  putchar(']');
}

void wl_json_i64_array(const char *key, const long *v, size_t n) {
  json_key(key);
  putchar('[');
  for (size_t i = 0; i < n; i++) printf("%s%ld", i ? "," : "", v[i]);
  putchar(']');
}

void wl_json_end(const struct wl_cmd *cmd, uint64_t ops, double seconds, uint64_t threads) {
  wl_json_u64("ops", ops);
  wl_json_f64("seconds", seconds);
  wl_json_f64("ops_per_sec", seconds > 0 ? (double)ops / seconds : NAN);
  int has_threads = 0;
  for (int i = 0; i < cmd->nopts; i++)
    if (strcmp(cmd->opts[i].name, "threads") == 0) has_threads = 1;
  if (!has_threads) wl_json_u64("threads", threads);
  json_key("peak_rss_kb");
  printf("%ld", wl_peak_rss_kb());
  wl_json_str("allocator", wl_allocator_name());
  fputs("}\n", stdout);
  if (fflush(stdout) != 0) wl_die("writing the result line failed");
}

/* ---- statistics ------------------------------------------------------------ */

double wl_mean(const double *v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += v[i];
  return n ? s / (double)n : 0;
}

double wl_cv(const double *v, size_t n) {
  if (n < 2) return 0;
  double m = wl_mean(v, n), ss = 0;
  for (size_t i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
  return m > 0 ? sqrt(ss / (double)(n - 1)) / m : 0;
}
