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
 *
 * A program that is not position-independent (Debian's /usr/bin/python3)
 * has a canonical PLT entry for malloc: the lookup lands in the program
 * itself, on an undefined symbol. Then the definition it binds to is the
 * first one in link-map order (the global search order: the program, the
 * preloads, then its libraries), found object by object. */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first object after the program, in link-map order, that defines
 * malloc itself; 1 with *info set, or 0. */
static int definition(Dl_info *info)
{
  struct link_map *map = NULL;
  void *self = dlopen(NULL, RTLD_LAZY);
  if (!self || dlinfo(self, RTLD_DI_LINKMAP, &map) != 0 || !map) return 0;
  for (struct link_map *l = map->l_next; l; l = l->l_next) {
    if (!l->l_name || !*l->l_name) continue;
    void *h = dlopen(l->l_name, RTLD_LAZY | RTLD_NOLOAD);
    if (!h) continue;
    void *fn = dlsym(h, "malloc");  /* this object's, or one of its dependencies' */
    const ElfW(Sym) *sym = NULL;
    int mine = fn && dladdr1(fn, info, (void **)&sym, RTLD_DL_SYMENT) && sym && sym->st_shndx != SHN_UNDEF &&
               info->dli_fname && strcmp(info->dli_fname, l->l_name) == 0;
    dlclose(h);
    if (mine) return 1;
  }
  return 0;
}

__attribute__((constructor)) static void hb_identify(void)
{
  const char *file = getenv("HB_IDENTIFY_FILE");
  if (!file || !*file) return;
  void *fn = dlsym(RTLD_DEFAULT, "malloc");
  Dl_info info;
  const ElfW(Sym) *sym = NULL;
  const char *lib = "unknown";
  int found = fn && dladdr1(fn, &info, (void **)&sym, RTLD_DL_SYMENT);
  if (found && sym && sym->st_shndx == SHN_UNDEF) found = definition(&info);
  if (found && info.dli_fname && *info.dli_fname) {
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
