package dev.userservice.user.rpc;

import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.identity.AccountStates;
import dev.userservice.identity.PermissionDeniedException;
import dev.userservice.identity.Principal;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserRepository;
import dev.userservice.user.changes.ChangeHub;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One UserUpdates stream. Each request is applied in arrival order and answered with the user as
 * stored; a request that carries only {@code user_id} changes nothing and is answered with the
 * user's current state. Every user a request names is also followed: later changes to it, made
 * by this stream, another stream, a unary call or another replica, are sent too (see
 * {@link UpdateStreamSender} for order and slow readers). The first error (unknown user, invalid
 * field, stale etag, or without the {@code admin} role another user's id or a change of status or
 * roles) ends the stream with its status. A followed change is sent only while the caller's
 * account still allows it (active, and its own user or still an admin). When the client
 * half-closes, the stream completes after its last answer, as clients of the original contract
 * expect; a client that wants changes keeps its side open.
 *
 * <p>Requests are pulled one at a time, and the next only once the client can take more, so a
 * client that sends without reading cannot make the server buffer.
 */
final class UserUpdatesCall implements StreamObserver<UserUpdateRequest> {
  /** Most users one stream may follow. */
  static final int MAX_SUBSCRIPTIONS = 1000;

  private final UserRepository users;
  private final ChangeHub hub;
  private final AccountStates accounts;
  /** The caller as the stream began, if it had a token. */
  private final Optional<Principal> caller;
  private final ServerCallStreamObserver<dev.userservice.api.user.v1.User> out;
  private final UpdateStreamSender sender;
  private final Map<UUID, ChangeHub.Subscription> subscriptions = new HashMap<>();
  private volatile boolean finished;
  private volatile boolean wantsNext;

  private UserUpdatesCall(UserRepository users, ChangeHub hub, AccountStates accounts,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    this.users = users;
    this.hub = hub;
    this.accounts = accounts;
    this.caller = Principal.current();
    this.out = out;
    this.sender = new UpdateStreamSender(out);
  }

  static UserUpdatesCall start(UserRepository users, ChangeHub hub, AccountStates accounts,
      ServerCallStreamObserver<dev.userservice.api.user.v1.User> out) {
    UserUpdatesCall call = new UserUpdatesCall(users, hub, accounts, out);
    out.disableAutoRequest();
    out.setOnCancelHandler(call::cancelled);
    out.setOnReadyHandler(call::onReady);
    out.request(1);
    return call;
  }

  @Override
  public void onNext(UserUpdateRequest request) {
    if (finished) {
      return;
    }
    UUID id = null;
    try {
      id = UserServiceImpl.parseId("user_id", request.getUserId());
      requireMayChange(id);
      UserChanges changes = UpdateRequests.toChanges(request);
      requireMayChangeAccess(changes);
      subscribe(id);
      sender.beginOwnUpdate(id);
      sender.answer(users.update(id, changes));
    } catch (RuntimeException e) {
      end(e);
      return;
    }
    wantsNext = true;
    requestNextIfReady();
  }

  /** A caller may update, or follow, only its own user unless it is an admin. */
  private static void requireMayChange(UUID id) {
    Principal caller = Principal.current()
        .orElseThrow(() -> new PermissionDeniedException("no authenticated caller"));
    if (!caller.mayChange(id.toString())) {
      throw new PermissionDeniedException(
          "a caller may update or follow only its own user (role 'admin' may update or follow any)");
    }
  }

  /** Only an admin may change a status or roles, even its own: a user must not reactivate or promote itself. */
  private static void requireMayChangeAccess(UserChanges changes) {
    if (changes.changesAccess() && !Principal.current().map(Principal::isAdmin).orElse(false)) {
      throw new PermissionDeniedException("changing 'status' or 'roles' needs the 'admin' role");
    }
  }

  private void subscribe(UUID id) {
    if (subscriptions.containsKey(id)) {
      return;
    }
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription("a stream may follow at most " + MAX_SUBSCRIPTIONS + " users")
          .asRuntimeException();
    }
    subscriptions.put(id, hub.subscribe(id, change -> {
      if (mayStillFollow(id)) {
        sender.offer(change);
      }
    }));
  }

  /**
   * Whether the caller, as its account is now, may still see changes of {@code id}: it is
   * active, and the user is its own or it is still an admin. A caller that is no local user keeps
   * what its token allowed. Runs on the thread that delivers the change; a cache lookup.
   */
  private boolean mayStillFollow(UUID id) {
    try {
      return caller.flatMap(accounts::principalNow).map(now -> now.mayChange(id.toString())).orElse(false);
    } catch (RuntimeException e) {
      return false; // the account cannot be read now: withhold rather than leak
    }
  }

  private void onReady() {
    sender.drain();
    requestNextIfReady();
  }

  private void requestNextIfReady() {
    if (!finished && wantsNext && out.isReady()) {
      wantsNext = false;
      out.request(1);
    }
  }

  @Override
  public void onError(Throwable cancelled) {
    cancelled();
  }

  @Override
  public void onCompleted() {
    if (finished) {
      return;
    }
    finished = true;
    unsubscribeAll();
    sender.complete();
  }

  private void end(RuntimeException error) {
    finished = true;
    unsubscribeAll();
    sender.fail(error);
  }

  private void cancelled() {
    finished = true;
    unsubscribeAll();
    sender.cancelled();
  }

  private void unsubscribeAll() {
    // runs on the call's serialized executor, like subscribe()
    subscriptions.values().forEach(ChangeHub.Subscription::close);
    subscriptions.clear();
  }
}
