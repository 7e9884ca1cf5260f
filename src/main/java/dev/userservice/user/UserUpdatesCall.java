package dev.userservice.user;

import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.auth.PermissionDeniedException;
import dev.userservice.auth.Principal;
import dev.userservice.observability.ErrorMapper;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.UUID;

/**
 * One UserUpdates stream: each request is applied in arrival order and answered with the user as
 * stored. A request that carries only {@code user_id} changes nothing and is answered with the
 * user's current state. The first error (unknown user, invalid field, stale etag) ends the
 * stream with its status, and so does a request for another user than the caller's own, unless
 * the caller has the {@code admin} role (PERMISSION_DENIED).
 *
 * <p>Requests are pulled one at a time, and the next only once the client has taken the
 * previous answer, so a client that sends without reading cannot make the server buffer.
 */
final class UserUpdatesCall implements StreamObserver<UserUpdateRequest> {
  private final UserRepository users;
  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private boolean finished;
  private boolean wantsNext;

  private UserUpdatesCall(UserRepository users, ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    this.users = users;
    this.out = out;
  }

  static UserUpdatesCall start(UserRepository users, ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    UserUpdatesCall call = new UserUpdatesCall(users, out);
    out.disableAutoRequest();
    out.setOnCancelHandler(() -> call.finished = true);
    out.setOnReadyHandler(call::requestNextIfReady);
    out.request(1);
    return call;
  }

  @Override
  public void onNext(UserUpdateRequest request) {
    if (finished) {
      return;
    }
    User updated;
    try {
      UUID id = UserServiceImpl.parseId("user_id", request.getUserId());
      requireMayChange(id);
      UserChanges changes = UpdateRequests.toChanges(request);
      updated = users.update(id, changes);
    } catch (RuntimeException e) {
      finished = true;
      out.onError(ErrorMapper.toStatusException(e));
      return;
    }
    out.onNext(UserMessages.toMessage(updated));
    wantsNext = true;
    requestNextIfReady();
  }

  /** A caller may update, or follow, only its own user unless it is an admin. */
  private static void requireMayChange(UUID id) {
    Principal caller = Principal.current()
        .orElseThrow(() -> new PermissionDeniedException("no authenticated caller"));
    if (!caller.mayChange(id.toString())) {
      throw new PermissionDeniedException("a caller may update only its own user (role 'admin' may update any)");
    }
  }

  private void requestNextIfReady() {
    if (!finished && wantsNext && out.isReady()) {
      wantsNext = false;
      out.request(1);
    }
  }

  @Override
  public void onError(Throwable cancelled) {
    finished = true;
  }

  @Override
  public void onCompleted() {
    if (finished) {
      return;
    }
    finished = true;
    out.onCompleted();
  }
}
