package dev.userservice.observability;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How each call's stream ended, as the transport saw it. A call that the transport ends itself
 * (a message over the inbound limit, a malformed one) reaches the interceptors only as a
 * cancellation; its stream tracer is told the status the caller got. The tracer puts an
 * {@link Ending} in the call's context, where {@link CallLoggingInterceptor} finds it. A call
 * whose stream closes before it reaches the interceptors (a method the server does not have, a
 * stream the client resets at once) is logged from here, with the method the caller named, its
 * status and duration; each call is logged once, by whichever comes first.
 */
public final class StreamEndings extends ServerStreamTracer.Factory {
  private static final Context.Key<Ending> KEY = Context.key("stream-ending");
  private static final int OPEN = 0;
  private static final int INTERCEPTED = 1;
  private static final int CLOSED_FIRST = 2;

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
        if (ending.state.compareAndSet(OPEN, CLOSED_FIRST)) {
          CallLoggingInterceptor.logUnrouted(fullMethodName, status, startNanos);
        }
      }
    };
  }

  /** The ending of the current call's stream; none where the server has no {@link StreamEndings}. */
  static Optional<Ending> current() {
    return Optional.ofNullable(KEY.get());
  }

  /**
   * The status a stream closed with, once it has, and which of two logged the call: the
   * interceptors, when the call reached them first, else the stream's end (a method the server
   * does not have, or a stream the client reset before its call started).
   */
  static final class Ending {
    // written by the transport before it tells the call's listener that the stream closed
    private volatile Status status;
    private final AtomicInteger state = new AtomicInteger(OPEN);

    Optional<Status> status() {
      return Optional.ofNullable(status);
    }

    /**
     * The call reached the interceptors, which then log it; false when its stream had already
     * closed and was logged as it did.
     */
    boolean intercepted() {
      return state.compareAndSet(OPEN, INTERCEPTED);
    }
  }
}
