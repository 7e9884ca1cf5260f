package dev.userservice.admin;

import static java.util.Objects.requireNonNull;

import dev.userservice.user.Credentials;
import dev.userservice.user.FieldViolation;
import dev.userservice.user.Roles;
import dev.userservice.user.StaleEtagException;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserNotFoundException;
import dev.userservice.user.UserRepository;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Grants and removes one role of the user with an email, as an admin's UserUpdates with path
 * {@code roles} would: the same repository update (a new version and etag, and on PostgreSQL a
 * NOTIFY every replica's account cache and streams receive). A concurrent change of the same user
 * is not overwritten: the update names the version it read and is tried again when it lost.
 */
public final class AccountRoles {
  private static final int ATTEMPTS = 5;
  private static final int PAGE = 1000;

  private final UserRepository users;

  public AccountRoles(UserRepository users) {
    this.users = requireNonNull(users, "users");
  }

  /** The user's roles after the change, and whether anything changed. */
  public record Outcome(User user, boolean changed) {}

  /**
   * Gives the user with {@code email} the {@code role}.
   *
   * @throws IllegalArgumentException when the role is not a valid role name
   * @throws UnknownEmailException when no user has the email
   */
  public Outcome grant(String email, String role) {
    String valid = validRole(role);
    return change(email, roles -> {
      Set<String> next = new HashSet<>(roles);
      next.add(valid);
      return next;
    });
  }

  /**
   * Takes {@code role} from the user with {@code email}.
   *
   * @throws IllegalArgumentException when the role is not a valid role name
   * @throws UnknownEmailException when no user has the email
   */
  public Outcome revoke(String email, String role) {
    String valid = validRole(role);
    return change(email, roles -> {
      Set<String> next = new HashSet<>(roles);
      next.remove(valid);
      return next;
    });
  }

  /** The users that hold {@code role}, in id order; reads every user. */
  public List<User> holders(String role) {
    String valid = validRole(role);
    List<User> holders = new ArrayList<>();
    Optional<UUID> after = Optional.empty();
    while (true) {
      List<User> page = users.listAfter(after, PAGE);
      page.stream().filter(user -> user.roles().contains(valid)).forEach(holders::add);
      if (page.size() < PAGE) {
        return holders;
      }
      after = Optional.of(page.get(page.size() - 1).id());
    }
  }

  private Outcome change(String email, UnaryOperator<Set<String>> roles) {
    String normalized = email.trim().toLowerCase(Locale.ROOT);
    UUID id = users.findCredentials(normalized).map(Credentials::id)
        .orElseThrow(() -> new UnknownEmailException(normalized));
    for (int attempt = 1; ; attempt++) {
      User current = users.findById(id).orElseThrow(() -> new UnknownEmailException(normalized));
      Set<String> next = Set.copyOf(roles.apply(current.roles()));
      if (next.equals(current.roles())) {
        return new Outcome(current, false);
      }
      try {
        User updated = users.update(id, new UserChanges(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.of(next), Optional.of(current.etag())));
        return new Outcome(updated, true);
      } catch (StaleEtagException e) {
        if (attempt == ATTEMPTS) {
          throw new AdminException("the user changed " + ATTEMPTS + " times while this command ran: run it again");
        }
      } catch (UserNotFoundException e) {
        throw new UnknownEmailException(normalized);
      }
    }
  }

  /**
   * The role, when it is a valid role name.
   *
   * @throws IllegalArgumentException naming what a role must be
   */
  public static String validRole(String role) {
    List<FieldViolation> violations = new ArrayList<>();
    Roles.validate("role", List.of(role), violations);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException("--role " + violations.get(0).description());
    }
    return role;
  }
}
