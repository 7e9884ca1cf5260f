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
import java.util.concurrent.Semaphore;

/**
 * One ListUsers stream. Users are read in id order, {@code page_size} per database round trip,
 * and written only while the client can take more: when the transport is not ready the call
 * waits for {@code onReady}. While one page is written, a database worker reads the next, so
 * the stream holds at most two pages; a stream reads ahead only while it holds one of a few
 * permits that all streams share ({@link #MOST_READING_AHEAD}), otherwise it reads each page
 * when it needs it, so streams that stop reading hold one page each however many there are. A
 * cancelled call reads nothing more; a page being read then ends with the call, whose context
 * bounds its query.
 *
 * <p>All methods run on the call's serialized executor, so they never overlap.
 */
final class ListUsersCall {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;
  /** Streams that may read a page ahead at once, in the whole service: a page more each. */
  static final int MOST_READING_AHEAD = 8;

  private final UserRepository users;
  private final Executor reads;
  private final Semaphore readingAhead;
  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private final int pageSize;
  private final ArrayDeque<User> batch;
  private Optional<UUID> cursor;
  /** The next page, being read or read; null when no page is read ahead. */
  private CompletableFuture<List<User>> ahead;
  private boolean holdsPermit;
  private boolean lastBatchRead;
  private boolean finished;

  private ListUsersCall(UserRepository users, Executor reads, Semaphore readingAhead,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out, int pageSize, Optional<UUID> cursor) {
    this.users = users;
    this.reads = reads;
    this.readingAhead = readingAhead;
    this.out = out;
    this.pageSize = pageSize;
    this.batch = new ArrayDeque<>(pageSize);
    this.cursor = cursor;
  }

  /**
   * Validates the request and starts streaming.
   *
   * @param reads reads the page after the one being written
   * @param readingAhead the permits to read ahead, shared by all streams
   * @throws ValidationException for a bad page size or token
   */
  static void start(UserRepository users, Executor reads, Semaphore readingAhead, ListUsersRequest request,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    int pageSize = pageSize(request.getPageSize());
    Optional<UUID> cursor = request.getPageToken().isEmpty()
        ? Optional.empty()
        : Optional.of(UserIds.parse(request.getPageToken()).orElseThrow(() -> new ValidationException("page_token",
            "is not a user id (expected: empty, or the id of the last user received)")));
    ListUsersCall call = new ListUsersCall(users, reads, readingAhead, out, pageSize, cursor);
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
    releasePermit();
  }

  private void drain() {
    try {
      while (!finished && out.isReady()) {
        if (batch.isEmpty() && !fetch()) {
          finished = true;
          releasePermit();
          out.onCompleted();
          return;
        }
        out.onNext(UserMessages.toMessage(batch.poll()));
      }
    } catch (RuntimeException e) {
      if (!finished) {
        finished = true;
        releasePermit();
        out.onError(e);
      }
    }
  }

  /**
   * Takes the next page into the batch (read ahead, or read here when it was not) and, holding a
   * permit, starts reading the page after it; false when there are no more users.
   */
  private boolean fetch() {
    if (lastBatchRead) {
      return false;
    }
    List<User> page;
    if (ahead != null) {
      page = await(ahead);
      ahead = null;
    } else {
      page = users.listAfter(cursor, pageSize);
    }
    lastBatchRead = page.size() < pageSize;
    if (!page.isEmpty()) {
      cursor = Optional.of(page.get(page.size() - 1).id());
    }
    if (!lastBatchRead && holdPermit()) {
      readAhead(cursor.orElseThrow());
    } else {
      releasePermit();
    }
    batch.addAll(page);
    return !page.isEmpty();
  }

  /** Whether this stream holds a permit to read ahead, taking one when it has none and one is free. */
  private boolean holdPermit() {
    if (!holdsPermit) {
      holdsPermit = readingAhead.tryAcquire();
    }
    return holdsPermit;
  }

  private void releasePermit() {
    if (holdsPermit) {
      holdsPermit = false;
      readingAhead.release();
    }
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
