package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps track of the calls in progress so that shutdown can end those that outlast the grace
 * period with a status of its choosing. grpc-java's {@code shutdownNow()} resets such streams,
 * which a Netty client reports as CANCELLED; a client retries elsewhere only on UNAVAILABLE.
 *
 * <p>Install it as the innermost interceptor: a call it ends then passes through the others
 * (so the call log records it), and its handler is told the call was cancelled, so work such
 * as an open BulkCreateUsers transaction is rolled back.
 */
final class OpenCalls implements ServerInterceptor {
  private final Set<TrackedCall<?, ?>> open = ConcurrentHashMap.newKeySet();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    TrackedCall<Q, R> tracked = new TrackedCall<>(call);
    open.add(tracked);
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(tracked, headers);
    } catch (RuntimeException e) {
      open.remove(tracked);
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onComplete() {
        open.remove(tracked);
        // a call ended from outside completes at the transport, but its handler did not finish
        if (tracked.endedFromOutside()) {
          super.onCancel();
        } else {
          super.onComplete();
        }
      }

      @Override
      public void onCancel() {
        open.remove(tracked);
        super.onCancel();
      }
    };
  }

  /** How many calls are in progress. */
  int size() {
    return open.size();
  }

  /**
   * Closes every call still in progress with this status; its handler is then told the call was
   * cancelled, and what it sends afterwards is dropped.
   *
   * @return how many calls were ended
   */
  int endAll(Status status) {
    requireNonNull(status, "status");
    int ended = 0;
    for (TrackedCall<?, ?> call : open) {
      if (call.endFromOutside(status)) {
        ended++;
      }
    }
    return ended;
  }

  /**
   * A call whose outbound methods are serialized, because shutdown closes it from a thread other
   * than the handler's, and whose close happens once: whatever comes later is dropped.
   */
  private static final class TrackedCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private boolean closed;
    private volatile boolean endedFromOutside;

    TrackedCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public synchronized void setMessageCompression(boolean enabled) {
      if (!closed) {
        super.setMessageCompression(enabled);
      }
    }

    @Override
    public synchronized void setCompression(String compressor) {
      if (!closed) {
        super.setCompression(compressor);
      }
    }

    synchronized boolean endFromOutside(Status status) {
      if (closed) {
        return false;
      }
      endedFromOutside = true;
      close(status, new Metadata());
      return true;
    }

    boolean endedFromOutside() {
      return endedFromOutside;
    }
  }
}
