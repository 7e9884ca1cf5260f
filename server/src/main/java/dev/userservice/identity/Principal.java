package dev.userservice.identity;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import java.util.Optional;
import java.util.Set;

/**
 * Who makes the current call: the subject its verified token names (a user id for tokens this
 * service issues) and its roles, the account's current ones when the subject is a local user.
 * Travels in the gRPC {@link Context}.
 */
public record Principal(String subject, Set<String> roles) {
  /** The role that may act on any user. */
  public static final String ADMIN = "admin";
  /** The role of a calling service: it may list every user. */
  public static final String SERVICE = "service";

  static final Context.Key<Principal> KEY = Context.key("principal");

  public Principal {
    requireNonNull(subject, "subject");
    roles = Set.copyOf(roles);
  }

  /** The caller of the current call, when it presented a valid token. */
  public static Optional<Principal> current() {
    return Optional.ofNullable(KEY.get());
  }

  public boolean isAdmin() {
    return roles.contains(ADMIN);
  }

  /** Whether this caller may enumerate every user (and so every email): an admin or a calling service. */
  public boolean mayListUsers() {
    return isAdmin() || roles.contains(SERVICE);
  }

  /** The same subject with {@code current} roles. */
  Principal withRoles(Set<String> current) {
    return new Principal(subject, current);
  }

  /** Whether this caller may change the user with {@code userId}: itself, or anyone as admin. */
  public boolean mayChange(String userId) {
    return isAdmin() || subject.equalsIgnoreCase(userId);
  }
}
