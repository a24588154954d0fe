/* options.c: the HAKMEM_* environment variables, read once at start-up by
 * scanning environ directly (getenv is not used on an allocation path).
 *
 *   HAKMEM_VERBOSE=1         more detail in error reports
 *   HAKMEM_ABORT_ON_ERROR=1  abort() after reporting an invalid free
 *   HAKMEM_STATS=1           print statistics to stderr at exit
 *   HAKMEM_CHECK=1           validate every free (double frees, pointers
 *                            into the middle of blocks); slower
 */
#include <string.h>
#include "internal.h"

extern char **environ;

hak_options_t _hak_options;

static int flag_value(const char *v) { return v[0] != '\0' && !(v[0] == '0' && v[1] == '\0'); }

void _hak_options_read(void) {
  static const struct { const char *name; uint8_t *field; } table[] = {
    { "HAKMEM_VERBOSE=", &_hak_options.verbose },
    { "HAKMEM_ABORT_ON_ERROR=", &_hak_options.abort_on_error },
    { "HAKMEM_STATS=", &_hak_options.stats },
    { "HAKMEM_CHECK=", &_hak_options.check },
  };
  if (environ == NULL) return;
  for (char **e = environ; *e; e++) {
    if (strncmp(*e, "HAKMEM_", 7) != 0) continue;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
      size_t n = strlen(table[i].name);
      if (strncmp(*e, table[i].name, n) == 0) *table[i].field = (uint8_t)flag_value(*e + n);
    }
  }
}
