package dev.userservice.user;

import com.google.rpc.Code;
import dev.userservice.api.user.v1.BulkCreateFailure;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.observability.ErrorMapper;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One BulkCreateUsers stream: users are validated as they arrive and inserted in batches of
 * {@link #BATCH_SIZE}, all in one transaction committed when the client half-closes. A
 * cancelled, failed or expired stream rolls back, leaving nothing.
 *
 * <p>An invalid item, or one whose email is taken or came earlier in the stream, is skipped and
 * reported in {@code failures}. Memory stays bounded: gRPC asks for the next message only after
 * this one is handled, so at most one batch of requests is held, plus 16 bytes per created id
 * for the response, which {@link BulkCreateResult} writes out without building id strings.
 *
 * <p>gRPC calls these methods one at a time, so the class needs no locking.
 */
final class BulkCreateCall implements StreamObserver<CreateUserRequest> {
  static final int BATCH_SIZE = 500;

  private final UserRepository.BulkInsert transaction;
  private final CreateRequests createRequests;
  private final StreamObserver<BulkCreateResult> response;
  private final List<UUID> pendingIds = new ArrayList<>(BATCH_SIZE);
  private final List<NewUser> pendingUsers = new ArrayList<>(BATCH_SIZE);
  private final List<Integer> pendingIndexes = new ArrayList<>(BATCH_SIZE);
  private final IdList createdIds = new IdList();
  private final List<BulkCreateFailure> failures = new ArrayList<>();
  private int nextIndex;
  private boolean finished;

  BulkCreateCall(UserRepository users, CreateRequests createRequests, StreamObserver<BulkCreateResult> response) {
    this.transaction = users.openBulkInsert();
    this.createRequests = createRequests;
    this.response = response;
  }

  @Override
  public void onNext(CreateUserRequest request) {
    if (finished) {
      return;
    }
    int index = nextIndex++;
    try {
      NewUser user = createRequests.toNewUser(request, false);
      pendingIds.add(UserIds.next());
      pendingUsers.add(user);
      pendingIndexes.add(index);
    } catch (ValidationException e) {
      failures.add(failure(index, Code.INVALID_ARGUMENT, e.getMessage()));
      return;
    }
    if (pendingUsers.size() >= BATCH_SIZE) {
      flushOrFail();
    }
  }

  @Override
  public void onError(Throwable cancelled) {
    // the client cancelled or the deadline passed: nothing of the stream stays
    finish();
  }

  @Override
  public void onCompleted() {
    if (finished || !flushOrFail()) {
      return;
    }
    try {
      transaction.commit();
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    finish();
    response.onNext(new BulkCreateResult(createdIds, failures));
    response.onCompleted();
  }

  private boolean flushOrFail() {
    try {
      flush();
      return true;
    } catch (RuntimeException e) {
      fail(e);
      return false;
    }
  }

  private void flush() {
    if (pendingUsers.isEmpty()) {
      return;
    }
    boolean[] stored = transaction.insert(pendingIds, pendingUsers);
    for (int i = 0; i < stored.length; i++) {
      if (stored[i]) {
        createdIds.add(pendingIds.get(i));
      } else {
        failures.add(failure(pendingIndexes.get(i), Code.ALREADY_EXISTS,
            "email: a user with this email already exists, or it came earlier in the stream"));
      }
    }
    pendingIds.clear();
    pendingUsers.clear();
    pendingIndexes.clear();
  }

  private void fail(RuntimeException e) {
    finish();
    response.onError(ErrorMapper.toStatusException(e));
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    pendingIds.clear();
    pendingUsers.clear();
    pendingIndexes.clear();
    transaction.close();
  }

  private static BulkCreateFailure failure(int index, Code code, String message) {
    return BulkCreateFailure.newBuilder().setIndex(index).setCode(code.getNumber()).setMessage(message).build();
  }
}
