package dev.userservice.identity;

import static java.util.Objects.requireNonNull;

import dev.userservice.observability.CallSubject;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requires {@code authorization: Bearer <token>} on every method but the public ones (health,
 * reflection, CreateUser, Login), verifies it and puts the {@link Principal} in the call's
 * {@link Context} (and its subject in the call's log line). When the token's subject is a local
 * user, the call carries that account's current roles instead of the token's, and an inactive
 * account is refused; any other subject (a calling service) keeps the token's roles. The admin
 * services also need the admin role. A call without a valid token, or of an inactive account, is
 * closed with UNAUTHENTICATED before its handler runs; the reason goes to the log only.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  /** Services anyone may call. */
  static final Set<String> PUBLIC_SERVICES = Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection");
  /** Methods anyone may call. */
  static final Set<String> PUBLIC_METHODS = Set.of("user.v1.UserService/CreateUser", "auth.v1.AuthService/Login");
  /** Services only the admin role may call: channelz and CSDS show every client's address and traffic. */
  static final Set<String> ADMIN_SERVICES = Set.of("grpc.channelz.v1.Channelz",
      "envoy.service.status.v3.ClientStatusDiscoveryService");

  /** Client streams that need the admin role for every request, not only at their start. */
  static final Set<String> ADMIN_STREAMS = Set.of("user.v1.UserService/BulkCreateUsers");

  /** Why a call that needs the admin role is refused without it. */
  static final String ADMIN_REQUIRED = "the admin role is required";

  /** Why a call of a deactivated account is refused. */
  static final String INACTIVE = "the account is not active";

  private final TokenService tokens;
  private final AccountStates accounts;

  /** An interceptor for which no subject is a local account: every token keeps its roles. */
  public AuthInterceptor(TokenService tokens) {
    this(tokens, AccountStates.NONE);
  }

  public AuthInterceptor(TokenService tokens, AccountStates accounts) {
    this.tokens = requireNonNull(tokens, "tokens");
    this.accounts = requireNonNull(accounts, "accounts");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    var method = call.getMethodDescriptor();
    if (PUBLIC_SERVICES.contains(method.getServiceName()) || PUBLIC_METHODS.contains(method.getFullMethodName())) {
      return next.startCall(call, headers);
    }
    String authorization = headers.get(AUTHORIZATION);
    if (authorization == null) {
      return reject(call, "missing bearer token", "no authorization header");
    }
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return reject(call, "malformed authorization header (expected: Bearer <token>)", "not a bearer token");
    }
    Principal principal;
    try {
      principal = tokens.verify(authorization.substring(BEARER.length()).trim());
    } catch (InvalidTokenException e) {
      return reject(call, "invalid or expired token", e.getMessage());
    }
    CallSubject.record(principal.subject());
    Principal fromToken = principal;
    Optional<Principal> current;
    try {
      current = accounts.principalNow(fromToken);
    } catch (RuntimeException e) {
      // the account state could not be read (the database is down): mapped and logged at the edge
      call.close(Status.fromThrowable(e), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (current.isEmpty()) {
      return reject(call, INACTIVE, "inactive account " + fromToken.subject());
    }
    principal = current.get();
    if (ADMIN_SERVICES.contains(method.getServiceName()) && !principal.isAdmin()) {
      log.debug("refused {} to {}: not an admin", method.getFullMethodName(), principal.subject());
      call.close(Status.PERMISSION_DENIED.withDescription(ADMIN_REQUIRED), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (method.getType().clientSendsOneMessage()) {
      Context context = Context.current().withValue(Principal.KEY, principal);
      return Contexts.interceptCall(context, call, headers, next);
    }
    // a stream's requests may come long after its start: each one is checked against the account again
    return AccountCheckingListener.start(call, headers, next, principal, () -> accounts.principalNow(fromToken),
        ADMIN_STREAMS.contains(method.getFullMethodName()));
  }

  private static <Q, R> ServerCall.Listener<Q> reject(ServerCall<Q, R> call, String message, String reason) {
    log.debug("rejected {}: {}", call.getMethodDescriptor().getFullMethodName(), reason);
    call.close(Status.UNAUTHENTICATED.withDescription(message), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
