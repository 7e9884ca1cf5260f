/*
 * call-load: drives CreateUser or GetUser over HTTP/2 from native code, for the figures beside
 * pgbench's. h2load replays one request body, so every create after the first would carry a taken
 * email and every lookup would read the same row; this sends a new email on every create and the
 * next id of a file on every lookup.
 *
 *   call-load create <host> <port> <connections> <warm-up seconds> <seconds> <email prefix> [password]
 *   call-load get <host> <port> <connections> <warm-up seconds> <seconds> <ids file> <authorization>
 *
 * create: with a password, every user is created with it (the service hashes each one).
 * get: looks up the ids of the file (one a line), with the authorization header value given;
 * connection i starts at the i-th of as many equal parts of the file and goes on in its order,
 * from its start again after its end.
 *
 * Each connection runs on a thread of its own with one call in flight (a closed loop, as a
 * pgbench client). A call counts as a success only when its answer carries a message and ends
 * with grpc-status 0. Prints one line:
 *   rate=<calls/s> p50_ms=... p99_ms=... succeeded=<n> failed=<n>
 * over the measured seconds (the warm-up's calls are not counted).
 *
 * Build (grpc-call.h beside it): cc -O2 -pthread -o call-load call-load.c -lnghttp2
 */
#include <pthread.h>
#include <time.h>

#include "grpc-call.h"

#define CREATE_PATH "/user.v1.UserService/CreateUser"
#define GET_PATH "/user.v1.UserService/GetUser"
#define MAX_ID 64 /* an id's characters at most */
#define MAX_MICROS 1000000 /* latencies at or above 1 s are counted in the last bucket */

static const char *host, *port, *prefix, *password, *authorization;
static char (*ids)[MAX_ID + 1]; /* get: the ids to look up */
static long id_count;
static int connection_count;
static double warmup_s, measure_s;

struct connection {
  struct grpc_call call; /* first: the session's user data */
  int id;
  int got_message;
  uint32_t *histogram; /* microseconds -> calls */
  long succeeded, failed;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* the request: CreateUserRequest{email, name, password if given} */
static void build_create(struct connection *c, long serial) {
  char email[160];
  snprintf(email, sizeof email, "%s-%d-%ld@example.com", prefix, c->id, serial);
  uint8_t *message = c->call.body + 5;
  size_t n = put_string(message, 1, email);
  n += put_string(message + n, 2, "Created by call-load");
  if (password != NULL) n += put_string(message + n, 3, password);
  frame_message(&c->call, n);
}

/* the request: GetUserRequest{user_id}, the connection's serial-th id from its part of the file */
static void build_get(struct connection *c, long serial) {
  long at = (id_count * c->id / connection_count + serial) % id_count;
  frame_message(&c->call, put_string(c->call.body + 5, 1, ids[at]));
}

/* reads the ids of a file, one a line, into ids */
static void read_ids(const char *path) {
  FILE *file = fopen(path, "r");
  if (file == NULL) die("cannot open the ids file");
  long capacity = 1024;
  ids = malloc((size_t)capacity * sizeof *ids);
  char line[256];
  while (ids != NULL && fgets(line, sizeof line, file) != NULL) {
    line[strcspn(line, "\r\n")] = 0;
    if (line[0] == 0) continue;
    if (strlen(line) > MAX_ID) die("an id in the ids file is too long");
    if (id_count == capacity) ids = realloc(ids, (size_t)(capacity *= 2) * sizeof *ids);
    if (ids != NULL) strcpy(ids[id_count++], line);
  }
  fclose(file);
  if (ids == NULL) die("out of memory");
  if (id_count == 0) die("the ids file holds no id");
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream, const uint8_t *data, size_t len, void *user) {
  (void)s; (void)flags; (void)stream; (void)data;
  if (len > 0) ((struct connection *)user)->got_message = 1;
  return 0;
}

static void *drive(void *arg) {
  struct connection *c = arg;
  grpc_connect(&c->call, host, port, on_data);
  nghttp2_submit_settings(c->call.session, NGHTTP2_FLAG_NONE, NULL, 0);
  char authority[300];
  snprintf(authority, sizeof authority, "%s:%s", host, port);
  uint8_t buf[16384];

  double start = now_s(), measure_from = start + warmup_s, end = measure_from + measure_s;
  for (long serial = 0; ; serial++) {
    double began = now_s();
    if (began >= end) break;
    c->got_message = 0;
    if (ids != NULL) {
      build_get(c, serial);
      grpc_submit(&c->call, authority, GET_PATH, authorization);
    } else {
      build_create(c, serial);
      grpc_submit(&c->call, authority, CREATE_PATH, NULL);
    }
    grpc_finish(&c->call, buf, sizeof buf);
    if (began < measure_from) continue;
    if (status_ok(&c->call) && c->got_message) {
      long micros = (long)((now_s() - began) * 1e6);
      c->histogram[micros < MAX_MICROS ? micros : MAX_MICROS - 1]++;
      c->succeeded++;
    } else {
      c->failed++;
    }
  }
  grpc_close(&c->call);
  return NULL;
}

/* the latency below which a share q of the calls finished, in ms; 0 when none succeeded */
static double percentile_ms(const uint32_t *histogram, long total, double q) {
  if (total == 0) return 0;
  long rank = (long)(total * q), seen = 0;
  for (long us = 0; us < MAX_MICROS; us++) {
    seen += histogram[us];
    if (seen > rank) return us / 1000.0;
  }
  return MAX_MICROS / 1000.0;
}

int main(int argc, char **argv) {
  program = "call-load";
  int get = argc == 9 && strcmp(argv[1], "get") == 0;
  if (!get && !((argc == 8 || argc == 9) && strcmp(argv[1], "create") == 0)) {
    die("usage: call-load create <host> <port> <connections> <warm-up seconds> <seconds> <email prefix> [password]\n"
        "   or: call-load get <host> <port> <connections> <warm-up seconds> <seconds> <ids file> <authorization>");
  }
  host = argv[2];
  port = argv[3];
  int connections = atoi(argv[4]);
  warmup_s = atof(argv[5]);
  measure_s = atof(argv[6]);
  if (connections < 1 || measure_s <= 0) die("connections and seconds must be positive");
  connection_count = connections;
  if (get) {
    if (strlen(argv[8]) > 4000) die("authorization too long");
    read_ids(argv[7]);
    authorization = argv[8];
  } else {
    prefix = argv[7];
    password = argc == 9 ? argv[8] : NULL;
    if (strlen(prefix) > 100 || (password != NULL && strlen(password) > 200)) die("email prefix or password too long");
  }

  struct connection *all = calloc((size_t)connections, sizeof *all);
  pthread_t *threads = calloc((size_t)connections, sizeof *threads);
  for (int i = 0; i < connections; i++) {
    all[i].id = i;
    all[i].histogram = calloc(MAX_MICROS, sizeof(uint32_t));
    if (all[i].histogram == NULL) die("out of memory");
    pthread_create(&threads[i], NULL, drive, &all[i]);
  }
  uint32_t *histogram = calloc(MAX_MICROS, sizeof(uint32_t));
  long succeeded = 0, failed = 0;
  for (int i = 0; i < connections; i++) {
    pthread_join(threads[i], NULL);
    succeeded += all[i].succeeded;
    failed += all[i].failed;
    for (long us = 0; us < MAX_MICROS; us++) histogram[us] += all[i].histogram[us];
  }
  printf("rate=%.1f p50_ms=%.3f p99_ms=%.3f succeeded=%ld failed=%ld\n", succeeded / measure_s,
         percentile_ms(histogram, succeeded, 0.50), percentile_ms(histogram, succeeded, 0.99), succeeded, failed);
  return 0;
}
