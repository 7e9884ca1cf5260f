/*
 * create-load: drives CreateUser over HTTP/2 from native code, as h2load drives GetUser, for
 * the figures beside pgbench's insert. h2load replays one request body, so every create after
 * the first would carry a taken email; this sends a new email on every call.
 *
 *   create-load <host> <port> <connections> <warm-up seconds> <seconds> <email prefix> [password]
 *
 * With a password, every user is created with it (the service hashes each one). Each connection runs on a thread of its own with one call in flight (a closed loop, as a
 * pgbench client). A call counts as a success only when its answer carries a message and ends
 * with grpc-status 0. Prints one line:
 *   rate=<calls/s> p50_ms=... p99_ms=... succeeded=<n> failed=<n>
 * over the measured seconds (the warm-up's calls are not counted).
 *
 * Build (grpc-call.h beside it): cc -O2 -pthread -o create-load create-load.c -lnghttp2
 */
#include <pthread.h>
#include <time.h>

#include "grpc-call.h"

#define PATH "/user.v1.UserService/CreateUser"
#define MAX_MICROS 1000000 /* latencies at or above 1 s are counted in the last bucket */

static const char *host, *port, *prefix, *password;
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
static void build_request(struct connection *c, long serial) {
  char email[160];
  snprintf(email, sizeof email, "%s-%d-%ld@example.com", prefix, c->id, serial);
  uint8_t *message = c->call.body + 5;
  size_t n = put_string(message, 1, email);
  n += put_string(message + n, 2, "Created by create-load");
  if (password != NULL) n += put_string(message + n, 3, password);
  frame_message(&c->call, n);
  c->got_message = 0;
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
    build_request(c, serial);
    grpc_submit(&c->call, authority, PATH, NULL);
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
  program = "create-load";
  if (argc != 7 && argc != 8) {
    die("usage: create-load <host> <port> <connections> <warm-up seconds> <seconds> <email prefix> [password]");
  }
  host = argv[1];
  port = argv[2];
  int connections = atoi(argv[3]);
  warmup_s = atof(argv[4]);
  measure_s = atof(argv[5]);
  prefix = argv[6];
  password = argc == 8 ? argv[7] : NULL;
  if (strlen(prefix) > 100 || (password != NULL && strlen(password) > 200)) die("email prefix or password too long");
  if (connections < 1 || measure_s <= 0) die("connections and seconds must be positive");

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
