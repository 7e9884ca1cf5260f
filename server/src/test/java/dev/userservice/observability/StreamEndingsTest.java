package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.testing.RecordingServerCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.testing.TestMethodDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each call is logged once: by the call log interceptor, or by its stream's end when that comes first. */
class StreamEndingsTest {
  private static final String METHOD = "user.v1.UserService/GetUser";

  @RegisterExtension
  final CallLogCapture callLog = new CallLogCapture();

  private final ServerStreamTracer tracer = new StreamEndings().newServerStreamTracer(METHOD, new Metadata());
  private final Context callContext = tracer.filterContext(Context.ROOT);

  @Test
  void streamClosedByTheTransportAfterTheCallStarted_oneLineWithTheStatusTheCallerGot() throws Exception {
    ServerCall.Listener<Void> listener = startCall();
    tracer.streamClosed(Status.RESOURCE_EXHAUSTED.withDescription("message too large"));
    listener.onCancel();

    assertThat(callLog.lines()).hasSize(1);
    assertThat(CallLogCapture.fields(callLog.lines().get(0))).containsEntry("method", METHOD).containsEntry("status", "RESOURCE_EXHAUSTED")
        .containsKey("peer");
  }

  @Test
  void clientCancelAfterTheCallStarted_oneLineCancelled() throws Exception {
    ServerCall.Listener<Void> listener = startCall();
    tracer.streamClosed(Status.CANCELLED.withDescription("RST_STREAM"));
    listener.onCancel();

    assertThat(callLog.lines()).hasSize(1);
    assertThat(CallLogCapture.fields(callLog.lines().get(0))).containsEntry("status", "CANCELLED")
        .containsEntry("description", "cancelled by the client or its deadline");
  }

  @Test
  void streamClosedBeforeTheCallReachedTheInterceptors_oneLineFromTheStreamsEnd() throws Exception {
    tracer.streamClosed(Status.CANCELLED);
    assertThat(callLog.lines()).hasSize(1);
    assertThat(CallLogCapture.fields(callLog.lines().get(0))).containsEntry("method", METHOD).containsEntry("status", "CANCELLED")
        .doesNotContainKey("peer");

    // the call still starts on its executor, and then is cancelled: no second line
    startCall().onCancel();
    assertThat(callLog.lines()).hasSize(1);
  }

  @Test
  void callThatNeverReachesTheInterceptors_loggedWithTheMethodItNamed() {
    ServerStreamTracer unknown = new StreamEndings().newServerStreamTracer("user.v1.UserService/Nope", new Metadata());
    unknown.filterContext(Context.ROOT);
    unknown.streamClosed(Status.UNIMPLEMENTED.withDescription("Method not found: user.v1.UserService/Nope"));

    assertThat(callLog.lines()).hasSize(1);
    assertThat(CallLogCapture.fields(callLog.lines().get(0))).containsEntry("method", "user.v1.UserService/Nope")
        .containsEntry("status", "UNIMPLEMENTED").containsKey("duration_ms");
  }

  private ServerCall.Listener<Void> startCall() throws Exception {
    MethodDescriptor<Void, Void> method = TestMethodDescriptors.voidMethod().toBuilder().setFullMethodName(METHOD).build();
    return callContext.call(() -> new CallLoggingInterceptor().interceptCall(new RecordingServerCall<>(method),
        new Metadata(), (call, headers) -> new ServerCall.Listener<>() {}));
  }
}
