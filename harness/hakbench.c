/* hakbench.c: entry point: dispatch to run, report, plot, compare, list. */
#include "hakbench.h"
#include "allocators.h"
#include "compare.h"
#include "suite.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char usage[] =
  "usage: hakbench COMMAND [options]   (hakbench COMMAND --help for each)\n"
  "  run SUITE       run a suite against every allocator -> results/SUITE/results.json\n"
  "  report DIR      render DIR/report.md from DIR/results.json\n"
  "  plot DIR        draw the charts of DIR/results.json (needs python3-matplotlib)\n"
  "  compare A B     compare two results.json files (baseline vs new)\n"
  "  list            allocators found and suites known\n"
  "  history         the results store: import, trends per cell, change points\n"
  "  bisect          find the commit where a cell regressed (git bisect run)\n";

static const char list_usage[] =
  "usage: hakbench list\n"
  "Print the allocators hakbench knows (with their library and whether it is\n"
  "installed) and the suites in harness/suites/.\n";

int hb_list_main(int argc, char **argv)
{
  static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
  int o;
  optind = 1;
  opterr = 0;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (o == 'h') { fputs(list_usage, stdout); return 0; }
    hb_err("list: unknown option '%s'", argv[optind - 1]);
    fputs(list_usage, stderr);
    return HB_EXIT_USAGE;
  }
  if (optind < argc) {
    hb_err("list: unexpected argument '%s'", argv[optind]);
    fputs(list_usage, stderr);
    return HB_EXIT_USAGE;
  }
  printf("allocators:\n");
  for (int i = 0; hb_known_allocators[i]; i++) {
    hb_alloc_t a;
    hb_allocator_lookup(hb_known_allocators[i], &a);
    printf("  %-9s %-8s %s%s%s%s\n", a.name, a.available ? "found" : "missing",
           a.path ? a.path : "(no preload: glibc malloc)", a.version ? "  " : "", a.version ? a.version : "",
           a.available ? "" : a.package ? hb_sprintf("  (apt-get install -y %s)", a.package) : "  (run `make`)");
  }
  printf("suites (harness/suites/):\n");
  char **names = hb_suite_list();
  for (char **n = names; *n; n++) {
    hb_suite_t s;
    if (hb_suite_load(*n, &s) == 0)
      printf("  %-9s %3d cells  %s\n", s.name, s.ncells, s.description ? s.description : "");
    else
      printf("  %-9s (has errors, see above)\n", *n);
  }
  return 0;
}

int main(int argc, char **argv)
{
  if (argc < 2) { fputs(usage, stderr); return HB_EXIT_USAGE; }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "run") == 0) return hb_run_main(argc - 1, argv + 1);
  if (strcmp(cmd, "report") == 0) return hb_report_main(argc - 1, argv + 1);
  if (strcmp(cmd, "plot") == 0) return hb_plot_main(argc - 1, argv + 1);
  if (strcmp(cmd, "compare") == 0) return hb_compare_main(argc - 1, argv + 1);
  if (strcmp(cmd, "list") == 0) return hb_list_main(argc - 1, argv + 1);
  if (strcmp(cmd, "history") == 0) return hb_history_main(argc - 1, argv + 1);
  if (strcmp(cmd, "bisect") == 0) return hb_bisect_main(argc - 1, argv + 1);
  hb_err("unknown command '%s'", cmd);
  fputs(usage, stderr);
  return HB_EXIT_USAGE;
}
