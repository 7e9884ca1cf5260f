/*
 * create-load: drives CreateUser over HTTP/2 from native code, as h2load drives GetUser, for
 * the figures beside pgbench's insert. h2load replays one request body, so every create after
 * the first would carry a taken email; this sends a new email on every call.
 *
 *   create-load <host> <port> <connections> <warm-up seconds> <seconds> <email prefix> [password]
 *
 * With a password, every user is created with it (the service hashes each one).
 * Each connection runs on a thread of its own with one call in flight (a closed loop, as a
 * pgbench client). A call counts as a success only when its answer carries a message and ends
 * with grpc-status 0. Prints one line:
 *   rate=<calls/s> p50_ms=... p99_ms=... succeeded=<n> failed=<n>
 * over the measured seconds (the warm-up's calls are not counted).
 *
 * Build: cc -O2 -pthread -o create-load create-load.c -lnghttp2
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PATH "/user.v1.UserService/CreateUser"
#define MAX_MICROS 1000000 /* latencies at or above 1 s are counted in the last bucket */

static const char *host, *port, *prefix, *password;
static double warmup_s, measure_s;

struct call {
  uint8_t body[512];
  size_t length, sent;
  int done, status_ok, got_message;
};

struct connection {
  int id, fd;
  nghttp2_session *session;
  struct call call;
  uint32_t *histogram; /* microseconds -> calls */
  long succeeded, failed;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "create-load: %s\n", what);
  exit(1);
}

/* a protobuf string field: its tag (field number, wire type 2), a varint length, the bytes */
static size_t put_string(uint8_t *out, int field, const char *value) {
  size_t n = strlen(value), at = 0;
  out[at++] = (uint8_t)(field << 3 | 2);
  for (size_t v = n; ; v >>= 7) {
    if (v < 0x80) { out[at++] = (uint8_t)v; break; }
    out[at++] = (uint8_t)(v | 0x80);
  }
  memcpy(out + at, value, n);
  return at + n;
}

/* the gRPC frame of CreateUserRequest{email, name, password if given}: uncompressed flag, 4-byte length, message */
static void build_request(struct call *call, int connection, long serial) {
  char email[160];
  snprintf(email, sizeof email, "%s-%d-%ld@example.com", prefix, connection, serial);
  uint8_t *message = call->body + 5;
  size_t n = put_string(message, 1, email);
  n += put_string(message + n, 2, "Created by create-load");
  if (password != NULL) n += put_string(message + n, 3, password);
  call->body[0] = 0;
  call->body[1] = (uint8_t)(n >> 24);
  call->body[2] = (uint8_t)(n >> 16);
  call->body[3] = (uint8_t)(n >> 8);
  call->body[4] = (uint8_t)n;
  call->length = n + 5;
  call->sent = 0;
  call->done = call->status_ok = call->got_message = 0;
}

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t length, int flags, void *user) {
  (void)s; (void)flags;
  struct connection *c = user;
  ssize_t n = send(c->fd, data, length, 0);
  return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t length, uint32_t *flags,
                         nghttp2_data_source *source, void *user) {
  (void)s; (void)stream; (void)source;
  struct call *call = &((struct connection *)user)->call;
  size_t n = call->length - call->sent;
  if (n > length) n = length;
  memcpy(buf, call->body + call->sent, n);
  call->sent += n;
  if (call->sent == call->length) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user) {
  (void)s; (void)frame; (void)flags;
  struct call *call = &((struct connection *)user)->call;
  if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
    call->status_ok = valuelen == 1 && value[0] == '0';
  }
  return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream, const uint8_t *data, size_t len, void *user) {
  (void)s; (void)flags; (void)stream; (void)data;
  if (len > 0) ((struct connection *)user)->call.got_message = 1;
  return 0;
}

static int on_close(nghttp2_session *s, int32_t stream, uint32_t error, void *user) {
  (void)s; (void)stream;
  struct call *call = &((struct connection *)user)->call;
  if (error != NGHTTP2_NO_ERROR) call->status_ok = 0;
  call->done = 1;
  return 0;
}

static int open_socket(void) {
  struct addrinfo hints = {0}, *found;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &found) != 0) die("cannot resolve the host");
  int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) != 0) die("cannot connect");
  freeaddrinfo(found);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* sends what the session has to send, then reads until the current call is closed */
static void run_call(struct connection *c) {
  uint8_t buf[16384];
  while (!c->call.done) {
    if (nghttp2_session_send(c->session) != 0) die("send failed");
    if (c->call.done) break;
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n <= 0) die("the connection closed");
    if (nghttp2_session_mem_recv(c->session, buf, (size_t)n) < 0) die("bad HTTP/2 from the server");
  }
  if (nghttp2_session_send(c->session) != 0) die("send failed"); /* window updates, settings acks */
}

static void *drive(void *arg) {
  struct connection *c = arg;
  c->fd = open_socket();
  nghttp2_session_callbacks *callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, send_cb);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
  if (nghttp2_session_client_new(&c->session, callbacks, c) != 0) die("no HTTP/2 session");
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, NULL, 0);

  char authority[300];
  snprintf(authority, sizeof authority, "%s:%s", host, port);
#define HEADER(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }
  nghttp2_nv headers[] = {
    HEADER(":method", "POST"), HEADER(":scheme", "http"), HEADER(":path", PATH),
    HEADER(":authority", authority), HEADER("content-type", "application/grpc"), HEADER("te", "trailers"),
  };
  nghttp2_data_provider body = { .read_callback = read_body };

  double start = now_s(), measure_from = start + warmup_s, end = measure_from + measure_s;
  for (long serial = 0; ; serial++) {
    double began = now_s();
    if (began >= end) break;
    build_request(&c->call, c->id, serial);
    if (nghttp2_submit_request(c->session, NULL, headers, sizeof headers / sizeof headers[0], &body, c) < 0) {
      die("cannot submit a request");
    }
    run_call(c);
    if (began < measure_from) continue;
    if (c->call.status_ok && c->call.got_message) {
      long micros = (long)((now_s() - began) * 1e6);
      c->histogram[micros < MAX_MICROS ? micros : MAX_MICROS - 1]++;
      c->succeeded++;
    } else {
      c->failed++;
    }
  }
  nghttp2_session_del(c->session);
  close(c->fd);
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
