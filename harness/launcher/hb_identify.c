/* hb-identify.so: proves which library served a program's malloc.
 *
 * hakbench puts it last in LD_PRELOAD for program cells (after the
 * allocator under test). Its constructor resolves `malloc` the way the
 * program does (the first definition in the global search order) and
 * appends "PID LIBRARY\n" to the file named by HB_IDENTIFY_FILE, LIBRARY
 * being the base name of the object that defines it (dladdr), as the
 * workloads report it. Every process of the run that loads it writes one
 * line, so hakbench can check that all of them used the allocator asked
 * for; a static or setuid program writes none, and its run is INVALID.
 * No allocation here: it runs before the program's first malloc. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void hb_identify(void)
{
  const char *file = getenv("HB_IDENTIFY_FILE");
  if (!file || !*file) return;
  void *fn = dlsym(RTLD_DEFAULT, "malloc");
  Dl_info info;
  const char *lib = "unknown";
  if (fn && dladdr(fn, &info) && info.dli_fname && *info.dli_fname) {
    lib = strrchr(info.dli_fname, '/');
    lib = lib ? lib + 1 : info.dli_fname;
  }
  char line[512];
  int n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), lib);
  if (n <= 0 || n >= (int)sizeof line) return;
  int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t w = write(fd, line, (size_t)n); /* one write: lines of processes never interleave */
  (void)w;
  close(fd);
}
