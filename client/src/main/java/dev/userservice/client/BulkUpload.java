package dev.userservice.client;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One BulkCreateUsers call. Requests are taken from the iterator only while the transport can
 * send more ({@code isReady}/{@code onReady}), so a long iterator is streamed, never buffered
 * whole; the stream is half-closed when the iterator ends.
 */
final class BulkUpload implements ClientResponseObserver<CreateUserRequest, BulkCreateResponse> {
  private final Iterator<CreateUserRequest> requests;
  private final CompletableFuture<BulkCreateResponse> result = new CompletableFuture<>();
  private ClientCallStreamObserver<CreateUserRequest> requestStream;
  private BulkCreateResponse response;
  private boolean sentAll;

  BulkUpload(Iterator<CreateUserRequest> requests) {
    this.requests = requests;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<CreateUserRequest> requestStream) {
    this.requestStream = requestStream;
    requestStream.setOnReadyHandler(this::sendWhileReady);
  }

  // onReady runs on the call's executor, one at a time
  private void sendWhileReady() {
    if (sentAll) {
      return;
    }
    try {
      while (requestStream.isReady()) {
        if (!requests.hasNext()) {
          sentAll = true;
          requestStream.onCompleted();
          return;
        }
        CreateUserRequest request = requests.next();
        if (request == null) {
          throw new NullPointerException("requests: null element (expected: a CreateUserRequest)");
        }
        requestStream.onNext(request);
      }
    } catch (RuntimeException e) {
      // the server commits only on half-close, so cancelling leaves nothing behind
      sentAll = true;
      requestStream.cancel("reading the requests failed", e);
    }
  }

  @Override
  public void onNext(BulkCreateResponse value) {
    response = value;
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onCompleted() {
    result.complete(response);
  }

  /** Waits for the response; the call's deadline bounds the wait. */
  BulkCreateResponse await() {
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw ClientErrors.translate(e.getCause());
    } catch (InterruptedException e) {
      requestStream.cancel("the calling thread was interrupted", e);
      Thread.currentThread().interrupt();
      throw new UserServiceException(Status.CANCELLED.withDescription("interrupted while waiting for the response"),
          null, e);
    }
  }
}
