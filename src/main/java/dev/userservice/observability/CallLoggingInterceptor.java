package dev.userservice.observability;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line per finished call: method, status, duration and peer. It logs no message
 * contents and no metadata, so no password or token can reach the log through it.
 */
public final class CallLoggingInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger("calls");
  private static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    // probes call health every few seconds: their lines go to DEBUG
    boolean quiet = HEALTH_SERVICE.equals(call.getMethodDescriptor().getServiceName());
    CallRecord record = new CallRecord(call.getMethodDescriptor().getFullMethodName(), quiet,
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), System.nanoTime());
    ServerCall<Q, R> logged = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        record.finish(status);
        super.close(status, trailers);
      }
    };
    return new SimpleForwardingServerCallListener<>(next.startCall(logged, headers)) {
      @Override
      public void onCancel() {
        record.finish(Status.CANCELLED.withDescription("cancelled by the client or its deadline"));
        super.onCancel();
      }
    };
  }

  private static final class CallRecord {
    private final String method;
    private final boolean quiet;
    private final SocketAddress peer;
    private final long startNanos;
    private final AtomicBoolean finished = new AtomicBoolean();

    CallRecord(String method, boolean quiet, SocketAddress peer, long startNanos) {
      this.method = method;
      this.quiet = quiet;
      this.peer = peer;
      this.startNanos = startNanos;
    }

    void finish(Status status) {
      if (!finished.compareAndSet(false, true) || (quiet && !log.isDebugEnabled())) {
        return;
      }
      long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);
      String duration = String.format("%d.%03d", micros / 1000, micros % 1000);
      if (quiet) {
        log.debug("method={} status={} duration_ms={} peer={}", method, status.getCode(), duration, peer);
      } else if (status.isOk()) {
        log.info("method={} status=OK duration_ms={} peer={}", method, duration, peer);
      } else {
        log.info("method={} status={} duration_ms={} peer={} message=\"{}\"", method, status.getCode(), duration, peer,
            status.getDescription());
      }
    }
  }
}
