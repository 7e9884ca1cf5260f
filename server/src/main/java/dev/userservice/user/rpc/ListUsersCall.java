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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One ListUsers stream. Users are read in id order, {@code page_size} per database round trip,
 * and written only while the client can take more: when the transport is not ready the call
 * waits for {@code onReady}. The stream never blocks the thread it writes on: every page is read
 * on a database worker, and the stream goes on writing when the page has arrived. While one page
 * is written, a worker reads the next, so the stream holds at most two pages. It reads ahead only
 * with one of the permits all streams share ({@link PageReadAhead}), held for as long as the page
 * read ahead is, and drops that page when a stall check finds no message written since the one
 * before, a stall limit earlier (so after one to two stall limits without a message), giving the
 * permit back once the page's read has ended; without a permit it reads each page when it needs
 * it. So streams that stop reading hold one page each however many there are. A cancelled call
 * reads nothing more; a page being read then ends with the call, whose context bounds its query.
 *
 * <p>All methods but the stall check run on the stream's writer, one after another, in the call's
 * context: gRPC's callbacks and a page's arrival only hand work to it. The stall check runs on the
 * timer and touches only what is shared with it: {@link #ahead}, {@link #checkingStall},
 * {@link #written} and the permits.
 */
final class ListUsersCall {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;

  private final UserRepository users;
  private final PageReadAhead readAhead;
  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private final Executor writer;
  private final int pageSize;
  private final ArrayDeque<User> batch;
  private Optional<UUID> cursor;
  /**
   * The next page, being read or read, while this stream holds a permit for it; null when no page
   * is read ahead. Whoever takes the page out gives the permit back: the stream when it takes the
   * page to write, a drop (stall check, cancel, failure) once the page's read has ended.
   */
  private final AtomicReference<CompletableFuture<List<User>>> ahead = new AtomicReference<>();
  /** The page the stream writes next, taken out of {@link #ahead} or being read for it; null while it has one to write. */
  private CompletableFuture<List<User>> next;
  /** Whether a stall check is scheduled. */
  private final AtomicBoolean checkingStall = new AtomicBoolean();
  /** Messages written so far; written on the stream's writer only, read by the stall check. */
  private volatile long written;
  private boolean lastBatchRead;
  private boolean finished;

  private ListUsersCall(UserRepository users, PageReadAhead readAhead,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out, Executor writer, int pageSize,
      Optional<UUID> cursor) {
    this.users = users;
    this.readAhead = readAhead;
    this.out = out;
    this.writer = writer;
    this.pageSize = pageSize;
    this.batch = new ArrayDeque<>(pageSize);
    this.cursor = cursor;
  }

  /**
   * Validates the request and starts streaming on {@code writer}.
   *
   * @param readAhead the permits, threads and timer for reading pages, shared by all streams
   * @param writer runs the stream's work one task after another: the event loop that read the
   *     call, where the messages are sent without a hand-off, or a sequential executor
   * @throws ValidationException for a bad page size or token
   */
  static void start(UserRepository users, PageReadAhead readAhead, ListUsersRequest request,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out, Executor writer) {
    int pageSize = pageSize(request.getPageSize());
    Optional<UUID> cursor = request.getPageToken().isEmpty()
        ? Optional.empty()
        : Optional.of(UserIds.parse(request.getPageToken()).orElseThrow(() -> new ValidationException("page_token",
            "is not a user id (expected: empty, or the id of the last user received)")));
    ListUsersCall call = new ListUsersCall(users, readAhead, out,
        Context.current().fixedContextExecutor(writer), pageSize, cursor);
    out.setOnCancelHandler(() -> call.onWriter(call::cancel));
    out.setOnReadyHandler(() -> call.onWriter(call::drain));
    call.onWriter(call::drain);
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

  private void onWriter(Runnable work) {
    try {
      writer.execute(work);
    } catch (RejectedExecutionException e) {
      // shutting down: the stream ends with the service
    }
  }

  private void cancel() {
    finished = true;
    batch.clear();
    dropAhead();
  }

  /**
   * Writes while the transport is ready: the batch, then each next page once it has arrived. A
   * page still being read ends the drain; its arrival starts the next one.
   */
  private void drain() {
    try {
      while (!finished && out.isReady()) {
        if (batch.isEmpty()) {
          if (lastBatchRead) {
            finished = true;
            out.onCompleted();
            return;
          }
          if (next == null) {
            next = takeNextPage();
            if (!next.isDone()) {
              next.whenComplete((page, failure) -> onWriter(this::drain));
            }
          }
          if (!next.isDone()) {
            return;
          }
          CompletableFuture<List<User>> arrived = next;
          next = null;
          take(contents(arrived));
          continue;
        }
        out.onNext(UserMessages.toMessage(batch.poll()));
        // only the writer writes it; on a sequential writer one drain can last seconds while the
        // client keeps up (on the event loop a drain ends once the transport's buffer is full)
        written++;
      }
    } catch (RuntimeException | Error e) {
      // the writer is not gRPC's callback executor: whatever fails here ends the call here
      if (!finished) {
        finished = true;
        dropAhead();
        out.onError(e);
      }
    }
  }

  /** The page read ahead, giving its permit back, or else a read of the next page started now. */
  private CompletableFuture<List<User>> takeNextPage() {
    CompletableFuture<List<User>> page = ahead.getAndSet(null);
    if (page != null) {
      readAhead.permits().release();
      return page;
    }
    return read(cursor);
  }

  /**
   * Takes a page that arrived into the batch and, when a permit is free, starts reading the page
   * after it.
   */
  private void take(List<User> page) {
    lastBatchRead = page.size() < pageSize;
    if (!page.isEmpty()) {
      cursor = Optional.of(page.get(page.size() - 1).id());
    }
    if (!lastBatchRead && readAhead.permits().tryAcquire()) {
      readAheadAfter(cursor.orElseThrow());
    }
    batch.addAll(page);
  }

  /** Starts reading the page after {@code after} on the read threads, in the call's context, which bounds its query. */
  private CompletableFuture<List<User>> read(Optional<UUID> after) {
    CompletableFuture<List<User>> page = new CompletableFuture<>();
    Runnable read = Context.current().wrap(() -> {
      try {
        page.complete(users.listAfter(after, pageSize));
      } catch (RuntimeException e) {
        page.completeExceptionally(e);
      }
    });
    try {
      readAhead.reads().execute(read);
    } catch (RejectedExecutionException e) {
      page.completeExceptionally(e); // shutting down
    }
    return page;
  }

  private void readAheadAfter(UUID after) {
    // whatever the read's end, the permit goes with the page
    ahead.set(read(Optional.of(after)));
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

  /** A page that has arrived; its read's failure as it was thrown. */
  private static List<User> contents(CompletableFuture<List<User>> page) {
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
