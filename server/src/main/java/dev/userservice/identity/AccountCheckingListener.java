package dev.userservice.identity;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The listener of a call whose client sends a stream of requests. Before each request it checks
 * the caller's account again (a cache lookup): the request runs with the account's roles as they
 * are now, and a request sent once the account is inactive ends the call with UNAUTHENTICATED.
 * The handler then sees a cancellation, so it lets go of what it holds (subscriptions, an open
 * transaction). On a stream that needs the admin role throughout (BulkCreateUsers), a request
 * sent once the role is removed ends the call with PERMISSION_DENIED the same way. Callbacks run
 * in the call's context with the current {@link Principal}.
 */
final class AccountCheckingListener<Q, R> extends ServerCall.Listener<Q> {
  private final ServerCall<Q, R> call;
  /** The call's own context, without a principal. */
  private final Context base;
  private final Supplier<Optional<Principal>> current;
  private final boolean adminOnly;
  private ServerCall.Listener<Q> delegate;
  private volatile Context context;
  private volatile boolean ended;

  private AccountCheckingListener(ServerCall<Q, R> call, Context base, Principal principal,
      Supplier<Optional<Principal>> current, boolean adminOnly) {
    this.call = call;
    this.base = base;
    this.current = current;
    this.adminOnly = adminOnly;
    this.context = base.withValue(Principal.KEY, principal);
  }

  /**
   * Starts the call's handler as {@code principal}; {@code current} says who the caller is now,
   * and {@code adminOnly} whether each request needs the admin role.
   */
  static <Q, R> ServerCall.Listener<Q> start(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next,
      Principal principal, Supplier<Optional<Principal>> current, boolean adminOnly) {
    AccountCheckingListener<Q, R> listener =
        new AccountCheckingListener<>(call, Context.current(), principal, current, adminOnly);
    Context previous = listener.context.attach();
    try {
      listener.delegate = next.startCall(call, headers);
    } finally {
      listener.context.detach(previous);
    }
    return listener;
  }

  @Override
  public void onMessage(Q message) {
    if (ended) {
      return;
    }
    Optional<Principal> now;
    try {
      now = current.get();
    } catch (RuntimeException e) {
      end(Status.fromThrowable(e));
      return;
    }
    if (now.isEmpty()) {
      end(Status.UNAUTHENTICATED.withDescription(AuthInterceptor.INACTIVE));
      return;
    }
    if (adminOnly && !now.get().isAdmin()) {
      end(Status.PERMISSION_DENIED.withDescription(AuthInterceptor.ADMIN_REQUIRED));
      return;
    }
    // a child of the call's context each time, so a long stream does not grow a chain of contexts
    context = base.withValue(Principal.KEY, now.get());
    run(() -> delegate.onMessage(message));
  }

  @Override
  public void onHalfClose() {
    if (!ended) {
      run(delegate::onHalfClose);
    }
  }

  @Override
  public void onCancel() {
    if (!ended) {
      run(delegate::onCancel);
    }
  }

  @Override
  public void onComplete() {
    if (!ended) {
      run(delegate::onComplete);
    }
  }

  @Override
  public void onReady() {
    if (!ended) {
      run(delegate::onReady);
    }
  }

  private void end(Status status) {
    ended = true;
    call.close(status, new Metadata());
    run(delegate::onCancel);
  }

  private void run(Runnable callback) {
    Context previous = context.attach();
    try {
      callback.run();
    } finally {
      context.detach(previous);
    }
  }
}
