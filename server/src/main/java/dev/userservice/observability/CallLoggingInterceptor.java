package dev.userservice.observability;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Logs one line per finished call, its fields as key-value pairs: method, status, duration,
 * peer, subject (when the call carried a valid token) and request id. It logs no message
 * contents and no metadata but the request id, so no password or token can reach the log
 * through it. It must run after {@link RequestIdInterceptor} and before the auth interceptor.
 *
 * <p>A call that ends without the server closing it is logged with the status the transport gave
 * the caller (from {@link StreamEndings}, where the server has it): RESOURCE_EXHAUSTED for a
 * message over the inbound limit, DEADLINE_EXCEEDED when the server ended it at its deadline; as
 * CANCELLED when the client cancelled. A call whose stream closed before it got here was logged
 * when its stream closed, and is not logged again.
 */
public final class CallLoggingInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger("calls");
  private static final String HEALTH_SERVICE = "grpc.health.v1.Health";
  static final int MAX_UNROUTED_METHOD_BYTES = 256;
  private static final Status CANCELLED = Status.CANCELLED.withDescription("cancelled by the client or its deadline");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    // probes call health every few seconds: their lines go to DEBUG
    boolean quiet = HEALTH_SERVICE.equals(call.getMethodDescriptor().getServiceName());
    CallSubject given = CallSubject.KEY.get();
    CallSubject subject = given != null ? given : new CallSubject();
    Optional<StreamEndings.Ending> ending = StreamEndings.current();
    // false when the stream closed before the call got here, and its end logged it
    boolean logsHere = ending.map(StreamEndings.Ending::intercepted).orElse(true);
    CallRecord record = new CallRecord(call.getMethodDescriptor().getFullMethodName(), quiet,
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), RequestId.current().orElse(null), subject,
        System.nanoTime());
    if (!logsHere) {
      record.loggedElsewhere();
    }
    ServerCall<Q, R> logged = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        record.finish(status);
        super.close(status, trailers);
      }
    };
    // the slot CallValues put in the call's context, else one of this interceptor's own
    ServerCall.Listener<Q> listener = given != null ? next.startCall(logged, headers)
        : Contexts.interceptCall(Context.current().withValue(CallSubject.KEY, subject), logged, headers, next);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        record.finish(ending.flatMap(StreamEndings.Ending::status)
            .filter(status -> !status.isOk() && status.getCode() != Status.Code.CANCELLED)
            .orElse(CANCELLED));
        super.onCancel();
      }
    };
  }

  /**
   * Logs a call that never reached the interceptors: a method the server does not have, named by
   * the caller (cut to {@link #MAX_UNROUTED_METHOD_BYTES}).
   */
  static void logUnrouted(String method, Status status, long startNanos) {
    LoggingEventBuilder line = lineStart(log.atInfo(), BoundedText.truncate(method, MAX_UNROUTED_METHOD_BYTES),
        status, startNanos);
    if (!status.isOk() && status.getDescription() != null) {
      line = line.addKeyValue("description", BoundedText.truncate(status.getDescription(), MAX_UNROUTED_METHOD_BYTES));
    }
    line.log("call finished");
  }

  /** The fields every call line starts with: method, status and duration. */
  private static LoggingEventBuilder lineStart(LoggingEventBuilder line, String method, Status status,
      long startNanos) {
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);
    return line.addKeyValue("method", method)
        .addKeyValue("status", status.getCode().name())
        .addKeyValue("duration_ms", millis(micros));
  }

  /** Microseconds as milliseconds with three decimals, 12.045: a number, so JSON lines carry it as one. */
  static BigDecimal millis(long micros) {
    return BigDecimal.valueOf(micros, 3);
  }

  /** {@code host:port} ({@code [host]:port} for IPv6) of a network peer, without the slash of its toString. */
  static String peer(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      String host = inet.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return address == null ? "" : address.toString();
  }

  private static final class CallRecord {
    private final String method;
    private final boolean quiet;
    private final SocketAddress peer;
    private final String requestId;
    private final CallSubject subject;
    private final long startNanos;
    private final AtomicBoolean finished = new AtomicBoolean();

    CallRecord(String method, boolean quiet, SocketAddress peer, String requestId, CallSubject subject,
        long startNanos) {
      this.method = method;
      this.quiet = quiet;
      this.peer = peer;
      this.requestId = requestId;
      this.subject = subject;
      this.startNanos = startNanos;
    }

    /** The call's line was written when its stream closed: this record writes none. */
    void loggedElsewhere() {
      finished.set(true);
    }

    void finish(Status status) {
      if (!finished.compareAndSet(false, true) || (quiet && !log.isDebugEnabled())) {
        return;
      }
      LoggingEventBuilder line = lineStart(quiet ? log.atDebug() : log.atInfo(), method, status, startNanos)
          .addKeyValue("peer", peer(peer));
      String who = subject.get();
      if (who != null) {
        line = line.addKeyValue("subject", who);
      }
      if (requestId != null) {
        line = line.addKeyValue("request_id", requestId);
      }
      if (!status.isOk() && status.getDescription() != null) {
        line = line.addKeyValue("description", status.getDescription());
      }
      line.log("call finished");
    }
  }
}
