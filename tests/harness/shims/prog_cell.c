/* prog_cell: a tiny "real program" for the program-cell tests
 * (tests/harness/test_program_cells.sh). One mode per behaviour:
 *   prog_cell print N           N strings grown with realloc; prints their checksum
 *   prog_cell rate              prints "rate: 100 ops/s" and "rate: 400 ops/s"
 *   prog_cell segv              dies of SIGSEGV
 *   prog_cell sleep S           sleeps S seconds (a hang)
 *   prog_cell write FILE        writes the checksum of `print 500` to FILE
 *   prog_cell lines             counts the lines of stdin
 *   prog_cell server PORT       holds 24 MiB, serves "pong\n" to every connection on 127.0.0.1:PORT
 *   prog_cell server-fail PORT  says its configuration is broken and exits 1
 *   prog_cell client PORT N     N requests to the server; prints how many were served
 *   prog_cell client-sleep PORT S  one request, then sleeps S seconds */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* malloc's address taken, as Python's allocator table does: built without
 * PIE (prog_cell_nopie), the program then has a canonical PLT entry for
 * malloc, which is what a lookup of "malloc" finds first. */
void *(*const prog_cell_malloc)(size_t) = malloc;

/* Grows n strings with realloc (blocks past 4 KiB, so an allocator that
 * damages a block on realloc changes the checksum). */
static unsigned long checksum(int n)
{
  unsigned long h = 5381;
  for (int i = 0; i < n; i++) {
    size_t len = 0, cap = 16;
    char *s = prog_cell_malloc(cap);
    if (!s) exit(2);
    for (int k = 0; k < 600 + i % 64; k++) {
      int w = snprintf(NULL, 0, "%d,", k * i);
      if (len + (size_t)w + 1 > cap) {
        cap *= 2;
        char *t = realloc(s, cap);
        if (!t) exit(2);
        s = t;
      }
      snprintf(s + len, cap - len, "%d,", k * i);
      len += (size_t)w;
    }
    for (size_t k = 0; k < len; k++) h = h * 33 + (unsigned char)s[k];
    free(s);
  }
  return h;
}

static int listen_on(int port)
{
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 64) != 0) { perror("prog_cell: listen"); exit(1); }
  return s;
}

static int request(int port)
{
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons((uint16_t)port) };
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("prog_cell: connect"); exit(1); }
  char buf[16] = {0};
  ssize_t n = read(s, buf, sizeof buf - 1);
  close(s);
  return n == 5 && strcmp(buf, "pong\n") == 0;
}

int main(int argc, char **argv)
{
  const char *m = argc > 1 ? argv[1] : "";
  int a = argc > 2 ? atoi(argv[2]) : 0;
  if (!strcmp(m, "print")) printf("strings: %d\nchecksum: %lu\n", a, checksum(a));
  else if (!strcmp(m, "rate")) printf("rate: 100 ops/s\nrate: 400 ops/s\n");
  else if (!strcmp(m, "segv")) raise(SIGSEGV);
  else if (!strcmp(m, "sleep")) sleep((unsigned)a);
  else if (!strcmp(m, "write") && argc > 2) {
    FILE *f = fopen(argv[2], "w");
    if (!f) return 1;
    fprintf(f, "%lu\n", checksum(500));
    return fclose(f) != 0;
  } else if (!strcmp(m, "lines")) {
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) n++;
    printf("lines: %d\n", n);
  } else if (!strcmp(m, "server")) {
    /* 24 MiB written: the run's peak RSS shows it is the server's, not the
     * client's (about 1 MiB) */
    static volatile char *hold;
    hold = malloc(24 << 20);
    if (!hold) return 1;
    memset((char *)hold, 1, 24 << 20);
    int s = listen_on(a);
    for (;;) {
      int c = accept(s, NULL, NULL);
      if (c < 0) continue;
      char *reply = strdup("pong\n"); /* an allocation per request */
      ssize_t w = write(c, reply, 5);
      (void)w;
      free(reply);
      close(c);
    }
  } else if (!strcmp(m, "server-fail")) {
    fprintf(stderr, "prog_cell: configuration broken, not starting\n");
    return 1;
  } else if (!strcmp(m, "client") && argc > 3) {
    int n = atoi(argv[3]), ok = 0;
    for (int i = 0; i < n; i++) ok += request(a);
    printf("served: %d requests\n", ok);
    return ok == n ? 0 : 1;
  } else if (!strcmp(m, "client-sleep") && argc > 3) {
    request(a);
    sleep((unsigned)atoi(argv[3]));
  } else {
    fprintf(stderr, "usage: prog_cell print N | rate | segv | sleep S | write FILE | lines | server PORT | "
                    "server-fail PORT | client PORT N | client-sleep PORT S\n");
    return 2;
  }
  return 0;
}
