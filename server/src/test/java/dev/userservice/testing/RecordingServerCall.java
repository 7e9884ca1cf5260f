package dev.userservice.testing;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * A server call on a method, from no peer, that sends nothing and records the on-ready threshold
 * it is given (-1 until then), the headers it sends and the status it is closed with (null until
 * then), for tests of interceptors.
 */
public final class RecordingServerCall<Q, R> extends ServerCall<Q, R> {
  private final MethodDescriptor<Q, R> method;
  private int onReadyThreshold = -1;
  private Status closed;
  private Metadata headers;

  public RecordingServerCall(MethodDescriptor<Q, R> method) {
    this.method = method;
  }

  public int onReadyThreshold() {
    return onReadyThreshold;
  }

  public Status closed() {
    return closed;
  }

  public Metadata headers() {
    return headers;
  }

  @Override
  public void setOnReadyThreshold(int numBytes) {
    onReadyThreshold = numBytes;
  }

  @Override
  public void request(int numMessages) {}

  @Override
  public void sendHeaders(Metadata headers) {
    this.headers = headers;
  }

  @Override
  public void sendMessage(R message) {}

  @Override
  public void close(Status status, Metadata trailers) {
    closed = status;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public MethodDescriptor<Q, R> getMethodDescriptor() {
    return method;
  }
}
