package dev.userservice.user.rpc;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.rpc.Code;
import dev.userservice.api.user.v1.BulkCreateFailure;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.db.QueryCancelledException;
import dev.userservice.db.TransactionConflictException;
import dev.userservice.observability.ServiceCounters;
import dev.userservice.user.DatabaseWorkers;
import dev.userservice.user.IdList;
import dev.userservice.user.NewUser;
import dev.userservice.user.UserIds;
import dev.userservice.user.UserRepository;
import dev.userservice.user.ValidationException;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * One BulkCreateUsers stream: users are validated as they arrive and inserted in batches of
 * {@link #BATCH_SIZE} messages, all in one transaction committed when the client half-closes.
 * A cancelled, failed or expired stream rolls back, leaving nothing.
 *
 * <p>The database writes one batch while the next one arrives: messages are validated on the
 * call's thread, batches are written in order by a writer of the stream's own. Memory stays
 * bounded: the stream asks gRPC for one batch of messages at a time and stops asking while one
 * batch is being written and the next is already full, so at most three batches are held, plus
 * 16 bytes per created id for the response, which {@link BulkCreateResult} writes out without
 * building id strings.
 *
 * <p>An invalid item, or one whose email is taken or came earlier in the stream, is skipped and
 * reported in {@code failures}, ordered by index: the first {@link BulkCreateFailures#MAX_LISTED}
 * of them, and the number of all in {@code failure_count}. A stream whose transaction loses to a
 * concurrent one (a deadlock with another stream) ends ABORTED, having stored nothing.
 */
final class BulkCreateCall implements StreamObserver<CreateUserRequest> {
  static final int BATCH_SIZE = 2000;

  private final UserRepository.BulkInsert transaction;
  private final CreateRequests createRequests;
  private final ServerCallStreamObserver<BulkCreateResult> response;
  /** Runs this stream's writes one after another, in submission order; holds a thread only while it writes. */
  private final Executor writer;
  /** Only the writer touches it. */
  private final IdList createdIds = new IdList();
  private final ServiceCounters counters;

  // guarded by this
  private final BulkCreateFailures failures = new BulkCreateFailures();
  private Batch filling = new Batch();
  /** A full batch waiting for the writer, while the stream asks for no more messages. */
  private Batch parked;
  private State state = State.RECEIVING;
  private int nextIndex;

  /** Where the stream is; it moves only through {@link #moveTo}. */
  private enum State {
    /** Messages arrive and the writer is idle. */
    RECEIVING,
    /** Messages arrive while the writer writes a batch. */
    WRITING,
    /** The client half-closed while the writer writes a batch: the last batch waits for it. */
    DRAINING,
    /** The last batch is written and the transaction committed. */
    COMMITTING,
    /** Answered, failed or cancelled: nothing more happens. */
    FINISHED;

    boolean mayMoveTo(State next) {
      return switch (this) {
        case RECEIVING -> next == WRITING || next == COMMITTING || next == FINISHED;
        case WRITING -> next == RECEIVING || next == DRAINING || next == FINISHED;
        case DRAINING -> next == COMMITTING || next == FINISHED;
        case COMMITTING -> next == FINISHED;
        case FINISHED -> false;
      };
    }
  }

  private BulkCreateCall(UserRepository users, CreateRequests createRequests, DatabaseWorkers workers,
      ServiceCounters counters, ServerCallStreamObserver<BulkCreateResult> response) {
    this.counters = counters;
    // the stream's writes run one after another on the database workers
    this.writer = MoreExecutors.newSequentialExecutor(workers.threads());
    this.transaction = users.openBulkInsert();
    this.createRequests = createRequests;
    this.response = response;
  }

  /**
   * Starts a stream; call while gRPC starts the call, as it takes over asking for messages.
   */
  static BulkCreateCall start(UserRepository users, CreateRequests createRequests, DatabaseWorkers workers,
      ServiceCounters counters, ServerCallStreamObserver<BulkCreateResult> response) {
    response.disableAutoRequest();
    BulkCreateCall call = new BulkCreateCall(users, createRequests, workers, counters, response);
    // the context ends however the call ends; gRPC tells the handler only of some endings (not
    // of a close by an interceptor), and nothing of the stream may stay after any of them
    Context.current().addListener(context -> call.onError(context.cancellationCause()),
        MoreExecutors.directExecutor());
    response.request(BATCH_SIZE);
    return call;
  }

  @Override
  public void onNext(CreateUserRequest request) {
    // validated (a password hashed) outside the lock, which the writer takes between batches
    NewUser user = null;
    ValidationException invalid = null;
    try {
      user = createRequests.toNewUser(request, false);
    } catch (ValidationException e) {
      invalid = e;
    }
    accept(user, invalid);
  }

  private synchronized void accept(NewUser user, ValidationException invalid) {
    if (state == State.FINISHED) {
      return;
    }
    int index = nextIndex++;
    if (invalid == null) {
      filling.add(index, user);
    } else {
      failures.add(failure(index, Code.INVALID_ARGUMENT, invalid.getMessage()));
      filling.skip();
    }
    if (filling.messages < BATCH_SIZE) {
      return;
    }
    Batch full = filling;
    filling = new Batch();
    if (state == State.RECEIVING) {
      moveTo(State.WRITING);
      write(full);
    } else {
      parked = full;
    }
  }

  @Override
  public synchronized void onError(Throwable cancelled) {
    // the client cancelled or the deadline passed: nothing of the stream stays
    if (state == State.FINISHED) {
      return;
    }
    moveTo(State.FINISHED);
    // after any write in progress, which the cancelled call's context stops in the database
    writer.execute(transaction::close);
  }

  @Override
  public synchronized void onCompleted() {
    if (state == State.RECEIVING) {
      writeLast();
    } else if (state == State.WRITING) {
      moveTo(State.DRAINING);
    }
  }

  /** Hands a full batch to the writer and asks for the next one. */
  private void write(Batch batch) {
    writer.execute(Context.current().wrap(() -> {
      if (insertOrFail(batch)) {
        written();
      }
    }));
    response.request(BATCH_SIZE);
  }

  private synchronized void written() {
    if (state == State.FINISHED) {
      return;
    }
    if (parked != null) {
      Batch next = parked;
      parked = null;
      write(next);
    } else if (state == State.DRAINING) {
      writeLast();
    } else {
      moveTo(State.RECEIVING);
    }
  }

  /** Writes what is left, commits and answers. */
  private void writeLast() {
    moveTo(State.COMMITTING);
    Batch last = filling;
    filling = new Batch();
    writer.execute(Context.current().wrap(() -> {
      if (insertOrFail(last)) {
        commitAndAnswer();
      }
    }));
  }

  private void commitAndAnswer() {
    if (Context.current().isCancelled()) {
      fail(new QueryCancelledException("call ended before the commit", Context.current().cancellationCause()));
      return;
    }
    try {
      transaction.commit();
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    counters.bulkRowsWritten(createdIds.size());
    List<BulkCreateFailure> skipped;
    int skippedCount;
    synchronized (this) {
      if (state == State.FINISHED) {
        return;
      }
      moveTo(State.FINISHED);
      skipped = failures.listed();
      skippedCount = failures.count();
    }
    transaction.close();
    response.onNext(new BulkCreateResult(createdIds, skipped, skippedCount));
    response.onCompleted();
  }

  /** Runs on the writer; false when the stream has ended or the insert failed it. */
  private boolean insertOrFail(Batch batch) {
    synchronized (this) {
      if (state == State.FINISHED) {
        return false;
      }
    }
    if (batch.users.isEmpty()) {
      return true;
    }
    boolean[] stored;
    try {
      stored = transaction.insert(batch.ids, batch.users);
    } catch (RuntimeException e) {
      fail(e);
      return false;
    }
    List<BulkCreateFailure> duplicates = new ArrayList<>();
    for (int i = 0; i < stored.length; i++) {
      if (stored[i]) {
        createdIds.add(batch.ids.get(i));
      } else {
        duplicates.add(failure(batch.indexes.get(i), Code.ALREADY_EXISTS,
            "email: a user with this email already exists, or it came earlier in the stream"));
      }
    }
    synchronized (this) {
      duplicates.forEach(failures::add);
    }
    return true;
  }

  /** Runs on the writer: ends the call with the error's status and rolls back. */
  private void fail(RuntimeException e) {
    synchronized (this) {
      if (state == State.FINISHED) {
        transaction.close();
        return;
      }
      moveTo(State.FINISHED);
      parked = null;
      filling = new Batch();
    }
    transaction.close();
    if (e instanceof TransactionConflictException) {
      // a stream cannot be replayed by the service: its messages are gone; the client can
      e = new TransactionConflictException("BulkCreateUsers: the stream's transaction lost to a concurrent"
          + " one (deadlock or lock timeout) and was rolled back; nothing of the stream was stored, send it again", e);
    }
    response.onError(e);
  }

  /** The one place the state changes; a move the lifecycle does not have is a bug. */
  private void moveTo(State next) {
    assert Thread.holdsLock(this);
    if (!state.mayMoveTo(next)) {
      throw new IllegalStateException("BulkCreateUsers stream: " + state + " -> " + next
          + " (expected a move the stream's lifecycle has)");
    }
    state = next;
  }

  private static BulkCreateFailure failure(int index, Code code, String message) {
    return BulkCreateFailure.newBuilder().setIndex(index).setCode(code.getNumber()).setMessage(message).build();
  }

  /** The valid users of up to {@link #BATCH_SIZE} consecutive messages. */
  private static final class Batch {
    final List<UUID> ids = new ArrayList<>();
    final List<NewUser> users = new ArrayList<>();
    final List<Integer> indexes = new ArrayList<>();
    int messages;

    void add(int index, NewUser user) {
      ids.add(UserIds.next());
      users.add(user);
      indexes.add(index);
      messages++;
    }

    void skip() {
      messages++;
    }
  }
}
