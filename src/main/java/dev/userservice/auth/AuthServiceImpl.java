package dev.userservice.auth;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.auth.v1.LoginResponse;
import dev.userservice.observability.ErrorMapper;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.Credentials;
import dev.userservice.user.FieldViolation;
import dev.userservice.user.UserRepository;
import dev.userservice.user.ValidationException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code auth.v1.AuthService/Login}. An unknown email, a user without a password, an inactive
 * user and a wrong password all fail with one message after one Argon2id verification, so
 * neither the answer nor its timing tells them apart.
 */
public final class AuthServiceImpl extends AuthServiceGrpc.AuthServiceImplBase {
  private final UserRepository users;
  private final PasswordHasher hasher;
  private final TokenService tokens;
  private final LoginThrottle throttle;
  /** Verified against when there is no real hash, to spend the same time. */
  private final String decoyHash;

  public AuthServiceImpl(UserRepository users, PasswordHasher hasher, TokenService tokens, LoginThrottle throttle) {
    this.users = requireNonNull(users, "users");
    this.hasher = requireNonNull(hasher, "hasher");
    this.tokens = requireNonNull(tokens, "tokens");
    this.throttle = requireNonNull(throttle, "throttle");
    this.decoyHash = hasher.hash(UUID.randomUUID().toString());
  }

  @Override
  public void login(LoginRequest request, StreamObserver<LoginResponse> response) {
    LoginResponse result;
    try {
      result = login(request);
    } catch (RuntimeException e) {
      response.onError(ErrorMapper.toStatusException(e));
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  private LoginResponse login(LoginRequest request) {
    List<FieldViolation> missing = new ArrayList<>();
    if (request.getEmail().isEmpty()) {
      missing.add(new FieldViolation("email", "is required"));
    }
    if (request.getPassword().isEmpty()) {
      missing.add(new FieldViolation("password", "is required"));
    }
    if (!missing.isEmpty()) {
      throw new ValidationException(missing);
    }
    if (!tokens.canIssue()) {
      throw Status.FAILED_PRECONDITION
          .withDescription("login is disabled: tokens are issued by an external identity provider")
          .asRuntimeException();
    }
    String email = request.getEmail().toLowerCase(Locale.ROOT);
    throttle.check(email);
    Optional<Credentials> credentials = users.findCredentials(email);
    String hash = credentials.flatMap(Credentials::passwordHash).orElse(decoyHash);
    boolean passwordMatches = hasher.verify(request.getPassword(), hash);
    boolean accepted = passwordMatches
        && credentials.isPresent()
        && credentials.get().passwordHash().isPresent()
        && credentials.get().status() == AccountStatus.ACTIVE;
    if (!accepted) {
      throttle.recordFailure(email);
      throw new LoginFailedException();
    }
    throttle.recordSuccess(email);
    TokenService.IssuedToken token = tokens.issue(credentials.get().id().toString(), credentials.get().roles());
    return LoginResponse.newBuilder()
        .setAccessToken(token.token())
        .setExpireTime(Timestamp.newBuilder().setSeconds(token.expiresAt().getEpochSecond()))
        .build();
  }
}
