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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One ListUsers stream. Users are read in id order, {@code page_size} per database round trip,
 * and written only while the client can take more: when the transport is not ready the call
 * waits for {@code onReady}. While one page is written, a database worker reads the next, so
 * the stream holds at most two pages. It reads ahead only with one of the permits all streams
 * share ({@link PageReadAhead}), held for as long as the page read ahead is, and drops that page
 * when a stall check finds no message written since the one before, a stall limit earlier (so
 * after one to two stall limits without a message), giving the permit back once the page's read
 * has ended; without a permit it reads each page when it needs it. So streams that stop reading
 * hold one page each however many there are. A cancelled call reads nothing more; a page being
 * read then ends with the call, whose context bounds its query.
 *
 * <p>All methods but the stall check run on the call's serialized executor, so they never
 * overlap; the stall check runs on the timer and touches only what is shared with it: {@link #ahead},
 * {@link #checkingStall}, {@link #written} and the permits.
 */
final class ListUsersCall {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;

  private final UserRepository users;
  private final PageReadAhead readAhead;
  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private final int pageSize;
  private final ArrayDeque<User> batch;
  private Optional<UUID> cursor;
  /**
   * The next page, being read or read, while this stream holds a permit for it; null when no page
   * is read ahead. Whoever takes the page out gives the permit back: the stream when it takes the
   * page to write, a drop (stall check, cancel, failure) once the page's read has ended.
   */
  private final AtomicReference<CompletableFuture<List<User>>> ahead = new AtomicReference<>();
  /** Whether a stall check is scheduled. */
  private final AtomicBoolean checkingStall = new AtomicBoolean();
  /** Messages written so far; written on the call's executor only, read by the stall check. */
  private volatile long written;
  private boolean lastBatchRead;
  private boolean finished;

  private ListUsersCall(UserRepository users, PageReadAhead readAhead,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out, int pageSize, Optional<UUID> cursor) {
    this.users = users;
    this.readAhead = readAhead;
    this.out = out;
    this.pageSize = pageSize;
    this.batch = new ArrayDeque<>(pageSize);
    this.cursor = cursor;
  }

  /**
   * Validates the request and starts streaming.
   *
   * @param readAhead the permits, threads and timer for reading the next page ahead, shared by all streams
   * @throws ValidationException for a bad page size or token
   */
  static void start(UserRepository users, PageReadAhead readAhead, ListUsersRequest request,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    int pageSize = pageSize(request.getPageSize());
    Optional<UUID> cursor = request.getPageToken().isEmpty()
        ? Optional.empty()
        : Optional.of(UserIds.parse(request.getPageToken()).orElseThrow(() -> new ValidationException("page_token",
            "is not a user id (expected: empty, or the id of the last user received)")));
    ListUsersCall call = new ListUsersCall(users, readAhead, out, pageSize, cursor);
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
    dropAhead();
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
        written++; // only this executor writes it; one drain can last seconds while the client keeps up
      }
    } catch (RuntimeException e) {
      if (!finished) {
        finished = true;
        dropAhead();
        out.onError(e);
      }
    }
  }

  /**
   * Takes the next page into the batch (read ahead, or read here when it was not) and, when a
   * permit is free, starts reading the page after it; false when there are no more users.
   */
  private boolean fetch() {
    if (lastBatchRead) {
      return false;
    }
    List<User> page;
    CompletableFuture<List<User>> next = ahead.getAndSet(null);
    if (next != null) {
      readAhead.permits().release();
      page = await(next);
    } else {
      page = users.listAfter(cursor, pageSize);
    }
    lastBatchRead = page.size() < pageSize;
    if (!page.isEmpty()) {
      cursor = Optional.of(page.get(page.size() - 1).id());
    }
    if (!lastBatchRead && readAhead.permits().tryAcquire()) {
      readAheadAfter(cursor.orElseThrow());
    }
    batch.addAll(page);
    return !page.isEmpty();
  }

  private void readAheadAfter(UUID after) {
    CompletableFuture<List<User>> page = new CompletableFuture<>();
    // in the call's context: its deadline and cancellation bound the query
    Runnable read = Context.current().wrap(() -> {
      try {
        page.complete(users.listAfter(Optional.of(after), pageSize));
      } catch (RuntimeException e) {
        page.completeExceptionally(e);
      }
    });
    ahead.set(page); // before the hand-off: whatever it throws, the permit goes with the page
    try {
      readAhead.reads().execute(read);
    } catch (RejectedExecutionException e) {
      page.completeExceptionally(e); // shutting down
    }
    if (checkingStall.compareAndSet(false, true)) {
      scheduleStallCheck(written);
    }
  }

  private void scheduleStallCheck(long writtenBefore) {
    try {
      readAhead.timer().schedule(() -> checkStall(writtenBefore), readAhead.stallLimit());
    } catch (RejectedExecutionException e) {
      checkingStall.set(false); // shutting down: the stream ends with the service
    }
  }

  /**
   * On the timer: drops the page read ahead when no message was written since the last check, or
   * checks again later while the stream holds one.
   */
  private void checkStall(long writtenBefore) {
    long writtenNow = written;
    if (writtenNow == writtenBefore) {
      dropAhead();
    }
    checkingStall.set(false);
    // after clearing the flag: a page read ahead meanwhile found it set and left the check to us
    if (ahead.get() != null && checkingStall.compareAndSet(false, true)) {
      scheduleStallCheck(writtenNow);
    }
  }

  /**
   * Forgets the page read ahead, if any, and gives its permit back once its read has ended: a read
   * still running finishes unseen, and until then its page still counts against the permits.
   */
  private void dropAhead() {
    CompletableFuture<List<User>> dropped = ahead.getAndSet(null);
    if (dropped != null) {
      dropped.whenComplete((page, failure) -> readAhead.permits().release());
    }
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
