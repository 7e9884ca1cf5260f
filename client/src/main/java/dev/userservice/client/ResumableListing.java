package dev.userservice.client;

import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The users of one listing, in id order. When a stream that has delivered users fails with
 * UNAVAILABLE, ListUsers is opened again with {@code page_token} set to the id of the last user
 * delivered, so the caller sees no duplicate and no gap. A failure before the first user of a
 * stream is not reopened here: grpc's retry policy already retried it, with backoff and
 * throttling. Every stream shares the listing's one deadline.
 *
 * <p>Not thread-safe, like any iterator.
 */
final class ResumableListing implements Iterator<User>, AutoCloseable {
  private final UserServiceGrpc.UserServiceBlockingStub stub;
  private final int pageSize;
  private final Deadline deadline;
  private final int maxReopens;
  private int reopens;
  private String lastId = "";
  private Context.CancellableContext context;
  private Iterator<User> stream;
  private boolean deliveredOnStream;
  private boolean closed;

  ResumableListing(UserServiceGrpc.UserServiceBlockingStub stub, int pageSize, Deadline deadline, int maxReopens) {
    this.stub = stub;
    this.pageSize = pageSize;
    this.deadline = deadline;
    this.maxReopens = maxReopens;
  }

  @Override
  public boolean hasNext() {
    while (!closed) {
      if (stream == null) {
        open();
      }
      try {
        if (stream.hasNext()) {
          return true;
        }
        close();
        return false;
      } catch (StatusRuntimeException e) {
        boolean reopen = mayReopen(e);
        endStream();
        if (!reopen) {
          closed = true;
          throw ClientErrors.translate(e);
        }
        reopens++;
      }
    }
    return false;
  }

  @Override
  public User next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more users after " + (lastId.isEmpty() ? "the start" : lastId));
    }
    User user = stream.next();
    lastId = user.getId();
    deliveredOnStream = true;
    return user;
  }

  /** Stops the listing, cancelling the stream that is open. */
  @Override
  public void close() {
    closed = true;
    endStream();
  }

  private boolean mayReopen(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.UNAVAILABLE && deliveredOnStream && reopens < maxReopens
        && !deadline.isExpired();
  }

  private void open() {
    ListUsersRequest request = ListUsersRequest.newBuilder().setPageSize(pageSize).setPageToken(lastId).build();
    // the call is bound to its own context, so that cancelling it ends this stream and nothing else
    context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      stream = stub.withDeadline(deadline).listUsers(request);
    } finally {
      context.detach(previous);
    }
    deliveredOnStream = false;
  }

  private void endStream() {
    if (context != null) {
      context.cancel(null);
      context = null;
    }
    stream = null;
  }
}
