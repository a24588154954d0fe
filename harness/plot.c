/* plot.c: `hakbench plot`: run harness/plot.py with a Python that has
 * matplotlib (the first python3 on PATH may not). */
#include "hakbench.h"
#include "results.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char plot_usage[] =
  "usage: hakbench plot DIR [--plots PLOTDIR]\n"
  "Draw the charts of DIR/results.json (or a results file) as PNG files in\n"
  "PLOTDIR (default plots/SUITE/ for results/SUITE, else DIR/plots/).\n"
  "Needs a python3 with matplotlib (apt-get install -y python3-matplotlib);\n"
  "exits 3 when there is none.\n";

char *hb_default_plots_dir(const char *run_dir, const char *suite)
{
  char real[PATH_MAX], want[PATH_MAX];
  char *std = hb_sprintf("%s/results/%s", hb_root(), suite);
  int is_std = realpath(run_dir, real) && realpath(std, want) && strcmp(real, want) == 0;
  free(std);
  if (is_std) return hb_sprintf("%s/plots/%s", hb_root(), suite);
  return hb_sprintf("%s/plots", run_dir);
}

/* A python that imports matplotlib, or NULL. */
static const char *find_python(void)
{
  static const char *cands[] = { "/usr/bin/python3", "python3", NULL };
  for (int i = 0; cands[i]; i++) {
    char *cmd = hb_sprintf("%s -c 'import matplotlib' >/dev/null 2>&1", cands[i]);
    int rc = system(cmd);
    free(cmd);
    if (rc == 0) return cands[i];
  }
  return NULL;
}

int hb_plot_main(int argc, char **argv)
{
  const char *dir = NULL, *plots = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { fputs(plot_usage, stdout); return 0; }
    if (strcmp(argv[i], "--plots") == 0 && i + 1 < argc) { plots = argv[++i]; continue; }
    if (argv[i][0] == '-' || dir) {
      hb_err("plot: unexpected argument '%s'", argv[i]);
      fputs(plot_usage, stderr);
      return HB_EXIT_USAGE;
    }
    dir = argv[i];
  }
  if (!dir) { hb_err("plot: which run folder?"); fputs(plot_usage, stderr); return HB_EXIT_USAGE; }
  char *path = hb_results_path(dir);
  json_t *r = hb_results_load(path, NULL);
  if (!r) return HB_EXIT_USAGE;
  char *run_dir = hb_xstrdup(path);
  char *slash = strrchr(run_dir, '/');
  if (slash) *slash = '\0'; else strcpy(run_dir, ".");
  char *out = plots ? hb_xstrdup(plots) : hb_default_plots_dir(run_dir, hb_jstr(r, "suite", ""));
  const char *py = find_python();
  if (!py) {
    hb_err("plot: charts not generated: no python3 with matplotlib (apt-get install -y python3-matplotlib)");
    return 3;
  }
  if (hb_mkdirs(out) != 0) { hb_err("plot: cannot create %s", out); return HB_EXIT_USAGE; }
  char *script = hb_sprintf("%s/harness/plot.py", hb_root());
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    execlp(py, py, script, path, out, (char *)NULL);
    _exit(127);
  }
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    hb_err("plot: %s %s failed", py, script);
    return 1;
  }
  fprintf(stderr, "hakbench: charts in %s\n", out);
  return 0;
}
