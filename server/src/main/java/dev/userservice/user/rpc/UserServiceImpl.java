package dev.userservice.user.rpc;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.MoreExecutors;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.identity.AccountStates;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.identity.PermissionDeniedException;
import dev.userservice.identity.Principal;
import dev.userservice.observability.ServiceCounters;
import dev.userservice.user.DatabaseWorkers;
import dev.userservice.user.NewUser;
import dev.userservice.user.User;
import dev.userservice.user.UserIds;
import dev.userservice.user.UserMessages;
import dev.userservice.user.UserNotFoundException;
import dev.userservice.user.UserRepository;
import dev.userservice.user.ValidationException;
import dev.userservice.user.batching.CallAnswer;
import dev.userservice.user.batching.UserCreates;
import dev.userservice.user.batching.UserLookups;
import dev.userservice.user.changes.ChangeHub;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;

/** The {@code user.v1.UserService} RPCs: requests in, domain calls, messages out. */
public final class UserServiceImpl implements UserServiceGrpc.AsyncService, BindableService {
  /** Users a BulkCreateUsers stream writes to the database at a time, as many messages as it asks the transport for. */
  public static final int BULK_BATCH_SIZE = BulkCreateCall.BATCH_SIZE;

  /**
   * Methods whose handlers hand their database work and password hashing off and never block the
   * calling thread: GetUser's lookups and CreateUser's inserts go to the batchers, a password to
   * the hashing threads (refused at once when they are full), ListUsers' page reads to the
   * database workers.
   */
  public static final Set<String> NON_BLOCKING_METHODS = Set.of(UserServiceGrpc.getGetUserMethod().getFullMethodName(),
      UserServiceGrpc.getCreateUserMethod().getFullMethodName(), UserServiceGrpc.getListUsersMethod().getFullMethodName());

  private final UserRepository users;
  private final PasswordHasher hasher;
  private final CreateRequests createRequests;
  private final ChangeHub changes;
  private final UserLookups lookups;
  private final UserCreates creates;
  private final AccountStates accounts;
  private final DatabaseWorkers workers;
  private final ServiceCounters counters;
  /** What ListUsers streams share to read a page ahead: a few pages at once, so that streams nobody reads hold a page each. */
  private final PageReadAhead listReadAhead;

  /** A service whose UserUpdates streams see the changes published to {@code changes}. */
  public UserServiceImpl(UserRepository users, PasswordHasher hasher, ChangeHub changes, DatabaseWorkers workers) {
    this(users, hasher, changes, AccountStates.NONE, workers);
  }

  /**
   * A service whose UserUpdates streams see the changes published to {@code changes}, each sent
   * only while {@code accounts} says the stream's caller may still see it.
   */
  public UserServiceImpl(UserRepository users, PasswordHasher hasher, ChangeHub changes, AccountStates accounts,
      DatabaseWorkers workers) {
    this(users, hasher, changes, accounts, workers, ServiceCounters.none());
  }

  /** Like the service above, counting the users BulkCreateUsers writes in {@code counters}. */
  public UserServiceImpl(UserRepository users, PasswordHasher hasher, ChangeHub changes, AccountStates accounts,
      DatabaseWorkers workers, ServiceCounters counters) {
    this.counters = requireNonNull(counters, "counters");
    this.workers = requireNonNull(workers, "workers");
    this.listReadAhead = PageReadAhead.on(workers);
    this.accounts = requireNonNull(accounts, "accounts");
    this.users = requireNonNull(users, "users");
    this.hasher = requireNonNull(hasher, "hasher");
    this.createRequests = new CreateRequests(hasher);
    this.changes = requireNonNull(changes, "changes");
    // one lookup query at a time: the lookups that arrive while it runs share the next one, and a
    // lookup by primary key is short; insert transactions wait on commits, so as many as the
    // cores (at least two) run at once. While they run, the next calls queue up.
    this.lookups = new UserLookups(users, workers, 1);
    this.creates = new UserCreates(users, hasher, workers, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  /** A service whose streams see only their own updates (nothing publishes to its hub). */
  public UserServiceImpl(UserRepository users, PasswordHasher hasher, DatabaseWorkers workers) {
    this(users, hasher, new ChangeHub(), workers);
  }

  @Override
  public void getUser(GetUserRequest request, StreamObserver<dev.userservice.api.user.v1.User> response) {
    CallAnswer<User> reply = replyingTo(response);
    UUID id;
    try {
      id = parseId("user_id", request.getUserId());
    } catch (RuntimeException e) {
      reply.failed(e);
      return;
    }
    lookups.find(id, new CallAnswer<>() {
      @Override
      public void succeeded(Optional<User> user) {
        user.ifPresentOrElse(reply::succeeded, () -> reply.failed(new UserNotFoundException(id)));
      }

      @Override
      public void failed(RuntimeException e) {
        reply.failed(e);
      }
    });
  }

  /**
   * Validates on the calling thread; a password is hashed on a hashing thread, or the call is
   * refused at once with UNAVAILABLE when hashing is at capacity.
   */
  @Override
  public void createUser(CreateUserRequest request, StreamObserver<dev.userservice.api.user.v1.User> response) {
    CallAnswer<User> reply = replyingTo(response);
    NewUser user;
    try {
      user = createRequests.validated(request, true);
    } catch (RuntimeException e) {
      reply.failed(e);
      return;
    }
    if (request.getPassword().isEmpty()) {
      creates.create(UserIds.next(), user, "", reply);
      return;
    }
    try {
      hasher.execute(() -> createHashed(user, request.getPassword(), reply));
    } catch (RuntimeException e) {
      reply.failed(e);
    }
  }

  private void createHashed(NewUser user, String password, CallAnswer<User> reply) {
    if (Context.current().isCancelled()) {
      return; // the caller gave up while the create waited: spend no hash on it
    }
    NewUser hashed;
    try {
      hashed = createRequests.hashed(user, password);
    } catch (RuntimeException e) {
      reply.failed(e);
      return;
    }
    creates.create(UserIds.next(), hashed, password, reply);
  }

  /** Answers a unary call with the user, or with the status its failure maps to. */
  private static CallAnswer<User> replyingTo(StreamObserver<dev.userservice.api.user.v1.User> response) {
    return new CallAnswer<>() {
      @Override
      public void succeeded(User user) {
        response.onNext(UserMessages.toMessage(user));
        response.onCompleted();
      }

      @Override
      public void failed(RuntimeException e) {
        response.onError(e);
      }
    };
  }

  @Override
  public void listUsers(ListUsersRequest request, StreamObserver<dev.userservice.api.user.v1.User> response) {
    ServerCallStreamObserver<dev.userservice.api.user.v1.User> out =
        (ServerCallStreamObserver<dev.userservice.api.user.v1.User>) response;
    if (!Principal.current().map(Principal::mayListUsers).orElse(false)) {
      // every user's email: for administrators and calling services, not for any account
      out.onError(new PermissionDeniedException("ListUsers needs the 'admin' or 'service' role"));
      return;
    }
    // the event loop that read the call writes its messages; off one, a sequential executor
    Executor writer = workers.loops().current()
        .orElseGet(() -> MoreExecutors.newSequentialExecutor(workers.threads()));
    try {
      ListUsersCall.start(users, listReadAhead, request, out, writer);
    } catch (RuntimeException e) {
      out.onError(e);
    }
  }

  /** The service with BulkCreateUsers answering through {@link BulkCreateResult}'s own encoding. */
  @Override
  public ServerServiceDefinition bindService() {
    return BulkCreateBinding.bind(UserServiceGrpc.bindService(this), this::bulkCreate);
  }

  private StreamObserver<CreateUserRequest> bulkCreate(StreamObserver<BulkCreateResult> response) {
    boolean admin = Principal.current().map(Principal::isAdmin).orElse(false);
    if (!admin) {
      // bulk import is an administrative act; self sign-up goes through CreateUser
      response.onError(new PermissionDeniedException("BulkCreateUsers needs the 'admin' role"));
      return new DiscardingObserver<>();
    }
    return BulkCreateCall.start(users, createRequests, workers, counters,
        (ServerCallStreamObserver<BulkCreateResult>) response);
  }

  @Override
  public StreamObserver<UserUpdateRequest> userUpdates(StreamObserver<dev.userservice.api.user.v1.User> response) {
    return UserUpdatesCall.start(users, changes, accounts,
        (ServerCallStreamObserver<dev.userservice.api.user.v1.User>) response);
  }

  /** Parses an id field; a value that is not a UUID is INVALID_ARGUMENT naming the field. */
  static UUID parseId(String field, String value) {
    return UserIds.parse(value).orElseThrow(() -> new ValidationException(field,
        value.isEmpty() ? "is required" : "is not a user id (expected: a UUID)"));
  }

  /** Ignores the messages of a call that has already been closed. */
  private static final class DiscardingObserver<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
