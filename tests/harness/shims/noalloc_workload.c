/* A "workload" that allocates nothing: its peak RSS is the smallest a run
 * can have. test_peak_rss.sh runs it under a hakbench holding 50 MiB. It
 * claims glibc served malloc, as the system allocator's runs must. */
#include <stdio.h>

int main(void)
{
  printf("{\"workload\": \"noalloc\", \"ops\": 1, \"seconds\": 0.001, \"ops_per_sec\": 1000, "
         "\"threads\": 1, \"allocator\": \"libc.so.6\"}\n");
  return 0;
}
