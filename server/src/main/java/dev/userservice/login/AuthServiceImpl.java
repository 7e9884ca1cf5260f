package dev.userservice.login;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.auth.v1.LoginResponse;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.identity.TokenService;
import dev.userservice.observability.ServiceCounters;
import dev.userservice.user.AccountStateCache;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.Credentials;
import dev.userservice.user.UserRepository;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code auth.v1.AuthService/Login}. An unknown email, a user without a password, an inactive
 * user and a wrong password all fail with one message after one Argon2id verification, so
 * neither the answer nor its timing tells them apart. Each attempt is reserved in the
 * {@link LoginThrottle} before the password is checked.
 */
public final class AuthServiceImpl extends AuthServiceGrpc.AuthServiceImplBase {
  private final UserRepository users;
  private final PasswordHasher hasher;
  private final TokenService tokens;
  private final LoginThrottle throttle;
  private final AccountStateCache accounts;
  private final ServiceCounters counters;
  /** Verified against when there is no real hash, to spend the same time. */
  private final String decoyHash;

  /**
   * Logs in against {@code users}, counting failed logins and lockouts in {@code counters}; each
   * successful Login makes {@code accounts} read its account again on its next call, as the row
   * Login read may be newer than what the cache keeps.
   */
  public AuthServiceImpl(UserRepository users, PasswordHasher hasher, TokenService tokens, LoginThrottle throttle,
      AccountStateCache accounts, ServiceCounters counters) {
    this.accounts = requireNonNull(accounts, "accounts");
    this.counters = requireNonNull(counters, "counters");
    this.users = requireNonNull(users, "users");
    this.hasher = requireNonNull(hasher, "hasher");
    this.tokens = requireNonNull(tokens, "tokens");
    this.throttle = requireNonNull(throttle, "throttle");
    this.decoyHash = hasher.hash(UUID.randomUUID().toString());
  }

  /**
   * Validates on the calling thread, then logs in on a hashing thread; when hashing is at
   * capacity the call is refused at once with UNAVAILABLE and no attempt is counted.
   */
  @Override
  public void login(LoginRequest request, StreamObserver<LoginResponse> response) {
    try {
      String email = LoginRequests.email(request);
      if (!tokens.canIssue()) {
        throw Status.FAILED_PRECONDITION
            .withDescription("login is disabled: tokens are issued by an external identity provider")
            .asRuntimeException();
      }
      hasher.execute(() -> answer(email, request.getPassword(), response));
    } catch (RuntimeException e) {
      response.onError(e);
    }
  }

  private void answer(String email, String password, StreamObserver<LoginResponse> response) {
    if (Context.current().isCancelled()) {
      return; // the caller gave up while the login waited: count nothing, check nothing
    }
    LoginResponse result;
    try {
      result = login(email, password);
    } catch (RuntimeException e) {
      response.onError(e);
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  private LoginResponse login(String email, String password) {
    // reserved before the password is checked, so logins in flight count against the limit
    try {
      throttle.reserve(email);
    } catch (TooManyAttemptsException e) {
      counters.loginLockedOut();
      throw e;
    }
    Optional<Credentials> credentials = users.findCredentials(email);
    String hash = credentials.flatMap(Credentials::passwordHash).orElse(decoyHash);
    boolean passwordMatches = hasher.verify(password, hash);
    boolean accepted = passwordMatches
        && credentials.isPresent()
        && credentials.get().passwordHash().isPresent()
        && credentials.get().status() == AccountStatus.ACTIVE;
    if (!accepted) {
      counters.loginFailed();
      throw new LoginFailedException();
    }
    throttle.succeeded(email);
    // the row just read may hold a change no feed announced: the account's calls follow it from now
    accounts.forget(credentials.get().id());
    TokenService.IssuedToken token = tokens.issue(credentials.get().id().toString(), credentials.get().roles());
    return LoginResponse.newBuilder()
        .setAccessToken(token.token())
        .setExpireTime(Timestamp.newBuilder().setSeconds(token.expiresAt().getEpochSecond()))
        .build();
  }
}
