package dev.userservice.observability;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;

/**
 * Puts the values the observability interceptors share into each call's context once, when its
 * stream starts: the call's request id ({@link RequestId#from}) and an empty {@link CallSubject}
 * slot. {@link RequestIdInterceptor} and {@link CallLoggingInterceptor} then find them there and
 * add no context of their own; gRPC attaches and detaches every interceptor's context around each
 * of a call's listener events, and the stream's context only once. Without this factory the two
 * interceptors make the values themselves.
 */
public final class CallValues extends ServerStreamTracer.Factory {

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    String requestId = RequestId.from(headers);
    return new ServerStreamTracer() {
      @Override
      public Context filterContext(Context context) {
        return context.withValues(RequestId.KEY, requestId, CallSubject.KEY, new CallSubject());
      }
    };
  }
}
