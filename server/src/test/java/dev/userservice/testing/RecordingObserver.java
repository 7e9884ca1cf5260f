package dev.userservice.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Collects what a call sends back and how it ends. */
public class RecordingObserver<T> implements StreamObserver<T> {
  private final List<T> values = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();
  private volatile Throwable error;

  @Override
  public void onNext(T value) {
    values.add(value);
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }

  public List<T> values() {
    return values;
  }

  /** How the call ended, waiting up to ten seconds. */
  public Status awaitEnd() throws Exception {
    return end.get(10, TimeUnit.SECONDS);
  }

  /** The exception the call failed with, trailers included; null when it succeeded or runs. */
  public Throwable error() {
    return error;
  }

  public boolean ended() {
    return end.isDone();
  }
}
