package dev.userservice.user.rpc;

import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.user.User;
import dev.userservice.user.UserIds;
import dev.userservice.user.UserMessages;
import dev.userservice.user.UserRepository;
import dev.userservice.user.ValidationException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One ListUsers stream. Users are read in id order, {@code page_size} per database round trip,
 * and written only while the client can take more: when the transport is not ready the call
 * waits for {@code onReady}, holding at most one batch. A cancelled call reads nothing more.
 *
 * <p>All methods run on the call's serialized executor, so they never overlap.
 */
final class ListUsersCall {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;

  private final UserRepository users;
  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private final int pageSize;
  private final ArrayDeque<User> batch;
  private Optional<UUID> cursor;
  private boolean lastBatchRead;
  private boolean finished;

  private ListUsersCall(UserRepository users, ServerCallStreamObserver<dev.userservice.api.user.v1.User> out,
      int pageSize, Optional<UUID> cursor) {
    this.users = users;
    this.out = out;
    this.pageSize = pageSize;
    this.batch = new ArrayDeque<>(pageSize);
    this.cursor = cursor;
  }

  /**
   * Validates the request and starts streaming.
   *
   * @throws ValidationException for a bad page size or token
   */
  static void start(UserRepository users, ListUsersRequest request,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    int pageSize = pageSize(request.getPageSize());
    Optional<UUID> cursor = request.getPageToken().isEmpty()
        ? Optional.empty()
        : Optional.of(UserIds.parse(request.getPageToken()).orElseThrow(() -> new ValidationException("page_token",
            "is not a user id (expected: empty, or the id of the last user received)")));
    ListUsersCall call = new ListUsersCall(users, out, pageSize, cursor);
    out.setOnCancelHandler(call::cancel);
    out.setOnReadyHandler(call::drain);
    call.drain();
  }

  private static int pageSize(int requested) {
    if (requested == 0) {
      return DEFAULT_PAGE_SIZE;
    }
    if (requested < 0 || requested > MAX_PAGE_SIZE) {
      throw new ValidationException("page_size", "is " + requested + " (expected: 0 for the default "
          + DEFAULT_PAGE_SIZE + ", or 1.." + MAX_PAGE_SIZE + ")");
    }
    return requested;
  }

  private void cancel() {
    finished = true;
    batch.clear();
  }

  private void drain() {
    try {
      while (!finished && out.isReady()) {
        if (batch.isEmpty() && !fetch()) {
          finished = true;
          out.onCompleted();
          return;
        }
        User next = batch.poll();
        cursor = Optional.of(next.id());
        out.onNext(UserMessages.toMessage(next));
      }
    } catch (RuntimeException e) {
      if (!finished) {
        finished = true;
        out.onError(e);
      }
    }
  }

  /** Reads the next batch; false when there are no more users. */
  private boolean fetch() {
    if (lastBatchRead) {
      return false;
    }
    List<User> page = users.listAfter(cursor, pageSize);
    lastBatchRead = page.size() < pageSize;
    batch.addAll(page);
    return !page.isEmpty();
  }
}
