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
 * Build (grpc-call.h beside it): cc -O2 -o list-read list-read.c -lnghttp2
 */
#include <time.h>

#include "grpc-call.h"

#define PATH "/user.v1.UserService/ListUsers"
#define WINDOW (16 << 20) /* the stream's and the connection's receive window: never the limit */

struct stream {
  struct grpc_call call; /* first: the session's user data */
  uint8_t prefix[5];     /* the gRPC prefix of the message being read */
  size_t prefix_read;    /* bytes of it read so far */
  uint64_t payload_left;
  long messages;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
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

int main(int argc, char **argv) {
  program = "list-read";
  if (argc != 5) die("usage: list-read <host> <port> <authorization header value> <page size>");
  const char *host = argv[1], *port = argv[2], *authorization = argv[3];
  long page_size = atol(argv[4]);
  if (page_size < 1) die("the page size must be positive");

  struct stream st = {0};
  /* ListUsersRequest{page_size} */
  frame_message(&st.call, put_varint_field(st.call.body + 5, 1, (uint64_t)page_size));

  grpc_connect(&st.call, host, port, on_data);
  nghttp2_settings_entry window = { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW };
  nghttp2_submit_settings(st.call.session, NGHTTP2_FLAG_NONE, &window, 1);
  nghttp2_session_set_local_window_size(st.call.session, NGHTTP2_FLAG_NONE, 0, WINDOW);
  char authority[300];
  snprintf(authority, sizeof authority, "%s:%s", host, port);

  double start = now_s();
  grpc_submit(&st.call, authority, PATH, authorization);
  static uint8_t buf[1 << 18];
  grpc_finish(&st.call, buf, sizeof buf);
  double seconds = now_s() - start;
  grpc_close(&st.call);

  printf("rows=%ld seconds=%.3f rate=%.0f status=%s\n", st.messages, seconds, st.messages / seconds, st.call.status);
  return status_ok(&st.call) ? 0 : 1;
}
