package dev.userservice.user.rpc;

import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.user.User;
import dev.userservice.user.UserIds;
import dev.userservice.user.UserMessages;
import dev.userservice.user.UserRepository;
import dev.userservice.user.ValidationException;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One ListUsers stream. Users are read in id order, {@code page_size} per database round trip,
 * and written only while the client can take more: when the transport is not ready the call
 * waits for {@code onReady}. While one page is written, a database worker reads the next, so
 * the stream holds at most two pages. A cancelled call reads nothing more; a page being read
 * then ends with the call, whose context bounds its query.
 *
 * <p>All methods run on the call's serialized executor, so they never overlap.
 */
final class ListUsersCall {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;

  private final UserRepository users;
  private final Executor reads;
  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private final int pageSize;
  private final ArrayDeque<User> batch;
  private final Optional<UUID> firstCursor;
  /** The next page, being read or read; null before the first page and after the last. */
  private CompletableFuture<List<User>> ahead;
  private boolean firstRead;
  private boolean lastBatchRead;
  private boolean finished;

  private ListUsersCall(UserRepository users, Executor reads,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out, int pageSize, Optional<UUID> cursor) {
    this.users = users;
    this.reads = reads;
    this.out = out;
    this.pageSize = pageSize;
    this.batch = new ArrayDeque<>(pageSize);
    this.firstCursor = cursor;
  }

  /**
   * Validates the request and starts streaming.
   *
   * @param reads reads the page after the one being written
   * @throws ValidationException for a bad page size or token
   */
  static void start(UserRepository users, Executor reads, ListUsersRequest request,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    int pageSize = pageSize(request.getPageSize());
    Optional<UUID> cursor = request.getPageToken().isEmpty()
        ? Optional.empty()
        : Optional.of(UserIds.parse(request.getPageToken()).orElseThrow(() -> new ValidationException("page_token",
            "is not a user id (expected: empty, or the id of the last user received)")));
    ListUsersCall call = new ListUsersCall(users, reads, out, pageSize, cursor);
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
        out.onNext(UserMessages.toMessage(batch.poll()));
      }
    } catch (RuntimeException e) {
      if (!finished) {
        finished = true;
        out.onError(e);
      }
    }
  }

  /**
   * Takes the next page into the batch (the first is read here, each later one was read ahead)
   * and starts reading the page after it; false when there are no more users.
   */
  private boolean fetch() {
    if (lastBatchRead) {
      return false;
    }
    List<User> page;
    if (!firstRead) {
      firstRead = true;
      page = users.listAfter(firstCursor, pageSize);
    } else {
      page = await(ahead);
      ahead = null;
    }
    lastBatchRead = page.size() < pageSize;
    if (!lastBatchRead) {
      readAhead(page.get(page.size() - 1).id());
    }
    batch.addAll(page);
    return !page.isEmpty();
  }

  private void readAhead(UUID after) {
    CompletableFuture<List<User>> page = new CompletableFuture<>();
    // in the call's context: its deadline and cancellation bound the query
    Runnable read = Context.current().wrap(() -> {
      try {
        page.complete(users.listAfter(Optional.of(after), pageSize));
      } catch (RuntimeException e) {
        page.completeExceptionally(e);
      }
    });
    try {
      reads.execute(read);
    } catch (RejectedExecutionException e) {
      page.completeExceptionally(e); // shutting down
    }
    ahead = page;
  }

  /** The page, once read; its read's failure as it was thrown. */
  private static List<User> await(CompletableFuture<List<User>> page) {
    try {
      return page.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }
}
