package dev.userservice.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.MessageLite;
import java.nio.ByteBuffer;

/**
 * One unary request as it travels in HTTP/2 DATA frames, for a load generator that replays the
 * same body on every call (h2load {@code -d}): the gRPC message prefix (not compressed, 4-byte
 * big-endian length) and the protobuf bytes, the method's path, and how many DATA bytes the
 * answer to it carries, so that a run can tell answered calls from gRPC errors (which carry no
 * message and which such a generator counts as successes).
 *
 * @param path the HTTP/2 {@code :path}, {@code /package.Service/Method}
 * @param body the request's DATA bytes
 * @param responseBytes the DATA bytes of the answer to it, prefix included
 */
public record RequestFrame(String path, byte[] body, int responseBytes) {
  /** Length of the gRPC message prefix: a compressed flag and a 4-byte length. */
  static final int PREFIX = 5;

  public RequestFrame {
    requireNonNull(path, "path");
    requireNonNull(body, "body");
  }

  /** The frame of {@code request} to {@code path}, answered by {@code response}. */
  static RequestFrame of(String path, MessageLite request, MessageLite response) {
    return new RequestFrame(path, framed(request), PREFIX + response.getSerializedSize());
  }

  /** {@code message} with its gRPC prefix: not compressed, then its length. */
  static byte[] framed(MessageLite message) {
    byte[] bytes = message.toByteArray();
    return ByteBuffer.allocate(PREFIX + bytes.length).put((byte) 0).putInt(bytes.length).put(bytes).array();
  }
}
