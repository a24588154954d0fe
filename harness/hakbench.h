/* hakbench.h: the subcommands of build/hakbench (each gets argv[0] = its name). */
#ifndef HB_HAKBENCH_H
#define HB_HAKBENCH_H

int hb_run_main(int argc, char **argv);
int hb_report_main(int argc, char **argv);
int hb_plot_main(int argc, char **argv);
int hb_list_main(int argc, char **argv);

/* Render DIR/report.md from results.json (report.c); plots_rel is the plot
 * folder relative to the report, or NULL for the default. 0 or exit status. */
int hb_render_report(const char *results_path, const char *report_path, const char *plots_dir);
/* The same, also writing the README summary to summary_path when not NULL. */
int hb_render_report_summary(const char *results_path, const char *report_path, const char *plots_dir,
                             const char *summary_path);
/* Default plot folder of a run folder: plots/<suite>/ when the run folder is
 * results/<suite>, else <run folder>/plots. Caller frees. */
char *hb_default_plots_dir(const char *run_dir, const char *suite);

#endif
