package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.testing.RecordingServerCall;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.testing.TestMethodDescriptors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The request id and the subject slot come from the stream's context: the interceptors that use
 * them find them there and use those values, and add no context of their own (a listener event
 * delivered outside the stream's context then sees none of them, where an interceptor's own
 * context would carry them).
 */
class CallValuesTest {
  private static final MethodDescriptor<Void, Void> METHOD =
      TestMethodDescriptors.voidMethod().toBuilder().setFullMethodName("user.v1.UserService/GetUser").build();

  @RegisterExtension
  final CallLogCapture callLog = new CallLogCapture();

  private final Context streamContext =
      new CallValues().newServerStreamTracer(METHOD.getFullMethodName(), new Metadata()).filterContext(Context.ROOT);
  /** The request id each listener event of the handler saw, "none" without one. */
  private final List<String> idsSeen = new ArrayList<>();

  @Test
  void newStream_carriesAGeneratedRequestIdAndAnEmptySubjectSlot() throws Exception {
    String id = streamContext.call(() -> RequestId.current().orElseThrow());

    assertThat(RequestId.isUsable(id)).isTrue();
    assertThat(streamContext.call(() -> CallSubject.KEY.get().get())).isNull();
  }

  @Test
  void streamWithUsableRequestIdHeader_carriesThatId() throws Exception {
    Metadata headers = new Metadata();
    headers.put(RequestId.HEADER, "caller-42");
    Context context = new CallValues().newServerStreamTracer(METHOD.getFullMethodName(), headers)
        .filterContext(Context.ROOT);

    assertThat(context.call(() -> RequestId.current().orElseThrow())).isEqualTo("caller-42");
  }

  @Test
  void requestIdInterceptor_echoesTheStreamsIdWithoutAContextOfItsOwn() throws Exception {
    String id = streamContext.call(() -> RequestId.current().orElseThrow());
    RecordingServerCall<Void, Void> call = new RecordingServerCall<>(METHOD);

    ServerCall.Listener<Void> listener = start(new RequestIdInterceptor(), call, (started, headers) -> {
      started.sendHeaders(new Metadata());
      return new ServerCall.Listener<>() {};
    });
    Context.ROOT.run(listener::onHalfClose);

    assertThat(call.headers().get(RequestId.HEADER)).isEqualTo(id);
    assertThat(idsSeen).containsExactly(id, "none");
  }

  @Test
  void callLoggingInterceptor_logsTheSubjectRecordedInTheStreamsSlotWithoutAContextOfItsOwn() throws Exception {
    String id = streamContext.call(() -> RequestId.current().orElseThrow());
    RecordingServerCall<Void, Void> call = new RecordingServerCall<>(METHOD);

    ServerCall.Listener<Void> listener = start(new CallLoggingInterceptor(), call, (started, headers) -> {
      CallSubject.record("alice");
      started.close(Status.OK, new Metadata());
      return new ServerCall.Listener<>() {};
    });
    Context.ROOT.run(listener::onHalfClose);

    assertThat(idsSeen).containsExactly(id, "none");
    assertThat(callLog.lines()).hasSize(1);
    assertThat(CallLogCapture.fields(callLog.lines().get(0))).containsEntry("subject", "alice").containsEntry("request_id", id)
        .containsEntry("status", "OK");
  }

  /**
   * Starts {@code call} through {@code interceptor} in the stream's context; the handler's start
   * and its listener's half-close note the request id current then.
   */
  private ServerCall.Listener<Void> start(ServerInterceptor interceptor, ServerCall<Void, Void> call,
      ServerCallHandler<Void, Void> handler) throws Exception {
    return streamContext.call(() -> interceptor.interceptCall(call, new Metadata(), (started, headers) -> {
      idsSeen.add(RequestId.current().orElse("none"));
      ServerCall.Listener<Void> listener = handler.startCall(started, headers);
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onHalfClose() {
          idsSeen.add(RequestId.current().orElse("none"));
          super.onHalfClose();
        }
      };
    }));
  }
}
