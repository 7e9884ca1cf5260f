package dev.userservice.observability;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.Optional;
import java.util.UUID;

/**
 * The id that ties a call to its log line and to the caller's own logs: the client's
 * {@code x-request-id} when it is usable, otherwise a new random one.
 */
public final class RequestId {
  /** The header a request id travels in, both ways. */
  public static final Metadata.Key<String> HEADER = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  /** Longest id accepted from a client; it also keeps bearer tokens, which are longer, out of the log. */
  static final int MAX_LENGTH = 128;

  static final Context.Key<String> KEY = Context.key("request-id");

  private RequestId() {}

  /** The request id of the current call, when the call went through {@link RequestIdInterceptor}. */
  public static Optional<String> current() {
    return Optional.ofNullable(KEY.get());
  }

  /**
   * The client's id when it is 1..128 characters of {@code [A-Za-z0-9._:/-]}, else a new random
   * one: the id is echoed and logged, so nothing in it may end a log line or quote a value.
   */
  static String from(Metadata headers) {
    String given = headers.get(HEADER);
    return isUsable(given) ? given : UUID.randomUUID().toString();
  }

  static boolean isUsable(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (!isAllowed(id.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAllowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
  }
}
