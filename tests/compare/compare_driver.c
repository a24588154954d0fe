/* Temporary: hb_compare_main without the rest of hakbench. */
#include "compare.h"
int main(int argc, char **argv) { return hb_compare_main(argc - 1, argv + 1); }
