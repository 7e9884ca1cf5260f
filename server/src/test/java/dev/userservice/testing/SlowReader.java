package dev.userservice.testing;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/** A stream reader that takes one message, then only what the test asks for. */
public final class SlowReader<Q, R> extends RecordingObserver<R> implements ClientResponseObserver<Q, R> {
  private ClientCallStreamObserver<Q> call;

  @Override
  public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
    call = requestStream;
    requestStream.disableAutoRequestWithInitial(1);
  }

  /** Asks for {@code count} more messages. */
  public void request(int count) {
    call.request(count);
  }

  /** Cancels the call from the client side. */
  public void cancel() {
    call.cancel("reader gave up", null);
  }
}
