/* hakbench.h: the subcommands of build/hakbench (each gets argv[0] = its name). */
#ifndef HB_HAKBENCH_H
#define HB_HAKBENCH_H

int hb_run_main(int argc, char **argv);
int hb_report_main(int argc, char **argv);
int hb_plot_main(int argc, char **argv);
int hb_list_main(int argc, char **argv);
int hb_history_main(int argc, char **argv);   /* history.c */
int hb_bisect_main(int argc, char **argv);    /* bisect.c  */
/* Record a finished results file into the store (NULL: the default one);
 * 0, or -1 with a message printed (history.c). */
int hb_history_record_run(const char *results_path, const char *store);
/* Open (and migrate) the store now: 0, or -1 with a message printed. */
int hb_history_check_store(const char *store);

/* Render report.md (and, when summary_path is not NULL, the README
 * summary) from a results file (report.c); plots_dir: where the charts
 * are, NULL for the default. 0 or an exit status. */
int hb_render_report(const char *results_path, const char *report_path, const char *plots_dir,
                     const char *summary_path);
/* Default plot folder of a run folder: plots/<suite>/ when the run folder is
 * results/<suite>, else <run folder>/plots. Caller frees. */
char *hb_default_plots_dir(const char *run_dir, const char *suite);

#endif
