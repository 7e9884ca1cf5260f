package dev.userservice.observability;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.Optional;

/**
 * How each call's stream ended, as the transport saw it. A call that the transport ends itself
 * (a message over the inbound limit, a malformed one) reaches the interceptors only as a
 * cancellation; its stream tracer is told the status the caller got. The tracer puts an
 * {@link Ending} in the call's context, where {@link CallLoggingInterceptor} finds it. A call
 * that never reaches the interceptors (a method the server does not have) is logged from here,
 * with the method the caller named, its status and duration.
 */
public final class StreamEndings extends ServerStreamTracer.Factory {
  private static final Context.Key<Ending> KEY = Context.key("stream-ending");

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    Ending ending = new Ending();
    long startNanos = System.nanoTime();
    return new ServerStreamTracer() {
      @Override
      public Context filterContext(Context context) {
        return context.withValue(KEY, ending);
      }

      @Override
      public void streamClosed(Status status) {
        ending.status = status;
        if (!ending.intercepted) {
          CallLoggingInterceptor.logUnrouted(fullMethodName, status, startNanos);
        }
      }
    };
  }

  /** The ending of the current call's stream; none where the server has no {@link StreamEndings}. */
  static Optional<Ending> current() {
    return Optional.ofNullable(KEY.get());
  }

  /** The status a stream closed with, once it has, and whether its call reached the interceptors. */
  static final class Ending {
    // written by the transport before it tells the call's listener that the stream closed
    private volatile Status status;
    // set on the thread that starts the call, before the stream can close
    private volatile boolean intercepted;

    Optional<Status> status() {
      return Optional.ofNullable(status);
    }

    /** The call reached the interceptors, which log it. */
    void intercepted() {
      intercepted = true;
    }
  }
}
