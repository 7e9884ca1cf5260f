/*
 * What the bench scripts' native clients (call-load.c, list-read.c) share: a TCP connection,
 * an HTTP/2 client session on it, and one gRPC call at a time whose request body is sent from
 * memory and whose grpc-status is kept. Included by each, not built on its own.
 *
 * A program's own state starts with a struct grpc_call and is the session's user data, so the
 * callbacks here and the program's own DATA callback both find what they need in it.
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
#include <unistd.h>

static const char *program; /* for messages: set by main */

struct grpc_call {
  int fd;
  nghttp2_session *session;
  uint8_t body[512]; /* the request: gRPC prefix and message */
  size_t length, sent;
  char status[16];   /* grpc-status, "reset" when the stream was reset, "none" before any */
  int done;          /* the stream has closed */
};

static void die(const char *what) {
  fprintf(stderr, "%s: %s\n", program, what);
  exit(1);
}

/* a varint: 7 bits a byte, low bits first */
static inline size_t put_varint(uint8_t *out, uint64_t value) {
  size_t at = 0;
  for (; value >= 0x80; value >>= 7) out[at++] = (uint8_t)(value | 0x80);
  out[at++] = (uint8_t)value;
  return at;
}

/* a protobuf varint field: its tag (field number, wire type 0), the value */
static inline size_t put_varint_field(uint8_t *out, int field, uint64_t value) {
  out[0] = (uint8_t)(field << 3);
  return 1 + put_varint(out + 1, value);
}

/* a protobuf string field: its tag (field number, wire type 2), a varint length, the bytes */
static inline size_t put_string(uint8_t *out, int field, const char *value) {
  size_t n = strlen(value), at = 0;
  out[at++] = (uint8_t)(field << 3 | 2);
  at += put_varint(out + at, n);
  memcpy(out + at, value, n);
  return at + n;
}

/* makes the body the gRPC frame of a message of n bytes already at body + 5: flag 0, 4-byte length */
static void frame_message(struct grpc_call *call, size_t n) {
  call->body[0] = 0;
  call->body[1] = (uint8_t)(n >> 24);
  call->body[2] = (uint8_t)(n >> 16);
  call->body[3] = (uint8_t)(n >> 8);
  call->body[4] = (uint8_t)n;
  call->length = n + 5;
  call->sent = 0;
  call->done = 0;
  snprintf(call->status, sizeof call->status, "none");
}

static int status_ok(const struct grpc_call *call) {
  return strcmp(call->status, "0") == 0;
}

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t length, int flags, void *user) {
  (void)s; (void)flags;
  ssize_t n = send(((struct grpc_call *)user)->fd, data, length, 0);
  return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t length, uint32_t *flags,
                         nghttp2_data_source *source, void *user) {
  (void)s; (void)stream; (void)source;
  struct grpc_call *call = user;
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
  struct grpc_call *call = user;
  if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0 && valuelen < sizeof call->status) {
    memcpy(call->status, value, valuelen);
    call->status[valuelen] = 0;
  }
  return 0;
}

static int on_close(nghttp2_session *s, int32_t stream, uint32_t error, void *user) {
  (void)s; (void)stream;
  struct grpc_call *call = user;
  if (error != NGHTTP2_NO_ERROR) snprintf(call->status, sizeof call->status, "reset");
  call->done = 1;
  return 0;
}

/* connects to host:port and starts an HTTP/2 session there, whose DATA goes to on_data */
static void grpc_connect(struct grpc_call *call, const char *host, const char *port,
                         nghttp2_on_data_chunk_recv_callback on_data) {
  struct addrinfo hints = {0}, *found;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &found) != 0) die("cannot resolve the host");
  call->fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (call->fd < 0 || connect(call->fd, found->ai_addr, found->ai_addrlen) != 0) die("cannot connect");
  freeaddrinfo(found);
  int one = 1;
  setsockopt(call->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  nghttp2_session_callbacks *callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, send_cb);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
  if (nghttp2_session_client_new(&call->session, callbacks, call) != 0) die("no HTTP/2 session");
  nghttp2_session_callbacks_del(callbacks);
}

/* submits a call of path with the body, and an authorization header unless it is NULL */
static void grpc_submit(struct grpc_call *call, const char *authority, const char *path, const char *authorization) {
#define HEADER(n, v) { (uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE }
  nghttp2_nv headers[] = {
    HEADER(":method", "POST"), HEADER(":scheme", "http"), HEADER(":path", path),
    HEADER(":authority", authority), HEADER("content-type", "application/grpc"), HEADER("te", "trailers"),
    HEADER("authorization", authorization == NULL ? "" : authorization),
  };
#undef HEADER
  size_t count = sizeof headers / sizeof headers[0] - (authorization == NULL ? 1 : 0);
  nghttp2_data_provider body = { .read_callback = read_body };
  if (nghttp2_submit_request(call->session, NULL, headers, count, &body, call) < 0) die("cannot submit a request");
}

/* sends what the session has to send, then reads until the current call has closed */
static void grpc_finish(struct grpc_call *call, uint8_t *buf, size_t size) {
  while (!call->done) {
    if (nghttp2_session_send(call->session) != 0) die("send failed");
    if (call->done) break;
    ssize_t n = recv(call->fd, buf, size, 0);
    if (n <= 0) die("the connection closed before the call ended");
    if (nghttp2_session_mem_recv(call->session, buf, (size_t)n) < 0) die("bad HTTP/2 from the server");
  }
  if (nghttp2_session_send(call->session) != 0) die("send failed"); /* window updates, settings acks */
}

static void grpc_close(struct grpc_call *call) {
  nghttp2_session_del(call->session);
  close(call->fd);
}
