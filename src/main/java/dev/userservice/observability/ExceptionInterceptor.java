package dev.userservice.observability;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a call whose handler threw, with the status {@link ErrorMapper} chooses (INTERNAL and
 * an error id for a bug), instead of grpc-java's default UNKNOWN. Handlers that report their
 * own errors never reach it.
 */
public final class ExceptionInterceptor implements ServerInterceptor {

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    ClosingCall<Q, R> closing = new ClosingCall<>(call);
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(closing, headers);
    } catch (RuntimeException e) {
      closing.closeWith(e);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          closing.closeWith(e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          closing.closeWith(e);
        }
      }

      @Override
      public void onReady() {
        try {
          super.onReady();
        } catch (RuntimeException e) {
          closing.closeWith(e);
        }
      }
    };
  }

  /** Remembers whether the call was closed, so it is closed at most once. */
  private static final class ClosingCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final AtomicBoolean closed = new AtomicBoolean();

    ClosingCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (closed.compareAndSet(false, true)) {
        super.close(status, trailers);
      }
    }

    void closeWith(RuntimeException e) {
      StatusRuntimeException mapped = ErrorMapper.toStatusException(e);
      Metadata trailers = mapped.getTrailers() == null ? new Metadata() : mapped.getTrailers();
      close(mapped.getStatus(), trailers);
    }
  }
}
