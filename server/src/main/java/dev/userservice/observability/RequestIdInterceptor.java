package dev.userservice.observability;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Gives every call a request id ({@link RequestId}), puts it in the call's {@link Context} and
 * echoes it to the client as {@code x-request-id}: in the response headers, or in the trailers
 * when the call ends without sending headers. Where {@link CallValues} already put the id in the
 * call's context, that id is the call's.
 */
public final class RequestIdInterceptor implements ServerInterceptor {

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String given = RequestId.KEY.get();
    if (given != null) {
      return next.startCall(new EchoingCall<>(call, given), headers);
    }
    String requestId = RequestId.from(headers);
    Context context = Context.current().withValue(RequestId.KEY, requestId);
    return Contexts.interceptCall(context, new EchoingCall<>(call, requestId), headers, next);
  }

  private static final class EchoingCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final String requestId;
    // written and read on the call's serialized executor or the thread that closes it
    private volatile boolean headersSent;

    EchoingCall(ServerCall<Q, R> delegate, String requestId) {
      super(delegate);
      this.requestId = requestId;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      headersSent = true;
      headers.discardAll(RequestId.HEADER);
      headers.put(RequestId.HEADER, requestId);
      super.sendHeaders(headers);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!headersSent) {
        trailers.discardAll(RequestId.HEADER);
        trailers.put(RequestId.HEADER, requestId);
      }
      super.close(status, trailers);
    }
  }
}
