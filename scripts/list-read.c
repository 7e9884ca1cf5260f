/*
 * list-read: reads one ListUsers stream over HTTP/2 from native code, as psql reads COPY out, for
 * the full-scan figure: a fast reader on the same cores, where a JVM client would take as much
 * CPU as the service.
 *
 *   list-read <host> <port> <authorization header value> <page size>
 *
 * Counts the stream's messages as they arrive (by their gRPC length prefixes) and requires the
 * stream to end with grpc-status 0. Prints one line:
 *   rows=<messages> seconds=<from request to end of stream> rate=<rows/s> status=<grpc-status>
 * and exits with 1 when the status is not 0.
 *
 * Build: cc -O2 -o list-read list-read.c -lnghttp2
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PATH "/user.v1.UserService/ListUsers"
#define WINDOW (16 << 20) /* the stream's and the connection's receive window: never the limit */

struct stream {
  int fd;
  uint8_t body[16];
  size_t length, sent;
  uint8_t prefix[5];  /* the gRPC prefix of the message being read */
  size_t prefix_read; /* bytes of it read so far */
  uint64_t payload_left;
  long messages;
  char status[16];
  int done;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "list-read: %s\n", what);
  exit(1);
}

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t length, int flags, void *user) {
  (void)s; (void)flags;
  ssize_t n = send(((struct stream *)user)->fd, data, length, 0);
  return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length, uint32_t *flags,
                         nghttp2_data_source *source, void *user) {
  (void)s; (void)id; (void)source;
  struct stream *st = user;
  size_t n = st->length - st->sent;
  if (n > length) n = length;
  memcpy(buf, st->body + st->sent, n);
  st->sent += n;
  if (st->sent == st->length) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user) {
  (void)s; (void)frame; (void)flags;
  struct stream *st = user;
  if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0 && valuelen < sizeof st->status) {
    memcpy(st->status, value, valuelen);
    st->status[valuelen] = 0;
  }
  return 0;
}

/* walks the gRPC messages in the DATA bytes: a 5-byte prefix (flag, 4-byte length), then the message */
static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len, void *user) {
  (void)s; (void)flags; (void)id;
  struct stream *st = user;
  while (len > 0) {
    if (st->payload_left > 0) {
      size_t take = len < st->payload_left ? len : (size_t)st->payload_left;
      st->payload_left -= take;
      data += take;
      len -= take;
      if (st->payload_left == 0) st->messages++;
      continue;
    }
    st->prefix[st->prefix_read++] = *data++;
    len--;
    if (st->prefix_read == 5) {
      st->prefix_read = 0;
      st->payload_left = (uint64_t)st->prefix[1] << 24 | st->prefix[2] << 16 | st->prefix[3] << 8 | st->prefix[4];
      if (st->payload_left == 0) st->messages++;
    }
  }
  return 0;
}

static int on_close(nghttp2_session *s, int32_t id, uint32_t error, void *user) {
  (void)s; (void)id;
  struct stream *st = user;
  if (error != NGHTTP2_NO_ERROR) snprintf(st->status, sizeof st->status, "reset");
  st->done = 1;
  return 0;
}

static int open_socket(const char *host, const char *port) {
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

int main(int argc, char **argv) {
  if (argc != 5) die("usage: list-read <host> <port> <authorization header value> <page size>");
  const char *host = argv[1], *port = argv[2], *authorization = argv[3];
  long page_size = atol(argv[4]);
  if (page_size < 1) die("the page size must be positive");

  struct stream st = {0};
  snprintf(st.status, sizeof st.status, "none");
  /* ListUsersRequest{page_size}: field 1, varint */
  size_t n = 0;
  uint8_t *message = st.body + 5;
  message[n++] = 1 << 3;
  for (unsigned long v = (unsigned long)page_size; ; v >>= 7) {
    if (v < 0x80) { message[n++] = (uint8_t)v; break; }
    message[n++] = (uint8_t)(v | 0x80);
  }
  st.body[4] = (uint8_t)n; /* flag and the length's high bytes stay 0 */
  st.length = n + 5;

  st.fd = open_socket(host, port);
  nghttp2_session_callbacks *callbacks;
  nghttp2_session *session;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, send_cb);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
  if (nghttp2_session_client_new(&session, callbacks, &st) != 0) die("no HTTP/2 session");
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_settings_entry window = { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW };
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, &window, 1);
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, WINDOW);

  char authority[300];
  snprintf(authority, sizeof authority, "%s:%s", host, port);
#define HEADER(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }
  nghttp2_nv headers[] = {
    HEADER(":method", "POST"), HEADER(":scheme", "http"), HEADER(":path", PATH),
    HEADER(":authority", authority), HEADER("content-type", "application/grpc"), HEADER("te", "trailers"),
    HEADER("authorization", authorization),
  };
  nghttp2_data_provider body = { .read_callback = read_body };

  double start = now_s();
  if (nghttp2_submit_request(session, NULL, headers, sizeof headers / sizeof headers[0], &body, &st) < 0) {
    die("cannot submit the request");
  }
  static uint8_t buf[1 << 18];
  while (!st.done) {
    if (nghttp2_session_send(session) != 0) die("send failed");
    ssize_t got = recv(st.fd, buf, sizeof buf, 0);
    if (got <= 0) die("the connection closed before the stream ended");
    if (nghttp2_session_mem_recv(session, buf, (size_t)got) < 0) die("bad HTTP/2 from the server");
  }
  double seconds = now_s() - start;
  nghttp2_session_del(session);
  close(st.fd);

  printf("rows=%ld seconds=%.3f rate=%.0f status=%s\n", st.messages, seconds, st.messages / seconds, st.status);
  return strcmp(st.status, "0") == 0 ? 0 : 1;
}
