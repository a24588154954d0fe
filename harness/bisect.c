/* bisect.c: placeholder until the bisect lands. */
#include "hakbench.h"
#include "util.h"
int hb_bisect_main(int argc, char **argv) { (void)argc; (void)argv; hb_err("bisect: not built yet"); return HB_EXIT_USAGE; }
