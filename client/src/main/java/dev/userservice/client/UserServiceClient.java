package dev.userservice.client;

import static java.util.Objects.requireNonNull;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.auth.v1.LoginResponse;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import io.grpc.CallCredentials;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A client of user-service that callers can rely on: every call has a deadline (per-method
 * defaults from {@link ClientMethod}, overridable in the builder and per call), UNAVAILABLE is
 * retried with backoff and jitter through grpc's service config (never DEADLINE_EXCEEDED, and
 * all attempts inside the call's one deadline), CreateUser carries a {@code request_id} so a
 * retry cannot create twice, {@link #listUsers} resumes after a transient failure, and failures
 * surface as {@link UserServiceException} and its subclasses.
 *
 * <p>Build one with {@link #builder(String)}, share it (it is thread-safe and holds one
 * channel with its connections) and {@link #close()} it when done.
 */
public final class UserServiceClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final UserServiceGrpc.UserServiceBlockingStub blocking;
  private final UserServiceGrpc.UserServiceStub async;
  private final AuthServiceGrpc.AuthServiceBlockingStub auth;
  private final Map<ClientMethod, Duration> deadlines;
  private final int listReopens;
  private final Duration closeTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  UserServiceClient(ManagedChannel channel, CallCredentials credentials, Map<ClientMethod, Duration> deadlines,
      int listReopens, Duration closeTimeout) {
    this.channel = channel;
    this.blocking = withCredentials(UserServiceGrpc.newBlockingStub(channel), credentials);
    this.async = withCredentials(UserServiceGrpc.newStub(channel), credentials);
    this.auth = withCredentials(AuthServiceGrpc.newBlockingStub(channel), credentials);
    this.deadlines = Map.copyOf(deadlines);
    this.listReopens = listReopens;
    this.closeTimeout = closeTimeout;
  }

  /**
   * A builder for a client of the service at {@code target}: {@code host:port}, or
   * {@code dns:///name:port} to spread calls round-robin over every address the name has.
   */
  public static UserServiceClientBuilder builder(String target) {
    return new UserServiceClientBuilder(target);
  }

  private static <S extends AbstractStub<S>> S withCredentials(S stub, CallCredentials credentials) {
    return credentials == null ? stub : stub.withCallCredentials(credentials);
  }

  /** Returns the user with this id; {@link NotFoundException} when there is none. */
  public User getUser(String userId) {
    return getUser(userId, deadlines.get(ClientMethod.GET_USER));
  }

  /** Like {@link #getUser(String)}, with this call's own deadline. */
  public User getUser(String userId, Duration timeout) {
    requireNonNull(userId, "userId");
    GetUserRequest request = GetUserRequest.newBuilder().setUserId(userId).build();
    try {
      return withTimeout(blocking, timeout).getUser(request);
    } catch (StatusRuntimeException e) {
      throw ClientErrors.translate(e);
    }
  }

  /**
   * Creates a user. Without a {@code request_id} in the request, a random one is set, so a
   * retry after a lost response returns the user the first attempt created.
   *
   * @throws InvalidArgumentException with every bad field
   * @throws AlreadyExistsException when the email is taken
   */
  public User createUser(CreateUserRequest request) {
    return createUser(request, deadlines.get(ClientMethod.CREATE_USER));
  }

  /** Like {@link #createUser(CreateUserRequest)}, with this call's own deadline. */
  public User createUser(CreateUserRequest request, Duration timeout) {
    requireNonNull(request, "request");
    CreateUserRequest idempotent = request.getRequestId().isEmpty()
        ? request.toBuilder().setRequestId(UUID.randomUUID().toString()).build()
        : request;
    try {
      return withTimeout(blocking, timeout).createUser(idempotent);
    } catch (StatusRuntimeException e) {
      throw ClientErrors.translate(e);
    }
  }

  /**
   * Every user in id (creation) order, read {@code pageSize} per database round trip (0: the
   * service's default). The stream is lazy; close it (try-with-resources) to stop early. After
   * UNAVAILABLE mid-stream the listing reopens after the last user delivered, a bounded number
   * of times; the deadline covers the whole listing. A failure surfaces from the stream's
   * operations as a {@link UserServiceException}.
   */
  public Stream<User> listUsers(int pageSize) {
    return listUsers(pageSize, deadlines.get(ClientMethod.LIST_USERS));
  }

  /** Like {@link #listUsers(int)}, with this listing's own deadline. */
  public Stream<User> listUsers(int pageSize, Duration timeout) {
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize: " + pageSize + " (expected: >= 0, 0 for the service's default)");
    }
    ResumableListing listing = new ResumableListing(blocking, pageSize, deadline(timeout), listReopens);
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(listing, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(listing::close);
  }

  /**
   * Creates users from {@code requests} in one transaction (needs the {@code admin} role).
   * Requests are read as the connection can send them. Invalid and duplicate items are skipped
   * and listed in the response's failures (the first 1,000 by index; {@code getFailureCount()}
   * counts all). Not retried: a retry after a lost response would
   * report every item as taken.
   */
  public BulkCreateResponse bulkCreateUsers(Iterable<CreateUserRequest> requests) {
    return bulkCreateUsers(requests, deadlines.get(ClientMethod.BULK_CREATE_USERS));
  }

  /** Like {@link #bulkCreateUsers(Iterable)}, with this call's own deadline. */
  public BulkCreateResponse bulkCreateUsers(Iterable<CreateUserRequest> requests, Duration timeout) {
    requireNonNull(requests, "requests");
    BulkUpload upload = new BulkUpload(requests.iterator());
    withTimeout(async, timeout).bulkCreateUsers(upload);
    return upload.await();
  }

  /**
   * Opens a UserUpdates stream: each request sent on the returned observer is answered on
   * {@code responses} with the user as stored, followed by later changes of the users it
   * touched. The stream ends by the deadline at the latest; its error reaches
   * {@code responses.onError} as a {@link UserServiceException}.
   */
  public StreamObserver<UserUpdateRequest> userUpdates(StreamObserver<User> responses) {
    return userUpdates(responses, deadlines.get(ClientMethod.USER_UPDATES));
  }

  /** Like {@link #userUpdates(StreamObserver)}, with this stream's own deadline. */
  public StreamObserver<UserUpdateRequest> userUpdates(StreamObserver<User> responses, Duration timeout) {
    requireNonNull(responses, "responses");
    return withTimeout(async, timeout).userUpdates(new TranslatingObserver<>(responses));
  }

  /**
   * Exchanges an email and password for an access token.
   *
   * @throws UnauthenticatedException when they do not match a user
   */
  public LoginResponse login(String email, String password) {
    return login(email, password, deadlines.get(ClientMethod.LOGIN));
  }

  /** Like {@link #login(String, String)}, with this call's own deadline. */
  public LoginResponse login(String email, String password, Duration timeout) {
    requireNonNull(email, "email");
    requireNonNull(password, "password");
    LoginRequest request = LoginRequest.newBuilder().setEmail(email).setPassword(password).build();
    try {
      return withTimeout(auth, timeout).login(request);
    } catch (StatusRuntimeException e) {
      throw ClientErrors.translate(e);
    }
  }

  /**
   * Shuts the channel down, lets calls in flight finish within the close timeout, then
   * cancels the rest. Later calls fail; closing again does nothing.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(closeTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        channel.shutdownNow();
        channel.awaitTermination(closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static <S extends AbstractStub<S>> S withTimeout(S stub, Duration timeout) {
    return stub.withDeadline(deadline(timeout));
  }

  private static Deadline deadline(Duration timeout) {
    UserServiceClientBuilder.checkTimeout("timeout", timeout);
    return Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Hands a stream's responses on, its error as the client's exception. */
  private static final class TranslatingObserver<T> implements StreamObserver<T> {
    private final StreamObserver<T> delegate;

    TranslatingObserver(StreamObserver<T> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onNext(T value) {
      delegate.onNext(value);
    }

    @Override
    public void onError(Throwable t) {
      delegate.onError(ClientErrors.translate(t));
    }

    @Override
    public void onCompleted() {
      delegate.onCompleted();
    }
  }
}
