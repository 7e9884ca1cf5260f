package dev.userservice.server;

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
 * The server's edge, where exceptions become statuses through {@link ErrorMapper}. Handlers and
 * the interceptors inside this one pass a failure on as it is: a handler that throws, or that
 * ends its call with {@code onError(e)} (which grpc-java turns into UNKNOWN with {@code e} as the
 * cause), has its call closed with the status the mapper chooses (INTERNAL and an error id for a
 * bug) instead of UNKNOWN. Install it outside every interceptor that may end a call, so that
 * their failures are mapped too, and inside the ones that record the final status.
 */
public final class ExceptionInterceptor implements ServerInterceptor {

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    MappingCall<Q, R> mapping = new MappingCall<>(call);
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(mapping, headers);
    } catch (RuntimeException e) {
      mapping.closeWith(e);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          mapping.closeWith(e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          mapping.closeWith(e);
        }
      }

      @Override
      public void onReady() {
        try {
          super.onReady();
        } catch (RuntimeException e) {
          mapping.closeWith(e);
        }
      }
    };
  }

  /** Maps the status a call is closed with, and closes it at most once. */
  private static final class MappingCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final AtomicBoolean closed = new AtomicBoolean();

    MappingCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (status.getCode() == Status.Code.UNKNOWN && status.getCause() != null) {
        // a failure passed on by a handler or an interceptor inside this one
        closeWith(status.getCause(), trailers);
      } else if (!status.isOk()) {
        // a status chosen inside: kept as it is, its description bounded
        closeOnce(ErrorMapper.boundDescription(status.withCause(null)), trailers);
      } else {
        closeOnce(status, trailers);
      }
    }

    void closeWith(Throwable failure) {
      closeWith(failure, new Metadata());
    }

    private void closeWith(Throwable failure, Metadata trailers) {
      if (closed.get()) {
        return;
      }
      StatusRuntimeException mapped = ErrorMapper.toStatusException(failure);
      if (mapped.getTrailers() != null) {
        trailers.merge(mapped.getTrailers());
      }
      closeOnce(mapped.getStatus(), trailers);
    }

    private void closeOnce(Status status, Metadata trailers) {
      if (closed.compareAndSet(false, true)) {
        super.close(status, trailers);
      }
    }
  }
}
